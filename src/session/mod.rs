//! Sessions as users see them: sidecars joined with one tmux listing per server, selectors
//! resolved against that, and the two facts every verb relies on, each derived here only:
//! which tmux session is a session's own, and the session's status.

mod selector;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

pub use selector::{Selector, locate, resolve, resolve_all};

use crate::catalog::{self, Agent, Signs};
use crate::procs;
use crate::store::{Doomed, DoomedRecord, Listing, SessionDir, SessionId, Sidecar, Store, Trash};
use crate::tmux::{PaneState, SessionName, Snapping, Snapshot, Socket, Tmux};
use crate::tokens::{self, Spent, Tokens};

/// The tmux session name of session `id` of `store`: `cxs-ID-TAG`, where the tag comes from
/// the state directory, so two state directories on one server never share a tmux session.
pub fn tmux_name(store: &Store, id: &str) -> SessionName {
    SessionName(format!("cxs-{id}-{}", store.tag()))
}

/// Whether `pane` is the tmux session named `name` of session `id`: tagged by cxs with that
/// id, under the name that carries this state directory's tag.
pub fn owns(name: &SessionName, id: &str, pane: &PaneState) -> bool {
    pane.name == *name && pane.id == id
}

/// The tmux session name a sidecar's session has: sessions recorded before cxs recorded
/// their server were named `cxs-ID`.
fn recorded_name(store: &Store, id: &str, sidecar: Option<&Sidecar>) -> SessionName {
    match sidecar {
        Some(s) if s.server.is_none() => SessionName(format!("cxs-{id}")),
        _ => tmux_name(store, id),
    }
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The agent is running.
    Running,
    /// The agent is running and waits for the user: a question, or an idle prompt.
    Waiting,
    /// The agent ended with this exit code (128 + signal when a signal ended it); unknown
    /// when its runner could not record it and tmux did not report it.
    Exited(Option<i32>),
    /// No tmux session and no recorded exit: e.g. the tmux server was killed.
    Lost,
    /// The sidecar cannot be read.
    Broken,
    /// The session's tmux server exists but does not answer; the reason.
    Unreachable(String),
}

impl Status {
    /// The status's name, without an exit code: what `list --status` and `--json` take.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Waiting => "waiting",
            Status::Exited(_) => "exited",
            Status::Lost => "lost",
            Status::Broken => "broken",
            Status::Unreachable(_) => "unreachable",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Running => f.write_str("running"),
            Status::Waiting => f.write_str("waiting"),
            Status::Exited(Some(code)) => write!(f, "exited ({code})"),
            Status::Exited(None) => f.write_str("exited (?)"),
            Status::Lost => f.write_str("lost"),
            Status::Broken => f.write_str("broken"),
            Status::Unreachable(_) => f.write_str("unreachable"),
        }
    }
}

/// One session: its state on disk joined with what its tmux server says.
#[derive(Debug)]
pub struct Session {
    /// Position in the listing, 0 being the newest.
    pub index: usize,
    /// The id (the directory's name, which is all a broken sidecar leaves).
    pub id: String,
    /// Where its state lives.
    pub dir: SessionDir,
    /// The sidecar, or why it could not be read.
    pub sidecar: Result<Sidecar, String>,
    /// The tmux server it was started on.
    pub tmux: Tmux,
    /// The name of its tmux session.
    pub name: SessionName,
    /// Its tmux session, when one exists.
    pub pane: Option<PaneState>,
    /// The derived status.
    pub status: Status,
}

impl Session {
    /// When the session was created, if known.
    pub fn created(&self) -> Option<DateTime<Utc>> {
        self.sidecar.as_ref().ok().map(|s| s.created)
    }

    /// The tmux session, or an error saying there is none and where the output is.
    pub fn pane(&self) -> Result<&PaneState> {
        match (&self.pane, &self.status) {
            (Some(pane), _) => Ok(pane),
            (None, Status::Unreachable(why)) => bail!(
                "session '{}': its tmux server {} does not answer: {why}",
                self.id,
                self.tmux.socket().path().display()
            ),
            (None, status) => bail!(
                "session '{}' has no tmux session ({status}); read its output with `cxs logs {}`",
                self.id,
                self.id
            ),
        }
    }

