
use builtin;
use str;

set edit:completion:arg-completer[cxs] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'cxs'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'cxs'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand new 'Start an agent in a new detached tmux session and print its id'
            cand create 'Start an agent in a new detached tmux session and print its id'
            cand list 'List sessions, newest first'
            cand ls 'List sessions, newest first'
            cand attach 'Attach to a session''s tmux session (switches client when already inside tmux)'
            cand logs 'Print a session''s log'
            cand delete 'Kill sessions and remove their state'
            cand rm 'Kill sessions and remove their state'
            cand send 'Type text into a running session and submit it'
            cand wait 'Wait until sessions'' agents exit, and exit with the agent''s status'
            cand capture 'Print what a session''s pane shows now'
            cand agents 'List the agents `new` can start and whether each is installed'
            cand completions 'Print a shell completion script'
            cand __run 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
            cand __notify 'Record that Codex finished a turn (Codex''s `notify` hook)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;new'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand cmd 'Any command, given after `--`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;create'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand cmd 'Any command, given after `--`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;new;exec'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -m 'Model the agent should use'
            cand --model 'Model the agent should use'
            cand -i 'Image to attach to the first prompt (repeat for several)'
            cand --image 'Image to attach to the first prompt (repeat for several)'
            cand -s 'Sandbox policy for commands the model runs'
            cand --sandbox 'Sandbox policy for commands the model runs'
            cand -p 'Configuration profile from codex''s config.toml'
            cand --profile 'Configuration profile from codex''s config.toml'
            cand -c 'Override a codex configuration value (repeat for several)'
            cand --config 'Override a codex configuration value (repeat for several)'
            cand -o 'File to write the agent''s last message to'
            cand --output-last-message 'File to write the agent''s last message to'
            cand --oss 'Use the local open-source model provider'
            cand --skip-git-repo-check 'Allow running outside a git repository'
            cand --json 'Print events as JSON lines'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cxs;create;exec'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -m 'Model the agent should use'
            cand --model 'Model the agent should use'
            cand -i 'Image to attach to the first prompt (repeat for several)'
            cand --image 'Image to attach to the first prompt (repeat for several)'
            cand -s 'Sandbox policy for commands the model runs'
            cand --sandbox 'Sandbox policy for commands the model runs'
            cand -p 'Configuration profile from codex''s config.toml'
            cand --profile 'Configuration profile from codex''s config.toml'
            cand -c 'Override a codex configuration value (repeat for several)'
            cand --config 'Override a codex configuration value (repeat for several)'
            cand -o 'File to write the agent''s last message to'
            cand --output-last-message 'File to write the agent''s last message to'
            cand --oss 'Use the local open-source model provider'
            cand --skip-git-repo-check 'Allow running outside a git repository'
            cand --json 'Print events as JSON lines'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cxs;new;repl'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -m 'Model the agent should use'
            cand --model 'Model the agent should use'
            cand -i 'Image to attach to the first prompt (repeat for several)'
            cand --image 'Image to attach to the first prompt (repeat for several)'
            cand -s 'Sandbox policy for commands the model runs'
            cand --sandbox 'Sandbox policy for commands the model runs'
            cand -p 'Configuration profile from codex''s config.toml'
            cand --profile 'Configuration profile from codex''s config.toml'
            cand -c 'Override a codex configuration value (repeat for several)'
            cand --config 'Override a codex configuration value (repeat for several)'
            cand -a 'When the agent asks before running a command'
            cand --ask-for-approval 'When the agent asks before running a command'
            cand --oss 'Use the local open-source model provider'
            cand --search 'Enable web search'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cxs;create;repl'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -m 'Model the agent should use'
            cand --model 'Model the agent should use'
            cand -i 'Image to attach to the first prompt (repeat for several)'
            cand --image 'Image to attach to the first prompt (repeat for several)'
            cand -s 'Sandbox policy for commands the model runs'
            cand --sandbox 'Sandbox policy for commands the model runs'
            cand -p 'Configuration profile from codex''s config.toml'
            cand --profile 'Configuration profile from codex''s config.toml'
            cand -c 'Override a codex configuration value (repeat for several)'
            cand --config 'Override a codex configuration value (repeat for several)'
            cand -a 'When the agent asks before running a command'
            cand --ask-for-approval 'When the agent asks before running a command'
            cand --oss 'Use the local open-source model provider'
            cand --search 'Enable web search'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cxs;new;cmd'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;create;cmd'= {
            cand --id 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname'
            cand -C 'Working directory of the agent (default: the current one)'
            cand --cd 'Working directory of the agent (default: the current one)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;new;help'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand cmd 'Any command, given after `--`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;new;help;exec'= {
        }
        &'cxs;new;help;repl'= {
        }
        &'cxs;new;help;cmd'= {
        }
        &'cxs;new;help;help'= {
        }
        &'cxs;create;help'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand cmd 'Any command, given after `--`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;create;help;exec'= {
        }
        &'cxs;create;help;repl'= {
        }
        &'cxs;create;help;cmd'= {
        }
        &'cxs;create;help;help'= {
        }
        &'cxs;list'= {
            cand --json 'Print the rows as a JSON array'
            cand -w 'Redraw the table every second until interrupted'
            cand --watch 'Redraw the table every second until interrupted'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;ls'= {
            cand --json 'Print the rows as a JSON array'
            cand -w 'Redraw the table every second until interrupted'
            cand --watch 'Redraw the table every second until interrupted'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;attach'= {
            cand -r 'Attach read-only: watch without typing into the agent'
            cand --read-only 'Attach read-only: watch without typing into the agent'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;logs'= {
            cand -n 'Print only the last N lines'
            cand --tail 'Print only the last N lines'
            cand -f 'Keep printing new output until the session ends'
            cand --follow 'Keep printing new output until the session ends'
            cand --raw 'Print the bytes exactly as logged, terminal escapes included'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;delete'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;rm'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;send'= {
            cand --no-enter 'Type the text without submitting it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;wait'= {
            cand --timeout 'Give up after this long (e.g. 30s, 5m) and exit with status 124'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;capture'= {
            cand -n 'Lines of history to include above the visible screen'
            cand --lines 'Lines of history to include above the visible screen'
            cand --ansi 'Keep colors and other escape sequences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;agents'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;__run'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;__notify'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;help'= {
            cand new 'Start an agent in a new detached tmux session and print its id'
            cand list 'List sessions, newest first'
            cand attach 'Attach to a session''s tmux session (switches client when already inside tmux)'
            cand logs 'Print a session''s log'
            cand delete 'Kill sessions and remove their state'
            cand send 'Type text into a running session and submit it'
            cand wait 'Wait until sessions'' agents exit, and exit with the agent''s status'
            cand capture 'Print what a session''s pane shows now'
            cand agents 'List the agents `new` can start and whether each is installed'
            cand completions 'Print a shell completion script'
            cand __run 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
            cand __notify 'Record that Codex finished a turn (Codex''s `notify` hook)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;help;new'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand cmd 'Any command, given after `--`'
        }
        &'cxs;help;new;exec'= {
        }
        &'cxs;help;new;repl'= {
        }
        &'cxs;help;new;cmd'= {
        }
        &'cxs;help;list'= {
        }
        &'cxs;help;attach'= {
        }
        &'cxs;help;logs'= {
        }
        &'cxs;help;delete'= {
        }
        &'cxs;help;send'= {
        }
        &'cxs;help;wait'= {
        }
        &'cxs;help;capture'= {
        }
        &'cxs;help;agents'= {
        }
        &'cxs;help;completions'= {
        }
        &'cxs;help;__run'= {
        }
        &'cxs;help;__notify'= {
        }
        &'cxs;help;help'= {
        }
    ]
    $completions[$command]
}
