//! `cxs list`: status from one tmux call, selectors, and rows that survive bad state.

use crate::common::{TestEnv, snapshot_settings, wait_until};

#[test]
fn list_table_shows_every_status() {
    let env = TestEnv::new();
    let done = env.new_exec(
        &[("FAKE_AGENT_EXIT", "3")],
        &["--id", "done", "a prompt that is much longer than forty characters, cut"],
    );
    env.wait_for_status(&done, "exited");
    // The exit is recorded before tmux has piped the last line: wait for the whole log.
    env.wait_for_log(&done, "exiting with 3");
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "busy", "naïve café prompt"]);
    env.cxs(&["new", "repl", "--id", "chat"]).env("FAKE_AGENT_SLEEP", "30").success();
    env.wait_for_status("chat", "running");
    // Fix the log sizes (the repl's holds paths that differ between machines), once the
    // agents have printed all they will.
    env.wait_for_log("busy", "arg[5]=");
    env.wait_for_log("chat", "notify=");
    std::fs::write(env.session_dir("busy").join("log"), "x".repeat(1536)).unwrap();
    std::fs::write(env.session_dir("chat").join("log"), "x".repeat(99)).unwrap();
    std::fs::write(env.session_dir("done").join("log"), "x".repeat(137)).unwrap();
    wait_until("the pid recorded", || env.row("busy")["pid"].is_number());
    let running = env.cxs(&["list"]).success();
    let pid = env.row("busy")["pid"].as_u64().unwrap();
    let busy: Vec<&str> =
        running.lines().nth(2).unwrap().split_whitespace().filter(|w| !w.ends_with('s')).collect();
    // ACTIVE (e.g. `0s`) varies, and is left out.
    assert_eq!(busy[..6], ["1", "busy", "exec", "running", &pid.to_string(), "1.5K"], "{running}");
    // Lost sessions have no pid, so the whole table can be pinned.
    env.tmux_ok(&["kill-server"]);
    let table = env.cxs(&["list"]).success();
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(table, @r"
        #  ID    KIND  STATUS      ACTIVE  PID  LOG   CREATED           PROMPT
        0  chat  repl  lost        -       -    99B   YYYY-MM-DD HH:MM
        1  busy  exec  lost        -       -    1.5K  YYYY-MM-DD HH:MM  naïve café prompt
        2  done  exec  exited (3)  -       -    137B  YYYY-MM-DD HH:MM  a prompt that is much longer than for...
        ");
    });
    assert_eq!(env.cxs(&["ls"]).success().lines().count(), 4, "ls is list");
}

#[test]
fn list_json_has_stable_fields() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_EXIT", "0")], &["--id", "json", "-m", "o3", "hi"]);
    env.wait_for_status(&id, "exited");
    env.wait_for_log(&id, "exiting with 0");
    // The log holds paths that differ between machines.
    std::fs::write(env.session_dir(&id).join("log"), "x".repeat(111)).unwrap();
    let json = env.cxs(&["list", "--json"]).success();
    let json = json.replace(crate::common::fake_agent().to_str().unwrap(), "[AGENT]");
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(json, @r#"
        [
          {
            "index": 0,
            "id": "json",
            "kind": "exec",
            "status": "exited",
            "exit_code": 0,
            "pid": null,
            "log": "[TMP]/home/sessions/json/log",
            "log_bytes": 111,
            "created": "[TIME]",
            "finished": "[TIME]",
            "last_output": "[TIME]",
            "cwd": "[TMP]/work",
            "prompt": "hi",
            "last_message": null,
            "argv": [
              "[AGENT]",
              "exec",
              "--config",
              "notify=[\"[CXS]\",\"__notify\",\"[TMP]/home/sessions/json\"]",
              "--model",
              "o3",
              "--",
              "hi"
            ],
            "error": null,
            "logging": true,
            "conversation": null,
            "resumed": 0,
            "tokens": null
          }
        ]
        "#);
    });
}

#[test]
fn newest_is_index_zero_and_selectors_resolve() {
    let env = TestEnv::new();
    for id in ["alpha-one", "alpha-two", "beta"] {
        env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", id, id]);
        // Creation times order the list; keep them distinct.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let ids: Vec<String> =
        env.list_json().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["beta", "alpha-two", "alpha-one"]);
    let logs = |sel: &str| env.cxs(&["logs", sel]).output();
    assert!(String::from_utf8_lossy(&logs("0").stdout).contains("fake-agent"));
    let err = env.cxs(&["logs", "alpha"]).fails(1);
    assert_eq!(err, "error: 'alpha' matches several sessions: alpha-two, alpha-one\n");
    assert_eq!(env.cxs(&["logs", "9"]).fails(1), "error: no session at index 9: the last is 2\n");
    assert_eq!(env.cxs(&["logs", "gamma"]).fails(1), "error: no session matches 'gamma'\n");
    env.cxs(&["logs", "alpha-o"]).success();
    env.cxs(&["logs", "b"]).success();
}

#[test]
fn users_own_sessions_are_invisible() {
    let env = TestEnv::new();
    env.user_session("cxs-lookalike");
    assert_eq!(env.list_json().len(), 0);
    assert_eq!(env.cxs(&["attach", "user-own"]).fails(1), "error: no session matches 'user-own'\n");
    assert_eq!(
        env.cxs(&["delete", "lookalike"]).fails(1),
        "error: no session matches 'lookalike'\n"
    );
    let sessions = env.tmux_sessions();
    assert!(
        sessions.contains(&"user-own".to_owned()) && sessions.contains(&"cxs-lookalike".to_owned())
    );
}

#[test]
fn killing_the_tmux_server_makes_sessions_lost() {
    let env = TestEnv::new();
    let done = env.new_exec(&[], &["quick"]);
    env.wait_for_status(&done, "exited");
    let busy = env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["slow"]);
    env.wait_for_status(&busy, "running");
    env.tmux_ok(&["kill-server"]);
    assert_eq!(env.row(&busy)["status"], "lost");
    assert_eq!(env.row(&done)["status"], "exited", "a recorded exit outlives the server");
    assert!(env.cxs(&["list"]).success().contains("lost"));
}

#[test]
fn a_corrupt_sidecar_breaks_only_its_row() {
    let env = TestEnv::new();
    let good = env.new_exec(&[], &["fine"]);
    let bad = env.new_exec(&[], &["soon broken"]);
    env.wait_for_status(&good, "exited");
    env.wait_for_status(&bad, "exited");
    std::fs::write(env.session_dir(&bad).join("session.toml"), "id = [unclosed").unwrap();
    let row = env.row(&bad);
    assert_eq!(row["status"], "broken");
    assert!(row["error"].as_str().unwrap().starts_with("invalid sidecar"), "{row}");
    assert_eq!(env.row(&good)["status"], "exited");
    assert!(env.cxs(&["list"]).success().contains("broken"));
    env.cxs(&["delete", &bad]).success();
    assert!(!env.session_dir(&bad).exists(), "a broken session can be deleted");
}
