//! `cxs logs`: the pane's output as logged, plain by default, tailed and followed cheaply.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::catalog;
use crate::cli::LogsArgs;
use crate::env::Env;
use crate::render::{Plain, Render, Screen};
use crate::session::{self, Selector, Status};
use crate::store::SessionDir;
use crate::watch::{On, Watch};

/// How often `--follow` looks for new output; the latency a user sees.
const POLL: Duration = Duration::from_millis(100);
/// How often `--follow` asks tmux whether the session still exists.
const TMUX_CHECK: Duration = Duration::from_secs(1);
const BLOCK: usize = 64 * 1024;
/// The first block `--tail` reads backwards, about 100 lines of agent output.
const TAIL_BLOCK: usize = 16 * 1024;

/// The screen size TUI logs are rendered at when the pane's is unknown: tmux's default.
const DEFAULT_SIZE: (u16, u16) = (24, 80);

/// Prints the log of one session (its rotated-out part first, when there is one).
pub fn run(args: &LogsArgs) -> Result<()> {
    let env = Env::load()?;
    // Reading a log needs no tmux call (but a TUI's size, and following, ask tmux).
    let (id, dir) = session::locate(&env.store, &args.selector)?;
    let render = match (args.raw, !args.raw && draws_tui(&env, &dir)) {
        (true, _) => Render::Raw,
        (false, false) => Render::Plain(Plain::default()),
        (false, true) => {
            let (rows, cols) = pane_size(&env, &id).unwrap_or(DEFAULT_SIZE);
            Render::Screen(Box::new(Screen::new(rows, cols)))
        }
    };
    // Whether to follow, asked of tmux once, before the tail is cut.
    let live = args.follow && env.resolve(&Selector::Prefix(id.clone()))?.is_running();
    let stdout = io::BufWriter::with_capacity(BLOCK, io::stdout().lock());
    let mut log = Log::open(&dir.log())?;
    let mut out = match (render, args.tail) {
        // A screen depends on everything drawn before: render it all, then keep the end.
        (render @ Render::Screen(_), Some(lines)) => {
            let mut all = Output { out: Vec::new(), render };
            if let Ok(mut old) = Log::open(&dir.old_log()) {
                old.copy_new(&mut all)?;
            }
            log.copy_new(&mut all)?;
            if !live {
                all.finish()?;
            }
            let mut out = Output { out: stdout, render: all.render };
            out.out.write_all(last_lines(&all.out, lines))?;
            out
        }
        (render, tail) => {
            let mut out = Output { out: stdout, render };
            let found = match tail {
                Some(lines) => log.seek_tail(lines)?,
                None => 0,
            };
            let wanted = tail.unwrap_or(usize::MAX);
            if found < wanted
                && let Ok(mut old) = Log::open(&dir.old_log())
            {
                if tail.is_some() {
                    old.seek_tail(wanted - found)?;
                }
                old.copy_new(&mut out)?;
            }
            log.copy_new(&mut out)?;
            out
        }
    };
    if live {
        follow(&mut log, &mut out, &dir, &env, &id)?;
    }
    // A screen cut to its last lines was finished before the cut.
    if live || args.tail.is_none() || !matches!(out.render, Render::Screen(_)) {
        out.finish()?;
    }
    out.out.flush()?;
    Ok(())
}

/// Whether the session's agent draws a TUI, whose log is rendered through an emulator.
fn draws_tui(env: &Env, dir: &SessionDir) -> bool {
    let (Ok(sidecar), Ok(agents)) = (dir.read(), catalog::all(&env.config)) else {
        return false;
    };
    catalog::draws_tui(&agents, &sidecar.kind)
}

/// The session's pane size, when tmux still has the pane (and answers).
fn pane_size(env: &Env, id: &str) -> Option<(u16, u16)> {
    let session = env.resolve(&Selector::Prefix(id.to_owned())).ok()?;
    let pane = session.pane.as_ref()?;
    session.tmux.pane_size(&pane.name).ok()
}

/// The last `lines` lines of `text`.
fn last_lines(text: &[u8], lines: usize) -> &[u8] {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let start = body
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, b)| **b == b'\n')
        .nth(lines.saturating_sub(1))
        .map_or(0, |(i, _)| i + 1);
    if lines == 0 { &[] } else { &text[start..] }
}

