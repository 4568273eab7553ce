//! Faults, races and hostile input: each ends in a clear error or a correct result, never in
//! an orphan process, a half-created session or a lost log.

use std::io::Read;
use std::time::Duration;

use crate::common::{TestEnv, agent_args, alive, fake_agent, wait_until};

/// The pids an agent printed as `NAME PID` lines.
fn printed_pids(env: &TestEnv, id: &str, names: &[&str]) -> Vec<u32> {
    let log = env.log(id);
    names
        .iter()
        .map(|name| {
            let line = log.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap();
            line.split_whitespace().nth(1).unwrap().trim().parse().unwrap()
        })
        .collect()
}

#[test]
fn delete_ends_agents_that_ignore_signals_and_escape_their_group() {
    let env = TestEnv::new();
    let stubborn = env.script(
        "stubborn",
        "trap '' HUP TERM\nsetsid sleep 1000 &\necho \"escaped $!\"\n\
         (trap '' HUP TERM; exec sleep 1001) &\necho \"child $!\"\necho \"self $$\"\n\
         while :; do sleep 0.1; done\n",
    );
    let id =
        env.cxs(&["new", "cmd", "--id", "stubborn", "--", stubborn.to_str().unwrap()]).success();
    assert_eq!(id, "stubborn\n");
    wait_until("the agent to report", || env.log("stubborn").contains("self "));
    let pids = printed_pids(&env, "stubborn", &["escaped", "child", "self"]);
    assert!(pids.iter().all(|p| alive(*p)));
    env.cxs(&["delete", "stubborn"]).success();
    wait_until("every process to end", || pids.iter().all(|p| !alive(*p)));
}

#[test]
fn delete_ends_agents_that_outlived_their_tmux_server() {
    let env = TestEnv::new();
    let survivor =
        env.script("survivor", "trap '' HUP\necho \"self $$\"\nwhile :; do sleep 0.1; done\n");
    env.cxs(&["new", "cmd", "--id", "survivor", "--", survivor.to_str().unwrap()]).success();
    wait_until("the agent to report", || env.log("survivor").contains("self "));
    let pid = printed_pids(&env, "survivor", &["self"])[0];
    env.tmux_ok(&["kill-server"]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(alive(pid), "it ignores SIGHUP, so it survives tmux");
    assert_eq!(env.row("survivor")["status"], "lost");
    env.cxs(&["delete", "survivor"]).success();
    wait_until("the survivor to end", || !alive(pid));
}

#[test]
fn two_deletes_of_one_session_both_succeed() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "twice", "x"]);
    let a = std::process::Command::from(env.cxs(&["delete", "twice"])).spawn().unwrap();
    let b = std::process::Command::from(env.cxs(&["delete", "twice"])).spawn().unwrap();
    for mut child in [a, b] {
        let status = child.wait().unwrap();
        assert!(status.success() || status.code() == Some(1), "{status}");
    }
    assert_eq!(env.list_json().len(), 0);
    assert_eq!(std::fs::read_dir(env.home().join("sessions")).unwrap().count(), 0);
}

