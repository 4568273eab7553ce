//! The real Codex CLI, offline against the model stand-in. `.ci/run` installs a pinned
//! Codex from npm and exports `CXS_CODEX_BIN`; without it these tests say loudly that they
//! are skipped, and fail under CI.

use std::path::PathBuf;

use crate::common::{Cxs, TestEnv, skip, wait_until};
use crate::model::Model;

/// A 1×1 PNG, for `-i`.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A test world with the real Codex, its own `CODEX_HOME`, and a model stand-in.
struct Codex {
    env: TestEnv,
    model: Model,
    bin: PathBuf,
    home: PathBuf,
}

impl Codex {
    /// The world, or `None` (said loudly) when no real Codex is installed.
    fn new(test: &str) -> Option<Self> {
        let Some(bin) = std::env::var_os("CXS_CODEX_BIN").map(PathBuf::from) else {
            skip(test, "CXS_CODEX_BIN is not set (.ci/run installs Codex from npm)");
            return None;
        };
        let version = std::process::Command::new(&bin).arg("--version").output();
        if !version.is_ok_and(|v| String::from_utf8_lossy(&v.stdout).starts_with("codex")) {
            skip(test, &format!("CXS_CODEX_BIN={} is not the Codex CLI", bin.display()));
            return None;
        }
        let env = TestEnv::new();
        let home = env.root().join("codex-home");
        std::fs::create_dir(&home).unwrap();
        Some(Codex { env, model: Model::start(), bin, home })
    }

    /// `cxs ARGS` running the real Codex with its own home.
    fn cxs(&self, args: &[&str]) -> Cxs {
        self.env.cxs(args).env("CXS_CODEX_BIN", &self.bin).env("CODEX_HOME", &self.home)
    }

    /// `cxs new KIND --id ID ...` pointed at the stand-in.
    fn start(&self, kind: &str, id: &str, args: &[&str]) {
        let config = self.model.codex_config();
        let mut all = vec!["new", kind, "--id", id, "-m", "stand-in-model"];
        all.extend(config.iter().map(String::as_str));
        all.extend(args);
        assert_eq!(self.cxs(&all).success(), format!("{id}\n"));
    }

    fn screen(&self, id: &str) -> String {
        self.cxs(&["capture", id]).success()
    }

    fn sidecar(&self, id: &str) -> toml::Table {
        let text = std::fs::read_to_string(self.env.session_dir(id).join("session.toml")).unwrap();
        toml::from_str(&text).unwrap()
    }
}

#[test]
fn codex_exec_accepts_the_argv_and_its_exit_is_recorded() {
    let Some(codex) = Codex::new("codex_exec_accepts_the_argv_and_its_exit_is_recorded") else {
        return;
    };
    let env = &codex.env;
    std::fs::write(env.work().join("tiny.png"), TINY_PNG).unwrap();
    let flags = [
        "-s",
        "read-only",
        "-i",
        "tiny.png",
        "--skip-git-repo-check",
        "-c",
        "hide_agent_reasoning=true",
    ];
    codex.start("exec", "ok", &[&flags[..], &["say hi"]].concat());
    let row = env.wait_for_status("ok", "exited");
    let screen = codex.cxs(&["capture", "-n", "50", "ok"]).output();
    let screen = String::from_utf8_lossy(&screen.stdout);
    assert_eq!(row["exit_code"], 0, "row: {row}\nscreen: {screen}\nlog: {}", env.log("ok"));
    env.wait_for_log("ok", "ECHO: say hi");
    // exec fires Codex's notify hook too: its last message is recorded.
    assert_eq!(env.row("ok")["last_message"], "ECHO: say hi", "{}", env.log("ok"));

    codex.start("exec", "fails", &["--skip-git-repo-check", "FAIL500 please"]);
    let row = env.wait_for_status("fails", "exited");
    assert_ne!(row["exit_code"], 0, "log: {}", env.log("fails"));

    // A model that stops answering mid-stream: Codex gives up after its idle timeout.
    let idle = "model_providers.standin.stream_idle_timeout_ms=1000";
    codex.start("exec", "stalls", &["--skip-git-repo-check", "-c", idle, "STALL please"]);
    let row = env.wait_for_status("stalls", "exited");
    assert_ne!(row["exit_code"], 0, "log: {}", env.log("stalls"));
    assert!(codex.model.requests() >= 3);
}

