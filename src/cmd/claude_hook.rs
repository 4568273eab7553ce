//! `cxs __hook DIR`: what Claude Code's hooks run (cxs adds `SessionStart`, `Stop` and
//! `Notification` at launch, beside the user's own). Their JSON on standard input names the
//! conversation and its transcript; `Stop` ends a turn, as Codex's `notify` does;
//! `Notification` says Claude waits for the user (a permission, or input).

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Utc;
use serde::Deserialize;

use crate::store::SessionDir;

/// The part of a hook's input that cxs uses.
#[derive(Debug, Deserialize)]
struct Input {
    hook_event_name: String,
    session_id: Option<String>,
    transcript_path: Option<PathBuf>,
    /// `Stop`'s: the reply that ended the turn.
    last_assistant_message: Option<String>,
    /// `Notification`'s: what Claude needs from the user.
    message: Option<String>,
}

/// Records the hook's event. Never fails towards Claude: a hook's exit status steers it
/// (2 would stop it from stopping), so problems go to stderr and the status stays 0.
pub fn run(dir: PathBuf) {
    if let Err(err) = record(dir) {
        eprintln!("cxs: {err:#}");
    }
}

fn record(dir: PathBuf) -> Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("cannot read the hook's input")?;
    let input: Input = serde_json::from_str(&text)
        .with_context(|| format!("invalid hook input for {}", dir.display()))?;
    let dir = SessionDir::from_path(dir);
    let stop = input.hook_event_name == "Stop";
    let sidecar = dir.update(|s| {
        // A `/clear` or a resume starts another conversation in the same pane: it replaces
        // the last.
        if input.session_id.is_some() {
            s.conversation = input.session_id;
            s.transcript = input.transcript_path;
        }
        if stop {
            s.turn_ended = Some(Utc::now());
            if input.last_assistant_message.is_some() {
                s.last_message = input.last_assistant_message;
            }
        }
    })?;
    if stop {
        super::notify_hook::turn_ended(&dir, &sidecar);
    }
    if input.hook_event_name == "Notification" {
        // "Claude needs your permission to use Bash", or "Claude is waiting for your input".
        let message = input.message.unwrap_or_default();
        let why = if message.contains("permission") { "approval" } else { "input" };
        super::notify_hook::waiting(&dir, &sidecar, None, why, Some(message));
    }
    Ok(())
}
