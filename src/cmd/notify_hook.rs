//! `cxs __notify`: Codex's `notify` hook. Codex runs it with a JSON event when a turn ends;
//! recording that is how `list` knows, exactly, that a Codex session waits for the user.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};
use chrono::Utc;
use serde::Deserialize;

use crate::events;
use crate::hidden::MARKER_VAR;
use crate::store::SessionDir;
use crate::tmux::Tmux;
use crate::tokens;

/// The first words of the prompt Codex sends in a side turn of its own, to title a thread.
const TITLE_PROMPT: &str = "Generate a concise, single-line task title";

/// The part of Codex's event that cxs uses.
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "input-messages", default)]
    input: Vec<String>,
    #[serde(rename = "last-assistant-message")]
    last_message: Option<String>,
    /// The conversation: a new one in the same pane (`/new`) replaces the last.
    #[serde(rename = "thread-id")]
    thread: Option<String>,
}

/// Records a finished turn in the session's sidecar, then calls the user's own hook.
/// The session is `dir`, else the one named by the marker variable Codex inherited.
pub fn run(dir: Option<PathBuf>, json: &str) -> Result<()> {
    let dir = dir
        .or_else(|| std::env::var_os(MARKER_VAR).map(PathBuf::from))
        .with_context(|| format!("no session directory given and {MARKER_VAR} is not set"))?;
    let event: Event = serde_json::from_str(json)
        .with_context(|| format!("invalid notify event for {}", dir.display()))?;
    let dir = SessionDir::from_path(dir);
    // Codex also notifies for the side turn that titles a new thread, sometimes before the
    // user's turn ends: that one is not the user's turn.
    let titling = event.input.last().is_some_and(|m| m.starts_with(TITLE_PROMPT));
    // The conversation's record, looked for once per conversation (outside the lock).
    let known = dir.read().ok();
    let fresh = event.thread.clone().filter(|thread| {
        known
            .as_ref()
            .is_some_and(|s| s.conversation.as_ref() != Some(thread) || s.transcript.is_none())
    });
    let rollout = match (&fresh, &known, tokens::codex_home()) {
        (Some(thread), Some(known), Some(home)) => {
            tokens::find_rollout(&home, thread, known.created)
        }
        _ => None,
    };
    let sidecar = if event.kind == "agent-turn-complete" && !titling {
        dir.update(|s| {
            if fresh.is_some() && (rollout.is_some() || s.conversation != event.thread) {
                s.transcript = rollout;
            }
            s.turn_ended = Some(Utc::now());
            if event.last_message.is_some() {
                s.last_message = event.last_message;
            }
            if event.thread.is_some() {
                s.conversation = event.thread;
            }
        })
    } else {
        dir.read()
    };
    if let (Ok(sidecar), true) = (&sidecar, event.kind == "agent-turn-complete" && !titling) {
        turn_ended(&dir, sidecar);
    }
    // The user's own hook runs even when recording failed.
    let chained = sidecar.as_ref().ok().and_then(|s| s.chained_notify.clone()).unwrap_or_default();
    if let Some((program, args_before)) = chained.split_first() {
        Command::new(program)
            .args(args_before)
            .arg(json)
            .status()
            .with_context(|| format!("cannot run your notify program '{program}'"))?;
    }
    sidecar.map(drop)
}

/// Journals the end of a turn and the wait for the user that follows (running their hooks);
/// Claude Code's `Stop` hook says the same.
pub fn turn_ended(dir: &SessionDir, sidecar: &crate::store::Sidecar) {
    let mut ended = events::Event::now(sidecar.id.as_str(), sidecar.kind.as_str(), "turn-ended");
    ended.last_message.clone_from(&sidecar.last_message);
    waiting(dir, sidecar, Some(ended), "input", sidecar.last_message.clone());
}

/// Journals that the agent waits for the user (`why`: `input` or `approval`), after `before`
/// if given (running the user's hooks), and tells tmux's clients.
pub fn waiting(
    dir: &SessionDir,
    sidecar: &crate::store::Sidecar,
    before: Option<events::Event>,
    why: &str,
    message: Option<String>,
) {
    let mut waiting = events::Event::now(sidecar.id.as_str(), sidecar.kind.as_str(), "waiting");
    waiting.why = Some(why.to_owned());
    waiting.last_message = message;
    events::note_all(dir, sidecar, before.into_iter().chain([waiting]));
    alert(sidecar, why);
}

/// A tmux message (and bell) on the session's server, when `cxs tmux-conf` asked for them.
pub fn alert(sidecar: &crate::store::Sidecar, why: &str) {
    if let Some(server) = &sidecar.server {
        let _ = Tmux::at(server).alert(&format!("cxs: {} waits for {why}", sidecar.id));
    }
}
