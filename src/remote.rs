//! `--host NAME`: the same command run by the cxs on a configured host, over ssh. ssh plus
//! the remote cxs (which drives its own tmux) is the whole engine: no daemon, no protocol.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::{Config, HostConfig};
use crate::quote;

/// Runs `args` (cxs's own arguments, `--host` taken out) on `host` and returns the remote
/// exit status. Standard input, output and error pass through ssh; a terminal is asked for
/// when the command needs one (`attach`) and this one has it.
pub fn run(config: &Config, host: &str, args: &[OsString], sockets: &Path) -> Result<i32> {
    let settings = config.hosts.get(host).with_context(|| {
        let known: Vec<&str> = config.hosts.keys().map(String::as_str).collect();
        format!(
            "unknown host '{host}': configure it as [hosts.{host}] (known: {})",
            known.join(", ")
        )
    })?;
    let tty = args.first().is_some_and(|a| a == "attach")
        && std::io::IsTerminal::is_terminal(&std::io::stdin());
    let argv = ssh_argv(settings, args, sockets, tty)?;
    let status =
        std::process::Command::new(&argv[0]).args(&argv[1..]).status().context("cannot run ssh")?;
    Ok(status.code().unwrap_or(255))
}

/// How long `list --all` waits for a host's listing.
const LIST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Every configured host's `cxs list --json`, asked of all at once (one ssh call each),
/// each bounded by a timeout; by host name.
pub fn list_all(config: &Config, sockets: &Path) -> Vec<(String, Result<Vec<u8>>)> {
    let args: Vec<OsString> = ["list", "--json"].map(OsString::from).to_vec();
    std::thread::scope(|scope| {
        let asked: Vec<_> = config
            .hosts
            .iter()
            .map(|(name, host)| (name, scope.spawn(|| listing(host, &args, sockets))))
            .collect();
        asked
            .into_iter()
            .map(|(name, asked)| {
                let listed =
                    asked.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the listing failed")));
                (name.clone(), listed)
            })
            .collect()
    })
}

/// One host's listing: its standard output, or what went wrong in a line.
fn listing(host: &HostConfig, args: &[OsString], sockets: &Path) -> Result<Vec<u8>> {
    let argv = ssh_argv(host, args, sockets, false)?;
    let handle = duct::cmd(&argv[0], &argv[1..])
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .start()
        .context("cannot run ssh")?;
    let Some(output) = handle.wait_timeout(LIST_TIMEOUT)? else {
        let _ = handle.kill();
        anyhow::bail!("no answer within {} s", LIST_TIMEOUT.as_secs());
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("ssh failed").trim();
        anyhow::bail!("{first}");
    }
    Ok(output.stdout.clone())
}

/// ssh's argv: options, connection sharing, the destination, and the remote command as one
/// string for the remote shell, every word single-quoted so it arrives exactly as given.
fn ssh_argv(
    host: &HostConfig,
    args: &[OsString],
    sockets: &Path,
    tty: bool,
) -> Result<Vec<OsString>> {
    // Repeated commands to a host share one connection: its socket in a directory of cxs's.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(sockets)
        .with_context(|| format!("cannot create {}", sockets.display()))?;
    let mut argv: Vec<OsString> = vec!["ssh".into()];
    if let Some(port) = host.port {
        argv.extend(["-p".into(), port.to_string().into()]);
    }
    if let Some(identity) = &host.identity {
        argv.extend(["-i".into(), identity.into()]);
    }
    argv.extend(host.options.iter().map(OsString::from));
    let control = sockets.join("%C");
    argv.extend(["-o".into(), "ControlMaster=auto".into(), "-o".into()]);
    let mut path = OsString::from("ControlPath=");
    path.push(control);
    argv.push(path);
    argv.extend(["-o".into(), "ControlPersist=60".into()]);
    argv.push(if tty { "-t" } else { "-T" }.into());
    argv.push(host.ssh.clone().into());
    argv.push("--".into());
    argv.push(remote_command(host, args));
    Ok(argv)
}

/// `env K=V ... cxs ARGS...` for the remote shell, each word single-quoted.
fn remote_command(host: &HostConfig, args: &[OsString]) -> OsString {
    let mut words: Vec<Vec<u8>> = Vec::new();
    if !host.env.is_empty() {
        words.push(b"env".to_vec());
        for (key, value) in &host.env {
            words.push(quote::sh_single(format!("{key}={value}").as_bytes()));
        }
    }
    words.push(quote::sh_single(host.cxs.as_deref().unwrap_or("cxs").as_bytes()));
    words.extend(args.iter().map(|a| quote::sh_single(a.as_bytes())));
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(words.join(&b' '))
}

/// The command line without `--host NAME` (or `--host=NAME`), for the remote cxs; only the
/// first one, before any `--`, is cxs's own.
pub fn without_host(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    let mut done = false;
    while let Some(arg) = args.next() {
        if !done && arg == "--host" {
            args.next();
            done = true;
        } else if !done && arg.as_bytes().starts_with(b"--host=") {
            done = true;
        } else {
            if arg == "--" {
                done = true;
            }
            out.push(arg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remote_command_quotes_every_word_and_drops_only_our_host() {
        let args: Vec<OsString> =
            ["new", "--host", "gpu", "cmd", "echo", "it's $(x); ok", "--", "--host", "y"]
                .map(OsString::from)
                .to_vec();
        let forwarded = without_host(args);
        assert_eq!(
            forwarded,
            ["new", "cmd", "echo", "it's $(x); ok", "--", "--host", "y"].map(OsString::from)
        );
        let host = HostConfig {
            ssh: "me@box".into(),
            port: None,
            identity: None,
            options: Vec::new(),
            cxs: Some("/opt/cxs".into()),
            env: [("CXS_HOME".to_owned(), "/s p".to_owned())].into(),
        };
        let command = remote_command(&host, &forwarded[..4]);
        assert_eq!(
            command,
            r"env 'CXS_HOME=/s p' '/opt/cxs' 'new' 'cmd' 'echo' 'it'\''s $(x); ok'"
        );
    }
}
