//! The Public Suffix List (<https://publicsuffix.org/list/>): the names under which anyone can
//! register a domain of their own (`com`, `co.uk`, `github.io`), read by the list's own
//! algorithm (<https://github.com/publicsuffix/list/wiki/Format#algorithm>), with its three kinds
//! of rule: `name`, `*.name` (every child of `name` is a public suffix: `*.np`, `*.ck`,
//! `*.compute.amazonaws.com`) and `!name` (an exception to a `*.` rule: `www.ck` is an ordinary
//! domain).
//!
//! Two questions are asked of it: the registrable domain of a host (the label before its public
//! suffix, for the regex audit), and whether other people can register names under a domain
//! (a public suffix itself, or one with a public suffix below it: `platform.sh` has
//! `eu.platform.sh`), so that `https://*.name` with credentials is refused.
//!
//! The rules are `list.dat` beside this file, parsed once on first use: the list's rules without
//! its comments, a rule written in Unicode stored in its Punycode form, since hosts here are
//! ASCII in lower case, as browsers send them. To update it, take the rules of the current list
//! the same way; the tests check the lookups against the algorithm applied rule by rule.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The list, as the rules' text.
const LIST: &str = include_str!("public_suffix/list.dat");

/// The rules that name one domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Kinds {
    /// `name`: the domain is a public suffix.
    plain: bool,
    /// `*.name`: every child of the domain is a public suffix.
    children: bool,
    /// `!name`: the domain is not a public suffix although a `*.` rule says so.
    exception: bool,
}

/// The parsed list.
#[derive(Debug, Default)]
struct Rules {
    /// Each domain a rule names (without its `*.` or `!`), and which rules name it.
    by_domain: HashMap<&'static str, Kinds>,
    /// Every domain with a public suffix strictly below it (`sh` and `platform.sh` for
    /// `eu.platform.sh`; `np` for `*.np`).
    has_suffix_below: HashSet<&'static str>,
}

impl Rules {
    fn parse(text: &'static str) -> Rules {
        let mut rules = Rules::default();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            let (domain, below) = if let Some(name) = line.strip_prefix('!') {
                rules.by_domain.entry(name).or_default().exception = true;
                continue;
            } else if let Some(name) = line.strip_prefix("*.") {
                rules.by_domain.entry(name).or_default().children = true;
                // The children are public suffixes: `name` itself has one below it.
                (name, Some(name))
            } else {
                rules.by_domain.entry(line).or_default().plain = true;
                (line, None)
            };
            rules.has_suffix_below.extend(below);
            let mut rest = domain;
            while let Some((_, parent)) = rest.split_once('.') {
                rules.has_suffix_below.insert(parent);
                rest = parent;
            }
        }
        rules
    }

    /// The byte offset in `host` where its public suffix starts, and whether a rule of the list
    /// (rather than the implicit `*` rule) decided it; `None` for a host with an empty label.
    fn suffix_start(&self, host: &str) -> Option<(usize, bool)> {
        if host.is_empty() || host.split('.').any(str::is_empty) {
            return None;
        }
        // The top-level label under the implicit rule `*`.
        let mut start = host.rfind('.').map_or(0, |dot| dot + 1);
        let mut listed = false;
        // The starts of `host`'s suffixes, shortest first (each one more label than the last).
        let starts = host
            .char_indices()
            .filter(|&(_, c)| c == '.')
            .map(|(at, _)| at + 1)
            .rev()
            .chain(std::iter::once(0));
        let mut previous: Option<usize> = None;
        for at in starts {
            let candidate = &host[at..];
            let kinds = self.by_domain.get(candidate).copied().unwrap_or_default();
            if kinds.exception {
                // An exception prevails: the suffix is the rule without its first label.
                return Some((previous.unwrap_or(at), true));
            }
            // `*.parent` matches `candidate`, whose parent is the previous (shorter) suffix.
            let wildcard = previous.is_some_and(|parent| {
                self.by_domain
                    .get(&host[parent..])
                    .is_some_and(|parent| parent.children)
            });
            if kinds.plain || wildcard {
                start = at;
                listed = true;
            }
            previous = Some(at);
        }
        Some((start, listed))
    }
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::parse(LIST))
}

/// The public suffix of `host` (`co.uk` for `a.example.co.uk`; the last label when no rule of
/// the list applies), and whether a rule of the list decided it. `None` for a host with an empty
/// label.
pub(crate) fn suffix(host: &str) -> Option<(&str, bool)> {
    let (start, listed) = rules().suffix_start(host)?;
    Some((&host[start..], listed))
}

/// Whether a rule of the list makes `host` itself a public suffix (`com`, `github.io`,
/// `anything.np`), so that anyone can register a name right under it.
pub(crate) fn is_listed_suffix(host: &str) -> bool {
    suffix(host).is_some_and(|(suffix, listed)| listed && suffix.len() == host.len())
}

/// The registrable domain of `host` (the URL standard's
/// [host registrable domain](https://url.spec.whatwg.org/#host-registrable-domain), by the
/// [Public Suffix List](https://publicsuffix.org/list/) corsair carries): its public suffix and
/// the label before it. `None` when `host` is a public suffix itself or a single label (a name
/// no rule lists, such as `localhost`, is its own suffix). `host` is a domain name in lower case
/// (an IP address has no registrable domain: the caller tells them apart).
///
/// ```
/// assert_eq!(corsair::registrable_domain("app.example.co.uk"), Some("example.co.uk"));
/// assert_eq!(corsair::registrable_domain("me.github.io"), Some("me.github.io"));
/// assert_eq!(corsair::registrable_domain("github.io"), None);
/// assert_eq!(corsair::registrable_domain("localhost"), None);
/// ```
pub fn registrable_domain(host: &str) -> Option<&str> {
    let (start, _) = rules().suffix_start(host)?;
    let before = host[..start].strip_suffix('.')?;
    let label_start = before.rfind('.').map_or(0, |dot| dot + 1);
    Some(&host[label_start..])
}

/// Whether other people can register names below `host`: it is a public suffix of the list
/// itself, or the list has a public suffix below it (`np` for `*.np`, `platform.sh` for
/// `eu.platform.sh`, `amazonaws.com`). Names that no rule lists (`localhost`, `internal`) are
/// not counted.
pub(crate) fn others_register_below(host: &str) -> bool {
    is_listed_suffix(host) || rules().has_suffix_below.contains(host)
}

#[cfg(test)]
mod tests;
