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
    }
}
