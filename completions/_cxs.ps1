
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'cxs' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'cxs'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'cxs' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Start an agent in a new detached tmux session and print its id')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Start an agent in a new detached tmux session and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List sessions, newest first')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List sessions, newest first')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach to a session''s tmux session (switches client when already inside tmux)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a session''s log')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Kill sessions and remove their state')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Kill sessions and remove their state')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Type text into a running session and submit it')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until sessions'' agents exit, and exit with the agent''s status')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Print what a session''s pane shows now')
            [CompletionResult]::new('agents', 'agents', [CompletionResultType]::ParameterValue, 'List the agents `new` can start and whether each is installed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('__run', '__run', [CompletionResultType]::ParameterValue, 'Run an agent inside its tmux pane and record how it ended (used by `new`)')
            [CompletionResult]::new('__notify', '__notify', [CompletionResultType]::ParameterValue, 'Record that Codex finished a turn (Codex''s `notify` hook)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;new' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'A one-shot `codex exec` run')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'The interactive Codex TUI')
            [CompletionResult]::new('cmd', 'cmd', [CompletionResultType]::ParameterValue, 'Any command, given after `--`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;create' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'A one-shot `codex exec` run')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'The interactive Codex TUI')
            [CompletionResult]::new('cmd', 'cmd', [CompletionResultType]::ParameterValue, 'Any command, given after `--`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;new;exec' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'File to write the agent''s last message to')
            [CompletionResult]::new('--output-last-message', '--output-last-message', [CompletionResultType]::ParameterName, 'File to write the agent''s last message to')
            [CompletionResult]::new('--oss', '--oss', [CompletionResultType]::ParameterName, 'Use the local open-source model provider')
            [CompletionResult]::new('--skip-git-repo-check', '--skip-git-repo-check', [CompletionResultType]::ParameterName, 'Allow running outside a git repository')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cxs;create;exec' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'File to write the agent''s last message to')
            [CompletionResult]::new('--output-last-message', '--output-last-message', [CompletionResultType]::ParameterName, 'File to write the agent''s last message to')
            [CompletionResult]::new('--oss', '--oss', [CompletionResultType]::ParameterName, 'Use the local open-source model provider')
            [CompletionResult]::new('--skip-git-repo-check', '--skip-git-repo-check', [CompletionResultType]::ParameterName, 'Allow running outside a git repository')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cxs;new;repl' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'When the agent asks before running a command')
            [CompletionResult]::new('--ask-for-approval', '--ask-for-approval', [CompletionResultType]::ParameterName, 'When the agent asks before running a command')
            [CompletionResult]::new('--oss', '--oss', [CompletionResultType]::ParameterName, 'Use the local open-source model provider')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Enable web search')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cxs;create;repl' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model the agent should use')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Image to attach to the first prompt (repeat for several)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Sandbox policy for commands the model runs')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile from codex''s config.toml')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a codex configuration value (repeat for several)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'When the agent asks before running a command')
            [CompletionResult]::new('--ask-for-approval', '--ask-for-approval', [CompletionResultType]::ParameterName, 'When the agent asks before running a command')
            [CompletionResult]::new('--oss', '--oss', [CompletionResultType]::ParameterName, 'Use the local open-source model provider')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Enable web search')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cxs;new;cmd' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;create;cmd' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Working directory of the agent (default: the current one)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;new;help' {
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'A one-shot `codex exec` run')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'The interactive Codex TUI')
            [CompletionResult]::new('cmd', 'cmd', [CompletionResultType]::ParameterValue, 'Any command, given after `--`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;new;help;exec' {
            break
        }
        'cxs;new;help;repl' {
            break
        }
        'cxs;new;help;cmd' {
            break
        }
        'cxs;new;help;help' {
            break
        }
        'cxs;create;help' {
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'A one-shot `codex exec` run')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'The interactive Codex TUI')
            [CompletionResult]::new('cmd', 'cmd', [CompletionResultType]::ParameterValue, 'Any command, given after `--`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;create;help;exec' {
            break
        }
        'cxs;create;help;repl' {
            break
        }
        'cxs;create;help;cmd' {
            break
        }
        'cxs;create;help;help' {
            break
        }
        'cxs;list' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the rows as a JSON array')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Redraw the table every second until interrupted')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw the table every second until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;ls' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the rows as a JSON array')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Redraw the table every second until interrupted')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw the table every second until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;attach' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Attach read-only: watch without typing into the agent')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Attach read-only: watch without typing into the agent')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;logs' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print only the last N lines')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Print only the last N lines')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new output until the session ends')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new output until the session ends')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the bytes exactly as logged, terminal escapes included')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;delete' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;rm' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;send' {
            [CompletionResult]::new('--no-enter', '--no-enter', [CompletionResultType]::ParameterName, 'Type the text without submitting it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;wait' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (e.g. 30s, 5m) and exit with status 124')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;capture' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Lines of history to include above the visible screen')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Lines of history to include above the visible screen')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Keep colors and other escape sequences')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;agents' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;__run' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;__notify' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cxs;help' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Start an agent in a new detached tmux session and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List sessions, newest first')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach to a session''s tmux session (switches client when already inside tmux)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a session''s log')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Kill sessions and remove their state')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Type text into a running session and submit it')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until sessions'' agents exit, and exit with the agent''s status')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Print what a session''s pane shows now')
            [CompletionResult]::new('agents', 'agents', [CompletionResultType]::ParameterValue, 'List the agents `new` can start and whether each is installed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('__run', '__run', [CompletionResultType]::ParameterValue, 'Run an agent inside its tmux pane and record how it ended (used by `new`)')
            [CompletionResult]::new('__notify', '__notify', [CompletionResultType]::ParameterValue, 'Record that Codex finished a turn (Codex''s `notify` hook)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cxs;help;new' {
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'A one-shot `codex exec` run')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'The interactive Codex TUI')
            [CompletionResult]::new('cmd', 'cmd', [CompletionResultType]::ParameterValue, 'Any command, given after `--`')
            break
        }
        'cxs;help;new;exec' {
            break
        }
        'cxs;help;new;repl' {
            break
        }
        'cxs;help;new;cmd' {
            break
        }
        'cxs;help;list' {
            break
        }
        'cxs;help;attach' {
            break
        }
        'cxs;help;logs' {
            break
        }
        'cxs;help;delete' {
            break
        }
        'cxs;help;send' {
            break
        }
        'cxs;help;wait' {
            break
        }
        'cxs;help;capture' {
            break
        }
        'cxs;help;agents' {
            break
        }
        'cxs;help;completions' {
            break
        }
        'cxs;help;__run' {
            break
        }
        'cxs;help;__notify' {
            break
        }
        'cxs;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
