//! `cxs __notify`: Codex's `notify` hook. Codex runs it with a JSON event when a turn ends;
//! recording that is how `list` knows, exactly, that a Codex session waits for the user.

use anyhow::{Context, Result};
use chrono::Utc;
use serde::Deserialize;

use crate::cli::NotifyArgs;
use crate::store::SessionDir;

/// The part of Codex's event that cxs uses.
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "last-assistant-message")]
    last_message: Option<String>,
}

/// Records a finished turn in the session's sidecar.
pub fn run(args: &NotifyArgs) -> Result<()> {
    let event: Event = serde_json::from_str(&args.event).context("invalid notify event")?;
    if event.kind != "agent-turn-complete" {
        return Ok(());
    }
    SessionDir::from_path(args.dir.clone()).update(|s| {
        s.turn_ended = Some(Utc::now());
        if event.last_message.is_some() {
            s.last_message = event.last_message;
        }
    })
}
