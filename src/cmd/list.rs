//! `cxs list`: every session, newest first, as a table or JSON.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::cli::ListArgs;
use crate::env::Env;
use crate::git::{DiffStat, Git, Worktree};
use crate::remote;
use crate::session::{self, Extras, Session, Status};
use crate::table;
use crate::tokens::Tokens;

/// The preview's width when stdout is not a terminal, so scripts see stable rows.
const PREVIEW_WIDTH: usize = 40;

/// Prints the listing, once or (`--watch`) every second until interrupted.
pub fn run(args: &ListArgs) -> Result<()> {
    let env = Env::load()?;
    let agents = catalog::all(&env.config)?;
    // Buffered: pretty JSON is written a line at a time, thousands of lines for 500 rows.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Watching at a terminal, `q` or Esc ends it as well as Ctrl-C (a popup closes on them).
    let keys = if args.watch { Keys::open() } else { None };
    let sockets = env.store.ssh_sockets();
    let hosts = remote::Host::all(&env.config, &sockets);
    loop {
        // Every configured host's sessions too (asked while this one's are listed), each host
        // asked once, all at once; one that does not answer is a warning under the table.
        let (sessions, answers) = std::thread::scope(|scope| {
            let asked = args
                .all
                .then(|| scope.spawn(|| remote::listings::<Row>(&hosts, remote::ASK_TIMEOUT)));
            let sessions = session::all_with_extras(&env.store, &env.tmux, Some(&agents));
            (sessions, asked.map(|asked| asked.join().unwrap_or_default()))
        });
        let sessions = sessions?;
        resume_logging(&env, sessions.iter().map(|(s, _)| s))?;
        let listed: Vec<&Session> = sessions.iter().map(|(s, _)| s).collect();
        session::note_lost(&listed);
        let now = Utc::now();
        // Filtered rows keep their index, which selectors use; the filter comes before the
        // git calls, so rows left out cost none.
        let shown: Vec<&(Session, Extras)> = sessions
            .iter()
            .filter(|(s, _)| {
                let kind = s.sidecar.as_ref().ok().map(|c| c.kind.to_string());
                args.keeps(s.status.name(), kind.as_ref())
            })
            .collect();
        let changes = diff_stats(shown.iter().map(|(s, _)| s));
        let mut rows: Vec<Row> = shown
            .into_iter()
            .zip(changes)
            .map(|((s, extras), changes)| Row::new(s, *extras, now, changes))
            .collect();
        let mut warnings = Vec::new();
        if let Some(answers) = answers {
            for row in &mut rows {
                row.host = Some("local".to_owned());
            }
            for (host, listed) in answers {
                match listed {
                    Ok(listed) => rows.extend(
                        listed
                            .into_iter()
                            .filter(|r| args.keeps(&r.status, r.kind.as_ref()))
                            .map(|r| Row::from_host(r, &host, now)),
                    ),
                    Err(err) => warnings.push(format!("warning: host '{host}': {err:#}")),
                }
            }
        }
        if args.json {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        } else {
            if args.watch {
                // Home and clear: redraw in place rather than scroll.
                write!(out, "\x1b[H\x1b[2J")?;
            }
            write_table(&mut out, &rows, terminal_width())?;
        }
        out.flush()?;
        for warning in &warnings {
            eprintln!("{warning}");
        }
        if !args.watch {
            return Ok(());
        }
        let tick = std::time::Duration::from_secs(1);
        match &keys {
            Some(keys) if keys.quit_within(tick) => return Ok(()),
            Some(_) => {}
            None => std::thread::sleep(tick),
        }
    }
}

