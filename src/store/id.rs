//! Session ids: what a name given on the command line must be to name a session.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

/// A validated session id: 1-64 of `[A-Za-z0-9_-]`, not all digits (those are list indexes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SessionId {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() || s.len() > 64 {
            bail!("invalid session id '{s}': must be 1-64 characters long");
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            bail!("invalid session id '{s}': '{c}' is not allowed (use A-Z a-z 0-9 _ -)");
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            bail!("invalid session id '{s}': all digits would read as a list index");
        }
        Ok(Self(s.to_owned()))
    }
}

impl TryFrom<String> for SessionId {
    type Error = anyhow::Error;

    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> String {
        id.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_rules() {
        for ok in ["a", "autumn-panda", "A_1-b", "0a", &"x".repeat(64)] {
            assert!(ok.parse::<SessionId>().is_ok(), "{ok}");
        }
        for bad in ["", "0", "123", "a.b", "a:b", "a b", "é", "a/b", &"x".repeat(65)] {
            assert!(bad.parse::<SessionId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn id_errors_name_the_problem() {
        let err = "a:b".parse::<SessionId>().unwrap_err().to_string();
        assert_eq!(err, "invalid session id 'a:b': ':' is not allowed (use A-Z a-z 0-9 _ -)");
    }
}
