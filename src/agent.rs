//! Turning typed `new` flags into the agent's argv: data, never a shell string.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cli::{Approval, CodexArgs, ExecArgs, ReplArgs, Sandbox};
use crate::store::Kind;

/// What to run for a new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// Exec or repl.
    pub kind: Kind,
    /// Program first, then its arguments, exactly as the agent will receive them.
    pub argv: Vec<String>,
    /// The prompt, if one was given, for the `list` preview.
    pub prompt: Option<String>,
}

/// Builds `<codex> exec <flags> [AGENT_ARGS] -- PROMPT`.
pub fn exec(codex: &Path, args: &ExecArgs, base: &Path) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?, "exec".to_owned()];
    push_codex_flags(&mut argv, &args.codex, base)?;
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
        kind: Kind::Exec,
        argv,
        prompt: Some(args.prompt.clone()),
    })
}

/// Builds `<codex> <flags> [AGENT_ARGS] [-- PROMPT]`.
pub fn repl(codex: &Path, args: &ReplArgs, base: &Path) -> Result<Launch> {
    let mut argv = vec![path_arg(codex)?];
    push_codex_flags(&mut argv, &args.codex, base)?;
    if let Some(policy) = args.ask_for_approval {
        argv.push("--ask-for-approval".to_owned());
        argv.push(approval_name(policy).to_owned());
    }
    push_flag(&mut argv, "--search", args.search);
    argv.extend(args.extra.iter().cloned());
    if let Some(prompt) = &args.prompt {
        argv.push("--".to_owned());
        argv.push(prompt.clone());
    }
    Ok(Launch {
        kind: Kind::Repl,
        argv,
        prompt: args.prompt.clone(),
    })
}

/// Finds the codex binary: `CXS_CODEX_BIN` (a path or a name on PATH), else `codex` on PATH.
pub fn codex_bin() -> Result<PathBuf> {
    let hint = "install it (npm install -g @openai/codex) or set CXS_CODEX_BIN to its path";
    match std::env::var_os("CXS_CODEX_BIN").filter(|v| !v.is_empty()) {
        Some(bin) => {
            let found = which::which(&bin).with_context(|| {
                format!(
                    "CXS_CODEX_BIN '{}' is not an executable program",
                    bin.to_string_lossy()
                )
            })?;
            std::path::absolute(&found)
                .with_context(|| format!("invalid CXS_CODEX_BIN '{}'", found.display()))
        }
        None => {
            which::which("codex").map_err(|_| anyhow::anyhow!("codex not found on PATH: {hint}"))
        }
    }
}

fn push_codex_flags(argv: &mut Vec<String>, codex: &CodexArgs, base: &Path) -> Result<()> {
    push_value(argv, "--model", codex.model.as_deref());
    for image in &codex.images {
        let path = base.join(image);
        if !path.is_file() {
            bail!("image '{}' is not a file", image.display());
        }
        argv.push("--image".to_owned());
        argv.push(path_arg(&path)?);
    }
    push_value(argv, "--sandbox", codex.sandbox.map(sandbox_name));
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
    use crate::cli::{Cli, Command, NewCommand};

    /// Parses `cxs new ...` and renders the argv it builds, one argument a line.
    fn argv_for(args: &[&str]) -> String {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("shot.png"), b"png").unwrap();
        let cli = Cli::try_parse_from(["cxs", "new"].iter().chain(args)).unwrap();
        let codex = Path::new("/opt/bin/codex");
        let launch = match cli.command {
            Command::New(NewCommand::Exec(a)) => exec(codex, &a, tmp.path()).unwrap(),
            Command::New(NewCommand::Repl(a)) => repl(codex, &a, tmp.path()).unwrap(),
            _ => unreachable!(),
        };
        let base = tmp.path().to_str().unwrap();
        launch
            .argv
            .iter()
            .map(|a| format!("{:?}\n", a.replace(base, "[CWD]")))
            .collect()
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
        let Command::New(NewCommand::Exec(args)) = cli.command else {
            unreachable!()
        };
        let err = exec(Path::new("/c"), &args, Path::new("/")).unwrap_err();
        assert_eq!(err.to_string(), "image 'nope.png' is not a file");
    }

    #[test]
    fn config_needs_a_key() {
        let err = Cli::try_parse_from(["cxs", "new", "exec", "-c", "novalue", "p"]).unwrap_err();
        assert!(err.to_string().contains("expected KEY=VALUE"), "{err}");
    }
}