/// The terminal's keys, read one at a time (no line editing, no echo) while `list --watch`
/// runs; the terminal is set back as it was when dropped.
struct Keys {
    stdin: std::io::Stdin,
    saved: rustix::termios::Termios,
    /// Set by Ctrl-C, which must also set the terminal back rather than kill the process.
    interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Keys {
    /// Keys from standard input, when it is a terminal.
    fn open() -> Option<Keys> {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return None;
        }
        let saved = tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        // Ctrl-C still interrupts (ISIG stays on).
        raw.local_modes.remove(LocalModes::ICANON | LocalModes::ECHO);
        let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, interrupted.clone()).ok()?;
        }
        tcsetattr(&stdin, OptionalActions::Now, &raw).ok()?;
        Some(Keys { stdin, saved, interrupted })
    }

    /// Waits up to `wait` for a key; whether it was `q` or Esc, or Ctrl-C came.
    fn quit_within(&self, wait: std::time::Duration) -> bool {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let timeout = Timespec::try_from(wait).ok();
        let mut fds = [PollFd::new(&self.stdin, PollFlags::IN)];
        let ready = poll(&mut fds, timeout.as_ref());
        if self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            return true;
        }
        if !matches!(ready, Ok(n) if n > 0) {
            return false;
        }
        let mut key = [0u8; 16];
        let read = rustix::io::read(&self.stdin, &mut key).unwrap_or(0);
        // A closed terminal ends the watch too.
        read == 0 || key[..read].iter().any(|b| matches!(b, b'q' | b'Q' | 0x1b))
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            &self.stdin,
            rustix::termios::OptionalActions::Now,
            &self.saved,
        );
    }
}

/// Starts a log writer again for every running session whose writer died (it was killed, or
/// ran out of something): a row that says `running` must be logging.
fn resume_logging<'a>(env: &Env, sessions: impl Iterator<Item = &'a Session>) -> Result<()> {
    let mut stopped = sessions.filter(|s| s.is_running() && !s.logging()).peekable();
    if stopped.peek().is_none() {
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot find the cxs executable")?;
    let max_log = env.config.defaults.max_log.unwrap_or(crate::store::DEFAULT_MAX_LOG);
    for session in stopped {
        if let Err(err) = session.resume_logging(&exe, max_log) {
            eprintln!("warning: session '{}' is not logged: {err:#}", session.id);
        }
    }
    Ok(())
}

/// What each worktree session's agent changed against its base: one git call a session, all
/// at once.
fn diff_stats<'a>(sessions: impl Iterator<Item = &'a Session>) -> Vec<Option<DiffStat>> {
    let trees: Vec<Option<&Worktree>> =
        sessions.map(|s| s.sidecar.as_ref().ok().and_then(|s| s.worktree.as_ref())).collect();
    if trees.iter().all(Option::is_none) {
        return vec![None; trees.len()];
    }
    let Ok(git) = Git::find() else {
        return vec![None; trees.len()];
    };
    std::thread::scope(|scope| {
        let calls: Vec<_> = trees
            .iter()
            .map(|tree| tree.map(|tree| scope.spawn(|| git.diff_stat(tree).ok())))
            .collect();
        calls.into_iter().map(|call| call.and_then(|c| c.join().ok().flatten())).collect()
    })
}

/// One line of the listing; its field names are the stable `--json` format (which `list
/// --all` reads back from other hosts).
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    /// With `--all`: the host the session is on (`local` for this one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    index: usize,
    id: String,
    kind: Option<String>,
    status: String,
    exit_code: Option<i32>,
    pid: Option<u32>,
    log: String,
    log_bytes: u64,
    created: Option<DateTime<Utc>>,
    finished: Option<DateTime<Utc>>,
    last_output: Option<DateTime<Utc>>,
    cwd: Option<String>,
    prompt: Option<String>,
    last_message: Option<String>,
    argv: Option<Vec<String>>,
    error: Option<String>,
    /// Whether the pane's output reached the log when listed.
    logging: bool,
    /// The agent's conversation id, which `resume` continues.
    conversation: Option<String>,
    /// How many times `resume` started the session again.
    resumed: u32,
    /// What the agent spent, as it recorded it (Codex's rollout).
    tokens: Option<Tokens>,
    /// For a worktree session, where it works and what its agent changed.
    #[serde(flatten)]
    tree: Option<TreeFields>,
    #[serde(skip)]
    shown_status: String,
    #[serde(skip)]
    active: String,
}

impl Row {
    /// A row that host `host`'s cxs listed, ready to show here.
    fn from_host(mut row: Row, host: &str, now: DateTime<Utc>) -> Row {
        row.host = Some(host.to_owned());
        row.shown_status = match (row.status.as_str(), row.exit_code) {
            ("exited", Some(code)) => format!("exited ({code})"),
            ("exited", None) => "exited (?)".to_owned(),
            (status, _) => status.to_owned(),
        };
        row.active = row.last_output.map_or("-".to_owned(), |at| age(now - at));
        row
    }
}