/// Where printed log bytes go, rendered.
struct Output<W: Write> {
    out: W,
    render: Render,
}

impl<W: Write> Output<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let shown = self.render.feed(bytes);
        self.out.write_all(&shown)?;
        Ok(())
    }

    /// Prints what is left at the end.
    fn finish(&mut self) -> Result<()> {
        self.out.write_all(&self.render.finish())?;
        self.out.flush()?;
        Ok(())
    }

    /// Prints a line still waiting for its newline (a prompt such as `Continue? [y/n] `).
    fn show_pending(&mut self) -> Result<()> {
        self.out.write_all(&self.render.pending())?;
        self.out.flush()?;
        Ok(())
    }
}

/// An open log file and how far it has been printed.
struct Log {
    path: PathBuf,
    /// None until the file exists: the log writer creates it as it starts, which can be
    /// just after `new` returned.
    file: Option<File>,
    position: u64,
}

impl Log {
    fn open(path: &Path) -> Result<Self> {
        let file = match File::open(path) {
            Ok(file) => Some(file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot open log {}", path.display())),
        };
        Ok(Log { path: path.to_owned(), file, position: 0 })
    }

    /// Skips to the last `lines` lines; returns how many lines that is (fewer in a short log).
    fn seek_tail(&mut self, lines: usize) -> Result<usize> {
        let Some(file) = &mut self.file else {
            return Ok(0);
        };
        let (start, found) = tail_start(file, lines)
            .with_context(|| format!("cannot read log {}", self.path.display()))?;
        self.position = start;
        Ok(found)
    }

    /// Prints what was appended since the last call; returns whether there was anything.
    fn copy_new<W: Write>(&mut self, out: &mut Output<W>) -> Result<bool> {
        if self.file.is_none() {
            *self = Log::open(&self.path.clone())?;
        }
        let context = || format!("cannot read log {}", self.path.display());
        let Some(file) = &mut self.file else {
            return Ok(false);
        };
        let len = file.metadata().with_context(context)?.len();
        if len < self.position {
            // Truncated under us: start over from its new beginning.
            self.position = 0;
        }
        if len == self.position {
            return Ok(false);
        }
        file.seek(SeekFrom::Start(self.position)).with_context(context)?;
        // No bigger than what is there to read: pages of buffer never read into still fault.
        let mut buf = vec![0; BLOCK.min((len - self.position) as usize)];
        loop {
            let n = file.read(&mut buf).with_context(context)?;
            if n == 0 {
                break;
            }
            self.position += n as u64;
            out.write(&buf[..n])?;
        }
        out.out.flush()?;
        Ok(true)
    }

    /// After a rotation the path names a new file: finish the old one, then switch.
    /// `old` is where a rotated part goes: after two rotations between two looks, the part
    /// in between is there, unread, and is printed before the new one.
    fn follow_rotation<W: Write>(&mut self, out: &mut Output<W>, old: &Path) -> Result<()> {
        let (Some(file), Ok(on_disk)) = (&self.file, std::fs::metadata(&self.path)) else {
            return Ok(());
        };
        let held = file.metadata().map(|open| open.ino()).ok();
        if held == Some(on_disk.ino()) {
            return Ok(());
        }
        self.copy_new(out)?;
        if let Ok(between) = std::fs::metadata(old)
            && Some(between.ino()) != held
            && between.ino() != on_disk.ino()
        {
            Log::open(old)?.copy_new(out)?;
        }
        *self = Log::open(&self.path.clone())?;
        Ok(())
    }
}

/// Prints new output until the agent has ended (or the session is gone) and its last bytes
/// have reached the log.
fn follow<W: Write>(
    log: &mut Log,
    out: &mut Output<W>,
    dir: &SessionDir,
    env: &Env,
    id: &str,
) -> Result<()> {
    let mut last_tmux_check = Instant::now();
    let mut busy = false;
    // Woken by the log writer's writes (and the runner's sidecar) rather than by a clock.
    let watch = Watch::dirs([dir.path()], On::Writes);
    loop {
        // While output flows it is read without a pause, so a log that rotates fast is
        // never more than one part ahead.
        if !busy {
            watch.wait(POLL);
        }
        busy = log.copy_new(out)?;
        log.follow_rotation(out, &dir.old_log())?;
        if busy {
            continue;
        }
        // Quiet for a poll: show a prompt that has no newline yet.
        out.show_pending()?;
        // The runner records the exit in the sidecar: a file read, no tmux call.
        let exited = dir.read().map_or(true, |s| s.exit_code.is_some());
        let gone = last_tmux_check.elapsed() >= TMUX_CHECK && {
            last_tmux_check = Instant::now();
            // A server that does not answer may answer again: as `wait` does, keep going.
            !env.sessions()?.iter().any(|s| {
                s.id == id && (s.is_running() || matches!(s.status, Status::Unreachable(_)))
            })
        };
        if exited || gone {
            break;
        }
        if crate::watch::reader_gone() {
            return Ok(());
        }
    }
    // tmux may still be piping the agent's last output (the exit, seen at once, can come
    // before it): the log must stay quiet for a whole poll before the follow ends.
    log.copy_new(out)?;
    loop {
        std::thread::sleep(POLL);
        if !log.copy_new(out)? {
            break;
        }
    }
    Ok(())
}

/// The offset where the last `lines` lines of `file` start, reading backwards from the end,
/// and how many lines there are from there (fewer than `lines` in a short file).
fn tail_start(file: &mut File, lines: usize) -> io::Result<(u64, usize)> {
    let len = file.metadata()?.len();
    if lines == 0 || len == 0 {
        return Ok((len, 0));
    }
    // Blocks start small and grow: 100 lines are usually a few KiB, and every page of buffer
    // touched costs a page fault, which is dearer than another read.
    let mut size = TAIL_BLOCK;
    let mut buf = Vec::new();
    let mut end = len;
    let mut newlines = 0;
    let mut last_block = true;
    while end > 0 {
        size = size.min(end as usize);
        let start = end - size as u64;
        buf.resize(size, 0);
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf)?;
        let mut block = &buf[..];
        // A final newline ends the last line rather than starting another.
        if last_block && block.last() == Some(&b'\n') {
            block = &block[..size - 1];
        }
        last_block = false;
        if let Some(i) = block.iter().rposition(|b| {
            newlines += usize::from(*b == b'\n');
            newlines == lines
        }) {
            return Ok((start + i as u64 + 1, lines));
        }
        end = start;
        size = (size * 2).min(BLOCK);
    }
    // The first line has no newline before it.
    Ok((0, newlines + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(text: &str, lines: usize) -> String {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), text).unwrap();
        let mut file = File::open(tmp.path()).unwrap();
        let (start, found) = tail_start(&mut file, lines).unwrap();
        let tail = text[start as usize..].to_owned();
        assert_eq!(found, lines.min(tail.lines().count()), "{tail:?}");
        tail
    }

