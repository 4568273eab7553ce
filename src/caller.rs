//! What the caller's process carries besides its environment: its umask and resource limits.
//! `new` passes them to the runner in the private environment file (as [`VAR`], which the
//! runner takes out), and the runner applies them, so the agent gets the caller's, not those
//! of the tmux server (which may have been started long ago, by anyone's shell). They stay
//! out of the sidecar, which every `list` reads.

use std::collections::BTreeMap;

use rustix::fs::Mode;
use rustix::process::{Resource, Rlimit};

/// The variable of the environment file that carries them, `umask=18,nofile=1024,...`.
pub const VAR: &str = "CXS_CALLER";

/// The caller's umask and soft limits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

    /// As the value of [`VAR`].
    pub fn encode(&self) -> String {
        let limits = self.limits.iter().map(|(name, soft)| format!(",{name}={soft}"));
        format!("umask={}{}", self.umask, limits.collect::<String>())
    }

    /// From the value of [`VAR`]; what does not parse is left out.
    pub fn decode(text: &str) -> Self {
        let mut caller = Caller { umask: 0o022, limits: BTreeMap::new() };
        for (name, value) in text.split(',').filter_map(|pair| pair.split_once('=')) {
            match (name, value.parse::<i64>()) {
                ("umask", Ok(umask)) => caller.umask = u32::try_from(umask).unwrap_or(0o022),
                (name, Ok(soft)) => {
                    caller.limits.insert(name.to_owned(), soft);
                }
                _ => {}
            }
        }
        caller
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_back() {
        let caller = Caller::current();
        assert_eq!(Caller::decode(&caller.encode()), caller);
        assert_eq!(Caller::decode("umask=63,nofile=333,bogus").limits["nofile"], 333);
    }
}
