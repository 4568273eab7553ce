//! `--host`: cxs on a "remote" host over a real sshd on loopback (this machine, under another
//! `CXS_HOME` and tmux socket), started by the test with its own host and user keys.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::common::{TestEnv, fake_agent, skip, wait_until, wait_until_or_show};

/// A private sshd; killed when dropped.
struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
}

impl Sshd {
    fn start(env: &TestEnv) -> Option<Sshd> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.exists() {
            skip("remote", "no /usr/sbin/sshd (.ci/run installs openssh-server)");
            return None;
        }
        let dir = env.root().join("sshd");
        std::fs::create_dir_all(&dir).unwrap();
        let keygen = |path: &Path| {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(path)
                .status()
                .unwrap();
            assert!(status.success());
        };
        keygen(&dir.join("host"));
        keygen(&dir.join("user"));
        std::fs::copy(dir.join("user.pub"), dir.join("authorized_keys")).unwrap();
        // sshd as root wants its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {keys}\n\
             PidFile {pid}\nStrictModes no\nUsePAM no\nPermitRootLogin yes\nPasswordAuthentication no\n",
            host = dir.join("host").display(),
            keys = dir.join("authorized_keys").display(),
            pid = dir.join("pid").display(),
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stderr(std::fs::File::create(dir.join("log")).unwrap())
            .spawn()
            .unwrap();
        wait_until("sshd to listen", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        Some(Sshd { child, port, key: dir.join("user") })
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The config naming the host `box`: this machine over the test's sshd, its cxs under
/// another state directory and tmux socket.
fn host_config(env: &TestEnv, sshd: &Sshd) -> PathBuf {
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let table = host_table(env, sshd, "box", Some(env!("CARGO_BIN_EXE_cxs")), &[]);
    std::fs::write(&config, table).unwrap();
    env.root().join("remote-home")
}

/// `[hosts.NAME]` for this machine over the test's sshd, its `env` given as a list: the
/// remote side's settings (state, socket, stand-in agent, the installed copy's place under
/// the test's directory), then `more`.
fn host_table(env: &TestEnv, sshd: &Sshd, name: &str, cxs: Option<&str>, more: &[&str]) -> String {
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let root = env.root();
    let settings = [
        format!("CXS_HOME={}", root.join("remote-home").display()),
        format!("CXS_TMUX_SOCKET={}-remote", env.socket()),
        format!("TMUX_TMPDIR={}", env.tmux_tmpdir().display()),
        format!("CXS_CODEX_BIN={}", fake_agent().display()),
        "CXS_CONFIG=/nonexistent".to_owned(),
        format!("XDG_STATE_HOME={}", root.join("remote-state").display()),
        format!("PATH={}", std::env::var("PATH").unwrap_or_default()),
    ];
    let entries: Vec<String> = settings
        .iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .map(|e| format!("{e:?}"))
        .collect();
    let cxs = cxs.map(|c| format!("cxs = {c:?}\n")).unwrap_or_default();
    format!(
        "[hosts.{name}]\nssh = \"{user}@127.0.0.1\"\nport = {port}\nidentity = {key:?}\n\
         options = [\"-F\", \"/dev/null\", \"-o\", \"StrictHostKeyChecking=no\", \"-o\", \"UserKnownHostsFile=/dev/null\", \"-o\", \"LogLevel=ERROR\"]\n\
         {cxs}env = [{entries}]\n",
        user = user.trim(),
        port = sshd.port,
        key = sshd.key.to_str().unwrap(),
        entries = entries.join(", "),
    )
}

/// An `ssh` for the front of PATH that writes its arguments to `ssh-calls`, then runs ssh.
fn ssh_recorder(env: &TestEnv) -> PathBuf {
    let bin = env.root().join("recording-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real = String::from_utf8(
        Command::new("sh").args(["-c", "command -v ssh"]).output().unwrap().stdout,
    )
    .unwrap();
    let log = env.root().join("ssh-calls");
    let script = env.script(
        "ssh-recorder",
        &format!("printf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n", log.display(), real.trim()),
    );
    std::fs::rename(script, bin.join("ssh")).unwrap();
    bin
}

/// PATH with `first` in front.
fn path_with(first: &Path) -> String {
    format!("{}:{}", first.display(), std::env::var("PATH").unwrap_or_default())
}

/// The command lines that mention both `home` and `needle`.
fn processes_with(home: &str, needle: &str) -> Vec<String> {
    command_lines().into_iter().filter(|l| l.contains(home) && l.contains(needle)).collect()
}

/// Sends `child` SIGTERM, reaps it, and waits until `left` finds nothing.
fn terminate_and_see_none_left(mut child: std::process::Child, left: impl Fn() -> Vec<String>) {
    // SAFETY: kill has no memory effects.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    child.wait().unwrap();
    wait_until_or_show("nothing left", || left().is_empty(), || format!("{:?}", left()));
}

/// Every process's command line, as text.
fn command_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
            lines.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
        }
    }
    lines
}

