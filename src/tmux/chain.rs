//! tmux command chains: several commands in one invocation, run in order.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// tmux commands that one invocation runs in order, joined by `;`.
#[derive(Debug, Default)]
pub struct Chain {
    pub(super) args: Vec<OsString>,
}

impl Chain {
    /// Appends one command.
    pub fn cmd<I, S>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        if !self.args.is_empty() {
            self.args.push(";".into());
        }
        self.args.extend(words.into_iter().map(|w| escape_arg(w.as_ref())));
        self
    }

    /// The chain as several, each small enough for one tmux call: tmux refuses a command
    /// message past 16 KiB ("command too long"), which a chain over hundreds of sessions
    /// reaches. Commands are never split; their order is kept.
    pub fn split(self) -> Vec<Chain> {
        const BUDGET: usize = 12 * 1024;
        let mut chains = vec![Chain::default()];
        let mut size = 0;
        for command in self.args.split(|arg| arg == ";") {
            let bytes: usize = command.iter().map(|arg| arg.len() + 1).sum();
            if size + bytes > BUDGET && size > 0 {
                chains.push(Chain::default());
                size = 0;
            }
            let chain = chains.last_mut().expect("one chain at least");
            if !chain.args.is_empty() {
                chain.args.push(";".into());
            }
            chain.args.extend(command.iter().cloned());
            size += bytes + 2;
        }
        chains
    }
}

/// tmux reads an argument ending in `;` as a command separator, unless that `;` is
/// escaped with a backslash (which tmux then drops).
fn escape_arg(arg: &OsStr) -> OsString {
    let bytes = arg.as_bytes();
    match bytes.split_last() {
        Some((b';', head)) => {
            let mut escaped = head.to_vec();
            escaped.extend_from_slice(b"\\;");
            OsString::from_vec(escaped)
        }
        _ => arg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_chains_split_between_commands() {
        let long = "x".repeat(5000);
        let chain = (0..5).fold(Chain::default(), |c, _| c.cmd(["a", long.as_str()]));
        let parts = chain.split();
        assert_eq!(parts.len(), 3);
        let commands: usize =
            parts.iter().map(|p| p.args.iter().filter(|a| *a == "a").count()).sum();
        assert_eq!(commands, 5);
        assert!(parts.iter().all(|p| p.args.first().is_some_and(|a| a == "a")));
        assert!(parts.iter().all(|p| p.args.last().is_some_and(|a| a != ";")));
    }

    #[test]
    fn arguments_ending_in_semicolons_stay_arguments() {
        let chain = Chain::default().cmd(["send-keys", "a;"]).cmd(["x", ";", "b\\;"]);
        let args: Vec<&OsStr> = chain.args.iter().map(OsString::as_os_str).collect();
        assert_eq!(args, ["send-keys", "a\\;", ";", "x", "\\;", "b\\\\;"]);
    }
}
