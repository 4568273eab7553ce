//! `--host NAME`: the same command run by the cxs on a configured host, over ssh. ssh plus
//! the remote cxs (which drives its own tmux) is the whole engine: no daemon, no protocol.
//!
//! Everything sent is one POSIX shell script for the remote login shell, every word of it
//! quoted (by shlex); values forwarded from here (`--env`) never appear in it, nor in any
//! process's command line: they go through ssh's standard input.

mod install;
mod values;

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub use install::{Probe, foreign, install, probe};
pub use values::take_values;
use values::{check_name, env_block, forwarded};

use crate::config::{Config, HostConfig};
use crate::hidden::REMOTE;
use crate::session::Selector;

/// How long a question to a host (a listing, a probe) may take.
pub const ASK_TIMEOUT: Duration = Duration::from_secs(15);

/// Where cxs installs itself on a host, as the remote shell spells it.
const INSTALLED: &str =
    concat!("${XDG_STATE_HOME:-$HOME/.local/state}/cxs/bin/", env!("CARGO_PKG_VERSION"));

/// The exit status of the remote script when the installed cxs is not there.
const NOT_INSTALLED: i32 = 127;

/// A configured host, and where its shared ssh connection lives.
#[derive(Clone, Copy)]
pub struct Host<'a> {
    /// Its name in the configuration.
    pub name: &'a str,
    /// Its `[hosts.NAME]` table.
    pub config: &'a HostConfig,
    sockets: &'a Path,
}

impl<'a> Host<'a> {
    /// The host configured as `name`.
    pub fn find(config: &'a Config, name: &'a str, sockets: &'a Path) -> Result<Host<'a>> {
        let settings = config.hosts.get(name).with_context(|| {
            let known: Vec<&str> = config.hosts.keys().map(String::as_str).collect();
            format!(
                "unknown host '{name}': configure it as [hosts.{name}] (known: {})",
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            )
        })?;
        Ok(Host { name, config: settings, sockets })
    }

    /// Every configured host, by name.
    pub fn all(config: &'a Config, sockets: &'a Path) -> Vec<Host<'a>> {
        config
            .hosts
            .iter()
            .map(|(name, settings)| Host { name, config: settings, sockets })
            .collect()
    }

    /// ssh's argv running `script` there: options, connection sharing, the destination.
    /// `batch`: never ask for a password (nobody is there to type it).
    fn ssh(&self, script: OsString, tty: bool, batch: bool) -> Result<Vec<OsString>> {
        // Repeated commands to a host share one connection: its socket in a directory of cxs's.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(self.sockets)
            .with_context(|| format!("cannot create {}", self.sockets.display()))?;
        let host = self.config;
        let mut argv: Vec<OsString> = vec!["ssh".into()];
        if let Some(port) = host.port {
            argv.extend(["-p".into(), port.to_string().into()]);
        }
        if let Some(identity) = &host.identity {
            argv.extend(["-i".into(), identity.into()]);
        }
        // The user's options first: for ssh, the first value given wins.
        argv.extend(host.options.iter().map(OsString::from));
        let mut path = OsString::from("ControlPath=");
        path.push(self.sockets.join("%C"));
        let mut options = vec!["ControlMaster=auto".into(), path, "ControlPersist=60".into()];
        options.push("ConnectTimeout=10".into());
        if batch {
            options.push("BatchMode=yes".into());
        }
        for option in options {
            argv.extend(["-o".into(), option]);
        }
        argv.push(if tty { "-t" } else { "-T" }.into());
        argv.push(host.ssh.clone().into());
        argv.push("--".into());
        argv.push(script);
        Ok(argv)
    }

