//! Driving running agents: `send`, `wait`, `capture`, and telling `waiting` from `running`.

use std::time::{Duration, Instant};

use crate::common::{TestEnv, wait_until};

/// Starts an agent that echoes each line it reads.
fn echo_agent(env: &TestEnv, id: &str, extra: &[(&str, &str)]) {
    let mut vars = vec![("FAKE_AGENT_STDIN", "1")];
    vars.extend_from_slice(extra);
    env.new_exec(&vars, &["--id", id, "x"]);
    env.wait_for_log(id, "arg[5]=x");
}

#[test]
fn send_types_text_literally_and_submits_it() {
    let env = TestEnv::new();
    echo_agent(&env, "talk", &[]);
    let hostile = "it's \"quoted\"; #{session_name} %1 ~ $(x) C-c Enter;";
    env.cxs(&["send", "talk", hostile]).success();
    env.wait_for_log("talk", &format!("echo: {hostile}"));
    env.cxs(&["send", "talk", "-"]).stdin("from stdin\n").success();
    env.wait_for_log("talk", "echo: from stdin\r\n");
    env.cxs(&["send", "talk", "-dash first"]).success();
    env.wait_for_log("talk", "echo: -dash first");
    env.cxs(&["send", "talk", ";"]).success();
    env.wait_for_log("talk", "echo: ;\r\n");
    // Bytes that are not UTF-8 (a Latin-1 diff) are sent as they are.
    env.cxs(&["send", "talk", "-"]).stdin_bytes(b"caf\xe9\n").success();
    let log = || std::fs::read(env.session_dir("talk").join("log")).unwrap_or_default();
    wait_until("the Latin-1 line", || log().windows(10).any(|w| w == b"echo: caf\xe9"));
}

#[test]
fn send_no_enter_types_without_submitting() {
    let env = TestEnv::new();
    echo_agent(&env, "talk", &[]);
    env.cxs(&["send", "--no-enter", "talk", "half"]).success();
    wait_until("the text on screen", || env.cxs(&["capture", "talk"]).success().contains("half"));
    assert!(!env.log("talk").contains("echo: half"));
    env.cxs(&["send", "talk", ""]).success();
    env.wait_for_log("talk", "echo: half");
}

#[test]
fn multi_line_text_is_one_bracketed_paste() {
    let env = TestEnv::new();
    echo_agent(&env, "paste", &[("FAKE_AGENT_BRACKETED", "1")]);
    env.cxs(&["send", "paste", "first line\nsecond line"]).success();
    // The agent reads the paste markers around both lines: one message, not two.
    env.wait_for_log("paste", "echo: \x1b[200~first line");
    env.wait_for_log("paste", "echo: second line\x1b[201~");
}

#[test]
fn send_to_an_exited_session_is_an_error() {
    let env = TestEnv::new();
    let id = env.new_exec(&[], &["--id", "done", "x"]);
    env.wait_for_status(&id, "exited");
    let err = env.cxs(&["send", "done", "hello"]).fails(1);
    assert_eq!(err, "error: session 'done' is not running (exited (0))\n");
}

#[test]
fn wait_passes_the_exit_status_through() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "0.3"), ("FAKE_AGENT_EXIT", "3")], &["--id", "three", "x"]);
    env.new_exec(&[("FAKE_AGENT_SLEEP", "0.1")], &["--id", "zero", "x"]);
    let output = env.cxs(&["wait", "zero"]).output();
    assert_eq!(output.status.code(), Some(0));
    let output = env.cxs(&["wait", "zero", "three"]).output();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(env.row("three")["status"], "exited");
}

#[test]
fn wait_times_out_with_124() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "slow", "x"]);
    let started = Instant::now();
    let err = env.cxs(&["wait", "--timeout", "300ms", "slow"]).fails(124);
    assert_eq!(err, "error: timed out waiting for slow\n");
    assert!(started.elapsed() < Duration::from_secs(5));
    env.cxs(&["wait", "--timeout", "nonsense", "slow"]).fails(2);
}

#[test]
fn wait_for_a_lost_session_fails() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "doomed", "x"]);
    let waiter = std::process::Command::from(env.cxs(&["wait", "doomed"]))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    env.tmux_ok(&["kill-session", "-t", &format!("={}", env.tmux_name("doomed"))]);
    let output = waiter.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("'doomed' ended without a recorded exit")
    );
}

#[test]
fn capture_shows_the_screen_and_history() {
    let env = TestEnv::new();
    env.new_exec(
        &[("FAKE_AGENT_LINES", "100"), ("FAKE_AGENT_SLEEP", "30")],
        &["--id", "many", "x"],
    );
    env.wait_for_log("many", "line 100");
    let screen = env.cxs(&["capture", "many"]).success();
    assert!(screen.ends_with("line 100\n"), "{screen}");
    assert!(!screen.contains("line 1\n"), "the visible screen only");
    let history = env.cxs(&["capture", "-n", "200", "many"]).success();
    assert!(history.contains("line 1\nline 2\n"), "{history}");
    env.cxs(&["capture", "--ansi", "many"]).success();
}

