//! Quoting for the shells tmux starts, and for tmux itself, which expands formats (`#{...}`)
//! and strftime sequences (`%`) in the shell commands it runs (`pipe-pane`, `run-shell`).
//! Plain single quotes read the same in a user's fish as in sh; words for a remote POSIX
//! shell over ssh are shlex's (`remote.rs`).

use std::ffi::OsString;

use anyhow::{Result, bail};

/// `arg` as one single-quoted shell word, byte for byte.
pub fn sh_single(arg: &[u8]) -> Vec<u8> {
    let mut word = Vec::with_capacity(arg.len() + 2);
    word.push(b'\'');
    for &byte in arg {
        match byte {
            b'\'' => word.extend_from_slice(b"'\\''"),
            _ => word.push(byte),
        }
    }
    word.push(b'\'');
    word
}

/// `argv` as a person would type it, for traces and errors: words with characters special
/// to the shell single-quoted.
pub fn sh_display(argv: &[OsString]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=.,/:@%+#{}".contains(c);
    let words: Vec<String> = argv
        .iter()
        .map(|arg| {
            let arg = arg.to_string_lossy();
            if !arg.is_empty() && arg.chars().all(plain) {
                arg.into_owned()
            } else {
                String::from_utf8_lossy(&sh_single(arg.as_bytes())).into_owned()
            }
        })
        .collect();
    words.join(" ")
}

/// `bytes` with `#` and `%` doubled, so tmux passes them through its expansion unchanged.
pub fn tmux_literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        if matches!(byte, b'#' | b'%') {
            out.push(byte);
        }
        out.push(byte);
    }
    out
}

/// `text` as one double-quoted shell word, fit to sit inside a tmux binding's single-quoted
/// command (so it cannot hold a single quote), with tmux's format character doubled.
pub fn sh_double_in_tmux(text: &str) -> Result<String> {
    if text.contains('\'') {
        bail!("cannot put '{text}' in a tmux binding: it contains a single quote");
    }
    let mut word = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' | '$' | '`' => {
                word.push('\\');
                word.push(c);
            }
            '#' => word.push_str("##"),
            _ => word.push(c),
        }
    }
    word.push('"');
    Ok(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traced_commands_can_be_pasted_into_a_shell() {
        let argv: Vec<OsString> = ["-L", "s", "new-session", ";", "a b", "it's", "#{x}"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(sh_display(&argv), r"-L s new-session ';' 'a b' 'it'\''s' #{x}");
    }

    #[test]
    fn words_are_quoted_for_shell_and_tmux() {
        assert_eq!(sh_double_in_tmux("/a b/$x`#1\"").unwrap(), r#""/a b/\$x\`##1\"""#);
        assert!(sh_double_in_tmux("it's").is_err());
        assert_eq!(tmux_literal(b"#{x} %s"), b"##{x} %%s");
    }
}
