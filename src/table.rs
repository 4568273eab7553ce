//! Plain text tables for people: columns two spaces apart, each as wide as its widest cell
//! (wide characters count twice), no trailing blanks.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How wide each column of `lines` is.
pub fn widths(lines: &[Vec<String>]) -> Vec<usize> {
    let mut widths = Vec::new();
    for line in lines {
        widths.resize(widths.len().max(line.len()), 0);
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.width());
        }
    }
    widths
}

/// Writes `lines` in columns of `widths`; the columns `right` names are aligned right (for
/// numbers), the others left.
pub fn write(
    out: &mut impl Write,
    lines: &[Vec<String>],
    widths: &[usize],
    right: impl Fn(usize) -> bool,
) -> io::Result<()> {
    for line in lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            // `list` writes hundreds of rows: pad in place, no string per cell.
            let pad = widths.get(i).map_or(0, |w| w.saturating_sub(cell.width()));
            if right(i) {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

/// `text` on one line, at most `width` columns wide (wide characters count twice), cut on a
/// character boundary with `...`.
pub fn preview(text: &str, width: usize) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.width() <= width {
        return flat;
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in flat.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(3) {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width() {
        let lines = vec![
            vec!["ID".to_owned(), "N".to_owned(), "NOTE".to_owned()],
            vec!["日本".to_owned(), "12".to_owned(), String::new()],
        ];
        let mut out = Vec::new();
        write(&mut out, &lines, &widths(&lines), |i| i == 1).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "ID     N  NOTE\n日本  12\n");
    }

    #[test]
    fn preview_counts_display_columns_not_bytes() {
        let long = "é".repeat(50);
        let cut = preview(&long, 40);
        assert_eq!(cut.width(), 40);
        assert!(cut.ends_with("..."));
        assert_eq!(preview("short\nprompt", 40), "short prompt");
        assert_eq!(preview(&"x".repeat(40), 40), "x".repeat(40));
        // Wide characters take two columns each.
        assert_eq!(preview(&"界".repeat(30), 40), format!("{}...", "界".repeat(18)));
    }
}
