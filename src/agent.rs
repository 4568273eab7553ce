//! Turning resolved options into the agent's argv: data, never a shell string.
//!
//! The builders take options already resolved from flags and the config (by `new`), so
//! they know nothing of the command line or the config file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The placeholder in agents' `resume` templates for the conversation's id.
pub const CONVERSATION: &str = "{conversation}";

/// What a session runs: a closed set, plus agents by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Kind {
    /// A one-shot `codex exec` run.
    Exec,
    /// The interactive Codex TUI.
    Repl,
    /// Any command.
    Cmd,
    /// A built-in or configured agent, by name.
    Agent(String),
}

impl Kind {
    /// The names `new` reserves for itself, never an agent's.
    pub const RESERVED: [&str; 4] = ["exec", "repl", "cmd", "codex"];

    /// The kind as `list` and `@cxs-kind` show it.
    pub fn as_str(&self) -> &str {
        match self {
            Kind::Exec => "exec",
            Kind::Repl => "repl",
            Kind::Cmd => "cmd",
            Kind::Agent(name) => name,
        }
    }
}

impl From<String> for Kind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "exec" => Kind::Exec,
            "repl" => Kind::Repl,
            "cmd" => Kind::Cmd,
            _ => Kind::Agent(name),
        }
    }
}

impl From<Kind> for String {
    fn from(kind: Kind) -> String {
        kind.as_str().to_owned()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codex's sandbox policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sandbox {
    /// The model may read files but not write them.
    ReadOnly,
    /// The model may write inside the working directory.
    WorkspaceWrite,
    /// No sandbox at all.
    DangerFullAccess,
}

impl Sandbox {
    /// The value Codex takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Sandbox::ReadOnly => "read-only",
            Sandbox::WorkspaceWrite => "workspace-write",
            Sandbox::DangerFullAccess => "danger-full-access",
        }
    }
}

/// Codex's approval policies (the ones Codex 0.171 accepts; a test compares them with the
/// pinned Codex's `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Approval {
    /// The model decides when to ask.
    OnRequest,
    /// Never ask.
    Never,
}

impl Approval {
    /// The value Codex takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::OnRequest => "on-request",
            Approval::Never => "never",
        }
    }
}

/// What to run for a new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// What runs.
    pub kind: Kind,
    /// Program first, then its arguments, exactly as the agent will receive them.
    pub argv: Vec<String>,
    /// The prompt, if one was given, for the `list` preview.
    pub prompt: Option<String>,
    /// Variables the agent's definition adds to the caller's environment.
    pub env: BTreeMap<String, String>,
}