#[test]
fn a_command_runs_on_the_host_and_a_hostile_prompt_arrives_exactly() {
    let env = TestEnv::new();
    let Some(sshd) = Sshd::start(&env) else { return };
    let _remote_server = env.second_server("remote");
    let remote = host_config(&env, &sshd);
    let prompt = "it's \"quoted\" $(touch /tmp/pwned-by-cxs-test); `id` ; a\nnewline \u{e9}";
    let id = env.cxs(&["--host", "box", "new", "exec", "--id", "far", prompt]).success();
    assert_eq!(id, "far\n");
    // It ran there, not here.
    assert!(remote.join("sessions/far").is_dir());
    assert!(!env.home().join("sessions/far").exists());
    assert!(!Path::new("/tmp/pwned-by-cxs-test").exists(), "nothing ran on the host's shell");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&env.cxs(&["list", "--json", "--host", "box"]).success()).unwrap();
    assert_eq!((rows[0]["id"].as_str(), rows[0]["prompt"].as_str()), (Some("far"), Some(prompt)));
    // CXS_HOST does the same, and the remote exit status comes back.
    let missing = env.cxs(&["logs", "nope"]).env("CXS_HOST", "box").output();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no session matches 'nope'"));
    // One table for here and every host; a host that is down is a warning under it.
    let mut config = std::fs::read_to_string(env.root().join(".config/cxs/config.toml")).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = format!(
        "[hosts.down]\nssh = \"nobody@127.0.0.1\"\nport = {closed}\noptions = [\"-F\", \"/dev/null\", \"-o\", \"ConnectTimeout=3\"]\n"
    );
    config.push_str(&down);
    std::fs::write(env.root().join(".config/cxs/config.toml"), config).unwrap();
    env.cxs(&["new", "cmd", "--id", "near", "sleep", "30"]).success();
    let (table, warned) = env.cxs(&["list", "--all"]).success_with_stderr();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("HOST   #  ID"), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("local  0  near")), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("box    0  far")), "{table}");
    assert!(warned.starts_with("warning: host 'down': "), "{warned}");
    let json: Vec<serde_json::Value> =
        serde_json::from_str(&env.cxs(&["list", "--all", "--json"]).success_with_stderr().0)
            .unwrap();
    let hosts: Vec<&str> = json.iter().map(|r| r["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["local", "box"]);
    env.cxs(&["--host", "box", "delete", "far"]).success();
    assert!(!remote.join("sessions/far").exists());
    // Connections are shared: the master's socket lives in cxs's own 0700 directory.
    let sockets = env.home().join("ssh");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&sockets).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o700);
    let _ = Command::new("ssh")
        .args(["-o", &format!("ControlPath={}/%C", sockets.display()), "-O", "exit", "-p"])
        .arg(sshd.port.to_string())
        .arg("127.0.0.1")
        .output();
    // An agent's own --host and --env are its own: only cxs's go.
    let agent = fake_agent();
    let agent = agent.to_str().unwrap();
    env.cxs(&["new", "cmd", "--id", "raw", agent, "--env", "prod", "--host", "example.com"])
        .env("CXS_HOST", "box")
        .success();
    wait_until("the agent's arguments", || {
        env.cxs(&["logs", "box:raw"]).success().contains("arg[4]=example.com")
    });
    let log = env.cxs(&["logs", "box:raw"]).success();
    assert!(log.contains("arg[1]=--env\narg[2]=prod\narg[3]=--host\n"), "{log}");
    // Commands about this machine stay here, whatever CXS_HOST says.
    let here = env.cxs(&["--host", "box", "hosts"]).fails(2);
    assert!(here.contains("`hosts` runs here"), "{here}");
    let (hosts, _) = env.cxs(&["hosts"]).env("CXS_HOST", "box").success_with_stderr();
    assert!(hosts.starts_with("HOST"), "{hosts}");
    let unknown = env.cxs(&["--host", "nowhere", "list"]).fails(1);
    assert!(unknown.contains("unknown host 'nowhere'"), "{unknown}");
}

