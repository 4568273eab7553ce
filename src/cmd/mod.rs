//! One module per verb, each with a `run` function; this one dispatches to them.

mod agents;
mod attach;
mod capture;
mod check;
mod claude_hook;
mod completions;
mod delete;
mod diff;
mod events;
mod hosts;
mod list;
mod log_writer;
mod logs;
mod merge;
mod new;
mod notify_hook;
mod rename;
mod resume;
mod runner;
mod send;
mod status_line;
mod tmux_conf;
mod usage;
mod wait;

use anyhow::Result;
use clap::Parser;
pub use completions::answer_shell;

use crate::cli::{Cli, Command};
use crate::hidden::Hidden;
use crate::remote::Input;
use crate::session::Selector;

/// A mistake on the command line that clap cannot see: printed as an error, exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Leave with this exit status and no message (the agent's own status, passed through).
#[derive(Debug)]
pub struct SilentExit(pub u8);

impl std::fmt::Display for SilentExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// Runs one of the commands cxs starts itself.
pub fn run_hidden(hidden: Hidden) -> Result<()> {
    match hidden {
        Hidden::Run { dir } => runner::run(dir),
        Hidden::Log { dir, max } => log_writer::run(dir, max),
        Hidden::Notify { dir, event } => notify_hook::run(dir, &event),
        Hidden::HookRun { limit_ms, argv } => {
            crate::events::run_hook_to_end(&argv, std::time::Duration::from_millis(limit_ms))
        }
        Hidden::Check { dir, name } => {
            check::run(dir, name);
            Ok(())
        }
        Hidden::Remote { source, host, args } => {
            for (name, value) in crate::remote::take_values(&source)? {
                // SAFETY: no other thread runs yet: this is the start of the far end's main.
                unsafe { std::env::set_var(name, value) };
            }
            // Parsed as the other side parsed it; only where the command runs differs.
            let mut cli = Cli::parse_from(std::iter::once("cxs".into()).chain(args));
            cli.command.localize(&host);
            run(cli.command)
        }
        Hidden::Hook { dir } => {
            claude_hook::run(dir);
            Ok(())
        }
    }
}

/// Runs a parsed command line: here, or on the host that `--host`, a `HOST:ID` selector or
/// `CXS_HOST` names.
pub fn run_cli(mut cli: Cli) -> Result<()> {
    let usage = |message: String| -> Result<()> { Err(Usage(message).into()) };
    if let Some(verb) = runs_here(&cli.command) {
        if cli.host.is_some() || !cli.forward.is_empty() {
            return usage(format!("`{verb}` runs here: drop --host and --env"));
        }
        return run(cli.command);
    }
    let selectors = cli.command.selectors();
    let mut qualified = selectors.iter().filter(|s| matches!(s, Selector::OnHost(..)));
    let first = qualified.next();
    let on_host = first.map(|s| match s {
        Selector::OnHost(host, _) => host.clone(),
        _ => unreachable!("only HOST:ID selectors are kept"),
    });
    if let Some(host) = &on_host {
        let one_host = |s: &Selector| matches!(s, Selector::OnHost(h, _) if h == host);
        if let Some(other) = selectors.iter().find(|s| !one_host(s)) {
            let first = first.map(ToString::to_string).unwrap_or_default();
            return usage(format!("one host per command: '{first}' and '{other}'"));
        }
        if let Some(given) = cli.host.as_deref().filter(|given| given != host) {
            return usage(format!("--host {given}, and a session on '{host}'"));
        }
    }
    let host =
        on_host.or(cli.host).or_else(|| std::env::var("CXS_HOST").ok().filter(|h| !h.is_empty()));
    let Some(host) = host else {
        if !cli.forward.is_empty() {
            return usage(
                "--env forwards to a host: give --host NAME or a HOST:ID selector".to_owned(),
            );
        }
        return run(cli.command);
    };
    // What the command does with standard input decides what ssh is given of it.
    let raw: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let input = match &cli.command {
        Command::Attach(_) => Input::Terminal,
        Command::New(new) if new::attaches(new) => Input::Terminal,
        _ if raw.iter().any(|arg| arg == "-") => Input::Read,
        _ => Input::Unused,
    };
    let env = crate::env::Env::load()?;
    let sockets = env.store.ssh_sockets();
    let host = crate::remote::Host::find(&env.config, &host, &sockets)?;
    match crate::remote::run(&host, &raw, &cli.forward, input)? {
        0 => Ok(()),
        code => Err(SilentExit(u8::try_from(code).unwrap_or(1)).into()),
    }
}

/// The verb, when a command is about this machine whatever host is set: the hosts
/// themselves, views of every host (`--all`), and what this shell and tmux are given.
fn runs_here(command: &Command) -> Option<&'static str> {
    match command {
        Command::Hosts(_) => Some("hosts"),
        Command::List(args) if args.all => Some("list --all"),
        Command::Events(args) if args.all => Some("events --all"),
        Command::StatusLine(args) if args.all => Some("status-line --all"),
        Command::Completions(_) => Some("completions"),
        Command::Man(_) => Some("man"),
        Command::TmuxConf(_) => Some("tmux-conf"),
        _ => None,
    }
}

/// Runs one verb.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New(new) => new::run(new),
        Command::List(args) => list::run(&args),
        Command::Attach(args) => attach::run(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Delete(args) => delete::run(&args),
        Command::Resume(args) => resume::run(&args),
        Command::Events(args) => events::run(&args),
        Command::Rename(args) => rename::run(&args),
        Command::Usage(args) => usage::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Wait(args) => wait::run(&args),
        Command::Capture(args) => capture::run(&args),
        Command::Agents => agents::run(),
        Command::TmuxConf(args) => tmux_conf::run(&args),
        Command::StatusLine(args) => status_line::run(&args),
        Command::Hosts(args) => hosts::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => completions::man(&args),
    }
}
