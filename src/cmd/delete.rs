//! `cxs delete`: kill sessions (one tmux call per server) and remove their state.

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::DeleteArgs;
use crate::env::Env;
use crate::events::{self, Event};
use crate::git::{AtRisk, Git, Worktree};
use crate::procs::{self, Tree};
use crate::session::{self, Session, Status};
use crate::store::{Doomed, Trash};
use crate::tmux::Killing;
use crate::worktree;

/// How long agents get to exit after SIGTERM before SIGKILL.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Deletes every selected session; nothing is deleted if any selector fails to resolve, or
/// any session's tmux server does not answer (its state would go while its agent runs on).
pub fn run(args: &DeleteArgs) -> Result<()> {
    let env = Env::load()?;
    let sessions = env.sessions()?;
    let mut chosen = session::resolve_all(&sessions, &args.selectors)?;
    for session in &sessions {
        let finished = match session.status {
            Status::Exited(_) => args.exited,
            Status::Lost => args.lost,
            _ => false,
        };
        if finished && !chosen.iter().any(|c| c.id == session.id) {
            chosen.push(session);
        }
    }
    for session in &chosen {
        if let Status::Unreachable(_) = session.status {
            bail!("{:#}; nothing deleted", session.pane().unwrap_err());
        }
    }
    // Work in a worktree is checked before anything is touched.
    let leaving = worktrees(&env, &chosen, args)?;
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
    // What they spent stays countable by `usage` (their agents have written all they will).
    let spent: Vec<_> =
        chosen.iter().filter_map(|s| session::spent(&s.id, s.sidecar.as_ref().ok()?)).collect();
    let recorded = env.store.record_spent(&spent);
    for session in &chosen {
        let kind = session.sidecar.as_ref().map_or("-", |s| s.kind.as_str());
        events::record(&env.store.journal(), &Event::now(&session.id, kind, "deleted"), None);
    }
    // Every directory goes even when one fails; the first failure is reported.
    let removed = trash
        .into_iter()
        .map(|trash| trash?.map_or(Ok(()), Trash::remove))
        .fold(Ok(()), Result::and);
    if let Some(record) = record {
        record.remove();
    }
    env.store.sweep();
    let trees = leaving.iter().map(Leaving::remove).fold(Ok(()), Result::and);
    killed.and(removed).and(trees).and(recorded)
}

/// A worktree that goes with its session.
struct Leaving<'a> {
    id: &'a str,
    tree: &'a Worktree,
    /// git, when the repository is still there to remove the worktree through.
    git: Option<Git>,
    force: bool,
    /// Whether the branch goes too.
    branch: bool,
    /// The branch's commit when it was checked.
    tip: Option<String>,
    /// Whether the worktree is under `CXS_HOME/worktrees`.
    ours: bool,
}

/// The chosen sessions' worktrees; an error, and nothing deleted, when one holds work that
/// would be lost and `--force` was not given.
fn worktrees<'a>(env: &Env, chosen: &[&'a Session], args: &DeleteArgs) -> Result<Vec<Leaving<'a>>> {
    let mut leaving = Vec::new();
    // git is looked up once, and only when some session has a worktree.
    let mut found: Option<Result<Git, String>> = None;
    for session in chosen {
        let Some(tree) = session.sidecar.as_ref().ok().and_then(|s| s.worktree.as_ref()) else {
            continue;
        };
        let id = session.id.as_str();
        let mut gone = Leaving {
            id,
            tree,
            git: None,
            force: args.force,
            branch: false,
            tip: None,
            // Removed by hand only where cxs puts worktrees, whatever a sidecar says.
            // (one level below it, and no `..` on the way).
            ours: tree.path.parent() == Some(env.store.worktrees().as_path())
                && tree.path.components().all(|c| {
                    matches!(c, std::path::Component::RootDir | std::path::Component::Normal(_))
                }),
        };
        let git = found.get_or_insert_with(|| Git::find().map_err(|e| format!("{e:#}"))).clone();
        let checked = git.map_err(|e| anyhow!(e)).and_then(|git| {
            let sidecar = session.sidecar.as_ref().map_err(|why| anyhow!("{why}"))?;
            worktree::of(id, sidecar)?;
            let risk = git.at_risk(tree)?;
            Ok((git, risk))
        });
        match checked {
            Ok((git, risk)) => {
                if !args.force && !risk.is_empty() {
                    bail!("{}; nothing deleted", would_lose(id, tree, &risk));
                }
                gone.branch = args.delete_branch && risk.unmerged.is_empty();
                // Where it was when checked: it goes only if nothing was committed since.
                gone.tip = git.tip(tree).ok();
                if args.delete_branch && !gone.branch {
                    eprintln!(
                        "keeping branch '{}': {} commit(s) only on it",
                        tree.branch,
                        risk.unmerged.len()
                    );
                }
                gone.git = Some(git);
            }
            Err(err) if args.force => {
                eprintln!("warning: {err:#}; removing cxs's side only");
            }
            Err(err) => bail!("{err:#}; `delete --force` deletes it anyway; nothing deleted"),
        }
        leaving.push(gone);
    }
    Ok(leaving)
}

/// What deleting session `id` would lose, for the refusal.
fn would_lose(id: &str, tree: &Worktree, risk: &AtRisk) -> String {
    fn some(items: &[String]) -> String {
        let shown = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        match items.len() {
            0..=5 => shown,
            n => format!("{shown} and {} more", n - 5),
        }
    }
    let mut lost = Vec::new();
    if !risk.uncommitted.is_empty() {
        lost.push(format!("uncommitted changes to {}", some(&risk.uncommitted)));
    }
    if !risk.unmerged.is_empty() {
        lost.push(format!(
            "{} commit(s) no other branch holds ({})",
            risk.unmerged.len(),
            some(&risk.unmerged)
        ));
    }
    format!(
        "session '{id}' has work in its worktree {}: {}; merge it (`cxs merge {id}`), or pass \
         --force (uncommitted changes are lost; the branch '{}' and its commits stay)",
        tree.path.display(),
        lost.join(", and "),
        tree.branch
    )
}

impl Leaving<'_> {
    /// Removes the worktree through git (which also forgets it), or, with its repository
    /// gone, the directory alone; then the branch, if asked and merged.
    fn remove(&self) -> Result<()> {
        let Leaving { id, tree, .. } = self;
        let context =
            || format!("session '{id}' is deleted, but its worktree {} stays", tree.path.display());
        match &self.git {
            Some(git) => {
                git.remove_worktree(tree, self.force).with_context(context)?;
                if let (true, Some(tip)) = (self.branch, &self.tip) {
                    git.delete_branch_at(tree, tip)?;
                }
            }
            None if self.ours && tree.path.exists() => {
                std::fs::remove_dir_all(&tree.path).with_context(context)?;
            }
            None => {}
        }
        Ok(())
    }
}
