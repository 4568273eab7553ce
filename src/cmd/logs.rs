//! `cxs logs`: the pane's output as logged, plain by default, tailed and followed cheaply.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::Env;
use crate::cli::LogsArgs;
use crate::plain::Plain;
use crate::store::SessionDir;
use crate::tmux::Tmux;

/// How often `--follow` looks for new output; the latency a user sees.
const POLL: Duration = Duration::from_millis(100);
/// How often `--follow` asks tmux whether the session still exists.
const TMUX_CHECK: Duration = Duration::from_secs(1);
const BLOCK: usize = 64 * 1024;

/// Prints the log of one session.
pub fn run(args: &LogsArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let path = session.dir.log();
    let mut file =
        File::open(&path).with_context(|| format!("cannot open log {}", path.display()))?;
    let start = match args.tail {
        Some(lines) => tail_start(&mut file, lines)
            .with_context(|| format!("cannot read log {}", path.display()))?,
        None => 0,
    };
    let mut log = Log { file, position: start, plain: (!args.raw).then(Plain::default) };
    let mut out = io::stdout().lock();
    log.copy_new(&mut out, &path)?;
    if args.follow && session.is_running() {
        follow(&mut log, &mut out, &path, &session.dir, &env.tmux, &session.id)?;
    }
    log.finish(&mut out)
}

/// An open log and how far it has been printed.
struct Log {
    file: File,
    position: u64,
    plain: Option<Plain>,
}

impl Log {
    /// Prints what was appended since the last call; returns whether there was anything.
    fn copy_new(&mut self, out: &mut impl Write, path: &Path) -> Result<bool> {
        let context = || format!("cannot read log {}", path.display());
        let len = self.file.metadata().with_context(context)?.len();
        if len < self.position {
            // Truncated under us: start over from its new beginning.
            self.position = 0;
        }
        if len == self.position {
            return Ok(false);
        }
        self.file.seek(SeekFrom::Start(self.position)).with_context(context)?;
        let mut buf = vec![0; BLOCK];
        loop {
            let n = self.file.read(&mut buf).with_context(context)?;
            if n == 0 {
                break;
            }
            self.position += n as u64;
            match &mut self.plain {
                Some(plain) => out.write_all(&plain.feed(&buf[..n]))?,
                None => out.write_all(&buf[..n])?,
            }
        }
        out.flush()?;
        Ok(true)
    }

    fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        if let Some(plain) = &mut self.plain {
            out.write_all(&plain.finish())?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Prints new output until the agent has ended (or the session is gone) and its last bytes
/// have reached the log.
fn follow(
    log: &mut Log,
    out: &mut impl Write,
    path: &Path,
    dir: &SessionDir,
    tmux: &Tmux,
    id: &str,
) -> Result<()> {
    let mut last_tmux_check = Instant::now();
    loop {
        std::thread::sleep(POLL);
        log.copy_new(out, path)?;
        // The runner records the exit in the sidecar: a file read, no tmux call.
        let exited = dir.read().map(|s| s.exit_code.is_some()).unwrap_or(true);
        let gone = last_tmux_check.elapsed() >= TMUX_CHECK && {
            last_tmux_check = Instant::now();
            !tmux.sessions()?.iter().any(|p| p.id == id && !p.dead)
        };
        if exited || gone {
            break;
        }
    }
    // tmux may still be piping the agent's last output: wait until the log stops growing.
    while log.copy_new(out, path)? {
        std::thread::sleep(POLL);
    }
    Ok(())
}

/// The offset where the last `lines` lines of `file` start, reading backwards from the end.
fn tail_start(file: &mut File, lines: usize) -> io::Result<u64> {
    let len = file.metadata()?.len();
    if lines == 0 {
        return Ok(len);
    }
    let mut buf = vec![0; BLOCK];
    // A final newline ends the last line rather than starting another.
    let mut end = len;
    if len > 0 {
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut buf[..1])?;
        if buf[0] == b'\n' {
            end -= 1;
        }
    }
    let mut newlines = 0;
    while end > 0 {
        let size = BLOCK.min(end as usize);
        let start = end - size as u64;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..size])?;
        if let Some(i) = buf[..size].iter().rposition(|b| {
            newlines += usize::from(*b == b'\n');
            newlines == lines
        }) {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(text: &str, lines: usize) -> String {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), text).unwrap();
        let mut file = File::open(tmp.path()).unwrap();
        let start = tail_start(&mut file, lines).unwrap() as usize;
        text[start..].to_owned()
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
    fn tail_crosses_block_boundaries() {
        let text: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(tail(&text, 3), "line 49997\nline 49998\nline 49999\n");
    }
}
