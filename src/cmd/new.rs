//! `cxs new`: claim an id, record the session, and start it in tmux in one call.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Parser;

use crate::agent::{self, CodexOptions, ExecOptions, Kind, Launch, Named, ReplOptions};
use crate::caller::{self, Caller};
use crate::catalog::{Agent, Conversation};
use crate::cli::{AgentArgs, CodexArgs, ExecArgs, New, NewArgs, NewCommand, ReplArgs};
use crate::config::Defaults;
use crate::env::Env;
use crate::events::{self, Event};
use crate::git::{Git, Worktree};
use crate::hidden;
use crate::session::{self, tmux_name};
use crate::store::{self, SIDECAR_VERSION, SessionDir, SessionId, Sidecar, StagedSidecar, Store};
use crate::tmux::{SessionName, Socket, Start, Tmux, TmuxError};
use crate::worktree;

/// Starts the session and prints its id alone, so `id=$(cxs new exec ...)` works.
pub fn run(command: New) -> Result<()> {
    let env = Env::load()?;
    let base = std::env::current_dir().context("cannot read the current directory")?;
    let defaults = &env.config.defaults;
    // Everything that can be checked is checked before anything is created.
    let (new, mut launch, named) = what_to_run(&env, command, &base)?;
    let claude_hooks =
        named.as_ref().is_some_and(|a| matches!(a.conversation, Conversation::ClaudeHooks));
    let new = &new;
    let cwd = working_dir(new, defaults, &base)?;
    let git = if new.worktree { Some(Git::find()?) } else { None };
    let runner = std::env::current_exe().context("cannot find the cxs executable")?;

    let max_log = new.max_log.or(defaults.max_log).unwrap_or(store::DEFAULT_MAX_LOG);
    // From here on a signal must not leave half a session: it is noted, the start finishes
    // or fails, and then everything is undone.
    interrupt::catch();
    let (id, dir) = claim(&env.store, new.id.as_ref())?;
    // Whatever fails from here is undone, under the lock if it was taken.
    let name = tmux_name(&env.store, id.as_str());
    let abandon = |err: anyhow::Error| {
        let _ = dir.remove();
        err.context(format!("cannot start session '{id}'"))
    };
    // A `delete` racing this one, and the runner, wait until the session is whole (or undone).
    let lock = dir.lock().map_err(abandon)?;
    let made = match &git {
        Some(git) => {
            let request = worktree::Request {
                dir: &cwd,
                branch: new.branch.as_deref(),
                base: new.base.as_deref(),
                include_dirty: new.include_dirty,
            };
            Some(worktree::create(git, &env.store, &env.config, &id, &request).map_err(abandon)?)
        }
        None => None,
    };
    let (tree, cwd) = match made {
        Some((tree, agent_cwd)) => (Some(tree), agent_cwd),
        None => (None, cwd),
    };
    // From here a failure removes the worktree too (and its branch, which holds nothing yet).
    let abandon = |err: anyhow::Error| {
        if let (Some(git), Some(tree)) = (&git, &tree) {
            worktree::discard(git, tree);
        }
        abandon(err)
    };
    // Codex's notify hook says when a turn ends (exec fires it too, once); a cxs whose own
    // path is not UTF-8 cannot be written into Codex's TOML, and goes without.
    let chained = match (&launch.kind, hidden::notify_hook(&runner, dir.path())) {
        (Kind::Repl | Kind::Exec, Some(hook)) => {
            match agent::add_notify(&mut launch, &hook).map_err(abandon)? {
                Some(given) => Some(given),
                None => agent::codex_config_notify().map_err(abandon)?,
            }
        }
        _ => None,
    };
    // Claude Code reports its conversation and turns to hooks cxs adds beside the user's.
    if claude_hooks && let Some(hook) = hidden::claude_hook(&runner, dir.path()) {
        agent::add_claude_hooks(&mut launch, &hook);
    }
    // Read before any tmux call, which raises this process's limit on open files.
    let caller = Caller::current();
    let plan = Plan {
        launch: &launch,
        cwd: &cwd,
        runner: &runner,
        max_log,
        chained,
        name: &name,
        caller,
        worktree: tree.as_ref(),
        watch_silence: watches_silence(named.as_slice(), &launch.kind, claude_hooks),
    };
    // Only once tmux was asked can there be a session to kill: never one tmux refused to
    // make because the name was taken (an orphan of this id, whose state was removed).
    let fail = |err: anyhow::Error| {
        if !TmuxError::is_duplicate(&err) {
            undo(&env.tmux, &name, &id);
        }
        abandon(err)
    };
    let sidecar = first_sidecar(&id, &plan, env.tmux.socket());
    start(&env.tmux, &id, &dir, &plan, &sidecar).map_err(fail)?;
    if interrupt::caught() {
        undo(&env.tmux, &name, &id);
        let _ = abandon(anyhow::anyhow!("interrupted"));
        return Err(super::SilentExit(130).into());
    }
    // Journaled under the lock, which the runner waits for: `created` comes before `running`.
    events::note(&dir, &sidecar, Event::now(id.as_str(), sidecar.kind.as_str(), "created"));
    drop(lock);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{id}")?;
    out.flush()?;
    if new.attach {
        return super::attach::attach(&env.tmux, &name, false);
    }
    Ok(())
}

