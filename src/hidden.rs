//! The hidden commands cxs starts itself, built and parsed here only: the runner (`__run`,
//! the pane's first process), the log writer (`__log`, fed by `pipe-pane`) and Codex's notify
//! hook (`__notify`). They are parsed without clap, since the first two start with every
//! session; and this module owns the variable that marks a session's processes.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The variable every agent gets, naming its session's directory; children inherit it, so
/// `delete` finds them, and the notify hook finds its session by it when the directory
/// cannot be written into Codex's TOML.
pub const MARKER_VAR: &str = "CXS_SESSION_DIR";

const RUN: &str = "__run";
const LOG: &str = "__log";
/// The hidden command Codex's `notify` hook runs.
pub const NOTIFY: &str = "__notify";
/// The hidden command Claude Code's hooks run.
const HOOK: &str = "__hook";
/// The hidden command tmux runs when a watched pane falls silent.
const CHECK: &str = "__check";
/// The hidden command the far end of `--host` runs: take the forwarded values, then run the
/// command line as given here, whatever `--host`, `--env` or `CXS_HOST` it holds.
pub const REMOTE: &str = "__remote";
/// The hidden command that runs a user's hook with a time limit, apart from whoever fired it.
const HOOK_RUN: &str = "__hook-run";

/// A hidden command and its arguments.
#[derive(Debug, PartialEq, Eq)]
pub enum Hidden {
    /// Run the session's agent and record how it ended.
    Run {
        /// The session's directory.
        dir: PathBuf,
    },
    /// Append the pane's output to the session's log, rotating past `max` bytes.
    Log {
        /// The session's directory.
        dir: PathBuf,
        /// Rotate past this many bytes.
        max: u64,
    },
    /// Record a finished turn; Codex appends its JSON event.
    Notify {
        /// The session's directory, else the one in [`MARKER_VAR`].
        dir: Option<PathBuf>,
        /// Codex's JSON event.
        event: String,
    },
    /// Record what a Claude Code hook reports (its JSON comes on standard input).
    Hook {
        /// The session's directory.
        dir: PathBuf,
    },
    /// Run a user's hook, killed past a time limit.
    HookRun {
        /// The limit, in milliseconds.
        limit_ms: u64,
        /// The hook's program and arguments.
        argv: Vec<OsString>,
    },
    /// On a host: take the values forwarded from the other side, then run a command line
    /// here, whatever host it names.
    Remote {
        /// `none`, `-` for standard input, else a stashed file.
        source: PathBuf,
        /// The name the other side gave this host: its `HOST:` selectors are local here.
        host: String,
        /// cxs's arguments.
        args: Vec<OsString>,
    },
    /// Look at a silent pane's screen for the agent's waiting signs.
    Check {
        /// The session's directory.
        dir: PathBuf,
        /// Its tmux session.
        name: String,
    },
}

/// The hidden command this process was started as, if any; anything malformed goes to
/// clap, which explains it.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Option<Hidden> {
    let args: Vec<OsString> = args.into_iter().skip(1).collect();
    let text = |arg: &OsString| arg.to_str().map(str::to_owned);
    match args.iter().map(OsString::as_os_str).collect::<Vec<_>>().as_slice() {
        [verb, dir] if *verb == RUN => Some(Hidden::Run { dir: dir.into() }),
        [verb, dir, max] if *verb == LOG => {
            Some(Hidden::Log { dir: dir.into(), max: max.to_str()?.parse().ok()? })
        }
        [verb, dir, event] if *verb == NOTIFY => {
            Some(Hidden::Notify { dir: Some(dir.into()), event: text(&args[2])? })
        }
        [verb, event] if *verb == NOTIFY => {
            Some(Hidden::Notify { dir: None, event: text(&args[1])? })
        }
        [verb, dir] if *verb == HOOK => Some(Hidden::Hook { dir: dir.into() }),
        [verb, limit, separator, _, ..] if *verb == HOOK_RUN && *separator == "--" => {
            Some(Hidden::HookRun {
                limit_ms: limit.to_str()?.parse().ok()?,
                argv: args[3..].to_vec(),
            })
        }
        [verb, source, host, ..] if *verb == REMOTE => Some(Hidden::Remote {
            source: source.into(),
            host: text(&args[2])?,
            args: args[3..].to_vec(),
        }),
        [verb, dir, name] if *verb == CHECK => {
            Some(Hidden::Check { dir: dir.into(), name: text(&args[2])? })
        }
        _ => None,
    }
}

