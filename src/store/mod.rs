//! Session state on disk: where it lives, the TOML sidecar, and how it is written safely.
//!
//! Each session owns one directory, `$CXS_HOME/sessions/ID/`, holding `session.toml` (the
//! sidecar), `log` (the pane's output, created by the log writer) and, for a moment at start,
//! `env`. Creating that directory with `mkdir` is what claims an id, so two concurrent
//! `new --id X` can never both succeed; the directory is also the session's lock.
//! Prompts can hold secrets, so directories are 0700 and files 0600.

mod deleting;
mod id;
mod private;
mod session_dir;
mod sidecar;

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use deleting::Doomeds;
pub use deleting::{Doomed, DoomedRecord, Trash};
pub use id::SessionId;
use private::create_private;
pub use private::{append_private, write_private};
pub use session_dir::{SessionDir, StagedSidecar};
pub use sidecar::{First, SIDECAR_VERSION, Sidecar};

use crate::tokens::Spent;

/// Logs rotate past this size unless configured otherwise.
pub const DEFAULT_MAX_LOG: u64 = 256 << 20;

/// The state directory, `CXS_HOME`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store named by `CXS_HOME`, else `$XDG_STATE_HOME/cxs`, else `~/.local/state/cxs`.
    pub fn from_env() -> Result<Self> {
        let root = match std::env::var_os("CXS_HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home),
            None => match std::env::var_os("XDG_STATE_HOME").map(PathBuf::from) {
                // The XDG spec says to ignore relative paths here.
                Some(state) if state.is_absolute() => state.join("cxs"),
                _ => {
                    let home = std::env::var_os("HOME")
                        .filter(|h| !h.is_empty())
                        .context("cannot find the state directory: set CXS_HOME or HOME")?;
                    PathBuf::from(home).join(".local/state/cxs")
                }
            },
        };
        // The runner and tmux start elsewhere, so every path handed on must be absolute; and
        // one directory reached by two spellings (a symlink) must be one store, with one tag.
        let root = std::path::absolute(&root)
            .with_context(|| format!("invalid CXS_HOME '{}'", root.display()))?;
        Ok(Self { root: resolved(&root) })
    }

    /// A short tag derived from the state directory's path, part of its sessions' tmux names:
    /// state directories that share a tmux server, and even an id, never share a session.
    pub fn tag(&self) -> String {
        // FNV-1a: stable across Rust releases and platforms, unlike std's hasher, since the
        // tag must name the same sessions from one cxs version to the next.
        let hash =
            self.root.as_os_str().as_bytes().iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{:06x}", hash & 0xff_ffff)
    }

    fn sessions_dir(&self) -> PathBuf {
        self.root.join("sessions")
    }

    /// Keeps what deleted sessions spent, a JSON line each, in `usage.jsonl`.
    pub fn record_spent(&self, spent: &[Spent]) -> Result<()> {
        if spent.is_empty() {
            return Ok(());
        }
        let path = self.root.join("usage.jsonl");
        let mut text = String::new();
        for one in spent {
            text.push_str(&serde_json::to_string(one).context("cannot encode a usage record")?);
            text.push('\n');
        }
        // One write of whole lines: concurrent deletes do not interleave within one.
        append_private(&path, text.as_bytes())
    }

    /// What deleted sessions spent; a line that cannot be read is skipped.
    pub fn spent(&self) -> Result<Vec<Spent>> {
        let path = self.root.join("usage.jsonl");
        match fs::read_to_string(&path) {
            Ok(text) => {
                Ok(text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Where ssh keeps the connections cxs shares with remote hosts, `CXS_HOME/ssh`.
    pub fn ssh_sockets(&self) -> PathBuf {
        self.root.join("ssh")
    }

    /// The events journal, `CXS_HOME/events.jsonl`.
    pub fn journal(&self) -> PathBuf {
        self.root.join("events.jsonl")
    }

    /// Where worktrees go, `CXS_HOME/worktrees`.
    pub fn worktrees(&self) -> PathBuf {
        self.root.join("worktrees")
    }

    /// Where session `id`'s git worktree goes, `worktrees/ID`, which must not exist yet.
    pub fn worktree(&self, id: &SessionId) -> Result<PathBuf> {
        let worktrees = self.worktrees();
        create_private(&worktrees)?;
        let path = worktrees.join(id.as_str());
        if fs::symlink_metadata(&path).is_ok() {
            bail!("{} already exists (left from an earlier session '{id}'?)", path.display());
        }
        Ok(path)
    }

    /// The directory of session `id` (which may not exist).
    pub fn session(&self, id: &SessionId) -> SessionDir {
        SessionDir(self.sessions_dir().join(id.as_str()))
    }

    /// Moves session `from`'s directory to `to`'s, which must not exist (never replaced,
    /// even by a race).
    pub fn rename(&self, from: &SessionId, to: &SessionId) -> Result<SessionDir> {
        let (old, new) = (self.session(from), self.session(to));
        match rustix::fs::renameat_with(
            rustix::fs::CWD,
            &old.0,
            rustix::fs::CWD,
            &new.0,
            rustix::fs::RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(new),
            Err(rustix::io::Errno::EXIST) => bail!("session '{to}' already exists"),
            Err(e) => Err(io::Error::from(e)).with_context(|| {
                format!("cannot rename {} to {}", old.0.display(), new.0.display())
            }),
        }
    }

    /// Claims `id` by creating its directory; fails if the id is taken.
    pub fn create(&self, id: &SessionId) -> Result<Option<SessionDir>> {
        let sessions = self.sessions_dir();
        create_private(&sessions)?;
        self.check_private()?;
        let dir = self.session(id);
        match DirBuilder::new().mode(0o700).create(&dir.0) {
            Ok(()) => Ok(Some(dir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot create {}", dir.0.display())),
        }
    }

    /// Refuses a state directory, or its `sessions/`, that another local user could plant
    /// links or files in: one that is not the user's own, or that others may write to.
    fn check_private(&self) -> Result<()> {
        let me = rustix::process::getuid().as_raw();
        for dir in [self.root.clone(), self.sessions_dir()] {
            let meta = match fs::symlink_metadata(&dir) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
            };
            let shown = dir.display();
            if meta.file_type().is_symlink() {
                bail!(
                    "refusing state directory {shown}: it is a symlink, which another user could point anywhere"
                );
            }
            if meta.uid() != me {
                bail!(
                    "refusing state directory {shown}: it belongs to uid {}, not to you (uid {me})",
                    meta.uid()
                );
            }
            if meta.mode() & 0o022 != 0 {
                bail!(
                    "refusing state directory {shown}: others can write to it (mode {:o}); `chmod go-w` it",
                    meta.mode() & 0o7777
                );
            }
        }
        Ok(())
    }

    /// Records what this delete is about to end, in one file for all its sessions (one file
    /// creation, whatever their number), `.deleting-PID.toml` beside them.
    pub fn write_doomed(&self, doomed: Vec<Doomed>) -> Result<DoomedRecord> {
        let path = self.sessions_dir().join(format!(".deleting-{}.toml", std::process::id()));
        let text = toml::to_string(&Doomeds { sessions: doomed })
            .context("cannot encode the delete's record")?;
        write_private(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(DoomedRecord(path))
    }

    /// The ids of sessions whose directories are being removed right now.
    pub fn deleting(&self) -> Result<Vec<String>> {
        Ok(self.list()?.deleting)
    }

    /// Removes what deletes that failed half-way left (`.deleting-*`), as far as it can.
    pub fn sweep(&self) {
        let Ok(entries) = fs::read_dir(self.sessions_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Another delete's record is that delete's to remove, or a listing's once it died.
            if name.starts_with(".deleting-") && !is_record(&name) {
                // A real directory is removed whole; anything else (a link) only itself.
                let _ = match entry.file_type() {
                    Ok(t) if t.is_dir() => fs::remove_dir_all(entry.path()),
                    _ => fs::remove_file(entry.path()),
                };
            }
        }
    }

    /// Every session directory, and the sessions being deleted, from one read of the store.
    ///
    /// Only directories named as ids are sessions: a stray file, a FIFO (which would block
    /// whoever opens it) or a symlink (which `delete` would follow) is not, and is left
    /// alone.
    pub fn list(&self) -> Result<Listing> {
        let sessions = self.sessions_dir();
        self.check_private()?;
        let mut listing = Listing {
            dirs: Vec::new(),
            deleting: Vec::new(),
            abandoned: Vec::new(),
            left_over: Vec::new(),
        };
        let entries = match fs::read_dir(&sessions) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(listing),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", sessions.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", sessions.display()))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // A delete's record, `.deleting-PID.toml`, whose delete is gone.
            let dead = |pid: &str| !Path::new("/proc").join(pid).exists();
            if let Some(owner) = name
                .strip_prefix(".deleting-")
                .filter(|_| is_record(&name))
                .and_then(|rest| rest.strip_suffix(".toml"))
            {
                if owner.parse::<u32>().is_ok() && dead(owner) {
                    listing.abandoned.push(DoomedRecord(entry.path()));
                }
                continue;
            }
            // The entry's own type: a symlink to a directory is not one.
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            // Directories being deleted are renamed to `.deleting-ID-PID` first; ids never
            // hold a dot, so the last `-` ends the id.
            if let Some(rest) = name.strip_prefix(".deleting-") {
                if let Some((id, owner)) = rest.rsplit_once('-') {
                    listing.deleting.push(id.to_owned());
                    // The delete that renamed it is gone: nobody will finish it but us.
                    if owner.parse::<u32>().is_ok() && dead(owner) {
                        listing.left_over.push(Trash(entry.path()));
                    }
                }
            } else if name.parse::<SessionId>().is_ok() {
                listing.dirs.push((name, SessionDir(entry.path())));
            }
        }
        Ok(listing)
    }
}

/// What one read of the store found.
#[derive(Debug)]
pub struct Listing {
    /// Every session directory, in no particular order.
    pub dirs: Vec<(String, SessionDir)>,
    /// The ids of sessions whose directories were being removed.
    pub deleting: Vec<String>,
    /// Records of deletes whose `cxs` died half-way (interrupted, killed).
    pub abandoned: Vec<DoomedRecord>,
    /// Directories those deletes had renamed away.
    pub left_over: Vec<Trash>,
}

/// Whether a `.deleting-*` entry is a delete's record rather than a renamed directory.
fn is_record(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|ext| ext == "toml")
}

/// `path` with symlinks resolved as far as it exists: the same before and after the store's
/// directory is first created.
fn resolved(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(mut real) = fs::canonicalize(existing) {
            real.extend(missing.iter().rev());
            return real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name);
                existing = parent;
            }
            _ => return path.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    use chrono::Utc;

    use super::*;
    use crate::agent::Kind;

    /// A store in a temporary directory, and the session `id` claimed in it.
    fn claimed(id: &str) -> (tempfile::TempDir, Store, SessionId, SessionDir) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store { root: tmp.path().to_owned() };
        let id: SessionId = id.parse().unwrap();
        let dir = store.create(&id).unwrap().unwrap();
        (tmp, store, id, dir)
    }

    #[test]
    fn a_store_is_the_same_before_and_after_its_directory_exists() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, tmp.path().join("link")).unwrap();
        let before = resolved(&tmp.path().join("link/state/cxs"));
        fs::create_dir_all(real.join("state/cxs")).unwrap();
        let after = resolved(&tmp.path().join("link/state/cxs"));
        assert_eq!(before, after);
        assert_eq!(after, fs::canonicalize(real.join("state/cxs")).unwrap());
        let tag = |root: PathBuf| Store { root }.tag();
        assert_eq!(tag(before.clone()), tag(after));
        assert_ne!(tag(before), tag(tmp.path().join("other")));
    }

    #[test]
    fn sidecar_round_trips_and_is_private() {
        let (_tmp, store, id, dir) = claimed("round-trip");
        assert!(store.create(&id).unwrap().is_none(), "an id is claimed once");
        let sidecar = Sidecar {
            version: SIDECAR_VERSION,
            id,
            kind: Kind::Exec,
            argv: vec!["codex".into(), "exec".into(), "--".into(), "it's \"quoted\"\n".into()],
            cwd: "/tmp".into(),
            created: Utc::now(),
            prompt: Some("it's \"quoted\"\n".into()),
            pid: None,
            exit_code: None,
            finished: None,
            turn_ended: None,
            input_sent: None,
            last_message: None,
            chained_notify: None,
            worktree: None,
            conversation: None,
            resumed: 0,
            first: None,
            max_log: None,
            transcript: None,
            config: None,
            server: None,
        };
        let staged = dir.stage(&sidecar).unwrap();
        assert!(dir.read().is_err(), "a staged sidecar is not there yet");
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "an uncommitted one is removed");
        dir.stage(&sidecar).unwrap().commit().unwrap();
        assert_eq!(dir.read().unwrap(), sidecar);
        dir.write(&sidecar).unwrap();
        dir.update(|s| s.exit_code = Some(3)).unwrap();
        let back = dir.read().unwrap();
        assert_eq!(back, Sidecar { exit_code: Some(3), ..sidecar });
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.sidecar_path()), 0o600);
    }

    #[test]
    fn env_round_trips_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = SessionDir(tmp.path().to_owned());
        let vars = vec![
            (OsString::from("A"), OsString::from("x=y")),
            (OsString::from("B"), OsString::from_vec(b"\xff\n".to_vec())),
        ];
        dir.write_env(vars.clone().into_iter()).unwrap();
        assert_eq!(dir.take_env().unwrap(), vars);
        assert!(dir.take_env().is_err(), "the file is gone after reading");
    }

    #[test]
    fn a_discarded_directory_marks_its_session_as_being_deleted_until_removed() {
        let (_tmp, store, id, dir) = claimed("gone");
        fs::write(dir.log(), "output").unwrap();
        let trash = dir.discard().unwrap().unwrap();
        assert!(!dir.path().exists(), "the id is free at once");
        assert_eq!(store.create(&id).unwrap(), Some(dir.clone()));
        trash.empty().unwrap();
        assert_eq!(store.deleting().unwrap(), ["gone"]);
        trash.remove().unwrap();
        assert!(store.deleting().unwrap().is_empty());
    }
}