    /// Whether the agent is still running (busy or waiting).
    pub fn is_running(&self) -> bool {
        matches!(self.status, Status::Running | Status::Waiting)
    }

    /// Whether the pane's output reaches the log: not when the log writer died under a
    /// running agent (tmux then has no pipe on the pane).
    pub fn logging(&self) -> bool {
        self.pane.as_ref().is_none_or(|p| p.dead || p.piped)
    }

    /// Starts a log writer again for a pane whose writer died, after a line in the log that
    /// says which span of output was lost.
    pub fn resume_logging(&self, exe: &Path, max_log: u64) -> Result<()> {
        let pane = self.pane()?;
        let log = self.dir.log();
        let since = std::fs::metadata(&log).and_then(|m| m.modified()).ok();
        let since = since.map_or("its start".to_owned(), |t| {
            DateTime::<Utc>::from(t).format("%Y-%m-%d %H:%M:%S UTC").to_string()
        });
        let now = Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
        let note = format!(
            "\r\n[cxs: the log writer stopped; output from {since} to {now} was not logged]\r\n"
        );
        crate::store::append_private(&log, note.as_bytes())?;
        let logger = crate::hidden::log_writer(exe, self.dir.path(), max_log);
        self.tmux.repipe(&pane.name, &logger)
    }

    /// Whether `pane` is this session's tmux session: the one place that decides it, so no
    /// verb ever acts on another state directory's session or a user's.
    pub fn owns(&self, pane: &PaneState) -> bool {
        owns(&self.name, &self.id, pane)
    }

    /// This session's tmux session as its server lists it now (one tmux call), for a
    /// session that had none when it was listed.
    pub fn find_pane(&self) -> Result<Option<PaneState>> {
        Ok(self.tmux.sessions()?.into_iter().find(|p| self.owns(p)))
    }
}

/// Every session in the store, newest first, with one tmux call per server they use.
///
/// Given `agents`, the screens of running agents that have waiting patterns are captured
/// in that same call, so `waiting` is told apart from `running`; without, only Codex's
/// notify hook can tell.
pub fn all(store: &Store, tmux: &Tmux, agents: Option<&[Agent]>) -> Result<Vec<Session>> {
    gather(store, tmux, agents)?.finish()
}

/// Journals `lost` for each session that is lost and not yet journaled as such, once (a
/// marker file in its directory): no process sees tmux lose a session (a reboot, a
/// `kill-server`), so the first command that notices says so.
pub fn note_lost(sessions: &[&Session]) {
    for session in sessions.iter().filter(|s| s.status == Status::Lost) {
        let marker = session.dir.path().join("lost");
        let Ok(sidecar) = &session.sidecar else { continue };
        // `create_new`: two commands noticing at once journal it once.
        if std::fs::OpenOptions::new().write(true).create_new(true).open(&marker).is_ok() {
            let event = crate::events::Event::now(&session.id, sidecar.kind.as_str(), "lost");
            crate::events::note(&session.dir, sidecar, event);
        }
    }
}

/// What session `id` spent, if its agent keeps a record of it.
pub fn spent(id: &str, sidecar: &Sidecar) -> Option<Spent> {
    let rollout = sidecar.transcript.as_deref()?;
    let tokens = tokens::read(rollout).ok()??;
    Some(Spent {
        id: id.to_owned(),
        kind: sidecar.kind.to_string(),
        model: tokens::model(&sidecar.argv, Some(rollout)),
        created: sidecar.created,
        tokens,
    })
}

/// What `list` shows besides a session's record and status, read while tmux answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// The log's size.
    pub log_bytes: u64,
    /// What the agent spent, from the record it keeps itself (Codex's rollout).
    pub tokens: Option<Tokens>,
}