#[test]
fn twenty_parallel_news_all_get_their_own_session() {
    let env = TestEnv::new();
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut command = std::process::Command::from(
                env.cxs(&["new", "exec", "x"]).env("FAKE_AGENT_SLEEP", "30"),
            );
            command.stdout(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let mut ids: Vec<String> = children
        .into_iter()
        .map(|c| {
            let output = c.wait_with_output().unwrap();
            assert!(output.status.success());
            String::from_utf8(output.stdout).unwrap().trim().to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let rows = env.list_json();
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r["status"] == "running"), "{rows:?}");
}

#[test]
fn interrupting_new_leaves_whole_sessions_or_nothing() {
    let env = TestEnv::new();
    for delay_ms in 0..12 {
        let mut child = std::process::Command::from(
            env.cxs(&["new", "exec", "x"]).env("FAKE_AGENT_SLEEP", "30"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        child.wait().unwrap();
    }
    wait_until("no half-created session", || {
        let rows = env.list_json();
        let tmux = env.tmux_sessions();
        rows.iter().all(|r| r["status"] == "running")
            && tmux.iter().filter(|s| s.starts_with("cxs-")).count() == rows.len()
    });
}

#[test]
fn a_hostile_cxs_home_still_works() {
    let env = TestEnv::new();
    let home = env.root().join("it's a \"home\" #1 %s; $(touch pwned) `x`");
    let id = env.cxs(&["new", "exec", "--id", "odd", "hello"]).env("CXS_HOME", &home).success();
    assert_eq!(id, "odd\n");
    wait_until("the log", || {
        std::fs::read_to_string(home.join("sessions/odd/log"))
            .unwrap_or_default()
            .contains("exiting with 0")
    });
    let logs = env.cxs(&["logs", "odd"]).env("CXS_HOME", &home).success();
    assert!(logs.contains("arg[5]=hello"), "{logs}");
    assert!(!env.work().join("pwned").exists());
    env.cxs(&["delete", "odd"]).env("CXS_HOME", &home).success();

    // Where the OS allows it, a home that is not UTF-8.
    let raw = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"home-\xff-bytes");
    let home = env.root().join(raw);
    env.cxs(&["new", "exec", "--id", "bytes", "hello"]).env("CXS_HOME", &home).success();
    wait_until("the log", || {
        std::fs::read_to_string(home.join("sessions/bytes/log"))
            .unwrap_or_default()
            .contains("exiting with 0")
    });
    assert_eq!(
        env.cxs(&["list", "--json"]).env("CXS_HOME", &home).success().matches("\"bytes\"").count(),
        1
    );
    env.cxs(&["delete", "bytes"]).env("CXS_HOME", &home).success();
}

#[test]
fn huge_and_invalid_prompts() {
    let env = TestEnv::new();
    let argv_file = env.root().join("argv");
    let prompt = "é".repeat(50 * 1024);
    env.new_exec(&[("FAKE_AGENT_ARGV", argv_file.to_str().unwrap())], &["--id", "big", &prompt]);
    env.wait_for_status("big", "exited");
    assert_eq!(agent_args(&argv_file), ["exec", "--", &prompt]);
    assert_eq!(env.row("big")["prompt"].as_str().unwrap().len(), 100 * 1024);
    let invalid = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bad \xff");
    let output =
        std::process::Command::from(env.cxs(&["new", "exec"])).arg(invalid).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn a_sidecar_from_a_newer_cxs_is_shown_and_never_rewritten() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "future", "x"]);
    env.wait_for_log("future", "arg[5]=x");
    // The runner records the pid; edit after it, as a person would.
    wait_until("the pid recorded", || env.row("future")["pid"].is_number());
    let path = env.session_dir("future").join("session.toml");
    // A key this cxs does not know, among the top-level ones.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("version = 1\n", "version = 99\nhologram = true\n");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(env.row("future")["status"], "running");
    env.cxs(&["send", "future", "exit 3"]).success_or_code(1);
    let row = env.wait_for_status("future", "exited");
    // Only tmux can tell the code now, and under load tmux 3.3a was seen not to reap it.
    assert!(row["exit_code"] == 3 || row["exit_code"].is_null(), "{row}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "left as it was");
}

#[test]
fn missing_or_old_tmux_is_named() {
    let env = TestEnv::new();
    let bin = env.root().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let no_tmux = env.root().join("empty");
    std::fs::create_dir(&no_tmux).unwrap();
    let err = env
        .cxs(&["new", "exec", "x"])
        .env("PATH", &no_tmux)
        .env("CXS_CODEX_BIN", fake_agent())
        .fails(1);
    assert!(err.contains("tmux not found on PATH: install tmux 3.2 or later"), "{err}");
    std::os::unix::fs::symlink("/bin/false", bin.join("true")).ok();
    env.script(
        "bin/tmux",
        "case \" $* \" in *' -V '*) echo 'tmux 2.9'; exit 0 ;; esac\necho 'unknown option' >&2; exit 1\n",
    );
    let err = env.cxs(&["new", "exec", "x"]).env("PATH", &path).fails(1);
    assert!(err.contains("cxs needs tmux 3.2 or later; found tmux 2.9"), "{err}");
    assert_eq!(std::fs::read_dir(env.home().join("sessions")).unwrap().count(), 0);
}

#[test]
fn a_session_whose_state_was_removed_is_shown_and_can_be_deleted() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "bare", "x"]);
    env.wait_for_status("bare", "running");
    std::fs::remove_dir_all(env.session_dir("bare")).unwrap();
    let row = env.row("bare");
    assert_eq!(row["status"], "broken");
    assert!(row["error"].as_str().unwrap().contains("is missing"), "{row}");
    // Another state directory on the same server does not claim it.
    let other = env.cxs(&["list", "--json"]).env("CXS_HOME", env.root().join("other")).success();
    assert_eq!(other.trim(), "[]");
    env.cxs(&["delete", "bare"]).success();
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}