/// The session's options and what it runs, checked; and the configured agent, for `new
/// NAME`.
fn what_to_run(env: &Env, command: New, base: &Path) -> Result<(NewArgs, Launch, Option<Agent>)> {
    let defaults = &env.config.defaults;
    let mut agent = None;
    let (new, launch): (NewArgs, Launch) = match command.kind {
        NewCommand::Exec(args) => {
            let options = exec_options(&args, defaults, base)?;
            (command.options, agent::exec(&agent::codex_bin()?, &options)?)
        }
        NewCommand::Repl(args) => {
            let options = repl_options(&args, defaults, base)?;
            (command.options, agent::repl(&agent::codex_bin()?, &options)?)
        }
        NewCommand::Cmd(args) => (command.options, agent::command(&args.argv)?),
        NewCommand::Agent(words) => {
            let (name, rest) = words.split_first().context("no agent name given")?;
            let found = named_agent(env, &name.to_string_lossy())?;
            let named_args = AgentArgs::try_parse_from(rest).unwrap_or_else(|e| e.exit());
            let named = Named { name: &found.name, command: &found.command, env: &found.env };
            let launch = agent::named(&named, &named_args.args)?;
            agent = Some(found);
            (command.options.merge(named_args.new), launch)
        }
    };
    Ok((new, launch, agent))
}

/// Whether `new` attaches once started (`--attach` before the agent's name, or after a
/// named agent's, where clap leaves it among the agent's words).
pub fn attaches(new: &New) -> bool {
    new.options.attach
        || matches!(&new.kind, NewCommand::Agent(words) if words.len() > 1
            && AgentArgs::try_parse_from(&words[1..]).is_ok_and(|named| named.new.attach))
}

/// Whether sessions of `kind` get their silences checked: agents with screen patterns for
/// waiting that report nothing themselves (Codex and Claude Code have hooks).
pub(super) fn watches_silence(agents: &[Agent], kind: &Kind, hooked: bool) -> bool {
    matches!(kind, Kind::Agent(_)) && !hooked && crate::catalog::signs(agents, kind).is_some()
}

/// The agent a `cxs new NAME` names, or an error that says what to type instead.
fn named_agent(env: &Env, name: &str) -> Result<Agent> {
    if name == "codex" {
        bail!("codex runs as `cxs new exec PROMPT` (one-shot) or `cxs new repl` (the TUI)");
    }
    let agents = crate::catalog::all(&env.config)?;
    if let Some(found) = agents.iter().find(|a| a.name == name && a.name != "codex") {
        return Ok(found.clone());
    }
    let known: Vec<&str> =
        agents.iter().map(|a| a.name.as_str()).filter(|n| *n != "codex").collect();
    bail!(
        "unknown agent '{name}': use exec or repl for codex, cmd for any command, or one of: {}",
        known.join(", ")
    )
}

