//! One session's directory: its sidecar (read, staged, committed, updated under the lock),
//! its log's paths, and the caller's environment handed to the runner.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{SIDECAR_VERSION, Sidecar, Trash, write_private};
use crate::environ;

const SIDECAR: &str = "session.toml";
/// Far more than a sidecar holds (a prompt that fit on a command line, a last message).
const MAX_SIDECAR_BYTES: u64 = 64 << 20;
const LOG: &str = "log";
const OLD_LOG: &str = "log.1";
const ENV: &str = "env";

/// One session's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDir(pub(super) PathBuf);

impl SessionDir {
    /// Wraps a directory given on the command line (by `new` to the runner).
    pub fn from_path(path: PathBuf) -> Self {
        Self(path)
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The events journal of the store this session is in.
    pub fn journal(&self) -> PathBuf {
        self.0.parent().and_then(Path::parent).unwrap_or(&self.0).join("events.jsonl")
    }

    /// The pane's log.
    pub fn log(&self) -> PathBuf {
        self.0.join(LOG)
    }

    /// The log's previous part, once it rotated.
    pub fn old_log(&self) -> PathBuf {
        self.0.join(OLD_LOG)
    }

    pub(super) fn sidecar_path(&self) -> PathBuf {
        self.0.join(SIDECAR)
    }

    /// Reads the sidecar.
    pub fn read(&self) -> Result<Sidecar> {
        let path = self.sidecar_path();
        let mut text = String::with_capacity(1024);
        // Through `take`, the file is read without first asking for its size: two system
        // calls fewer per sidecar, and `list` reads hundreds of them.
        File::open(&path)
            .and_then(|file| file.take(MAX_SIDECAR_BYTES).read_to_string(&mut text))
            .with_context(|| format!("cannot read sidecar {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid sidecar {}", path.display()))
    }

    /// Writes the sidecar atomically: readers see the old or the new one, never half.
    pub fn write(&self, sidecar: &Sidecar) -> Result<()> {
        self.stage(sidecar)?.commit()
    }

    /// Writes the sidecar beside its place, where no reader looks until it is committed.
    pub fn stage(&self, sidecar: &Sidecar) -> Result<StagedSidecar> {
        let path = self.sidecar_path();
        let tmp = self.0.join(format!(".{SIDECAR}.{}.tmp", std::process::id()));
        let staged = StagedSidecar { tmp, path, committed: false };
        let text = toml::to_string(sidecar).context("cannot encode sidecar")?;
        write_private(&staged.tmp, text.as_bytes())
            .with_context(|| format!("cannot write sidecar {}", staged.path.display()))?;
        Ok(staged)
    }

    /// Changes the sidecar under the session's lock, so concurrent writers do not lose
    /// updates; returns it as written.
    pub fn update(&self, change: impl FnOnce(&mut Sidecar)) -> Result<Sidecar> {
        let _lock = self.lock()?;
        let mut sidecar = self.read()?;
        if sidecar.version > SIDECAR_VERSION {
            bail!(
                "sidecar {} is from a newer cxs (version {}); not rewriting it",
                self.sidecar_path().display(),
                sidecar.version
            );
        }
        change(&mut sidecar);
        self.write(&sidecar)?;
        Ok(sidecar)
    }

    /// Takes the session's lock, held until the returned file is dropped: `new` holds it
    /// until the session's files and its tmux session exist; the runner, `delete` and
    /// sidecar updates wait for it.
    ///
    /// The lock is on the directory itself: a lock file would cost `new` one more file
    /// creation, which is slow on some file systems (0.1-0.5 ms per file on ext4 here).
    pub fn lock(&self) -> Result<File> {
        let lock = File::open(&self.0)
            .with_context(|| format!("cannot open session directory {}", self.0.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", self.0.display()))?;
        Ok(lock)
    }

    /// Whether the directory was made in the last second and has no sidecar yet.
    pub fn is_new(&self) -> bool {
        let young = |m: fs::Metadata| m.modified().ok()?.elapsed().ok();
        !self.sidecar_path().exists()
            && fs::metadata(&self.0).ok().and_then(young).is_some_and(|age| age.as_secs() < 1)
    }

    /// Whether someone holds the session's lock right now.
    pub fn is_locked(&self) -> bool {
        let Ok(file) = File::open(&self.0) else {
            return false;
        };
        matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
    }

    /// Saves the caller's environment for the runner, keeping secrets off every command line.
    pub fn write_env(&self, vars: impl Iterator<Item = (OsString, OsString)>) -> Result<()> {
        let path = self.0.join(ENV);
        write_private(&path, &environ::encode(vars))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads and removes the environment saved by [`SessionDir::write_env`].
    pub fn take_env(&self) -> Result<Vec<(OsString, OsString)>> {
        let path = self.0.join(ENV);
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        Ok(environ::decode(&bytes))
    }

    /// Removes the directory and everything in it; one already gone is fine (two deletes
    /// raced).
    pub fn remove(&self) -> Result<()> {
        self.discard()?.map_or(Ok(()), Trash::remove)
    }

    /// Renames the directory away, so the id is free at once and a runner writing its exit
    /// code into it at the same moment cannot make the removal fail half-way; `None` when it
    /// is gone already.
    pub fn discard(&self) -> Result<Option<Trash>> {
        let name = self.0.file_name().unwrap_or_default().to_string_lossy();
        let trash = self.0.with_file_name(format!(".deleting-{name}-{}", std::process::id()));
        match fs::rename(&self.0, &trash) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot remove {}", self.0.display())),
            Ok(()) => Ok(Some(Trash(trash))),
        }
    }
}

/// A sidecar written to a temporary file; dropped uncommitted, the file is removed.
pub struct StagedSidecar {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl StagedSidecar {
    /// Puts the sidecar in place, in one rename.
    pub fn commit(mut self) -> Result<()> {
        fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("cannot write sidecar {}", self.path.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedSidecar {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
