//! `cxs attach`: become a tmux client of the session (or switch to it from inside tmux).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::catalog;
use crate::cli::AttachArgs;
use crate::env::Env;
use crate::session::{self, Session, Status};
use crate::tmux::{SessionName, Tmux};

/// Attaches; only returns on error.
pub fn run(args: &AttachArgs) -> Result<()> {
    let env = Env::load()?;
    let session = match &args.selector {
        Some(selector) => env.resolve(selector)?,
        None => newest_waiting(&env)?,
    };
    attach(&session.tmux, &session.pane()?.name, args.read_only)
}

/// Attaches to the tmux session `name`, or switches this client to it (read-only: shows it in
/// a popup); returns only on error, or once the popup is open.
pub fn attach(tmux: &Tmux, name: &SessionName, read_only: bool) -> Result<()> {
    let inside = inside_this_server(tmux);
    if inside && read_only {
        return tmux.watch_in_popup(name);
    }
    if !inside && !std::io::stdin().is_terminal() {
        bail!(
            "cannot attach: standard input is not a terminal; see the screen with `cxs capture`, \
             or follow the output with `cxs logs -f`"
        );
    }
    tmux.attach(name, read_only, inside).map(drop)
}

/// The waiting session whose pane printed last: the one that most likely just asked.
fn newest_waiting(env: &Env) -> Result<Session> {
    let agents = catalog::all(&env.config)?;
    session::all(&env.store, &env.tmux, Some(&agents))?
        .into_iter()
        .filter(|s| s.status == Status::Waiting)
        .max_by_key(|s| s.pane.as_ref().and_then(|p| p.activity))
        .context("no session is waiting")
}

/// Whether this process runs inside a pane of the server cxs uses ($TMUX names its socket).
fn inside_this_server(tmux: &Tmux) -> bool {
    let Some(value) = std::env::var_os("TMUX") else {
        return false;
    };
    let value = value.to_string_lossy();
    let socket = value.split(',').next().unwrap_or_default();
    !socket.is_empty() && Path::new(socket) == tmux.socket().path()
}
