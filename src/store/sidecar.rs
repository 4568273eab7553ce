//! The TOML sidecar: what cxs records about a session.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SessionId;
use crate::agent::Kind;
use crate::git::Worktree;
use crate::tmux::Socket;

/// The sidecar format this cxs writes; a newer one is read but never rewritten.
pub const SIDECAR_VERSION: u32 = 1;

/// What cxs records about a session: written at `new`, completed by the runner at exit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    /// Format version; see [`SIDECAR_VERSION`].
    pub version: u32,
    /// The session's id.
    pub id: SessionId,
    /// What runs: `exec` or `repl` for Codex, an agent's name, or `cmd`.
    pub kind: Kind,
    /// The agent's full argv, program first.
    pub argv: Vec<String>,
    /// The agent's working directory.
    pub cwd: PathBuf,
    /// When `new` created the session.
    pub created: DateTime<Utc>,
    /// The prompt the agent started with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The agent's process id, once started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The agent's exit code (128 + signal when killed by one), once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// When the agent ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<DateTime<Utc>>,
    /// When the agent last finished a turn and handed control back (Codex's notify hook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_ended: Option<DateTime<Utc>>,
    /// When `cxs send` last gave the agent input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sent: Option<DateTime<Utc>>,
    /// The agent's last message, as its notify hook reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<String>,
    /// The user's own Codex notify program, which cxs's hook calls in turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chained_notify: Option<Vec<String>>,
    /// The tmux server the session was started on; absent in sidecars from before cxs
    /// recorded it, whose sessions live on the server cxs is set to use now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Socket>,
    /// The git worktree the agent works in, for a `new --worktree` session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worktree: Option<Worktree>,
    /// The agent's conversation id (Codex's thread), which `resume` continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// How many times `resume` started the session again.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resumed: u32,
    /// The argv `new` built, and its prompt, kept when `resume` replaces `argv`: every resume
    /// is built from them, not from the last resume's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<First>,
    /// The configuration file `new` read (its `[hooks]` run for this session's events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PathBuf>,
    /// The size past which its log rotates, as `new` was given it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_log: Option<u64>,
    /// The agent's own record of the conversation (Codex's rollout file, Claude Code's
    /// transcript), for token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<PathBuf>,
}

/// What `new` started a session with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct First {
    /// The argv.
    pub argv: Vec<String>,
    /// The prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

/// Whether a count is zero, so the sidecar leaves it out.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(n: &u32) -> bool {
    *n == 0
}
