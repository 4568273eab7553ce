//! The agents cxs knows, built in and configured, and how their screens tell that they
//! wait for the user.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use std::sync::OnceLock;
use std::time::Duration;

use regex::Regex;

use crate::agent::{CONVERSATION, Kind};
use crate::config::{AgentConfig, Config};

/// An agent cxs can start by name.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The name `new` and `list` use.
    pub name: String,
    /// Program and leading arguments.
    pub command: Vec<String>,
    /// Variables added to the caller's environment.
    pub env: BTreeMap<String, String>,
    /// Whether it comes from the configuration file.
    pub configured: bool,
    /// Whether it draws a TUI, whose log only a terminal emulator can turn into text.
    pub tui: bool,
    /// Arguments that make it continue conversation `{conversation}` (empty: it cannot).
    pub resume: Vec<String>,
    /// How cxs learns its conversation id.
    pub conversation: Conversation,
    /// How long `send` waits between the pasted text and Enter: a TUI takes an Enter in the
    /// same burst as a paste for part of it.
    pub enter_delay: Duration,
    signs: Signs,
}

/// The pause before Enter for agents that do not say.
pub const ENTER_DELAY: Duration = Duration::from_millis(100);

/// How cxs learns an agent's conversation id.
#[derive(Debug, Clone, Default)]
pub enum Conversation {
    /// It does not.
    #[default]
    Unknown,
    /// Claude Code's hooks report it, which cxs adds at launch (`--settings`).
    ClaudeHooks,
    /// The first capture group of this regex, last matched in the session's log.
    Log(Regex),
}

/// A built-in agent.
struct Builtin {
    name: &'static str,
    program: &'static str,
    /// Whether it draws a TUI rather than printing lines.
    tui: bool,
    /// Screen patterns that mean "waits for the user": a question asked, or an idle prompt.
    waiting: &'static [&'static str],
    /// Screen patterns that mean "busy", which win.
    busy: &'static [&'static str],
    /// Arguments that resume conversation `{conversation}`.
    resume: &'static [&'static str],
    /// Whether its conversation comes from Claude Code's hooks.
    claude_hooks: bool,
    /// The pause before Enter, in milliseconds.
    enter_delay_ms: u64,
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "codex",
        program: "codex",
        tui: true,
        waiting: &[
            r"(?i)trust this folder\?",
            r"(?i)would you like to (run|make|apply|allow)",
            r"(?i)press enter to (continue|confirm)",
            r"(?i)\? for shortcuts",
            r"› Ask Codex to do anything",
            // Any picker, by its footer ("enter select · esc back"), not screen by screen.
            r"(?i)\benter\b\W{0,3}(to )?(select|confirm|submit)\b",
            r"(?i)\besc\b\W{0,3}(to )?(back|cancel|exit|close)\b",
        ],
        busy: &[r"(?i)esc to interrupt"],
        // Codex resumes through cxs's own `resume` argv builder.
        resume: &[],
        claude_hooks: false,
        // Codex's TUI keeps an Enter that follows a paste within a few tens of ms.
        enter_delay_ms: 100,
    },
    Builtin {
        name: "claude",
        program: "claude",
        tui: true,
        waiting: &[
            r"(?i)do you want to",
            r"❯ 1\. Yes",
            r"(?i)\? for shortcuts",
            // Any picker or dialog, by its footer ("Enter to confirm · Esc to cancel").
            r"(?i)\benter\b\W{0,3}(to )?(select|confirm|submit)\b",
            r"(?i)\besc\b\W{0,3}(to )?(back|cancel|exit|close)\b",
        ],
        busy: &[r"(?i)esc to interrupt"],
        resume: &["--resume", CONVERSATION],
        claude_hooks: true,
        enter_delay_ms: 100,
    },
    Builtin {
        name: "aider",
        program: "aider",
        tui: false,
        waiting: &[r"(?m)^\S*> ?$", r"\(Y\)es/\(N\)o"],
        busy: &[],
        resume: &[],
        claude_hooks: false,
        // A line-based prompt takes the Enter with the text.
        enter_delay_ms: 0,
    },
    Builtin {
        name: "gemini",
        program: "gemini",
        tui: true,
        waiting: &[r"(?i)waiting for user confirmation", r"(?i)type your message"],
        busy: &[r"(?i)esc to cancel"],
        resume: &[],
        claude_hooks: false,
        enter_delay_ms: 100,
    },
];

/// Every agent by name: the built-ins, then the configured ones (which win).
pub fn all(config: &Config) -> Result<Vec<Agent>> {
    let mut agents: BTreeMap<String, Agent> = BTreeMap::new();
    for Builtin { name, program, tui, waiting, busy, resume, claude_hooks, enter_delay_ms } in
        BUILTIN
    {
        let agent = Agent {
            name: (*name).to_owned(),
            command: vec![(*program).to_owned()],
            env: BTreeMap::new(),
            configured: false,
            tui: *tui,
            resume: resume.iter().map(|a| (*a).to_owned()).collect(),
            conversation: if *claude_hooks {
                Conversation::ClaudeHooks
            } else {
                Conversation::Unknown
            },
            enter_delay: Duration::from_millis(*enter_delay_ms),
            signs: Signs::new(waiting, busy),
        };
        agents.insert(agent.name.clone(), agent);
    }
    for (name, config) in &config.agents {
        let AgentConfig { command, waiting, busy, env, tui, resume, conversation, enter_delay } =
            config;
        let (name, command) = (name.get_ref(), command.get_ref());
        let signs = Signs::checked(waiting, busy)
            .with_context(|| format!("invalid pattern for agent '{name}'"))?;
        let conversation = match conversation {
            Some(pattern) => {
                let regex = Regex::new(pattern)
                    .with_context(|| format!("invalid conversation regex for agent '{name}'"))?;
                if regex.captures_len() < 2 {
                    anyhow::bail!(
                        "agent '{name}': the conversation regex needs a capture group, (...), for the id"
                    );
                }
                Conversation::Log(regex)
            }
            None => Conversation::Unknown,
        };
        if !resume.is_empty() && !resume.iter().any(|a| a.contains(CONVERSATION)) {
            anyhow::bail!("agent '{name}': resume needs {CONVERSATION} among its arguments");
        }
        let agent = Agent {
            name: name.clone(),
            command: command.clone(),
            env: env.clone(),
            configured: true,
            tui: *tui,
            resume: resume.clone(),
            conversation,
            enter_delay: enter_delay.unwrap_or(ENTER_DELAY),
            signs,
        };
        agents.insert(name.clone(), agent);
    }
    Ok(agents.into_values().collect())
}

