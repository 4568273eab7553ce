//! `cxs diff`: what a worktree session's agent changed against its base, as `git diff` shows it.

use anyhow::Result;

use crate::cli::DiffArgs;
use crate::env::Env;
use crate::git::Git;
use crate::session;
use crate::worktree;

/// Runs `git diff` against the session's base in its worktree, with the user's pager and
/// colours; new files the agent never added show too.
pub fn run(args: &DiffArgs) -> Result<()> {
    let env = Env::load()?;
    // Reading the worktree needs no tmux call.
    let (id, dir) = session::locate(&env.store, &args.selector)?;
    let sidecar = dir.read()?;
    let tree = worktree::of(&id, &sidecar)?;
    let git = Git::find()?;
    let mut options = Vec::new();
    if args.stat {
        options.push("--stat");
    }
    if args.name_only {
        options.push("--name-only");
    }
    match git.show_diff(tree, &options)? {
        0 => Ok(()),
        code => Err(super::SilentExit(u8::try_from(code).unwrap_or(1)).into()),
    }
}