    #[test]
    fn tail_counts_lines_from_the_end() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a\nb\nc\n", 9), "a\nb\nc\n");
        assert_eq!(tail("a\nb\nc\n", 0), "");
        assert_eq!(tail("", 3), "");
        assert_eq!(tail("a\n\n\n", 2), "\n\n");
    }

    #[test]
    fn last_lines_of_rendered_text() {
        assert_eq!(last_lines(b"a\nb\nc\n", 2), b"b\nc\n");
        assert_eq!(last_lines(b"a\nb\nc", 2), b"b\nc");
        assert_eq!(last_lines(b"a\n", 5), b"a\n");
        assert_eq!(last_lines(b"a\nb\n", 0), b"");
    }

    #[test]
    fn tail_crosses_block_boundaries() {
        let text: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(tail(&text, 3), "line 49997\nline 49998\nline 49999\n");
        // 2,000 lines need the growing blocks (16, 32, 64 and 64 KiB more), and with lines of
        // 64 bytes every block ends with a newline that still counts.
        let line = format!("{}\n", "x".repeat(63));
        let text = line.repeat(3_000);
        assert_eq!(tail(&text, 2_000), line.repeat(2_000));
        assert_eq!(tail(text.trim_end(), 2_000), line.repeat(2_000).trim_end());
        assert_eq!(tail(&text, 5_000), text);
    }
}