/// Codex flags shared by `exec` and the TUI, resolved: defaults applied, paths absolute.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CodexOptions {
    /// `--model`.
    pub model: Option<String>,
    /// `--image`, each an existing file's absolute path.
    pub images: Vec<PathBuf>,
    /// `--sandbox`.
    pub sandbox: Option<Sandbox>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--config KEY=VALUE`, in order.
    pub config: Vec<String>,
    /// `--oss`.
    pub oss: bool,
}

/// `codex exec`, resolved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExecOptions {
    /// The shared flags.
    pub codex: CodexOptions,
    /// `--skip-git-repo-check`.
    pub skip_git_repo_check: bool,
    /// `--json`.
    pub json: bool,
    /// `--output-last-message`, absolute.
    pub output_last_message: Option<PathBuf>,
    /// The task.
    pub prompt: String,
    /// Arguments passed verbatim, before the prompt.
    pub extra: Vec<String>,
}

/// The Codex TUI, resolved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplOptions {
    /// The shared flags.
    pub codex: CodexOptions,
    /// `--ask-for-approval`.
    pub ask_for_approval: Option<Approval>,
    /// `--search`.
    pub search: bool,
    /// The first message, if any.
    pub prompt: Option<String>,
    /// Arguments passed verbatim, before the prompt.
    pub extra: Vec<String>,
}

/// Builds `<codex> exec <flags> [AGENT_ARGS] -- PROMPT`.
pub fn exec(codex: &Path, options: &ExecOptions) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?, "exec".to_owned()];
    push_codex_flags(&mut argv, &options.codex)?;
    push_flag(&mut argv, "--skip-git-repo-check", options.skip_git_repo_check);
    push_flag(&mut argv, "--json", options.json);
    if let Some(file) = &options.output_last_message {
        argv.push("--output-last-message".to_owned());
        argv.push(path_arg(file)?);
    }
    argv.extend(options.extra.iter().cloned());
    // `--` keeps a prompt that starts with `-` a prompt.
    argv.push("--".to_owned());
    argv.push(options.prompt.clone());
    Ok(Launch {
        kind: Kind::Exec,
        argv,
        prompt: Some(options.prompt.clone()),
        env: BTreeMap::new(),
    })
}

/// Builds `<codex> <flags> [AGENT_ARGS] [-- PROMPT]`.
pub fn repl(codex: &Path, options: &ReplOptions) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?];
    push_codex_flags(&mut argv, &options.codex)?;
    if let Some(policy) = options.ask_for_approval {
        argv.push("--ask-for-approval".to_owned());
        argv.push(policy.as_str().to_owned());
    }
    push_flag(&mut argv, "--search", options.search);
    argv.extend(options.extra.iter().cloned());
    // An empty prompt (from a tmux prompt left blank) means none.
    let prompt = options.prompt.clone().filter(|p| !p.is_empty());
    if let Some(prompt) = &prompt {
        argv.push("--".to_owned());
        argv.push(prompt.clone());
    }
    Ok(Launch { kind: Kind::Repl, argv, prompt, env: BTreeMap::new() })
}

/// A Codex session's argv made to continue conversation `conversation`: the recorded flags,
/// then `resume ID`, then the new prompt (`codex exec [FLAGS] resume ID -- PROMPT`, `codex
/// [FLAGS] resume ID [-- PROMPT]`). The first prompt's images are part of the conversation
/// already and are not sent again: they are returned, to be said.
pub fn resume_codex(
    kind: &Kind,
    argv: &[String],
    had_prompt: bool,
    conversation: &str,
    prompt: Option<&str>,
) -> Result<(Vec<String>, Vec<String>)> {
    // The builders end the argv with `-- PROMPT` when there was one.
    let flags_end = if had_prompt { argv.len().saturating_sub(2) } else { argv.len() };
    if had_prompt && argv.get(flags_end).is_none_or(|a| a != "--") {
        anyhow::bail!("the recorded argv does not end in `-- PROMPT`: not one cxs built");
    }
    if *kind == Kind::Exec && prompt.is_none_or(str::is_empty) {
        anyhow::bail!("an exec run resumes with a PROMPT: what to do next");
    }
    let mut resumed = Vec::with_capacity(argv.len() + 3);
    let mut dropped = Vec::new();
    let mut flags = argv[..flags_end].iter();
    while let Some(arg) = flags.next() {
        if arg == "--image" {
            dropped.extend(flags.next().cloned());
        } else {
            resumed.push(arg.clone());
        }
    }
    resumed.extend(["resume".to_owned(), conversation.to_owned()]);
    if let Some(prompt) = prompt.filter(|p| !p.is_empty()) {
        resumed.extend(["--".to_owned(), prompt.to_owned()]);
    }
    Ok((resumed, dropped))
}

/// Adds Claude Code hooks that run `command` (a shell command line) when a conversation
/// starts or resumes (`SessionStart`), when a turn ends (`Stop`) and when Claude needs the
/// user (`Notification`: a permission to give, or input after a while), through `--settings`,
/// which Claude adds to the user's own settings (their hooks keep running).
pub fn add_claude_hooks(launch: &mut Launch, command: &str) {
    launch.argv.splice(1..1, ["--settings".to_owned(), claude_settings(command)]);
}