#[test]
fn garbage_and_endless_lines_are_logged_and_readable() {
    let env = TestEnv::new();
    let noisy = env.script(
        "noisy",
        "head -c 10485760 /dev/zero | tr '\\0' x\nhead -c 200000 /dev/urandom\necho\necho done\n",
    );
    env.cxs(&["new", "cmd", "--id", "noisy", "--", noisy.to_str().unwrap()]).success();
    env.wait_for_status("noisy", "exited");
    wait_until("the whole output logged", || env.log("noisy").contains("done"));
    let size = std::fs::metadata(env.session_dir("noisy").join("log")).unwrap().len();
    assert!(size > 10 * 1024 * 1024, "{size}");
    let plain = env.cxs(&["logs", "noisy"]).output();
    assert!(plain.status.success());
    assert!(!plain.stdout.contains(&0x1b), "no escapes survive");
    assert!(String::from_utf8_lossy(&plain.stdout).ends_with("done\n"));
    assert_eq!(env.cxs(&["logs", "-n", "1", "noisy"]).success(), "done\n");
}

#[test]
fn logs_follow_ends_when_the_tmux_server_dies() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "talk", "x"]);
    env.wait_for_log("talk", "arg[5]=x");
    let mut follower = std::process::Command::from(env.cxs(&["logs", "-f", "talk"]))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    env.tmux_ok(&["kill-server"]);
    wait_until("logs -f to end", || follower.try_wait().unwrap().is_some());
    assert!(follower.wait().unwrap().success());
}

/// A tiny tmpfs, unmounted when dropped; `None` (said loudly) where mounting is not allowed.
struct TinyDisk(std::path::PathBuf);

impl TinyDisk {
    fn mount(at: std::path::PathBuf, test: &str) -> Option<Self> {
        std::fs::create_dir_all(&at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {test}: cannot mount a tmpfs ***\n");
            return None;
        }
        Some(TinyDisk(at))
    }

