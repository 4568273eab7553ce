//! A pane's logged output as the text a person saw: [`Plain`] for programs that print lines
//! (escape sequences removed, carriage-return redraws resolved), [`Screen`] for TUIs, which
//! draw with cursor movements only a terminal emulator can follow.

use std::num::NonZeroU16;
use std::sync::LazyLock;

use regex::bytes::Regex;
use vt100::capture::{BasicFormattedCaptureRange, BasicFormattedCaptureState, RowContents};

/// One escape sequence at the start of the text: CSI, OSC, string controls (DCS, SOS, PM,
/// APC), other escapes, or a lone ESC. Anchored, so matching costs only the sequence's own
/// bytes; byte-oriented (`(?-u)`), since logs need not be UTF-8.
static ESCAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u)^(?:\x1b\[[0-?]*[ -/]*[@-~]",
        r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?",
        r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?",
        r"|\x1b[ -/]*[0-~]",
        r"|\x1b)",
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
        // Only the new bytes are searched: a progress bar that never prints a newline must
        // not make each chunk rescan all that came before.
        let Some(at) = memchr::memrchr(b'\n', bytes) else {
            self.partial.extend_from_slice(bytes);
            self.compact();
            return Vec::new();
        };
        let end = self.partial.len() + at;
        self.partial.extend_from_slice(bytes);
        let rest = self.partial.split_off(end + 1);
        let complete = std::mem::replace(&mut self.partial, rest);
        let mut out = Vec::with_capacity(complete.len());
        let body = &complete[..complete.len() - 1];
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', body).chain([body.len()]) {
            let line = &body[start..end];
            start = end + 1;
            out.extend_from_slice(&plain_line(line));
            out.push(b'\n');
        }
        out
    }

    /// Keeps a line that never ends (a progress bar redrawn with `\r`) small: what its
    /// redraws already overwrote is resolved now, so memory stays bounded.
    fn compact(&mut self) {
        const LIMIT: usize = 1 << 20;
        if self.partial.len() < LIMIT {
            return;
        }
        // Up to the last `\r` the line is final but for what later text overwrites; an escape
        // sequence cut by the chunk's end lies after it and is kept as it is.
        let Some(cr) = memchr::memrchr(b'\r', &self.partial) else {
            return;
        };
        let mut resolved = plain_line(&self.partial[..cr]);
        resolved.extend_from_slice(&self.partial[cr..]);
        self.partial = resolved;
    }

    /// The plain text of what is left: a last line without a newline.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.partial);
        if rest.is_empty() { rest } else { plain_line(&rest) }
    }
}

/// One line (without its `\n`) as it finally showed on the terminal.
fn plain_line(line: &[u8]) -> Vec<u8> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(last) = memchr::memrchr(b'\r', line) else {
        return without_escapes(line).into_owned();
    };
    // A carriage return moves to column 0 and what follows overwrites what was there: each
    // column shows the last segment that reached it. So segments are read from the last, and
    // an earlier one only adds the columns past all the later ones. A segment has at least as
    // many bytes as it shows columns, so one no longer than what is already shown is skipped
    // unread: a progress bar redrawn a million times costs one `memchr` pass, escapes or not.
    let mut shown = Shown::default();
    shown.overlay(&line[last + 1..]);
    let mut end = last;
    for cr in memchr::memrchr_iter(b'\r', &line[..last]).chain([usize::MAX]) {
        let segment = &line[cr.wrapping_add(1)..end];
        end = cr;
        if segment.len() > shown.columns {
            shown.overlay(segment);
        }
    }
    shown.text
}

/// `line` without escape sequences and stray control bytes (tabs, backspaces, newlines and
/// carriage returns stay).
fn without_escapes(line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    // Most lines hold no escape or control byte, and are returned as they are.
    if !line.iter().any(|&b| removed(b)) {
        return line.into();
    }
    let mut out = Vec::with_capacity(line.len());
    strip_into(line, &mut out);
    out.into()
}

/// Appends `line` without escape sequences and stray control bytes to `out`.
fn strip_into(line: &[u8], out: &mut Vec<u8>) {
    let mut at = 0;
    while at < line.len() {
        if line[at] == 0x1b {
            at += escape_len(&line[at..]);
        } else if removed(line[at]) {
            at += 1;
        } else {
            let next = line[at..].iter().position(|&b| removed(b)).map_or(line.len(), |n| at + n);
            out.extend_from_slice(&line[at..next]);
            at = next;
        }
    }
}

