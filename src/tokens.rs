//! What a session's agent has spent, read from the record the agent keeps itself: Codex's
//! rollout file (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-TIME-THREAD.jsonl`), whose last
//! `token_count` event holds the conversation's running totals. Read from the end: a long
//! conversation's rollout runs to megabytes.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Days, Local, Utc};
use serde::{Deserialize, Serialize};

/// How far back from a rollout's end `read` looks for the last `token_count`.
const MAX_TAIL: u64 = 4 << 20;
/// The first block read: the count is usually a few lines from the end (after it come the
/// turn's completion and, at most, a last message), and `list` reads hundreds of rollouts.
const FIRST_BLOCK: u64 = 8 << 10;
/// The blocks read after it, when the end holds long lines.
const BLOCK: u64 = 64 << 10;

/// A conversation's token use, as the agent counted it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// Input tokens, cached ones included.
    pub input: u64,
    /// Input tokens served from the provider's cache.
    pub cached_input: u64,
    /// Output tokens, reasoning included.
    pub output: u64,
    /// Output tokens spent on reasoning.
    pub reasoning: u64,
    /// Everything.
    pub total: u64,
    /// The model's context window, when the agent knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Tokens in the context at the last turn (what the window is filled with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_used: Option<u64>,
}

impl Tokens {
    /// `48k`, with the share of the context window in use when known: `48k 19%`.
    pub fn short(&self) -> String {
        let total = match self.total {
            n if n >= 10_000_000 => format!("{}M", n / 1_000_000),
            n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
            n if n >= 1_000 => format!("{}k", n / 1_000),
            n => n.to_string(),
        };
        match (self.context_used, self.context_window) {
            (Some(used), Some(window)) if window > 0 => {
                format!("{total} {}%", used.saturating_mul(100) / window)
            }
            _ => total,
        }
    }

    /// `self` and `other` added up (the context, which is not a sum, left out).
    pub fn plus(self, other: Tokens) -> Tokens {
        Tokens {
            input: self.input + other.input,
            cached_input: self.cached_input + other.cached_input,
            output: self.output + other.output,
            reasoning: self.reasoning + other.reasoning,
            total: self.total + other.total,
            context_window: None,
            context_used: None,
        }
    }
}

/// One session's spending, kept in `CXS_HOME/usage.jsonl` when it is deleted, so `usage`
/// still counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spent {
    /// The session's id.
    pub id: String,
    /// Its kind (`exec`, `repl`, an agent's name).
    pub kind: String,
    /// The model, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// When the session was created.
    pub created: DateTime<Utc>,
    /// The counts.
    pub tokens: Tokens,
}

/// The model a session used: its `--model` flag, else the one its transcript names first
/// (Codex's first turn context, Claude Code's first reply): what a profile or the agent's
/// own configuration chose.
pub fn model(argv: &[String], transcript: Option<&Path>) -> Option<String> {
    #[derive(Deserialize)]
    struct Line {
        #[serde(rename = "type")]
        kind: String,
        payload: Option<Named>,
        message: Option<Named>,
    }
    #[derive(Deserialize)]
    struct Named {
        model: Option<String>,
    }
    if let Some(at) = argv.iter().position(|a| a == "--model") {
        return argv.get(at + 1).cloned();
    }
    let mut head = Vec::with_capacity(BLOCK as usize);
    File::open(transcript?).ok()?.take(BLOCK).read_to_end(&mut head).ok()?;
    head.split(|b| *b == b'\n').find_map(|line| {
        let line: Line = serde_json::from_slice(line).ok()?;
        match line.kind.as_str() {
            "turn_context" => line.payload?.model,
            "assistant" => line.message?.model,
            _ => None,
        }
    })
}

/// Codex's home: `CODEX_HOME`, else `~/.codex`.
pub fn codex_home() -> Option<PathBuf> {
    match std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        Some(home) => Some(PathBuf::from(home)),
        None => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".codex")),
    }
}

