//! `cxs new`: claim an id, record the session, and start it in tmux in one call.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;

use crate::agent::{self, Launch};
use crate::cli::{NewArgs, NewCommand};
use crate::session::tmux_name;
use crate::store::{self, SIDECAR_VERSION, SessionDir, SessionId, Sidecar, Store};
use crate::tmux::{Start, Tmux};

/// Starts the session and prints its id alone, so `id=$(cxs new exec ...)` works.
pub fn run(command: &NewCommand) -> Result<()> {
    let store = Store::from_env()?;
    let tmux = Tmux::from_env();
    let base = std::env::current_dir().context("cannot read the current directory")?;
    // Everything that can be checked is checked before anything is created.
    let codex = agent::codex_bin()?;
    let (new, launch) = match command {
        NewCommand::Exec(args) => (&args.new, agent::exec(&codex, args, &base)?),
        NewCommand::Repl(args) => (&args.new, agent::repl(&codex, args, &base)?),
    };
    let cwd = working_dir(new, &base)?;
    let runner = std::env::current_exe().context("cannot find the cxs executable")?;

    let (id, dir) = claim(&store, new.id.as_ref())?;
    if let Err(err) = start(&tmux, &id, &dir, &launch, &cwd, &runner) {
        undo(&tmux, &id, &dir);
        return Err(err.context(format!("cannot start session '{id}'")));
    }
    writeln!(std::io::stdout().lock(), "{id}")?;
    Ok(())
}

fn working_dir(new: &NewArgs, base: &Path) -> Result<PathBuf> {
    let Some(cd) = &new.cd else {
        return Ok(base.to_owned());
    };
    let dir = base.join(cd);
    if !dir.is_dir() {
        bail!("working directory '{}' is not a directory", cd.display());
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

fn start(
    tmux: &Tmux,
    id: &SessionId,
    dir: &SessionDir,
    launch: &Launch,
    cwd: &Path,
    runner: &Path,
) -> Result<()> {
    dir.write(&Sidecar {
        version: SIDECAR_VERSION,
        id: id.clone(),
        kind: launch.kind,
        argv: launch.argv.clone(),
        cwd: cwd.to_owned(),
        created: Utc::now(),
        prompt: launch.prompt.clone(),
        pid: None,
        exit_code: None,
        finished: None,
    })?;
    dir.write_env(std::env::vars_os())?;
    let log = dir.log();
    store::touch_private(&log)?;
    let command: Vec<OsString> = vec![runner.into(), "__run".into(), dir.path().into()];
    tmux.start(&Start {
        name: &tmux_name(id.as_str()),
        id: id.as_str(),
        kind: launch.kind.as_str(),
        cwd,
        command: &command,
        log: &log,
    })
}

/// Removes what a failed start left: our tmux session (never a user's) and the directory.
fn undo(tmux: &Tmux, id: &SessionId, dir: &SessionDir) {
    let name = tmux_name(id.as_str());
    if let Ok(panes) = tmux.sessions()
        && panes.iter().any(|p| p.name == name && p.id == id.as_str())
    {
        let _ = tmux.kill(&[&name]);
    }
    let _ = dir.remove();
}
