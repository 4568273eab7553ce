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
pub use completions::answer_shell;

use crate::cli::{Cli, Command};
use crate::hidden::Hidden;
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
        Hidden::Env { source, args } => crate::remote::run_with_env(&source, &args),
        Hidden::Hook { dir } => {
            claude_hook::run(dir);
            Ok(())
        }
    }
}

/// Runs a parsed command line: here, or on the host that `--host`, a `HOST:ID` selector or
/// `CXS_HOST` names.
pub fn run_cli(cli: Cli) -> Result<()> {
    let selectors = cli.command.selectors();
    let mut named = selectors.iter().filter_map(|s| match s {
        Selector::OnHost(host, _) => Some(host.as_str()),
        _ => None,
    });
    let on_host = named.next();
    if let Some(other) = named.find(|h| Some(*h) != on_host) {
        return Err(Usage(format!(
            "one host per command: '{}' and '{other}'",
            on_host.unwrap_or_default()
        ))
        .into());
    }
    if let Some(host) = on_host {
        if let Some(local) = selectors.iter().find(|s| !matches!(s, Selector::OnHost(..))) {
            return Err(Usage(format!(
                "'{local}' is here and the other sessions are on '{host}': one host per command"
            ))
            .into());
        }
        if let Some(given) = cli.host.as_deref().filter(|given| *given != host) {
            return Err(Usage(format!("--host {given}, and a session on '{host}'")).into());
        }
    }
    let host = on_host
        .map(str::to_owned)
        .or(cli.host)
        .or_else(|| std::env::var("CXS_HOST").ok().filter(|h| !h.is_empty()));
    let Some(host) = host else {
        if !cli.forward.is_empty() {
            return Err(Usage(
                "--env forwards to a host: give --host NAME or a HOST:ID selector".to_owned(),
            )
            .into());
        }
        return run(cli.command);
    };
    let qualified: Vec<Selector> =
        selectors.into_iter().filter(|s| matches!(s, Selector::OnHost(..))).collect();
    let tty = match &cli.command {
        Command::Attach(_) => true,
        Command::New(new) => new.options.attach,
        _ => false,
    };
    let env = crate::env::Env::load()?;
    let sockets = env.store.ssh_sockets();
    let host = crate::remote::Host::find(&env.config, &host, &sockets)?;
    let args = crate::remote::forwarded_args(std::env::args_os().skip(1), &qualified);
    match crate::remote::run(&host, &args, &cli.forward, tty)? {
        0 => Ok(()),
        code => Err(SilentExit(u8::try_from(code).unwrap_or(1)).into()),
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