/// The `--settings` value with cxs's hooks, running `command`.
pub fn claude_settings(command: &str) -> String {
    let hook = serde_json::json!([{"hooks": [{"type": "command", "command": command}]}]);
    serde_json::json!({"hooks": {"SessionStart": hook, "Stop": hook, "Notification": hook}})
        .to_string()
}

/// A named agent's argv made to continue conversation `conversation`: its command (and the
/// settings cxs added after it, `lead` arguments in all), the agent's `resume` template, the
/// recorded arguments, and the new prompt. A first prompt given alone (one argument that is
/// not a flag) is in the conversation already and is not sent again; it is returned, to be
/// said.
pub fn resume_named(
    argv: &[String],
    lead: usize,
    template: &[String],
    conversation: &str,
    prompt: Option<&str>,
) -> (Vec<String>, Option<String>) {
    let lead = lead.min(argv.len());
    let mut resumed = argv[..lead].to_vec();
    resumed.extend(template.iter().map(|a| a.replace(CONVERSATION, conversation)));
    let args = &argv[lead..];
    let first_prompt = match args {
        [only] if !only.starts_with('-') => Some(only.clone()),
        _ => {
            resumed.extend(args.iter().cloned());
            None
        }
    };
    resumed.extend(prompt.filter(|p| !p.is_empty()).map(str::to_owned));
    (resumed, first_prompt)
}

/// Points the `notify` hook that cxs set at `hook` (the cxs running now, which may have
/// moved since); the user's own stays chained as it was.
pub fn refresh_notify(argv: &mut [String], hook: &[String]) -> Result<()> {
    let value = format!("notify={}", serde_json::to_string(hook)?);
    let ours = argv.windows(2).position(|pair| {
        pair[0] == "--config"
            && pair[1].starts_with("notify=")
            && pair[1].contains(crate::hidden::NOTIFY)
    });
    if let Some(at) = ours {
        argv[at + 1] = value;
    }
    Ok(())
}

/// Points Codex's `notify` hook at `hook` (`cxs __notify DIR`), so turn ends are recorded
/// exactly.
///
/// Codex keeps one `notify`, so setting it would silently drop the user's own: that one
/// (a `-c notify=...` given to cxs) is taken out and returned, for `__notify` to call in
/// turn; without one, the caller looks in Codex's config.toml ([`codex_config_notify`]).
pub fn add_notify(launch: &mut Launch, hook: &[String]) -> Result<Option<Vec<String>>> {
    let mut users = None;
    let mut i = 0;
    while i + 1 < launch.argv.len() {
        let flag = launch.argv[i].as_str();
        let is_config = flag == "--config" || flag == "-c";
        match launch.argv[i + 1].strip_prefix("notify=").filter(|_| is_config) {
            Some(value) => {
                users = Some(
                    notify_program(value).with_context(|| format!("invalid -c notify={value}"))?,
                );
                launch.argv.drain(i..i + 2);
            }
            None => i += 1,
        }
        if launch.argv.get(i).is_some_and(|a| a == "--") {
            break;
        }
    }
    // Codex reads `-c` values as TOML; a JSON array of strings is also a TOML one, with
    // single-line escapes only.
    let value = serde_json::to_string(hook)?;
    // After the program, and after `exec` for exec (which fires notify too, once per run).
    let at = if launch.kind == Kind::Exec { 2 } else { 1 };
    launch.argv.splice(at..at, ["--config".to_owned(), format!("notify={value}")]);
    Ok(users)
}

/// The `notify` program in Codex's own config.toml (`$CODEX_HOME`, else `~/.codex`).
pub fn codex_config_notify() -> Result<Option<Vec<String>>> {
    let home = match std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".codex"),
            None => return Ok(None),
        },
    };
    let path = home.join("config.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let config: toml::Table =
        toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
    match config.get("notify") {
        Some(value) => Ok(Some(
            value
                .clone()
                .try_into()
                .with_context(|| format!("invalid notify in {}", path.display()))?,
        )),
        None => Ok(None),
    }
}

