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
    pub fn sessions_with_screens(&self, agents: &[crate::catalog::Agent]) -> Result<Vec<Session>> {
        session::all(&self.store, &self.tmux, Some(agents))
    }

    /// Resolves one selector against a fresh listing.
    pub fn resolve(&self, selector: &Selector) -> Result<Session> {
        let mut sessions = self.sessions()?;
        let index = session::resolve(&sessions, selector)?.index;
        Ok(sessions.swap_remove(index))
    }
}

/// Session ids for the shell to offer, newest first, each with its status and prompt; then
/// every configured host's as `HOST:ID` (each host asked at once, briefly).
pub fn session_ids() -> Vec<CompletionCandidate> {
    let Ok(env) = Env::load() else {
        return Vec::new();
    };
    let candidate = |id: String, status: &str, prompt: &str| {
        let help = format!("{status} {}", prompt.chars().take(40).collect::<String>());
        CompletionCandidate::new(id).help(Some(help.trim_end().to_owned().into()))
    };
    // Under CXS_HOST, a bare id is that host's.
    let here = std::env::var("CXS_HOST").ok().filter(|h| env.config.hosts.contains_key(h));
    let mut candidates: Vec<CompletionCandidate> = Vec::new();
    if here.is_none() {
        candidates.extend(env.sessions().unwrap_or_default().into_iter().map(|s| {
            let prompt = s.sidecar.as_ref().ok().and_then(|c| c.prompt.clone()).unwrap_or_default();
            candidate(s.id, &s.status.to_string(), &prompt)
        }));
    }
    let sockets = env.store.ssh_sockets();
    let hosts = crate::remote::Host::all(&env.config, &sockets);
    for (host, listed) in crate::remote::listings::<serde_json::Value>(&hosts, COMPLETION_LIMIT) {
        for row in &listed.unwrap_or_default() {
            let text = |key: &str| row[key].as_str().unwrap_or_default();
            let Some(id) = row["id"].as_str() else { continue };
            if here.as_deref() == Some(host.as_str()) {
                candidates.push(candidate(id.to_owned(), text("status"), text("prompt")));
            }
            candidates.push(candidate(format!("{host}:{id}"), text("status"), text("prompt")));
        }
    }
    candidates
}

/// How long completion waits for a host: a shell waiting longer feels broken.
const COMPLETION_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);