/// `new exec`'s flags with the config's defaults applied.
fn exec_options(args: &ExecArgs, defaults: &Defaults, base: &Path) -> Result<ExecOptions> {
    let Some(prompt) = prompt(args.prompt.as_deref(), args.prompt_file.as_deref(), base)? else {
        return Err(super::Usage(
            "no PROMPT given: the prompt goes before `--`; what follows `--` is passed to codex \
             as it is (cxs new exec [OPTIONS] PROMPT [-- AGENT_ARGS...])"
                .to_owned(),
        )
        .into());
    };
    Ok(ExecOptions {
        codex: codex_options(&args.codex, defaults, base)?,
        skip_git_repo_check: args.skip_git_repo_check,
        json: args.json,
        output_last_message: args.output_last_message.as_ref().map(|file| base.join(file)),
        prompt,
        extra: args.extra.clone(),
    })
}

/// The prompt as given: on the command line, `-` for standard input, or `--prompt-file`.
fn prompt(given: Option<&str>, file: Option<&Path>, base: &Path) -> Result<Option<String>> {
    let text = match (given, file) {
        (Some("-"), _) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the prompt from standard input")?;
            text
        }
        (Some(given), _) => return Ok(Some(given.to_owned())),
        (None, Some(file)) => {
            let path = base.join(file);
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the prompt file {}", path.display()))?
        }
        (None, None) => return Ok(None),
    };
    // A file or a pipe ends with a newline that is not part of the prompt.
    Ok(Some(text.strip_suffix('\n').unwrap_or(&text).to_owned()))
}

/// `new repl`'s flags with the config's defaults applied.
fn repl_options(args: &ReplArgs, defaults: &Defaults, base: &Path) -> Result<ReplOptions> {
    Ok(ReplOptions {
        codex: codex_options(&args.codex, defaults, base)?,
        ask_for_approval: args.ask_for_approval,
        search: args.search,
        prompt: prompt(args.prompt.as_deref(), args.prompt_file.as_deref(), base)?,
        extra: args.extra.clone(),
    })
}

/// Codex's shared flags, with cxs's defaults where the user gave neither the flag nor a
/// profile (a profile brings its own model and sandbox, which a default would replace), and
/// images checked and made absolute.
fn codex_options(args: &CodexArgs, defaults: &Defaults, base: &Path) -> Result<CodexOptions> {
    let unprofiled = args.profile.is_none();
    let images = args
        .images
        .iter()
        .map(|image| {
            let path = std::path::absolute(base.join(image))
                .with_context(|| format!("invalid image path '{}'", image.display()))?;
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => Ok(path),
                Ok(_) => bail!("image '{}' is not a file", path.display()),
                Err(_) => bail!("image '{}' does not exist", path.display()),
            }
        })
        .collect::<Result<_>>()?;
    Ok(CodexOptions {
        model: args.model.clone().or_else(|| defaults.model.clone().filter(|_| unprofiled)),
        images,
        sandbox: args.sandbox.or(defaults.sandbox.filter(|_| unprofiled)),
        profile: args.profile.clone(),
        config: args.config.clone(),
        oss: args.oss,
    })
}

/// `-C`, else the configured default (with `~/` expanded), else the current directory.
fn working_dir(new: &NewArgs, defaults: &Defaults, base: &Path) -> Result<PathBuf> {
    let (dir, shown) = match (&new.cd, &defaults.cd) {
        (Some(cd), _) => (base.join(cd), cd.clone()),
        (None, Some(cd)) => {
            let dir = crate::config::expand_home(cd);
            // Relative to where cxs runs, like -C; the runner and tmux start elsewhere.
            (base.join(dir), cd.clone())
        }
        (None, None) => return Ok(base.to_owned()),
    };
    if !dir.is_dir() {
        bail!("working directory '{}' is not a directory", shown.display());
    }
    Ok(dir)
}

