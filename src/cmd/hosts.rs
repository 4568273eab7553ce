//! `cxs hosts`: the configured hosts, whether each answers and what it runs there;
//! `cxs hosts install NAME` copies this cxs over.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{HostsAction, HostsArgs};
use crate::env::Env;
use crate::remote::{self, Host, Probe};
use crate::table;

/// The version both ends should run.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Lists the hosts, or installs cxs on one.
pub fn run(args: &HostsArgs) -> Result<()> {
    let env = Env::load()?;
    let sockets = env.store.ssh_sockets();
    match &args.action {
        Some(HostsAction::Install { name }) => {
            let host = Host::find(&env.config, name, &sockets)?;
            if let Some(cxs) = &host.config.cxs {
                eprintln!(
                    "warning: [hosts.{}] sets cxs = {cxs:?}, which cxs runs there instead of \
                     the copy it installs",
                    host.name
                );
            }
            let there = remote::probe(&host, false).with_context(|| format!("host '{name}'"))?;
            let copied = remote::install(&host, &there, false)?;
            let done = if copied { "installed" } else { "already installed" };
            writeln!(std::io::stdout().lock(), "cxs {VERSION} {done} on '{}'", host.name)?;
            Ok(())
        }
        None => list(&Host::all(&env.config, &sockets)),
    }
}

/// One line a host, all asked at once; what needs the user's eye goes under the table.
fn list(hosts: &[Host]) -> Result<()> {
    if hosts.is_empty() {
        let path = crate::config::path().map(|p| p.display().to_string()).unwrap_or_default();
        writeln!(std::io::stdout().lock(), "no hosts: add one as [hosts.NAME] in {path}")?;
        return Ok(());
    }
    let answers = remote::at_once(hosts, look);
    let mut rows = vec![["HOST", "SSH", "CXS", "TMUX", "RTT"].map(str::to_owned).to_vec()];
    let mut warnings = Vec::new();
    for (host, answer) in hosts.iter().zip(answers) {
        let ssh = match host.config.port {
            Some(port) => format!("{}:{port}", host.config.ssh),
            None => host.config.ssh.clone(),
        };
        let (cxs, tmux, rtt) = match answer {
            Ok((probe, rtt)) => {
                warnings.extend(warn(host, &probe));
                let cxs = probe.cxs.strip_prefix("cxs ").unwrap_or(&probe.cxs).to_owned();
                let tmux = probe.tmux.strip_prefix("tmux ").unwrap_or(&probe.tmux).to_owned();
                let or_dash = |s: String| if s.is_empty() { "-".to_owned() } else { s };
                (or_dash(cxs), or_dash(tmux), format!("{} ms", rtt.as_millis()))
            }
            Err(err) => {
                warnings.push(format!("warning: host '{}' does not answer: {err:#}", host.name));
                ("-".to_owned(), "-".to_owned(), "down".to_owned())
            }
        };
        rows.push(vec![host.name.to_owned(), ssh, cxs, tmux, rtt]);
    }
    let mut out = std::io::stdout().lock();
    table::write(&mut out, &rows, &table::widths(&rows), |_| false)?;
    out.flush()?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    Ok(())
}

/// What a host has, and the time of one more round trip over the now open connection.
fn look(host: &Host) -> Result<(Probe, Duration)> {
    let probe = remote::probe(host, true)?;
    let rtt = remote::round_trip(host).context("a second call failed")?;
    Ok((probe, rtt))
}

/// What is wrong with what a host has, as warnings.
fn warn(host: &Host, probe: &Probe) -> Vec<String> {
    let name = host.name;
    let mut warnings = Vec::new();
    let version = probe.cxs.strip_prefix("cxs ").unwrap_or(&probe.cxs);
    // A cxs configured there (built there) runs whatever the system.
    let foreign = remote::foreign(host, probe).filter(|_| host.config.cxs.is_none());
    if let Some(foreign) = foreign {
        warnings.push(format!("warning: {foreign}"));
    } else if !probe.installed() {
        warnings.push(match &host.config.cxs {
            Some(cxs) => format!("warning: host '{name}': {cxs:?} does not run there"),
            None => format!(
                "warning: host '{name}': cxs is not installed there yet (the first command \
                 installs it, or run `cxs hosts install {name}`)"
            ),
        });
    } else if version != VERSION {
        let fix = match &host.config.cxs {
            Some(_) => {
                "update it there, or drop `cxs` from its table so cxs installs its own".to_owned()
            }
            None => format!("run `cxs hosts install {name}`"),
        };
        warnings.push(format!(
            "warning: host '{name}' runs cxs {version} and this is {VERSION}: {fix}"
        ));
    }
    if probe.tmux.is_empty() {
        warnings.push(format!("warning: host '{name}' has no tmux (cxs needs 3.2 or later)"));
    } else if tmux_too_old(&probe.tmux) {
        warnings.push(format!("warning: host '{name}' has {}; cxs needs 3.2 or later", probe.tmux));
    }
    warnings
}

/// Whether `tmux -V`'s answer (`tmux 3.3a`, `tmux next-3.5`) is older than 3.2.
fn tmux_too_old(version: &str) -> bool {
    let digits = version.trim_start_matches(|c: char| !c.is_ascii_digit());
    let mut parts = digits.split(|c: char| !c.is_ascii_digit()).map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) < (3, 2),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmux_versions_are_read_as_released() {
        assert!(tmux_too_old("tmux 3.1c") && tmux_too_old("tmux 2.9"));
        assert!(!tmux_too_old("tmux 3.2") && !tmux_too_old("tmux 3.3a"));
        assert!(!tmux_too_old("tmux next-3.5") && !tmux_too_old("tmux master"));
    }
}
