//! cxs: run AI coding agents as background tmux sessions.

mod agent;
mod caller;
mod catalog;
mod cli;
mod cmd;
mod config;
mod env;
mod environ;
mod events;
mod git;
mod hidden;
mod procs;
#[cfg(test)]
mod proptests;
mod quote;
mod remote;
mod render;
mod session;
mod store;
mod table;
mod tmux;
mod tokens;
mod watch;
mod worktree;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let result = if let Some(hidden) = hidden::parse(std::env::args_os()) {
        cmd::run_hidden(hidden)
    } else {
        cmd::answer_shell();
        cmd::run_cli(cli::Cli::parse())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(cmd::SilentExit(code)) = err.downcast_ref() {
                return ExitCode::from(*code);
            }
            // `cxs list | head` closing the pipe early is not an error.
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if err.downcast_ref::<cmd::Usage>().is_some() {
                return ExitCode::from(2);
            }
            ExitCode::FAILURE
        }
    }
}
