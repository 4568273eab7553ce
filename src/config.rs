//! The user's configuration, `$XDG_CONFIG_HOME/cxs/config.toml` (or `CXS_CONFIG`): defaults
//! for new sessions and agents beyond Codex. A missing file is an empty configuration; an
//! unknown key is an error naming the key and its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use toml::Spanned;

use crate::agent::{Kind, Sandbox};

/// Everything the configuration file can say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Defaults for `new`.
    #[serde(default)]
    pub defaults: Defaults,
    /// Agents by name, added to (or replacing) the built-in ones; spanned, so an error can
    /// name the line.
    #[serde(default)]
    pub agents: BTreeMap<Spanned<String>, AgentConfig>,
    /// Worktree set-up by repository path (`~/` expands), for `new --worktree`.
    #[serde(default)]
    pub repos: BTreeMap<String, RepoConfig>,
    /// Programs run when sessions change state.
    #[serde(default)]
    pub hooks: Hooks,
    /// Remote hosts by name, reached over ssh (`--host NAME`).
    #[serde(default)]
    pub hosts: BTreeMap<String, HostConfig>,
}

/// `[hosts.NAME]`: where another cxs runs, and how ssh reaches it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// The destination as ssh takes it (`user@host`, or an alias from `~/.ssh/config`).
    pub ssh: String,
    /// The ssh port.
    pub port: Option<u16>,
    /// The identity file.
    pub identity: Option<PathBuf>,
    /// More ssh options, e.g. `["-o", "ConnectTimeout=5"]`.
    #[serde(default)]
    pub options: Vec<String>,
    /// The remote cxs (default: the copy `cxs hosts install` puts in the host's state
    /// directory, installed on first use).
    pub cxs: Option<String>,
    /// Environment for the remote cxs: a table of settings (its `CXS_HOME`, socket...), or a
    /// list of `NAME=VALUE` settings and bare `NAME`s whose values are forwarded from here.
    #[serde(default, deserialize_with = "host_env")]
    pub env: HostEnv,
}

/// A host's `env`, read from either form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostEnv {
    /// Set on the remote command line: settings, not secrets.
    pub settings: BTreeMap<String, String>,
    /// Forwarded from this side's environment through ssh's standard input.
    pub forward: Vec<String>,
}

fn host_env<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<HostEnv, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a table of settings or a list of NAME and NAME=VALUE")]
    enum Either {
        Table(BTreeMap<String, String>),
        List(Vec<String>),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Table(settings) => HostEnv { settings, forward: Vec::new() },
        Either::List(entries) => {
            let mut env = HostEnv::default();
            for entry in entries {
                match entry.split_once('=') {
                    Some((name, value)) => {
                        env.settings.insert(name.to_owned(), value.to_owned());
                    }
                    None => env.forward.push(entry),
                }
            }
            env
        }
    })
}

/// `[hooks]`: argv arrays run with `CXS_ID`, `CXS_KIND`, `CXS_STATUS`, `CXS_EVENT`,
/// `CXS_EXIT_CODE`, `CXS_LAST_MESSAGE` and `CXS_CWD` in their environment.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hooks {
    /// When an agent starts waiting for the user.
    pub on_waiting: Option<Vec<String>>,
    /// When an agent finishes a turn.
    pub on_turn_end: Option<Vec<String>>,
    /// When an agent exits.
    pub on_exit: Option<Vec<String>>,
    /// How long a hook may run before it is killed (default 10s).
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<std::time::Duration>,
}

/// `[repos."PATH"]`: what a new worktree of that repository gets before its agent starts.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// Files (or directories) copied from the checkout, relative to its top: the git-ignored
    /// ones an agent needs, such as `.env`.
    #[serde(default)]
    pub copy: Vec<PathBuf>,
    /// A command run in the worktree before the agent starts, e.g. `["npm", "ci"]`.
    pub setup: Option<Vec<String>>,
    /// Run the `setup` of the repository's own `.cxs.toml` (which cxs never runs otherwise).
    #[serde(default)]
    pub trust: bool,
}

/// A repository's own `.cxs.toml`, committed with it: read, but its `setup` runs only when
/// the user's config trusts the repository.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoFile {
    /// As [`RepoConfig::copy`].
    #[serde(default)]
    pub copy: Vec<PathBuf>,
    /// As [`RepoConfig::setup`].
    pub setup: Option<Vec<String>>,
}

impl RepoFile {
    /// The `.cxs.toml` at the top of `repo`, if there is one.
    pub fn load(repo: &std::path::Path) -> Result<Option<RepoFile>> {
        let path = repo.join(".cxs.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{}", e.message()))
            .with_context(|| format!("invalid {}", path.display()))
    }
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Codex model when neither `-m` nor `-p` is given (a profile brings its own).
    pub model: Option<String>,
    /// Codex sandbox when neither `-s` nor `-p` is given.
    pub sandbox: Option<Sandbox>,
    /// Working directory when `-C` is not given (`~/` expands to the home directory).
    pub cd: Option<PathBuf>,
    /// tmux socket name when `CXS_TMUX_SOCKET` is not set.
    pub tmux_socket: Option<String>,
    /// Log size past which logs rotate, e.g. `"256M"`, when `--max-log` is not given.
    #[serde(default, deserialize_with = "size")]
    pub max_log: Option<u64>,
}

