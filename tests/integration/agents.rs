//! Agents beyond Codex: `new cmd`, `new NAME`, the configuration file and `cxs agents`.

use crate::common::{TestEnv, fake_agent};

#[test]
fn new_cmd_runs_any_command() {
    let env = TestEnv::new();
    let id = env.cxs(&["new", "cmd", "--id", "plain", "--", "printf", "%s|", "a b", "c"]).success();
    assert_eq!(id, "plain\n");
    let row = env.wait_for_status("plain", "exited");
    assert_eq!(row["kind"], "cmd");
    env.wait_for_log("plain", "a b|c|");
    let err = env.cxs(&["new", "cmd", "--", "no-such-program-xyz"]).fails(1);
    assert_eq!(err, "error: command 'no-such-program-xyz' not found\n");
}

#[test]
fn configured_agents_start_by_name_with_their_environment() {
    let env = TestEnv::new();
    let config = env.root().join("config.toml");
    let agent = fake_agent();
    std::fs::write(
        &config,
        format!(
            "[defaults]\nmodel = \"o4-mini\"\n\n[agents.helper]\ncommand = [{:?}, \"--mode\", \"fast\"]\n\
             env = {{ FAKE_AGENT_ENV = \"HELPER_TOKEN\", HELPER_TOKEN = \"t0k\" }}\n",
            agent.to_str().unwrap()
        ),
    )
    .unwrap();
    let id = env
        .cxs(&["new", "helper", "--id", "h", "--", "fix", "it"])
        .env("CXS_CONFIG", &config)
        .success();
    assert_eq!(id, "h\n");
    env.wait_for_log("h", "env HELPER_TOKEN=t0k");
    let log = env.log("h");
    assert!(log.contains("arg[1]=--mode\r\narg[2]=fast\r\narg[3]=fix\r\narg[4]=it"), "{log}");
    // Defaults reach Codex sessions.
    env.cxs(&["new", "exec", "--id", "c", "x"]).env("CXS_CONFIG", &config).success();
    env.wait_for_log("c", "arg[5]=o4-mini");

    let agents =
        env.cxs(&["agents"]).env("CXS_CONFIG", &config).env("PATH", "/usr/bin:/bin").success();
    assert!(agents.lines().any(|l| l.starts_with("helper") && l.ends_with("config")), "{agents}");
    assert!(agents.lines().any(|l| l.starts_with("claude") && l.contains(" no ")), "{agents}");
    assert!(agents.lines().any(|l| l.starts_with("exec, repl") && l.contains(" yes ")), "{agents}");
}

#[test]
fn unknown_agents_and_config_keys_are_clear_errors() {
    let env = TestEnv::new();
    let err = env.cxs(&["new", "nobody"]).fails(1);
    assert!(err.starts_with("error: unknown agent 'nobody': use exec or repl for codex"), "{err}");
    let err = env.cxs(&["new", "claude"]).env("PATH", "/usr/bin:/bin").fails(1);
    assert_eq!(err, "error: agent 'claude': 'claude' not found on PATH\n");
    let config = env.root().join("bad.toml");
    std::fs::write(&config, "[defaults]\nmodel = \"x\"\nsandbox_mode = \"read-only\"\n").unwrap();
    let err = env.cxs(&["list"]).env("CXS_CONFIG", &config).fails(1);
    assert!(err.contains("line 3") && err.contains("sandbox_mode"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!env.home().join("sessions").exists());
}

#[test]
fn completion_offers_live_session_ids() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "alpha", "x"]);
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "beta", "x"]);
    let words = env
        .cxs(&["--", "cxs", "attach", ""])
        .env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .success();
    let words: Vec<&str> = words.lines().collect();
    assert!(words.contains(&"alpha") && words.contains(&"beta"), "{words:?}");
    let man = env.cxs(&["man"]).success();
    assert!(man.starts_with(".ie") && man.contains("cxs"), "{man}");
    // COMPLETE set to something that is no shell is not a completion request.
    let list = env.cxs(&["list", "--json"]).env("COMPLETE", "1").success();
    assert!(list.contains("\"alpha\""), "{list}");
}

#[test]
fn new_says_what_to_type_instead() {
    let env = TestEnv::new();
    let err = env.cxs(&["new", "codex", "hi"]).fails(1);
    assert_eq!(
        err,
        "error: codex runs as `cxs new exec PROMPT` (one-shot) or `cxs new repl` (the TUI)\n"
    );
    let err = env.cxs(&["new", "nope"]).fails(1);
    assert!(err.ends_with("or one of: aider, claude, gemini\n"), "{err}");
    let err = env.cxs(&["new", "exec", "--id", "x", "--", "fix it"]).fails(2);
    assert!(err.starts_with("error: no PROMPT given: the prompt goes before `--`"), "{err}");
    // A command needs no `--`, and its preview keeps the program.
    env.cxs(&["new", "cmd", "--id", "plain", "echo", "-n", "hi"]).success();
    env.cxs(&["new", "cmd", "--id", "dashed", "--", "echo", "hi"]).success();
    let rows = env.list_json();
    let prompts: Vec<&str> = rows.iter().map(|r| r["prompt"].as_str().unwrap()).collect();
    assert_eq!(prompts, ["echo hi", "echo -n hi"]);
    assert!(!env.session_dir("x").exists());
}

#[test]
fn agents_that_could_never_run_are_config_errors() {
    let env = TestEnv::new();
    let config = env.root().join("config.toml");
    std::fs::write(&config, "[agents.repl]\ncommand = [\"x\"]\n").unwrap();
    let err = env.cxs(&["list"]).env("CXS_CONFIG", &config).fails(1);
    assert!(err.contains("line 1: agent name 'repl' is reserved"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