/// A worktree session's part of its row.
#[derive(Debug, Serialize, Deserialize)]
struct TreeFields {
    /// The checkout it branched from.
    repo: String,
    /// Where the agent works.
    worktree: String,
    /// The agent's branch.
    branch: String,
    /// The commit the branch started from.
    base: String,
    /// Lines added against the base, committed or not (null when git could not tell).
    added: Option<u64>,
    /// Lines removed, likewise.
    removed: Option<u64>,
}

impl Row {
    fn new(
        session: &Session,
        extras: Extras,
        now: DateTime<Utc>,
        changes: Option<DiffStat>,
    ) -> Self {
        let Extras { log_bytes, tokens } = extras;
        let sidecar = session.sidecar.as_ref().ok();
        let tree = sidecar.and_then(|s| s.worktree.as_ref());
        let path = |p: &std::path::Path| p.to_string_lossy().into_owned();
        let log = session.dir.log();
        let status = session.status.name().to_owned();
        let exit_code = match session.status {
            Status::Exited(code) => code,
            _ => None,
        };
        let error = match (&session.sidecar, &session.status) {
            (Err(why), _) => Some(why.clone()),
            (Ok(_), Status::Unreachable(_)) => session.pane().err().map(|e| format!("{e:#}")),
            (Ok(_), _) => None,
        };
        let last_output = session
            .pane
            .as_ref()
            .and_then(|p| p.activity)
            .and_then(|at| DateTime::from_timestamp(at, 0));
        Row {
            host: None,
            index: session.index,
            id: session.id.clone(),
            kind: sidecar.map(|s| s.kind.to_string()),
            status,
            exit_code,
            pid: sidecar.and_then(|s| s.pid).filter(|_| session.is_running()),
            log_bytes,
            log: log.to_string_lossy().into_owned(),
            created: sidecar.map(|s| s.created),
            finished: sidecar.and_then(|s| s.finished),
            last_output,
            cwd: sidecar.map(|s| s.cwd.to_string_lossy().into_owned()),
            prompt: sidecar.and_then(|s| s.prompt.clone()),
            last_message: sidecar.and_then(|s| s.last_message.clone()),
            argv: sidecar.map(|s| s.argv.clone()),
            error,
            logging: session.logging(),
            conversation: sidecar.and_then(|s| s.conversation.clone()),
            resumed: sidecar.map_or(0, |s| s.resumed),
            tokens,
            tree: tree.map(|t| TreeFields {
                repo: path(&t.repo),
                worktree: path(&t.path),
                branch: t.branch.clone(),
                base: t.base.clone(),
                added: changes.map(|c| c.added),
                removed: changes.map(|c| c.removed),
            }),
            shown_status: session.status.to_string(),
            active: last_output.map_or("-".to_owned(), |at| age(now - at)),
        }
    }

    /// The row's cells; `worktrees` adds BRANCH and CHANGES, `tokens` TOKENS.
    fn cells(&self, preview_width: usize, worktrees: bool, tokens: bool) -> Vec<String> {
        let mut cells = Vec::new();
        if let Some(host) = &self.host {
            cells.push(host.clone());
        }
        cells.extend([
            self.index.to_string(),
            self.id.clone(),
            self.kind.clone().unwrap_or_else(|| "-".to_owned()),
            self.shown_status.clone(),
            self.active.clone(),
            self.pid.map_or("-".to_owned(), |p| p.to_string()),
            human_size(self.log_bytes),
        ]);
        if tokens {
            cells.push(self.tokens.map_or("-".to_owned(), |t| t.short()));
        }
        if worktrees {
            let tree = self.tree.as_ref();
            cells.push(tree.map_or("-".to_owned(), |t| t.branch.clone()));
            cells.push(match tree.map(|t| (t.added, t.removed)) {
                Some((Some(added), Some(removed))) => format!("+{added} -{removed}"),
                Some(_) => "?".to_owned(),
                None => "-".to_owned(),
            });
        }
        cells.push(self.created.map_or("-".to_owned(), |c| {
            c.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
        }));
        cells.push(match (&self.prompt, &self.error) {
            (_, Some(error)) => table::preview(error, preview_width),
            (Some(prompt), None) => table::preview(prompt, preview_width),
            (None, None) => String::new(),
        });
        cells
    }
}

