//! `cxs logs`: plain text by default, raw on request, tail and follow.

use std::time::{Duration, Instant};

use crate::common::{TestEnv, wait_until};

/// A finished session of an agent that printed colors, a title, and a progress line
/// redrawn with carriage returns; returns its id once the whole output is logged.
fn fancy_session(env: &TestEnv) -> String {
    let agent = env.script(
        "fancy-agent",
        "printf '\\033]0;title\\007\\033[1;32mgreen\\033[0m text\\n'\n\
         printf 'progress 10%%\\rprogress 100%%\\n'\nfor i in 1 2 3 4 5; do echo \"line $i\"; done\n",
    );
    let id = env.cxs(&["new", "exec", "x"]).env("CXS_CODEX_BIN", agent).success();
    let id = id.trim().to_owned();
    env.wait_for_status(&id, "exited");
    env.wait_for_log(&id, "line 5");
    id
}

#[test]
fn logs_are_plain_by_default_and_raw_on_request() {
    let env = TestEnv::new();
    let id = &fancy_session(&env);
    let plain = env.cxs(&["logs", id]).success();
    insta::assert_snapshot!(plain, @r"
    green text
    progress 100%
    line 1
    line 2
    line 3
    line 4
    line 5
    ");
    let raw = env.cxs(&["logs", "--raw", id]).success();
    assert_eq!(raw.as_bytes(), std::fs::read(env.session_dir(id).join("log")).unwrap());
    assert!(raw.contains("\x1b[1;32mgreen") && raw.contains("\r\n"));
}

#[test]
fn tail_prints_the_last_lines() {
    let env = TestEnv::new();
    let id = &fancy_session(&env);
    assert_eq!(env.cxs(&["logs", "-n", "2", id]).success(), "line 4\nline 5\n");
    assert_eq!(env.cxs(&["logs", "--tail", "0", id]).success(), "");
    assert_eq!(env.cxs(&["logs", "-n", "1", "--raw", id]).success(), "line 5\r\n");
}

#[test]
fn follow_streams_until_the_agent_exits() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "talk", "x"]);
    env.wait_for_log(&id, "arg[5]=x");
    let mut follower = std::process::Command::from(env.cxs(&["logs", "-f", &id]))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let target = format!("={}:", env.tmux_name("talk"));
    env.tmux_ok(&["send-keys", "-t", &target, "-l", "hello there"]);
    env.tmux_ok(&["send-keys", "-t", &target, "Enter"]);
    env.wait_for_log(&id, "echo: hello there");
    env.tmux_ok(&["send-keys", "-t", &target, "-l", "exit 5"]);
    env.tmux_ok(&["send-keys", "-t", &target, "Enter"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = follower.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "logs -f did not end with the session");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut follower.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("echo: hello there"), "{out}");
    assert!(out.ends_with("fake-agent: exiting with 5\n"), "{out}");
    assert_eq!(env.row(&id)["exit_code"], 5);
}

#[test]
fn logs_rotate_past_max_log_and_keep_the_latest_output() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_LINES", "3000")], &["--id", "small", "--max-log", "4K", "x"]);
    env.wait_for_status("small", "exited");
    let dir = env.session_dir("small");
    crate::common::wait_until("the last line logged", || {
        env.cxs(&["logs", "small"]).success().contains("exiting with 0")
    });
    assert!(dir.join("log.1").exists(), "the log rotated");
    assert!(std::fs::metadata(dir.join("log")).unwrap().len() <= 4096 + 64 * 1024);
    let all = env.cxs(&["logs", "small"]).success();
    let numbers: Vec<usize> =
        all.lines().filter_map(|l| l.strip_prefix("line ")?.parse().ok()).collect();
    assert_eq!(numbers.last(), Some(&3000), "{all}");
    assert!(numbers[0] > 1, "the oldest output is gone: {all}");
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "in order, nothing skipped: {all}");
    let tail = env.cxs(&["logs", "-n", "3", "small"]).success();
    assert_eq!(tail, "line 2999\nline 3000\nfake-agent: exiting with 0\n");
}

#[test]
fn a_log_deleted_under_a_running_session_comes_back() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "talk", "x"]);
    env.wait_for_log("talk", "arg[5]=x");
    std::fs::remove_file(env.session_dir("talk").join("log")).unwrap();
    // A missing log reads as empty: `logs` just after `new` can beat the writer to it.
    assert_eq!(env.cxs(&["logs", "talk"]).success(), "");
    // The writer notices within a second; keep talking until the log is back.
    crate::common::wait_until("the log to come back", || {
        env.cxs(&["send", "talk", "still here"]).success();
        env.log("talk").contains("echo: still here")
    });
}