    fn remount_read_only(&self) {
        let status =
            std::process::Command::new("mount").args(["-o", "remount,ro"]).arg(&self.0).status();
        assert!(status.unwrap().success());
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_or_read_only_disk_is_a_clear_error_that_leaves_nothing() {
    let env = TestEnv::new();
    let Some(disk) = TinyDisk::mount(env.root().join("disk"), "a_full_or_read_only_disk") else {
        return;
    };
    let home = disk.0.join("home");
    env.cxs(&["new", "exec", "--id", "first", "x"]).env("CXS_HOME", &home).success();
    // Fill the disk.
    let filler = std::fs::File::create(disk.0.join("filler")).unwrap();
    let _ = std::io::copy(&mut std::io::repeat(b'x').take(1 << 20), &mut &filler);
    let err = env.cxs(&["new", "exec", "--id", "second", "x"]).env("CXS_HOME", &home).fails(1);
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!home.join("sessions/second").exists(), "nothing half-created");
    assert_eq!(env.tmux_sessions().iter().filter(|s| s.starts_with("cxs-second")).count(), 0);

    // Nothing may hold a file open for writing when the disk turns read-only.
    drop(filler);
    env.tmux_ok(&["kill-server"]);
    wait_until("the log writer to exit", || {
        crate::common::marked_processes(&home.join("sessions/first")).is_empty()
            && std::process::Command::new("fuser")
                .arg("-m")
                .arg(&disk.0)
                .output()
                .map_or(true, |o| o.stdout.is_empty())
    });
    disk.remount_read_only();
    let err = env.cxs(&["new", "exec", "--id", "third", "x"]).env("CXS_HOME", &home).fails(1);
    assert!(err.contains("Read-only file system"), "{err}");
    let listed = env.cxs(&["list", "--json"]).env("CXS_HOME", &home).success();
    assert!(listed.contains("\"first\""), "reading still works: {listed}");
}

#[test]
fn an_unusable_socket_directory_is_a_clear_error() {
    let env = TestEnv::new();
    let not_a_dir = env.root().join("socket-dir-is-a-file");
    std::fs::write(&not_a_dir, "").unwrap();
    let err =
        env.cxs(&["new", "exec", "--id", "nowhere", "x"]).env("TMUX_TMPDIR", &not_a_dir).fails(1);
    assert!(
        err.contains("tmux failed: couldn't create directory") && err.contains("Not a directory"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!env.session_dir("nowhere").exists());
}

#[test]
fn the_tmux_server_dying_during_news_leaves_no_half_session() {
    let env = TestEnv::new();
    let children: Vec<_> = (0..10)
        .map(|_| {
            std::process::Command::from(
                env.cxs(&["new", "exec", "x"]).env("FAKE_AGENT_SLEEP", "30"),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(15));
    let _ = env.tmux(&["kill-server"]);
    for mut child in children {
        child.wait().unwrap();
    }
    for row in env.list_json() {
        assert_ne!(row["status"], "broken", "every session left is whole: {row}");
    }
}

#[test]
fn interrupting_readers_changes_nothing() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "calm", "x"]);
    env.wait_for_status("calm", "running");
    // The runner records the agent's pid a moment after the session runs.
    wait_until("the pid recorded", || env.row("calm")["pid"].is_number());
    let before = std::fs::read(env.session_dir("calm").join("session.toml")).unwrap();
    for args in [&["wait", "calm"][..], &["logs", "-f", "calm"]] {
        let mut child = std::process::Command::from(env.cxs(args))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        assert!(!child.wait().unwrap().success());
    }
    assert_eq!(std::fs::read(env.session_dir("calm").join("session.toml")).unwrap(), before);
    assert_eq!(env.row("calm")["status"], "running");
}

#[test]
fn a_server_cxs_starts_keeps_no_secret_and_no_marker() {
    // The `new` that starts a server gives it its environment for the server's lifetime, and
    // every pane opened there later inherits it: no API key may sit there. Nor the marker of
    // an agent that runs cxs, or deleting that agent's session would end those panes too.
    let env = TestEnv::new();
    let fresh = env.second_server("fresh");
    env.cxs(&["new", "exec", "--id", "inner", "x"])
        .env("CXS_TMUX_SOCKET", fresh.socket())
        .env("CXS_SESSION_DIR", "/some/agent/session")
        .env("OPENAI_API_KEY", "sk-very-secret")
        .env("FAKE_AGENT_ENV", "OPENAI_API_KEY")
        .env("FAKE_AGENT_SLEEP", "30")
        .success();
    let global = fresh.tmux(&["show-environment", "-g"]);
    assert!(global.contains("PATH=") && global.contains("HOME="), "what panes need: {global}");
    assert!(!global.contains("CXS_SESSION_DIR=/some"), "{global}");
    assert!(!global.contains("sk-very-secret"), "{global}");
    let pid = fresh.tmux(&["display-message", "-p", "#{pid}"]);
    let environ = std::fs::read(format!("/proc/{}/environ", pid.trim())).unwrap();
    assert!(!String::from_utf8_lossy(&environ).contains("sk-very-secret"));
    // The agent still gets the caller's whole environment.
    env.wait_for_log("inner", "env OPENAI_API_KEY=sk-very-secret");
}

#[test]
fn hostile_working_directories_and_image_paths() {
    let env = TestEnv::new();
    let odd = "it's \"odd\" #1 %s; $(touch pwned) `x` ~";
    let dir = env.work().join(odd);
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(format!("{odd}.png")), b"png").unwrap();
    let argv_file = env.root().join("argv");
    let image = format!("{odd}/{odd}.png");
    env.new_exec(
        &[("FAKE_AGENT_ARGV", argv_file.to_str().unwrap())],
        &["--id", "odd", "-C", odd, "-i", &image, "look"],
    );
    let row = env.wait_for_status("odd", "exited");
    assert_eq!(row["cwd"], dir.to_str().unwrap());
    let image = dir.join(format!("{odd}.png"));
    assert_eq!(agent_args(&argv_file), ["exec", "--image", image.to_str().unwrap(), "--", "look"]);
    assert!(!env.work().join("pwned").exists() && !dir.join("pwned").exists());
}

