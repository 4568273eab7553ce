//! The journal of what happened to sessions, `CXS_HOME/events.jsonl`: one JSON line a change
//! of state, appended by whichever cxs process saw it (no daemon), and the user's `[hooks]`
//! run for some of them.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Hooks};
use crate::store::{SessionDir, Sidecar};

/// Past this size the journal moves to `events.jsonl.1` (the one before that goes).
const MAX_JOURNAL: u64 = 8 << 20;
/// How long a hook may run before it is killed, when the config gives no `timeout`.
const HOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// One change of a session's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_field_names)] // `event` is the journal's own field name
pub struct Event {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The session's id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// What happened: `created`, `running`, `turn-ended`, `waiting`, `exited`, `resumed`,
    /// `deleted`.
    pub event: String,
    /// Why it waits (`input`: the agent finished a turn and waits for the next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The agent's exit code, for `exited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The agent's last message, for `turn-ended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<String>,
    /// The agent's working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// The host it happened on, in `events --all` (never journaled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Event {
    /// Event `event` of session `id` (of `kind`), now.
    pub fn now(id: &str, kind: &str, event: &str) -> Event {
        Event {
            at: Utc::now(),
            id: id.to_owned(),
            kind: kind.to_owned(),
            event: event.to_owned(),
            why: None,
            exit_code: None,
            last_message: None,
            cwd: None,
            host: None,
        }
    }
}

/// Records `event` of the session in `dir` (whose record is `sidecar`), with the hooks of the
/// configuration its `new` read.
pub fn note(dir: &SessionDir, sidecar: &Sidecar, event: Event) {
    note_all(dir, sidecar, [event]);
}

/// [`note`] for several events in a row, the configuration read once for them all.
pub fn note_all(dir: &SessionDir, sidecar: &Sidecar, events: impl IntoIterator<Item = Event>) {
    let mut events: Vec<Event> = events.into_iter().collect();
    for event in &mut events {
        event.cwd.get_or_insert_with(|| sidecar.cwd.clone());
    }
    // Only these events have hooks: for the others (`created`, `running`, on `new`'s and the
    // runner's paths) the configuration is not read at all.
    let hooked = |e: &Event| matches!(e.event.as_str(), "waiting" | "turn-ended" | "exited");
    let config =
        sidecar.config.as_deref().filter(|_| events.iter().any(hooked)).map(Config::load_from);
    let hooks = match &config {
        Some(Ok(config)) => Some(&config.hooks),
        Some(Err(err)) => {
            eprintln!("cxs: no hooks run: {err:#}");
            None
        }
        None => None,
    };
    for event in &events {
        record(&dir.journal(), event, hooks);
    }
}

/// Appends `event` to the journal at `journal`, then runs the user's hook for it, if any.
/// Neither may break what the session is doing: failures are said on stderr.
pub fn record(journal: &Path, event: &Event, hooks: Option<&Hooks>) {
    if let Err(err) = append(journal, event) {
        eprintln!("cxs: {err:#}");
    }
    let hook = hooks.and_then(|hooks| match event.event.as_str() {
        "waiting" => hooks.on_waiting.as_ref(),
        "turn-ended" => hooks.on_turn_end.as_ref(),
        "exited" => hooks.on_exit.as_ref(),
        _ => None,
    });
    if let (Some(hook), Some(hooks)) = (hook, hooks) {
        let timeout = hooks.timeout.unwrap_or(HOOK_TIMEOUT);
        if let Err(err) = run_hook(hook, event, timeout) {
            eprintln!("cxs: hook for {} of session '{}': {err:#}", event.event, event.id);
        }
    }
}

/// Writes one line, in one `write` to a file opened for appending, so concurrent writers'
/// lines never interleave.
fn append(journal: &Path, event: &Event) -> Result<()> {
    let mut line = serde_json::to_string(event).context("cannot encode an event")?;
    line.push('\n');
    if std::fs::metadata(journal).is_ok_and(|m| m.len() > MAX_JOURNAL) {
        // Two writers may both rotate; the second moves a file of one line. No line is lost.
        let _ = std::fs::rename(journal, journal.with_extension("jsonl.1"));
    }
    crate::store::append_private(journal, line.as_bytes())
}

/// Starts a hook with the event in its environment, through `cxs __hook-run`, which kills
/// it past `timeout`; it is not waited for, so a slow hook holds up nothing (not the agent
/// whose hook fired, nor the runner).
fn run_hook(argv: &[String], event: &Event, timeout: Duration) -> Result<()> {
    let status = match event.event.as_str() {
        "exited" => "exited",
        "waiting" | "turn-ended" => "waiting",
        _ => "running",
    };
    let env = [
        ("CXS_ID", event.id.clone()),
        ("CXS_KIND", event.kind.clone()),
        ("CXS_STATUS", status.to_owned()),
        ("CXS_EVENT", event.event.clone()),
        ("CXS_EXIT_CODE", event.exit_code.map(|c| c.to_string()).unwrap_or_default()),
        ("CXS_LAST_MESSAGE", event.last_message.clone().unwrap_or_default()),
        ("CXS_CWD", event.cwd.as_ref().map(|c| c.display().to_string()).unwrap_or_default()),
    ];
    let exe = std::env::current_exe().context("cannot find the cxs executable")?;
    let command = crate::hidden::hook_runner(&exe, timeout, argv);
    // In a process group of its own: when a runner fires `on_exit` and ends, the hangup its
    // pane's terminal sends its group must not reach the hook.
    std::process::Command::new(&command[0])
        .args(&command[1..])
        .process_group(0)
        .envs(env)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start the hook '{}'", argv.join(" ")))?;
    Ok(())
}

/// Runs a hook to its end, or kills it past `limit` (what `cxs __hook-run` does).
pub fn run_hook_to_end(argv: &[std::ffi::OsString], limit: Duration) -> Result<()> {
    let (program, args) = argv.split_first().context("the hook is empty")?;
    let handle = duct::cmd(program, args)
        .unchecked()
        .start()
        .with_context(|| format!("cannot run '{}'", program.to_string_lossy()))?;
    if handle.wait_timeout(limit)?.is_none() {
        let _ = handle.kill();
        anyhow::bail!(
            "'{}' took longer than {} s and was killed",
            program.to_string_lossy(),
            limit.as_secs_f32()
        );
    }
    Ok(())
}

/// Every event in the journal (its rotated part first), oldest first.
pub fn read(journal: &Path) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for path in [journal.with_extension("jsonl.1"), journal.to_owned()] {
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        for line in BufReader::new(file).lines() {
            let line = line.with_context(|| format!("cannot read {}", path.display()))?;
            // A line cut by a full disk, or from a newer cxs, is skipped.
            if let Ok(event) = serde_json::from_str(&line) {
                events.push(event);
            }
        }
    }
    Ok(events)
}
