//! `cxs send`: type text into a running agent and submit it, as a person at the pane would.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::catalog;
use crate::cli::SendArgs;
use crate::env::Env;
use crate::hidden;
use crate::session::{self, Selector, Session, Status};
use crate::watch::{On, Watch};

/// How often the screen is looked at while a send is confirmed.
const CONFIRM_POLL: Duration = Duration::from_millis(150);
/// How often `--wait` reads the sidecar for the turn's end.
const POLL: Duration = Duration::from_millis(50);
/// How often `--wait` looks at the screen of an agent without hooks.
const SCREEN_CHECK: Duration = Duration::from_millis(500);
/// How long after sending a screen that waits is taken for the answer.
const SETTLE: Duration = Duration::from_secs(1);

/// Sends the text, then Enter unless `--no-enter`.
pub fn run(args: &SendArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let Some(pane) = session.pane.as_ref().filter(|_| session.is_running()) else {
        bail!("session '{}' is not running ({})", session.id, session.status);
    };
    // Bytes as they are: a Latin-1 `git diff` is a normal thing to send.
    let text = if args.text == "-" {
        let mut text = Vec::new();
        std::io::stdin().read_to_end(&mut text).context("cannot read standard input")?;
        // `echo hi | cxs send x -` means "hi", not "hi" and an empty line.
        if text.ends_with(b"\n") {
            text.pop();
        }
        text
    } else {
        args.text.clone().into_bytes()
    };
    // Always a paste, never typed keys: tmux brackets it when the agent asked (as TUIs
    // do), so several lines arrive as one message, and the Codex TUI, which takes typed
    // text followed quickly by Enter for a paste and keeps the Enter as a newline, submits
    // a bracketed paste reliably. Agents that did not ask get the bytes as if typed.
    let context = || format!("cannot send to session '{}'", session.id);
    if !text.is_empty() {
        session.tmux.paste(&pane.name, &text).with_context(context)?;
    }
    let agents = catalog::all(&env.config)?;
    if !args.no_enter {
        if !text.is_empty() {
            let delay = session
                .sidecar
                .as_ref()
                .map_or(catalog::ENTER_DELAY, |s| catalog::enter_delay(&agents, &s.kind));
            std::thread::sleep(delay);
        }
        session.tmux.press(&pane.name, "Enter").with_context(context)?;
    }
    // The agent has its answer: a notify-based `waiting` is over. The text is delivered
    // either way, so a sidecar that cannot take the note is only worth a warning.
    let sent = Utc::now();
    if let Err(err) = session.dir.update(|s| s.input_sent = Some(sent)) {
        eprintln!("warning: {err:#}");
    }
    // An empty send (an Enter for a dialog) starts no turn, nor does a slash command, which
    // may open a picker that a second Enter would choose from: nothing to confirm.
    if !args.no_enter
        && !text.is_empty()
        && !text.starts_with(b"/")
        && !args.confirm_timeout.is_zero()
    {
        confirm(&session, sent, args.confirm_timeout, &agents)?;
    }
    if args.wait {
        let reply = reply(&env, &agents, &session, sent, args.timeout)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", reply.trim_end())?;
    }
    Ok(())
}

/// Checks that an agent that reports its turns took the input: within `limit` it shows its
/// busy sign, reports a turn's end, or exits. The Codex TUI can take an Enter for part of a
/// paste and keep it as a newline; then Enter is pressed once more, and if still nothing
/// starts, the send fails saying what the screen shows. Agents that report nothing (whose
/// screen alone cannot tell a taken input from an ignored one) are not checked.
fn confirm(
    session: &Session,
    sent: DateTime<Utc>,
    limit: Duration,
    agents: &[catalog::Agent],
) -> Result<()> {
    let Ok(sidecar) = session.dir.read() else {
        return Ok(());
    };
    let hooked = hidden::reports_turns(&sidecar.argv);
    let (true, Some(signs)) = (hooked, catalog::signs(agents, &sidecar.kind)) else {
        return Ok(());
    };
    let pane = session.pane()?;
    // The screen last seen, when nothing started within the limit.
    let started = || -> Result<Option<String>> {
        let start = Instant::now();
        let mut screen = String::new();
        while start.elapsed() < limit {
            std::thread::sleep(CONFIRM_POLL);
            let now = session.dir.read()?;
            if now.exit_code.is_some() || now.turn_ended.is_some_and(|ended| ended > sent) {
                return Ok(None);
            }
            screen = session.tmux.capture(&pane.name, 0, false)?;
            if signs.busy(&screen) {
                return Ok(None);
            }
        }
        Ok(Some(screen))
    };
    if started()?.is_none() {
        return Ok(());
    }
    let context = || format!("cannot send to session '{}'", session.id);
    session.tmux.press(&pane.name, "Enter").with_context(context)?;
    let Some(screen) = started()? else { return Ok(()) };
    let last = screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().trim();
    bail!(
        "session '{}' did not take the input: nothing started after Enter, pressed twice \
         (its screen ends with {last:?}); see it with `cxs capture {}`",
        session.id,
        session.id
    )
}

/// The agent's answer to what was sent at `sent`: the last message its hook reports at the
/// turn's end (Codex, Claude Code), or, for agents without one, its screen once the screen
/// says it waits again.
fn reply(
    env: &Env,
    agents: &[catalog::Agent],
    session: &Session,
    sent: DateTime<Utc>,
    timeout: Option<Duration>,
) -> Result<String> {
    let start = Instant::now();
    let sidecar = session.dir.read()?;
    // Agents whose hooks cxs set report their turns: their argv runs cxs's hook.
    let hooked = hidden::reports_turns(&sidecar.argv);
    let mut last_look = Instant::now();
    // Woken when the sidecar is replaced (the hook recorded the turn's end).
    let watch = Watch::dirs([session.dir.path()], On::Replacements);
    loop {
        watch.wait(POLL);
        let now = session.dir.read()?;
        if let Some(code) = now.exit_code {
            bail!("session '{}' exited ({code}) before it answered", session.id);
        }
        if hooked && now.turn_ended.is_some_and(|ended| ended > sent) {
            return Ok(now.last_message.unwrap_or_default());
        }
        // A screen that waits at once may not have taken the input yet: give it a moment.
        if !hooked && start.elapsed() >= SETTLE && last_look.elapsed() >= SCREEN_CHECK {
            last_look = Instant::now();
            let all = env.sessions_with_screens(agents)?;
            let found = session::resolve(&all, &Selector::Prefix(session.id.clone()))?;
            if found.status == Status::Waiting {
                let pane = found.pane()?;
                return found.tmux.capture(&pane.name, 0, false);
            }
        }
        if timeout.is_some_and(|limit| start.elapsed() >= limit) {
            eprintln!("error: timed out waiting for session '{}' to answer", session.id);
            return Err(super::SilentExit(124).into());
        }
    }
}
