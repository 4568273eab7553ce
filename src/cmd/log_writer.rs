//! `cxs __log`: what `pipe-pane` feeds the pane's output to. It appends to the session's
//! log and rotates it past a size, so a chatty agent cannot fill the disk, while everything
//! up to that size stays readable (the previous part as `log.1`).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::store::SessionDir;

/// How often the writer checks that its log is still the file at the log's path.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Copies standard input into the log until tmux closes the pipe.
pub fn run(dir: PathBuf, max: u64) -> Result<()> {
    let dir = SessionDir::from_path(dir);
    let mut log = Appender::open(dir.log(), dir.old_log(), max)?;
    let mut input = std::io::stdin().lock();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot read the pane's output for {}", dir.path().display())
                });
            }
        };
        // Keep reading even when writing fails (a full disk), so tmux never blocks on us;
        // the next write tries a fresh file.
        if log.write(&buf[..n]).is_err() {
            log.file = None;
        }
    }
}

/// A log file that rotates past `max` bytes and reopens when removed under it.
struct Appender {
    path: PathBuf,
    old: PathBuf,
    max: u64,
    file: Option<File>,
    size: u64,
    checked: Instant,
}

impl Appender {
    fn open(path: PathBuf, old: PathBuf, max: u64) -> Result<Self> {
        let mut log = Appender { path, old, max, file: None, size: 0, checked: Instant::now() };
        log.reopen().with_context(|| format!("cannot open log {}", log.path.display()))?;
        Ok(log)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() || self.moved() {
            self.reopen()?;
        }
        if self.size > 0 && self.size + bytes.len() as u64 > self.max {
            match std::fs::rename(&self.path, &self.old) {
                // Deleted under us: the fresh file below is the rotation.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                result => result?,
            }
            self.reopen()?;
        }
        let file = self.file.as_mut().expect("reopen sets the file");
        file.write_all(bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Whether the log's path no longer names the open file (deleted or replaced).
    fn moved(&mut self) -> bool {
        if self.checked.elapsed() < CHECK_EVERY {
            return false;
        }
        self.checked = Instant::now();
        let (Some(file), Ok(on_disk)) = (&self.file, std::fs::metadata(&self.path)) else {
            return true;
        };
        file.metadata().map_or(true, |open| open.ino() != on_disk.ino())
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        let file = OpenOptions::new().create(true).append(true).mode(0o600).open(&self.path)?;
        self.size = file.metadata()?.len();
        self.file = Some(file);
        self.checked = Instant::now();
        Ok(())
    }
}
