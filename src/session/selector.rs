//! Selectors: how a command line names sessions (a list index, an id or an id prefix, maybe
//! after `HOST:`), and how they are resolved against a listing or the store alone.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use super::Session;
use crate::store::{SessionDir, Store};

/// How a session names its target on the command line: a list index, an id, or an id prefix,
/// each maybe after `HOST:` for a session on a configured host (ids never contain `:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Position in `list`, 0 being the newest.
    Index(usize),
    /// A full id or a unique prefix of one.
    Prefix(String),
    /// A session on another host (`gpu1:0`, `gpu1:autumn-panda`): `main` runs such a command
    /// line there, so the commands themselves never see one.
    OnHost(String, Box<Selector>),
}

impl FromStr for Selector {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        if let Some((host, rest)) = s.split_once(':') {
            let valid = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
            if host.is_empty() || !host.chars().all(valid) {
                bail!("invalid selector '{s}': '{host}' is not a host name");
            }
            if rest.contains(':') {
                bail!("invalid selector '{s}': one HOST: at most");
            }
            return Ok(Selector::OnHost(host.to_owned(), Box::new(rest.parse()?)));
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse() {
                Ok(index) => Ok(Selector::Index(index)),
                Err(_) => bail!("invalid selector '{s}': index too large"),
            };
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if s.is_empty() || s.len() > 64 || !s.chars().all(valid) {
            bail!("invalid selector '{s}': give a list index, an id or an id prefix");
        }
        Ok(Selector::Prefix(s.to_owned()))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Index(index) => write!(f, "{index}"),
            Selector::Prefix(prefix) => f.write_str(prefix),
            Selector::OnHost(host, selector) => write!(f, "{host}:{selector}"),
        }
    }
}

/// Finds the sessions `selectors` name, each once, in order; fails if any names none.
pub fn resolve_all<'a>(
    sessions: &'a [Session],
    selectors: &[Selector],
) -> Result<Vec<&'a Session>> {
    let mut chosen: Vec<&Session> = Vec::new();
    for selector in selectors {
        let session = resolve(sessions, selector)?;
        if !chosen.iter().any(|s| s.id == session.id) {
            chosen.push(session);
        }
    }
    Ok(chosen)
}

/// Finds the one session `selector` names.
pub fn resolve<'a>(sessions: &'a [Session], selector: &Selector) -> Result<&'a Session> {
    pick(sessions, |s| &s.id, selector)
}

/// Finds a session's id and directory from the store alone, without asking tmux: enough
/// to read its log, and much cheaper than [`super::all`] with many sessions.
pub fn locate(store: &Store, selector: &Selector) -> Result<(String, SessionDir)> {
    let dirs = store.list()?.dirs;
    if let Selector::Prefix(prefix) = selector {
        let exact = dirs.iter().find(|(id, _)| id == prefix);
        let mut matches = dirs.iter().filter(|(id, _)| id.starts_with(prefix.as_str()));
        if let Some(found) = exact.or(matches.next().filter(|_| matches.next().is_none())) {
            return Ok(found.clone());
        }
    }
    // An index needs the listing's order, and errors name candidates in it: sort as `all`.
    let mut dated: Vec<(Option<DateTime<Utc>>, String, SessionDir)> =
        dirs.into_iter().map(|(id, dir)| (dir.read().ok().map(|s| s.created), id, dir)).collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let (_, id, dir) = pick(&dated, |d| &d.1, selector)?;
    Ok((id.clone(), dir.clone()))
}

/// The one item of `items` (newest first) that `selector` names.
fn pick<'a, T>(items: &'a [T], id: impl Fn(&T) -> &str, selector: &Selector) -> Result<&'a T> {
    match selector {
        Selector::Index(index) => match items.get(*index) {
            Some(item) => Ok(item),
            None if items.is_empty() => bail!("no session at index {index}: there are none"),
            None => bail!("no session at index {index}: the last is {}", items.len() - 1),
        },
        Selector::Prefix(prefix) => {
            if let Some(exact) = items.iter().find(|item| id(item) == prefix) {
                return Ok(exact);
            }
            let matches: Vec<&T> =
                items.iter().filter(|item| id(item).starts_with(prefix.as_str())).collect();
            match matches.as_slice() {
                [] => bail!("no session matches '{prefix}'"),
                [one] => Ok(one),
                many => {
                    let ids: Vec<&str> = many.iter().map(|item| id(item)).collect();
                    bail!("'{prefix}' matches several sessions: {}", ids.join(", "))
                }
            }
        }
        Selector::OnHost(host, _) => bail!("'{selector}' is on host '{host}': not here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Status;
    use crate::tmux::{SessionName, Tmux};

    fn session(id: &str) -> Session {
        Session {
            index: 0,
            id: id.to_owned(),
            dir: SessionDir::from_path(id.into()),
            sidecar: Err("test".into()),
            tmux: Tmux::from_env(None),
            name: SessionName(format!("cxs-{id}")),
            pane: None,
            status: Status::Broken,
        }
    }

    fn resolved(sessions: &[Session], selector: &str) -> Result<String> {
        resolve(sessions, &selector.parse()?).map(|s| s.id.clone())
    }

    #[test]
    fn selectors_resolve_by_index_id_and_prefix() {
        let sessions = [session("autumn-panda"), session("autumn"), session("brave-fox")];
        assert_eq!(resolved(&sessions, "2").unwrap(), "brave-fox");
        assert_eq!(resolved(&sessions, "autumn").unwrap(), "autumn", "an exact id wins");
        assert_eq!(resolved(&sessions, "autumn-").unwrap(), "autumn-panda");
        assert_eq!(resolved(&sessions, "b").unwrap(), "brave-fox");
    }

    #[test]
    fn selector_errors_name_the_problem() {
        let sessions = [session("autumn-panda"), session("autumn-fox")];
        let err = |s| resolved(&sessions, s).unwrap_err().to_string();
        assert_eq!(err("aut"), "'aut' matches several sessions: autumn-panda, autumn-fox");
        assert_eq!(err("zebra"), "no session matches 'zebra'");
        assert_eq!(err("7"), "no session at index 7: the last is 1");
        assert_eq!(err("a b"), "invalid selector 'a b': give a list index, an id or an id prefix");
        assert_eq!(err("gpu1:0"), "'gpu1:0' is on host 'gpu1': not here");
        let parsed = |s: &str| s.parse::<Selector>().map_err(|e| e.to_string());
        let on = |host: &str, local| Ok(Selector::OnHost(host.into(), Box::new(local)));
        assert_eq!(parsed("gpu1:0"), on("gpu1", Selector::Index(0)));
        assert_eq!(parsed("my.box:autumn"), on("my.box", Selector::Prefix("autumn".into())));
        assert_eq!(parsed("a:b:c").unwrap_err(), "invalid selector 'a:b:c': one HOST: at most");
        assert_eq!(parsed(":x").unwrap_err(), "invalid selector ':x': '' is not a host name");
        assert!(parsed("gpu1:").is_err());
        assert_eq!(
            resolved(&[], "0").unwrap_err().to_string(),
            "no session at index 0: there are none"
        );
    }
}