/// A `notify` value: a TOML array of strings.
fn notify_program(value: &str) -> Result<Vec<String>> {
    let table: toml::Table = toml::from_str(&format!("notify = {value}"))?;
    Ok(table["notify"].clone().try_into()?)
}

/// An agent started by name, as its definition says.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    /// The name, which becomes the session's kind.
    pub name: &'a str,
    /// Program and leading arguments.
    pub command: &'a [String],
    /// Variables added to the caller's environment.
    pub env: &'a BTreeMap<String, String>,
}

/// Builds the argv of a named agent: its command, then `args`.
pub fn named(agent: &Named<'_>, args: &[String]) -> Result<Launch> {
    let Named { name, command, env } = *agent;
    let mut argv = command.to_vec();
    let program = argv.first().with_context(|| format!("agent '{name}' has an empty command"))?;
    let found = which::which(program)
        .map_err(|_| anyhow::anyhow!("agent '{name}': '{program}' not found on PATH"))?;
    argv[0] = path_arg(&found)?;
    argv.extend(args.iter().cloned());
    let prompt = Some(args.join(" ")).filter(|p| !p.is_empty());
    Ok(Launch { kind: Kind::Agent(name.to_owned()), argv, prompt, env: env.clone() })
}

/// Builds the argv of `cxs new cmd ARGV...`.
pub fn command(argv: &[String]) -> Result<Launch> {
    let (program, args) = argv.split_first().context("no command given")?;
    let found =
        which::which(program).map_err(|_| anyhow::anyhow!("command '{program}' not found"))?;
    let mut resolved = vec![path_arg(&found)?];
    resolved.extend(args.iter().cloned());
    // The preview is the command as typed, program included.
    let prompt = Some(argv.join(" "));
    Ok(Launch { kind: Kind::Cmd, argv: resolved, prompt, env: BTreeMap::new() })
}

/// Finds the codex binary: `CXS_CODEX_BIN` (a path or a name on PATH), else `codex` on PATH.
pub fn codex_bin() -> Result<PathBuf> {
    let hint = "install it (npm install -g @openai/codex) or set CXS_CODEX_BIN to its path";
    match std::env::var_os("CXS_CODEX_BIN").filter(|v| !v.is_empty()) {
        Some(bin) => {
            let found = which::which(&bin).with_context(|| {
                format!("CXS_CODEX_BIN '{}' is not an executable program", bin.to_string_lossy())
            })?;
            std::path::absolute(&found)
                .with_context(|| format!("invalid CXS_CODEX_BIN '{}'", found.display()))
        }
        None => {
            which::which("codex").map_err(|_| anyhow::anyhow!("codex not found on PATH: {hint}"))
        }
    }
}

fn push_codex_flags(argv: &mut Vec<String>, codex: &CodexOptions) -> Result<()> {
    push_value(argv, "--model", codex.model.as_deref());
    for image in &codex.images {
        argv.push("--image".to_owned());
        argv.push(path_arg(image)?);
    }
    push_value(argv, "--sandbox", codex.sandbox.map(Sandbox::as_str));
    push_value(argv, "--profile", codex.profile.as_deref());
    for config in &codex.config {
        argv.push("--config".to_owned());
        argv.push(config.clone());
    }
    push_flag(argv, "--oss", codex.oss);
    Ok(())
}

fn push_value(argv: &mut Vec<String>, flag: &str, value: Option<&str>) {
    if let Some(value) = value {
        argv.push(flag.to_owned());
        argv.push(value.to_owned());
    }
}

fn push_flag(argv: &mut Vec<String>, flag: &str, on: bool) {
    if on {
        argv.push(flag.to_owned());
    }
}

