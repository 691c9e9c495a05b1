//! The compiled origin allow-list: hash sets for exact origins and patterns, one regex matcher
//! for every configured regex.
//!
//! The sets hash with foldhash: keys come from the configuration, so a request can probe them
//! but never grow them, and a fast hash beats SipHash's flooding resistance here.
//!
//! Invariants: a lookup costs a constant number of hash probes per distinct parent-domain depth
//! used by subdomain patterns (independent of the number of configured origins), plus one
//! regex match when regexes are configured; it never allocates.

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;

use regex_automata::meta;
use regex_syntax::hir::Hir;

use crate::anchored;
use crate::origin::{CanonicalKey, OriginKey, RequestOrigin};
use crate::validate::{OriginEntry, PortSpec};

/// Subdomain patterns of one scheme.
#[derive(Debug, Default)]
struct Subdomains {
    /// `parent[:port]` for `scheme://*.parent[:port]`.
    exact_port: HashSet<Box<str>, RandomState>,
    /// `parent` for `scheme://*.parent:*`.
    any_port: HashSet<Box<str>, RandomState>,
}

/// The allow-list, compiled.
#[derive(Debug, Default)]
pub(crate) struct OriginMatcher {
    null: bool,
    /// Canonical `scheme://host[:port]`.
    exact: HashSet<Box<str>, RandomState>,
    /// `scheme://host` for `scheme://host:*`.
    any_port: HashSet<Box<str>, RandomState>,
    subdomains: HashMap<Box<str>, Subdomains, RandomState>,
    /// The label counts of the parent domains in subdomain patterns (`example.com` is 2).
    subdomain_depths: Vec<usize>,
    /// The patterns, each anchored to the whole origin.
    regexes: Option<meta::Regex>,
}

impl OriginMatcher {
    /// Compiles the validated entries and anchored regexes.
    ///
    /// # Errors
    ///
    /// The regex builder's message when the regexes together exceed its size limits.
    pub(crate) fn new(entries: &[OriginEntry], regexes: &[Hir]) -> Result<Self, String> {
        let mut matcher = OriginMatcher::default();
        for entry in entries {
            match entry {
                OriginEntry::Null => matcher.null = true,
                OriginEntry::Tuple {
                    scheme,
                    host,
                    subdomains: false,
                    port: PortSpec::Exact(port),
                } => {
                    let key = crate::validate::exact_key(scheme, host, *port);
                    matcher.exact.insert(key.into());
                }
                OriginEntry::Tuple {
                    scheme,
                    host,
                    subdomains: false,
                    port: PortSpec::Any,
                } => {
                    matcher.any_port.insert(format!("{scheme}://{host}").into());
                }
                OriginEntry::Tuple {
                    scheme,
                    host,
                    subdomains: true,
                    port,
                } => {
                    let set = matcher
                        .subdomains
                        .entry(scheme.as_str().into())
                        .or_default();
                    match port {
                        PortSpec::Any => set.any_port.insert(host.as_str().into()),
                        PortSpec::Exact(None) => set.exact_port.insert(host.as_str().into()),
                        PortSpec::Exact(Some(p)) => {
                            set.exact_port.insert(format!("{host}:{p}").into())
                        }
                    };
                    let depth = host.split('.').count();
                    if !matcher.subdomain_depths.contains(&depth) {
                        matcher.subdomain_depths.push(depth);
                    }
                }
            }
        }
        if !regexes.is_empty() {
            matcher.regexes = Some(anchored::compile(regexes)?);
        }
        Ok(matcher)
    }

    /// Whether the list allows a parsed request origin.
    pub(crate) fn allows(&self, origin: RequestOrigin<'_>) -> bool {
        let tuple = match origin {
            RequestOrigin::Null => {
                return self.null || self.regexes.as_ref().is_some_and(|r| r.is_match("null"));
            }
            RequestOrigin::Tuple(tuple) => tuple,
        };
        // Browsers write origins canonically, so the built key is the rare path.
        let built;
        let key = match tuple.as_canonical() {
            Some(key) => key,
            None => {
                built = CanonicalKey::new(tuple.scheme(), tuple.host(), tuple.port());
                match &built {
                    Some(built) => built.key(),
                    None => return false,
                }
            }
        };
        self.exact.contains(key.as_str())
            || (!self.any_port.is_empty() && self.any_port.contains(key.without_port()))
            || self
                .subdomains
                .get(key.scheme())
                .is_some_and(|subdomains| self.matches_subdomain(subdomains, key))
            || self
                .regexes
                .as_ref()
                .is_some_and(|regexes| regexes.is_match(key.as_str()))
    }

    /// Walks the host's dots from the right; at each parent domain whose depth some pattern uses,
    /// probes the two sets.
    fn matches_subdomain(&self, set: &Subdomains, key: OriginKey<'_>) -> bool {
        let host = key.host();
        if host.starts_with('[') {
            return false;
        }
        let mut depth = 0;
        for (index, byte) in host.bytes().enumerate().rev() {
            if byte != b'.' {
                continue;
            }
            depth += 1;
            if !self.subdomain_depths.contains(&depth) || index == 0 {
                continue;
            }
            let parent_and_port = key.host_and_port_from(index + 1);
            if set.exact_port.contains(parent_and_port) {
                return true;
            }
            let parent = &host[index + 1..];
            if set.any_port.contains(parent) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(scheme: &str, host: &str, subdomains: bool, port: PortSpec) -> OriginEntry {
        OriginEntry::Tuple {
            scheme: scheme.into(),
            host: host.into(),
            subdomains,
            port,
        }
    }

    #[test]
    fn lookups() {
        let matcher = OriginMatcher::new(
            &[
                tuple("https", "app.example", false, PortSpec::Exact(None)),
                tuple("http", "localhost", false, PortSpec::Any),
                tuple("https", "example.com", true, PortSpec::Exact(None)),
                tuple("https", "dev.example", true, PortSpec::Any),
                tuple("https", "ports.example", true, PortSpec::Exact(Some(8443))),
            ],
            &[anchored::anchor(
                anchored::parse(r"https://[a-z]+\.regex\.example").unwrap(),
                anchored::Anchoring::Whole,
            )],
        )
        .unwrap();
        let table = [
            ("https://app.example", true),
            ("https://APP.example:443", true),
            ("https://app.example:8443", false),
            ("http://app.example", false),
            ("http://localhost", true),
            ("http://localhost:8080", true),
            ("https://localhost:8080", false),
            ("https://a.example.com", true),
            ("https://a.b.example.com", true),
            ("https://example.com", false),
            ("https://aexample.com", false),
            ("https://a.example.com:444", false),
            ("https://x.dev.example:3000", true),
            ("https://dev.example:3000", false),
            ("https://x.ports.example:8443", true),
            ("https://x.ports.example", false),
            ("https://abc.regex.example", true),
            ("https://abc.regex.example.evil", false),
            ("https://a1.regex.example", false),
            ("null", false),
        ];
        for (origin, expected) in table {
            let parsed = RequestOrigin::parse(origin.as_bytes()).unwrap();
            assert_eq!(matcher.allows(parsed), expected, "{origin}");
        }
    }
}