#[test]
fn delete_racing_new_of_the_same_id_leaves_all_or_nothing() {
    let env = TestEnv::new();
    for _ in 0..5 {
        let mut new = std::process::Command::from(
            env.cxs(&["new", "exec", "--id", "racer", "x"]).env("FAKE_AGENT_SLEEP", "30"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        let _ = env.cxs(&["delete", "racer"]).output();
        new.wait().unwrap();
        let rows = env.list_json();
        let tmux = env.tmux_sessions().iter().any(|s| s.starts_with("cxs-racer-"));
        match rows.as_slice() {
            [] => assert!(!tmux, "no tmux session without its state"),
            [row] => assert_eq!(row["status"], "running", "{row}"),
            more => panic!("{more:?}"),
        }
        let _ = env.cxs(&["delete", "racer"]).output();
    }
}

#[test]
fn list_works_while_sessions_come_and_go() {
    let env = TestEnv::new();
    let churn = {
        let env_home = env.home();
        let socket = env.socket().to_owned();
        let tmpdir = env.tmux_tmpdir();
        std::thread::spawn(move || {
            for i in 0..8 {
                let cxs = |args: &[&str]| {
                    std::process::Command::new(env!("CARGO_BIN_EXE_cxs"))
                        .args(args)
                        .env("CXS_HOME", &env_home)
                        .env("CXS_TMUX_SOCKET", &socket)
                        .env("TMUX_TMPDIR", &tmpdir)
                        .env("CXS_CODEX_BIN", fake_agent())
                        .env("FAKE_AGENT_SLEEP", "30")
                        .output()
                        .unwrap()
                };
                let id = format!("churn{i}");
                assert!(cxs(&["new", "exec", "--id", &id, "x"]).status.success());
                assert!(cxs(&["delete", &id]).status.success());
            }
        })
    };
    while !churn.is_finished() {
        let output = env.cxs(&["list", "--json"]).output();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert!(rows.iter().all(|r| r["status"] != "broken" && r["status"] != "lost"), "{rows:?}");
    }
    churn.join().unwrap();
}

#[test]
fn junk_and_links_under_sessions_are_not_sessions() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "real", "x"]);
    let sessions = env.home().join("sessions");
    let important = env.root().join("important");
    std::fs::create_dir_all(important.join("sub")).unwrap();
    std::fs::write(important.join("sub/keep"), "data").unwrap();
    std::os::unix::fs::symlink(&important, sessions.join("myid")).unwrap();
    std::fs::write(sessions.join("stray"), "").unwrap();
    let fifo = std::ffi::CString::new(sessions.join("fifo").into_os_string().into_encoded_bytes());
    // SAFETY: a valid C string and a mode; mkfifo has no other effects.
    assert_eq!(unsafe { libc::mkfifo(fifo.unwrap().as_ptr(), 0o600) }, 0);
    // A FIFO once made `list` hang: it must answer, with the real session alone.
    let started = std::time::Instant::now();
    let rows = env.list_json();
    assert!(started.elapsed() < Duration::from_secs(5));
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["real"]);
    assert_eq!(env.cxs(&["delete", "myid"]).fails(1), "error: no session matches 'myid'\n");
    assert_eq!(std::fs::read_to_string(important.join("sub/keep")).unwrap(), "data");
    env.cxs(&["delete", "real"]).success();
    assert!(important.join("sub/keep").exists(), "a link's target is never emptied");
}

