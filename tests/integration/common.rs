//! The test environment: a private tmux server, a temp `CXS_HOME`, the fake agent, and a
//! way to run the real `cxs` binary against them.
//!
//! Hostile by default, as users' machines are: every process a test starts gets a cleared
//! environment with no locale at all (as under cron or `env -i`), `HOME`, `CODEX_HOME`, the
//! XDG directories and cxs's config inside the test's temp dir, and a `~/.tmux.conf` there
//! that changes the tmux defaults cxs must not rely on.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

static NEXT_SOCKET: AtomicUsize = AtomicUsize::new(0);

/// A user's tmux.conf that changes every default cxs could lean on.
pub const HOSTILE_TMUX_CONF: &str = "\
set -g base-index 1
set -g pane-base-index 1
set -g default-command 'echo from-the-users-default-command; exec sleep 100000'
set -g remain-on-exit off
set -g history-limit 100
set -g destroy-unattached on
set -g automatic-rename on
set -g exit-empty on
";

/// One test's world. Dropping it kills its tmux server, even when the test panics.
pub struct TestEnv {
    tmp: TempDir,
    socket: String,
    /// The first server's pid, to make sure it is gone at the end.
    server: u32,
}

impl TestEnv {
    /// A fresh home and a private tmux server that already holds a user's own session,
    /// started with an environment that cxs's callers do not share.
    pub fn new() -> Self {
        let tmp = tempfile::Builder::new().prefix("cxs-test").tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("work")).unwrap();
        std::fs::write(tmp.path().join(".tmux.conf"), HOSTILE_TMUX_CONF).unwrap();
        let n = NEXT_SOCKET.fetch_add(1, Ordering::Relaxed);
        let mut env =
            TestEnv { tmp, socket: format!("cxs-test-{}-{n}", std::process::id()), server: 0 };
        env.user_session("user-own");
        env.server = env.tmux_ok(&["display-message", "-p", "#{pid}"]).trim().parse().unwrap();
        env
    }

    /// Starts a detached session of the user's own, kept alive against their own
    /// `destroy-unattached`.
    #[track_caller]
    pub fn user_session(&self, name: &str) {
        self.user_session_running(name, &[], "sleep 10000");
    }

    /// [`TestEnv::user_session`] with `new-session` flags and a shell command of its own.
    #[track_caller]
    pub fn user_session_running(&self, name: &str, flags: &[&str], command: &str) {
        let target = format!("={name}:");
        let new = [&["new-session", "-d", "-s", name], flags, &[command]].concat();
        let keep = [";", "set-option", "-t", &target, "destroy-unattached", "off"];
        self.tmux_ok(&[&new[..], &keep].concat());
    }

    /// The environment every process a test starts gets, and nothing else.
    pub fn base_env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        let root = self.tmp.path();
        vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
            ("HOME", root.into()),
            ("XDG_CONFIG_HOME", root.join(".config").into()),
            ("XDG_STATE_HOME", root.join(".local/state").into()),
            ("XDG_DATA_HOME", root.join(".local/share").into()),
            ("XDG_CACHE_HOME", root.join(".cache").into()),
            ("CODEX_HOME", root.join(".codex").into()),
            ("CXS_CONFIG", root.join(".config/cxs/config.toml").into()),
            ("TMUX_TMPDIR", self.tmux_tmpdir().into()),
        ]
    }

    /// `cxs` with this environment's home, socket and fake agent, in the work directory.
    pub fn cxs<S: AsRef<OsStr>>(&self, args: &[S]) -> Cxs {
        self.cxs_from(&[], args)
    }

    /// [`TestEnv::cxs`] started by `wrapper ...` (a script that sets up the caller's
    /// process, then runs `"$@"`).
    pub fn cxs_from<S: AsRef<OsStr>>(&self, wrapper: &[&Path], args: &[S]) -> Cxs {
        let cxs = Path::new(env!("CARGO_BIN_EXE_cxs"));
        let (program, before) = match wrapper.split_first() {
            Some((program, rest)) => (*program, [rest, &[cxs]].concat()),
            None => (cxs, Vec::new()),
        };
        let mut command = Command::new(program);
        command
            .args(before)
            .args(args)
            .env_clear()
            .envs(self.base_env())
            .env("CXS_HOME", self.home())
            .env("CXS_TMUX_SOCKET", &self.socket)
            .env("CXS_CODEX_BIN", fake_agent())
            .current_dir(self.work());
        Cxs { command, stdin: None }
    }

    /// Starts an exec session with extra environment and returns its id.
    #[track_caller]
    pub fn new_exec(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let mut cxs = self.cxs(&[&["new", "exec"], args].concat());
        for (key, value) in env {
            cxs = cxs.env(key, value);
        }
        cxs.success().trim().to_owned()
    }

    /// Runs tmux on this environment's server.
    pub fn tmux<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.tmux_on(&self.socket, args)
    }

    /// Runs tmux on the server at socket name `socket`.
    fn tmux_on<S: AsRef<OsStr>>(&self, socket: &str, args: &[S]) -> Output {
        // -u: read back unmangled without a locale, as cxs does.
        Command::new("tmux")
            .arg("-u")
            .arg("-L")
            .arg(socket)
            .args(args)
            .env_clear()
            .envs(self.base_env())
            .output()
            .unwrap()
    }

    /// Runs tmux and returns stdout, failing the test when tmux fails.
    #[track_caller]
    pub fn tmux_ok<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let output = self.tmux(args);
        assert!(
            output.status.success(),
            "tmux failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The tmux session name of cxs session `id`, as tmux has it (`@cxs-id`).
    #[track_caller]
    pub fn tmux_name(&self, id: &str) -> String {
        let listing = self.tmux_ok(&["list-sessions", "-F", "#{@cxs-id} #{session_name}"]);
        let found = listing.lines().find_map(|line| line.strip_prefix(&format!("{id} ")));
        found.unwrap_or_else(|| panic!("no tmux session for {id} in:\n{listing}")).to_owned()
    }

    /// Another tmux server beside this one's, under the same temp dir; killed on drop.
    pub fn second_server(&self, name: &str) -> Server<'_> {
        Server { env: self, socket: format!("{}-{name}", self.socket) }
    }

    /// The names of every tmux session on the server.
    pub fn tmux_sessions(&self) -> Vec<String> {
        session_names(&self.tmux(&["list-sessions", "-F", "#{session_name}"]))
    }

    /// Where tmux puts this test's socket, so it goes with the temp dir.
    pub fn tmux_tmpdir(&self) -> PathBuf {
        self.tmp.path().to_owned()
    }

    /// Writes an executable bash script `name` into the test's directory.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.root().join(name);
        std::fs::write(&path, format!("#!/usr/bin/env bash\n{body}")).unwrap();
        let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(&path, executable).unwrap();
        path
    }

    /// `CXS_HOME`.
    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// The directory `cxs` runs in.
    pub fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    /// The temp directory everything lives in.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The tmux socket name.
    pub fn socket(&self) -> &str {
        &self.socket
    }

    /// A session's state directory.
    pub fn session_dir(&self, id: &str) -> PathBuf {
        self.home().join("sessions").join(id)
    }

    /// A session's raw log.
    pub fn log(&self, id: &str) -> String {
        String::from_utf8_lossy(
            &std::fs::read(self.session_dir(id).join("log")).unwrap_or_default(),
        )
        .into_owned()
    }

    /// Waits until the session's log contains `needle`.
    #[track_caller]
    pub fn wait_for_log(&self, id: &str, needle: &str) {
        wait_until(&format!("log of {id} to contain {needle:?}"), || self.log(id).contains(needle));
    }

    /// `cxs list --json`, parsed.
    #[track_caller]
    pub fn list_json(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&self.cxs(&["list", "--json"]).success()).unwrap()
    }

    /// The `list --json` row of one session.
    #[track_caller]
    pub fn row(&self, id: &str) -> serde_json::Value {
        self.list_json().into_iter().find(|r| r["id"] == id).expect("session is listed")
    }

    /// Waits until the session's status in `list --json` is `status`.
    #[track_caller]
    pub fn wait_for_status(&self, id: &str, status: &str) -> serde_json::Value {
        let mut row = serde_json::Value::Null;
        wait_until(&format!("{id} to be {status}"), || {
            row = self.row(id);
            row["status"] == status
        });
        row
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        // tmux 3.3a told to exit in the middle of other clients' commands can stay alive
        // without its socket, holding its pipe-pane writers: make sure the first server
        // ends. (A server that cxs started later is the one kill-server reached.)
        let deadline = Instant::now() + Duration::from_secs(2);
        while alive(self.server) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let cmdline = std::fs::read(format!("/proc/{}/cmdline", self.server)).unwrap_or_default();
        if alive(self.server) && String::from_utf8_lossy(&cmdline).contains(&self.socket) {
            // SAFETY: kill has no memory effects; the cmdline check guards against pid reuse.
            unsafe { libc::kill(self.server as i32, libc::SIGKILL) };
        }
    }
}

