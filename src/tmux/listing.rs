//! cxs's sessions as one tmux call lists them, with the screens asked for captured in the
//! same call: the format, and reading it back.

use std::collections::HashMap;

use anyhow::{Context, Result};

use super::{Chain, ID_OPTION, Pending, SessionName, Tmux, TmuxError};

/// Starts each captured screen in a snapshot's output; no terminal text holds it.
const SCREEN_MARKER: &str = "\u{1e}cxs-screen\u{1e}";

/// What tmux knows about one cxs session, from a single `list-sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneState {
    /// The tmux session name.
    pub name: SessionName,
    /// The cxs id recorded in the session's `@cxs-id` option.
    pub id: String,
    /// The pane's first process (cxs's runner).
    pub pid: Option<u32>,
    /// Whether the pane's process has exited (kept by `remain-on-exit`).
    pub dead: bool,
    /// How the pane's process ended, once tmux reaped it: its exit status, or 128 + signal.
    pub exit: Option<i32>,
    /// When the pane last produced output (Unix seconds).
    pub activity: Option<i64>,
    /// Whether `pipe-pane` still feeds the pane's output to a log writer.
    pub piped: bool,
}

/// One moment of the server: cxs's sessions, and the screens that were asked for.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// cxs's sessions.
    pub panes: Vec<PaneState>,
    /// Visible pane text by tmux session name.
    pub screens: HashMap<String, String>,
}

/// A snapshot tmux is taking, from [`Tmux::start_snapshot`].
#[must_use = "a snapshot under way must be waited for with `finish`"]
pub struct Snapping {
    tmux: Tmux,
    /// The screens asked for, when a session vanishing meanwhile may be retried without.
    screens_of: Vec<SessionName>,
    /// The calls under way: the listing (and the screens that fit), then more screens.
    pending: Vec<Pending>,
}

impl Snapping {
    /// The server asked.
    pub fn tmux(&self) -> &Tmux {
        &self.tmux
    }

    /// Waits for tmux's answer; no server means no sessions.
    ///
    /// A session in `screens_of` that vanished makes tmux stop the chain; the listing, which
    /// came first, is still in its output, and the screens that still exist are captured
    /// with a second call.
    pub fn finish(self) -> Result<Snapshot> {
        let mut results = self.pending.into_iter().map(Pending::wait);
        let first = results.next().expect("a snapshot has its listing call");
        let mut stdout = match first {
            Ok(stdout) => stdout,
            Err(e) => match e.downcast_ref::<TmuxError>() {
                Some(t) if t.no_server() => return Ok(Snapshot::default()),
                Some(t) if !self.screens_of.is_empty() => {
                    return retry(&self.tmux, &self.screens_of, &t.stdout);
                }
                _ => return Err(e.context("cannot list tmux sessions")),
            },
        };
        // Screens that did not fit in the first call, in order.
        for result in results {
            match result {
                Ok(more) => stdout.push_str(&more),
                Err(_) if !self.screens_of.is_empty() => {
                    return retry(&self.tmux, &self.screens_of, &stdout);
                }
                Err(e) => return Err(e.context("cannot list tmux sessions")),
            }
        }
        let mut sections = stdout.split(SCREEN_MARKER);
        let listing = sections.next().unwrap_or_default();
        let panes = listing.lines().filter_map(parse_session_line).collect();
        let screens = sections
            .filter_map(|section| {
                let (name, screen) = section.split_once('\n')?;
                Some((name.to_owned(), screen.to_owned()))
            })
            .collect();
        Ok(Snapshot { panes, screens })
    }
}

/// The snapshot again, with only the screens of sessions that `output`'s listing shows
/// alive: one that vanished while its screen was asked for stopped tmux's chain.
fn retry(tmux: &Tmux, screens_of: &[SessionName], output: &str) -> Result<Snapshot> {
    let listing = output.split(SCREEN_MARKER).next().unwrap_or("");
    let live: Vec<PaneState> = listing.lines().filter_map(parse_session_line).collect();
    let alive: Vec<&SessionName> =
        screens_of.iter().filter(|name| live.iter().any(|p| p.name == **name && !p.dead)).collect();
    tmux.start_snapshot_once(&alive, false)?.finish()
}