#[test]
fn sessions_on_a_host_are_named_host_colon_id_and_forwarded_values_stay_off_command_lines() {
    let env = TestEnv::new();
    let Some(sshd) = Sshd::start(&env) else { return };
    let remote_server = env.second_server("remote");
    let outer = TestEnv::new();
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    // `env` names forwarded from here (FAKE_AGENT_*), and one more with --env.
    let forwarded = ["FAKE_AGENT_ENV", "FAKE_AGENT_STDIN"];
    let table = host_table(&env, &sshd, "box", Some(env!("CARGO_BIN_EXE_cxs")), &forwarded);
    std::fs::write(&config, table).unwrap();
    let bin = ssh_recorder(&env);
    let secret = "s3cret-value-7f1d";
    let id = env
        .cxs(&["--host", "box", "new", "exec", "--id", "far", "--env", "CXS_TEST_SECRET", "hi"])
        .env("PATH", path_with(&bin))
        .env("CXS_TEST_SECRET", secret)
        .env("FAKE_AGENT_ENV", "CXS_TEST_SECRET")
        .env("FAKE_AGENT_STDIN", "1")
        .success();
    assert_eq!(id, "far\n");
    wait_until("the agent to print the forwarded value", || {
        env.cxs(&["logs", "box:far"]).success().contains(&format!("env CXS_TEST_SECRET={secret}"))
    });
    // Not on any command line: not ssh's, not one of the processes still running.
    let calls = std::fs::read_to_string(env.root().join("ssh-calls")).unwrap();
    assert!(calls.contains(" __remote - box --host box new exec"), "{calls}");
    assert!(!calls.contains(secret), "{calls}");
    assert!(command_lines().iter().all(|line| !line.contains(secret)));
    // The command's own standard input follows the values.
    env.cxs(&["--env", "CXS_TEST_SECRET", "send", "box:far", "-"])
        .env("CXS_TEST_SECRET", secret)
        .stdin("piped through\n")
        .success();
    wait_until("the piped line to reach the agent", || {
        env.cxs(&["logs", "box:0"]).success().contains("echo: piped through")
    });
    // Completion offers the host's sessions as HOST:ID.
    let words = env
        .cxs(&["--", "cxs", "logs", "b"])
        .env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .success();
    assert_eq!(words, "box:far");
    // A value that is not set here is an error; --env without a host is a usage error.
    let unset = env.cxs(&["--env", "NOT_SET_HERE", "logs", "box:far"]).fails(1);
    assert!(unset.contains("--env NOT_SET_HERE: it is not set here"), "{unset}");
    let nowhere = env.cxs(&["--env", "CXS_TEST_SECRET", "list"]).fails(2);
    assert!(nowhere.contains("--env forwards to a host"), "{nowhere}");
    // One host per command.
    env.cxs(&["new", "cmd", "--id", "near", "sleep", "30"]).success();
    let mixed = env.cxs(&["delete", "box:far", "near"]).fails(2);
    assert!(mixed.contains("one host per command"), "{mixed}");
    let two = env.cxs(&["wait", "box:far", "gpu:x"]).fails(2);
    assert!(two.contains("one host per command"), "{two}");
    // attach at a terminal: ssh -t, and a client of the host's tmux on the session.
    let command = format!(
        "env -i TERM=\"$TERM\" HOME='{home}' PATH='{path}' CXS_HOME='{cxs_home}' CXS_CONFIG='{config}' '{cxs}' attach box:far; sleep 100",
        home = env.root().display(),
        path = path_with(&bin),
        cxs_home = env.home().display(),
        config = config.display(),
        cxs = env!("CARGO_BIN_EXE_cxs"),
    );
    outer.user_session_running("terminal", &["-x", "120", "-y", "40"], &command);
    wait_until_or_show(
        "a client of the host's tmux on far",
        || remote_server.tmux(&["list-clients", "-F", "#{session_name}"]).contains("far"),
        || outer.tmux_ok(&["capture-pane", "-p", "-t", "=terminal:"]),
    );
    let calls = std::fs::read_to_string(env.root().join("ssh-calls")).unwrap();
    assert!(calls.lines().any(|l| l.contains(" -t ") && l.ends_with(" attach box:far")), "{calls}");
    drop(outer);
    // A command that reads no input leaves it to what runs next (a `while read` loop), and
    // a selector after `--` is a selector all the same.
    let then_cat = env.script("then-cat", "\"$@\" >/dev/null; cat");
    let rest = env.cxs_from(&[&then_cat], &["capture", "--", "box:far"]).stdin("rest\n").success();
    assert_eq!(rest, "rest\n");
    // A follower killed here ends there too: no ssh, no remote follower left behind.
    let home = env.root().display().to_string();
    let followers = || processes_with(&home, "logs -f");
    let follower = Command::from(env.cxs(&["logs", "-f", "box:far"]))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the follow to run there", || followers().len() >= 2);
    terminate_and_see_none_left(follower, followers);
    // logs -f over ssh ends with the agent, and delete takes HOST:INDEX.
    env.cxs(&["send", "box:far", "exit 3"]).success();
    let followed = env.cxs(&["logs", "-f", "box:far"]).success();
    assert!(followed.contains("echo: piped through"), "{followed}");
    env.cxs(&["delete", "box:0"]).success();
    assert!(!env.root().join("remote-home/sessions/far").exists());
    // Every one of these calls went over one connection.
    let log = std::fs::read_to_string(env.root().join("sshd/log")).unwrap();
    assert_eq!(log.matches("Accepted publickey").count(), 1, "{log}");
}