/// [`all`], with each session's [`Extras`], read while tmux answers (`list` shows them).
pub fn all_with_extras(
    store: &Store,
    tmux: &Tmux,
    agents: Option<&[Agent]>,
) -> Result<Vec<(Session, Extras)>> {
    let gathering = gather(store, tmux, agents)?;
    let extras: HashMap<String, Extras> = gathering
        .rows
        .iter()
        .map(|r| {
            let log_bytes = std::fs::metadata(r.dir.log()).map_or(0, |m| m.len());
            let rollout = r.sidecar.as_ref().ok().and_then(|s| s.transcript.as_deref());
            let tokens = rollout.and_then(|path| tokens::read(path).ok().flatten());
            (r.id.clone(), Extras { log_bytes, tokens })
        })
        .collect();
    let sessions = gathering.finish()?;
    Ok(sessions
        .into_iter()
        .map(|s| {
            let extras = extras.get(&s.id).copied().unwrap_or_default();
            (s, extras)
        })
        .collect())
}

/// [`all`] in two steps: reads the sidecars and starts the tmux calls, so the caller can
/// work while tmux answers; [`Gathering::finish`] joins the two.
///
/// `current` is the server cxs is set to use now; sessions recorded on others are asked
/// for on theirs.
fn gather<'a>(
    store: &'a Store,
    current: &Tmux,
    agents: Option<&'a [Agent]>,
) -> Result<Gathering<'a>> {
    let Listing { mut dirs, deleting: mut gone, abandoned, left_over } = store.list()?;
    finish_abandoned(store, abandoned, left_over);
    let mut sidecars: Vec<Result<Sidecar, String>> = Vec::with_capacity(dirs.len());
    dirs.retain(|(id, dir)| match dir.read() {
        Ok(sidecar) => {
            sidecars.push(Ok(sidecar));
            true
        }
        // Deleted since the directory was listed, or still being created by `new` (which
        // holds its lock until the sidecar and the tmux session exist, and takes it a
        // moment after making the directory): not a row.
        Err(_) if !dir.path().exists() => {
            gone.push(id.clone());
            false
        }
        Err(_) if dir.is_locked() || dir.is_new() => false,
        // `new` may have committed the sidecar and let go of the lock between the read and
        // the look at the lock: read once more before calling it broken.
        Err(err) => {
            sidecars.push(dir.read().map_err(|_| format!("{err:#}")));
            true
        }
    });
    let mut servers = Servers::new(current);
    let rows: Vec<Row> = dirs
        .into_iter()
        .zip(sidecars)
        .map(|((id, dir), sidecar)| {
            let ok = sidecar.as_ref().ok();
            let server = servers.index(ok.and_then(|s| s.server.as_ref()));
            let signs = match (ok, agents) {
                (Some(s), Some(agents)) if s.exit_code.is_none() => catalog::signs(agents, &s.kind),
                _ => None,
            };
            let name = recorded_name(store, &id, ok);
            Row { id, dir, sidecar, server, name, signs }
        })
        .collect();
    let snapping = servers
        .list
        .into_iter()
        .enumerate()
        .map(|(i, tmux)| {
            let watched: Vec<&SessionName> = rows
                .iter()
                .filter(|r| r.server == i && r.signs.is_some())
                .map(|r| &r.name)
                .collect();
            tmux.start_snapshot(&watched)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Gathering { store, rows, gone, snapping })
}

/// Finishes deletes whose `cxs` died half-way (Ctrl-C, SIGKILL): ends what each recorded it
/// was about to end (its tmux session, if it is still the one it saw, and its processes, by
/// pid and start time), then removes what is left of the directory. No agent outlives its
/// session's record for longer than the next command.
fn finish_abandoned(store: &Store, abandoned: Vec<DoomedRecord>, left_over: Vec<Trash>) {
    for record in abandoned {
        // A session the delete did not get to rename away is still listed: not finished here.
        let renamed = |doomed: &Doomed| {
            doomed.id.parse::<SessionId>().is_ok_and(|id| !store.session(&id).path().exists())
        };
        for doomed in record.read().into_iter().filter(renamed) {
            if let (Some(server), Some((name, pid))) = (&doomed.server, doomed.tmux_session) {
                let tmux = Tmux::at(server);
                let name = SessionName(name);
                let same = tmux
                    .sessions()
                    .is_ok_and(|panes| panes.iter().any(|p| p.name == name && p.pid == Some(pid)));
                if same {
                    let _ = tmux.kill(&[&name]);
                }
            }
            let procs: Vec<procs::Proc> = doomed
                .processes
                .iter()
                .filter_map(|(pid, start)| procs::reopen(*pid, *start))
                .collect();
            // They had their grace period from the delete that died.
            procs::terminate(&procs, std::time::Duration::ZERO);
        }
        record.remove();
    }
    for trash in left_over {
        let _ = trash.remove();
    }
}

