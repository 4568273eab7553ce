//! What the caller's process carries besides its environment: its umask and resource limits.
//! `new` records them and the runner applies them, so the agent gets the caller's, not those
//! of the tmux server (which may have been started long ago, by anyone's shell).

use std::collections::BTreeMap;

use rustix::fs::Mode;
use rustix::process::{Resource, Rlimit};
use serde::{Deserialize, Serialize};

/// The caller's umask and soft limits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Caller {
    /// The file creation mask.
    pub umask: u32,
    /// Soft limits by name (`nofile`, `core`, ...); -1 is unlimited.
    pub limits: BTreeMap<String, i64>,
}

/// The limits carried over, by the names the sidecar uses.
const LIMITS: &[(&str, Resource)] = &[
    ("as", Resource::As),
    ("core", Resource::Core),
    ("cpu", Resource::Cpu),
    ("data", Resource::Data),
    ("fsize", Resource::Fsize),
    ("memlock", Resource::Memlock),
    ("nofile", Resource::Nofile),
    ("nproc", Resource::Nproc),
    ("stack", Resource::Stack),
];

impl Caller {
    /// This process's umask and soft limits.
    pub fn current() -> Self {
        // umask can only be read by setting it: set it back at once.
        let umask = rustix::process::umask(Mode::from_raw_mode(0o022));
        rustix::process::umask(umask);
        let limits = LIMITS
            .iter()
            .map(|(name, resource)| {
                let soft = rustix::process::getrlimit(*resource).current;
                ((*name).to_owned(), soft.map_or(-1, |n| i64::try_from(n).unwrap_or(-1)))
            })
            .collect();
        Caller { umask: umask.as_raw_mode(), limits }
    }

    /// Makes them this process's (the runner's, which its agent inherits): each soft limit
    /// as far as this process's hard limit allows.
    pub fn apply(&self) {
        rustix::process::umask(Mode::from_raw_mode(self.umask));
        for (name, resource) in LIMITS {
            let Some(soft) = self.limits.get(*name) else {
                continue;
            };
            let Rlimit { maximum, .. } = rustix::process::getrlimit(*resource);
            let wanted = u64::try_from(*soft).ok();
            let current = match (wanted, maximum) {
                (Some(w), Some(max)) => Some(w.min(max)),
                (Some(w), None) => Some(w),
                (None, max) => max,
            };
            // A limit that cannot be set leaves the server's, as before.
            let _ = rustix::process::setrlimit(*resource, Rlimit { current, maximum });
        }
    }
}
