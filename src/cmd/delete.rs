//! `cxs delete`: kill sessions (one tmux call for all) and remove their state.

use anyhow::Result;

use super::Env;
use crate::cli::DeleteArgs;
use crate::procs::{self, Tree};
use crate::session;
use crate::store::Trash;
use crate::tmux::Killing;

/// How long agents get to exit after SIGTERM before SIGKILL.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Deletes every selected session; nothing is deleted if any selector fails to resolve.
pub fn run(args: &DeleteArgs) -> Result<()> {
    let env = Env::load()?;
    let sessions = env.sessions()?;
    let chosen = session::resolve_all(&sessions, &args.selectors)?;
    // Wait for any `new` still starting one of them; a directory already gone needs none.
    let locks: Vec<_> = chosen.iter().filter_map(|s| s.dir.lock().ok()).collect();
    // One that had no tmux session when listed may have one now that its `new` finished.
    let late =
        if chosen.iter().any(|s| s.pane.is_none()) { env.tmux.sessions()? } else { Vec::new() };
    let home = env.store.root().to_string_lossy();
    let panes: Vec<_> = chosen
        .iter()
        .map(|s| s.pane.as_ref().or_else(|| late.iter().find(|p| p.id == s.id && p.home == home)))
        .collect();
    // Find the processes while the trees are whole; tmux's SIGHUP may orphan some.
    let trees: Vec<Tree<'_>> = chosen
        .iter()
        .zip(&panes)
        .map(|(s, pane)| Tree {
            root: pane.filter(|p| !p.dead).and_then(|p| p.pid),
            dir: s.dir.path().as_os_str(),
        })
        .collect();
    let processes = procs::find(&trees);
    // Renamed away first, a directory is out of reach of the session's processes, and its
    // tmux session counts as being deleted; so the directories are emptied while tmux
    // kills, and removed once it is done.
    let trash: Vec<_> = chosen.iter().map(|s| s.dir.discard()).collect();
    let names: Vec<_> = panes.iter().flatten().map(|p| &p.name).collect();
    let killing = env.tmux.start_kill(&names);
    for trash in trash.iter().flatten().flatten() {
        // What fails here is retried, and reported, by the removal below.
        let _ = trash.empty();
    }
    drop(locks);
    let killed = killing.and_then(Killing::finish);
    procs::terminate(&processes, GRACE);
    // Every directory goes even when one fails; the first failure is reported.
    let removed = trash
        .into_iter()
        .map(|trash| trash?.map_or(Ok(()), Trash::remove))
        .fold(Ok(()), Result::and);
    env.store.sweep();
    killed.and(removed)
}
