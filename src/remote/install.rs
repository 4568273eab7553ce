//! What a host has (`cxs hosts`), and copying this cxs there (`cxs hosts install`, and the
//! first use): to a path of this version's, checked by its SHA-256 and by running it there.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::{ASK_TIMEOUT, Host, INSTALLED, word};

/// What a host has: its system, tmux and cxs.
#[derive(Debug, Default)]
pub struct Probe {
    /// `uname -s`, e.g. `Linux`.
    pub os: String,
    /// `uname -m`, e.g. `x86_64`.
    pub arch: String,
    /// `tmux -V`, e.g. `tmux 3.3a`; empty when there is none.
    pub tmux: String,
    /// The remote cxs's `--version`, e.g. `cxs 0.1.0`; empty when it does not run.
    pub cxs: String,
    /// The installed copy's SHA-256 (whatever `cxs` is configured); empty when there is none.
    pub sum: String,
}

impl Probe {
    /// Whether the remote cxs runs there.
    pub fn installed(&self) -> bool {
        !self.cxs.is_empty()
    }
}

/// Asks a host what it has, in one call.
/// `batch`: never ask for a password (nobody may be there to type it).
pub fn probe(host: &Host, batch: bool) -> Result<Probe> {
    let mut script = host.settings()?;
    script.extend(format!("i=\"{INSTALLED}/cxs\"; c=\"$i\"").bytes());
    if let Some(cxs) = &host.config.cxs {
        script.extend(b"; c=");
        script.extend(word(cxs.as_bytes())?);
    }
    script.extend(
        b"; echo \"os=$(uname -s)\"; echo \"arch=$(uname -m)\"; \
          echo \"tmux=$(tmux -V 2>/dev/null)\"; echo \"cxs=$(\"$c\" --version 2>/dev/null)\"; \
          [ -f \"$i\" ] && echo \"sum=$(sha256sum \"$i\" 2>/dev/null | cut -d' ' -f1)\"; true",
    );
    let answer = host.ask_as(OsString::from_vec(script), None, ASK_TIMEOUT, batch)?;
    let mut probe = Probe::default();
    for line in String::from_utf8_lossy(&answer).lines() {
        let Some((key, value)) = line.split_once('=') else { continue };
        let value = value.trim().to_owned();
        match key {
            "os" => probe.os = value,
            "arch" => probe.arch = value,
            "tmux" => probe.tmux = value,
            "cxs" => probe.cxs = value,
            "sum" => probe.sum = value,
            _ => {}
        }
    }
    Ok(probe)
}

/// Why this cxs cannot run on a host of another system or architecture, and what to do.
pub fn foreign(host: &Host, there: &Probe) -> Option<String> {
    let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
    if rust_names(&there.os, &there.arch) == (os.to_owned(), arch) {
        return None;
    }
    Some(format!(
        "host '{name}' is {} {}, and this cxs is built for {os} {arch}: install cxs there by \
         hand (cargo install --git, or build it there) and set cxs = \"/path/to/cxs\" in \
         [hosts.{name}]",
        there.os,
        there.arch,
        name = host.name,
    ))
}

/// `uname -s` and `uname -m` as Rust names them (`std::env::consts`): the kernel says
/// `Darwin` and `arm64` where Rust says `macos` and `aarch64`.
fn rust_names<'a>(os: &str, arch: &'a str) -> (String, &'a str) {
    let os = match os {
        "Darwin" => "macos".to_owned(),
        other => other.to_ascii_lowercase(),
    };
    let arch = match arch {
        "arm64" => "aarch64",
        "amd64" => "x86_64",
        other => other,
    };
    (os, arch)
}

/// Copies this cxs to the host's state directory (a path of this version's), verified there
/// by its SHA-256 and by running it; `there` is what [`probe`] found. Returns whether
/// anything was copied. `batch` as for [`probe`].
pub fn install(host: &Host, there: &Probe, batch: bool) -> Result<bool> {
    let exe = std::env::current_exe().context("cannot find this cxs")?;
    let binary = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;
    let sum = sha256_hex(&binary);
    if let Some(foreign) = foreign(host, there) {
        bail!("{foreign}");
    }
    if there.sum == sum {
        return Ok(false);
    }
    let mut script = host.settings()?;
    script.extend(
        format!(
            "d=\"{INSTALLED}\"; (umask 077; mkdir -p \"$d\") && t=\"$d/.cxs.$$\" && cat > \"$t\" \
             && chmod 700 \"$t\" && s=$(sha256sum \"$t\" | cut -d' ' -f1) && \
             if [ \"$s\" != '{sum}' ]; then rm -f \"$t\"; echo \"checksum mismatch: got $s\" >&2; \
             exit 1; fi && if ! \"$t\" --version >/dev/null; then rm -f \"$t\"; \
             echo 'the copied cxs does not run there' >&2; exit 1; fi && mv -f \"$t\" \"$d/cxs\""
        )
        .bytes(),
    );
    // Time to copy it over a slow link (100 kB/s) as well as to answer.
    let limit = ASK_TIMEOUT + Duration::from_secs(binary.len() as u64 / 100_000);
    host.ask_as(OsString::from_vec(script), Some(binary), limit, batch)
        .with_context(|| format!("cannot install cxs on host '{}'", host.name))?;
    Ok(true)
}

/// A SHA-256 as 64 hex digits.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write as _;
    sha2::Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unames_read_as_rusts_names() {
        assert_eq!(rust_names("Linux", "x86_64"), ("linux".to_owned(), "x86_64"));
        assert_eq!(rust_names("Darwin", "arm64"), ("macos".to_owned(), "aarch64"));
        assert_eq!(rust_names("FreeBSD", "amd64"), ("freebsd".to_owned(), "x86_64"));
    }
}
