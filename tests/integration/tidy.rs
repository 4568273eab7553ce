//! Keeping many sessions tidy: `list --status/--kind`, `delete --exited/--lost`, `rename`.

use crate::common::TestEnv;

#[test]
fn filters_bulk_delete_and_rename() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "60")], &["--id", "busy", "x"]);
    env.new_exec(&[], &["--id", "done", "x"]);
    env.cxs(&["new", "cmd", "--id", "other", "true"]).success();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "60")], &["--id", "gone", "x"]);
    env.wait_for_status("busy", "running");
    env.wait_for_status("done", "exited");
    env.wait_for_status("other", "exited");
    env.wait_for_status("gone", "running");
    env.tmux_ok(&["kill-session", "-t", &format!("={}", env.tmux_name("gone"))]);
    env.wait_for_status("gone", "lost");
    // No process saw tmux lose it: the first listing that noticed journaled it, once.
    env.cxs(&["list"]).success();
    let events = env.cxs(&["events", "gone"]).success();
    assert_eq!(events.matches("  lost").count(), 1, "{events}");

    let ids = |args: &[&str]| -> Vec<String> {
        let json = env.cxs(&[&["list", "--json"], args].concat()).success();
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&["--status", "exited"]), ["other", "done"]);
    assert_eq!(ids(&["--status", "exited", "--kind", "exec"]), ["done"]);
    assert_eq!(ids(&["--status", "lost", "--status", "running"]), ["gone", "busy"]);
    // A filtered row keeps its index: selectors still name it.
    let table = env.cxs(&["list", "--kind", "cmd"]).success();
    assert!(table.lines().nth(1).unwrap().starts_with("1  other"), "{table}");

    // A running session keeps its id; an exited one moves, tmux session and all.
    let refused = env.cxs(&["rename", "busy", "b2"]).fails(1);
    assert!(refused.contains("session 'busy' is running"), "{refused}");
    let taken = env.cxs(&["rename", "done", "other"]).fails(1);
    assert!(taken.contains("session 'other' already exists"), "{taken}");
    env.cxs(&["rename", "done", "finished"]).success();
    let row = env.row("finished");
    assert_eq!((row["status"].as_str(), row["exit_code"].as_i64()), (Some("exited"), Some(0)));
    assert!(env.tmux_name("finished").starts_with("cxs-finished-"));
    assert!(!env.session_dir("done").exists());

    // Every finished session in one call.
    env.cxs(&["delete", "--exited", "--lost"]).success();
    assert_eq!(ids(&[]), ["busy"]);
    assert_eq!(env.tmux_sessions().len(), 2, "the user's and busy's: {:?}", env.tmux_sessions());
}
