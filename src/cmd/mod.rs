//! One module per verb, each with a `run` function; this one dispatches to them.

mod agents;
mod attach;
mod capture;
mod completions;
mod delete;
mod list;
mod log;
mod logs;
mod new;
mod notify;
mod run;
mod send;
mod status_line;
mod tmux_conf;
mod wait;

use anyhow::Result;
pub use completions::{answer_shell, session_ids};

use crate::cli::{Command, LogArgs, NotifyArgs, RunArgs};
use crate::config::Config;
use crate::session::{self, Selector, Session};
use crate::store::Store;
use crate::tmux::Tmux;

/// What most verbs need: the configuration, the state directory and the tmux server.
pub struct Env {
    /// The user's configuration.
    pub config: Config,
    /// `CXS_HOME`.
    pub store: Store,
    /// The tmux server sessions run on.
    pub tmux: Tmux,
}

impl Env {
    /// Reads the configuration and the environment.
    pub fn load() -> Result<Self> {
        let config = Config::load()?;
        let tmux = Tmux::from_env(config.defaults.tmux_socket.as_deref());
        Ok(Env { config, store: Store::from_env()?, tmux })
    }

    /// Every session, with `waiting` told only by notify hooks (no screens captured).
    pub fn sessions(&self) -> Result<Vec<Session>> {
        session::all(&self.store, &self.tmux, None)
    }

    /// Resolves one selector against a fresh listing.
    pub fn resolve(&self, selector: &Selector) -> Result<Session> {
        let mut sessions = self.sessions()?;
        let index = session::resolve(&sessions, selector)?.index;
        Ok(sessions.swap_remove(index))
    }
}

/// Leave with this exit status and no message (the agent's own status, passed through).
#[derive(Debug)]
pub struct SilentExit(pub u8);

impl std::fmt::Display for SilentExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// The hidden commands cxs starts itself, parsed without building the whole command line:
/// the runner and the log writer start with every session, the notify hook after every turn.
pub fn internal() -> Option<Command> {
    let mut args = std::env::args_os().skip(1);
    let verb = args.next()?;
    let mut next = || args.next().map(std::path::PathBuf::from);
    let command = match verb.to_str()? {
        "__run" => Command::Run(RunArgs { dir: next()? }),
        "__log" => Command::Log(LogArgs { dir: next()?, max: next()?.to_str()?.parse().ok()? }),
        "__notify" => Command::Notify(NotifyArgs {
            dir: next()?,
            event: next()?.into_os_string().into_string().ok()?,
        }),
        _ => return None,
    };
    // Anything unexpected goes to clap, which explains it.
    args.next().is_none().then_some(command)
}

/// Runs one verb.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New(new) => new::run(&new),
        Command::List(args) => list::run(&args),
        Command::Attach(args) => attach::run(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Delete(args) => delete::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Wait(args) => wait::run(&args),
        Command::Capture(args) => capture::run(&args),
        Command::Agents => agents::run(),
        Command::TmuxConf(args) => tmux_conf::run(&args),
        Command::StatusLine => status_line::run(),
        Command::Completions(args) => completions::run(&args),
        Command::Man => completions::man(),
        Command::Run(args) => run::run(&args),
        Command::Log(args) => log::run(&args),
        Command::Notify(args) => notify::run(&args),
    }
}