    /// The script running the remote cxs with `args`: the host's settings exported, then
    /// the configured cxs, or the installed one (exit status 127 when it is not there).
    fn cxs_script(&self, args: &[OsString]) -> Result<OsString> {
        let mut script = self.settings()?;
        match &self.config.cxs {
            Some(cxs) => {
                script.extend(b"exec ");
                script.extend(word(cxs.as_bytes())?);
            }
            None => script.extend(
                format!(
                    "c=\"{INSTALLED}/cxs\"; [ -x \"$c\" ] || exit {NOT_INSTALLED}; exec \"$c\""
                )
                .bytes(),
            ),
        }
        for arg in args {
            script.push(b' ');
            script.extend(word(arg.as_bytes())?);
        }
        Ok(OsString::from_vec(script))
    }

    /// `export NAME='VALUE'; ` for each of the host's settings.
    fn settings(&self) -> Result<Vec<u8>> {
        let mut script = Vec::new();
        for (name, value) in &self.config.env.settings {
            check_name(name).with_context(|| format!("[hosts.{}] env", self.name))?;
            script.extend(format!("export {name}=").bytes());
            script.extend(word(value.as_bytes())?);
            script.extend(b"; ");
        }
        Ok(script)
    }

    /// Runs `script` there, without a terminal or a password prompt, feeding it `input`;
    /// its standard output, or the first line of what went wrong.
    fn ask(&self, script: OsString, input: Option<Vec<u8>>) -> Result<Vec<u8>> {
        self.ask_within(script, input, ASK_TIMEOUT)
    }

    /// [`Host::ask`], bounded by `limit`.
    fn ask_within(
        &self,
        script: OsString,
        input: Option<Vec<u8>>,
        limit: Duration,
    ) -> Result<Vec<u8>> {
        self.ask_as(script, input, limit, true)
    }

    /// [`Host::ask_within`]; `batch` off when the user is there to type a password.
    fn ask_as(
        &self,
        script: OsString,
        input: Option<Vec<u8>>,
        limit: Duration,
        batch: bool,
    ) -> Result<Vec<u8>> {
        let argv = self.ssh(script, false, batch)?;
        let command = duct::cmd(&argv[0], &argv[1..]);
        let command = match input {
            Some(bytes) => command.stdin_bytes(bytes),
            None => command.stdin_null(),
        };
        let handle = command
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .start()
            .context("cannot run ssh")?;
        let Some(output) = handle.wait_timeout(limit)? else {
            let _ = handle.kill();
            bail!("not done within {} s", limit.as_secs());
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr.lines().find(|l| !l.trim().is_empty());
            bail!("{}", failure(self, output.status.code(), first));
        }
        Ok(output.stdout.clone())
    }
}

/// Runs `args` (cxs's own arguments, as given, `HOST:` taken off the selectors) on `host`
/// and returns the remote exit status. Standard input, output and error pass through ssh;
/// `tty` asks for a terminal (attach), when this side has one. The first use installs cxs
/// there, before anything reads this side's standard input.
pub fn run(host: &Host, args: &[OsString], forward: &[String], tty: bool) -> Result<i32> {
    let tty = tty && std::io::IsTerminal::is_terminal(&std::io::stdin());
    let values = forwarded(host, forward)?;
    let marker =
        host.sockets.join(format!("installed-{}-{}", env!("CARGO_PKG_VERSION"), host.name));
    let ensure = || -> Result<()> {
        if host.config.cxs.is_none() && !probe(host)?.installed() {
            eprintln!(
                "cxs: installing cxs {} on '{}' (first use)",
                env!("CARGO_PKG_VERSION"),
                host.name
            );
            install(host)?;
        }
        // Known to be there from now on: the next commands go straight to it.
        let _ = crate::store::write_private(&marker, b"");
        Ok(())
    };
    if host.config.cxs.is_none() && !marker.exists() {
        ensure()?;
    }
    let status = call(host, args, &values, tty)?;
    // Removed since: installed again (what this side's input was is gone by now).
    if status == NOT_INSTALLED && host.config.cxs.is_none() && !probe(host)?.installed() {
        ensure()?;
        return call(host, args, &values, tty);
    }
    Ok(status)
}