/// A second tmux server of a test, from [`TestEnv::second_server`].
pub struct Server<'a> {
    env: &'a TestEnv,
    socket: String,
}

impl Server<'_> {
    /// Its socket name.
    pub fn socket(&self) -> &str {
        &self.socket
    }

    /// The names of every tmux session on it.
    pub fn tmux_sessions(&self) -> Vec<String> {
        session_names(&self.env.tmux_on(&self.socket, &["list-sessions", "-F", "#{session_name}"]))
    }

    /// Runs tmux on it and returns stdout, whatever the exit status.
    pub fn tmux(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.env.tmux_on(&self.socket, args).stdout).into_owned()
    }
}

impl Drop for Server<'_> {
    fn drop(&mut self) {
        let _ = self.env.tmux_on(&self.socket, &["kill-server"]);
    }
}

fn session_names(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

/// A `cxs` invocation being built; it must end in an assertion.
#[must_use]
pub struct Cxs {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Cxs {
    /// Adds an environment variable.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Feeds `text` to standard input.
    pub fn stdin(self, text: &str) -> Self {
        self.stdin_bytes(text.as_bytes())
    }

    /// Feeds `bytes`, which need not be UTF-8, to standard input.
    pub fn stdin_bytes(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Runs without asserting.
    pub fn output(mut self) -> Output {
        let Some(input) = self.stdin else {
            return self.command.stdin(Stdio::null()).output().unwrap();
        };
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs, asserts exit 0 and an empty stderr, returns stdout.
    #[track_caller]
    pub fn success(self) -> String {
        let (stdout, stderr) = self.success_with_stderr();
        assert_eq!(stderr, "", "cxs succeeded but printed on stderr");
        stdout
    }

    /// Runs, asserts exit 0, returns stdout and stderr (for a run that should warn).
    #[track_caller]
    pub fn success_with_stderr(self) -> (String, String) {
        let output = self.output();
        assert!(
            output.status.success(),
            "cxs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    }

    /// Runs, asserts exit 0 or `code` (for a race either may win).
    #[track_caller]
    pub fn success_or_code(self, code: i32) {
        let output = self.output();
        assert!(
            output.status.success() || output.status.code() == Some(code),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs, asserts exit `code` and empty stdout, returns stderr.
    #[track_caller]
    pub fn fails(self, code: i32) -> String {
        let output = self.output();
        assert_eq!(
            output.status.code(),
            Some(code),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout), "");
        String::from_utf8(output.stderr).unwrap()
    }
}

impl From<Cxs> for Command {
    fn from(cxs: Cxs) -> Command {
        cxs.command
    }
}

/// Says a test is skipped on the real stderr, which the test harness does not capture; under
/// CI (`CI=true`), where `.ci/run` installs the real agents, a test that cannot run fails
/// instead.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    assert!(std::env::var_os("CI").is_none_or(|ci| ci != "true"), "{test} cannot run in CI: {why}");
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {test}: {why} ***\n");
}

/// The stand-in agent.
pub fn fake_agent() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-agent")
}

/// The arguments the fake agent wrote to `FAKE_AGENT_ARGV`, less the notify hook cxs adds
/// for Codex (`--config notify=[...]`): what the user asked for.
pub fn agent_args(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).unwrap();
    let mut args: Vec<String> = bytes
        .strip_suffix(b"\0")
        .unwrap_or(&bytes)
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if let Some(i) = args.iter().position(|a| a.starts_with("notify=[")) {
        assert_eq!(args[i - 1], "--config");
        args.drain(i - 1..=i);
    }
    args
}

/// Polls `condition` every 20 ms for up to 10 s.
#[track_caller]
pub fn wait_until(what: &str, condition: impl FnMut() -> bool) {
    wait_until_or_show(what, condition, String::new);
}

/// [`wait_until`], and on timeout the failure shows what `state` says then.
#[track_caller]
pub fn wait_until_or_show(
    what: &str,
    mut condition: impl FnMut() -> bool,
    state: impl Fn() -> String,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}\n{}", state());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process is alive (a zombie waiting to be reaped counts as gone).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// Insta settings that hide what changes between runs: the temp dir, times, pids.
pub fn snapshot_settings(env: &TestEnv) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&env.root().display().to_string()), "[TMP]");
    settings.add_filter(&regex::escape(env!("CARGO_BIN_EXE_cxs")), "[CXS]");
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", "[TIME]");
    // Same width as the table's dates, so columns stay aligned in snapshots.
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d", "YYYY-MM-DD HH:MM");
    settings
}

/// Live processes carrying a session's `CXS_SESSION_DIR` in their environment.
pub fn marked_processes(dir: &Path) -> Vec<u32> {
    let wanted = [b"CXS_SESSION_DIR=".as_slice(), dir.as_os_str().as_encoded_bytes()].concat();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| alive(*pid))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|var| var == wanted.as_slice()))
        })
        .collect()
}