#[test]
fn a_state_directory_others_can_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.new_exec(&[], &["--id", "mine", "x"]);
    let sessions = env.home().join("sessions");
    std::fs::set_permissions(&sessions, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = env.cxs(&["list"]).fails(1);
    assert!(
        err.contains("refusing state directory")
            && err.contains("others can write to it (mode 777)"),
        "{err}"
    );
    let err = env.cxs(&["new", "exec", "--id", "more", "x"]).fails(1);
    assert!(err.contains("refusing state directory"), "{err}");
    std::fs::set_permissions(&sessions, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn an_agent_that_outlives_its_killed_runner_is_not_exited() {
    let env = TestEnv::new();
    let stubborn =
        env.script("stubborn", "trap '' HUP\necho \"self $$\"\nwhile :; do sleep 0.1; done\n");
    env.cxs(&["new", "cmd", "--id", "stubborn", stubborn.to_str().unwrap()]).success();
    wait_until("the agent to report", || env.log("stubborn").contains("self "));
    wait_until("the pid recorded", || env.row("stubborn")["pid"].is_number());
    let agent = printed_pids(&env, "stubborn", &["self"])[0];
    let target = format!("={}:", env.tmux_name("stubborn"));
    let runner: i32 = env
        .tmux_ok(&["display-message", "-p", "-t", &target, "#{pane_pid}"])
        .trim()
        .parse()
        .unwrap();
    // SAFETY: kill has no memory effects; the pid is the pane's runner, just read.
    unsafe { libc::kill(runner, libc::SIGKILL) };
    wait_until("the pane to die", || {
        env.tmux_ok(&["display-message", "-p", "-t", &target, "#{pane_dead}"]).trim() == "1"
    });
    assert!(alive(agent));
    assert_eq!(env.row("stubborn")["status"], "running", "its agent still runs");
    env.cxs(&["delete", "stubborn"]).success();
    wait_until("the agent to end", || !alive(agent));
}

#[test]
fn a_delete_killed_half_way_is_finished_by_the_next_command() {
    let env = TestEnv::new();
    let stubborn =
        env.script("stubborn", "trap '' HUP TERM\necho \"self $$\"\nwhile :; do sleep 0.1; done\n");
    let sessions = env.home().join("sessions");
    // Renamed directories, and the delete's record beside them.
    let deleting = |dirs: bool| {
        std::fs::read_dir(&sessions)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".deleting-"))
            .filter(|e| !dirs || e.file_type().unwrap().is_dir())
            .count()
    };
    // In a loop of fixed count: each time the delete dies in its grace period.
    for round in 0..3 {
        let id = format!("stubborn{round}");
        env.cxs(&["new", "cmd", "--id", &id, stubborn.to_str().unwrap()]).success();
        wait_until("the agent to report", || env.log(&id).contains("self "));
        let agent = printed_pids(&env, &id, &["self"])[0];
        let mut delete = std::process::Command::from(env.cxs(&["delete", &id])).spawn().unwrap();
        wait_until("the delete to rename the directory", || deleting(true) == 1);
        delete.kill().unwrap();
        delete.wait().unwrap();
        assert!(alive(agent), "the agent ignores TERM: the delete was cut short");
        // The next command, whatever it is, finishes it.
        assert_eq!(env.list_json().len(), 0);
        wait_until("the agent to end", || !alive(agent));
        assert_eq!(deleting(false), 0, "no directory and no record left");
        assert_eq!(env.tmux_sessions(), ["user-own"]);
    }
}

#[test]
fn hundreds_of_sessions_fit_tmux_s_command_size() {
    // tmux refuses a command message past 16 KiB: one chain over every session's screen, or
    // one kill-session each, passes that at a few hundred sessions (fewer with long ids).
    // Before, list quietly lost the screens (no `waiting`) and delete went one by one.
    let env = TestEnv::new();
    let ids: Vec<String> = (0..200).map(|i| format!("{i:03}{}", "x".repeat(60))).collect();
    for id in &ids {
        env.cxs(&["new", "repl", "--id", id])
            .env("FAKE_AGENT_STDIN", "1")
            .env("FAKE_AGENT_PROMPT", "? for shortcuts ")
            .success();
    }
    let waiting = || {
        let rows = env.list_json();
        rows.len() == 200 && rows.iter().all(|r| r["status"] == "waiting")
    };
    wait_until("every session waiting, told from its screen", waiting);
    let (_, trace) = env.cxs(&["list"]).env("CXS_TRACE", "1").success_with_stderr();
    assert!(trace.lines().count() <= 6, "a few calls, not one per session: {trace}");
    let mut delete = vec!["delete".to_owned()];
    delete.extend(ids.iter().cloned());
    let (_, trace) = env.cxs(&delete).env("CXS_TRACE", "1").success_with_stderr();
    assert!(trace.lines().count() <= 6, "{} tmux calls", trace.lines().count());
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}
