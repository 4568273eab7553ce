//! The real Claude Code, offline against the model stand-in: the conversation id its hooks
//! report, resume after the tmux server died, and its token counts. `.ci/run` installs a
//! pinned Claude Code from npm and exports `CXS_TEST_CLAUDE`; without it these tests say
//! loudly that they are skipped, and fail under CI.

use std::path::{Path, PathBuf};

use crate::common::{Cxs, TestEnv, skip, wait_until};
use crate::model::Model;

/// The API key the stand-in is given; Claude asks about a key whose last 20 characters
/// `~/.claude.json` has not approved.
const KEY: &str = "sk-ant-api03-standin-0000000000000000000000000000000000000000-cxs";

/// A test world with the real Claude Code, set up to start at its prompt.
struct Claude {
    env: TestEnv,
    model: Model,
    bin_dir: PathBuf,
}

impl Claude {
    fn new(test: &str) -> Option<Self> {
        let Some(bin) = std::env::var_os("CXS_TEST_CLAUDE").map(PathBuf::from) else {
            skip(test, "CXS_TEST_CLAUDE is not set (.ci/run installs Claude Code from npm)");
            return None;
        };
        let env = TestEnv::new();
        // What Claude asks on a first run, answered: onboarding, the key, the folder's trust.
        let work = env.work();
        let answered = serde_json::json!({
            "hasCompletedOnboarding": true,
            "customApiKeyResponses": {"approved": [&KEY[KEY.len() - 20..]], "rejected": []},
            "projects": {work.to_str().unwrap(): {"hasTrustDialogAccepted": true}},
        });
        std::fs::write(env.root().join(".claude.json"), answered.to_string()).unwrap();
        let bin_dir = bin.parent().unwrap().to_owned();
        Some(Claude { env, model: Model::start(), bin_dir })
    }

    /// `cxs ARGS` with Claude on PATH and pointed at the stand-in.
    fn cxs(&self, args: &[&str]) -> Cxs {
        let path =
            format!("{}:{}", self.bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        self.env
            .cxs(args)
            .env("PATH", path)
            .env("ANTHROPIC_BASE_URL", self.model.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
    }

    fn screen(&self, id: &str) -> String {
        self.cxs(&["capture", id]).success()
    }
}

#[test]
fn claude_reports_its_conversation_resumes_it_and_counts_its_tokens() {
    let Some(claude) =
        Claude::new("claude_reports_its_conversation_resumes_it_and_counts_its_tokens")
    else {
        return;
    };
    let env = &claude.env;
    // The user's own hook keeps running beside cxs's.
    let seen = env.root().join("seen-by-user-hook");
    let hook = env.script("user-hook", &format!("cat >> '{}'\n", seen.display()));
    let settings = serde_json::json!({"hooks": {"Stop": [{"hooks": [{"type": "command",
        "command": hook.to_str().unwrap()}]}]}});
    std::fs::create_dir_all(env.root().join(".claude")).unwrap();
    std::fs::write(env.root().join(".claude/settings.json"), settings.to_string()).unwrap();

    assert_eq!(claude.cxs(&["new", "claude", "--id", "c"]).success(), "c\n");
    // SessionStart fires before the prompt shows: the conversation is known at once.
    wait_until("the conversation id", || env.row("c")["conversation"].is_string());
    let conversation = env.row("c")["conversation"].as_str().unwrap().to_owned();
    claude.cxs(&["send", "c", "hello claude"]).success();
    wait_until("the reply", || claude.screen("c").contains("ECHO: hello claude"));
    wait_until("the Stop hook", || env.row("c")["status"] == "waiting");
    wait_until("the user's own hook", || {
        std::fs::read_to_string(&seen).unwrap_or_default().contains("\"Stop\"")
    });
    // Claude writes the reply to its transcript a moment after showing it.
    wait_until("the reply in the transcript", || !env.row("c")["tokens"].is_null());
    let tokens = env.row("c")["tokens"].clone();
    assert_eq!(
        (tokens["input"].as_u64(), tokens["output"].as_u64()),
        (Some(10), Some(5)),
        "{tokens}"
    );
    assert!(transcript(env, &conversation).is_file());
    assert_eq!(env.row("c")["last_message"], "ECHO: hello claude");

    env.tmux_ok(&["kill-server"]);
    env.wait_for_status("c", "lost");
    let plan = claude.cxs(&["resume", "--all", "--plan"]).success();
    assert!(plan.contains(&format!("--resume {conversation}")), "{plan}");
    assert_eq!(claude.cxs(&["resume", "--all"]).success(), "c\n");
    wait_until("the old turn on screen", || claude.screen("c").contains("ECHO: hello claude"));
    // `send --wait` prints the reply, from Claude's Stop hook.
    let reply = claude.cxs(&["send", "--wait", "--timeout", "60s", "c", "and again"]).success();
    assert_eq!(reply, "ECHO: and again\n");
    // The same conversation: the model sees the first message again.
    let last = claude.model.inputs().pop().unwrap();
    assert_eq!(last, ["hello claude", "and again"], "{:?}", claude.model.inputs());
    assert_eq!(env.row("c")["conversation"], conversation.as_str());
    wait_until("both turns counted", || env.row("c")["tokens"]["output"] == 10);
    claude.cxs(&["delete", "c"]).success();
    // Deleted, it still counts, under the model that answered.
    let usage: serde_json::Value =
        serde_json::from_str(&claude.cxs(&["usage", "--by", "kind", "--json"]).success()).unwrap();
    assert_eq!(
        (usage[0]["key"].as_str(), usage[0]["output"].as_u64()),
        (Some("claude"), Some(10)),
        "{usage}"
    );
}

/// Where Claude keeps the conversation, as its hook reported it to cxs.
fn transcript(env: &TestEnv, conversation: &str) -> PathBuf {
    let text = std::fs::read_to_string(env.session_dir("c").join("session.toml")).unwrap();
    let sidecar: toml::Table = toml::from_str(&text).unwrap();
    let path = Path::new(sidecar["transcript"].as_str().unwrap()).to_owned();
    assert!(path.ends_with(format!("{conversation}.jsonl")), "{}", path.display());
    path
}