/// `cxs __run DIR`, the pane's command.
pub fn runner(exe: &Path, dir: &Path) -> Vec<OsString> {
    vec![exe.into(), RUN.into(), dir.into()]
}

/// `cxs __log DIR MAX`, the command `pipe-pane` feeds.
pub fn log_writer(exe: &Path, dir: &Path, max: u64) -> Vec<OsString> {
    vec![exe.into(), LOG.into(), dir.into(), max.to_string().into()]
}

/// `cxs __notify [DIR]`, as text for Codex's TOML; without DIR when it is not UTF-8.
pub fn notify_hook(exe: &Path, dir: &Path) -> Option<Vec<String>> {
    let mut argv = vec![exe.to_str()?.to_owned(), NOTIFY.to_owned()];
    argv.extend(dir.to_str().map(str::to_owned));
    Some(argv)
}

/// Whether an agent's argv runs one of cxs's hooks (Codex's notify, Claude Code's hooks): an
/// agent that reports its turns and conversation itself.
pub fn reports_turns(argv: &[String]) -> bool {
    argv.iter().any(|a| a.contains(NOTIFY) || a.contains(HOOK))
}

/// `cxs __hook DIR` as a command line for Claude Code's hooks, which run it through a shell;
/// `None` when the path is not UTF-8 (Claude's settings are JSON text).
pub fn claude_hook(exe: &Path, dir: &Path) -> Option<String> {
    let word = |path: &Path| {
        path.to_str().map(|text| {
            String::from_utf8_lossy(&crate::quote::sh_single(text.as_bytes())).into_owned()
        })
    };
    Some(format!("{} {HOOK} {}", word(exe)?, word(dir)?))
}

/// `cxs __hook-run MS -- ARGV...`: a user's hook, run apart and killed past `limit`.
pub fn hook_runner(exe: &Path, limit: std::time::Duration, argv: &[String]) -> Vec<OsString> {
    let mut command =
        vec![exe.into(), HOOK_RUN.into(), limit.as_millis().to_string().into(), "--".into()];
    command.extend(argv.iter().map(OsString::from));
    command
}

/// The tmux command a silent pane runs (`alert-silence`): `cxs __check DIR NAME`, in the
/// background, NAME being the session's own (`#{session_name}`). `None` when a path cannot
/// be written into a tmux command.
pub fn silence_check(exe: &Path, dir: &Path) -> Option<String> {
    let exe = crate::quote::sh_double_in_tmux(exe.to_str()?).ok()?;
    let dir = crate::quote::sh_double_in_tmux(dir.to_str()?).ok()?;
    Some(format!("run-shell -b '{exe} {CHECK} {dir} \"#{{session_name}}\"'"))
}

/// Whether a process's argv is the runner of the session in `dir`.
pub fn is_runner(argv: &[&[u8]], dir: &OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    argv.windows(2).any(|pair| pair[0] == RUN.as_bytes() && pair[1] == dir.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(argv: &[OsString]) -> Option<Hidden> {
        parse([OsString::from("cxs")].into_iter().chain(argv.iter().cloned()))
    }

    #[test]
    fn what_is_built_parses_back() {
        let (exe, dir) = (Path::new("/bin/cxs"), Path::new("/s/d"));
        assert_eq!(parsed(&runner(exe, dir)[1..]), Some(Hidden::Run { dir: dir.into() }));
        assert_eq!(
            parsed(&log_writer(exe, dir, 42)[1..]),
            Some(Hidden::Log { dir: dir.into(), max: 42 })
        );
        let mut notify: Vec<OsString> =
            notify_hook(exe, dir).unwrap().into_iter().map(OsString::from).collect();
        notify.push("{}".into());
        assert_eq!(
            parsed(&notify[1..]),
            Some(Hidden::Notify { dir: Some(dir.into()), event: "{}".into() })
        );
        assert_eq!(
            parsed(&["__hook".into(), "/s/d".into()]),
            Some(Hidden::Hook { dir: dir.into() })
        );
        assert_eq!(
            claude_hook(exe, Path::new("/s/it's")).unwrap(),
            r"'/bin/cxs' __hook '/s/it'\''s'"
        );
        let hook = hook_runner(
            exe,
            std::time::Duration::from_secs(2),
            &["notify-send".into(), "--".into()],
        );
        assert_eq!(
            parsed(&hook[1..]),
            Some(Hidden::HookRun { limit_ms: 2000, argv: vec!["notify-send".into(), "--".into()] })
        );
        assert_eq!(parsed(&["__log".into(), "/d".into(), "x".into()]), None, "clap explains");
        assert_eq!(parsed(&["list".into()]), None);
    }
}