/// The config naming three hosts: `fresh` (this machine, cxs to be installed), `mac` (one
/// whose `uname` says it is a Mac) and `gone` (a closed port).
fn three_hosts(env: &TestEnv, sshd: &Sshd) {
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    // A host that says it is a Mac.
    let fake = env.root().join("fake-uname");
    std::fs::create_dir_all(&fake).unwrap();
    let uname = env.script("uname", "case $1 in -s) echo Darwin;; *) echo arm64;; esac");
    std::fs::rename(uname, fake.join("uname")).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let text = [
        host_table(env, sshd, "fresh", None, &[]),
        host_table(env, sshd, "mac", None, &[])
            .replace("\"PATH=", &format!("\"PATH={}:", fake.display()))
            .replace("remote-state", "mac-state"),
        format!("[hosts.gone]\nssh = \"nobody@127.0.0.1\"\nport = {closed}\noptions = [\"-F\", \"/dev/null\"]\n"),
    ]
    .concat();
    std::fs::write(&config, text).unwrap();
}

#[test]
fn the_first_use_installs_cxs_there_and_hosts_reports_what_each_host_runs() {
    let env = TestEnv::new();
    let Some(sshd) = Sshd::start(&env) else { return };
    let _remote_server = env.second_server("remote");
    three_hosts(&env, &sshd);
    let version = env!("CARGO_PKG_VERSION");
    let installed = env.root().join(format!("remote-state/cxs/bin/{version}/cxs"));
    // The first command installs cxs there before anything reads its standard input.
    let (_, said) = env
        .cxs(&["--host", "fresh", "new", "exec", "--id", "piped", "-"])
        .stdin("fix the bug")
        .success_with_stderr();
    assert!(said.contains(&format!("installing cxs {version} on 'fresh'")), "{said}");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&env.cxs(&["--host", "fresh", "list", "--json"]).success()).unwrap();
    assert_eq!(rows[0]["prompt"], "fix the bug");
    let mode = std::fs::metadata(&installed).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o700);
    let again = env.cxs(&["hosts", "install", "fresh"]).success();
    assert_eq!(again, format!("cxs {version} already installed on 'fresh'\n"));
    let mac = env.cxs(&["hosts", "install", "mac"]).fails(1);
    assert!(
        mac.contains("host 'mac' is Darwin arm64, and this cxs is built for linux x86_64"),
        "{mac}"
    );
    assert!(mac.contains("set cxs = \"/path/to/cxs\" in [hosts.mac]"), "{mac}");
    // A copy removed since: the next command installs it again; one whose input ssh took
    // already says to run it again rather than run it without.
    std::fs::remove_file(&installed).unwrap();
    let again =
        env.cxs(&["--host", "fresh", "new", "exec", "--id", "again", "-"]).stdin("x").fails(1);
    assert!(
        again.contains("cxs was not installed on 'fresh' (it is now): run the command again"),
        "{again}"
    );
    assert!(installed.exists());
    // A copy that differs is a version mismatch, and install replaces it.
    // (Replaced as install does, by a rename: the copy runs the session started above.)
    std::fs::copy("/bin/true", installed.with_extension("other")).unwrap();
    std::fs::rename(installed.with_extension("other"), &installed).unwrap();
    let (table, warned) = env.cxs(&["hosts"]).success_with_stderr();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("HOST   SSH"), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("gone") && l.ends_with("down")), "{table}");
    let fresh = lines.iter().find(|l| l.starts_with("fresh")).unwrap();
    assert!(fresh.contains(" tmux ") || fresh.contains(" 3."), "{table}");
    assert!(fresh.ends_with(" ms"), "{table}");
    assert!(warned.contains("warning: host 'gone' does not answer"), "{warned}");
    assert!(warned.contains("warning: host 'fresh' runs cxs true (GNU coreutils)"), "{warned}");
    assert!(warned.contains("warning: host 'mac' is Darwin arm64, and this cxs"), "{warned}");
    let replaced = env.cxs(&["hosts", "install", "fresh"]).success();
    assert_eq!(replaced, format!("cxs {version} installed on 'fresh'\n"));
    let (_, warned) = env.cxs(&["hosts"]).success_with_stderr();
    assert!(!warned.contains("'fresh'"), "{warned}");
}

