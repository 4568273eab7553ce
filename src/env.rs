//! What most verbs need, read once: the configuration, the state directory and the tmux
//! server cxs is set to use for new sessions.

use anyhow::Result;
use clap_complete::CompletionCandidate;

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

    /// Every session, with `waiting` also told from the screens of agents that have patterns
    /// for it (one capture per such session, in the listing's tmux call).
    pub fn sessions_with_screens(&self) -> Result<Vec<Session>> {
        let agents = crate::catalog::all(&self.config)?;
        session::all(&self.store, &self.tmux, Some(&agents))
    }

    /// Resolves one selector against a fresh listing.
    pub fn resolve(&self, selector: &Selector) -> Result<Session> {
        let mut sessions = self.sessions()?;
        let index = session::resolve(&sessions, selector)?.index;
        Ok(sessions.swap_remove(index))
    }
}

/// Session ids for the shell to offer, newest first, each with its status and prompt.
pub fn session_ids() -> Vec<CompletionCandidate> {
    let Ok(sessions) = Env::load().and_then(|env| env.sessions()) else {
        return Vec::new();
    };
    sessions
        .into_iter()
        .map(|s| {
            let prompt = s.sidecar.as_ref().ok().and_then(|c| c.prompt.clone()).unwrap_or_default();
            let help = format!("{} {}", s.status, prompt.chars().take(40).collect::<String>());
            CompletionCandidate::new(s.id).help(Some(help.trim_end().to_owned().into()))
        })
        .collect()
}