fn path_arg(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .with_context(|| format!("path '{}' is not valid UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_named_agent_resumes_with_its_template_and_arguments_but_not_its_first_prompt() {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let template = strings(&["--resume", "{conversation}"]);
        let argv = strings(&["/bin/claude", "--settings", "{}", "review the diff"]);
        let (resumed, dropped) = resume_named(&argv, 3, &template, "c-1", Some("go on"));
        assert_eq!(
            resumed,
            strings(&["/bin/claude", "--settings", "{}", "--resume", "c-1", "go on"])
        );
        assert_eq!(dropped.as_deref(), Some("review the diff"));
        let argv = strings(&["/bin/claude", "--settings", "{}", "--model", "opus"]);
        let (resumed, dropped) = resume_named(&argv, 3, &template, "c-1", None);
        assert_eq!(resumed[3..], strings(&["--resume", "c-1", "--model", "opus"]));
        assert_eq!(dropped, None);
    }

    #[test]
    fn resuming_keeps_every_flag_and_moves_the_prompt_after_the_conversation() {
        let argv: Vec<String> =
            ["codex", "exec", "--model", "o3", "--image", "/a.png", "--json", "--", "-first"]
                .map(String::from)
                .to_vec();
        let (resumed, dropped) =
            resume_codex(&Kind::Exec, &argv, true, "th-1", Some("--second")).unwrap();
        assert_eq!(
            resumed,
            ["codex", "exec", "--model", "o3", "--json", "resume", "th-1", "--", "--second"]
        );
        assert_eq!(dropped, ["/a.png"]);
        assert!(
            resume_codex(&Kind::Exec, &argv, true, "th-1", None).is_err(),
            "exec needs a prompt"
        );
        let repl: Vec<String> = ["codex", "--search"].map(String::from).to_vec();
        let (resumed, _) = resume_codex(&Kind::Repl, &repl, false, "th-2", None).unwrap();
        assert_eq!(resumed, ["codex", "--search", "resume", "th-2"]);
    }

    use super::*;

    fn launch(kind: Kind, argv: &[&str]) -> Launch {
        Launch {
            kind,
            argv: argv.iter().map(|a| (*a).to_owned()).collect(),
            prompt: None,
            env: BTreeMap::new(),
        }
    }

    #[test]
    fn kinds_read_back_as_written() {
        for kind in [Kind::Exec, Kind::Repl, Kind::Cmd, Kind::Agent("claude".into())] {
            assert_eq!(Kind::from(String::from(kind.clone())), kind);
        }
    }

    #[test]
    fn notify_hook_is_quoted_as_toml() {
        let mut launch = launch(Kind::Repl, &["/c", "--", "hi"]);
        let hook = ["/bin/cxs", "__notify", "/h/it's \"x\""].map(String::from);
        let users = add_notify(&mut launch, &hook);
        assert_eq!(users.unwrap(), None);
        insta::assert_snapshot!(launch.argv.join("\n"), @r#"
        /c
        --config
        notify=["/bin/cxs","__notify","/h/it's \"x\""]
        --
        hi
        "#);
    }

    #[test]
    fn exec_gets_the_notify_hook_after_exec() {
        let mut launch = launch(Kind::Exec, &["/c", "exec", "--", "hi"]);
        add_notify(&mut launch, &["/bin/cxs", "__notify", "/d"].map(String::from)).unwrap();
        insta::assert_snapshot!(launch.argv.join("\n"), @r#"
        /c
        exec
        --config
        notify=["/bin/cxs","__notify","/d"]
        --
        hi
        "#);
    }

    #[test]
    fn a_users_notify_is_kept_to_be_chained() {
        let mut launch = launch(
            Kind::Repl,
            &["/c", "-m", "o3", "--config", "notify=[\"my-hook\", \"a b\"]", "--", "hi"],
        );
        let hook = ["/bin/cxs", "__notify", "/d"].map(String::from);
        let users = add_notify(&mut launch, &hook).unwrap();
        assert_eq!(users, Some(vec!["my-hook".to_owned(), "a b".to_owned()]));
        insta::assert_snapshot!(launch.argv.join("\n"), @r#"
        /c
        --config
        notify=["/bin/cxs","__notify","/d"]
        -m
        o3
        --
        hi
        "#);
    }
}