/// The rollout of Codex thread `thread`, looked for in the day directories from the day
/// before `since` to the day after today (Codex names them by local date).
pub fn find_rollout(codex_home: &Path, thread: &str, since: DateTime<Utc>) -> Option<PathBuf> {
    let suffix = format!("-{thread}.jsonl");
    let first = since.with_timezone(&Local).date_naive().checked_sub_days(Days::new(1))?;
    let last = Local::now().date_naive().checked_add_days(Days::new(1))?;
    first.iter_days().take_while(|day| *day <= last).find_map(|day| {
        let dir = codex_home.join("sessions").join(day.format("%Y/%m/%d").to_string());
        std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
            let name = entry.file_name();
            let name = name.to_str()?;
            (name.starts_with("rollout-") && name.ends_with(&suffix)).then(|| entry.path())
        })
    })
}

/// The token counts in an agent's transcript: a Codex rollout (`rollout-*.jsonl`) or a
/// Claude Code transcript.
pub fn read(path: &Path) -> Result<Option<Tokens>> {
    let codex =
        path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rollout-"));
    if codex { read_rollout(path) } else { read_claude(path) }
}

/// The sum of the usage of every assistant message in a Claude Code transcript. Claude
/// writes a line per content block, each with its message's usage: a message counts once.
pub fn read_claude(path: &Path) -> Result<Option<Tokens>> {
    #[derive(Deserialize)]
    struct Line {
        message: Option<Message>,
    }
    #[derive(Deserialize)]
    struct Message {
        id: Option<String>,
        usage: Option<Usage>,
    }
    #[derive(Deserialize, Clone, Copy)]
    #[allow(clippy::struct_field_names)] // Claude's own names
    struct Usage {
        #[serde(default)]
        input_tokens: u64,
        #[serde(default)]
        cache_creation_input_tokens: u64,
        #[serde(default)]
        cache_read_input_tokens: u64,
        #[serde(default)]
        output_tokens: u64,
    }
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // By message id, in the order they came; the last line of a message has its final count.
    let mut messages: Vec<(Option<String>, Usage)> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in text.split(|b| *b == b'\n') {
        if memchr::memmem::find(line, b"\"usage\"").is_none() {
            continue;
        }
        let Ok(Line { message: Some(Message { id, usage: Some(usage) }) }) =
            serde_json::from_slice(line)
        else {
            continue;
        };
        if let Some(&at) = id.as_ref().and_then(|id| seen.get(id)) {
            messages[at].1 = usage;
        } else {
            if let Some(id) = &id {
                seen.insert(id.clone(), messages.len());
            }
            messages.push((id, usage));
        }
    }
    let Some(&(_, last)) = messages.last().as_ref() else {
        return Ok(None);
    };
    let mut tokens = Tokens::default();
    for (_, usage) in &messages {
        let input =
            usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
        tokens.input += input;
        tokens.cached_input += usage.cache_read_input_tokens;
        tokens.output += usage.output_tokens;
        tokens.total += input + usage.output_tokens;
    }
    tokens.context_used = Some(
        last.input_tokens
            + last.cache_creation_input_tokens
            + last.cache_read_input_tokens
            + last.output_tokens,
    );
    Ok(Some(tokens))
}

/// The last token count in a Codex rollout, read backwards from its end.
pub fn read_rollout(path: &Path) -> Result<Option<Tokens>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().with_context(|| format!("cannot read {}", path.display()))?.len();
    let mut end = len;
    // Bytes after the last newline read so far: a line that spans blocks.
    let mut carry: Vec<u8> = Vec::new();
    while end > 0 && len - end < MAX_TAIL {
        let start = end.saturating_sub(if end == len { FIRST_BLOCK } else { BLOCK });
        let mut block = vec![0; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block)?;
        block.extend_from_slice(&carry);
        // Every whole line of this block, last first; what precedes the first newline may
        // be cut, and waits for the block before.
        let first_newline = if start == 0 { Some(0) } else { memchr::memchr(b'\n', &block) };
        let Some(cut) = first_newline else {
            carry = block;
            end = start;
            continue;
        };
        for line in block[cut..].rsplit(|b| *b == b'\n') {
            if memchr::memmem::find(line, b"\"token_count\"").is_some()
                && let Some(tokens) = token_count(line)
            {
                return Ok(Some(tokens));
            }
        }
        carry = block[..cut].to_vec();
        end = start;
    }
    Ok(None)
}