/// The length of the escape sequence `text` starts with (an ESC).
fn escape_len(text: &[u8]) -> usize {
    // CSI (colours, cursor moves) is nearly every escape a log holds, and is read here
    // without the regex's per-search set-up; the regex stays the definition of the rest.
    if let [0x1b, b'[', rest @ ..] = text {
        let params = rest.iter().position(|b| !(0x30..=0x3f).contains(b)).unwrap_or(rest.len());
        let inter = rest[params..].iter().position(|b| !(0x20..=0x2f).contains(b));
        if let Some(inter) = inter
            && (0x40..=0x7e).contains(&rest[params + inter])
        {
            return 2 + params + inter + 1;
        }
    }
    ESCAPE.find(text).map_or(1, |m| m.end())
}

/// Whether `byte` is an escape's start or a control byte that shows nothing.
fn removed(byte: u8) -> bool {
    matches!(byte, 0x00..=0x07 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f)
}

/// The text of a line being resolved from its last carriage-return segment back.
#[derive(Default)]
struct Shown {
    text: Vec<u8>,
    /// Columns (characters) in `text`.
    columns: usize,
    scratch: Vec<u8>,
}

impl Shown {
    /// Adds what `segment` shows past the columns already shown.
    fn overlay(&mut self, segment: &[u8]) {
        // Stripped into a buffer kept across segments: no allocation per redraw.
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        strip_into(segment, &mut scratch);
        self.add(&scratch);
        self.scratch = scratch;
    }

    /// Adds what the escape-free `segment` shows past the columns already shown.
    fn add(&mut self, segment: &[u8]) {
        if segment.is_ascii() {
            // A byte is a column: no decoding needed.
            if segment.len() > self.columns {
                self.text.extend_from_slice(&segment[self.columns..]);
                self.columns = segment.len();
            }
            return;
        }
        let segment = String::from_utf8_lossy(segment);
        for c in segment.chars().skip(self.columns) {
            let mut buf = [0; 4];
            self.text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            self.columns += 1;
        }
    }
}

/// How `logs` prints a log: as logged, as plain lines, or as a TUI's screens showed it.
pub enum Render {
    /// The bytes as logged.
    Raw,
    /// Lines with escapes removed.
    Plain(Plain),
    /// Through a terminal emulator (boxed: its screen is large).
    Screen(Box<Screen>),
}

impl Render {
    /// What `bytes` add to the output.
    pub fn feed<'a>(&mut self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        match self {
            Render::Raw => bytes.into(),
            Render::Plain(plain) => plain.feed(bytes).into(),
            Render::Screen(screen) => screen.feed(bytes).into(),
        }
    }

    /// What is left at the end: a last line without a newline, or the final screen.
    pub fn finish(&mut self) -> Vec<u8> {
        match self {
            Render::Raw => Vec::new(),
            Render::Plain(plain) => plain.finish(),
            Render::Screen(screen) => screen.finish(),
        }
    }

    /// What can be shown while more may come: a prompt still waiting for its newline. A
    /// screen is shown once, at the end.
    pub fn pending(&mut self) -> Vec<u8> {
        match self {
            Render::Plain(plain) => plain.finish(),
            Render::Raw | Render::Screen(_) => Vec::new(),
        }
    }
}

/// Turns a TUI's output into text through a terminal emulator of the pane's size: each line
/// as it scrolls off the top of the screen, then what the screen finally shows.
pub struct Screen {
    parser: vt100::Parser<Scrolled>,
    /// The start of a clear-screen sequence that the last chunk ended in.
    carry: Vec<u8>,
    /// Text after the last newline handed out: its row may still wrap into the next one, so
    /// its trailing blanks are not known to be blank cells yet.
    pending: String,
}

/// Clears the screen. tmux (`scroll-on-clear`) keeps what was on the main screen in its
/// history, so the text a person can scroll back to includes it.
const CLEAR: &[u8] = b"\x1b[2J";

/// Rows that scrolled off, as the emulator reports them, in vt100's basic format.
#[derive(Default)]
struct Scrolled {
    text: String,
    state: BasicFormattedCaptureState,
}

impl vt100::Callbacks for Scrolled {
    fn on_scroll(&mut self, row: RowContents<'_>, _alternate_screen: bool) {
        // Writing into a String cannot fail.
        let _ = row.write_formatted_basic(&mut self.text, &mut self.state);
    }
}

