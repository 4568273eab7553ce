
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
            cand completions 'Print a shell completion script'
            cand __run 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;new'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;create'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
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
        &'cxs;new;help'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;new;help;exec'= {
        }
        &'cxs;new;help;repl'= {
        }
        &'cxs;new;help;help'= {
        }
        &'cxs;create;help'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;create;help;exec'= {
        }
        &'cxs;create;help;repl'= {
        }
        &'cxs;create;help;help'= {
        }
        &'cxs;list'= {
            cand --json 'Print the rows as a JSON array'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;ls'= {
            cand --json 'Print the rows as a JSON array'
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
        &'cxs;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;__run'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cxs;help'= {
            cand new 'Start an agent in a new detached tmux session and print its id'
            cand list 'List sessions, newest first'
            cand attach 'Attach to a session''s tmux session (switches client when already inside tmux)'
            cand logs 'Print a session''s log'
            cand delete 'Kill sessions and remove their state'
            cand completions 'Print a shell completion script'
            cand __run 'Run an agent inside its tmux pane and record how it ended (used by `new`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cxs;help;new'= {
            cand exec 'A one-shot `codex exec` run'
            cand repl 'The interactive Codex TUI'
        }
        &'cxs;help;new;exec'= {
        }
        &'cxs;help;new;repl'= {
        }
        &'cxs;help;list'= {
        }
        &'cxs;help;attach'= {
        }
        &'cxs;help;logs'= {
        }
        &'cxs;help;delete'= {
        }
        &'cxs;help;completions'= {
        }
        &'cxs;help;__run'= {
        }
        &'cxs;help;help'= {
        }
    ]
    $completions[$command]
}
