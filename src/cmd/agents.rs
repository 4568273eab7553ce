//! `cxs agents`: what `new` can start, and whether each program is installed.

use std::io::Write;

use anyhow::Result;

use crate::catalog;
use crate::config::Config;

/// Prints one line per agent.
pub fn run() -> Result<()> {
    let config = Config::load()?;
    let mut out = std::io::stdout().lock();
    let agents = catalog::all(&config)?;
    let rows: Vec<[String; 4]> = agents
        .iter()
        .map(|a| {
            let name = if a.name == "codex" { "exec, repl".to_owned() } else { a.name.clone() };
            let program = a.command.first().cloned().unwrap_or_default();
            let found = match std::env::var_os("CXS_CODEX_BIN").filter(|_| a.name == "codex") {
                Some(_) => crate::agent::codex_bin().is_ok(),
                None => which::which(&program).is_ok(),
            };
            let source = if a.configured { "config" } else { "built-in" };
            [
                name,
                a.command.join(" "),
                if found { "yes" } else { "no" }.to_owned(),
                source.to_owned(),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0).max(5), width(1).max(7));
    writeln!(out, "{:w0$}  {:w1$}  {:9}  SOURCE", "AGENT", "COMMAND", "INSTALLED")?;
    for [name, command, found, source] in rows {
        writeln!(out, "{name:w0$}  {command:w1$}  {found:9}  {source}")?;
    }
    Ok(())
}