#[test]
fn an_exec_run_resumes_in_its_own_conversation() {
    let Some(codex) = Codex::new("an_exec_run_resumes_in_its_own_conversation") else {
        return;
    };
    let env = &codex.env;
    codex.start("exec", "r", &["--skip-git-repo-check", "first question"]);
    env.wait_for_status("r", "exited");
    let conversation = env.row("r")["conversation"].as_str().map(str::to_owned);
    let conversation = conversation.unwrap_or_else(|| panic!("no conversation: {}", env.log("r")));
    // What the stand-in reported in its `usage`, read from Codex's own rollout.
    let tokens = &env.row("r")["tokens"];
    assert_eq!(
        (tokens["input"].as_u64(), tokens["output"].as_u64(), tokens["total"].as_u64()),
        (Some(10), Some(5), Some(15)),
        "{tokens}"
    );
    let plan = codex.cxs(&["resume", "--plan", "r", "second question"]).success();
    assert!(plan.contains(&format!("resume {conversation} -- 'second question'")), "{plan}");
    assert_eq!(codex.model.inputs().len(), 1, "--plan starts nothing");
    assert_eq!(codex.cxs(&["resume", "r", "second question"]).success(), "r\n");
    env.wait_for_log("r", "ECHO: second question");
    let row = env.wait_for_status("r", "exited");
    assert_eq!(row["exit_code"], 0, "{}", env.log("r"));
    assert_eq!(
        (row["resumed"].as_u64(), row["conversation"].as_str()),
        (Some(1), Some(&*conversation))
    );
    // The same conversation: the model sees the first question again.
    let last = codex.model.inputs().pop().unwrap();
    assert_eq!(last, ["first question", "second question"], "{:?}", codex.model.inputs());
    assert!(env.log("r").contains("--- cxs: resumed (1) at "), "{}", env.log("r"));
    assert_eq!(env.row("r")["tokens"]["total"], 30, "both runs count");
    let table = codex.cxs(&["list"]).success();
    assert!(table.lines().next().unwrap().contains(" TOKENS "), "{table}");
    let refused = codex.cxs(&["resume", "r"]).fails(1);
    assert!(refused.contains("resumes with a PROMPT"), "{refused}");
    // A second resume continues the same conversation, built from the argv `new` made.
    assert_eq!(codex.cxs(&["resume", "r", "third question"]).success(), "r\n");
    env.wait_for_log("r", "ECHO: third question");
    env.wait_for_status("r", "exited");
    let last = codex.model.inputs().pop().unwrap();
    assert_eq!(last, ["first question", "second question", "third question"]);
    // Usage sums it, and still does once the session is deleted.
    let by_model = |codex: &Codex| -> serde_json::Value {
        serde_json::from_str(&codex.cxs(&["usage", "--by", "model", "--json"]).success()).unwrap()
    };
    let expected = serde_json::json!([{"key": "stand-in-model", "sessions": 1, "input": 30,
        "cached_input": 0, "output": 15, "reasoning": 0, "total": 45}]);
    assert_eq!(by_model(&codex), expected);
    codex.cxs(&["delete", "r"]).success();
    assert_eq!(by_model(&codex), expected);
    let table = codex.cxs(&["usage", "--by", "kind"]).success();
    assert!(table.contains("exec") && table.lines().last().unwrap().ends_with(" 45"), "{table}");
}

#[test]
fn repl_sessions_in_one_directory_each_resume_their_own_conversation_after_the_server_died() {
    let Some(codex) = Codex::new("repl_sessions_in_one_directory_each_resume_their_own") else {
        return;
    };
    let env = &codex.env;
    for (id, word) in [("a", "alpha"), ("b", "beta")] {
        codex.start("repl", id, &[]);
        wait_until("the idle composer", || codex.screen(id).contains("for shortcuts"));
        codex.cxs(&["send", id, word]).success();
        wait_until("the reply", || codex.screen(id).contains(&format!("ECHO: {word}")));
        wait_until("the conversation", || env.row(id)["conversation"].is_string());
    }
    env.tmux_ok(&["kill-server"]);
    env.wait_for_status("a", "lost");
    env.wait_for_status("b", "lost");
    let plan = codex.cxs(&["resume", "--all", "--plan"]).success();
    assert_eq!(plan.matches("resumes conversation").count(), 2, "{plan}");
    let resumed = codex.cxs(&["resume", "--all"]).success();
    assert_eq!(resumed.lines().count(), 2, "{resumed}");
    for (id, word) in [("a", "alpha"), ("b", "beta")] {
        // The TUI comes back with its history on the screen.
        wait_until("the old turn back on screen", || {
            codex.screen(id).contains(&format!("ECHO: {word}"))
        });
        // `send --wait` prints the reply, from Codex's notify hook.
        let reply = codex
            .cxs(&["send", "--wait", "--timeout", "60s", id, &format!("again {id}")])
            .success();
        assert_eq!(reply, format!("ECHO: again {id}\n"));
        let inputs = codex.model.inputs();
        let asked =
            inputs.iter().find(|texts| texts.last().is_some_and(|t| *t == format!("again {id}")));
        assert_eq!(asked.unwrap()[0], word, "{inputs:?}");
    }
    codex.cxs(&["delete", "a", "b"]).success();
}

