//! `cxs wait`: block until agents exit (and pass their exit status on), or wait for the user.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::SilentExit;
use crate::cli::{Until, WaitArgs};
use crate::env::Env;
use crate::session::{self, Session, Status};
use crate::watch::{On, Watch};

/// How often the sidecars are read for a recorded exit: a file read, no tmux call.
const POLL: Duration = Duration::from_millis(100);
/// How often the sessions' status is derived again (one tmux call per server), for one that
/// vanished without recording an exit.
const TMUX_CHECK: Duration = Duration::from_secs(2);
/// How often the screens of agents waited on with `--until waiting` are looked at.
const SCREEN_CHECK: Duration = Duration::from_millis(500);
/// The exit status of a timeout, as timeout(1) uses.
const TIMED_OUT: u8 = 124;

/// Waits for every selected session; exits with the first non-zero status among them.
pub fn run(args: &WaitArgs) -> Result<()> {
    let env = Env::load()?;
    // Screens are read only to see who waits; their patterns are compiled once.
    let agents = match args.until {
        Until::Waiting => crate::catalog::all(&env.config)?,
        Until::Exited => Vec::new(),
    };
    let sessions = if args.until == Until::Waiting {
        env.sessions_with_screens(&agents)?
    } else {
        env.sessions()?
    };
    let chosen = session::resolve_all(&sessions, &args.selectors)?;
    let start = Instant::now();
    let mut last_tmux_check = Instant::now();
    // Woken when a sidecar is replaced (an exit, a turn's end recorded) rather than by a clock.
    let watch = Watch::dirs(chosen.iter().map(|s| s.dir.path()), On::Replacements);
    // Exit codes by position; `None` while running. A lost session counts as failed; with
    // `--until waiting`, one that waits already is done.
    let mut codes: Vec<Option<u8>> = chosen
        .iter()
        .map(|s| {
            if args.until == Until::Waiting && s.status == Status::Waiting {
                Some(0)
            } else {
                code(s)
            }
        })
        .collect();
    loop {
        // Every TMUX_CHECK the status is derived again; in between, only the exit code the
        // runner records is read.
        // Waiting shows on screens: looked at more often.
        let every = if args.until == Until::Waiting { SCREEN_CHECK } else { TMUX_CHECK };
        let fresh = if last_tmux_check.elapsed() >= every {
            last_tmux_check = Instant::now();
            Some(if args.until == Until::Waiting {
                env.sessions_with_screens(&agents)?
            } else {
                env.sessions()?
            })
        } else {
            None
        };
        for (code, session) in codes.iter_mut().zip(&chosen).filter(|(c, _)| c.is_none()) {
            let sidecar = session.dir.read().ok();
            let recorded = sidecar.as_ref().and_then(|s| s.exit_code);
            let now = fresh.as_ref().map(|all| all.iter().find(|s| s.id == session.id));
            if args.until == Until::Waiting
                && recorded.is_none()
                && (sidecar.as_ref().is_some_and(session::turn_over)
                    || now.flatten().is_some_and(|s| s.status == Status::Waiting))
            {
                *code = Some(0);
                continue;
            }
            *code = match (recorded, now) {
                (Some(exit), _) => Some(exit_status(exit)),
                (None, Some(Some(now))) => self::code(now),
                // Gone from the store meanwhile (a delete): nothing will record an exit.
                (None, Some(None)) => Some(lost(session)),
                (None, None) => None,
            };
        }
        if codes.iter().all(Option::is_some) {
            let first_failure = codes.iter().flatten().copied().find(|c| *c != 0);
            return match first_failure {
                Some(code) => Err(SilentExit(code).into()),
                None => Ok(()),
            };
        }
        if args.timeout.is_some_and(|limit| start.elapsed() >= limit) {
            let pending: Vec<&str> = codes
                .iter()
                .zip(&chosen)
                .filter(|(c, _)| c.is_none())
                .map(|(_, s)| s.id.as_str())
                .collect();
            eprintln!("error: timed out waiting for {}", pending.join(", "));
            return Err(SilentExit(TIMED_OUT).into());
        }
        watch.wait(POLL);
    }
}

/// What `wait` exits with for a session in `status`; `None` while it runs (or its server
/// does not answer, which may pass).
fn code(session: &Session) -> Option<u8> {
    match &session.status {
        Status::Running | Status::Waiting | Status::Unreachable(_) => None,
        Status::Exited(code) => Some(code.map_or(1, exit_status)),
        Status::Lost => Some(lost(session)),
        Status::Broken => {
            let why = session.sidecar.as_ref().err().map_or("", String::as_str);
            eprintln!("error: session '{}' cannot be read: {why}", session.id);
            Some(1)
        }
    }
}

/// An agent's exit code as a process status.
fn exit_status(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}

fn lost(session: &Session) -> u8 {
    eprintln!("error: session '{}' ended without a recorded exit", session.id);
    1
}