#[test]
fn status_line_and_events_take_every_host_and_followers_end_with_their_reader() {
    let env = TestEnv::new();
    let Some(sshd) = Sshd::start(&env) else { return };
    let _remote_server = env.second_server("remote");
    three_hosts(&env, &sshd);
    let (_, said) = env
        .cxs(&["--host", "fresh", "new", "cmd", "--id", "far", "sleep", "30"])
        .success_with_stderr();
    assert!(said.contains("installing cxs"), "{said}");
    env.cxs(&["new", "cmd", "--id", "near", "sleep", "30"]).success();
    wait_until("both to run", || {
        env.cxs(&["status-line", "--all"]).output().stdout.starts_with(b"cxs 2 running")
    });
    // tmux-conf's status segment counts them too, once hosts are configured.
    assert!(env.cxs(&["tmux-conf"]).success().contains(" status-line --all)"));
    let status = env.cxs(&["status-line", "--all"]).success();
    assert_eq!(status, "cxs 2 running (not counted: gone mac)\n");
    let (events, _) = env.cxs(&["events", "--all"]).success_with_stderr();
    assert!(events.lines().any(|l| l.contains("  fresh  far  cmd  created")), "{events}");
    assert!(events.lines().any(|l| l.contains("  local  near  cmd  created")), "{events}");
    let (json, _) = env.cxs(&["events", "--all", "--json"]).success_with_stderr();
    assert!(json.lines().any(|l| l.contains(r#""host":"fresh""#)), "{json}");
    // Following every host: ended by a signal, it leaves no ssh call or remote follower.
    let out = env.root().join("followed");
    let follower = Command::from(env.cxs(&["events", "--all", "-f"]))
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let home = env.root().display().to_string();
    let followers = || processes_with(&home, "events --json");
    wait_until("the hosts' past events", || {
        std::fs::read_to_string(&out).unwrap().contains("  fresh  far  cmd  created")
    });
    assert!(followers().len() >= 2, "an ssh call and a remote follower: {:?}", followers());
    terminate_and_see_none_left(follower, followers);
    // Its reader gone, it ends by itself, and so do its calls.
    let mut follower = Command::from(env.cxs(&["events", "--all", "-f"]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the calls to start", || followers().len() >= 2);
    drop(follower.stdout.take());
    wait_until("the follower to end", || follower.try_wait().unwrap().is_some());
    wait_until_or_show("no call left", || followers().is_empty(), || format!("{:?}", followers()));
}