/// The agent a session of `kind` runs: Codex for `repl`; none for `exec` (which never asks,
/// so its screen is never captured) nor for any command.
fn agent_for<'a>(agents: &'a [Agent], kind: &Kind) -> Option<&'a Agent> {
    let name = match kind {
        Kind::Repl => "codex",
        Kind::Exec | Kind::Cmd => return None,
        Kind::Agent(name) => name,
    };
    agents.iter().find(|a| a.name == name)
}

/// The screen signs of the agent a session of `kind` runs, when it has any.
pub fn signs<'a>(agents: &'a [Agent], kind: &Kind) -> Option<&'a Signs> {
    agent_for(agents, kind).map(|a| &a.signs).filter(|s| !s.waiting.is_empty())
}

/// The pause `send` makes before Enter for sessions of `kind`.
pub fn enter_delay(agents: &[Agent], kind: &Kind) -> Duration {
    agent_for(agents, kind).map_or(ENTER_DELAY, |a| a.enter_delay)
}

/// Whether sessions of `kind` draw a TUI: the Codex TUI, and agents that say so.
pub fn draws_tui(agents: &[Agent], kind: &Kind) -> bool {
    matches!(kind, Kind::Repl) || agent_for(agents, kind).is_some_and(|a| a.tui)
}

/// Patterns that tell from a screen whether an agent waits for the user.
///
/// They are compiled on first use: `list` must not pay for the patterns of agents that
/// have no running session.
#[derive(Debug, Clone, Default)]
pub struct Signs {
    waiting: Vec<String>,
    busy: Vec<String>,
    compiled: OnceLock<Compiled>,
}

#[derive(Debug, Clone)]
struct Compiled {
    waiting: Vec<Regex>,
    busy: Vec<Regex>,
}

impl Signs {
    /// Signs from trusted patterns (the built-in ones), compiled when first needed.
    fn new<S: AsRef<str>>(waiting: &[S], busy: &[S]) -> Self {
        let own = |patterns: &[S]| patterns.iter().map(|p| p.as_ref().to_owned()).collect();
        Signs { waiting: own(waiting), busy: own(busy), compiled: OnceLock::new() }
    }

    /// Signs from the user's patterns, compiled now so a bad one is reported at once.
    fn checked<S: AsRef<str>>(waiting: &[S], busy: &[S]) -> Result<Self> {
        let signs = Signs::new(waiting, busy);
        let compiled = signs.compile()?;
        let _ = signs.compiled.set(compiled);
        Ok(signs)
    }

    fn compile(&self) -> Result<Compiled> {
        let compile = |patterns: &[String]| -> Result<Vec<Regex>> {
            patterns
                .iter()
                .map(|p| Regex::new(p).with_context(|| format!("invalid regex '{p}'")))
                .collect()
        };
        Ok(Compiled { waiting: compile(&self.waiting)?, busy: compile(&self.busy)? })
    }

    /// Whether `screen` shows the agent waiting for the user (and not busy).
    pub fn waiting(&self, screen: &str) -> bool {
        !self.busy(screen) && self.compiled().waiting.iter().any(|r| r.is_match(screen))
    }

    /// Whether `screen` shows the agent busy with a turn.
    pub fn busy(&self, screen: &str) -> bool {
        self.compiled().busy.iter().any(|r| r.is_match(screen))
    }

    fn compiled(&self) -> &Compiled {
        self.compiled
            .get_or_init(|| self.compile().expect("built-in patterns compile (a unit test checks)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_patterns_compile() {
        for agent in all(&Config::default()).unwrap() {
            agent.signs.compile().unwrap();
        }
    }

    #[test]
    fn screens_tell_waiting_from_busy() {
        let agents = all(&Config::default()).unwrap();
        let codex = signs(&agents, &Kind::Repl).unwrap();
        assert!(codex.waiting("  Trust this folder? Codex can read, edit, and run files here"));
        assert!(codex.waiting("  Would you like to run the following command?\n  $ touch x"));
        assert!(!codex.waiting("◦ Working (1s • esc to interrupt)\n  ? for shortcuts"));
        assert!(!codex.waiting("plain output"));
        // Pickers, whatever they list: Codex's `/new` in a git repository, Claude's dialogs.
        assert!(codex.waiting(
            "› Use current Git worktree\n  Create new Git worktree\n  enter select · esc back"
        ));
        let claude = signs(&agents, &Kind::Agent("claude".into())).unwrap();
        assert!(claude.waiting(" Select model\n ❯ 1. Default\n Enter to confirm · Esc to exit"));
        assert!(!claude.waiting("✻ Thinking… (esc to interrupt)"));
        assert!(signs(&agents, &Kind::Cmd).is_none());
        assert!(signs(&agents, &Kind::Exec).is_none(), "codex exec never asks");
    }
}