/// `[agents.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Program and leading arguments.
    pub command: Spanned<Vec<String>>,
    /// Regexes that, matched against the agent's screen, mean it waits for the user.
    #[serde(default)]
    pub waiting: Vec<String>,
    /// Regexes that mean it is busy, which wins over `waiting`.
    #[serde(default)]
    pub busy: Vec<String>,
    /// Environment variables set for the agent.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Whether it draws a TUI (`logs` then renders its log through a terminal emulator).
    #[serde(default)]
    pub tui: bool,
    /// Arguments that make it continue a conversation, `{conversation}` standing for its id,
    /// e.g. `["--resume", "{conversation}"]`.
    #[serde(default)]
    pub resume: Vec<String>,
    /// A regex whose first capture group, last matched in the session's log, is the id.
    pub conversation: Option<String>,
    /// How long `send` waits between the pasted text and Enter (default 100ms).
    #[serde(default, deserialize_with = "duration")]
    pub enter_delay: Option<std::time::Duration>,
}

impl Config {
    /// Reads the configuration file, if there is one.
    pub fn load() -> Result<Self> {
        match path() {
            Some(path) => Self::load_from(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads the configuration file at `path`; a missing one is an empty configuration.
    pub fn load_from(path: &std::path::Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Self::parse(&text).with_context(|| format!("invalid config {}", path.display()))
    }

    fn parse(text: &str) -> Result<Self> {
        // toml's message names the key and its line; keep it on one line.
        let config: Config = toml::from_str(text).map_err(|e| {
            let message = e.to_string().lines().next().unwrap_or_default().to_owned();
            let detail = e.message().to_owned();
            anyhow::anyhow!("{message}: {detail}")
        })?;
        // What would be accepted here and only fail at `new`, or never run, fails now.
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        for (name, agent) in &config.agents {
            if Kind::RESERVED.contains(&name.get_ref().as_str()) {
                bail!(
                    "line {}: agent name '{}' is reserved: exec and repl run codex, cmd any command",
                    line(name.span().start),
                    name.get_ref()
                );
            }
            if agent.command.get_ref().first().is_none_or(String::is_empty) {
                bail!(
                    "line {}: agent '{}' needs a command: command = [\"program\", \"args\"...]",
                    line(agent.command.span().start),
                    name.get_ref()
                );
            }
        }
        Ok(config)
    }
}

/// Deserializes a duration written as humantime does (`10s`, `2m`).
fn duration<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| humantime::parse_duration(&t).map_err(serde::de::Error::custom)).transpose()
}

/// Parses a size: bytes, or a number with `K`, `M` or `G` (powers of 1024, `iB`/`B` allowed).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("invalid size '{text}'"))?;
    let shift = match unit.trim().trim_end_matches("iB").trim_end_matches('B') {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        _ => return Err(format!("invalid size '{text}': use bytes or K, M, G")),
    };
    number
        .checked_mul(1 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("invalid size '{text}'"))
}

fn size<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Bytes(u64),
        Text(String),
    }
    match Size::deserialize(deserializer)? {
        Size::Bytes(bytes) => Ok(Some(bytes)),
        Size::Text(text) => parse_size(&text).map(Some).map_err(serde::de::Error::custom),
    }
}

/// `CXS_CONFIG`, else `$XDG_CONFIG_HOME/cxs/config.toml`, else `~/.config/cxs/config.toml`.
/// Where the configuration file is: `CXS_CONFIG`, else `$XDG_CONFIG_HOME/cxs/config.toml`.
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CXS_CONFIG").filter(|p| !p.is_empty()) {
        return Some(path.into());
    }
    let base = match std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?).join(".config"),
    };
    Some(base.join("cxs/config.toml"))
}

/// `path` with a leading `~` (alone or as `~/...`) as `$HOME`.
pub fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let config = Config::parse(
            r#"
            [defaults]
            model = "o3"
            sandbox = "workspace-write"
            cd = "~/src"
            tmux_socket = "agents"

            [agents.mine]
            command = ["my-agent", "--fast"]
            waiting = ["Continue\\?"]
            env = { MY_AGENT_MODE = "quiet" }
            "#,
        )
        .unwrap();
        assert_eq!(config.defaults.sandbox, Some(Sandbox::WorkspaceWrite));
        let mine = config.agents.values().next().unwrap();
        assert_eq!(mine.command.get_ref(), &["my-agent", "--fast"]);
        assert_eq!(mine.env["MY_AGENT_MODE"], "quiet");
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("8KB"), Ok(8 << 10));
        assert!(parse_size("0").is_err() && parse_size("1T").is_err() && parse_size("M").is_err());
        let config = Config::parse("[defaults]\nmax_log = \"1M\"\n").unwrap();
        assert_eq!(config.defaults.max_log, Some(1 << 20));
    }

    #[test]
    fn agents_that_could_never_run_are_errors_naming_the_line() {
        let err = |text: &str| Config::parse(text).unwrap_err().to_string();
        assert_eq!(
            err("[defaults]\n\n[agents.exec]\ncommand = [\"x\"]\n"),
            "line 3: agent name 'exec' is reserved: exec and repl run codex, cmd any command"
        );
        assert!(
            err("[agents.codex]\ncommand = [\"x\"]\n").starts_with("line 1: agent name 'codex'")
        );
        assert_eq!(
            err("[agents.mine]\nwaiting = []\ncommand = []\n"),
            "line 3: agent 'mine' needs a command: command = [\"program\", \"args\"...]"
        );
    }

    #[test]
    fn unknown_keys_are_errors_naming_key_and_line() {
        let err = Config::parse("[defaults]\nmodel = \"o3\"\nmodle = \"x\"\n").unwrap_err();
        let err = err.to_string();
        assert!(err.contains("line 3") && err.contains("modle"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}
