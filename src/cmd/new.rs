//! `cxs new`: claim an id, record the session, and start it in tmux in one call.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Parser;

use super::Env;
use crate::agent::{self, Launch};
use crate::cli::{AgentArgs, NewArgs, NewCommand};
use crate::config::Defaults;
use crate::procs;
use crate::session::{self, tmux_name};
use crate::store::{self, SIDECAR_VERSION, SessionDir, SessionId, Sidecar, StagedSidecar, Store};
use crate::tmux::{SessionName, Socket, Start, Tmux, TmuxError};

/// Starts the session and prints its id alone, so `id=$(cxs new exec ...)` works.
pub fn run(command: &NewCommand) -> Result<()> {
    let env = Env::load()?;
    let base = std::env::current_dir().context("cannot read the current directory")?;
    let defaults = &env.config.defaults;
    // Everything that can be checked is checked before anything is created.
    let named_args;
    let (new, mut launch): (&NewArgs, Launch) = match command {
        NewCommand::Exec(args) => {
            (&args.new, agent::exec(&agent::codex_bin()?, args, &base, defaults)?)
        }
        NewCommand::Repl(args) => {
            (&args.new, agent::repl(&agent::codex_bin()?, args, &base, defaults)?)
        }
        NewCommand::Cmd(args) => (&args.new, agent::command(&args.argv)?),
        NewCommand::Agent(words) => {
            let (name, rest) = words.split_first().context("no agent name given")?;
            let name = name.to_string_lossy();
            let agents = crate::agents::all(&env.config)?;
            let Some(found) = agents.iter().find(|a| a.name == name && a.name != "codex") else {
                let known: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
                bail!(
                    "unknown agent '{name}': use exec or repl for codex, cmd for any command, \
                     or one of: {}",
                    known.join(", ")
                );
            };
            named_args = AgentArgs::try_parse_from(rest).unwrap_or_else(|e| e.exit());
            (&named_args.new, agent::named(found, &named_args.args)?)
        }
    };
    let cwd = working_dir(new, defaults, &base)?;
    let runner = std::env::current_exe().context("cannot find the cxs executable")?;

    let max_log = new.max_log.or(defaults.max_log).unwrap_or(store::DEFAULT_MAX_LOG);
    // From here on a signal must not leave half a session: it is noted, the start finishes
    // or fails, and then everything is undone.
    interrupt::catch();
    let (id, dir) = claim(&env.store, new.id.as_ref())?;
    // Whatever fails from here is undone, under the lock if it was taken.
    let name = tmux_name(&env.store, id.as_str());
    let fail = |err: anyhow::Error| {
        // A tmux session of that name that tmux would not create again is not this one's.
        if !TmuxError::is_duplicate(&err) {
            undo(&env.tmux, &name, &id);
        }
        let _ = dir.remove();
        err.context(format!("cannot start session '{id}'"))
    };
    // A `delete` racing this one, and the runner, wait until the session is whole (or undone).
    let lock = dir.lock().map_err(fail)?;
    let chained = match launch.kind.as_str() {
        "repl" => agent::add_notify(&mut launch, &runner, dir.path()).map_err(fail)?,
        _ => None,
    };
    let plan = Plan { launch: &launch, cwd: &cwd, runner: &runner, max_log, chained, name: &name };
    start(&env.tmux, &id, &dir, &plan).map_err(fail)?;
    if interrupt::caught() {
        undo(&env.tmux, &name, &id);
        let _ = dir.remove();
        return Err(super::SilentExit(130).into());
    }
    drop(lock);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{id}")?;
    out.flush()?;
    if new.attach {
        return super::attach::attach(&env.tmux, &name, false);
    }
    Ok(())
}

/// `-C`, else the configured default (with `~/` expanded), else the current directory.
fn working_dir(new: &NewArgs, defaults: &Defaults, base: &Path) -> Result<PathBuf> {
    let (dir, shown) = match (&new.cd, &defaults.cd) {
        (Some(cd), _) => (base.join(cd), cd.clone()),
        (None, Some(cd)) => {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
            let dir = cd.strip_prefix("~").map_or_else(|_| cd.clone(), |rest| home.join(rest));
            // Relative to where cxs runs, like -C; the runner and tmux start elsewhere.
            (base.join(dir), cd.clone())
        }
        (None, None) => return Ok(base.to_owned()),
    };
    if !dir.is_dir() {
        bail!("working directory '{}' is not a directory", shown.display());
    }
    Ok(dir)
}

