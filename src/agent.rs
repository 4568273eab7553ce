//! Turning typed `new` flags into the agent's argv: data, never a shell string.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::agents::Agent;
use crate::cli::{Approval, CodexArgs, ExecArgs, ReplArgs, Sandbox};
use crate::config::Defaults;

/// What to run for a new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// `exec` or `repl` for Codex, the agent's name, or `cmd`.
    pub kind: String,
    /// Program first, then its arguments, exactly as the agent will receive them.
    pub argv: Vec<String>,
    /// The prompt, if one was given, for the `list` preview.
    pub prompt: Option<String>,
    /// Variables the agent's definition adds to the caller's environment.
    pub env: BTreeMap<String, String>,
}

/// Builds `<codex> exec <flags> [AGENT_ARGS] -- PROMPT`.
pub fn exec(codex: &Path, args: &ExecArgs, base: &Path, defaults: &Defaults) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?, "exec".to_owned()];
    push_codex_flags(&mut argv, &args.codex, base, defaults)?;
    push_flag(&mut argv, "--skip-git-repo-check", args.skip_git_repo_check);
    push_flag(&mut argv, "--json", args.json);
    if let Some(file) = &args.output_last_message {
        argv.push("--output-last-message".to_owned());
        argv.push(path_arg(&base.join(file))?);
    }
    argv.extend(args.extra.iter().cloned());
    // `--` keeps a prompt that starts with `-` a prompt.
    argv.push("--".to_owned());
    argv.push(args.prompt.clone());
    Ok(Launch {
        kind: "exec".to_owned(),
        argv,
        prompt: Some(args.prompt.clone()),
        env: BTreeMap::new(),
    })
}

/// Builds `<codex> <flags> [AGENT_ARGS] [-- PROMPT]`.
pub fn repl(codex: &Path, args: &ReplArgs, base: &Path, defaults: &Defaults) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?];
    push_codex_flags(&mut argv, &args.codex, base, defaults)?;
    if let Some(policy) = args.ask_for_approval {
        argv.push("--ask-for-approval".to_owned());
        argv.push(approval_name(policy).to_owned());
    }
    push_flag(&mut argv, "--search", args.search);
    argv.extend(args.extra.iter().cloned());
    // An empty prompt (from a tmux prompt left blank) means none.
    let prompt = args.prompt.clone().filter(|p| !p.is_empty());
    if let Some(prompt) = &prompt {
        argv.push("--".to_owned());
        argv.push(prompt.clone());
    }
    Ok(Launch { kind: "repl".to_owned(), argv, prompt: args.prompt.clone(), env: BTreeMap::new() })
}

/// Points Codex's `notify` hook at `cxs __notify DIR`, so turn ends are recorded exactly.
///
/// Codex keeps one `notify`, so setting it would silently drop the user's own: that one
/// (from a `-c notify=...` given to cxs, else from Codex's config.toml) is returned, for
/// `__notify` to call in turn.
pub fn add_notify(launch: &mut Launch, runner: &Path, dir: &Path) -> Result<Option<Vec<String>>> {
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
    let users = match users {
        Some(program) => Some(program),
        None => codex_config_notify()?,
    };
    let program = [path_arg(runner)?, "__notify".to_owned(), path_arg(dir)?];
    // Codex reads `-c` values as TOML; a JSON array of strings is also a TOML one, with
    // single-line escapes only.
    let value = serde_json::to_string(&program)?;
    launch.argv.splice(1..1, ["--config".to_owned(), format!("notify={value}")]);
    Ok(users)
}

