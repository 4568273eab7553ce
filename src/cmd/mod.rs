//! One module per verb, each with a `run` function; this one dispatches to them.

mod attach;
mod completions;
mod delete;
mod list;
mod logs;
mod new;
mod run;

use anyhow::Result;

use crate::cli::Command;

/// Leave with this exit status and no message (the agent's own status, passed through).
#[derive(Debug)]
pub struct SilentExit(pub u8);

impl std::fmt::Display for SilentExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// Runs one verb.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New(new) => new::run(&new),
        Command::List(args) => list::run(&args),
        Command::Attach(args) => attach::run(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Delete(args) => delete::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Run(args) => run::run(&args),
    }
}