/// Claims the requested id, or a fresh petname (retried when one is taken).
fn claim(store: &Store, requested: Option<&SessionId>) -> Result<(SessionId, SessionDir)> {
    if let Some(id) = requested {
        return match store.create(id)? {
            Some(dir) => Ok((id.clone(), dir)),
            None => bail!("session '{id}' already exists"),
        };
    }
    let mut names = petname::Petnames::small();
    // Short words keep ids easy to type and the list narrow.
    names.retain(|word| word.len() <= 6);
    let mut rng = rand::rng();
    for name in names.namer(2, "-").iter(&mut rng).take(100) {
        let id: SessionId = name.parse()?;
        if let Some(dir) = store.create(&id)? {
            return Ok((id, dir));
        }
    }
    bail!("cannot find a free session id; pass one with --id")
}

/// What `start` needs besides the session's id and directory.
struct Plan<'a> {
    launch: &'a Launch,
    cwd: &'a Path,
    runner: &'a Path,
    max_log: u64,
    /// The user's own Codex notify program, called after cxs's.
    chained: Option<Vec<String>>,
    /// The tmux session's name.
    name: &'a SessionName,
}

fn start(tmux: &Tmux, id: &SessionId, dir: &SessionDir, plan: &Plan<'_>) -> Result<()> {
    let Plan { launch, cwd, runner, max_log, .. } = *plan;
    let command: Vec<OsString> = vec![runner.into(), "__run".into(), dir.path().into()];
    let logger: Vec<OsString> =
        vec![runner.into(), "__log".into(), dir.path().into(), max_log.to_string().into()];
    // tmux works through the chain while the session's files are written: the runner it
    // starts reads them only once the session's lock, held by the caller, is free.
    let starting = tmux.start(&Start {
        name: plan.name,
        id: id.as_str(),
        kind: &launch.kind,
        cwd,
        command: &command,
        logger: &logger,
    })?;
    let written = write_files(id, dir, plan, tmux.socket());
    let started = starting.finish();
    // The sidecar goes in place only now: a `list` that finds it will find the tmux
    // session too, rather than call a session still starting lost.
    started.and(written)?.commit()
}

/// The caller's environment for the runner, and the sidecar, staged for its place.
fn write_files(
    id: &SessionId,
    dir: &SessionDir,
    plan: &Plan<'_>,
    server: Socket,
) -> Result<StagedSidecar> {
    let Plan { launch, cwd, .. } = *plan;
    let extra = launch.env.iter().map(|(k, v)| (k.into(), v.into()));
    let marker = (procs::MARKER_VAR.into(), dir.path().into());
    dir.write_env(std::env::vars_os().chain(extra).chain([marker]))?;
    dir.stage(&Sidecar {
        version: SIDECAR_VERSION,
        id: id.clone(),
        kind: launch.kind.clone(),
        argv: launch.argv.clone(),
        cwd: cwd.to_owned(),
        created: Utc::now(),
        prompt: launch.prompt.clone(),
        pid: None,
        exit_code: None,
        finished: None,
        turn_ended: None,
        input_sent: None,
        last_message: None,
        chained_notify: plan.chained.clone(),
        server: Some(server),
    })
}

/// Notes SIGINT, SIGTERM and SIGHUP instead of dying of them.
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CAUGHT: AtomicBool = AtomicBool::new(false);

    extern "C" fn note(_: libc::c_int) {
        CAUGHT.store(true, Ordering::SeqCst);
    }

    /// Starts noting. Handlers, unlike ignored or blocked signals, do not pass to the
    /// programs this process starts (tmux, and through it the agent).
    pub fn catch() {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
            unsafe {
                libc::signal(signal, note as extern "C" fn(libc::c_int) as libc::sighandler_t)
            };
        }
    }

    /// Whether a signal arrived since `catch`.
    pub fn caught() -> bool {
        CAUGHT.load(Ordering::SeqCst)
    }
}

/// Kills the tmux session a failed start made, if it made one (never a user's, never
/// another state directory's).
fn undo(tmux: &Tmux, name: &SessionName, id: &SessionId) {
    if let Ok(panes) = tmux.sessions()
        && panes.iter().any(|p| session::owns(name, id.as_str(), p))
    {
        let _ = tmux.kill(&[name]);
    }
}
