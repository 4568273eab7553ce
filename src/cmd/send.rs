//! `cxs send`: type text into a running agent and submit it, as a person at the pane would.

use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use crate::cli::SendArgs;
use crate::env::Env;

/// TUIs take an Enter that arrives in the same burst as the text for part of a paste, so
/// it is pressed a moment later, as its own key.
const ENTER_DELAY: Duration = Duration::from_millis(100);

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
    if !args.no_enter {
        if !text.is_empty() {
            std::thread::sleep(ENTER_DELAY);
        }
        session.tmux.press(&pane.name, "Enter").with_context(context)?;
    }
    // The agent has its answer: a notify-based `waiting` is over. The text is delivered
    // either way, so a sidecar that cannot take the note is only worth a warning.
    if let Err(err) = session.dir.update(|s| s.input_sent = Some(Utc::now())) {
        eprintln!("warning: {err:#}");
    }
    Ok(())
}
