//! Sessions as users see them: sidecars joined with one tmux listing, selectors resolved
//! against that, and the status derived from both.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use crate::agents::{self, Agent, Signs};
use crate::store::{Listing, SessionDir, SessionId, Sidecar, Store};
use crate::tmux::{PaneState, SessionName, Snapping, Tmux};

/// The tmux session name of a cxs session.
pub fn tmux_name(id: &str) -> SessionName {
    SessionName(format!("cxs-{id}"))
}

/// How a session names its target on the command line: a list index, an id, or an id prefix.
///
/// Ids never contain `:`, which leaves `host:id` free for remote sessions later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Position in `list`, 0 being the newest.
    Index(usize),
    /// A full id or a unique prefix of one.
    Prefix(String),
}

impl FromStr for Selector {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse() {
                Ok(index) => Ok(Selector::Index(index)),
                Err(_) => bail!("invalid selector '{s}': index too large"),
            };
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if s.is_empty() || s.len() > 64 || !s.chars().all(valid) {
            bail!("invalid selector '{s}': give a list index, an id or an id prefix");
        }
        Ok(Selector::Prefix(s.to_owned()))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Index(index) => write!(f, "{index}"),
            Selector::Prefix(prefix) => f.write_str(prefix),
        }
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
        }
    }
}

/// One session: its state on disk joined with what tmux says.
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
    /// The tmux session, when one exists.
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
        match &self.pane {
            Some(pane) => Ok(pane),
            None => bail!(
                "session '{}' has no tmux session ({}); read its output with `cxs logs {}`",
                self.id,
                self.status,
                self.id
            ),
        }
    }

    /// Whether the agent is still running (busy or waiting).
    pub fn is_running(&self) -> bool {
        matches!(self.status, Status::Running | Status::Waiting)
    }
}

/// Every session in the store, newest first, with one tmux call.
///
/// Given `agents`, the screens of running agents that have waiting patterns are captured
/// in that same call, so `waiting` is told apart from `running`; without, only Codex's
/// notify hook can tell.
pub fn all(store: &Store, tmux: &Tmux, agents: Option<&[Agent]>) -> Result<Vec<Session>> {
    gather(store, tmux, agents)?.finish()
}

/// [`all`] in two steps: reads the sidecars and starts the tmux call, so the caller can
/// work while tmux answers; [`Gathering::finish`] joins the two.
pub fn gather<'a>(
    store: &'a Store,
    tmux: &'a Tmux,
    agents: Option<&'a [Agent]>,
) -> Result<Gathering<'a>> {
    let Listing { mut dirs, deleting: mut gone } = store.list()?;
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
        Err(err) => {
            sidecars.push(Err(format!("{err:#}")));
            true
        }
    });
    let signs: Vec<Option<&Signs>> = sidecars
        .iter()
        .map(|sidecar| match (sidecar, agents) {
            (Ok(s), Some(agents)) if s.exit_code.is_none() => agents::signs(agents, &s.kind),
            _ => None,
        })
        .collect();
    let watched: Vec<SessionName> = dirs
        .iter()
        .zip(&signs)
        .filter(|(_, signs)| signs.is_some())
        .map(|((id, _), _)| tmux_name(id))
        .collect();
    let snapping = tmux.start_snapshot(&watched.iter().collect::<Vec<_>>())?;
    Ok(Gathering { store, dirs, sidecars, signs, gone, snapping })
}

/// Sidecars read and a tmux call under way, from [`gather`].
#[must_use = "a listing under way must be joined with `finish`"]
pub struct Gathering<'a> {
    store: &'a Store,
    dirs: Vec<(String, SessionDir)>,
    sidecars: Vec<Result<Sidecar, String>>,
    signs: Vec<Option<&'a Signs>>,
    gone: Vec<String>,
    snapping: Snapping<'a>,
}

impl Gathering<'_> {
    /// The sessions' ids and directories as read, in no particular order.
    pub fn dirs(&self) -> impl Iterator<Item = (&str, &SessionDir)> {
        self.dirs.iter().map(|(id, dir)| (id.as_str(), dir))
    }

    /// Waits for tmux and joins its answer with the sidecars.
    pub fn finish(self) -> Result<Vec<Session>> {
        let Gathering { store, dirs, sidecars, signs, mut gone, snapping } = self;
        let snapshot = snapping.finish()?;
        let home = store.root().to_string_lossy();
        // Another state directory's sessions can share this server, and even an id.
        let mut panes: HashMap<String, PaneState> = snapshot
            .panes
            .into_iter()
            .filter(|p| p.name == tmux_name(&p.id) && p.home == home)
            .map(|p| (p.id.clone(), p))
            .collect();
        let mut sessions: Vec<Session> = dirs
            .into_iter()
            .zip(sidecars)
            .zip(signs)
            .filter_map(|(((id, dir), mut sidecar), signs)| {
                let pane = panes.remove(&id);
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
                let screen = pane.as_ref().and_then(|p| snapshot.screens.get(&p.name.0));
                let screen_waiting = signs.zip(screen).is_some_and(|(signs, s)| signs.waiting(s));
                let status = status(sidecar.as_ref().ok(), pane.as_ref(), screen_waiting);
                Some(Session { index: 0, id, dir, sidecar, pane, status })
            })
            .collect();
        // tmux sessions of this store whose state directory is gone (removed by hand): shown,
        // so they can be deleted. Not those whose directory appeared after the listing (a
        // `new` under way), or was being deleted then or is now (a `delete` under way, which
        // may have finished since tmux answered).
        if !panes.is_empty() {
            gone.extend(store.deleting()?);
        }
        for pane in panes.into_values() {
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

/// Finds the sessions `selectors` name, each once, in order; fails if any names none.
pub fn resolve_all<'a>(
    sessions: &'a [Session],
    selectors: &[Selector],
) -> Result<Vec<&'a Session>> {
    let mut chosen: Vec<&Session> = Vec::new();
    for selector in selectors {
        let session = resolve(sessions, selector)?;
        if !chosen.iter().any(|s| s.id == session.id) {
            chosen.push(session);
        }
    }
    Ok(chosen)
}