/// Writes the table; the prompt preview fills what `terminal` columns leave, or is cut at
/// [`PREVIEW_WIDTH`] when stdout is not a terminal. TOKENS shows only when an agent recorded
/// its token use, BRANCH and CHANGES only when a session works in a worktree.
fn write_table(out: &mut impl Write, rows: &[Row], terminal: Option<usize>) -> Result<()> {
    let worktrees = rows.iter().any(|r| r.tree.is_some());
    let tokens = rows.iter().any(|r| r.tokens.is_some());
    let mut header: Vec<String> = Vec::new();
    if rows.iter().any(|r| r.host.is_some()) {
        header.push("HOST".to_owned());
    }
    header.extend(["#", "ID", "KIND", "STATUS", "ACTIVE", "PID", "LOG"].map(String::from));
    if tokens {
        header.push("TOKENS".to_owned());
    }
    if worktrees {
        header.extend(["BRANCH", "CHANGES"].map(String::from));
    }
    header.extend(["CREATED", "PROMPT"].map(String::from));
    let columns = header.len();
    let full: Vec<Vec<String>> = std::iter::once(header.clone())
        .chain(rows.iter().map(|r| r.cells(usize::MAX, worktrees, tokens)))
        .collect();
    let widths = table::widths(&full);
    let before_prompt: usize = widths[..columns - 1].iter().map(|w| w + 2).sum();
    // A narrow terminal still shows a useful bit of each prompt, and wraps.
    let preview_width =
        terminal.map_or(PREVIEW_WIDTH, |columns| columns.saturating_sub(before_prompt).max(20));
    let lines: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|r| r.cells(preview_width, worktrees, tokens)))
        .collect();
    table::write(out, &lines, &widths, |_| false)?;
    Ok(())
}

/// The terminal's width when stdout is one.
fn terminal_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    let size = rustix::termios::tcgetwinsize(&stdout).ok()?;
    Some(usize::from(size.ws_col)).filter(|c| *c > 0)
}

/// How long ago, in the largest whole unit: `4s`, `12m`, `3h`, `2d`.
fn age(elapsed: chrono::TimeDelta) -> String {
    let secs = elapsed.num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

/// `1.4M`-style sizes, as `ls -lh` prints them.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    if size < 10.0 {
        format!("{size:.1}{}", UNITS[unit])
    } else {
        format!("{size:.0}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::*;

    #[test]
    fn columns_line_up_with_wide_characters() {
        let row = |id: &str, prompt: &str| Row {
            host: None,
            index: 0,
            id: id.to_owned(),
            kind: Some("exec".into()),
            status: "running".into(),
            exit_code: None,
            pid: None,
            log: String::new(),
            log_bytes: 0,
            created: None,
            finished: None,
            last_output: None,
            cwd: None,
            prompt: Some(prompt.to_owned()),
            last_message: None,
            argv: None,
            error: None,
            logging: true,
            conversation: None,
            resumed: 0,
            tokens: None,
            tree: None,
            shown_status: "running".into(),
            active: "-".into(),
        };
        let rows = [row("世界", "🚀 launch"), row("ab", &"long prompt ".repeat(20))];
        let mut out = Vec::new();
        write_table(&mut out, &rows, Some(100)).unwrap();
        let table = String::from_utf8(out).unwrap();
        let starts: Vec<usize> =
            table.lines().map(|l| l.split("exec").next().unwrap().width()).collect();
        assert_eq!(starts[1], starts[2], "{table}");
        assert!(table.lines().all(|l| l.width() <= 100), "{table}");
    }

    #[test]
    fn ages_use_the_largest_unit() {
        let age = |secs| age(chrono::TimeDelta::seconds(secs));
        assert_eq!(
            [age(-3), age(4), age(59), age(60), age(3599), age(7200), age(200_000)],
            ["0s", "4s", "59s", "1m", "59m", "2h", "2d"]
        );
    }

    #[test]
    fn sizes_read_like_ls() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(1023), "1023B");
        assert_eq!(human_size(1536), "1.5K");
        assert_eq!(human_size(1_468_006), "1.4M");
        assert_eq!(human_size(300 * 1024 * 1024), "300M");
    }
}
