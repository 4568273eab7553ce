//! `cxs status-line`: a segment for tmux's `status-right`, e.g. `cxs 2 running 1 waiting`.

use std::io::Write;

use anyhow::Result;

use crate::catalog;
use crate::env::Env;
use crate::session::{self, Status};

/// Prints the counts, or nothing when no agent runs.
pub fn run() -> Result<()> {
    // A blank status bar would hide the problem: say there is one, where the user looks.
    let env = match Env::load() {
        Ok(env) => env,
        Err(err) => {
            writeln!(std::io::stdout().lock(), "cxs: config error")?;
            return Err(err);
        }
    };
    let agents = catalog::all(&env.config)?;
    let sessions = session::all(&env.store, &env.tmux, Some(&agents))?;
    let count = |status: Status| sessions.iter().filter(|s| s.status == status).count();
    let (running, waiting) = (count(Status::Running), count(Status::Waiting));
    let mut parts = Vec::new();
    if running > 0 {
        parts.push(format!("{running} running"));
    }
    if waiting > 0 {
        parts.push(format!("{waiting} waiting"));
    }
    if !parts.is_empty() {
        writeln!(std::io::stdout().lock(), "cxs {}", parts.join(" "))?;
    }
    Ok(())
}
