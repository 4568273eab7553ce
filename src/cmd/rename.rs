//! `cxs rename`: a session takes another id, its directory and tmux session with it.

use anyhow::{Result, bail};

use crate::cli::RenameArgs;
use crate::env::Env;
use crate::session::{self, Status};

/// Renames a session that is not running: a running agent's runner, log writer and hooks
/// know the session by its directory, which would move under them.
pub fn run(args: &RenameArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let id = &session.id;
    match &session.status {
        Status::Running | Status::Waiting => bail!(
            "session '{id}' is running: its processes know it by its id; rename it once it has exited"
        ),
        Status::Unreachable(_) => bail!("{:#}", session.pane().unwrap_err()),
        Status::Exited(_) | Status::Lost | Status::Broken => {}
    }
    let old_id = id.parse()?;
    let lock = session.dir.lock()?;
    // A `resume` may have started it since it was listed: looked at again under the lock.
    if env.resolve(&args.selector).is_ok_and(|now| now.id == *id && now.is_running()) {
        bail!(
            "session '{id}' is running: its processes know it by its id; rename it once it has exited"
        );
    }
    let dir = env.store.rename(&old_id, &args.new)?;
    drop(lock);
    // The sidecar names its session; a broken one stays as it is.
    if session.sidecar.is_ok() {
        dir.update(|s| s.id = args.new.clone())?;
    }
    // The tmux session kept to show how the agent ended follows, under its new name.
    if let Some(pane) = &session.pane {
        let name = session::tmux_name(&env.store, args.new.as_str());
        session.tmux.rename(&pane.name, &name, args.new.as_str())?;
    }
    Ok(())
}
