//! `cxs events`: the journal of what happened to sessions, filtered, and followed.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, Utc};

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
    let (sender, received) = std::sync::mpsc::channel::<Event>();
    for host in &hosts {
        let argv = remote::command(host, &asked)?;
        let (sender, name) = (sender.clone(), host.name.to_owned());
        std::thread::spawn(move || {
            if let Err(err) = stream(&argv, |event| sender.send(mark(event, &name)).is_ok()) {
                eprintln!("warning: host '{name}': {err:#}");
            }
        });
    }
    let journal = journal.to_owned();
    std::thread::spawn(move || {
        follow(&journal, keep, |event| Ok(sender.send(mark(event.clone(), "local"))?))
    });
    for event in received {
        print(&mut out, &event, args.json)?;
        out.flush()?;
    }
    Ok(())
}

/// Runs `argv` (ssh to a host's `cxs events --json -f`), handing each event it prints to
/// `emit` until that returns false or the command ends; an end in failure is an error.
fn stream(argv: &[OsString], mut emit: impl FnMut(Event) -> bool) -> Result<()> {
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run ssh")?;
    let output = child.stdout.take().context("ssh has no output")?;
    for line in BufReader::new(output).lines() {
        let Ok(event) = serde_json::from_str(&line?) else { continue };
        if !emit(event) {
            let _ = child.kill();
            break;
        }
    }
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
    }
    if !child.wait()?.success() {
        bail!("{}", stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("ssh failed").trim());
    }
    Ok(())
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
                emit(&event)?;
            }
            line.clear();
        }
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
