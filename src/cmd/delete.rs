//! `cxs delete`: kill sessions (one tmux call per server) and remove their state.

use anyhow::{Result, bail};

use crate::cli::DeleteArgs;
use crate::env::Env;
use crate::procs::{self, Tree};
use crate::session::{self, Status};
use crate::store::{Doomed, Trash};
use crate::tmux::Killing;

/// How long agents get to exit after SIGTERM before SIGKILL.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Deletes every selected session; nothing is deleted if any selector fails to resolve, or
/// any session's tmux server does not answer (its state would go while its agent runs on).
pub fn run(args: &DeleteArgs) -> Result<()> {
    let env = Env::load()?;
    let sessions = env.sessions()?;
    let chosen = session::resolve_all(&sessions, &args.selectors)?;
    for session in &chosen {
        if let Status::Unreachable(_) = session.status {
            bail!("{:#}; nothing deleted", session.pane().unwrap_err());
        }
    }
    // Wait for any `new` still starting one of them; a directory already gone needs none.
    let locks: Vec<_> = chosen.iter().filter_map(|s| s.dir.lock().ok()).collect();
    // One that had no tmux session when listed may have one now that its `new` finished.
    let panes: Vec<_> = chosen
        .iter()
        .map(|s| match &s.pane {
            Some(pane) => Ok(Some(pane.clone())),
            None => s.find_pane(),
        })
        .collect::<Result<_>>()?;
    // Find the processes while the trees are whole; tmux's SIGHUP may orphan some.
    let trees: Vec<Tree<'_>> = chosen
        .iter()
        .zip(&panes)
        .map(|(s, pane)| Tree {
            root: pane.as_ref().filter(|p| !p.dead).and_then(|p| p.pid),
            dir: s.dir.path().as_os_str(),
        })
        .collect();
    let (owners, processes): (Vec<usize>, Vec<procs::Proc>) =
        procs::find(&trees).into_iter().unzip();
    let mut owned: Vec<Vec<(u32, u64)>> = vec![Vec::new(); chosen.len()];
    for (owner, proc) in owners.iter().zip(&processes) {
        owned[*owner].push(proc.id());
    }
    // Should this delete die half-way, the next command finishes it from this record.
    let doomed = chosen
        .iter()
        .zip(&panes)
        .zip(owned)
        .map(|((session, pane), processes)| Doomed {
            id: session.id.clone(),
            server: Some(session.tmux.socket()),
            tmux_session: pane.as_ref().and_then(|p| Some((p.name.0.clone(), p.pid?))),
            processes,
        })
        .collect();
    // Where no record can be written (the state directory is gone), delete goes on without.
    let record = env.store.write_doomed(doomed).ok();
    // Renamed away first, a directory is out of reach of the session's processes, and its
    // tmux session counts as being deleted; so the directories are emptied while tmux
    // kills, and removed once it is done.
    let trash: Vec<_> = chosen.iter().map(|s| s.dir.discard()).collect();
    // One kill call per server, all under way at once.
    let mut servers: Vec<(&crate::tmux::Tmux, Vec<_>)> = Vec::new();
    for (session, pane) in chosen.iter().zip(&panes) {
        let Some(pane) = pane else { continue };
        let socket = session.tmux.socket();
        match servers.iter_mut().find(|(tmux, _)| tmux.socket() == socket) {
            Some((_, names)) => names.push(&pane.name),
            None => servers.push((&session.tmux, vec![&pane.name])),
        }
    }
    let killing: Vec<_> = servers.iter().map(|(tmux, names)| tmux.start_kill(names)).collect();
    for trash in trash.iter().flatten().flatten() {
        // What fails here is retried, and reported, by the removal below.
        let _ = trash.empty();
    }
    drop(locks);
    let killed = killing.into_iter().map(|k| k.and_then(Killing::finish)).fold(Ok(()), Result::and);
    procs::terminate(&processes, GRACE);
    // Every directory goes even when one fails; the first failure is reported.
    let removed = trash
        .into_iter()
        .map(|trash| trash?.map_or(Ok(()), Trash::remove))
        .fold(Ok(()), Result::and);
    if let Some(record) = record {
        record.remove();
    }
    env.store.sweep();
    killed.and(removed)
}
