//! `--host NAME`: the same command run by the cxs on a configured host, over ssh. ssh plus
//! the remote cxs (which drives its own tmux) is the whole engine: no daemon, no protocol.
//!
//! Everything sent is one POSIX shell script for the remote login shell, every word of it
//! quoted (by shlex); values forwarded from here (`--env`) never appear in it, nor in any
//! process's command line: they go through ssh's standard input (at a terminal, through a
//! private file there that the far end removes).

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

    /// The script running `cxs __remote SOURCE NAME ARGS...` there: the host's settings
    /// exported, then the configured cxs, or the installed one (exit status 127 when it is
    /// not there). Every remote cxs runs so: it takes the values from SOURCE (`none`, `-`,
    /// a stashed file) and the command line as given here, for host NAME.
    fn cxs_script(&self, source: &[u8], args: &[OsString]) -> Result<OsString> {
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
        let ours = [REMOTE.as_bytes(), source, self.name.as_bytes()];
        for arg in ours.into_iter().chain(args.iter().map(|a| a.as_bytes())) {
            script.push(b' ');
            script.extend(word(arg)?);
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

    /// The file that says cxs is installed there, so commands need not ask first: one per
    /// version and destination (the same name may reach another machine tomorrow).
    fn installed_marker(&self) -> std::path::PathBuf {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        (&self.config.ssh, self.config.port, &self.config.env.settings).hash(&mut hasher);
        let version = env!("CARGO_PKG_VERSION");
        self.sockets.join(format!("installed-{version}-{}-{:016x}", self.name, hasher.finish()))
    }

    /// Runs `script` there, without a terminal or a password prompt, feeding it `input`;
    /// its standard output, or the first line of what went wrong.
    fn ask(&self, script: OsString, input: Option<Vec<u8>>) -> Result<Vec<u8>> {
        self.ask_as(script, input, ASK_TIMEOUT, true)
    }

    /// [`Host::ask`], bounded by `limit`; `batch` off when the user is there to type a
    /// password.
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

/// What the remote command does with this side's standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `attach`: a terminal for ssh (`-t`) when this side is at one.
    Terminal,
    /// The command reads it (`send ID -`, `new exec -`): passed on.
    Read,
    /// Nothing reads it: ssh gets none, so it cannot take input meant for whatever runs
    /// next (a `while read` loop around cxs).
    Unused,
}

/// Runs `args` (cxs's own arguments, exactly as given) on `host` and returns the remote
/// exit status; standard output and error pass through ssh. The first use installs cxs
/// there, before anything reads this side's standard input.
pub fn run(host: &Host, args: &[OsString], forward: &[String], input: Input) -> Result<i32> {
    let input = match input {
        Input::Terminal if !std::io::IsTerminal::is_terminal(&std::io::stdin()) => Input::Read,
        other => other,
    };
    let values = forwarded(host, forward)?;
    // The host's answer to a probe in hand: install unless it runs there already.
    let ensure = |there: &Probe| -> Result<()> {
        if !there.installed() {
            eprintln!(
                "cxs: installing cxs {} on '{}' (first use)",
                env!("CARGO_PKG_VERSION"),
                host.name
            );
            install(host, there, false)?;
        }
        // Known to be there from now on: the next commands go straight to it.
        let _ = crate::store::write_private(&host.installed_marker(), b"");
        Ok(())
    };
    if host.config.cxs.is_none() && !host.installed_marker().exists() {
        ensure(&probe(host, false)?)?;
    }
    let status = call(host, args, &values, input)?;
    // Removed since it was installed (or the host is another machine now).
    let gone = status == NOT_INSTALLED && host.config.cxs.is_none();
    if let Some(there) = gone.then(|| probe(host, false)).transpose()?
        && !there.installed()
    {
        ensure(&there)?;
        if input == Input::Read {
            bail!(
                "cxs was not installed on '{}' (it is now): run the command again, since its \
                 input went to the first try",
                host.name
            );
        }
        return call(host, args, &values, input);
    }
    Ok(status)
}

/// One run of the remote cxs: the forwarded values first on its standard input (`-`), or
/// with a terminal from a stashed file; `none` when there are none.
fn call(
    host: &Host,
    args: &[OsString],
    values: &[(String, OsString)],
    input: Input,
) -> Result<i32> {
    let tty = input == Input::Terminal;
    let stdin = || match input {
        Input::Unused => std::process::Stdio::null(),
        Input::Terminal | Input::Read => std::process::Stdio::inherit(),
    };
    if values.is_empty() {
        let argv = host.ssh(host.cxs_script(b"none", args)?, tty, false)?;
        return finish(&mut spawn(&argv, stdin())?);
    }
    let block = env_block(values);
    if tty {
        // The terminal is ssh's standard input: the values go first, into a private file
        // there that the remote cxs reads and removes at once; if it never got to, this
        // side removes it.
        let mut stash = host.settings()?;
        stash.extend(b"umask 077; f=$(mktemp) && cat > \"$f\" && echo \"$f\"");
        let file = host.ask_as(OsString::from_vec(stash), Some(block), ASK_TIMEOUT, false)?;
        let file = file.trim_ascii_end().to_vec();
        let argv = host.ssh(host.cxs_script(&file, args)?, true, false)?;
        let code = finish(&mut spawn(&argv, stdin())?)?;
        if code != 0 {
            let mut remove = b"rm -f ".to_vec();
            remove.extend(word(&file)?);
            let _ = host.ask(OsString::from_vec(remove), None);
        }
        return Ok(code);
    }
    let argv = host.ssh(host.cxs_script(b"-", args)?, false, false)?;
    let mut child = spawn(&argv, std::process::Stdio::piped())?;
    let mut pipe = child.stdin.take().context("ssh has no standard input")?;
    // Then this side's standard input, for a command that reads it; the thread ends with
    // the process when nobody types.
    std::thread::spawn(move || {
        if pipe.write_all(&block).is_ok() && input == Input::Read {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut pipe);
        }
    });
    finish(&mut child)
}

