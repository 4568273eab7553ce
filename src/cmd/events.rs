//! `cxs events`: the journal of what happened to sessions, filtered, and followed.

use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, Utc};

use crate::cli::EventsArgs;
use crate::env::Env;
use crate::events::{self, Event};
use crate::session::{self, Selector};
use crate::watch::{On, Watch};

/// How often `--follow` looks for new events.
const POLL: Duration = Duration::from_millis(100);

/// Prints the journal's events that match, then (`-f`) new ones as they come.
pub fn run(args: &EventsArgs) -> Result<()> {
    let env = Env::load()?;
    let since = args.since.as_deref().map(parse_since).transpose()?;
    // An index names a session listed now; a prefix also matches deleted sessions' ids.
    let wanted: Vec<String> = args
        .selectors
        .iter()
        .map(|selector| match selector {
            Selector::Prefix(prefix) => Ok(prefix.clone()),
            Selector::Index(_) => session::locate(&env.store, selector).map(|(id, _)| id),
        })
        .collect::<Result<_>>()?;
    let keep = |event: &Event| {
        since.is_none_or(|since| event.at >= since)
            && (wanted.is_empty() || wanted.iter().any(|w| event.id.starts_with(w.as_str())))
    };
    let journal = env.store.journal();
    let mut out = std::io::stdout().lock();
    for event in events::read(&journal)?.iter().filter(|e| keep(e)) {
        print(&mut out, event, args.json)?;
    }
    out.flush()?;
    if args.follow {
        follow(&journal, &mut out, args.json, keep)?;
    }
    Ok(())
}

/// Prints events appended from now on, across rotations, until interrupted.
fn follow(
    journal: &Path,
    out: &mut impl Write,
    json: bool,
    keep: impl Fn(&Event) -> bool,
) -> Result<()> {
    let open = || std::fs::File::open(journal).ok();
    let mut file = open();
    let mut position = file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
    let mut inode = file.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.ino());
    // Woken by appends to the journal rather than by a clock.
    let watch = Watch::dirs(journal.parent(), On::Writes);
    loop {
        watch.wait(POLL);
        // Rotated (or created) since: the new file is read from its start.
        let on_disk = std::fs::metadata(journal).ok().map(|m| m.ino());
        if on_disk != inode {
            file = open();
            inode = on_disk;
            position = 0;
        }
        let Some(reading) = file.as_mut() else { continue };
        let len = reading.metadata().map_or(0, |m| m.len());
        if len <= position {
            continue;
        }
        reading.seek(SeekFrom::Start(position))?;
        let mut reader = BufReader::new(&mut *reading);
        let mut line = String::new();
        // Only whole lines: a line being written is read when its newline is there.
        while reader.read_line(&mut line)? > 0 && line.ends_with('\n') {
            position += line.len() as u64;
            if let Ok(event) = serde_json::from_str::<Event>(&line)
                && keep(&event)
            {
                print(out, &event, json)?;
            }
            line.clear();
        }
        out.flush()?;
    }
}

/// One event, as a line of text or of JSON.
fn print(out: &mut impl Write, event: &Event, json: bool) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(event)?)?;
        return Ok(());
    }
    let at = event.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S");
    let detail = match (event.event.as_str(), event.exit_code, &event.why, &event.last_message) {
        ("exited", Some(code), _, _) => format!("exit code {code}"),
        ("waiting", _, Some(why), _) => format!("for {why}"),
        ("turn-ended", _, _, Some(message)) => {
            let flat: String =
                message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let mut cut: String = flat.chars().take(60).collect();
            if flat.chars().count() > 60 {
                cut.push_str("...");
            }
            cut
        }
        _ => String::new(),
    };
    let line = format!("{at}  {}  {}  {}  {detail}", event.id, event.kind, event.event);
    writeln!(out, "{}", line.trim_end())?;
    Ok(())
}

/// `--since`: a time, a day, or how long ago.
fn parse_since(text: &str) -> Result<DateTime<Utc>> {
    if let Ok(ago) = humantime::parse_duration(text) {
        let ago = chrono::TimeDelta::from_std(ago).context("--since: too long ago")?;
        return Ok(Utc::now() - ago);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(at) =
            day.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(Local).earliest())
    {
        return Ok(at.with_timezone(&Utc));
    }
    bail!(
        "--since '{text}': give a time (2026-12-03T14:00:00Z), a day (2026-12-03) or how long ago (10m)"
    )
}