/// Finds the one session `selector` names.
pub fn resolve<'a>(sessions: &'a [Session], selector: &Selector) -> Result<&'a Session> {
    pick(sessions, |s| &s.id, selector)
}

/// Finds a session's id and directory from the store alone, without asking tmux: enough
/// to read its log, and much cheaper than [`all`] with many sessions.
pub fn locate(store: &Store, selector: &Selector) -> Result<(String, SessionDir)> {
    let dirs = store.list()?.dirs;
    if let Selector::Prefix(prefix) = selector {
        let exact = dirs.iter().find(|(id, _)| id == prefix);
        let mut matches = dirs.iter().filter(|(id, _)| id.starts_with(prefix.as_str()));
        if let Some(found) = exact.or(matches.next().filter(|_| matches.next().is_none())) {
            return Ok(found.clone());
        }
    }
    // An index needs the listing's order, and errors name candidates in it: sort as `all`.
    let mut dated: Vec<(Option<DateTime<Utc>>, String, SessionDir)> =
        dirs.into_iter().map(|(id, dir)| (dir.read().ok().map(|s| s.created), id, dir)).collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let (_, id, dir) = pick(&dated, |d| &d.1, selector)?;
    Ok((id.clone(), dir.clone()))
}

/// The one item of `items` (newest first) that `selector` names.
fn pick<'a, T>(items: &'a [T], id: impl Fn(&T) -> &str, selector: &Selector) -> Result<&'a T> {
    match selector {
        Selector::Index(index) => match items.get(*index) {
            Some(item) => Ok(item),
            None if items.is_empty() => bail!("no session at index {index}: there are none"),
            None => bail!("no session at index {index}: the last is {}", items.len() - 1),
        },
        Selector::Prefix(prefix) => {
            if let Some(exact) = items.iter().find(|item| id(item) == prefix) {
                return Ok(exact);
            }
            let matches: Vec<&T> =
                items.iter().filter(|item| id(item).starts_with(prefix.as_str())).collect();
            match matches.as_slice() {
                [] => bail!("no session matches '{prefix}'"),
                [one] => Ok(one),
                many => {
                    let ids: Vec<&str> = many.iter().map(|item| id(item)).collect();
                    bail!("'{prefix}' matches several sessions: {}", ids.join(", "))
                }
            }
        }
    }
}

fn status(sidecar: Option<&Sidecar>, pane: Option<&PaneState>, screen_waiting: bool) -> Status {
    let Some(sidecar) = sidecar else {
        return Status::Broken;
    };
    match (sidecar.exit_code, pane) {
        (Some(code), _) => Status::Exited(Some(code)),
        // The runner could not record the exit (killed, or a newer sidecar it must not
        // rewrite). tmux may not have reaped the process yet, and under load tmux 3.3 was
        // seen never to: the pane's end is all there is to go by.
        (None, Some(pane)) if pane.dead => Status::Exited(pane.exit),
        (None, Some(pane)) if screen_waiting || turn_ended(sidecar, pane) => Status::Waiting,
        (None, Some(_)) => Status::Running,
        (None, None) => Status::Lost,
    }
}

/// Whether the agent reported the end of a turn and nothing has happened since: no input
/// from `cxs send`, and no output beyond the redraw that follows the report.
fn turn_ended(sidecar: &Sidecar, pane: &PaneState) -> bool {
    const REDRAW_SECS: i64 = 2;
    let Some(ended) = sidecar.turn_ended else {
        return false;
    };
    let answered = sidecar.input_sent.is_some_and(|sent| sent > ended);
    let busy_again = pane.activity.is_some_and(|at| at > ended.timestamp() + REDRAW_SECS);
    !answered && !busy_again
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str) -> Session {
        Session {
            index: 0,
            id: id.to_owned(),
            dir: SessionDir::from_path(id.into()),
            sidecar: Err("test".into()),
            pane: None,
            status: Status::Broken,
        }
    }

    fn resolved(sessions: &[Session], selector: &str) -> Result<String> {
        resolve(sessions, &selector.parse()?).map(|s| s.id.clone())
    }

    #[test]
    fn selectors_resolve_by_index_id_and_prefix() {
        let sessions = [session("autumn-panda"), session("autumn"), session("brave-fox")];
        assert_eq!(resolved(&sessions, "2").unwrap(), "brave-fox");
        assert_eq!(resolved(&sessions, "autumn").unwrap(), "autumn", "an exact id wins");
        assert_eq!(resolved(&sessions, "autumn-").unwrap(), "autumn-panda");
        assert_eq!(resolved(&sessions, "b").unwrap(), "brave-fox");
    }

    #[test]
    fn selector_errors_name_the_problem() {
        let sessions = [session("autumn-panda"), session("autumn-fox")];
        let err = |s| resolved(&sessions, s).unwrap_err().to_string();
        assert_eq!(err("aut"), "'aut' matches several sessions: autumn-panda, autumn-fox");
        assert_eq!(err("zebra"), "no session matches 'zebra'");
        assert_eq!(err("7"), "no session at index 7: the last is 1");
        assert_eq!(err("a:b"), "invalid selector 'a:b': give a list index, an id or an id prefix");
        assert_eq!(
            resolved(&[], "0").unwrap_err().to_string(),
            "no session at index 0: there are none"
        );
    }
}
