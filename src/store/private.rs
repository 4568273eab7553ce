//! Files and directories readable by the user alone: prompts and environments can hold
//! secrets, so state directories are 0700 and files 0600.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context, Result};

/// Appends `bytes` to `path` (made readable by the user alone) in one write, so concurrent
/// writers' lines never interleave: logs' notes, the events journal, the usage record.
pub fn append_private(path: &Path, bytes: &[u8]) -> Result<()> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `bytes` as the whole of `path`, readable by the user alone.
///
/// No fsync: the rename that follows protects readers and a crashed cxs, and `new` stays fast.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file =
        OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    Ok(())
}

/// Creates `dir` and its missing parents, readable by the user alone.
pub(super) fn create_private(dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create state directory {}", dir.display()))
}
