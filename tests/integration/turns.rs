//! Driving agents turn by turn: `send --wait` prints the answer, `wait --until waiting`
//! returns when the agent waits. (Codex's and Claude Code's hook-reported turns are driven in
//! `codex.rs` and `claude.rs`.)

use crate::common::{TestEnv, fake_agent};

/// A configured agent whose screen says when it waits: the fake agent's prompt.
fn asker(env: &TestEnv) {
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let text = format!(
        "[agents.asker]\ncommand = [{:?}]\nwaiting = ['ready>']\nenv = {{ FAKE_AGENT_STDIN = \"1\", FAKE_AGENT_PROMPT = \"ready> \" }}\n",
        fake_agent().to_str().unwrap()
    );
    std::fs::write(&config, text).unwrap();
}

#[test]
fn send_wait_prints_the_screen_of_an_agent_without_hooks_once_it_waits_again() {
    let env = TestEnv::new();
    asker(&env);
    env.cxs(&["new", "asker", "--id", "a"]).success();
    env.wait_for_log("a", "ready> ");
    let reply = env.cxs(&["send", "--wait", "--timeout", "20s", "a", "hello"]).success();
    assert!(reply.contains("echo: hello"), "{reply}");
    // Already waiting: `wait --until waiting` returns at once; `exit 3` ends it.
    env.cxs(&["wait", "--until", "waiting", "--timeout", "10s", "a"]).success();
    env.cxs(&["send", "a", "exit 3"]).success();
    let ended = env.cxs(&["wait", "--until", "waiting", "a"]).output();
    assert_eq!(ended.status.code(), Some(3), "an agent that exits ends the wait with its code");
}

#[test]
fn send_wait_gives_up_on_an_agent_that_never_answers() {
    let env = TestEnv::new();
    env.cxs(&["new", "cmd", "--id", "mute", "sleep", "60"]).success();
    env.wait_for_status("mute", "running");
    let out = env.cxs(&["send", "--wait", "--timeout", "2s", "mute", "anyone?"]).output();
    assert_eq!(out.status.code(), Some(124));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out waiting for session 'mute'"));
}

#[test]
fn an_agent_waiting_on_its_screen_is_noticed_with_nobody_listing() {
    let env = TestEnv::new();
    asker(&env);
    env.cxs(&["new", "asker", "--id", "quiet"]).success();
    // No `list`, no `wait`: tmux's silence alert runs the check, which journals the wait.
    crate::common::wait_until("waiting in the journal", || {
        env.cxs(&["events", "--json", "quiet"])
            .success()
            .contains(r#""event":"waiting","why":"input""#)
    });
    let hooks = env.tmux_ok(&["show-hooks", "-t", &format!("={}:", env.tmux_name("quiet"))]);
    assert!(hooks.contains("alert-silence"), "{hooks}");
    // A command with no patterns is not watched.
    env.cxs(&["new", "cmd", "--id", "plain", "sleep", "30"]).success();
    let hooks = env.tmux_ok(&["show-hooks", "-t", &format!("={}:", env.tmux_name("plain"))]);
    assert!(!hooks.contains("alert-silence"), "{hooks}");
}