/// Claims the requested id, or a fresh petname (retried when one is taken).
fn claim(store: &Store, requested: Option<&SessionId>) -> Result<(SessionId, SessionDir)> {
    if let Some(id) = requested {
        return match store.create(id)? {
            Some(dir) => Ok((id.clone(), dir)),
            None => bail!("session '{id}' already exists"),
        };
    }
    let mut names = petname::Petnames::small();
    // Short words keep ids easy to type and the list narrow.
    names.retain(|word| word.len() <= 6);
    let mut rng = rand::rng();
    for name in names.namer(2, "-").iter(&mut rng).take(100) {
        let id: SessionId = name.parse()?;
        if let Some(dir) = store.create(&id)? {
            return Ok((id, dir));
        }
    }
    bail!("cannot find a free session id; pass one with --id")
}

/// What `start` needs besides the session's id and directory.
pub(super) struct Plan<'a> {
    pub launch: &'a Launch,
    pub cwd: &'a Path,
    pub runner: &'a Path,
    pub max_log: u64,
    /// The user's own Codex notify program, called after cxs's.
    pub chained: Option<Vec<String>>,
    /// The tmux session's name.
    pub name: &'a SessionName,
    /// The caller's umask and limits, for the agent.
    pub caller: Caller,
    /// The git worktree the agent works in, if any.
    pub worktree: Option<&'a Worktree>,
    /// Whether the pane's silences are checked for the agent's waiting signs (agents that
    /// report nothing themselves).
    pub watch_silence: bool,
}

/// Starts the session's tmux session, writing the caller's environment and `sidecar` (put in
/// place only once tmux has the session) meanwhile; `resume` starts a session again this way.
pub(super) fn start(
    tmux: &Tmux,
    id: &SessionId,
    dir: &SessionDir,
    plan: &Plan<'_>,
    sidecar: &Sidecar,
) -> Result<()> {
    let Plan { launch, cwd, runner, max_log, .. } = *plan;
    let command = hidden::runner(runner, dir.path());
    let logger = hidden::log_writer(runner, dir.path(), max_log);
    // tmux works through the chain while the session's files are written: the runner it
    // starts reads them only once the session's lock, held by the caller, is free.
    let on_silence =
        if plan.watch_silence { hidden::silence_check(runner, dir.path()) } else { None };
    let starting = tmux.start(&Start {
        name: plan.name,
        id: id.as_str(),
        kind: launch.kind.as_str(),
        cwd,
        command: &command,
        logger: &logger,
        on_silence: on_silence.as_deref(),
    })?;
    let written = write_files(dir, plan, sidecar);
    let started = starting.finish();
    // The sidecar goes in place only now: a `list` that finds it will find the tmux
    // session too, rather than call a session still starting lost.
    started.and(written)?.commit()
}

/// The caller's environment for the runner, and the sidecar, staged for its place.
fn write_files(dir: &SessionDir, plan: &Plan<'_>, sidecar: &Sidecar) -> Result<StagedSidecar> {
    let extra = plan.launch.env.iter().map(|(k, v)| (k.into(), v.into()));
    let marker = (hidden::MARKER_VAR.into(), dir.path().into());
    let caller = (caller::VAR.into(), plan.caller.encode().into());
    dir.write_env(std::env::vars_os().chain(extra).chain([marker, caller]))?;
    dir.stage(sidecar)
}

/// A new session's sidecar.
fn first_sidecar(id: &SessionId, plan: &Plan<'_>, server: Socket) -> Sidecar {
    let Plan { launch, cwd, .. } = *plan;
    Sidecar {
        version: SIDECAR_VERSION,
        id: id.clone(),
        kind: launch.kind.clone(),
        argv: launch.argv.clone(),
        cwd: cwd.to_owned(),
        created: Utc::now(),
        prompt: launch.prompt.clone(),
        pid: None,
        exit_code: None,
        finished: None,
        turn_ended: None,
        input_sent: None,
        last_message: None,
        chained_notify: plan.chained.clone(),
        server: Some(server),
        worktree: plan.worktree.cloned(),
        conversation: None,
        resumed: 0,
        first: None,
        max_log: Some(plan.max_log),
        transcript: None,
        config: crate::config::path(),
    }
}

