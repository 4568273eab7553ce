//! `--host`: cxs on a "remote" host over a real sshd on loopback (this machine, under another
//! `CXS_HOME` and tmux socket), started by the test with its own host and user keys.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::common::{TestEnv, fake_agent, skip, wait_until};

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
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let remote = env.root().join("remote-home");
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let text = format!(
        "[hosts.box]\nssh = \"{user}@127.0.0.1\"\nport = {port}\nidentity = {key:?}\n\
         options = [\"-F\", \"/dev/null\", \"-o\", \"StrictHostKeyChecking=no\", \"-o\", \"UserKnownHostsFile=/dev/null\", \"-o\", \"LogLevel=ERROR\"]\n\
         cxs = {cxs:?}\n\
         env = {{ CXS_HOME = {home:?}, CXS_TMUX_SOCKET = \"{socket}-remote\", TMUX_TMPDIR = {tmp:?}, CXS_CODEX_BIN = {agent:?}, CXS_CONFIG = \"/nonexistent\", PATH = {path:?} }}\n",
        user = user.trim(),
        port = sshd.port,
        key = sshd.key.to_str().unwrap(),
        cxs = env!("CARGO_BIN_EXE_cxs"),
        home = remote.to_str().unwrap(),
        socket = env.socket(),
        tmp = env.tmux_tmpdir().to_str().unwrap(),
        agent = fake_agent().to_str().unwrap(),
        path = std::env::var("PATH").unwrap_or_default(),
    );
    std::fs::write(&config, text).unwrap();
    remote
}

#[test]
fn a_command_runs_on_the_host_and_a_hostile_prompt_arrives_exactly() {
    let env = TestEnv::new();
    let Some(sshd) = Sshd::start(&env) else { return };
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
    let unknown = env.cxs(&["--host", "nowhere", "list"]).fails(1);
    assert!(unknown.contains("unknown host 'nowhere'"), "{unknown}");
}
