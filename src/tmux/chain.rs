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
    fn arguments_ending_in_semicolons_stay_arguments() {
        let chain = Chain::default().cmd(["send-keys", "a;"]).cmd(["x", ";", "b\\;"]);
        let args: Vec<&OsStr> = chain.args.iter().map(OsString::as_os_str).collect();
        assert_eq!(args, ["send-keys", "a\\;", ";", "x", "\\;", "b\\\\;"]);
    }
}