/// Notes SIGINT, SIGTERM and SIGHUP instead of dying of them.
pub(super) mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    static CAUGHT: AtomicBool = AtomicBool::new(false);

    /// Starts noting. Handlers, unlike ignored or blocked signals, do not pass to the
    /// programs this process starts (tmux, and through it the agent).
    pub fn catch() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // Without the handler a signal ends `new` at once, as before it was asked for.
            let _ = signal_hook::flag::register(signal, &CAUGHT);
        }
    }

    /// Whether a signal arrived since `catch`.
    pub fn caught() -> bool {
        CAUGHT.load(Ordering::SeqCst)
    }
}

/// Kills the tmux session a failed start made, if it made one (never a user's, never
/// another state directory's).
pub(super) fn undo(tmux: &Tmux, name: &SessionName, id: &SessionId) {
    if let Ok(panes) = tmux.sessions()
        && panes.iter().any(|p| session::owns(name, id.as_str(), p))
    {
        let _ = tmux.kill(&[name]);
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::agent::Sandbox;
    use crate::cli::{Cli, Command};

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
            Command::New(New { kind: NewCommand::Exec(a), .. }) => {
                agent::exec(codex, &exec_options(&a, defaults, tmp.path()).unwrap()).unwrap()
            }
            Command::New(New { kind: NewCommand::Repl(a), .. }) => {
                agent::repl(codex, &repl_options(&a, defaults, tmp.path()).unwrap()).unwrap()
            }
            _ => unreachable!(),
        };
        let base = tmp.path().to_str().unwrap();
        launch.argv.iter().map(|a| format!("{:?}\n", a.replace(base, "[CWD]"))).collect()
    }

    #[test]
    fn attach_is_seen_on_either_side_of_an_agents_name() {
        let attaches = |args: &[&str]| match Cli::try_parse_from(["cxs", "new"].iter().chain(args))
        {
            Ok(Cli { command: Command::New(new), .. }) => super::attaches(&new),
            _ => unreachable!(),
        };
        assert!(attaches(&["--attach", "claude", "hi"]));
        assert!(attaches(&["claude", "--attach", "hi"]));
        assert!(attaches(&["exec", "--attach", "hi"]));
        assert!(!attaches(&["claude", "--", "--attach"]));
        assert!(!attaches(&["cmd", "tool", "--attach"]));
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
    fn a_missing_image_is_named_with_its_normalised_path() {
        let cli = Cli::try_parse_from(["cxs", "new", "exec", "-i", "./nope.png", "p"]).unwrap();
        let Command::New(New { kind: NewCommand::Exec(args), .. }) = cli.command else {
            unreachable!()
        };
        let err = exec_options(&args, &Defaults::default(), Path::new("/w")).unwrap_err();
        assert_eq!(err.to_string(), "image '/w/nope.png' does not exist");
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
    fn config_defaults_never_replace_a_profiles_own() {
        let defaults = Defaults {
            model: Some("o4".into()),
            sandbox: Some(Sandbox::ReadOnly),
            ..Defaults::default()
        };
        insta::assert_snapshot!(argv_with(&["exec", "-p", "fast", "p"], &defaults), @r#"
        "/opt/bin/codex"
        "exec"
        "--profile"
        "fast"
        "--"
        "p"
        "#);
    }

    #[test]
    fn config_needs_a_key() {
        let err = Cli::try_parse_from(["cxs", "new", "exec", "-c", "novalue", "p"]).unwrap_err();
        assert!(err.to_string().contains("expected KEY=VALUE"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn the_prompt_is_always_the_last_argument(prompt in "\\PC{1,200}") {
            let args = ["cxs", "new", "exec", "-m", "o3", prompt.as_str()];
            let Ok(cli) = Cli::try_parse_from(args) else {
                // A prompt that reads as one of exec's flags is a usage error, never an argv.
                return Ok(());
            };
            let Command::New(New { kind: NewCommand::Exec(args), .. }) = cli.command else { unreachable!() };
            let options = exec_options(&args, &Defaults::default(), Path::new("/")).unwrap();
            let launch = agent::exec(Path::new("/c"), &options).unwrap();
            proptest::prop_assert_eq!(&launch.argv[launch.argv.len() - 2..], &["--".to_owned(), prompt]);
        }
    }
}