/// The tmux servers a listing asks, the current one first.
struct Servers {
    list: Vec<Tmux>,
    sockets: Vec<Socket>,
}

impl Servers {
    fn new(current: &Tmux) -> Self {
        Servers { list: vec![current.clone()], sockets: vec![current.socket()] }
    }

    /// The position of the server at `socket` (the current one for none), added if new.
    fn index(&mut self, socket: Option<&Socket>) -> usize {
        let Some(socket) = socket else {
            return 0;
        };
        if let Some(i) = self.sockets.iter().position(|s| s == socket) {
            return i;
        }
        self.sockets.push(socket.clone());
        self.list.push(Tmux::at(socket));
        self.list.len() - 1
    }
}

/// One session directory as read, before tmux answered.
struct Row<'a> {
    id: String,
    dir: SessionDir,
    sidecar: Result<Sidecar, String>,
    /// Its server's position in the listing's servers.
    server: usize,
    name: SessionName,
    signs: Option<&'a Signs>,
}

/// Sidecars read and tmux calls under way, from [`gather`].
#[must_use = "a listing under way must be joined with `finish`"]
struct Gathering<'a> {
    store: &'a Store,
    rows: Vec<Row<'a>>,
    gone: Vec<String>,
    snapping: Vec<Snapping>,
}

/// What one server said: its sessions by tmux name and the screens asked for, or why it
/// did not answer.
struct Answer {
    tmux: Tmux,
    panes: Result<HashMap<SessionName, PaneState>, String>,
    screens: HashMap<String, String>,
}

impl Gathering<'_> {
    /// Waits for tmux and joins its answers with the sidecars.
    fn finish(self) -> Result<Vec<Session>> {
        let Gathering { store, rows, mut gone, snapping } = self;
        let mut answers: Vec<Answer> = snapping
            .into_iter()
            .map(|snapping| {
                let tmux = snapping.tmux().clone();
                match snapping.finish() {
                    Ok(Snapshot { panes, screens }) => {
                        let panes = panes.into_iter().map(|p| (p.name.clone(), p)).collect();
                        Answer { tmux, panes: Ok(panes), screens }
                    }
                    Err(err) => {
                        Answer { tmux, panes: Err(format!("{err:#}")), screens: HashMap::new() }
                    }
                }
            })
            .collect();
        let mut sessions: Vec<Session> = rows
            .into_iter()
            .filter_map(|Row { id, dir, mut sidecar, server, name, signs }| {
                let answer = &mut answers[server];
                let tmux = answer.tmux.clone();
                let panes = match &mut answer.panes {
                    Ok(panes) => panes,
                    // Deleted while its server was asked: not a row.
                    Err(_) if !dir.path().exists() => return None,
                    Err(why) => {
                        let status = match &sidecar {
                            Ok(s) if s.exit_code.is_some() => Status::Exited(s.exit_code),
                            Ok(_) => Status::Unreachable(why.clone()),
                            Err(_) => Status::Broken,
                        };
                        return Some(Session {
                            index: 0,
                            id,
                            dir,
                            sidecar,
                            tmux,
                            name,
                            pane: None,
                            status,
                        });
                    }
                };
                let pane = panes.remove(&name).filter(|p| owns(&name, &id, p));
                // A session from before names carried the state directory's tag (`cxs-ID`)
                // may be another state directory's: its runner says whose it is.
                let legacy = sidecar.as_ref().is_ok_and(|s| s.server.is_none());
                let pane = pane.filter(|p| {
                    !legacy
                        || p.dead
                        || p.pid.is_some_and(|pid| procs::runs_in(pid, dir.path().as_os_str()))
                });
                // A `delete` that killed the session after its sidecar was read renamed the
                // directory away first: not a `lost` row.
                if pane.is_none() && !dir.path().exists() {
                    return None;
                }
                // The sidecar was read before tmux was asked: a runner may have recorded the
                // exit and ended in between. Its pane is dead now, so its record is final.
                if pane.as_ref().is_some_and(|p| p.dead)
                    && sidecar.as_ref().is_ok_and(|s| s.exit_code.is_none())
                {
                    sidecar = dir.read().map_err(|e| format!("{e:#}"));
                }
                let screen = pane.as_ref().and_then(|p| answer.screens.get(&p.name.0));
                let screen_waiting = signs.zip(screen).is_some_and(|(signs, s)| signs.waiting(s));
                let status = status(sidecar.as_ref().ok(), pane.as_ref(), screen_waiting, &dir);
                Some(Session { index: 0, id, dir, sidecar, tmux, name, pane, status })
            })
            .collect();
        // tmux sessions of this store whose state directory is gone (removed by hand): shown,
        // so they can be deleted. Not those whose directory appeared after the listing (a
        // `new` under way), or was being deleted then or is now (a `delete` under way, which
        // may have finished since tmux answered).
        let orphans: Vec<(Tmux, PaneState)> = answers
            .into_iter()
            .filter_map(|a| Some((a.tmux, a.panes.ok()?)))
            .flat_map(|(tmux, panes)| panes.into_values().map(move |p| (tmux.clone(), p)))
            .filter(|(_, p)| p.name == tmux_name(store, &p.id))
            .collect();
        if !orphans.is_empty() {
            gone.extend(store.deleting()?);
        }
        for (tmux, pane) in orphans {
            let Ok(id) = pane.id.parse::<SessionId>() else {
                continue;
            };
            let dir = store.session(&id);
            if dir.path().exists() || gone.contains(&pane.id) {
                continue;
            }
            let sidecar = Err(format!("state directory {} is missing", dir.path().display()));
            sessions.push(Session {
                index: 0,
                id: pane.id.clone(),
                dir,
                sidecar,
                tmux,
                name: pane.name.clone(),
                pane: Some(pane),
                status: Status::Broken,
            });
        }
        // Newest first; broken rows, with no creation time, last.
        sessions.sort_by(|a, b| b.created().cmp(&a.created()).then_with(|| a.id.cmp(&b.id)));
        for (index, session) in sessions.iter_mut().enumerate() {
            session.index = index;
        }
        Ok(sessions)
    }
}

