//! One module per verb, each with a `run` function; this one dispatches to them.

mod agents;
mod attach;
mod capture;
mod check;
mod claude_hook;
mod completions;
mod delete;
mod diff;
mod events;
mod list;
mod log_writer;
mod logs;
mod merge;
mod new;
mod notify_hook;
mod rename;
mod resume;
mod runner;
mod send;
mod status_line;
mod tmux_conf;
mod usage;
mod wait;

use anyhow::Result;
pub use completions::answer_shell;

use crate::cli::Command;
use crate::hidden::Hidden;

/// A mistake on the command line that clap cannot see: printed as an error, exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Leave with this exit status and no message (the agent's own status, passed through).
#[derive(Debug)]
pub struct SilentExit(pub u8);

impl std::fmt::Display for SilentExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// Runs one of the commands cxs starts itself.
pub fn run_hidden(hidden: Hidden) -> Result<()> {
    match hidden {
        Hidden::Run { dir } => runner::run(dir),
        Hidden::Log { dir, max } => log_writer::run(dir, max),
        Hidden::Notify { dir, event } => notify_hook::run(dir, &event),
        Hidden::HookRun { limit_ms, argv } => {
            crate::events::run_hook_to_end(&argv, std::time::Duration::from_millis(limit_ms))
        }
        Hidden::Check { dir, name } => {
            check::run(dir, name);
            Ok(())
        }
        Hidden::Hook { dir } => {
            claude_hook::run(dir);
            Ok(())
        }
    }
}

/// Runs this command line on a configured host instead, and exits with its status.
pub fn run_remote(host: &str) -> Result<()> {
    let env = crate::env::Env::load()?;
    let args = crate::remote::without_host(std::env::args_os().skip(1));
    match crate::remote::run(&env.config, host, &args, &env.store.ssh_sockets())? {
        0 => Ok(()),
        code => Err(SilentExit(u8::try_from(code).unwrap_or(1)).into()),
    }
}

/// Runs one verb.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New(new) => new::run(new),
        Command::List(args) => list::run(&args),
        Command::Attach(args) => attach::run(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Delete(args) => delete::run(&args),
        Command::Resume(args) => resume::run(&args),
        Command::Events(args) => events::run(&args),
        Command::Rename(args) => rename::run(&args),
        Command::Usage(args) => usage::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Wait(args) => wait::run(&args),
        Command::Capture(args) => capture::run(&args),
        Command::Agents => agents::run(),
        Command::TmuxConf(args) => tmux_conf::run(&args),
        Command::StatusLine => status_line::run(),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => completions::man(&args),
    }
}