/// One run of the remote cxs, as `cxs __remote SOURCE ARGS...`: the forwarded values come
/// first on its standard input (`-`), or with a terminal from a stashed file; `none` when
/// there are none.
fn call(host: &Host, args: &[OsString], values: &[(String, OsString)], tty: bool) -> Result<i32> {
    let with = |source: OsString| -> Vec<OsString> {
        [REMOTE.into(), source].into_iter().chain(args.iter().cloned()).collect()
    };
    let status = |argv: Vec<OsString>| -> Result<i32> {
        let status = std::process::Command::new(&argv[0]).args(&argv[1..]).status();
        Ok(status.context("cannot run ssh")?.code().unwrap_or(255))
    };
    if values.is_empty() {
        return status(host.ssh(host.cxs_script(&with("none".into()))?, tty, false)?);
    }
    let block = env_block(values);
    if tty {
        // The terminal is ssh's standard input: the values go first, into a private file
        // there that the remote cxs reads and removes at once; if it never got to, this
        // side removes it.
        let mut stash = host.settings()?;
        stash.extend(b"umask 077; f=$(mktemp) && cat > \"$f\" && echo \"$f\"");
        let file = host.ask_as(OsString::from_vec(stash), Some(block), ASK_TIMEOUT, false)?;
        let file = OsString::from_vec(file.trim_ascii_end().to_vec());
        let code = status(host.ssh(host.cxs_script(&with(file.clone()))?, true, false)?)?;
        if code != 0 {
            let mut remove = b"rm -f ".to_vec();
            remove.extend(word(file.as_bytes())?);
            let _ = host.ask(OsString::from_vec(remove), None);
        }
        return Ok(code);
    }
    let argv = host.ssh(host.cxs_script(&with("-".into()))?, false, false)?;
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("cannot run ssh")?;
    let mut input = child.stdin.take().context("ssh has no standard input")?;
    // Then this side's standard input, for commands that read it (`send ID -`); the thread
    // ends with the process when nobody types.
    std::thread::spawn(move || {
        if input.write_all(&block).is_ok() {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut input);
        }
    });
    Ok(child.wait().context("cannot run ssh")?.code().unwrap_or(255))
}

/// What a failed call to `host` says: its first line of errors, or what its status means.
pub fn failure(host: &Host, code: Option<i32>, first_line: Option<&str>) -> String {
    match (first_line, code) {
        (Some(line), _) => line.trim().to_owned(),
        (None, Some(NOT_INSTALLED)) => {
            format!("cxs is not installed there: run `cxs hosts install {}`", host.name)
        }
        (None, _) => "ssh failed".to_owned(),
    }
}

/// One word for the remote (POSIX) shell, quoted so that it arrives exactly and runs nothing.
fn word(bytes: &[u8]) -> Result<Vec<u8>> {
    let quoted = shlex::bytes::try_quote(bytes);
    quoted
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| anyhow::anyhow!("a word for ssh holds a NUL byte"))
}

/// Every host's answer to the same cxs command line (`list --json`), all asked at once, each
/// bounded by `limit`; by host name.
pub fn ask_all(
    hosts: &[Host],
    args: &[OsString],
    limit: Duration,
) -> Vec<(String, Result<Vec<u8>>)> {
    std::thread::scope(|scope| {
        let asked: Vec<_> = hosts
            .iter()
            .map(|host| {
                (host.name, scope.spawn(|| host.ask_within(host.cxs_script(args)?, None, limit)))
            })
            .collect();
        asked
            .into_iter()
            .map(|(name, asked)| {
                let answer = asked.join().unwrap_or_else(|_| Err(anyhow::anyhow!("no answer")));
                (name.to_owned(), answer)
            })
            .collect()
    })
}

/// The argv of ssh running the remote cxs with `args`, for callers that read its output as
/// it comes (`events --all -f`).
pub fn command(host: &Host, args: &[OsString]) -> Result<Vec<OsString>> {
    host.ssh(host.cxs_script(args)?, false, true)
}

