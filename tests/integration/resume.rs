//! `cxs resume` with the fake agent: a command starts again in place; what cannot be resumed
//! says why and changes nothing. (Codex's own conversations are resumed in `codex.rs`.)

use crate::common::TestEnv;

#[test]
fn a_command_starts_again_in_place_and_its_log_goes_on() {
    let env = TestEnv::new();
    let counter = env.root().join("runs");
    let script =
        format!("echo run >> '{}'; echo ran-$(wc -l < '{}')", counter.display(), counter.display());
    env.cxs(&["new", "cmd", "--id", "again", "sh", "-c", &script]).success();
    env.wait_for_status("again", "exited");
    env.wait_for_log("again", "ran-1");
    let plan = env.cxs(&["resume", "--plan", "again"]).success();
    assert!(plan.starts_with("again\tstarts again\t"), "{plan}");
    assert!(plan.contains("note: no conversation to resume"), "{plan}");
    let (out, said) = env.cxs(&["resume", "again"]).success_with_stderr();
    assert_eq!(out, "again\n");
    assert!(said.contains("its command starts again"), "{said}");
    env.wait_for_log("again", "ran-2");
    let row = env.wait_for_status("again", "exited");
    assert_eq!((row["resumed"].as_u64(), row["exit_code"].as_i64()), (Some(1), Some(0)));
    let log = env.cxs(&["logs", "again"]).success();
    let separator = log.find("--- cxs: resumed (1) at ").expect("a separator");
    assert!(
        log.find("ran-1").unwrap() < separator && separator < log.find("ran-2").unwrap(),
        "{log}"
    );
    assert_eq!(env.tmux_sessions().len(), 2, "the old tmux session was replaced, not kept");
}

#[test]
fn what_cannot_be_resumed_says_why_and_changes_nothing() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "busy", "x"]);
    env.wait_for_status("busy", "running");
    let running = env.cxs(&["resume", "busy", "more"]).fails(1);
    assert!(running.contains("session 'busy' is running"), "{running}");
    let done = env.new_exec(&[], &["--id", "done", "x"]);
    env.wait_for_status(&done, "exited");
    // The fake agent fires no notify hook: no conversation was recorded.
    let none = env.cxs(&["resume", "done", "more"]).fails(1);
    assert!(none.contains("has no recorded conversation"), "{none}");
    assert_eq!(env.row("done")["resumed"], 0);
    // Nothing is lost: --all has nothing to do.
    assert_eq!(env.cxs(&["resume", "--all"]).success(), "");
    let usage = env.cxs(&["resume", "--all", "busy", "more"]).fails(1);
    assert!(usage.contains("--all takes at most a PROMPT"), "{usage}");
}

#[test]
fn a_configured_agent_resumes_the_conversation_its_log_names() {
    let env = TestEnv::new();
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        r#"[agents.talker]
command = ["sh", "-c", "echo conversation-id: c0ffee; echo args: \"$*\"", "talker"]
resume = ["--resume", "{conversation}"]
conversation = 'conversation-id: (\w+)'
"#,
    )
    .unwrap();
    env.cxs(&["new", "talker", "--id", "t", "first prompt"]).success();
    env.wait_for_status("t", "exited");
    env.wait_for_log("t", "args: first prompt");
    let plan = env.cxs(&["resume", "--plan", "t", "next"]).success();
    assert!(plan.contains("resumes conversation c0ffee"), "{plan}");
    assert!(
        plan.contains("note: the first prompt (first prompt) is in the conversation already"),
        "{plan}"
    );
    env.cxs(&["resume", "t", "next"]).success_with_stderr();
    env.wait_for_log("t", "args: --resume c0ffee next");
    // A second resume is built from what `new` started, not from the first resume's argv.
    env.wait_for_status("t", "exited");
    env.cxs(&["resume", "t", "then"]).success_with_stderr();
    env.wait_for_log("t", "args: --resume c0ffee then");
    assert!(!env.log("t").contains("args: --resume c0ffee --resume"), "{}", env.log("t"));
}
