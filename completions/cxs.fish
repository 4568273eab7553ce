# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cxs_global_optspecs
    string join \n h/help V/version
end

function __fish_cxs_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cxs_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cxs_using_subcommand
    set -l cmd (__fish_cxs_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cxs -n "__fish_cxs_needs_command" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_needs_command" -s V -l version -d 'Print version'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "new" -d 'Start an agent in a new detached tmux session and print its id'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "create" -d 'Start an agent in a new detached tmux session and print its id'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "list" -d 'List sessions, newest first'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "ls" -d 'List sessions, newest first'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "attach" -d 'Attach to a session\'s tmux session (switches client when already inside tmux)'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "logs" -d 'Print a session\'s log'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "delete" -d 'Kill sessions and remove their state'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "rm" -d 'Kill sessions and remove their state'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "send" -d 'Type text into a running session and submit it'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "wait" -d 'Wait until sessions\' agents exit, and exit with the agent\'s status'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "capture" -d 'Print what a session\'s pane shows now'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "agents" -d 'List the agents `new` can start and whether each is installed'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "__run" -d 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "__notify" -d 'Record that Codex finished a turn (Codex\'s `notify` hook)'
complete -c cxs -n "__fish_cxs_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand new; and not __fish_seen_subcommand_from exec repl cmd help" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand new; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "exec" -d 'A one-shot `codex exec` run'
complete -c cxs -n "__fish_cxs_using_subcommand new; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "repl" -d 'The interactive Codex TUI'
complete -c cxs -n "__fish_cxs_using_subcommand new; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "cmd" -d 'Any command, given after `--`'
complete -c cxs -n "__fish_cxs_using_subcommand new; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s m -l model -d 'Model the agent should use' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s i -l image -d 'Image to attach to the first prompt (repeat for several)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s s -l sandbox -d 'Sandbox policy for commands the model runs' -r -f -a "read-only\t'The model may read files but not write them'
workspace-write\t'The model may write inside the working directory'
danger-full-access\t'No sandbox at all'"
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s p -l profile -d 'Configuration profile from codex\'s config.toml' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s c -l config -d 'Override a codex configuration value (repeat for several)' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s o -l output-last-message -d 'File to write the agent\'s last message to' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -l oss -d 'Use the local open-source model provider'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -l skip-git-repo-check -d 'Allow running outside a git repository'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -l json -d 'Print events as JSON lines'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s m -l model -d 'Model the agent should use' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s i -l image -d 'Image to attach to the first prompt (repeat for several)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s s -l sandbox -d 'Sandbox policy for commands the model runs' -r -f -a "read-only\t'The model may read files but not write them'
workspace-write\t'The model may write inside the working directory'
danger-full-access\t'No sandbox at all'"
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s p -l profile -d 'Configuration profile from codex\'s config.toml' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s c -l config -d 'Override a codex configuration value (repeat for several)' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s a -l ask-for-approval -d 'When the agent asks before running a command' -r -f -a "untrusted\t'Ask before anything but trusted commands'
on-failure\t'Ask only when a command fails in the sandbox'
on-request\t'The model decides when to ask'
never\t'Never ask'"
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -l oss -d 'Use the local open-source model provider'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -l search -d 'Enable web search'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from repl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from cmd" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from cmd" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from cmd" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "exec" -d 'A one-shot `codex exec` run'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "repl" -d 'The interactive Codex TUI'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "cmd" -d 'Any command, given after `--`'
complete -c cxs -n "__fish_cxs_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand create; and not __fish_seen_subcommand_from exec repl cmd help" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand create; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "exec" -d 'A one-shot `codex exec` run'
complete -c cxs -n "__fish_cxs_using_subcommand create; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "repl" -d 'The interactive Codex TUI'
complete -c cxs -n "__fish_cxs_using_subcommand create; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "cmd" -d 'Any command, given after `--`'
complete -c cxs -n "__fish_cxs_using_subcommand create; and not __fish_seen_subcommand_from exec repl cmd help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s m -l model -d 'Model the agent should use' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s i -l image -d 'Image to attach to the first prompt (repeat for several)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s s -l sandbox -d 'Sandbox policy for commands the model runs' -r -f -a "read-only\t'The model may read files but not write them'
workspace-write\t'The model may write inside the working directory'
danger-full-access\t'No sandbox at all'"
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s p -l profile -d 'Configuration profile from codex\'s config.toml' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s c -l config -d 'Override a codex configuration value (repeat for several)' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s o -l output-last-message -d 'File to write the agent\'s last message to' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -l oss -d 'Use the local open-source model provider'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -l skip-git-repo-check -d 'Allow running outside a git repository'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -l json -d 'Print events as JSON lines'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s m -l model -d 'Model the agent should use' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s i -l image -d 'Image to attach to the first prompt (repeat for several)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s s -l sandbox -d 'Sandbox policy for commands the model runs' -r -f -a "read-only\t'The model may read files but not write them'
workspace-write\t'The model may write inside the working directory'
danger-full-access\t'No sandbox at all'"
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s p -l profile -d 'Configuration profile from codex\'s config.toml' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s c -l config -d 'Override a codex configuration value (repeat for several)' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s a -l ask-for-approval -d 'When the agent asks before running a command' -r -f -a "untrusted\t'Ask before anything but trusted commands'
on-failure\t'Ask only when a command fails in the sandbox'
on-request\t'The model decides when to ask'
never\t'Never ask'"
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -l oss -d 'Use the local open-source model provider'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -l search -d 'Enable web search'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from repl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from cmd" -l id -d 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname' -r
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from cmd" -s C -l cd -d 'Working directory of the agent (default: the current one)' -r -F
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from cmd" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "exec" -d 'A one-shot `codex exec` run'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "repl" -d 'The interactive Codex TUI'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "cmd" -d 'Any command, given after `--`'
complete -c cxs -n "__fish_cxs_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand list" -l json -d 'Print the rows as a JSON array'
complete -c cxs -n "__fish_cxs_using_subcommand list" -s w -l watch -d 'Redraw the table every second until interrupted'
complete -c cxs -n "__fish_cxs_using_subcommand list" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand ls" -l json -d 'Print the rows as a JSON array'
complete -c cxs -n "__fish_cxs_using_subcommand ls" -s w -l watch -d 'Redraw the table every second until interrupted'
complete -c cxs -n "__fish_cxs_using_subcommand ls" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand attach" -s r -l read-only -d 'Attach read-only: watch without typing into the agent'
complete -c cxs -n "__fish_cxs_using_subcommand attach" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand logs" -s n -l tail -d 'Print only the last N lines' -r
complete -c cxs -n "__fish_cxs_using_subcommand logs" -s f -l follow -d 'Keep printing new output until the session ends'
complete -c cxs -n "__fish_cxs_using_subcommand logs" -l raw -d 'Print the bytes exactly as logged, terminal escapes included'
complete -c cxs -n "__fish_cxs_using_subcommand logs" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand delete" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand rm" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand send" -l no-enter -d 'Type the text without submitting it'
complete -c cxs -n "__fish_cxs_using_subcommand send" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand wait" -l timeout -d 'Give up after this long (e.g. 30s, 5m) and exit with status 124' -r
complete -c cxs -n "__fish_cxs_using_subcommand wait" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand capture" -s n -l lines -d 'Lines of history to include above the visible screen' -r
complete -c cxs -n "__fish_cxs_using_subcommand capture" -l ansi -d 'Keep colors and other escape sequences'
complete -c cxs -n "__fish_cxs_using_subcommand capture" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand agents" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand completions" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand __run" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand __notify" -s h -l help -d 'Print help'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "new" -d 'Start an agent in a new detached tmux session and print its id'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "list" -d 'List sessions, newest first'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "attach" -d 'Attach to a session\'s tmux session (switches client when already inside tmux)'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "logs" -d 'Print a session\'s log'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "delete" -d 'Kill sessions and remove their state'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "send" -d 'Type text into a running session and submit it'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "wait" -d 'Wait until sessions\' agents exit, and exit with the agent\'s status'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "capture" -d 'Print what a session\'s pane shows now'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "agents" -d 'List the agents `new` can start and whether each is installed'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "completions" -d 'Print a shell completion script'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "__run" -d 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "__notify" -d 'Record that Codex finished a turn (Codex\'s `notify` hook)'
complete -c cxs -n "__fish_cxs_using_subcommand help; and not __fish_seen_subcommand_from new list attach logs delete send wait capture agents completions __run __notify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cxs -n "__fish_cxs_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "exec" -d 'A one-shot `codex exec` run'
complete -c cxs -n "__fish_cxs_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "repl" -d 'The interactive Codex TUI'
complete -c cxs -n "__fish_cxs_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "cmd" -d 'Any command, given after `--`'
