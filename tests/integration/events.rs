//! `cxs events` and `[hooks]`: a session's life journaled in order, hooks run with its state,
//! and a hook that hangs is killed without holding anything up.

use std::time::{Duration, Instant};

use crate::common::{TestEnv, wait_until};

#[test]
fn a_sessions_life_is_journaled_in_order_and_hooks_see_it() {
    let env = TestEnv::new();
    let seen = env.root().join("seen");
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "[hooks]\non_exit = [\"sh\", \"-c\", \"echo exit $CXS_ID $CXS_KIND $CXS_STATUS $CXS_EXIT_CODE >> '{0}'\"]\n\
             on_waiting = [\"sh\", \"-c\", \"echo waiting $CXS_ID $CXS_LAST_MESSAGE >> '{0}'\"]\n\
             on_turn_end = [\"sleep\", \"317\"]\ntimeout = \"1s\"\n",
            seen.display()
        ),
    )
    .unwrap();
    env.new_exec(&[("FAKE_AGENT_STDIN", "1")], &["--id", "life", "x"]);
    env.wait_for_status("life", "running");
    // A turn ends (as Codex's notify hook reports it); the hanging on_turn_end is killed.
    let dir = env.session_dir("life");
    let started = Instant::now();
    let event = r#"{"type":"agent-turn-complete","last-assistant-message":"done, ask me more"}"#;
    env.cxs(&["__notify", dir.to_str().unwrap(), event]).success_with_stderr();
    assert!(started.elapsed() < Duration::from_millis(900), "the hook held the turn up");
    let hanging = || {
        std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
            std::fs::read(p.path().join("cmdline")).is_ok_and(|c| c == b"sleep\x00317\x00")
        })
    };
    wait_until("the hanging hook to start", hanging);
    wait_until("the hanging hook to be killed at its timeout", || !hanging());
    env.cxs(&["send", "life", "exit 0"]).success();
    env.wait_for_status("life", "exited");
    wait_until("the exit hook", || {
        std::fs::read_to_string(&seen).unwrap_or_default().contains("exit life")
    });
    env.cxs(&["delete", "life"]).success();

    let text = env.cxs(&["events", "life"]).success();
    let kinds: Vec<&str> = text.lines().map(|l| l.split("  ").nth(3).unwrap()).collect();
    assert_eq!(
        kinds,
        ["created", "running", "turn-ended", "waiting", "exited", "deleted"],
        "{text}"
    );
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(seen.contains("waiting life done, ask me more"), "{seen}");
    assert!(
        seen.contains("exit life exec exited 0") || seen.contains("exit life exec exited "),
        "{seen}"
    );
    let json = env.cxs(&["events", "--json", "--since", "1h"]).success();
    let last: serde_json::Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert_eq!((last["id"].as_str(), last["event"].as_str()), (Some("life"), Some("deleted")));
    assert_eq!(env.cxs(&["events", "--since", "2999-01-01"]).success(), "");
}

#[test]
fn events_follow_shows_new_ones() {
    let env = TestEnv::new();
    let mut follower: std::process::Command = env.cxs(&["events", "-f", "--json"]).into();
    let mut child = follower.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    env.cxs(&["new", "cmd", "--id", "f", "true"]).success();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!((first["id"].as_str(), first["event"].as_str()), (Some("f"), Some("created")));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn claude_asking_for_a_permission_is_journaled_as_waiting_for_approval() {
    let env = TestEnv::new();
    env.cxs(&["new", "cmd", "--id", "asks", "sleep", "60"]).success();
    env.wait_for_status("asks", "running");
    let dir = env.session_dir("asks");
    let input = r#"{"hook_event_name":"Notification","session_id":"s-1","message":"Claude needs your permission to use Bash"}"#;
    env.cxs(&["__hook", dir.to_str().unwrap()]).stdin(input).success();
    let json = env.cxs(&["events", "--json", "asks"]).success();
    let last: serde_json::Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["event"].as_str(), last["why"].as_str()),
        (Some("waiting"), Some("approval")),
        "{json}"
    );
    assert_eq!(env.row("asks")["conversation"], "s-1");
    // A hook's input that cxs cannot read changes nothing and never fails towards Claude.
    let (_, said) =
        env.cxs(&["__hook", dir.to_str().unwrap()]).stdin("not json").success_with_stderr();
    assert!(said.contains("invalid hook input"), "{said}");
}
