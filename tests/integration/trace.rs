//! `CXS_TRACE=1`: every tmux call is printed, and the counts stay flat as sessions grow.

use crate::common::TestEnv;

/// The tmux invocations `cxs ARGS` makes, as traced on stderr.
fn tmux_calls(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let output = env.cxs(args).env("CXS_TRACE", "1").env("FAKE_AGENT_SLEEP", "30").output();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8(output.stderr).unwrap();
    stderr.lines().filter(|l| l.starts_with("+ tmux ")).map(str::to_owned).collect()
}

#[test]
fn tmux_calls_do_not_grow_with_sessions() {
    let env = TestEnv::new();
    let new = tmux_calls(&env, &["new", "exec", "--id", "first", "x"]);
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].contains(" new-session ") && new[0].contains(" pipe-pane "), "{new:?}");
    assert_eq!(tmux_calls(&env, &["list"]).len(), 1);
    for i in 0..20 {
        env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", &format!("s{i}"), "x"]);
    }
    let list = tmux_calls(&env, &["list", "--json"]);
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(list[0].starts_with(&format!("+ tmux -u -L {} list-sessions -F ", env.socket())));
    let ids: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
    let delete = tmux_calls(
        &env,
        &[&["delete"], &ids.iter().map(String::as_str).collect::<Vec<_>>()[..]].concat(),
    );
    assert_eq!(delete.len(), 2, "one listing, one chained kill: {delete:?}");
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn without_trace_stderr_stays_quiet() {
    let env = TestEnv::new();
    let output = env.cxs(&["list"]).output();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
