//! Deletes in progress: the record a `delete` writes before it renames anything away, and
//! the renamed directories, so a delete that dies half-way is finished by the next command.

use std::fs;
use std::io;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::tmux::Socket;

/// What a `delete` is about to end, session by session, written before it renames anything
/// away: a delete that dies half-way is finished by the next command from it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Doomed {
    /// The session's id.
    pub id: String,
    /// The tmux server of the session.
    pub server: Option<Socket>,
    /// The tmux session, and the pid its pane had (so a new session of that name, made
    /// since, is never taken for it).
    pub tmux_session: Option<(String, u32)>,
    /// The session's processes, by pid and start time.
    pub processes: Vec<(u32, u64)>,
}

/// The file form of a delete's record.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Doomeds {
    pub(super) sessions: Vec<Doomed>,
}

/// A delete's record on disk, from [`Store::write_doomed`].
#[derive(Debug)]
pub struct DoomedRecord(pub(super) PathBuf);

impl DoomedRecord {
    /// What it says the delete was about to end.
    pub fn read(&self) -> Vec<Doomed> {
        let text = fs::read_to_string(&self.0).unwrap_or_default();
        toml::from_str::<Doomeds>(&text).map(|d| d.sessions).unwrap_or_default()
    }

    /// Removes it: the delete is done.
    pub fn remove(self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A session directory renamed away (`.deleting-ID-PID`): while it exists, listings take
/// the session's tmux session for one being deleted, not for one that lost its state.
#[derive(Debug)]
pub struct Trash(pub(super) PathBuf);

impl Trash {
    /// Removes what the directory holds, leaving the directory itself.
    pub fn empty(&self) -> Result<()> {
        let entries =
            fs::read_dir(&self.0).with_context(|| format!("cannot read {}", self.0.display()))?;
        for entry in entries {
            let path = entry.with_context(|| format!("cannot read {}", self.0.display()))?.path();
            let removed = match fs::remove_file(&path) {
                Err(e) if e.kind() == io::ErrorKind::IsADirectory => fs::remove_dir_all(&path),
                result => result,
            };
            removed.with_context(|| format!("cannot remove {}", path.display()))?;
        }
        Ok(())
    }

    /// Removes the directory and whatever is left in it.
    pub fn remove(self) -> Result<()> {
        match fs::remove_dir_all(&self.0) {
            // A sweep by another delete got there first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            result => result.with_context(|| format!("cannot remove {}", self.0.display())),
        }
    }
}
