//! The compiled origin allow-list: hash sets for exact origins and patterns, one regex matcher
//! for every configured regex.
//!
//! The sets hash with foldhash: keys come from the configuration, so a request can probe them
//! but never grow them, and a fast hash beats SipHash's flooding resistance here.
//!
//! Invariants: a lookup costs a constant number of hash probes per distinct parent-domain depth
//! used by subdomain patterns (independent of the number of configured origins), plus one
//! regex match when regexes are configured; it never allocates.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;

use regex_syntax::hir::Hir;

use crate::anchored::ShortInputMatcher;
use crate::origin::{CanonicalKey, OriginKey, RequestOrigin};
use crate::validate::{OriginEntry, PortSpec};

/// Bytes of a key the configuration made (ASCII): a request's origin, bytes too, is looked up
/// without being made a `str`.
type Key = Box<[u8]>;

/// Subdomain patterns of one scheme.
#[derive(Debug, Default, Clone)]
struct Subdomains {
    /// `parent[:port]` for `scheme://*.parent[:port]`.
    exact_port: HashSet<Key, RandomState>,
    /// `parent` for `scheme://*.parent:*`.
    any_port: HashSet<Key, RandomState>,
}

impl Subdomains {
    /// The set of `any_port` patterns (`scheme://*.parent:*`) or of `exact_port` ones.
    fn hosts(&self, any_port: bool) -> &HashSet<Key, RandomState> {
        if any_port {
            &self.any_port
        } else {
            &self.exact_port
        }
    }

    fn hosts_mut(&mut self, any_port: bool) -> &mut HashSet<Key, RandomState> {
        if any_port {
            &mut self.any_port
        } else {
            &mut self.exact_port
        }
    }
}

/// Where an entry lives in the matcher: which set, under which key. The one place that turns
/// an entry into its key, for adding, removing and finding it alike.
enum Slot<'e> {
    Null,
    /// In `exact`, under the canonical `scheme://host[:port]`.
    Exact(String),
    /// In `any_port`, under `scheme://host`.
    AnyPort(String),
    /// In `subdomains[scheme]`: under `parent` among the any-port patterns, or under
    /// `parent[:port]` among the others.
    Subdomains {
        scheme: &'e str,
        parent: &'e str,
        any_port: bool,
        key: Cow<'e, str>,
    },
}

impl<'e> Slot<'e> {
    fn of(entry: &'e OriginEntry) -> Slot<'e> {
        let OriginEntry::Tuple {
            scheme,
            host,
            subdomains,
            port,
        } = entry
        else {
            return Slot::Null;
        };
        match (subdomains, port) {
            (false, PortSpec::Exact(port)) => {
                Slot::Exact(crate::validate::exact_key(scheme, host, *port))
            }
            (false, PortSpec::Any) => Slot::AnyPort(format!("{scheme}://{host}")),
            (true, port) => Slot::Subdomains {
                scheme,
                parent: host,
                any_port: *port == PortSpec::Any,
                key: match port {
                    PortSpec::Exact(Some(p)) => Cow::Owned(format!("{host}:{p}")),
                    PortSpec::Any | PortSpec::Exact(None) => Cow::Borrowed(host),
                },
            },
        }
    }
}

/// A key as text (the configuration made it of ASCII).
fn text(key: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(key)
}

/// Up to this many keys, a set of origins is searched by comparing each key in turn, which
/// costs less than hashing the searched key (here and in `compiled/verbatim.rs`).
pub(crate) const FEW_KEYS: usize = 4;

/// A key of an origin set: text (the exact origins, listed as the configuration wrote them) or
/// bytes ([`Key`]); a request's origin, bytes, is compared with either.
trait SetKey: Sized {
    fn bytes(&self) -> &[u8];
    /// Whether `set` holds `key`, found by hashing it.
    fn hashed(set: &HashSet<Self, RandomState>, key: &[u8]) -> bool;
}

impl SetKey for Box<str> {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }

    fn hashed(set: &HashSet<Self, RandomState>, key: &[u8]) -> bool {
        std::str::from_utf8(key).is_ok_and(|key| set.contains(key))
    }
}

impl SetKey for Key {
    fn bytes(&self) -> &[u8] {
        self
    }

    fn hashed(set: &HashSet<Self, RandomState>, key: &[u8]) -> bool {
        set.contains(key)
    }
}

/// Whether `set` holds `key`: up to [`FEW_KEYS`] keys compared byte for byte in turn, more
/// looked up by hash.
fn holds<K: SetKey>(set: &HashSet<K, RandomState>, key: &[u8]) -> bool {
    if set.len() <= FEW_KEYS {
        return set.iter().any(|held| held.bytes() == key);
    }
    K::hashed(set, key)
}

