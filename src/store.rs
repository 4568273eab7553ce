//! Session state on disk: where it lives, the TOML sidecar, and how it is written safely.
//!
//! Each session owns one directory, `$CXS_HOME/sessions/ID/`, holding `session.toml` (the
//! sidecar), `log` (the pane's output, created by the log writer) and, for a moment at start,
//! `env`. Creating that directory with `mkdir` is what claims an id, so two concurrent
//! `new --id X` can never both succeed; the directory is also the session's lock.
//! Prompts can hold secrets, so directories are 0700 and files 0600.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agent::Kind;
use crate::git::Worktree;
use crate::tmux::Socket;
use crate::tokens::Spent;

/// The sidecar format this cxs writes; a newer one is read but never rewritten.
pub const SIDECAR_VERSION: u32 = 1;

/// Logs rotate past this size unless configured otherwise.
pub const DEFAULT_MAX_LOG: u64 = 256 << 20;

const SIDECAR: &str = "session.toml";
/// Far more than a sidecar holds (a prompt that fit on a command line, a last message).
const MAX_SIDECAR_BYTES: u64 = 64 << 20;
const LOG: &str = "log";
const OLD_LOG: &str = "log.1";
const ENV: &str = "env";

/// A validated session id: 1-64 of `[A-Za-z0-9_-]`, not all digits (those are list indexes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SessionId {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() || s.len() > 64 {
            bail!("invalid session id '{s}': must be 1-64 characters long");
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            bail!("invalid session id '{s}': '{c}' is not allowed (use A-Z a-z 0-9 _ -)");
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            bail!("invalid session id '{s}': all digits would read as a list index");
        }
        Ok(Self(s.to_owned()))
    }
}

impl TryFrom<String> for SessionId {
    type Error = anyhow::Error;

    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> String {
        id.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

/// Creates `dir` and its missing parents, readable by the user alone.
fn create_private(dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create state directory {}", dir.display()))
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

/// One session's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDir(PathBuf);

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

    fn sidecar_path(&self) -> PathBuf {
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
        let mut bytes = Vec::new();
        for (key, value) in vars {
            bytes.extend_from_slice(key.as_bytes());
            bytes.push(b'=');
            bytes.extend_from_slice(value.as_bytes());
            bytes.push(0);
        }
        let path = self.0.join(ENV);
        write_private(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads and removes the environment saved by [`SessionDir::write_env`].
    pub fn take_env(&self) -> Result<Vec<(OsString, OsString)>> {
        let path = self.0.join(ENV);
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        Ok(bytes
            .split(|b| *b == 0)
            .filter_map(|pair| {
                let eq = pair.iter().position(|b| *b == b'=')?;
                Some((
                    OsString::from_vec(pair[..eq].to_vec()),
                    OsString::from_vec(pair[eq + 1..].to_vec()),
                ))
            })
            .collect())
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

/// The file form of a delete's record.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Doomeds {
    sessions: Vec<Doomed>,
}

/// A delete's record on disk, from [`Store::write_doomed`].
#[derive(Debug)]
pub struct DoomedRecord(PathBuf);

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
pub struct Trash(PathBuf);

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

/// Creates `path` as a 0600 file holding `bytes`.
///
/// No fsync: the rename already protects readers and a crashed cxs, and `new` stays fast.
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
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file =
        OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ids_follow_the_rules() {
        for ok in ["a", "autumn-panda", "A_1-b", "0a", &"x".repeat(64)] {
            assert!(ok.parse::<SessionId>().is_ok(), "{ok}");
        }
        for bad in ["", "0", "123", "a.b", "a:b", "a b", "é", "a/b", &"x".repeat(65)] {
            assert!(bad.parse::<SessionId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn id_errors_name_the_problem() {
        let err = "a:b".parse::<SessionId>().unwrap_err().to_string();
        assert_eq!(err, "invalid session id 'a:b': ':' is not allowed (use A-Z a-z 0-9 _ -)");
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
