//! The only module that runs tmux. Every call goes through [`Tmux::run`], which adds the
//! socket (`-L`, from `CXS_TMUX_SOCKET`) and turns a failure into an error carrying tmux's
//! stderr.

use std::convert::Infallible;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Marks tmux sessions as cxs's: a session without it is the user's and never touched.
const ID_OPTION: &str = "@cxs-id";

/// The tmux server cxs talks to.
#[derive(Debug, Clone)]
pub struct Tmux {
    socket: Option<OsString>,
    /// `CXS_TRACE`: print every tmux invocation to stderr as `+ tmux ...`.
    trace: bool,
}

/// A tmux session name, `cxs-ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionName(pub String);

impl SessionName {
    /// The `=name:` target: exact match, never a prefix of someone else's session.
    fn target(&self) -> String {
        format!("={}:", self.0)
    }
}

/// What tmux knows about one cxs session, from a single `list-sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneState {
    /// The tmux session name.
    pub name: SessionName,
    /// The cxs id recorded in the session's `@cxs-id` option.
    pub id: String,
    /// Whether the pane's process has exited (kept by `remain-on-exit`).
    pub dead: bool,
    /// The pane's exit status, when dead and it exited normally.
    pub dead_status: Option<i32>,
}

/// Everything needed to start one session.
#[derive(Debug)]
pub struct Start<'a> {
    /// The tmux session name.
    pub name: &'a SessionName,
    /// The cxs id, stored in `@cxs-id`.
    pub id: &'a str,
    /// The pane's working directory.
    pub cwd: &'a Path,
    /// The pane's program and arguments, run directly (no shell).
    pub command: &'a [OsString],
    /// The file the pane's output is appended to.
    pub log: &'a Path,
}

impl Tmux {
    /// The server named by `CXS_TMUX_SOCKET`, else the user's default server.
    pub fn from_env() -> Self {
        Self {
            socket: std::env::var_os("CXS_TMUX_SOCKET").filter(|s| !s.is_empty()),
            trace: std::env::var_os("CXS_TRACE").is_some_and(|v| !v.is_empty() && v != "0"),
        }
    }

    /// Runs one tmux invocation (commands chained with `;` run in order) and returns stdout.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
        let argv = self.argv(args);
        self.trace(&argv);
        let output = duct::cmd("tmux", &argv)
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .run()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    anyhow::anyhow!("tmux not found on PATH: install tmux 3.2 or later")
                }
                _ => anyhow::Error::new(e).context("cannot run tmux"),
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let command = argv
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ");
            bail!(TmuxError {
                command,
                stderr: stderr.trim().to_owned()
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Starts a detached session running `start.command`, logging its pane from the first
    /// byte, in one tmux call so nothing is printed before the pipe is in place.
    pub fn start(&self, start: &Start<'_>) -> Result<()> {
        let target = start.name.target();
        let mut args: Vec<OsString> = vec![
            "new-session".into(),
            "-d".into(),
            "-s".into(),
            start.name.0.clone().into(),
            "-c".into(),
            start.cwd.into(),
            "--".into(),
        ];
        args.extend(start.command.iter().cloned());
        for part in [
            &[";", "set-option", "-t", &target, ID_OPTION, start.id][..],
            // The pane outlives the agent, so its exit status and last screen can be read.
            &[
                ";",
                "set-option",
                "-w",
                "-t",
                &target,
                "remain-on-exit",
                "on",
            ],
            &[";", "pipe-pane", "-o", "-t", &target],
        ] {
            args.extend(part.iter().map(OsString::from));
        }
        args.push(append_command(start.log));
        self.run(&args)
            .with_context(|| format!("cannot start tmux session '{}'", start.name.0))?;
        Ok(())
    }

    /// Lists cxs's sessions on this server with one `list-sessions` call; none when no server.
    pub fn sessions(&self) -> Result<Vec<PaneState>> {
        let format =
            format!("#{{session_name}}\t#{{{ID_OPTION}}}\t#{{pane_dead}}\t#{{pane_dead_status}}");
        let stdout = match self.run(&["list-sessions", "-F", &format]) {
            Ok(stdout) => stdout,
            Err(e)
                if e.downcast_ref::<TmuxError>()
                    .is_some_and(TmuxError::no_server) =>
            {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e.context("cannot list tmux sessions")),
        };
        Ok(stdout.lines().filter_map(parse_session_line).collect())
    }

    /// Kills sessions in one tmux call.
    pub fn kill(&self, names: &[&SessionName]) -> Result<()> {
        let Some((first, rest)) = names.split_first() else {
            return Ok(());
        };
        let mut args = vec!["kill-session".to_owned(), "-t".to_owned(), first.target()];
        for name in rest {
            args.extend([
                ";".to_owned(),
                "kill-session".to_owned(),
                "-t".to_owned(),
                name.target(),
            ]);
        }
        self.run(&args)
            .context("cannot kill tmux sessions")
            .map(drop)
    }

    /// Replaces this process with a tmux client on `name`; `switch-client` when `inside` is set.
    pub fn attach(&self, name: &SessionName, read_only: bool, inside: bool) -> Result<Infallible> {
        let target = name.target();
        let mut args = vec![
            if inside {
                "switch-client"
            } else {
                "attach-session"
            },
            "-t",
            &target,
        ];
        if read_only {
            args.push("-r");
        }
        let argv = self.argv(&args);
        self.trace(&argv);
        let mut command = std::process::Command::new("tmux");
        command.args(argv);
        if !inside {
            // Attaching from another tmux server's pane nests on purpose; tmux would refuse.
            command.env_remove("TMUX");
        }
        let err = command.exec();
        Err(anyhow::Error::new(err).context("cannot run tmux"))
    }

    /// The path of this server's socket, as tmux computes it for `-L`.
    pub fn socket_path(&self) -> PathBuf {
        let dir = std::env::var_os("TMUX_TMPDIR")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/tmp".into());
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let name = self.socket.clone().unwrap_or_else(|| "default".into());
        PathBuf::from(dir).join(format!("tmux-{uid}")).join(name)
    }

    fn trace(&self, argv: &[OsString]) {
        if self.trace {
            eprintln!("+ tmux {}", shell_words(argv));
        }
    }

    fn argv<S: AsRef<OsStr>>(&self, args: &[S]) -> Vec<OsString> {
        let mut argv = Vec::with_capacity(args.len() + 2);
        if let Some(socket) = &self.socket {
            argv.push("-L".into());
            argv.push(socket.clone());
        }
        argv.extend(args.iter().map(|a| a.as_ref().to_owned()));
        argv
    }
}

/// A tmux call that failed, with what tmux said.
#[derive(Debug)]
pub struct TmuxError {
    command: String,
    stderr: String,
}

impl TmuxError {
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
        write!(
            f,
            "tmux failed: {} (ran `tmux {}`)",
            self.stderr, self.command
        )
    }
}