/// The allow-list, compiled.
#[derive(Debug, Default, Clone)]
pub(crate) struct OriginMatcher {
    null: bool,
    /// Canonical `scheme://host[:port]`.
    exact: HashSet<Box<str>, RandomState>,
    /// `scheme://host` for `scheme://host:*`.
    any_port: HashSet<Key, RandomState>,
    subdomains: HashMap<Key, Subdomains, RandomState>,
    /// The label counts of the parent domains in subdomain patterns (`example.com` is 2).
    subdomain_depths: Vec<usize>,
    /// The patterns, each anchored to the whole origin.
    regexes: Option<ShortInputMatcher>,
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
            matcher.insert(entry);
        }
        if !regexes.is_empty() {
            matcher.regexes = Some(ShortInputMatcher::new(regexes)?);
        }
        Ok(matcher)
    }

    /// Adds an entry; `false` when it was there already.
    pub(crate) fn insert(&mut self, entry: &OriginEntry) -> bool {
        match Slot::of(entry) {
            Slot::Null => !std::mem::replace(&mut self.null, true),
            Slot::Exact(key) => self.exact.insert(key.into()),
            Slot::AnyPort(key) => self.any_port.insert(key.into_bytes().into()),
            Slot::Subdomains {
                scheme,
                parent,
                any_port,
                key,
            } => {
                let set = self.subdomains.entry(scheme.as_bytes().into()).or_default();
                let added = set.hosts_mut(any_port).insert(key.as_bytes().into());
                let depth = parent.split('.').count();
                if !self.subdomain_depths.contains(&depth) {
                    self.subdomain_depths.push(depth);
                }
                added
            }
        }
    }

    /// Removes an entry; `false` when it was not there.
    pub(crate) fn remove(&mut self, entry: &OriginEntry) -> bool {
        match Slot::of(entry) {
            Slot::Null => std::mem::replace(&mut self.null, false),
            Slot::Exact(key) => self.exact.remove(key.as_str()),
            Slot::AnyPort(key) => self.any_port.remove(key.as_bytes()),
            Slot::Subdomains {
                scheme,
                any_port,
                key,
                ..
            } => {
                let Some(set) = self.subdomains.get_mut(scheme.as_bytes()) else {
                    return false;
                };
                let removed = set.hosts_mut(any_port).remove(key.as_bytes());
                if set.exact_port.is_empty() && set.any_port.is_empty() {
                    self.subdomains.remove(scheme.as_bytes());
                }
                if removed {
                    self.recount_depths();
                }
                removed
            }
        }
    }

    /// Whether the entry is in the list (as an entry: a pattern contains itself, not the
    /// origins it matches).
    pub(crate) fn contains(&self, entry: &OriginEntry) -> bool {
        match Slot::of(entry) {
            Slot::Null => self.null,
            Slot::Exact(key) => self.exact.contains(key.as_str()),
            Slot::AnyPort(key) => self.any_port.contains(key.as_bytes()),
            Slot::Subdomains {
                scheme,
                any_port,
                key,
                ..
            } => self
                .subdomains
                .get(scheme.as_bytes())
                .is_some_and(|set| set.hosts(any_port).contains(key.as_bytes())),
        }
    }

    /// The depths used by the remaining subdomain patterns.
    fn recount_depths(&mut self) {
        let mut depths = Vec::new();
        for set in self.subdomains.values() {
            let parents = set.any_port.iter().map(|host| &**host);
            let with_ports = set.exact_port.iter().map(|parent| {
                parent
                    .iter()
                    .rposition(|&b| b == b':')
                    .map_or(&**parent, |colon| &parent[..colon])
            });
            for parent in parents.chain(with_ports) {
                let depth = parent.split(|&b| b == b'.').count();
                if !depths.contains(&depth) {
                    depths.push(depth);
                }
            }
        }
        self.subdomain_depths = depths;
    }

    /// The number of entries (regexes not counted).
    pub(crate) fn len(&self) -> usize {
        let patterns: usize = self
            .subdomains
            .values()
            .map(|set| set.exact_port.len() + set.any_port.len())
            .sum();
        usize::from(self.null) + self.exact.len() + self.any_port.len() + patterns
    }

    /// Every entry (regexes not included), written as in `allowed_origins`, in no order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = String> + '_ {
        let null = self.null.then(|| "null".to_owned());
        let exact = self.exact.iter().map(|key| key.to_string());
        let any_port = self.any_port.iter().map(|key| format!("{}:*", text(key)));
        let patterns = self.subdomains.iter().flat_map(|(scheme, set)| {
            let exact = set.exact_port.iter().map(|parent| (parent, ""));
            let any = set.any_port.iter().map(|parent| (parent, ":*"));
            exact
                .chain(any)
                .map(move |(parent, port)| format!("{}://*.{}{port}", text(scheme), text(parent)))
        });
        null.into_iter()
            .chain(exact)
            .chain(any_port)
            .chain(patterns)
    }

    /// Whether every exact origin is, as written, a canonical origin a request can send (what
    /// [`RequestOrigin::parse`] reads as its own key): then a request `Origin` equal to one of
    /// them byte for byte is valid and allowed without being parsed
    /// (see `compiled/verbatim.rs`). Computed once, when a policy is compiled.
    pub(crate) fn exact_are_request_origins(&self) -> bool {
        self.exact.iter().all(|key| {
            matches!(
                RequestOrigin::parse(key.as_bytes()),
                Some(RequestOrigin::Tuple(tuple)) if tuple.as_canonical().is_some()
            )
        })
    }

    /// The exact origins, canonical `scheme://host[:port]`, in no order.
    pub(crate) fn exact_origins(&self) -> impl ExactSizeIterator<Item = &str> {
        self.exact.iter().map(|key| &**key)
    }

    /// Whether the list allows a parsed request origin.
    pub(crate) fn allows(&self, origin: RequestOrigin<'_>) -> bool {
        let tuple = match origin {
            RequestOrigin::Null => {
                return self.null || self.regexes.as_ref().is_some_and(|r| r.is_match(b"null"));
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
        holds(&self.exact, key.bytes())
            || holds(&self.any_port, key.without_port())
            || self
                .subdomains_of(key.scheme())
                .is_some_and(|subdomains| self.matches_subdomain(subdomains, key))
            || self
                .regexes
                .as_ref()
                .is_some_and(|regexes| regexes.is_match(key.bytes()))
    }

    /// The subdomain patterns of `scheme` (up to [`FEW_KEYS`] schemes searched in turn, as
    /// [`holds`] does).
    fn subdomains_of(&self, scheme: &[u8]) -> Option<&Subdomains> {
        if self.subdomains.len() <= FEW_KEYS {
            return self
                .subdomains
                .iter()
                .find_map(|(held, subdomains)| (**held == *scheme).then_some(subdomains));
        }
        self.subdomains.get(scheme)
    }

    /// Walks the host's dots from the right; at each parent domain whose depth some pattern uses,
    /// probes the two sets.
    fn matches_subdomain(&self, set: &Subdomains, key: OriginKey<'_>) -> bool {
        let host = key.host();
        if host.starts_with(b"[") {
            return false;
        }
        let mut depth = 0;
        for (index, &byte) in host.iter().enumerate().rev() {
            if byte != b'.' {
                continue;
            }
            depth += 1;
            if !self.subdomain_depths.contains(&depth) || index == 0 {
                continue;
            }
            let parent_and_port = key.host_and_port_from(index + 1);
            if holds(&set.exact_port, parent_and_port) {
                return true;
            }
            let parent = &host[index + 1..];
            if holds(&set.any_port, parent) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchored;

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
        assert!(matcher.exact_are_request_origins());
        for (origin, expected) in table {
            let parsed = RequestOrigin::parse(origin.as_bytes()).unwrap();
            assert_eq!(matcher.allows(parsed), expected, "{origin}");
        }
    }

    /// Every kind of entry is listed as `allowed_origins` writes it, and removing each one
    /// (found under the same key as when it was added) empties the list.
    #[test]
    fn entries_are_listed_as_written_and_removed_by_their_keys() {
        let entries = [
            OriginEntry::Null,
            tuple("https", "app.example", false, PortSpec::Exact(None)),
            tuple("https", "app.example", false, PortSpec::Exact(Some(8443))),
            tuple("http", "localhost", false, PortSpec::Any),
            tuple("https", "example.com", true, PortSpec::Exact(None)),
            tuple("https", "ports.example", true, PortSpec::Exact(Some(8443))),
            tuple("https", "dev.example", true, PortSpec::Any),
        ];
        let mut matcher = OriginMatcher::new(&entries, &[]).unwrap();
        let mut listed: Vec<String> = matcher.entries().collect();
        listed.sort();
        assert_eq!(
            listed,
            [
                "http://localhost:*",
                "https://*.dev.example:*",
                "https://*.example.com",
                "https://*.ports.example:8443",
                "https://app.example",
                "https://app.example:8443",
                "null",
            ]
        );
        assert_eq!(matcher.len(), entries.len());
        for entry in &entries {
            assert!(matcher.contains(entry), "{entry:?}");
            assert!(matcher.remove(entry), "{entry:?}");
            assert!(!matcher.contains(entry), "{entry:?}");
        }
        assert_eq!(matcher.len(), 0);
        assert!(matcher.subdomain_depths.is_empty());
    }

    /// Sets of a few keys are compared in turn, larger ones hashed: both find exactly their
    /// members.
    #[test]
    fn exact_origins_are_found_in_small_and_large_lists() {
        for count in 1..=2 * FEW_KEYS + 1 {
            let entries: Vec<OriginEntry> = (0..count)
                .map(|i| {
                    tuple(
                        "https",
                        &format!("a{i}.example"),
                        false,
                        PortSpec::Exact(None),
                    )
                })
                .collect();
            let matcher = OriginMatcher::new(&entries, &[]).unwrap();
            let allows = |origin: &str| {
                RequestOrigin::parse(origin.as_bytes()).is_some_and(|o| matcher.allows(o))
            };
            for i in 0..count {
                assert!(allows(&format!("https://a{i}.example")), "{count}: {i}");
                assert!(allows(&format!("https://A{i}.example:443")), "{count}: {i}");
            }
            for other in [
                format!("https://a{count}.example"),
                "http://a0.example".to_owned(),
                "https://a0.example:8443".to_owned(),
                "https://a0.exampl".to_owned(),
            ] {
                assert!(!allows(&other), "{count}: {other}");
            }
        }
    }
}