#[test]
fn screen_patterns_tell_waiting_from_running() {
    let env = TestEnv::new();
    let config = env.root().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[agents.asker]\ncommand = [{:?}]\nwaiting = ['Proceed\\? \\[y/n\\]']\n\
             env = {{ FAKE_AGENT_STDIN = \"1\", FAKE_AGENT_PROMPT = \"Proceed? [y/n] \" }}\n",
            crate::common::fake_agent().to_str().unwrap()
        ),
    )
    .unwrap();
    let asker = env.cxs(&["new", "asker", "--id", "ask"]).env("CXS_CONFIG", &config).success();
    assert_eq!(asker, "ask\n");
    let listed = |env: &TestEnv| -> serde_json::Value {
        let json = env.cxs(&["list", "--json"]).env("CXS_CONFIG", &config).success();
        serde_json::from_str::<Vec<serde_json::Value>>(&json).unwrap().remove(0)
    };
    wait_until("ask to wait", || listed(&env)["status"] == "waiting");
    assert_eq!(listed(&env)["kind"], "asker");
    env.cxs(&["send", "ask", "exit 4"]).env("CXS_CONFIG", &config).success();
    wait_until("ask to exit", || listed(&env)["status"] == "exited");
    assert_eq!(listed(&env)["exit_code"], 4);
}

#[test]
fn codex_notify_hook_marks_the_turn_end() {
    let env = TestEnv::new();
    let id = env.cxs(&["new", "repl", "--id", "chat"]).env("FAKE_AGENT_STDIN", "1").success();
    assert_eq!(id, "chat\n");
    let row = env.wait_for_status("chat", "running");
    // Codex reports a turn's end after printing it.
    env.wait_for_log("chat", "notify=");
    // Run the hook exactly as Codex would: the `notify` program from the argv, plus the event.
    let argv: Vec<String> = serde_json::from_value(row["argv"].clone()).unwrap();
    let notify = argv.iter().find_map(|a| a.strip_prefix("notify=")).expect("notify is set");
    let mut program: Vec<String> = serde_json::from_str(notify).unwrap();
    program.push(
        r#"{"type":"agent-turn-complete","turn-id":"1","last-assistant-message":"All done."}"#
            .into(),
    );
    let status = std::process::Command::new(&program[0]).args(&program[1..]).status().unwrap();
    assert!(status.success());
    let row = env.row("chat");
    assert_eq!(row["status"], "waiting");
    assert_eq!(row["last_message"], "All done.");
    // Codex's side turn that titles the thread is not the user's turn.
    let title = r#"{"type":"agent-turn-complete","input-messages":["Generate a concise, single-line task title of at most 36 characters"],"last-assistant-message":"Fix the parser"}"#;
    *program.last_mut().unwrap() = title.to_owned();
    std::process::Command::new(&program[0]).args(&program[1..]).status().unwrap();
    assert_eq!(env.row("chat")["last_message"], "All done.");
    // The fake agent starts no turn, as Codex would: this send is not confirmed.
    env.cxs(&["send", "--confirm-timeout", "0", "chat", "next task"]).success();
    assert_eq!(env.row("chat")["status"], "running", "input ends the wait");
    // Confirmed, it fails: nothing started, even after a second Enter.
    let started = std::time::Instant::now();
    let err = env.cxs(&["send", "--confirm-timeout", "1s", "chat", "ignored"]).fails(1);
    assert!(err.contains("session 'chat' did not take the input"), "{err}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2), "two tries of 1 s each");
}

#[test]
fn sessions_carry_tmux_options() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "tagged", "x"]);
    let options = env.tmux_ok(&[
        "show-options",
        "-t",
        &format!("={}:", env.tmux_name("tagged")),
        "-v",
        "@cxs-kind",
    ]);
    assert_eq!(options, "exec\n");
    let listed = env.tmux_ok(&["list-sessions", "-f", "#{@cxs-id}", "-F", "#{@cxs-id}"]);
    assert_eq!(listed, "tagged\n");
}

#[test]
fn the_users_own_codex_notify_is_still_called() {
    let env = TestEnv::new();
    let codex_home = env.root().join("codex-home");
    std::fs::create_dir(&codex_home).unwrap();
    let seen = env.root().join("seen");
    let hook = env.script("hook", &format!("printf '%s|' \"$@\" > '{}'\n", seen.display()));
    std::fs::write(
        codex_home.join("config.toml"),
        format!("model = \"o3\"\nnotify = [{:?}, \"extra\"]\n", hook.to_str().unwrap()),
    )
    .unwrap();
    env.cxs(&["new", "repl", "--id", "mine"])
        .env("CODEX_HOME", &codex_home)
        .env("FAKE_AGENT_STDIN", "1")
        .success();
    env.wait_for_log("mine", "notify=");
    let dir = env.session_dir("mine");
    let event = r#"{"type":"agent-turn-complete","last-assistant-message":"hi"}"#;
    env.cxs(&["__notify", dir.to_str().unwrap(), event]).success();
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), format!("extra|{event}|"));
    assert_eq!(env.row("mine")["status"], "waiting");
}
