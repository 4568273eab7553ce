//! `cxs completions` and `cxs man`: shell completions and the man page, generated from the
//! clap definition. Completions are dynamic: the shell asks `cxs` itself (through
//! `COMPLETE=SHELL cxs ...`), so `cxs attach <TAB>` offers the live session ids.

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// The variable the registration scripts set when they ask `cxs` for completions.
const COMPLETE_VAR: &str = "COMPLETE";

/// Answers a completion request from a shell, if this run is one, and exits. Only a shell
/// clap knows takes over: `COMPLETE=1` left in someone's environment is not a request.
pub fn answer_shell() {
    let asked = std::env::var(COMPLETE_VAR)
        .is_ok_and(|shell| shell.parse::<clap_complete::Shell>().is_ok());
    if !asked {
        return;
    }
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .completer("cxs")
        .complete();
}

/// Prints the script that registers dynamic completion for one shell.
pub fn run(args: &CompletionsArgs) -> Result<()> {
    // The registration script is what a completion request without words prints.
    // SAFETY: cxs has started no threads yet; nothing reads the environment concurrently.
    unsafe { std::env::set_var(COMPLETE_VAR, args.shell.to_string()) };
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .completer("cxs")
        .try_complete(["cxs"], None)?;
    Ok(())
}

/// Prints the man page, or writes every page into a directory.
pub fn man(args: &ManArgs) -> Result<()> {
    let Some(dir) = &args.dir else {
        clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout().lock())?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write man pages into {}", dir.display()))
}