/// Starts ssh.
fn spawn(argv: &[OsString], stdin: std::process::Stdio) -> Result<std::process::Child> {
    std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(stdin)
        .spawn()
        .context("cannot run ssh")
}

/// Waits for ssh and returns its exit status; a SIGTERM or SIGHUP to this cxs ends ssh too
/// (which ends the remote command), rather than leaving it to run on.
fn finish(child: &mut std::process::Child) -> Result<i32> {
    use rustix::event::{PollFd, PollFlags, poll};
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let (wake, woken) = std::os::unix::net::UnixStream::pair()?;
    // A signal handler must never block on a full socket.
    wake.set_nonblocking(true)?;
    let handlers = [SIGTERM, SIGHUP]
        .map(|signal| signal_hook::low_level::pipe::register(signal, wake.try_clone()?))
        .into_iter()
        .collect::<std::io::Result<Vec<_>>>()?;
    let pid = rustix::process::Pid::from_raw(child.id().cast_signed()).context("no ssh process")?;
    let ended = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())?;
    let signalled = loop {
        let mut fds = [PollFd::new(&ended, PollFlags::IN), PollFd::new(&woken, PollFlags::IN)];
        match poll(&mut fds, None) {
            Ok(_) => break !fds[1].revents().is_empty(),
            Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(std::io::Error::from(err)).context("cannot wait for ssh"),
        }
    };
    if signalled {
        let _ = child.kill();
    }
    let status = child.wait().context("cannot wait for ssh")?;
    for handler in handlers {
        signal_hook::low_level::unregister(handler);
    }
    Ok(if signalled { 128 + SIGTERM } else { status.code().unwrap_or(255) })
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
    let answers =
        at_once(hosts, |host| host.ask_as(host.cxs_script(b"none", args)?, None, limit, true));
    hosts.iter().map(|host| host.name.to_owned()).zip(answers).collect()
}

/// `ask` of every host, all at once (a thread each); the answers in the hosts' order.
pub fn at_once<T: Send>(hosts: &[Host], ask: impl Fn(&Host) -> Result<T> + Sync) -> Vec<Result<T>> {
    std::thread::scope(|scope| {
        let asked: Vec<_> = hosts.iter().map(|host| scope.spawn(|| ask(host))).collect();
        asked
            .into_iter()
            .map(|asked| asked.join().unwrap_or_else(|_| Err(anyhow::anyhow!("no answer"))))
            .collect()
    })
}

/// Every host's sessions, as its `cxs list --json` gives them, all asked at once, each
/// bounded by `limit`; by host name.
pub fn listings<T: serde::de::DeserializeOwned>(
    hosts: &[Host],
    limit: Duration,
) -> Vec<(String, Result<Vec<T>>)> {
    let listing = ["list", "--json"].map(OsString::from);
    ask_all(hosts, &listing, limit)
        .into_iter()
        .map(|(host, answer)| {
            let rows = answer.and_then(|json| {
                serde_json::from_slice(&json).context("its cxs printed no listing")
            });
            (host, rows)
        })
        .collect()
}

/// The argv of ssh running the remote cxs with `args`, for callers that read its output as
/// it comes (`events --all -f`).
pub fn command(host: &Host, args: &[OsString]) -> Result<Vec<OsString>> {
    host.ssh(host.cxs_script(b"none", args)?, false, true)
}

/// How long one more call to a host takes (over its shared connection, once open).
pub fn round_trip(host: &Host) -> Result<Duration> {
    let started = std::time::Instant::now();
    host.ask("true".into(), None)?;
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remote_command_quotes_every_word() {
        let args: Vec<OsString> =
            ["send", "--host", "gpu", "gpu:far", "it's $(x); ok"].map(OsString::from).to_vec();
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
        let host = Host { name: "gpu", config: &config, sockets: Path::new("/nowhere") };
        assert_eq!(
            host.cxs_script(b"-", &args).unwrap(),
            r#"export CXS_HOME='/s p'; exec /opt/cxs __remote - gpu send --host gpu gpu:far "it's "'$(x); ok'"#
        );
        let installed = Host { config: &HostConfig { cxs: None, ..config.clone() }, ..host };
        assert_eq!(
            installed.cxs_script(b"none", &args[..1]).unwrap(),
            concat!(
                r#"export CXS_HOME='/s p'; c="${XDG_STATE_HOME:-$HOME/.local/state}/cxs/bin/"#,
                env!("CARGO_PKG_VERSION"),
                r#"/cxs"; [ -x "$c" ] || exit 127; exec "$c" __remote none gpu send"#
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