/// How long one more call to a host takes (over its shared connection, once open).
pub fn round_trip(host: &Host) -> Result<Duration> {
    let started = std::time::Instant::now();
    host.ask("true".into(), None)?;
    Ok(started.elapsed())
}

/// The command line for the remote cxs: as given, with `HOST:` taken off the selectors that
/// named the host (the far end ignores `--host`, `--env` and `CXS_HOST`).
pub fn forwarded_args(
    args: impl IntoIterator<Item = OsString>,
    qualified: &[Selector],
) -> Vec<OsString> {
    let mut qualified = qualified.iter().peekable();
    let mut ended = false;
    args.into_iter()
        .map(|arg| {
            let named = qualified.next_if(|&q| {
                !ended && arg.to_str().and_then(|a| a.parse::<Selector>().ok()).as_ref() == Some(q)
            });
            ended |= arg == "--";
            match named {
                Some(Selector::OnHost(_, local)) => local.to_string().into(),
                _ => arg,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remote_command_quotes_every_word_and_takes_the_host_off_selectors() {
        let args: Vec<OsString> = [
            "send",
            "--env",
            "KEY",
            "--host",
            "gpu",
            "gpu:far",
            "it's $(x); ok",
            "--",
            "--host",
            "y",
        ]
        .map(OsString::from)
        .to_vec();
        let forwarded = forwarded_args(args, &["gpu:far".parse().unwrap()]);
        assert_eq!(
            forwarded,
            ["send", "--env", "KEY", "--host", "gpu", "far", "it's $(x); ok", "--", "--host", "y"]
                .map(OsString::from)
        );
        let config = HostConfig {
            ssh: "me@box".into(),
            port: None,
            identity: None,
            options: Vec::new(),
            cxs: Some("/opt/cxs".into()),
            env: crate::config::HostEnv {
                settings: [("CXS_HOME".to_owned(), "/s p".to_owned())].into(),
                forward: Vec::new(),
            },
        };
        let host = Host { name: "box", config: &config, sockets: Path::new("/nowhere") };
        assert_eq!(
            host.cxs_script(&[&forwarded[..1], &forwarded[5..7]].concat()).unwrap(),
            r#"export CXS_HOME='/s p'; exec /opt/cxs send far "it's "'$(x); ok'"#
        );
        let installed = Host { config: &HostConfig { cxs: None, ..config.clone() }, ..host };
        assert_eq!(
            installed.cxs_script(&forwarded[..1]).unwrap(),
            concat!(
                r#"export CXS_HOME='/s p'; c="${XDG_STATE_HOME:-$HOME/.local/state}/cxs/bin/"#,
                env!("CARGO_PKG_VERSION"),
                r#"/cxs"; [ -x "$c" ] || exit 127; exec "$c" send"#
            )
        );
    }

    #[test]
    fn every_word_reaches_a_posix_shell_exactly() {
        let hostile: [&[u8]; 12] = [
            b"it's \"quoted\"",
            b"$(touch /tmp/x); `id`; $HOME",
            b"a\nnew line\ttab",
            "caf\u{e9} \u{a0}nbsp".as_bytes(),
            b"{a,b} ~ * ? [x] !1 #c",
            b"\\ back\\slash \\'",
            b"-n",
            b"",
            b"'",
            b"\x80\xff not utf-8",
            b"a=b c&d|e>f<g",
            b"%s %% %b",
        ];
        for text in hostile {
            let mut script = b"printf %s ".to_vec();
            script.extend(word(text).unwrap());
            let output = std::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(std::ffi::OsStr::from_bytes(&script))
                .output()
                .unwrap();
            assert_eq!(output.stdout, text, "{:?}", String::from_utf8_lossy(&script));
        }
        assert!(word(b"nul \0 byte").is_err());
    }
}