impl Tmux {
    /// Lists cxs's sessions on this server with one `list-sessions` call; none when no server.
    pub fn sessions(&self) -> Result<Vec<PaneState>> {
        Ok(self.snapshot(&[])?.panes)
    }

    /// Lists cxs's sessions and captures the screens of `screens_of`, in one tmux call.
    pub fn snapshot(&self, screens_of: &[&SessionName]) -> Result<Snapshot> {
        self.start_snapshot(screens_of)?.finish()
    }

    /// Starts [`Tmux::snapshot`]'s call; [`Snapping::finish`] waits for it.
    pub fn start_snapshot(&self, screens_of: &[&SessionName]) -> Result<Snapping> {
        self.start_snapshot_once(screens_of, true)
    }

    fn start_snapshot_once(&self, screens_of: &[&SessionName], retry: bool) -> Result<Snapping> {
        // The session name goes last: a user's session may be named with tabs or newlines,
        // which then cannot shift the fields of a line that parses.
        let format = format!(
            "#{{{ID_OPTION}}}\t#{{pane_pid}}\t#{{pane_dead}}\t#{{pane_dead_status}}\t#{{pane_dead_signal}}\t#{{window_activity}}\t#{{pane_pipe}}\t#{{session_name}}"
        );
        let mut chain = Chain::default().cmd(["list-sessions", "-F", &format]);
        for name in screens_of {
            let target = name.target();
            let marker = format!("{SCREEN_MARKER}{}", name.0);
            chain = chain.cmd(["display-message", "-p", "-t", &target, &marker]).cmd([
                "capture-pane",
                "-p",
                "-J",
                "-t",
                &target,
            ]);
        }
        // Past a few hundred screens the chain is longer than tmux takes in one call.
        let pending = chain
            .split()
            .iter()
            .map(|part| self.spawn(part, None))
            .collect::<Result<Vec<_>>>()
            .context("cannot list tmux sessions")?;
        let screens_of =
            if retry { screens_of.iter().map(|&n| n.clone()).collect() } else { vec![] };
        Ok(Snapping { tmux: self.clone(), screens_of, pending })
    }
}

fn parse_session_line(line: &str) -> Option<PaneState> {
    let mut fields = line.splitn(8, '\t');
    let id = fields.next()?;
    // Sessions without our option are the user's own: invisible to cxs.
    if id.is_empty() {
        return None;
    }
    let pid = fields.next()?.parse().ok();
    let dead = fields.next()? == "1";
    let status: Option<i32> = fields.next()?.parse().ok();
    let signal: Option<i32> = fields.next()?.parse().ok();
    let exit = status.or(signal.map(|s| 128 + s));
    let activity = fields.next()?.parse().ok();
    let piped = fields.next()? == "1";
    let name = fields.next()?;
    Some(PaneState {
        name: SessionName(name.to_owned()),
        id: id.to_owned(),
        pid,
        dead,
        exit,
        activity,
        piped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_sessions_are_invisible() {
        assert_eq!(parse_session_line("\t9\t0\t\t\t1\t1\twork"), None);
        // A user's session named with a newline and fields of its own splits into lines
        // that are still not cxs's.
        assert_eq!(parse_session_line("x\t1\t0\t\t\t1"), None);
        assert_eq!(
            parse_session_line("a\t42\t1\t3\t\t1700000000\t0\tcxs-a"),
            Some(PaneState {
                name: SessionName("cxs-a".into()),
                id: "a".into(),
                pid: Some(42),
                dead: true,
                exit: Some(3),
                activity: Some(1_700_000_000),
                piped: false,
            })
        );
    }
}