impl Screen {
    /// An emulator of `rows` by `cols`; no scrollback is kept, since every row that leaves
    /// the screen is handed out as it goes.
    pub fn new(rows: u16, cols: u16) -> Self {
        let size = |n: u16, default| NonZeroU16::new(n).unwrap_or(default);
        let (rows, cols) =
            (size(rows, vt100::Parser::DEFAULT_ROWS), size(cols, vt100::Parser::DEFAULT_COLS));
        let parser = vt100::Parser::new_with_callbacks(rows, cols, 0, Scrolled::default());
        Screen { parser, carry: Vec::new(), pending: String::new() }
    }

    /// Feeds `bytes`, returning the text of the rows they pushed off the screen (or cleared
    /// from the main screen).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut input = std::mem::take(&mut self.carry);
        input.extend_from_slice(bytes);
        let mut rest = &input[..];
        while let Some(at) = rest.windows(CLEAR.len()).position(|w| w == CLEAR) {
            self.parser.process(&rest[..at]);
            if !self.parser.screen().alternate_screen() {
                self.keep_screen();
            }
            self.parser.process(CLEAR);
            rest = &rest[at + CLEAR.len()..];
        }
        // A clear split between two chunks is seen whole with the next one.
        let held = (1..CLEAR.len()).rev().find(|n| rest.ends_with(&CLEAR[..*n])).unwrap_or(0);
        self.parser.process(&rest[..rest.len() - held]);
        self.carry = rest[rest.len() - held..].to_vec();
        self.take_scrolled();
        // Whole lines go out; the last one waits for its newline.
        let Some(end) = self.pending.rfind('\n') else {
            return Vec::new();
        };
        let rest = self.pending.split_off(end + 1);
        trim_rows(&std::mem::replace(&mut self.pending, rest))
    }

    /// The screen as it shows now, without the blank rows below its last text.
    pub fn finish(&mut self) -> Vec<u8> {
        let carry = std::mem::take(&mut self.carry);
        self.parser.process(&carry);
        self.keep_screen();
        self.take_scrolled();
        let text = std::mem::take(&mut self.pending);
        let mut plain = trim_rows(text.trim_end_matches([' ', '\n']));
        if !plain.is_empty() {
            plain.push(b'\n');
        }
        plain
    }

    /// Moves what the emulator handed out, as plain text, to `pending`.
    fn take_scrolled(&mut self) {
        let formatted = std::mem::take(&mut self.parser.callbacks_mut().text);
        self.pending.extend(vt100::capture::basic_formatted_to_plain(&formatted));
    }

    /// Adds the screen's rows, up to its last text, to what has scrolled off.
    fn keep_screen(&mut self) {
        let (screen, scrolled) = self.parser.screen_and_callbacks_mut();
        if screen.contents().trim().is_empty() {
            return;
        }
        let mut rows = String::new();
        // Writing into a String cannot fail.
        let _ = screen.write_contents_formatted_basic(
            &mut rows,
            BasicFormattedCaptureRange::Full(&mut scrolled.state),
        );
        // Blank rows below the text are no line anyone saw.
        let text = rows.trim_end_matches([' ', '\n']);
        scrolled.text.push_str(text);
    }
}

