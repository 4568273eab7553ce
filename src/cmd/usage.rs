//! `cxs usage`: the tokens agents spent, summed over sessions (deleted ones included), by
//! session, day, model or kind.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use chrono::Local;
use serde::Serialize;

use crate::cli::{By, UsageArgs};
use crate::env::Env;
use crate::session;
use crate::table;
use crate::tokens::{Spent, Tokens};

/// Prints the sums, a row a group, then the total.
pub fn run(args: &UsageArgs) -> Result<()> {
    let env = Env::load()?;
    // The live sessions' records and the deleted ones' (no tmux call: status plays no part).
    let mut all: Vec<Spent> = env.store.spent()?;
    for (id, dir) in env.store.list()?.dirs {
        if let Some(spent) = dir.read().ok().and_then(|sidecar| session::spent(&id, &sidecar)) {
            all.push(spent);
        }
    }
    let day = |spent: &Spent| spent.created.with_timezone(&Local).date_naive();
    all.retain(|spent| args.since.is_none_or(|since| day(spent) >= since));
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for spent in &all {
        let key = match args.by {
            By::Session => spent.id.clone(),
            By::Day => day(spent).to_string(),
            By::Model => spent.model.clone().unwrap_or_else(|| "-".to_owned()),
            By::Kind => spent.kind.clone(),
        };
        let group = groups.entry(key.clone()).or_insert_with(|| Group { key, ..Group::default() });
        group.sessions += 1;
        group.tokens = group.tokens.plus(spent.tokens);
    }
    let mut out = std::io::stdout().lock();
    let rows: Vec<&Group> = groups.values().collect();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(());
    }
    let total = rows.iter().fold(Tokens::default(), |sum, g| sum.plus(g.tokens));
    let count: usize = rows.iter().map(|g| g.sessions).sum();
    let header = [by_name(args.by), "SESSIONS", "INPUT", "CACHED", "OUTPUT", "REASONING", "TOTAL"];
    let mut lines: Vec<Vec<String>> = vec![header.map(str::to_owned).to_vec()];
    lines.extend(rows.iter().map(|g| cells(&g.key, g.sessions, g.tokens).to_vec()));
    lines.push(cells("total", count, total).to_vec());
    // Counts align right, under their headings.
    table::write(&mut out, &lines, &table::widths(&lines), |column| column > 0)?;
    Ok(())
}

/// One row: a group's sessions and their tokens.
#[derive(Debug, Default, Serialize)]
struct Group {
    key: String,
    sessions: usize,
    #[serde(flatten)]
    tokens: Tokens,
}

fn by_name(by: By) -> &'static str {
    match by {
        By::Session => "SESSION",
        By::Day => "DAY",
        By::Model => "MODEL",
        By::Kind => "KIND",
    }
}

fn cells(key: &str, sessions: usize, tokens: Tokens) -> [String; 7] {
    [
        key.to_owned(),
        sessions.to_string(),
        tokens.input.to_string(),
        tokens.cached_input.to_string(),
        tokens.output.to_string(),
        tokens.reasoning.to_string(),
        tokens.total.to_string(),
    ]
}
