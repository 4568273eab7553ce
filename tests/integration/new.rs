//! `cxs new`: what reaches the agent, and what is left when starting fails.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use crate::common::{TestEnv, agent_args};

#[test]
fn new_prints_a_petname_id_and_the_agent_runs() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["hello"]);
    let words: Vec<&str> = id.split('-').collect();
    assert_eq!(words.len(), 2, "two words: {id}");
    assert!(words.iter().all(|w| !w.is_empty() && w.len() <= 6), "short words: {id}");
    env.wait_for_log(&id, "arg[5]=hello");
    assert_eq!(env.row(&id)["status"], "running");
    assert!(env.tmux_sessions().contains(&env.tmux_name(&id)));
}

#[test]
fn output_of_the_first_millisecond_is_logged() {
    let env = TestEnv::new();
    for _ in 0..5 {
        // The fake agent prints at once and exits: nothing may be lost before pipe-pane.
        let id = env.new_exec(&[], &["quick"]);
        env.wait_for_status(&id, "exited");
        env.wait_for_log(&id, "fake-agent: exiting with 0");
        assert!(env.log(&id).starts_with("fake-agent: started"), "log: {:?}", env.log(&id));
    }
}

#[test]
fn hostile_prompts_arrive_byte_for_byte() {
    let env = TestEnv::new();
    let prompts = [
        "it's \"quoted\" and 'single'",
        "$(touch pwned) `touch pwned2` ${HOME}",
        "line one\nline two\n\nlast",
        "a; rm -rf / ; echo done",
        "-rm starts with a dash",
        "--also-a-dash",
        "non-ASCII: héllo, 世界, 🚀",
        "tmux formats #{session_name} #S %1 %% ~ \\ \t tab",
    ];
    for prompt in prompts {
        let argv_file = env.root().join("argv");
        let _ = std::fs::remove_file(&argv_file);
        let id = env.new_exec(&[("FAKE_AGENT_ARGV", argv_file.to_str().unwrap())], &[prompt]);
        env.wait_for_status(&id, "exited");
        assert_eq!(agent_args(&argv_file), ["exec", "--", prompt]);
    }
    assert!(!env.work().join("pwned").exists() && !env.work().join("pwned2").exists());
}

#[test]
fn agent_gets_the_callers_environment_and_no_secret_is_on_a_command_line() {
    // The tmux server was started by TestEnv::new without this variable.
    let env = TestEnv::new();
    let secret = "sk-test-5f3a9c1e7b";
    let id = env.new_exec(
        &[
            ("OPENAI_API_KEY", secret),
            ("FAKE_AGENT_ENV", "OPENAI_API_KEY"),
            ("FAKE_AGENT_SLEEP", "30"),
        ],
        &["use the key"],
    );
    env.wait_for_log(&id, &format!("env OPENAI_API_KEY={secret}"));
    for entry in std::fs::read_dir("/proc").unwrap() {
        let Ok(cmdline) = std::fs::read(entry.unwrap().path().join("cmdline")) else {
            continue;
        };
        assert!(!OsStr::from_bytes(&cmdline).to_string_lossy().contains(secret));
    }
    assert!(!env.session_dir(&id).join("env").exists(), "the saved environment is removed");
    // The pane's own variables describe the pane, not the caller.
    let id = env.new_exec(&[("FAKE_AGENT_ENV", "TMUX"), ("TMUX", "/elsewhere,1,0")], &["x"]);
    env.wait_for_log(&id, &format!("env TMUX={}/tmux-", env.tmux_tmpdir().display()));
    assert!(!env.log(&id).contains("/elsewhere"));
}

#[test]
fn working_directory_is_the_current_one_or_cd() {
    let env = TestEnv::new();
    std::fs::create_dir(env.work().join("sub")).unwrap();
    let here = env.new_exec(&[], &["x"]);
    let there = env.new_exec(&[], &["-C", "sub", "x"]);
    assert_eq!(env.row(&here)["cwd"], env.work().to_str().unwrap());
    assert_eq!(env.row(&there)["cwd"], env.work().join("sub").to_str().unwrap());
    let err = env.cxs(&["new", "exec", "-C", "missing", "x"]).fails(1);
    assert_eq!(err, "error: working directory 'missing' is not a directory\n");
}

#[test]
fn invalid_ids_are_usage_errors() {
    let env = TestEnv::new();
    for bad in ["", "a.b", "a:b", "has space", "123", &"x".repeat(65)] {
        let err = env.cxs(&["new", "exec", "--id", bad, "x"]).fails(2);
        assert!(err.contains("invalid session id"), "{bad:?}: {err}");
    }
    assert!(!env.home().join("sessions").exists(), "nothing was created");
}

#[test]
fn a_taken_id_is_an_error() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "mine", "x"]);
    let err = env.cxs(&["new", "exec", "--id", "mine", "y"]).fails(1);
    assert_eq!(err, "error: session 'mine' already exists\n");
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn concurrent_news_with_one_id_never_both_succeed() {
    let env = TestEnv::new();
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut command =
                std::process::Command::from(env.cxs(&["new", "exec", "--id", "race", "x"]));
            command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
            command.spawn().unwrap()
        })
        .collect();
    let wins =
        children.into_iter().map(|mut c| c.wait().unwrap().success()).filter(|ok| *ok).count();
    assert_eq!(wins, 1);
    assert_eq!(env.list_json().len(), 1);
    assert_eq!(env.tmux_sessions().iter().filter(|s| s.starts_with("cxs-")).count(), 1);
}

