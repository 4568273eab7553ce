//! Terminal output made plain: escape sequences removed and carriage-return redraws
//! resolved to what the line finally showed.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// CSI, OSC, string controls (DCS, SOS, PM, APC), other escapes, a lone ESC, and stray
/// control bytes. Byte-oriented (`(?-u)`): logs need not be UTF-8.
static ESCAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u)\x1b\[[0-?]*[ -/]*[@-~]",
        r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?",
        r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?",
        r"|\x1b[ -/]*[0-~]",
        r"|\x1b",
        r"|[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]",
    ))
    .expect("escape pattern is valid")
});

/// Turns a stream of terminal bytes into plain lines, one chunk at a time.
#[derive(Debug, Default)]
pub struct Plain {
    partial: Vec<u8>,
}

impl Plain {
    /// Feeds `bytes`, returning the plain text of every line they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.partial.extend_from_slice(bytes);
        let Some(end) = self.partial.iter().rposition(|b| *b == b'\n') else {
            return Vec::new();
        };
        let rest = self.partial.split_off(end + 1);
        let complete = std::mem::replace(&mut self.partial, rest);
        let mut out = Vec::with_capacity(complete.len());
        for line in complete[..complete.len() - 1].split(|b| *b == b'\n') {
            out.extend_from_slice(&plain_line(line));
            out.push(b'\n');
        }
        out
    }

    /// The plain text of what is left: a last line without a newline.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.partial);
        if rest.is_empty() { rest } else { plain_line(&rest) }
    }
}

/// One line (without its `\n`) as it finally showed on the terminal.
fn plain_line(line: &[u8]) -> Vec<u8> {
    let line = ESCAPES.replace_all(line, &b""[..]);
    let line = line.strip_suffix(b"\r").unwrap_or(&line);
    if !line.contains(&b'\r') {
        return line.to_vec();
    }
    // A carriage return moves to column 0 and what follows overwrites what was there.
    let mut shown: Vec<char> = Vec::new();
    for segment in String::from_utf8_lossy(line).split('\r') {
        for (column, c) in segment.chars().enumerate() {
            match shown.get_mut(column) {
                Some(slot) => *slot = c,
                None => shown.push(c),
            }
        }
    }
    shown.into_iter().collect::<String>().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(bytes: &[u8]) -> String {
        let mut p = Plain::default();
        let mut out = p.feed(bytes);
        out.extend(p.finish());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn removes_colors_and_titles() {
        assert_eq!(plain(b"\x1b[1;31mred\x1b[0m text\r\n"), "red text\n");
        assert_eq!(plain(b"\x1b]0;title\x07after\n"), "after\n");
        assert_eq!(plain(b"\x1b[?2004hbracketed\x1b(B\x1b=\n"), "bracketed\n");
    }

    #[test]
    fn resolves_carriage_return_redraws() {
        assert_eq!(plain(b"10%\r50%\r100%\n"), "100%\n");
        assert_eq!(plain(b"abcdef\rXY\n"), "XYcdef\n");
        assert_eq!(plain(b"\r\x1b[2Kdone\r\n"), "done\n");
    }

    #[test]
    fn holds_partial_lines_until_complete() {
        let mut p = Plain::default();
        assert_eq!(p.feed(b"hel"), b"");
        assert_eq!(p.feed(b"lo\nwor"), b"hello\n");
        assert_eq!(p.finish(), b"wor");
    }

    #[test]
    fn keeps_non_ascii_text() {
        assert_eq!(plain("héllo 世界\n".as_bytes()), "héllo 世界\n");
    }
}
