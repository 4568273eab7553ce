//! Property tests over the parts that take untrusted text: selectors, ids, sidecars, the
//! terminal-to-plain-text filter and the argv builder. They run with `cargo test`.

use proptest::prelude::*;

use crate::render::Plain;
use crate::session::Selector;
use crate::store::{SessionId, Sidecar};

proptest! {
    #[test]
    fn ids_are_valid_exactly_by_the_rules(text in "\\PC{0,70}|[A-Za-z0-9_-]{0,70}") {
        let valid = (1..=64).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !text.chars().all(|c| c.is_ascii_digit());
        prop_assert_eq!(text.parse::<SessionId>().is_ok(), valid);
    }

    #[test]
    fn selectors_parse_without_panicking(text in "\\PC{0,80}|[0-9]{1,30}") {
        match text.parse::<Selector>() {
            Ok(Selector::Index(i)) => prop_assert_eq!(i.to_string(), text.trim_start_matches('0').to_string().max("0".into())),
            Ok(Selector::Prefix(p)) => prop_assert_eq!(p, text),
            Ok(Selector::OnHost(host, local)) => {
                prop_assert!(!matches!(*local, Selector::OnHost(..)));
                prop_assert_eq!(format!("{host}:{local}").len() <= text.len(), true);
            }
            Err(_) => {}
        }
    }

    #[test]
    fn sidecar_parsing_never_panics(text in "\\PC{0,300}") {
        let _ = toml::from_str::<Sidecar>(&text);
    }

    #[test]
    fn plain_text_has_no_escapes_and_ignores_chunking(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        cut in 0usize..400,
    ) {
        let whole = {
            let mut p = Plain::default();
            let mut out = p.feed(&bytes);
            out.extend(p.finish());
            out
        };
        let cut = cut.min(bytes.len());
        let mut p = Plain::default();
        let mut split = p.feed(&bytes[..cut]);
        split.extend(p.feed(&bytes[cut..]));
        split.extend(p.finish());
        prop_assert_eq!(&whole, &split);
        prop_assert!(!whole.contains(&0x1b));
    }
}