#[test]
fn missing_codex_fails_before_creating_anything() {
    let env = TestEnv::new();
    let err = env.cxs(&["new", "exec", "x"]).env("CXS_CODEX_BIN", "/nonexistent/codex").fails(1);
    assert!(
        err.starts_with("error: CXS_CODEX_BIN '/nonexistent/codex' is not an executable program"),
        "{err}"
    );
    let err =
        env.cxs(&["new", "repl"]).env_remove("CXS_CODEX_BIN").env("PATH", "/usr/bin:/bin").fails(1);
    assert_eq!(
        err,
        "error: codex not found on PATH: install it (npm install -g @openai/codex) or set CXS_CODEX_BIN to its path\n"
    );
    assert!(!env.home().exists(), "no state directory was created");
}

#[test]
fn a_failed_start_leaves_nothing_and_spares_the_users_session() {
    let env = TestEnv::new();
    // The user owns a tmux session with the very name cxs would use: tmux refuses.
    env.new_exec(&[], &["--id", "probe", "x"]);
    let name = env.tmux_name("probe").replace("probe", "clash");
    env.user_session(&name);
    let err = env.cxs(&["new", "exec", "--id", "clash", "x"]).fails(1);
    assert!(err.contains(&format!("duplicate session: {name}")), "{err}");
    assert!(!env.session_dir("clash").exists());
    assert!(env.tmux_sessions().contains(&name), "the user's session lives");
    assert_eq!(std::fs::read_dir(env.home().join("sessions")).unwrap().count(), 1);
}

#[test]
fn state_is_private() {
    let env = TestEnv::new();
    let id = env.new_exec(&[], &["secret prompt"]);
    env.wait_for_status(&id, "exited");
    // The log writer creates the log as it starts.
    env.wait_for_log(&id, "secret prompt");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.home()), 0o700);
    assert_eq!(mode(&env.session_dir(&id)), 0o700);
    for file in ["session.toml", "log"] {
        assert_eq!(mode(&env.session_dir(&id).join(file)), 0o600, "{file}");
    }
}

#[test]
fn sessions_never_live_under_codex_home() {
    let env = TestEnv::new();
    let id = env.new_exec(&[], &["x"]);
    env.wait_for_status(&id, "exited");
    assert!(!env.root().join(".codex").exists());
    // With no CXS_HOME, the XDG state directory is used.
    let id = env
        .cxs(&["new", "exec", "x"])
        .env_remove("CXS_HOME")
        .env("XDG_STATE_HOME", env.root().join("state"))
        .success();
    assert!(env.root().join("state/cxs/sessions").join(id.trim()).is_dir());
}

#[test]
fn exit_codes_are_recorded_in_the_sidecar() {
    let env = TestEnv::new();
    let id = env.new_exec(&[("FAKE_AGENT_EXIT", "3")], &["fail"]);
    let row = env.wait_for_status(&id, "exited");
    let screen = env.tmux(&["capture-pane", "-p", "-t", &format!("={}:", env.tmux_name(&id))]);
    let screen = String::from_utf8_lossy(&screen.stdout);
    let dead = env.tmux_ok(&[
        "list-panes",
        "-a",
        "-F",
        "#{pane_pid} #{pane_dead} #{pane_dead_status} #{pane_dead_signal}",
    ]);
    assert_eq!(row["exit_code"], 3, "{row}\nscreen: {screen}\npanes: {dead}");
    let sidecar = std::fs::read_to_string(env.session_dir(&id).join("session.toml")).unwrap();
    assert!(sidecar.contains("exit_code = 3"), "{sidecar}");
}

#[test]
fn a_prompt_that_reads_as_a_flag_comes_from_stdin_or_a_file() {
    let env = TestEnv::new();
    let argv_file = env.root().join("argv");
    env.cxs(&["new", "exec", "--id", "piped", "-"])
        .env("FAKE_AGENT_ARGV", &argv_file)
        .stdin("--help\n")
        .success();
    env.wait_for_status("piped", "exited");
    assert_eq!(agent_args(&argv_file), ["exec", "--", "--help"]);
    std::fs::write(env.work().join("task.txt"), "-C /etc\nsecond line\n").unwrap();
    env.cxs(&["new", "exec", "--id", "filed", "--prompt-file", "task.txt"])
        .env("FAKE_AGENT_ARGV", &argv_file)
        .success();
    env.wait_for_status("filed", "exited");
    assert_eq!(agent_args(&argv_file), ["exec", "--", "-C /etc\nsecond line"]);
    let err = env.cxs(&["new", "exec", "--prompt-file", "nope.txt"]).fails(1);
    assert!(err.contains("cannot read the prompt file"), "{err}");
    assert_eq!(env.list_json().len(), 2);
}

#[test]
fn the_agent_gets_the_callers_umask_and_limits() {
    let env = TestEnv::new();
    // The server was started by the test's own tmux, under its umask (022) and limits.
    let strict = env.script("strict", "umask 077\nulimit -Sn 333\nexec \"$@\"\n");
    let show =
        env.script("show", "touch made; stat -c 'mode %a' made; echo \"nofile $(ulimit -n)\"\n");
    env.cxs_from(&[&strict], &["new", "cmd", "--id", "strict", show.to_str().unwrap()]).success();
    env.wait_for_log("strict", "nofile");
    let log = env.log("strict");
    assert!(log.contains("mode 600") && log.contains("nofile 333"), "{log}");
}
