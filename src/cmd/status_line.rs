//! `cxs status-line`: a segment for tmux's `status-right`, e.g. `cxs 2 running 1 waiting`.

use std::io::Write;

use anyhow::Result;

use crate::catalog;
use crate::cli::StatusLineArgs;
use crate::env::Env;
use crate::remote::{self, Host};
use crate::session::{self, Status};

/// Prints the counts, or nothing when no agent runs; with `--all`, hosts' sessions count
/// too and a host that gave no listing (down, or without cxs) is named.
pub fn run(args: &StatusLineArgs) -> Result<()> {
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
    let (mut running, mut waiting) = (count(Status::Running), count(Status::Waiting));
    let mut down = Vec::new();
    if args.all {
        let sockets = env.store.ssh_sockets();
        let hosts = Host::all(&env.config, &sockets);
        for (host, listed) in remote::listings::<serde_json::Value>(&hosts, remote::ASK_TIMEOUT) {
            let Ok(rows) = listed else {
                down.push(host);
                continue;
            };
            let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
            running += count("running");
            waiting += count("waiting");
        }
    }
    let mut parts = Vec::new();
    if running > 0 {
        parts.push(format!("{running} running"));
    }
    if waiting > 0 {
        parts.push(format!("{waiting} waiting"));
    }
    if !down.is_empty() {
        parts.push(format!("(not counted: {})", down.join(" ")));
    }
    if !parts.is_empty() {
        writeln!(std::io::stdout().lock(), "cxs {}", parts.join(" "))?;
    }
    Ok(())
}
