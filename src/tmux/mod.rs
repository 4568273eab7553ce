//! The only module that runs tmux. Every call goes through [`Tmux::run`], which names the
//! server (`-L` from `CXS_TMUX_SOCKET` or the config, `-S` from `$TMUX` or a session's record)
//! and turns a failure into an error carrying tmux's stderr.
//!
//! Every call that cxs reads the output of passes `-u`: without a UTF-8 locale (`LC_ALL=C`,
//! cron, `env -i`) tmux otherwise rewrites tabs, control characters and non-ASCII text in its
//! output to `_`, and every field read back would be garbled.
//!
//! Command chains live in `chain`, the listing format and its parsing in `listing`.

mod chain;
mod listing;

use std::convert::Infallible;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Result, bail};

pub use chain::Chain;
pub use listing::{PaneState, Snapping, Snapshot};

use crate::quote;

/// Marks tmux sessions as cxs's: a session without it is the user's and never touched.
const ID_OPTION: &str = "@cxs-id";
/// The agent a session runs, for tmux formats and filters.
const KIND_OPTION: &str = "@cxs-kind";
/// Scrollback kept per session, so `capture` can reach back.
const HISTORY_LIMIT: &str = "50000";
/// The oldest tmux cxs works with (`new-session` with a command given as several arguments,
/// `-e`, and the formats cxs reads).
const MIN_VERSION: (u32, u32) = (3, 2);

/// The tmux server cxs talks to.
#[derive(Debug, Clone)]
pub struct Tmux {
    server: Server,
    /// `CXS_TRACE`: print every tmux invocation to stderr as `+ tmux ...`.
    trace: bool,
}

/// A tmux session name, `cxs-ID-TAG`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionName(pub String);

impl SessionName {
    /// The `=name:` target: exact match, never a prefix of someone else's session.
    fn target(&self) -> String {
        format!("={}:", self.0)
    }
}

/// Everything needed to start one session.
#[derive(Debug)]
pub struct Start<'a> {
    /// The tmux session name.
    pub name: &'a SessionName,
    /// The cxs id, stored in `@cxs-id`.
    pub id: &'a str,
    /// The agent's kind, stored in `@cxs-kind`.
    pub kind: &'a str,
    /// The pane's working directory.
    pub cwd: &'a Path,
    /// The pane's program and arguments, run directly (no shell).
    pub command: &'a [OsString],
    /// The program `pipe-pane` feeds the pane's output to, and its arguments.
    pub logger: &'a [OsString],
    /// A tmux command to run when the pane has been silent for a few seconds (an agent
    /// whose screen tells when it waits), so nobody has to poll.
    pub on_silence: Option<&'a str>,
}

/// How long a watched pane stays silent before its screen is looked at.
const SILENCE_SECS: &str = "3";

/// A tmux invocation under way, from [`Tmux::spawn`].
struct Pending {
    handle: duct::Handle,
    argv: Vec<OsString>,
}

impl Pending {
    /// Waits for tmux and returns its stdout, or an error carrying its stderr; a server that
    /// does not answer in time is an error too (its client is killed), never a hang.
    fn wait(self) -> Result<String> {
        let limit = timeout();
        let answered = self
            .handle
            .wait_timeout(limit)
            .map_err(|e| anyhow::Error::new(e).context("cannot run tmux"))?;
        let Some(output) = answered.cloned() else {
            let _ = self.handle.kill();
            bail!(TmuxError {
                command: quote::sh_display(&self.argv),
                stderr: format!(
                    "no answer within {} s: the server may be stopped or hung, or out of file \
                     descriptors (see `ulimit -n`)",
                    limit.as_secs_f32()
                ),
                stdout: String::new(),
            });
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            bail!(TmuxError { command: quote::sh_display(&self.argv), stderr, stdout });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// A session tmux is starting, from [`Tmux::start`].
#[must_use = "a session being started must be waited for with `finish`"]
pub struct Starting<'a> {
    tmux: &'a Tmux,
    name: SessionName,
    pending: Pending,
}

impl Starting<'_> {
    /// Waits until the session exists, or says why it does not.
    pub fn finish(self) -> Result<()> {
        let Err(err) = self.pending.wait() else {
            return Ok(());
        };
        // An old tmux fails on flags it lacks; say what is needed rather than that.
        let err = match self.tmux.version() {
            Some(found) if found < MIN_VERSION => err.context(format!(
                "cxs needs tmux {}.{} or later; found tmux {}.{}",
                MIN_VERSION.0, MIN_VERSION.1, found.0, found.1
            )),
            _ => err,
        };
        Err(err.context(format!("cannot start tmux session '{}'", self.name.0)))
    }
}

/// Sessions tmux is killing, from [`Tmux::start_kill`].
#[must_use = "a kill under way must be waited for with `finish`"]
pub struct Killing<'a> {
    tmux: &'a Tmux,
    /// Calls under way, each with the sessions it kills.
    pending: Vec<(Vec<SessionName>, Pending)>,
}

