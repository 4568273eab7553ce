//! `cxs delete`: kill sessions (one tmux call for all) and remove their state.

use anyhow::Result;

use super::Env;
use crate::cli::DeleteArgs;
use crate::session::{self, Session};

/// Deletes every selected session; nothing is deleted if any selector fails to resolve.
pub fn run(args: &DeleteArgs) -> Result<()> {
    let env = Env::load()?;
    let sessions = env.sessions()?;
    let mut chosen: Vec<&Session> = Vec::new();
    for selector in &args.selectors {
        let session = session::resolve(&sessions, selector)?;
        if !chosen.iter().any(|s| s.id == session.id) {
            chosen.push(session);
        }
    }
    // The tmux session goes first, so the agent cannot write into a half-removed directory.
    let names: Vec<_> = chosen.iter().filter_map(|s| s.pane.as_ref()).map(|p| &p.name).collect();
    env.tmux.kill(&names)?;
    for session in chosen {
        session.dir.remove()?;
    }
    Ok(())
}
