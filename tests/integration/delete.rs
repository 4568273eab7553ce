//! `cxs delete`: the tmux session, the agent's processes and the state all go.

use crate::common::{TestEnv, alive, wait_until};

#[test]
fn delete_kills_the_agent_and_its_children_and_removes_state() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_CHILD", "1"), ("FAKE_AGENT_SLEEP", "1000")], &["x"]);
    env.wait_for_log(&id, "child pid ");
    wait_until("the pid recorded", || env.row(&id)["pid"].is_number());
    let agent = env.row(&id)["pid"].as_u64().unwrap() as u32;
    let log = env.log(&id);
    let child: u32 =
        log.split("child pid ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(alive(agent) && alive(child));
    env.cxs(&["rm", &id]).success();
    assert!(!env.session_dir(&id).exists());
    assert_eq!(env.tmux_sessions(), ["user-own"]);
    wait_until("the agent and its child to end", || !alive(agent) && !alive(child));
    assert_eq!(env.list_json().len(), 0);
}

#[test]
fn exited_and_lost_sessions_delete_too() {
    let env = TestEnv::new();
    let done = env.new_exec(&[], &["--id", "done", "x"]);
    env.wait_for_status(&done, "exited");
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "lost", "x"]);
    env.wait_for_status("lost", "running");
    env.tmux_ok(&["kill-session", "-t", &format!("={}", env.tmux_name("lost"))]);
    env.wait_for_status("lost", "lost");
    env.cxs(&["delete", "done", "lost"]).success();
    assert_eq!(env.list_json().len(), 0);
    assert_eq!(std::fs::read_dir(env.home().join("sessions")).unwrap().count(), 0);
}

#[test]
fn delete_many_in_one_call_and_nothing_when_a_selector_fails() {
    let env = TestEnv::new();
    for id in ["a1", "a2", "a3"] {
        env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", id, "x"]);
    }
    let err = env.cxs(&["delete", "a1", "nope"]).fails(1);
    assert_eq!(err, "error: no session matches 'nope'\n");
    assert_eq!(env.list_json().len(), 3, "nothing was deleted");
    env.cxs(&["delete", "a1", "a2", "a3", "a1"]).success();
    assert_eq!(env.list_json().len(), 0);
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}