/// The tokens of one rollout line, if it is a `token_count` event with totals.
fn token_count(line: &[u8]) -> Option<Tokens> {
    #[derive(Deserialize)]
    struct Line {
        payload: Payload,
    }
    #[derive(Deserialize)]
    struct Payload {
        #[serde(rename = "type")]
        kind: String,
        info: Option<Info>,
    }
    #[derive(Deserialize)]
    struct Info {
        total_token_usage: Usage,
        last_token_usage: Option<Usage>,
        model_context_window: Option<u64>,
    }
    #[derive(Deserialize)]
    #[allow(clippy::struct_field_names)] // Codex's own names
    struct Usage {
        #[serde(default)]
        input_tokens: u64,
        #[serde(default)]
        cached_input_tokens: u64,
        #[serde(default)]
        output_tokens: u64,
        #[serde(default)]
        reasoning_output_tokens: u64,
        #[serde(default)]
        total_tokens: u64,
    }
    let line: Line = serde_json::from_slice(line).ok()?;
    let info = line.payload.info.filter(|_| line.payload.kind == "token_count")?;
    let total = info.total_token_usage;
    Some(Tokens {
        input: total.input_tokens,
        cached_input: total.cached_input_tokens,
        output: total.output_tokens,
        reasoning: total.reasoning_output_tokens,
        total: total.total_tokens,
        context_window: info.model_context_window,
        context_used: info.last_token_usage.map(|last| last.total_tokens),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(total: u64) -> String {
        format!(
            "{{\"type\":\"event_msg\",\"payload\":{{\"type\":\"token_count\",\"info\":{{\"total_token_usage\":{{\"input_tokens\":{total},\"cached_input_tokens\":1,\"output_tokens\":2,\"reasoning_output_tokens\":1,\"total_tokens\":{total}}},\"last_token_usage\":{{\"total_tokens\":50}},\"model_context_window\":200}}}}}}\n"
        )
    }

    #[test]
    fn a_claude_message_counts_once_with_its_last_usage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0f.jsonl");
        let line = |id: &str, output: u64| {
            format!(
                "{{\"type\":\"assistant\",\"message\":{{\"id\":\"{id}\",\"usage\":{{\"input_tokens\":10,\"cache_read_input_tokens\":4,\"output_tokens\":{output}}}}}}}\n"
            )
        };
        let user = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
        std::fs::write(
            &path,
            [user, &line("m1", 1), &line("m1", 5), user, &line("m2", 7)].concat(),
        )
        .unwrap();
        let tokens = read(&path).unwrap().unwrap();
        assert_eq!(
            (tokens.input, tokens.cached_input, tokens.output, tokens.total),
            (28, 8, 12, 40)
        );
        assert_eq!(tokens.context_used, Some(21));
    }

    #[test]
    fn the_last_count_wins_however_far_back_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollout.jsonl");
        // A count, then more than a block of other lines, one of them longer than a block.
        let filler = format!(
            "{{\"type\":\"response_item\",\"payload\":{{\"text\":\"{}\"}}}}\n",
            "x".repeat(70_000)
        );
        let text = [line(10), line(48_000), filler.clone(), filler].concat();
        std::fs::write(&path, text).unwrap();
        let tokens = read_rollout(&path).unwrap().unwrap();
        assert_eq!((tokens.total, tokens.cached_input, tokens.context_used), (48_000, 1, Some(50)));
        assert_eq!(tokens.short(), "48k 25%");
        std::fs::write(&path, "{\"type\":\"session_meta\"}\n").unwrap();
        assert_eq!(read_rollout(&path).unwrap(), None);
    }
}