/// `text`'s lines without the blank cells a TUI leaves at the end of its rows.
fn trim_rows(text: &str) -> Vec<u8> {
    let lines: Vec<&str> = text.split('\n').map(|line| line.trim_end_matches(' ')).collect();
    lines.join("\n").into_bytes()
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
    fn a_line_that_never_ends_stays_small() {
        let mut p = Plain::default();
        for i in 0..200_000 {
            let colour = if i % 7 == 0 { "\x1b[32m" } else { "" };
            assert!(p.feed(format!("\r{colour}[{:>6}] {}%", i, i % 101).as_bytes()).is_empty());
            assert!(p.partial.len() < 2 << 20);
        }
        // "100%" drawn earlier leaves its last column, as on a terminal.
        assert_eq!(p.finish(), b"[199999] 19%%");
    }

    #[test]
    fn holds_partial_lines_until_complete() {
        let mut p = Plain::default();
        assert_eq!(p.feed(b"hel"), b"");
        assert_eq!(p.feed(b"lo\nwor"), b"hello\n");
        assert_eq!(p.finish(), b"wor");
    }

    fn screen(bytes: &[u8], rows: u16, cols: u16) -> String {
        let mut screen = Screen::new(rows, cols);
        let mut out = Vec::new();
        for chunk in bytes.chunks(3) {
            out.extend(screen.feed(chunk));
        }
        out.extend(screen.finish());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_tui_reads_as_it_showed() {
        // Words placed by cursor movement, not spaces: plain filtering glues them together.
        let drawn = b"\x1b[2J\x1b[1;1HTrust\x1b[1;7Hthis\x1b[1;12Hfolder?\x1b[3;3H> yes";
        assert_eq!(plain(drawn), "Trustthisfolder?> yes");
        assert_eq!(screen(drawn, 5, 40), "Trust this folder?\n\n  > yes\n");
        // What a clear wipes off the main screen stays, as in tmux's history.
        let cleared = [b"kept\r\n".as_slice(), drawn].concat();
        assert_eq!(screen(&cleared, 5, 40), "kept\nTrust this folder?\n\n  > yes\n");
        // Not what a clear wipes off the alternate screen, which tmux keeps no history of.
        let alternate = [b"\x1b[?1049hframe 1\r\n".as_slice(), drawn].concat();
        assert_eq!(screen(&alternate, 5, 40), "Trust this folder?\n\n  > yes\n");
    }

    #[test]
    fn a_space_at_a_wrap_stays_whatever_the_chunks() {
        // Found in review: the row before a wrap lost its last blank when the chunk ended there.
        let text = b"abcdefghi jkl\r\nend";
        for cut in 0..text.len() {
            let mut screen = Screen::new(3, 10);
            let mut out = screen.feed(&text[..cut]);
            out.extend(screen.feed(&text[cut..]));
            out.extend(screen.finish());
            assert_eq!(String::from_utf8(out).unwrap(), "abcdefghi jkl\nend\n", "cut at {cut}");
        }
        // And output that ends with a cleared screen still ends its last line.
        assert_eq!(screen(b"1\r\n2\r\n3\r\n4\r\n\x1b[2J", 3, 10), "1\n2\n3\n4\n");
    }

    #[test]
    fn lines_that_scroll_off_come_first_and_wrapped_lines_stay_whole() {
        let text: String = (1..=6).map(|n| format!("line {n}\r\n")).collect();
        assert_eq!(screen(text.as_bytes(), 3, 20), text.replace('\r', ""));
        let long = format!("{}\r\nend", "x".repeat(25));
        assert_eq!(screen(long.as_bytes(), 3, 10), format!("{}\nend\n", "x".repeat(25)));
    }

    /// The filter as first written: escapes removed by one unanchored regex over the whole
    /// line, then every carriage-return segment overlaid in order (as text: a line that was
    /// redrawn is decoded, one that was not keeps its bytes).
    fn reference(line: &[u8]) -> Vec<u8> {
        let pattern = ESCAPE.as_str().replacen("^(?:", "(?:", 1);
        let all = Regex::new(&format!(r"{pattern}|(?-u)[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]"));
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let redrawn = line.contains(&b'\r');
        let line = all.unwrap().replace_all(line, &b""[..]).into_owned();
        if !redrawn {
            return line;
        }
        let mut shown: Vec<char> = Vec::new();
        for segment in String::from_utf8_lossy(&line).split('\r') {
            for (i, c) in segment.chars().enumerate() {
                if i < shown.len() { shown[i] = c } else { shown.push(c) }
            }
        }
        shown.into_iter().collect::<String>().into_bytes()
    }

    proptest::proptest! {
        #[test]
        fn escapes_go_exactly_as_the_regex_says(bytes in proptest::collection::vec(
            proptest::sample::select(b"\x1b[]P;0123?m \x07\\ax\x01\x7f\xc3\xa9".to_vec()), 0..60)
        ) {
            proptest::prop_assert_eq!(without_escapes(&bytes).into_owned(), reference(&bytes));
        }

        #[test]
        fn redraws_resolve_as_overlaying_every_segment(tokens in proptest::collection::vec(
            proptest::sample::select(vec![
                &b"a"[..], b"bcd", "\u{e9}".as_bytes(), "\u{4e16}".as_bytes(), b"\r", b"\x1b[31m",
                b"\x1b[0m", b"\t", b"\x07", b"\x1b(B", b"\xff",
            ]), 0..40)
        ) {
            let line = tokens.concat();
            proptest::prop_assert_eq!(plain_line(&line), reference(&line));
        }
    }

    #[test]
    fn keeps_non_ascii_text() {
        assert_eq!(plain("héllo 世界\n".as_bytes()), "héllo 世界\n");
    }
}
