//! The values `--env` forwards: named here, sent ahead of the command on ssh's standard
//! input (or in a stashed file when that is a terminal), and taken apart by the far end
//! without reading a byte of the command's own input.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::Host;
use crate::environ;

/// The values to forward: the ones asked for (each must be set here), then the host's
/// configured names (skipped when not set).
pub(super) fn forwarded(host: &Host, asked: &[String]) -> Result<Vec<(String, OsString)>> {
    let mut values = Vec::new();
    for name in asked {
        check_name(name).context("--env")?;
        let value =
            std::env::var_os(name).with_context(|| format!("--env {name}: it is not set here"))?;
        values.push((name.clone(), value));
    }
    for name in &host.config.env.forward {
        check_name(name).with_context(|| format!("[hosts.{}] env", host.name))?;
        if let Some(value) = std::env::var_os(name)
            && !asked.contains(name)
        {
            values.push((name.clone(), value));
        }
    }
    Ok(values)
}

/// A variable name the remote shell can export.
pub(super) fn check_name(name: &str) -> Result<()> {
    if !environ::is_name(name) {
        bail!("'{name}' is not a variable name");
    }
    Ok(())
}

/// `LENGTH\n` then `NAME=VALUE\0` for each value: what [`read_block`] takes apart.
pub(super) fn env_block(values: &[(String, OsString)]) -> Vec<u8> {
    let body = environ::encode(values.iter().map(|(name, value)| (name, value)));
    let mut block = format!("{}\n", body.len()).into_bytes();
    block.extend(body);
    block
}

/// The far end's values (`cxs __remote SOURCE ...`): none (`none`), from standard input
/// (`-`, exactly the block and not a byte more, so the rest is the command's), or from a
/// stashed file, removed at once.
pub fn take_values(source: &Path) -> Result<Vec<(OsString, OsString)>> {
    let block = if source == Path::new("none") {
        Vec::new()
    } else if source == Path::new("-") {
        // Unbuffered reads on fd 0: a buffered reader would keep the command's input.
        use std::os::fd::AsFd;
        let mut stdin = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
        read_block(&mut stdin)?
    } else {
        let mut file = std::fs::File::open(source)
            .with_context(|| format!("cannot read {}", source.display()))?;
        let _ = std::fs::remove_file(source);
        read_block(&mut file)?
    };
    Ok(environ::decode(&block))
}

/// More than any environment holds (Linux allows 2 MiB of arguments and environment).
const MAX_VALUES: usize = 4 << 20;

/// The block [`env_block`] wrote, read byte by byte up to its length and no further.
fn read_block(input: &mut impl Read) -> Result<Vec<u8>> {
    let mut length = Vec::new();
    let mut byte = [0u8];
    loop {
        input.read_exact(&mut byte).context("the forwarded values ended early")?;
        if byte[0] == b'\n' {
            break;
        }
        if length.len() > 8 {
            bail!("the forwarded values are garbled");
        }
        length.push(byte[0]);
    }
    let length: usize = std::str::from_utf8(&length)
        .ok()
        .and_then(|l| l.parse().ok())
        .filter(|&l| l <= MAX_VALUES)
        .context("the forwarded values are garbled")?;
    let mut block = vec![0; length];
    input.read_exact(&mut block).context("the forwarded values ended early")?;
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_values_are_read_exactly_and_no_further() {
        let values =
            [("A".to_owned(), OsString::from("x=y\nz")), ("B".to_owned(), OsString::new())];
        let mut input = env_block(&values);
        input.extend(b"the command's own input");
        let mut reader = input.as_slice();
        assert_eq!(read_block(&mut reader).unwrap(), b"A=x=y\nz\0B=\0");
        assert_eq!(reader, b"the command's own input");
        assert!(check_name("OPENAI_API_KEY").is_ok());
        assert!(check_name("1X").is_err() && check_name("A-B").is_err() && check_name("").is_err());
    }
}
