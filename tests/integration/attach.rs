//! `cxs attach`: a real tmux client, given a terminal by an outer tmux server.

use crate::common::{TestEnv, wait_until};

/// Runs `cxs attach ARGS` in a pane of a second tmux server, which provides the terminal.
fn attach_from_outer_terminal(env: &TestEnv, outer: &TestEnv, args: &str) {
    let cxs = env!("CARGO_BIN_EXE_cxs");
    let command = format!(
        "env -u TMUX TMUX_TMPDIR='{}' CXS_HOME='{}' CXS_TMUX_SOCKET='{}' '{cxs}' attach {args}; sleep 100",
        env.tmux_tmpdir().display(),
        env.home().display(),
        env.socket()
    );
    outer.user_session_running("terminal", &["-x", "120", "-y", "40"], &command);
}

fn clients(env: &TestEnv) -> String {
    env.tmux_ok(&["list-clients", "-F", "#{@cxs-id} #{client_readonly}"])
}

#[test]
fn attach_makes_a_client_of_the_session() {
    let env = TestEnv::new();
    let outer = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "watched", "x"]);
    attach_from_outer_terminal(&env, &outer, &id);
    wait_until("a client on watched", || clients(&env) == "watched 0\n");
}

#[test]
fn attach_read_only() {
    let env = TestEnv::new();
    let outer = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "watched", "x"]);
    attach_from_outer_terminal(&env, &outer, "-r 0");
    wait_until("a read-only client on watched", || clients(&env) == "watched 1\n");
}

#[test]
fn attach_inside_tmux_switches_the_client() {
    let env = TestEnv::new();
    let outer = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "first", "x"]);
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "second", "x"]);
    attach_from_outer_terminal(&env, &outer, "first");
    wait_until("a client on first", || clients(&env) == "first 0\n");
    // What $TMUX holds in a pane of the attached session.
    let tmux_var = env.tmux_ok(&[
        "display-message",
        "-p",
        "-t",
        &format!("={}:", env.tmux_name("first")),
        "#{socket_path},#{pid},#{session_id}",
    ]);
    let tmux_var = tmux_var.trim().replace(",$", ",");
    env.cxs(&["attach", "second"]).env("TMUX", &tmux_var).success();
    wait_until("the client to switch to second", || clients(&env) == "second 0\n");
    // Read-only from inside: a popup with a read-only client of its own, and the user's
    // client stays as it was. The command returns once the popup's client detaches.
    let mut popup =
        std::process::Command::from(env.cxs(&["attach", "-r", "first"]).env("TMUX", &tmux_var))
            .spawn()
            .unwrap();
    let both = |c: &str| c.lines().any(|l| l == "first 1") && c.lines().any(|l| l == "second 0");
    wait_until("a read-only client in a popup", || both(&clients(&env)));
    env.tmux_ok(&["detach-client", "-s", &format!("={}", env.tmux_name("first"))]);
    assert!(popup.wait().unwrap().success());
    assert_eq!(clients(&env), "second 0\n");
}

#[test]
fn attach_without_a_terminal_says_what_to_use_instead() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "here", "x"]);
    let err = env.cxs(&["attach", "here"]).fails(1);
    assert_eq!(
        err,
        "error: cannot attach: standard input is not a terminal; see the screen with `cxs \
         capture`, or follow the output with `cxs logs -f`\n"
    );
}

#[test]
fn attach_to_a_lost_session_is_a_clear_error() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "gone", "x"]);
    env.tmux_ok(&["kill-session", "-t", &format!("={}", env.tmux_name("gone"))]);
    let err = env.cxs(&["attach", "gone"]).fails(1);
    assert_eq!(
        err,
        "error: session 'gone' has no tmux session (lost); read its output with `cxs logs gone`\n"
    );
}