fn status(
    sidecar: Option<&Sidecar>,
    pane: Option<&PaneState>,
    screen_waiting: bool,
    dir: &SessionDir,
) -> Status {
    let Some(sidecar) = sidecar else {
        return Status::Broken;
    };
    match (sidecar.exit_code, pane) {
        (Some(code), _) => Status::Exited(Some(code)),
        // The runner ended without recording an exit: killed, while an agent that ignores
        // the hangup may run on, which is not `exited`.
        (None, Some(pane))
            if pane.dead
                && sidecar
                    .pid
                    .is_some_and(|pid| procs::belongs_to(pid, dir.path().as_os_str())) =>
        {
            Status::Running
        }
        // Or it could not record it (a newer sidecar it must not rewrite). tmux may not
        // have reaped the process yet, and under load tmux 3.3 was seen never to: the pane's
        // end is all there is to go by.
        (None, Some(pane)) if pane.dead => Status::Exited(pane.exit),
        (None, Some(pane)) if screen_waiting || turn_ended(sidecar, pane) => Status::Waiting,
        (None, Some(_)) => Status::Running,
        (None, None) => Status::Lost,
    }
}

/// Whether the agent's hook reported the end of a turn after the last input `send` gave it.
pub fn turn_over(sidecar: &Sidecar) -> bool {
    match (sidecar.turn_ended, sidecar.input_sent) {
        (Some(ended), Some(sent)) => ended > sent,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Whether the agent reported the end of a turn and nothing has happened since: no input
/// from `cxs send`, and no output beyond the redraw that follows the report.
fn turn_ended(sidecar: &Sidecar, pane: &PaneState) -> bool {
    const REDRAW_SECS: i64 = 2;
    let Some(ended) = sidecar.turn_ended.filter(|_| turn_over(sidecar)) else {
        return false;
    };
    // No output since, beyond the redraw that follows the report.
    pane.activity.is_none_or(|at| at <= ended.timestamp() + REDRAW_SECS)
}
