//! `cxs events`: the journal of what happened to sessions, filtered, and followed.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, Utc};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::cli::EventsArgs;
use crate::env::Env;
use crate::events::{self, Event};
use crate::remote::{self, Host};
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
            Selector::Index(_) | Selector::OnHost(..) => {
                session::locate(&env.store, selector).map(|(id, _)| id)
            }
        })
        .collect::<Result<_>>()?;
    let keep = |event: &Event| {
        since.is_none_or(|since| event.at >= since)
            && (wanted.is_empty() || wanted.iter().any(|w| event.id.starts_with(w.as_str())))
    };
    let journal = env.store.journal();
    if args.all {
        return everywhere(&env, args, since, &journal);
    }
    let mut out = std::io::stdout().lock();
    for event in events::read(&journal)?.iter().filter(|e| keep(e)) {
        print(&mut out, event, args.json)?;
    }
    out.flush()?;
    if args.follow {
        follow(&journal, keep, |event| {
            print(&mut out, event, args.json)?;
            Ok(out.flush()?)
        })?;
    }
    Ok(())
}

/// `--all`: this host's events and every configured host's, each marked with its host;
/// sorted by time, or with `-f` printed as each host's come (its past first, then live). A
/// host that does not answer is a warning.
fn everywhere(
    env: &Env,
    args: &EventsArgs,
    since: Option<DateTime<Utc>>,
    journal: &Path,
) -> Result<()> {
    let sockets = env.store.ssh_sockets();
    let hosts = Host::all(&env.config, &sockets);
    let mut asked: Vec<OsString> = vec!["events".into(), "--json".into()];
    if let Some(since) = since {
        // An absolute time: "10m" means ten minutes before now here.
        asked.extend(["--since".into(), since.to_rfc3339().into()]);
    }
    let keep = move |event: &Event| since.is_none_or(|since| event.at >= since);
    let mark = |mut event: Event, host: &str| {
        event.host = Some(host.to_owned());
        event
    };
    let local = events::read(journal)?.into_iter().filter(|e| keep(e)).map(|e| mark(e, "local"));
    let mut out = std::io::stdout().lock();
    if !args.follow {
        let mut all: Vec<Event> = local.collect();
        for (host, answer) in remote::ask_all(&hosts, &asked, remote::ASK_TIMEOUT) {
            match answer {
                Ok(lines) => all.extend(
                    lines
                        .split(|&b| b == b'\n')
                        .filter_map(|line| serde_json::from_slice(line).ok())
                        .map(|e| mark(e, &host)),
                ),
                Err(err) => eprintln!("warning: host '{host}': {err:#}"),
            }
        }
        all.sort_by_key(|e| e.at);
        for event in &all {
            print(&mut out, event, args.json)?;
        }
        return Ok(());
    }
    for event in local {
        print(&mut out, &event, args.json)?;
    }
    out.flush()?;
    asked.push("-f".into());
    let (sender, received) = std::sync::mpsc::channel::<Streamed>();
    // The ssh calls end with this command, however it ends: dropped, they are killed.
    let mut calls = Calls(Vec::new());
    for host in &hosts {
        let argv = remote::command(host, &asked)?;
        let mut child = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("cannot run ssh")?;
        let (output, errors) = (child.stdout.take(), child.stderr.take());
        calls.0.push((*host, child));
        let (sender, name) = (sender.clone(), host.name.to_owned());
        std::thread::spawn(move || {
            for line in output.map(BufReader::new).into_iter().flat_map(BufRead::lines) {
                let Ok(line) = line else { break };
                if let Ok(event) = serde_json::from_str(&line)
                    && sender.send(Streamed::Event(mark(event, &name))).is_err()
                {
                    return;
                }
            }
            let mut said = String::new();
            if let Some(mut errors) = errors {
                let _ = std::io::Read::read_to_string(&mut errors, &mut said);
            }
            let _ = sender.send(Streamed::Ended(name, said));
        });
    }
    let journal = journal.to_owned();
    let local = sender.clone();
    std::thread::spawn(move || {
        follow(&journal, keep, |event| {
            Ok(local.send(Streamed::Event(mark(event.clone(), "local")))?)
        })
    });
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGHUP, SIGINT, SIGTERM] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    while !stop.load(Ordering::Relaxed) && !crate::watch::reader_gone() {
        match received.recv_timeout(POLL) {
            Ok(Streamed::Event(event)) => {
                print(&mut out, &event, args.json)?;
                out.flush()?;
            }
            Ok(Streamed::Ended(name, said)) => {
                let Some(at) = calls.0.iter().position(|(host, _)| host.name == name) else {
                    continue;
                };
                let (host, mut child) = calls.0.swap_remove(at);
                let code = child.wait().ok().and_then(|status| status.code());
                if code != Some(0) {
                    let first = said.lines().find(|l| !l.trim().is_empty());
                    eprintln!("warning: host '{name}': {}", remote::failure(&host, code, first));
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    Ok(())
}

/// What a host's stream says: an event, or its end and what ssh said on the way.
enum Streamed {
    Event(Event),
    Ended(String, String),
}

/// The ssh calls of `events --all -f`, killed when dropped.
struct Calls<'a>(Vec<(Host<'a>, std::process::Child)>);

impl Drop for Calls<'_> {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Hands `emit` the events appended from now on, across rotations, until interrupted.
fn follow(
    journal: &Path,
    keep: impl Fn(&Event) -> bool,
    mut emit: impl FnMut(&Event) -> Result<()>,
) -> Result<()> {
    let open = || std::fs::File::open(journal).ok();
    let mut file = open();
    let mut position = file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
    let mut inode = file.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.ino());
    // Woken by appends to the journal rather than by a clock.
    let watch = Watch::dirs(journal.parent(), On::Writes);
    while !crate::watch::reader_gone() {
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
                emit(&event)?;
            }
            line.clear();
        }
    }
    Ok(())
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
        ("turn-ended", _, _, Some(message)) => crate::table::preview(message, 60),
        _ => String::new(),
    };
    let host = event.host.as_ref().map(|h| format!("{h}  ")).unwrap_or_default();
    let line = format!("{at}  {host}{}  {}  {}  {detail}", event.id, event.kind, event.event);
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