impl Killing<'_> {
    /// Waits until every session is gone; one already gone is fine.
    pub fn finish(self) -> Result<()> {
        // tmux stops a chain at its first failure, as when another delete got a session
        // first: that call's sessions go one by one, and a session already gone is done.
        let failed: Vec<SessionName> = self
            .pending
            .into_iter()
            .filter_map(|(names, pending)| pending.wait().is_err().then_some(names))
            .flatten()
            .collect();
        for name in &failed {
            let chain = Chain::default().cmd(["kill-session", "-t", &name.target()]);
            match self.tmux.run(&chain, None) {
                Err(e) if !e.downcast_ref::<TmuxError>().is_some_and(TmuxError::no_session) => {
                    return Err(e.context(format!("cannot kill tmux session '{}'", name.0)));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Tmux {
    /// The server named by `CXS_TMUX_SOCKET`, else by `configured`, else the one this
    /// process runs in (`$TMUX`), else the user's default.
    pub fn from_env(configured: Option<&str>) -> Self {
        let named = std::env::var_os("CXS_TMUX_SOCKET")
            .filter(|s| !s.is_empty())
            .or_else(|| configured.map(OsString::from));
        // A bare tmux client in a pane talks to that pane's server; say so explicitly, so
        // every call (attach included, which drops $TMUX) reaches the same one.
        let current = std::env::var_os("TMUX")
            .and_then(|v| v.to_string_lossy().split(',').next().map(PathBuf::from))
            .filter(|p| !p.as_os_str().is_empty());
        let server = match (named, current) {
            (Some(name), _) => Server::Named(name),
            (None, Some(path)) => Server::Path(path),
            (None, None) => Server::Default,
        };
        Self { server, trace: trace_enabled() }
    }

    /// Runs one tmux invocation and returns its stdout: the one gateway to tmux.
    pub fn run(&self, chain: &Chain, stdin: Option<&[u8]>) -> Result<String> {
        self.spawn(chain, stdin)?.wait()
    }

    /// Starts one tmux invocation without waiting for it, so the caller can work meanwhile.
    fn spawn(&self, chain: &Chain, stdin: Option<&[u8]>) -> Result<Pending> {
        raise_open_files();
        let mut argv = self.argv(&chain.args);
        argv.insert(0, "-u".into());
        self.trace(&argv);
        // A call may start the server, which keeps the caller's environment for its lifetime
        // and hands it to every pane: only what panes need goes (agents get the caller's
        // whole environment from their private file instead), never a key or a token, nor
        // the marker that names one session's processes.
        let command = duct::cmd(program()?, &argv).full_env(server_env());
        let command = match stdin {
            Some(bytes) => command.stdin_bytes(bytes.to_vec()),
            None => command.stdin_null(),
        };
        let handle = command
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .start()
            .map_err(|e| anyhow::Error::new(e).context("cannot run tmux"))?;
        Ok(Pending { handle, argv })
    }

    /// Starts a detached session running `start.command`, logging its pane from the first
    /// byte, in one tmux call so nothing is printed before the pipe is in place.
    ///
    /// Returns as soon as tmux is running; [`Starting::finish`] waits for the session.
    pub fn start(&self, start: &Start<'_>) -> Result<Starting<'_>> {
        let target = start.name.target();
        let mut run_agent: Vec<OsString> = vec![
            "new-window".into(),
            "-t".into(),
            target.clone().into(),
            "-c".into(),
            start.cwd.into(),
            "--".into(),
        ];
        run_agent.extend(start.command.iter().cloned());
        // history-limit only applies to panes created after it is set, so the session starts
        // with a placeholder window that the agent's window replaces. Its command is two
        // words, so tmux runs it directly rather than through a shell.
        let placeholder = ["-c", "/", "--", "true", "placeholder"];
        let chain = Chain::default()
            .cmd(["new-session", "-d", "-s", &start.name.0].into_iter().chain(placeholder))
            // What cxs relies on is set per session, whatever the user's tmux.conf says:
            // `destroy-unattached on` would end a detached session at birth.
            .cmd(["set-option", "-t", &target, "destroy-unattached", "off"])
            .cmd(["set-option", "-t", &target, ID_OPTION, start.id])
            .cmd(["set-option", "-t", &target, KIND_OPTION, start.kind])
            .cmd(["set-option", "-t", &target, "history-limit", HISTORY_LIMIT])
            .cmd(run_agent)
            .cmd(["kill-window", "-a", "-t", &target])
            .cmd(["move-window", "-r", "-t", &target])
            // The pane outlives the agent, so its exit status and last screen can be read.
            .cmd(["set-option", "-w", "-t", &target, "remain-on-exit", "on"])
            .cmd(pipe_pane(start.name, start.logger));
        let chain = match start.on_silence {
            // `silence-action other` (the default) skips the session's current window, which
            // is its only one.
            Some(command) => chain
                .cmd(["set-option", "-t", &target, "silence-action", "any"])
                .cmd(["set-option", "-w", "-t", &target, "monitor-silence", SILENCE_SECS])
                .cmd(["set-hook", "-t", &target, "alert-silence", command]),
            None => chain,
        };
        let name = start.name.clone();
        match self.spawn(&chain, None) {
            Ok(pending) => Ok(Starting { tmux: self, name, pending }),
            Err(err) => Err(err.context(format!("cannot start tmux session '{}'", name.0))),
        }
    }

    /// tmux's version as (major, minor), from `tmux -V` ("tmux 3.3a", "tmux next-3.5").
    fn version(&self) -> Option<(u32, u32)> {
        let text = self.run(&Chain::default().cmd(["-V"]), None).ok()?;
        let number = text.split_whitespace().nth(1)?.trim_start_matches("next-");
        let (major, rest) = number.split_once('.')?;
        let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// Tells the server's clients `text` (a message, and a bell on their terminals), when
    /// the user asked for it with the global option `@cxs-alert` (`cxs tmux-conf` sets it).
    pub fn alert(&self, text: &str) -> Result<()> {
        let ttys = self.run(
            &Chain::default().cmd(["list-clients", "-F", "#{?@cxs-alert,#{client_tty},}"]),
            None,
        )?;
        let ttys: Vec<&str> = ttys.lines().filter(|t| !t.is_empty()).collect();
        if ttys.is_empty() {
            return Ok(());
        }
        // `-l`-less display-message expands formats: the text is kept literal by escaping `#`.
        let literal = text.replace('#', "##");
        // Every client of the server, not only the one tmux would pick.
        let chain = ttys.iter().fold(Chain::default(), |chain, tty| {
            chain.cmd(["display-message", "-c", tty, "-d", "4000", &literal])
        });
        self.run(&chain, None)?;
        for tty in ttys {
            // A client's terminal is the user's own; a bell there is what a pane's BEL does.
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .open(tty)
                .and_then(|mut t| std::io::Write::write_all(&mut t, b"\x07"));
        }
        Ok(())
    }

    /// Renames session `name` to `to`, tagged with cxs id `id`, in one call.
    pub fn rename(&self, name: &SessionName, to: &SessionName, id: &str) -> Result<()> {
        let chain = Chain::default().cmd(["rename-session", "-t", &name.target(), &to.0]).cmd([
            "set-option",
            "-t",
            &to.target(),
            ID_OPTION,
            id,
        ]);
        self.run(&chain, None).map(drop)
    }

    /// Kills sessions in one tmux call.
    pub fn kill(&self, names: &[&SessionName]) -> Result<()> {
        self.start_kill(names)?.finish()
    }

    /// Starts killing sessions in one tmux call; [`Killing::finish`] waits for it.
    pub fn start_kill(&self, names: &[&SessionName]) -> Result<Killing<'_>> {
        let chain = names.iter().fold(Chain::default(), |chain, name| {
            chain.cmd(["kill-session", "-t", &name.target()])
        });
        let mut pending = Vec::new();
        if !names.is_empty() {
            let mut names = names.iter();
            for part in chain.split() {
                let kills = part.args.iter().filter(|a| *a == "kill-session").count();
                let batch = names.by_ref().take(kills).map(|&n| n.clone()).collect();
                pending.push((batch, self.spawn(&part, None)?));
            }
        }
        Ok(Killing { tmux: self, pending })
    }

    /// Pastes `text` into the pane through a tmux buffer, bracketed when the agent asked for
    /// it, so several lines arrive as one message.
    pub fn paste(&self, name: &SessionName, text: &[u8]) -> Result<()> {
        // Concurrent sends to one session must not share a buffer.
        let buffer = format!("{}-send-{}", name.0, std::process::id());
        let chain = Chain::default().cmd(["load-buffer", "-b", &buffer, "-"]).cmd([
            "paste-buffer",
            "-d",
            "-p",
            "-r",
            "-b",
            &buffer,
            "-t",
            &name.target(),
        ]);
        self.run(&chain, Some(text)).map(drop)
    }

    /// The pane's size as (rows, columns).
    pub fn pane_size(&self, name: &SessionName) -> Result<(u16, u16)> {
        let format = "#{pane_height} #{pane_width}";
        let chain = Chain::default().cmd(["display-message", "-p", "-t", &name.target(), format]);
        let text = self.run(&chain, None)?;
        let mut numbers = text.split_whitespace().map(str::parse::<u16>);
        match (numbers.next(), numbers.next()) {
            (Some(Ok(rows)), Some(Ok(cols))) => Ok((rows, cols)),
            _ => bail!("unexpected pane size from tmux: {text:?}"),
        }
    }

    /// Feeds the pane's output to `logger` again, if nothing does now (`pipe-pane -o`).
    pub fn repipe(&self, name: &SessionName, logger: &[OsString]) -> Result<()> {
        self.run(&Chain::default().cmd(pipe_pane(name, logger)), None).map(drop)
    }

    /// Presses one key, by tmux key name (`Enter`, `C-c`).
    pub fn press(&self, name: &SessionName, key: &str) -> Result<()> {
        let chain = Chain::default().cmd(["send-keys", "-t", &name.target(), key]);
        self.run(&chain, None).map(drop)
    }

    /// What the pane shows now, plus `history` lines above it, wrapped lines joined.
    pub fn capture(&self, name: &SessionName, history: usize, ansi: bool) -> Result<String> {
        let (target, start) = (name.target(), format!("-{history}"));
        let mut command = vec!["capture-pane", "-p", "-J", "-t", &target, "-S", &start];
        if ansi {
            command.push("-e");
        }
        self.run(&Chain::default().cmd(command), None)
    }

    /// Shows `name` read-only in a popup over the client this process runs in, through a
    /// client of its own: `switch-client -r` would instead leave the user's own client
    /// read-only for every session they go to next.
    pub fn watch_in_popup(&self, name: &SessionName) -> Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let (socket, target) = (self.socket(), name.target());
        let client: [&OsStr; 9] = [
            "-u".as_ref(),
            "TMUX".as_ref(),
            program()?.as_os_str(),
            "-S".as_ref(),
            socket.0.as_os_str(),
            "attach-session".as_ref(),
            "-r".as_ref(),
            "-t".as_ref(),
            target.as_ref(),
        ];
        // Run by the user's default-shell, which may be fish: `env -u` rather than `unset`,
        // and every word single-quoted (a quoting fish reads the same way).
        let mut shell = b"exec env".to_vec();
        for word in client {
            shell.push(b' ');
            shell.extend(quote::sh_single(word.as_bytes()));
        }
        let chain = Chain::default().cmd([
            OsStr::new("display-popup"),
            "-E".as_ref(),
            "-w".as_ref(),
            "90%".as_ref(),
            "-h".as_ref(),
            "90%".as_ref(),
            OsString::from_vec(shell).as_os_str(),
        ]);
        self.run(&chain, None).map(drop)
    }

    /// Replaces this process with a tmux client on `name`; `switch-client` when `inside` is set.
    pub fn attach(&self, name: &SessionName, read_only: bool, inside: bool) -> Result<Infallible> {
        let target = name.target();
        let verb = if inside { "switch-client" } else { "attach-session" };
        let mut command = vec![verb, "-t", &target];
        if read_only {
            command.push("-r");
        }
        let argv = self.argv(&Chain::default().cmd(command).args);
        self.trace(&argv);
        let mut command = std::process::Command::new(program()?);
        command.args(argv).env_remove(crate::hidden::MARKER_VAR);
        if !inside {
            // Attaching from another tmux server's pane nests on purpose; tmux would refuse.
            command.env_remove("TMUX");
        }
        let err = command.exec();
        Err(anyhow::Error::new(err).context("cannot run tmux"))
    }

    /// The server whose socket is at `socket`, as recorded when a session was made there.
    pub fn at(socket: &Socket) -> Self {
        Self { server: Server::Path(socket.0.clone()), trace: trace_enabled() }
    }

    /// The path of this server's socket, as tmux computes it: `-L NAME` lives in
    /// `$TMUX_TMPDIR/tmux-UID` (tmux ignores a relative `TMUX_TMPDIR`, and resolves symlinks).
    pub fn socket(&self) -> Socket {
        let name = match &self.server {
            Server::Path(path) => return Socket(path.clone()),
            Server::Named(name) => name.clone(),
            Server::Default => "default".into(),
        };
        // As tmux: TMUX_TMPDIR when it resolves, else /tmp.
        let tmp = || std::fs::canonicalize("/tmp").unwrap_or_else(|_| "/tmp".into());
        let dir = std::env::var_os("TMUX_TMPDIR")
            .map(PathBuf::from)
            .filter(|d| d.is_absolute())
            .map_or_else(tmp, |dir| std::fs::canonicalize(dir).unwrap_or_else(|_| tmp()));
        let uid = rustix::process::getuid().as_raw();
        Socket(dir.join(format!("tmux-{uid}")).join(name))
    }

    fn trace(&self, argv: &[OsString]) {
        if self.trace {
            eprintln!("+ tmux {}", quote::sh_display(argv));
        }
    }

    /// The arguments that name this server, then `args`.
    fn argv(&self, args: &[OsString]) -> Vec<OsString> {
        let mut argv = Vec::with_capacity(args.len() + 3);
        match &self.server {
            Server::Named(name) => argv.extend(["-L".into(), name.clone()]),
            Server::Path(path) => argv.extend(["-S".into(), path.into()]),
            Server::Default => {}
        }
        argv.extend(args.iter().cloned());
        argv
    }
}

/// A tmux server's socket path: what a session records to find its server again, whatever
/// `CXS_TMUX_SOCKET`, the config or `$TMUX` say later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Socket(PathBuf);

impl Socket {
    /// The path itself.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// The caller's variables a tmux call passes on: what a pane the user opens on a server cxs
/// started needs (shell, terminal, locale, display, agent sockets, tmux's own), nothing else.
fn server_env() -> impl Iterator<Item = (OsString, OsString)> {
    const KEPT: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "TERM",
        "COLORTERM",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TMUX",
        "TMUX_PANE",
        "TMUX_TMPDIR",
        "XDG_RUNTIME_DIR",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "SSH_AUTH_SOCK",
        "DBUS_SESSION_BUS_ADDRESS",
        "EDITOR",
        "VISUAL",
    ];
    std::env::vars_os().filter(|(key, _)| {
        key.to_str().is_some_and(|key| KEPT.contains(&key) || key.starts_with("LC_"))
    })
}

/// How long a tmux call may take: `CXS_TMUX_TIMEOUT` (seconds, or `500ms`, `1m`), else 10 s.
fn timeout() -> std::time::Duration {
    const DEFAULT: std::time::Duration = std::time::Duration::from_secs(10);
    let Some(value) = std::env::var_os("CXS_TMUX_TIMEOUT") else {
        return DEFAULT;
    };
    let value = value.to_string_lossy();
    match value.parse::<u64>() {
        Ok(secs) => std::time::Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(&value).unwrap_or(DEFAULT),
    }
}

/// Raises this process's soft limit on open files to the hard one, once: a tmux server this
/// process starts inherits it, and at the usual 1024 a server runs out at about 500 sessions
/// (each holds a pty and a pipe). Agents keep the caller's own limit (see `caller`).
fn raise_open_files() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    static RAISED: OnceLock<()> = OnceLock::new();
    RAISED.get_or_init(|| {
        let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
        if current != maximum {
            let _ = setrlimit(Resource::Nofile, Rlimit { current: maximum, maximum });
        }
    });
}

/// `CXS_TRACE`: print every tmux invocation to stderr.
fn trace_enabled() -> bool {
    std::env::var_os("CXS_TRACE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Which tmux server: by socket name (`-L`), by socket path (`-S`), or tmux's default.
#[derive(Debug, Clone)]
enum Server {
    Named(OsString),
    Path(PathBuf),
    Default,
}

/// A tmux call that failed, with what tmux said.
#[derive(Debug)]
pub struct TmuxError {
    command: String,
    stderr: String,
    /// What the commands before the failing one printed.
    stdout: String,
}

impl TmuxError {
    /// Whether `err` is tmux refusing to make a session whose name is taken.
    pub fn is_duplicate(err: &anyhow::Error) -> bool {
        err.chain().any(|e| {
            e.downcast_ref::<TmuxError>().is_some_and(|t| t.stderr.contains("duplicate session"))
        })
    }

    fn no_session(&self) -> bool {
        self.stderr.contains("can't find session") || self.no_server()
    }

    fn no_server(&self) -> bool {
        // "exited unexpectedly": a server shutting down (after kill-server) as we connect.
        self.stderr.contains("no server running")
            || self.stderr.contains("server exited unexpectedly")
            || (self.stderr.contains("error connecting to")
                && (self.stderr.contains("No such file or directory")
                    || self.stderr.contains("Connection refused")))
    }
}

impl std::fmt::Display for TmuxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Long chains are cut; CXS_TRACE=1 prints them whole.
        const SHOWN: usize = 100;
        if self.command.chars().count() > SHOWN {
            let head: String = self.command.chars().take(SHOWN).collect();
            return write!(f, "tmux failed: {} (ran `tmux {head}...`)", self.stderr);
        }
        write!(f, "tmux failed: {} (ran `tmux {}`)", self.stderr, self.command)
    }
}

impl std::error::Error for TmuxError {}

/// The tmux program, found on PATH once per process.
///
/// An absolute path matters beyond the lookup: duct always passes an explicit environment,
/// and std then spawns a program looked up on PATH with a full fork rather than the much
/// cheaper `posix_spawn` (vfork), a cost paid on every call.
fn program() -> Result<&'static Path> {
    static PROGRAM: OnceLock<Option<PathBuf>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| which::which("tmux").ok())
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("tmux not found on PATH: install tmux 3.2 or later"))
}

/// `pipe-pane` of `name` into `logger`, unless something already reads the pane (`-o`).
fn pipe_pane(name: &SessionName, logger: &[OsString]) -> [OsString; 5] {
    ["pipe-pane".into(), "-o".into(), "-t".into(), name.target().into(), pipe_command(logger)]
}

/// The `pipe-pane` command running `argv`. tmux runs it with `sh -c` after expanding
/// formats and strftime sequences, so each argument is quoted for the shell, then for tmux.
fn pipe_command(argv: &[OsString]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    let mut command = b"exec".to_vec();
    for arg in argv {
        command.push(b' ');
        command.extend(quote::tmux_literal(&quote::sh_single(arg.as_bytes())));
    }
    OsString::from_vec(command)
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;

    #[test]
    fn pipe_command_quotes_for_shell_and_tmux() {
        let command = pipe_command(&["/bin/cxs".into(), "/tmp/it's #1 %s/s".into()]);
        assert_eq!(command, OsStr::new("exec '/bin/cxs' '/tmp/it'\\''s ##1 %%s/s'"));
    }
}
