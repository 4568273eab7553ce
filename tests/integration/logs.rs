//! `cxs logs`: plain text by default, raw on request, tail and follow.

use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// An agent printing colors, a title, and a progress line redrawn with carriage returns.
fn fancy_agent(env: &TestEnv) -> std::path::PathBuf {
    let path = env.root().join("fancy-agent");
    std::fs::write(
        &path,
        "#!/bin/sh\nprintf '\\033]0;title\\007\\033[1;32mgreen\\033[0m text\\n'\n\
         printf 'progress 10%%\\rprogress 100%%\\n'\nfor i in 1 2 3 4 5; do echo \"line $i\"; done\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path
}

#[test]
fn logs_are_plain_by_default_and_raw_on_request() {
    let env = TestEnv::new();
    let id = env.cxs(&["new", "exec", "x"]).env("CXS_CODEX_BIN", fancy_agent(&env)).success();
    let id = id.trim();
    env.wait_for_status(id, "exited");
    env.wait_for_log(id, "line 5");
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
    let id = env.cxs(&["new", "exec", "x"]).env("CXS_CODEX_BIN", fancy_agent(&env)).success();
    let id = id.trim();
    env.wait_for_status(id, "exited");
    env.wait_for_log(id, "line 5");
    assert_eq!(env.cxs(&["logs", "-n", "2", id]).success(), "line 4\nline 5\n");
    assert_eq!(env.cxs(&["logs", "--tail", "0", id]).success(), "");
    assert_eq!(env.cxs(&["logs", "-n", "1", "--raw", id]).success(), "line 5\r\n");
}

#[test]
fn follow_streams_until_the_agent_exits() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "talk", "x"]);
    env.wait_for_log(&id, "arg[3]=x");
    let mut follower = std::process::Command::from(env.cxs(&["logs", "-f", &id]))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    env.tmux_ok(&["send-keys", "-t", "=cxs-talk:", "-l", "hello there"]);
    env.tmux_ok(&["send-keys", "-t", "=cxs-talk:", "Enter"]);
    env.wait_for_log(&id, "echo: hello there");
    env.tmux_ok(&["send-keys", "-t", "=cxs-talk:", "-l", "exit 5"]);
    env.tmux_ok(&["send-keys", "-t", "=cxs-talk:", "Enter"]);
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