#[test]
fn follow_shows_a_prompt_without_a_newline() {
    let env = TestEnv::new();
    env.new_exec(
        &[("FAKE_AGENT_STDIN", "1"), ("FAKE_AGENT_PROMPT", "Continue? [y/n] ")],
        &["--id", "asks", "x"],
    );
    env.wait_for_log("asks", "Continue?");
    let mut follower = std::process::Command::from(env.cxs(&["logs", "-f", "asks"]))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0; 4096];
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while !seen.ends_with("Continue? [y/n] ") {
        assert!(Instant::now() < deadline, "the prompt never showed: {seen:?}");
        if let Ok(text) = rx.recv_timeout(Duration::from_millis(100)) {
            seen = text;
        }
    }
    env.cxs(&["send", "asks", "exit 0"]).success();
    assert!(follower.wait().unwrap().success());
}

#[test]
fn a_tuis_log_reads_as_its_screen_showed() {
    let env = TestEnv::new();
    // Words placed by cursor movement, as TUIs draw (Codex's trust question came out as
    // `Trustthisfolder?` before), after lines that scroll off the top.
    let tui = env.script(
        "tui-agent",
        "for i in $(seq 1 30); do echo \"history $i\"; done\n\
         printf '\\033[2J\\033[1;1HTrust\\033[1;7Hthis\\033[1;12Hfolder?\\033[3;3H> yes'\n\
         printf '\\033[5;1Hdone\\n'\n",
    );
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("[agents.drawn]\ncommand = [{:?}]\ntui = true\n", tui.to_str().unwrap()),
    )
    .unwrap();
    env.cxs(&["new", "drawn", "--id", "tui"]).success();
    env.wait_for_status("tui", "exited");
    env.wait_for_log("tui", "done");
    let logs = env.cxs(&["logs", "tui"]).success();
    assert!(logs.starts_with("history 1\nhistory 2\n"), "{logs}");
    assert!(logs.contains("history 30\n"), "{logs}");
    assert!(logs.ends_with("Trust this folder?\n\n  > yes\n\ndone\n"), "{logs}");
    assert_eq!(env.cxs(&["logs", "-n", "3", "tui"]).success(), "  > yes\n\ndone\n");
    assert!(env.cxs(&["logs", "--raw", "tui"]).success().contains("Trust\x1b[1;7Hthis"));
}

#[test]
fn a_killed_log_writer_is_noticed_and_started_again() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "talk", "x"]);
    env.wait_for_log("talk", "arg[5]=x");
    let dir = env.session_dir("talk");
    let writer = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .find(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
                args.windows(2)
                    .any(|w| w[0] == b"__log" && w[1] == dir.as_os_str().as_encoded_bytes())
            })
    };
    let pid = writer().expect("a log writer runs");
    // SAFETY: kill has no memory effects; the pid is the session's log writer, just found.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    // tmux notices when it next has output to write.
    env.cxs(&["send", "talk", "into the void"]).success();
    wait_until("tmux to see the pipe gone", || env.row("talk")["logging"] == false);
    wait_until("a new log writer", || writer().is_some_and(|p| p != pid));
    assert_eq!(env.row("talk")["logging"], true);
    env.cxs(&["send", "talk", "after the gap"]).success();
    env.wait_for_log("talk", "echo: after the gap");
    assert!(env.log("talk").contains("[cxs: the log writer stopped; output from "));
}

#[test]
fn follow_prints_every_byte_once_across_fast_rotations() {
    let env = TestEnv::new();
    // About 7 MB of numbered lines at full speed through 1 MiB parts: seven rotations, often
    // two between two looks of a follower that waited a poll.
    let fast = env.script("fast", "sleep 0.5\nseq 1 1000000\nsleep 0.5\n");
    env.cxs(&["new", "cmd", "--id", "fast", "--max-log", "1M", fast.to_str().unwrap()]).success();
    let follow = env.cxs(&["logs", "-f", "--raw", "fast"]);
    let output = std::process::Command::from(follow).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let numbers: Vec<u32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let gap = numbers.windows(2).find(|w| w[1] != w[0] + 1);
    assert!(numbers.len() == 1_000_000 && gap.is_none(), "{} lines, gap {gap:?}", numbers.len());
}
