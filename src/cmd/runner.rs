//! `cxs __run` (built in `hidden`): the pane's first process. It starts the agent with the
//! environment of the shell that ran `cxs new` (read from a private file, never a command line),
//! waits, and records the exit code in the sidecar so it survives the tmux session.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use chrono::Utc;
use signal_hook::consts::{SIGINT, SIGQUIT};

use super::SilentExit;
use crate::caller::{self, Caller};
use crate::events::{self, Event};
use crate::store::SessionDir;

/// Variables that describe the pane, not the caller: tmux's values win.
const PANE_VARS: &[&str] = &["TERM", "TMUX", "TMUX_PANE"];

/// Runs the agent of the session in `dir` and exits with its status.
pub fn run(dir: PathBuf) -> Result<()> {
    let dir = SessionDir::from_path(dir);
    // `new` writes the session's files while tmux starts this pane, under the lock.
    let lock = dir.lock()?;
    // The environment first: whatever fails next, the secrets in it are off the disk.
    let mut env = dir.take_env()?;
    // What the caller's process carried besides its environment, for the agent, not in it.
    let caller = env.iter().position(|(key, _)| key == caller::VAR).map(|at| env.remove(at));
    let sidecar = dir.read()?;
    drop(lock);
    let (program, rest) = sidecar
        .argv
        .split_first()
        .with_context(|| format!("session {} has an empty argv", dir.path().display()))?;

    let mut command = Command::new(program);
    command.args(rest).current_dir(&sidecar.cwd).env_clear().envs(env);
    for var in PANE_VARS {
        match std::env::var_os(var) {
            Some(value) => command.env(var, value),
            None => command.env_remove(var),
        };
    }
    // Like system(3): Ctrl-C in an attached pane is for the agent; the runner stays to
    // record how the agent ended. A handler rather than SIG_IGN, because exec resets
    // handlers: the agent gets the default back without a pre_exec hook, which would
    // force a full fork instead of a cheap spawn.
    static IGNORED: AtomicBool = AtomicBool::new(false);
    for signal in [SIGINT, SIGQUIT] {
        // Without the handler Ctrl-C ends the runner too, and the exit goes unrecorded.
        let _ = signal_hook::flag::register(signal, &IGNORED);
    }

    // The caller's umask and limits, not the tmux server's; inherited by the agent.
    if let Some((_, value)) = caller {
        Caller::decode(&value.to_string_lossy()).apply();
    }
    let code = match command.spawn() {
        Ok(mut child) => {
            record(&dir, |s| s.pid = Some(child.id()));
            let (id, kind) = (sidecar.id.as_str(), sidecar.kind.as_str());
            events::note(&dir, &sidecar, Event::now(id, kind, "running"));
            let status = child.wait().with_context(|| {
                format!("cannot wait for the agent of {}", dir.path().display())
            })?;
            status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
        }
        Err(err) => {
            eprintln!("cxs: cannot start '{program}' in {}: {err}", sidecar.cwd.display());
            127
        }
    };
    record(&dir, |s| {
        s.exit_code = Some(code);
        s.finished = Some(Utc::now());
    });
    if dir.path().exists() {
        let mut exited = Event::now(sidecar.id.as_str(), sidecar.kind.as_str(), "exited");
        exited.exit_code = Some(code);
        events::note(&dir, &sidecar, exited);
    }
    Err(SilentExit(u8::try_from(code).unwrap_or(1)).into())
}

/// Updates the sidecar; a session deleted meanwhile has nothing left to update.
fn record(dir: &SessionDir, change: impl FnOnce(&mut crate::store::Sidecar)) {
    if dir.path().exists()
        && let Err(err) = dir.update(change).map(drop)
    {
        eprintln!("cxs: {err:#}");
    }
}
