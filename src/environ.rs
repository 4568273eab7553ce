//! Environments as bytes: `NAME=VALUE` pairs ended by NUL, the form of `/proc/PID/environ`.
//! The runner's private environment file and the values `--env` forwards are written so.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The pairs as `NAME=VALUE\0...`.
pub fn encode<K: AsRef<OsStr>, V: AsRef<OsStr>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (name, value) in pairs {
        bytes.extend_from_slice(name.as_ref().as_bytes());
        bytes.push(b'=');
        bytes.extend_from_slice(value.as_ref().as_bytes());
        bytes.push(0);
    }
    bytes
}

/// The pairs [`encode`] wrote; an entry without `=` is no pair and is skipped.
pub fn decode(bytes: &[u8]) -> Vec<(OsString, OsString)> {
    bytes
        .split(|&b| b == 0)
        .filter_map(|pair| {
            let eq = pair.iter().position(|&b| b == b'=')?;
            Some((
                OsString::from_vec(pair[..eq].to_vec()),
                OsString::from_vec(pair[eq + 1..].to_vec()),
            ))
        })
        .collect()
}

/// Whether `name` can name a variable a POSIX shell exports: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip_byte_for_byte() {
        let pairs = vec![
            (OsString::from("A"), OsString::from("x=y\nz")),
            (OsString::from("B"), OsString::from_vec(b"\xff".to_vec())),
            (OsString::from("C"), OsString::new()),
        ];
        assert_eq!(decode(&encode(pairs.clone())), pairs);
        assert!(decode(b"no pair\0").is_empty());
        assert!(is_name("OPENAI_API_KEY") && is_name("_x1"));
        assert!(!is_name("1X") && !is_name("A-B") && !is_name(""));
    }
}
