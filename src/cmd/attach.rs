//! `cxs attach`: become a tmux client of the session (or switch to it from inside tmux).

use std::path::Path;

use anyhow::{Result, bail};

use super::Env;
use crate::cli::AttachArgs;
use crate::tmux::Tmux;

/// Attaches; only returns on error.
pub fn run(args: &AttachArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let Some(pane) = &session.pane else {
        bail!(
            "session '{}' has no tmux session ({}); read its output with `cxs logs {}`",
            session.id,
            session.status,
            session.id
        );
    };
    let inside = inside_this_server(&env.tmux);
    if inside && args.read_only {
        // switch-client -r would toggle the user's own client read-only for every session.
        bail!("cannot attach read-only from inside this tmux server; run it in a plain terminal");
    }
    env.tmux.attach(&pane.name, args.read_only, inside).map(drop)
}

/// Whether this process runs inside a pane of the server cxs uses ($TMUX names its socket).
fn inside_this_server(tmux: &Tmux) -> bool {
    let Some(value) = std::env::var_os("TMUX") else {
        return false;
    };
    let value = value.to_string_lossy();
    let socket = value.split(',').next().unwrap_or_default();
    !socket.is_empty() && Path::new(socket) == tmux.socket_path()
}