/// The `notify` program in Codex's own config.toml (`$CODEX_HOME`, else `~/.codex`).
fn codex_config_notify() -> Result<Option<Vec<String>>> {
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

/// Builds the argv of a named agent: its command, then `args`.
pub fn named(agent: &Agent, args: &[String]) -> Result<Launch> {
    let mut argv = agent.command.clone();
    let program =
        argv.first().with_context(|| format!("agent '{}' has an empty command", agent.name))?;
    let found = which::which(program)
        .map_err(|_| anyhow::anyhow!("agent '{}': '{program}' not found on PATH", agent.name))?;
    argv[0] = path_arg(&found)?;
    argv.extend(args.iter().cloned());
    let prompt = Some(args.join(" ")).filter(|p| !p.is_empty());
    Ok(Launch { kind: agent.name.clone(), argv, prompt, env: agent.env.clone() })
}

/// Builds the argv of `cxs new cmd -- ARGV...`.
pub fn command(argv: &[String]) -> Result<Launch> {
    let (program, args) = argv.split_first().context("no command given")?;
    let found =
        which::which(program).map_err(|_| anyhow::anyhow!("command '{program}' not found"))?;
    let mut argv = vec![path_arg(&found)?];
    argv.extend(args.iter().cloned());
    let prompt = Some(args.join(" ")).filter(|p| !p.is_empty());
    Ok(Launch { kind: "cmd".to_owned(), argv, prompt, env: BTreeMap::new() })
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

fn push_codex_flags(
    argv: &mut Vec<String>,
    codex: &CodexArgs,
    base: &Path,
    defaults: &Defaults,
) -> Result<()> {
    push_value(argv, "--model", codex.model.as_deref().or(defaults.model.as_deref()));
    for image in &codex.images {
        let path = base.join(image);
        if !path.is_file() {
            bail!("image '{}' is not a file", image.display());
        }
        argv.push("--image".to_owned());
        argv.push(path_arg(&path)?);
    }
    push_value(argv, "--sandbox", codex.sandbox.or(defaults.sandbox).map(sandbox_name));
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

fn sandbox_name(sandbox: Sandbox) -> &'static str {
    match sandbox {
        Sandbox::ReadOnly => "read-only",
        Sandbox::WorkspaceWrite => "workspace-write",
        Sandbox::DangerFullAccess => "danger-full-access",
    }
}

fn approval_name(approval: Approval) -> &'static str {
    match approval {
        Approval::Untrusted => "untrusted",
        Approval::OnFailure => "on-failure",
        Approval::OnRequest => "on-request",
        Approval::Never => "never",
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command, Lazy, NewCommand};

    /// Parses `cxs new ...` and renders the argv it builds, one argument a line.
    fn argv_for(args: &[&str]) -> String {
        argv_with(args, &Defaults::default())
    }

    fn argv_with(args: &[&str], defaults: &Defaults) -> String {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("shot.png"), b"png").unwrap();
        let cli = Cli::try_parse_from(["cxs", "new"].iter().chain(args)).unwrap();
        let codex = Path::new("/opt/bin/codex");
        let launch = match cli.command {
            Command::New(Lazy(NewCommand::Exec(a))) => {
                exec(codex, &a, tmp.path(), defaults).unwrap()
            }
            Command::New(Lazy(NewCommand::Repl(a))) => {
                repl(codex, &a, tmp.path(), defaults).unwrap()
            }
            _ => unreachable!(),
        };
        let base = tmp.path().to_str().unwrap();
        launch.argv.iter().map(|a| format!("{:?}\n", a.replace(base, "[CWD]"))).collect()
    }

    #[test]
    fn exec_minimal() {
        insta::assert_snapshot!(argv_for(&["exec", "fix the build"]), @r#"
        "/opt/bin/codex"
        "exec"
        "--"
        "fix the build"
        "#);
    }

    #[test]
    fn exec_every_flag() {
        insta::assert_snapshot!(argv_for(&[
            "exec", "-m", "o3", "-i", "shot.png", "--image", "shot.png", "-s", "workspace-write",
            "-p", "work", "-c", "a=1", "-c", "b=\"x y\"", "--oss", "--skip-git-repo-check",
            "--json", "-o", "last.txt", "--id", "x", "-C", "/tmp", "the prompt", "--", "--x", "y",
        ]), @r#"
        "/opt/bin/codex"
        "exec"
        "--model"
        "o3"
        "--image"
        "[CWD]/shot.png"
        "--image"
        "[CWD]/shot.png"
        "--sandbox"
        "workspace-write"
        "--profile"
        "work"
        "--config"
        "a=1"
        "--config"
        "b=\"x y\""
        "--oss"
        "--skip-git-repo-check"
        "--json"
        "--output-last-message"
        "[CWD]/last.txt"
        "--x"
        "y"
        "--"
        "the prompt"
        "#);
    }

    #[test]
    fn exec_prompt_with_leading_dash_stays_a_prompt() {
        insta::assert_snapshot!(argv_for(&["exec", "-m", "o3", "--rm -rf is bad"]), @r#"
        "/opt/bin/codex"
        "exec"
        "--model"
        "o3"
        "--"
        "--rm -rf is bad"
        "#);
    }

    #[test]
    fn repl_every_flag() {
        insta::assert_snapshot!(argv_for(&[
            "repl", "-m", "o3", "-a", "on-request", "-s", "read-only", "--search", "hello",
            "--", "--extra",
        ]), @r#"
        "/opt/bin/codex"
        "--model"
        "o3"
        "--sandbox"
        "read-only"
        "--ask-for-approval"
        "on-request"
        "--search"
        "--extra"
        "--"
        "hello"
        "#);
    }

    #[test]
    fn repl_without_prompt() {
        insta::assert_snapshot!(argv_for(&["repl"]), @r#""/opt/bin/codex""#);
    }

    #[test]
    fn missing_image_is_an_error() {
        let cli = Cli::try_parse_from(["cxs", "new", "exec", "-i", "nope.png", "p"]).unwrap();
        let Command::New(Lazy(NewCommand::Exec(args))) = cli.command else { unreachable!() };
        let err = exec(Path::new("/c"), &args, Path::new("/"), &Defaults::default()).unwrap_err();
        assert_eq!(err.to_string(), "image 'nope.png' is not a file");
    }

    #[test]
    fn config_defaults_apply_unless_a_flag_is_given() {
        let defaults = Defaults {
            model: Some("o4".into()),
            sandbox: Some(Sandbox::ReadOnly),
            ..Defaults::default()
        };
        insta::assert_snapshot!(argv_with(&["exec", "-m", "o3", "p"], &defaults), @r#"
        "/opt/bin/codex"
        "exec"
        "--model"
        "o3"
        "--sandbox"
        "read-only"
        "--"
        "p"
        "#);
    }

    #[test]
    fn notify_hook_is_quoted_as_toml() {
        let mut launch = Launch {
            kind: "repl".into(),
            argv: vec!["/c".into(), "--".into(), "hi".into()],
            prompt: None,
            env: BTreeMap::new(),
        };
        let users = add_notify(&mut launch, Path::new("/bin/cxs"), Path::new("/h/it's \"x\""));
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
    fn a_users_notify_is_kept_to_be_chained() {
        let mut launch = Launch {
            kind: "repl".into(),
            argv: ["/c", "-m", "o3", "--config", "notify=[\"my-hook\", \"a b\"]", "--", "hi"]
                .map(String::from)
                .to_vec(),
            prompt: None,
            env: BTreeMap::new(),
        };
        let users = add_notify(&mut launch, Path::new("/bin/cxs"), Path::new("/d")).unwrap();
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

    #[test]
    fn config_needs_a_key() {
        let err = Cli::try_parse_from(["cxs", "new", "exec", "-c", "novalue", "p"]).unwrap_err();
        assert!(err.to_string().contains("expected KEY=VALUE"), "{err}");
    }
}