impl std::error::Error for TmuxError {}

/// `argv` as a person would type it: arguments with shell-special characters single-quoted.
fn shell_words(argv: &[OsString]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=.,/:@%+#{}".contains(c);
    let words: Vec<String> = argv
        .iter()
        .map(|arg| {
            let arg = arg.to_string_lossy();
            if !arg.is_empty() && arg.chars().all(plain) {
                arg.into_owned()
            } else {
                format!("'{}'", arg.replace('\'', "'\\''"))
            }
        })
        .collect();
    words.join(" ")
}

fn parse_session_line(line: &str) -> Option<PaneState> {
    let mut fields = line.split('\t');
    let name = fields.next()?;
    let id = fields.next()?;
    let dead = fields.next()? == "1";
    let dead_status = fields.next()?.parse().ok();
    // Sessions without our option are the user's own: invisible to cxs.
    if id.is_empty() || fields.next().is_some() {
        return None;
    }
    Some(PaneState {
        name: SessionName(name.to_owned()),
        id: id.to_owned(),
        dead,
        dead_status,
    })
}

/// The `pipe-pane` command appending to `log`. tmux runs it with `sh -c` after expanding
/// formats, so the path is single-quoted for the shell and `#` doubled for tmux.
fn append_command(log: &Path) -> OsString {
    let mut command = b"exec cat >> '".to_vec();
    for &byte in log.as_os_str().as_bytes() {
        match byte {
            b'\'' => command.extend_from_slice(b"'\\''"),
            b'#' => command.extend_from_slice(b"##"),
            _ => command.push(byte),
        }
    }
    command.push(b'\'');
    OsString::from_vec(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_command_quotes_for_shell_and_tmux() {
        let command = append_command(Path::new("/tmp/it's #1/log"));
        assert_eq!(command, OsStr::new("exec cat >> '/tmp/it'\\''s ##1/log'"));
    }

    #[test]
    fn traced_commands_can_be_pasted_into_a_shell() {
        let argv: Vec<OsString> = ["-L", "s", "new-session", ";", "a b", "it's", "#{x}"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(
            shell_words(&argv),
            r"-L s new-session ';' 'a b' 'it'\''s' #{x}"
        );
    }

    #[test]
    fn user_sessions_are_invisible() {
        assert_eq!(parse_session_line("work\t\t0\t"), None);
        assert_eq!(
            parse_session_line("cxs-a\ta\t1\t3"),
            Some(PaneState {
                name: SessionName("cxs-a".into()),
                id: "a".into(),
                dead: true,
                dead_status: Some(3),
            })
        );
    }
}
