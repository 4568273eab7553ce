//! `cxs capture`: what the session's pane shows now, plus history on request.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::CaptureArgs;
use crate::env::Env;

/// Prints the pane, without the blank lines below its last text.
pub fn run(args: &CaptureArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let screen = session
        .tmux
        .capture(&session.pane()?.name, args.lines, args.ansi)
        .with_context(|| format!("cannot capture session '{}'", session.id))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", screen.trim_end_matches(['\n', ' ']))?;
    Ok(())
}