#[test]
fn codex_repl_waits_takes_input_and_reports_turns() {
    let Some(codex) = Codex::new("codex_repl_waits_takes_input_and_reports_turns") else {
        return;
    };
    let env = &codex.env;
    // A git repository, so Codex asks whether to trust the folder.
    let git =
        std::process::Command::new("git").args(["init", "-q"]).current_dir(env.work()).status();
    assert!(git.unwrap().success());
    // The user's own notify program must still be called.
    let seen = env.root().join("seen-by-user-hook");
    let hook = env.script("user-hook", &format!("printf '%s\\n' \"$1\" >> '{}'\n", seen.display()));
    std::fs::write(
        codex.home.join("config.toml"),
        format!("notify = [{:?}]\n", hook.to_str().unwrap()),
    )
    .unwrap();

    codex.start("repl", "chat", &[]);
    wait_until("the trust question", || codex.screen("chat").contains("Trust this folder?"));
    assert_eq!(env.row("chat")["status"], "waiting", "the question is a wait for the user");
    codex.cxs(&["send", "chat", ""]).success();
    wait_until("the idle composer", || codex.screen("chat").contains("for shortcuts"));
    assert_eq!(env.row("chat")["status"], "waiting");

    codex.cxs(&["send", "chat", "hello there"]).success();
    wait_until("the reply", || codex.screen("chat").contains("ECHO: hello there"));
    // The turn's end comes from Codex's notify hook, not only from the screen.
    wait_until("the notify hook", || codex.sidecar("chat").contains_key("turn_ended"));
    let row = env.row("chat");
    assert_eq!(row["status"], "waiting");
    assert_eq!(row["last_message"], "ECHO: hello there", "the user's turn, not the title's");
    wait_until("the user's hook", || {
        std::fs::read_to_string(&seen).unwrap_or_default().contains("agent-turn-complete")
    });

    // A second turn: the last message follows.
    codex.cxs(&["send", "chat", "and again"]).success();
    wait_until("the second reply", || env.row("chat")["last_message"] == "ECHO: and again");

    // The TUI's log reads as its screen did, words apart, not glued (`Trustthisfolder?`).
    let logs = codex.cxs(&["logs", "chat"]).success();
    assert!(logs.contains("ECHO: hello there") && logs.contains("ECHO: and again"), "{logs}");
    let tail = codex.cxs(&["logs", "-n", "3", "chat"]).success();
    assert!(tail.lines().count() <= 3, "{tail}");
    assert!(codex.cxs(&["logs", "--raw", "chat"]).success().contains('\x1b'), "raw stays raw");

    let dir = env.session_dir("chat");
    let marked = || crate::common::marked_processes(&dir);
    assert!(!marked().is_empty(), "Codex runs");
    codex.cxs(&["delete", "chat"]).success();
    wait_until("every Codex process to end", || marked().is_empty());
}

#[test]
fn cxs_types_only_what_the_pinned_codex_accepts() {
    let Some(codex) = Codex::new("cxs_types_only_what_the_pinned_codex_accepts") else {
        return;
    };
    let help = |args: &[&str]| {
        let output = std::process::Command::new(&codex.bin).args(args).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let (top, exec) = (help(&["--help"]), help(&["exec", "--help"]));
    let ours = |kind: &str| codex.cxs(&["new", kind, "--help"]).success();
    let (our_repl, our_exec) = (ours("repl"), ours("exec"));
    // Every flag cxs forwards is one Codex takes, where cxs gives it.
    let shared = ["-m, --model", "-i, --image", "-s, --sandbox", "-p, --profile", "-c, --config"];
    for flag in shared.iter().chain(&["--oss"]) {
        assert!(top.contains(flag) && exec.contains(flag), "codex lost {flag}");
    }
    for flag in ["--skip-git-repo-check", "--json", "-o, --output-last-message"] {
        assert!(exec.contains(flag), "codex exec lost {flag}");
    }
    for flag in ["-a, --ask-for-approval", "--search"] {
        assert!(top.contains(flag), "codex lost {flag}");
    }
    // And every value cxs types for them, no more and no fewer.
    for (flag, codex_help, our_help) in [
        ("--sandbox", &top, &our_repl),
        ("--sandbox", &exec, &our_exec),
        ("--ask-for-approval", &top, &our_repl),
    ] {
        assert_eq!(possible_values(our_help, flag), possible_values(codex_help, flag), "{flag}");
    }
}

/// The values clap's help lists for `flag`, short (`[possible values: a, b]`) or long form.
fn possible_values(help: &str, flag: &str) -> Vec<String> {
    let mut lines = help.lines().skip_while(|l| !l.contains(&format!("{flag} <")));
    lines.next().unwrap_or_else(|| panic!("no {flag} in:\n{help}"));
    let mut values = Vec::new();
    for line in lines.map(str::trim) {
        if let Some(list) = line.strip_prefix("[possible values: ") {
            values = list.trim_end_matches(']').split(", ").map(String::from).collect();
            break;
        }
        if let Some(item) = line.strip_prefix("- ") {
            values.push(item.split(':').next().unwrap().trim().to_owned());
        } else if line.starts_with('-') || (line.is_empty() && !values.is_empty()) {
            break;
        }
    }
    values.sort();
    values
}
