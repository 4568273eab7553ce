//! `cxs __check DIR NAME`: what tmux runs when a watched pane falls silent (`monitor-silence`
//! and the session's `alert-silence` hook). It looks at the screen once, and journals
//! `waiting` when the agent's patterns say so: waiting is noticed within seconds, with
//! nothing polling in between.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::catalog;
use crate::config::Config;
use crate::store::SessionDir;
use crate::tmux::{SessionName, Tmux};

/// Checks the screen; problems go to tmux's job output, which nobody reads, so to stderr.
pub fn run(dir: PathBuf, name: String) {
    if let Err(err) = check(dir, name) {
        eprintln!("cxs: {err:#}");
    }
}

fn check(dir: PathBuf, name: String) -> Result<()> {
    let dir = SessionDir::from_path(dir);
    let sidecar = dir.read()?;
    if sidecar.exit_code.is_some() {
        return Ok(());
    }
    let config = match &sidecar.config {
        Some(path) => Config::load_from(path)?,
        None => Config::default(),
    };
    let agents = catalog::all(&config)?;
    let Some(signs) = catalog::signs(&agents, &sidecar.kind) else {
        return Ok(());
    };
    let server = sidecar.server.as_ref().context("the session's tmux server is not recorded")?;
    let screen = Tmux::at(server).capture(&SessionName(name), 0, false)?;
    if !signs.waiting(&screen) {
        return Ok(());
    }
    // tmux's alert fires after every burst of output and a silence, even when the agent was
    // already waiting (a cursor redraw, the user typing in an attached pane): a screen that
    // was already reported is not reported again.
    let seen = dir.path().join("waiting-screen");
    let hash = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        screen.trim_end().hash(&mut hasher);
        hasher.finish().to_string()
    };
    if std::fs::read_to_string(&seen).is_ok_and(|last| last == hash) {
        return Ok(());
    }
    crate::store::write_private(&seen, hash.as_bytes())
        .with_context(|| format!("cannot write {}", seen.display()))?;
    // A question asks for a yes or no; anything else waits for the next message.
    let asks = ["(y/n)", "[y/n]", "yes/no", "(y)es", "allow", "approve", "permission"];
    let lower = screen.to_lowercase();
    let why = if asks.iter().any(|a| lower.contains(a)) { "approval" } else { "input" };
    super::notify_hook::waiting(&dir, &sidecar, None, why, None);
    Ok(())
}
