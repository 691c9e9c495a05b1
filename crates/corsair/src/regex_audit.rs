//! What a user's regex matches, decided from its automaton rather than from its text.
//!
//! A regex is judged by the strings it accepts. Its DFA is walked together with the DFA of the
//! strings it will be matched against (canonical origins, or request paths), and every state of
//! that product yields one sample: the shortest way there, then the shortest way to a match. So
//! each branch of the regex is sampled, however it is written. The questions asked:
//!
//! - **Origins.** Does the regex match no origin at all? `null`? A plain-`http` origin other
//!   than loopback? An origin on a registrable domain the regex does not name: for each sample,
//!   its registrable domain (the label before a public suffix, per the Public Suffix List) is
//!   replaced by one an attacker could register (`corsairprobe.com`, `corsairprobeexample.com`,
//!   `example.com.corsairprobe.com`, the label with one character changed: `appxexample.com`
//!   for a sample `app-example.com` that an unescaped `.` let in), and the regex must reject
//!   every such origin.
//! - **Paths.** Can an anchored-at-start `urls_regex` match any path (paths start with `/`)?
//!
//! None of this runs per request. A regex whose automaton is too large to walk is reported as
//! not analysed, never as safe.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::OnceLock;

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet, meta};
use regex_syntax::hir::Hir;

use crate::anchored::{self, Anchoring};
use crate::origin::{self, RequestOrigin};
use crate::public_suffix::registrable_domain;

/// The memory a DFA may take while it is built, and its size once built.
const DFA_LIMIT: usize = 16 << 20;
/// The most product states walked before giving up.
const MAX_STATES: usize = 20_000;
/// The most samples taken from one regex.
const MAX_SAMPLES: usize = 2_000;
/// The label an attacker registers in the probes: letters only, so that `[a-z]+` matches it.
const PROBE_LABEL: &str = "corsairprobe";
/// The characters an attacker puts in place of one character of a registrable label: a letter
/// and a digit, so that `.`, `\w`, `[a-z]` and `\d` let one of them in.
const PROBE_CHARACTERS: [char; 2] = ['x', '7'];

/// The serialized origins corsair matches regexes against, in lower case and without a path
/// (the samples are then held to [`crate::origin::CanonicalKey`]'s form: no default port).
const CANONICAL_ORIGIN: &str = r"null|[a-z][a-z0-9+.\-]*://([a-z0-9_\-]+(\.[a-z0-9_\-]+)*|\[[0-9a-f:.]*:[0-9a-f:.]*\])(:(0|[1-9][0-9]{0,4}))?";

/// Request paths: `/` then anything.
const PATH: &str = r"/(?s:.)*";

/// What an origin regex was found to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OriginAudit {
    /// The automaton was too large to walk; nothing is known.
    NotAnalysed,
    /// The regex was walked.
    Analysed {
        /// It matches no canonical origin at all.
        matches_nothing: bool,
        /// It matches `null`.
        matches_null: bool,
        /// An origin it matches on a registrable domain it does not name.
        foreign: Option<String>,
        /// A plain-`http` origin on a host other than loopback that it matches.
        insecure: Option<String>,
    },
}

/// Audits an origin regex (`hir` is the pattern as parsed, before anchoring; `compiled` is it
/// anchored to the whole origin).
pub(crate) fn audit_origin_regex(hir: &Hir, compiled: &meta::Regex) -> OriginAudit {
    let Some(samples) = samples(hir, Anchoring::Whole, Domain::Origins) else {
        return OriginAudit::NotAnalysed;
    };
    let matches_null = compiled.is_match(b"null");
    // The domain pattern admits default ports; only canonical origins are ever matched.
    let tuples: Vec<&str> = samples
        .iter()
        .filter_map(|s| std::str::from_utf8(s).ok())
        .filter(|s| match RequestOrigin::parse(s.as_bytes()) {
            Some(RequestOrigin::Tuple(tuple)) => tuple.as_canonical().is_some(),
            _ => false,
        })
        .filter(|s| compiled.is_match(s.as_bytes()))
        .collect();
    let insecure = tuples
        .iter()
        .find(|s| {
            s.strip_prefix("http://")
                .is_some_and(|rest| !origin::is_loopback_host(host_of(rest)))
        })
        .map(|s| (*s).to_owned());
    let foreign = tuples
        .iter()
        .flat_map(|sample| attacker_origins(sample))
        .find(|probe| compiled.is_match(probe.as_bytes()));
    OriginAudit::Analysed {
        matches_nothing: tuples.is_empty() && !matches_null,
        matches_null,
        foreign,
        insecure,
    }
}

/// Whether a `urls_regex` (`hir` before anchoring) matches at the start of some request path;
/// `None` when its automaton is too large to walk.
pub(crate) fn matches_some_path(hir: &Hir) -> Option<bool> {
    // A prefix match of a path is a whole match of the path followed by anything.
    let anchored_prefix = Hir::concat(vec![hir.clone(), anchored::parse(r"(?s:.)*").ok()?]);
    samples(&anchored_prefix, Anchoring::Whole, Domain::Paths).map(|found| !found.is_empty())
}

/// `host[:port]` → `host`.
fn host_of(host_and_port: &str) -> &str {
    match origin::split_host_port(host_and_port) {
        Some((host, _)) => host,
        None => host_and_port,
    }
}

/// Origins on registrable domains an attacker could own, derived from `sample` (a canonical
/// tuple origin the regex matches): the same scheme and port, and a host whose registrable
/// domain differs from the sample's.
fn attacker_origins(sample: &str) -> Vec<String> {
    let Some((scheme, rest)) = sample.split_once("://") else {
        return Vec::new();
    };
    let (host, port) = match origin::split_host_port(rest) {
        Some((host, port)) => (host, port.map(|p| format!(":{p}")).unwrap_or_default()),
        None => return Vec::new(),
    };
    let mut hosts = vec![format!("{PROBE_LABEL}.com")];
    let is_ip = host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok();
    if !is_ip {
        hosts.push(format!("{host}.{PROBE_LABEL}.com"));
        if let Some((subdomains, label, suffix)) = registrable_parts(host) {
            for attacker in [
                PROBE_LABEL.to_owned(),
                format!("{PROBE_LABEL}{label}"),
                format!("{label}{PROBE_LABEL}"),
                format!("{PROBE_LABEL}-{label}"),
                format!("{label}-{PROBE_LABEL}"),
            ] {
                hosts.push(format!("{subdomains}{attacker}.{suffix}"));
            }
            // One character of the label changed: a regex that lets it vary (an unescaped `.`
            // in `app.example.com` admits `app-example.com` and `appxexample.com`, a class such
            // as `[a-z]` or `\d`) names no one domain there.
            for at in (0..label.len()).filter(|_| label.is_ascii()) {
                for other in PROBE_CHARACTERS {
                    let (before, after) = (&label[..at], &label[at + 1..]);
                    hosts.push(format!("{subdomains}{before}{other}{after}.{suffix}"));
                }
            }
        }
    }
    let own = registrable_domain(host);
    hosts
        .into_iter()
        .filter(|candidate| registrable_domain(candidate) != own || own.is_none())
        .map(|candidate| format!("{scheme}://{candidate}{port}"))
        .filter(|probe| RequestOrigin::parse(probe.as_bytes()).is_some())
        .collect()
}

/// `a.b.example.co.uk` → (`a.b.`, `example`, `co.uk`), when the host has a registrable domain.
fn registrable_parts(host: &str) -> Option<(&str, &str, &str)> {
    let domain = registrable_domain(host)?;
    let (label, suffix) = domain.split_once('.')?;
    let subdomains = &host[..host.len() - domain.len()];
    Some((subdomains, label, suffix))
}

/// The DFA of `hir`, anchored, accepting every match (not only the leftmost-first one).
fn dfa(hir: &Hir) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(DFA_LIMIT)))
        .build_from_hir(hir)
        .ok()?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(StartKind::Anchored)
                .unicode_word_boundary(true)
                .minimize(false)
                .accelerate(false)
                .dfa_size_limit(Some(DFA_LIMIT))
                .determinize_size_limit(Some(DFA_LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

/// Up to [`MAX_SAMPLES`] ASCII strings accepted both by `hir` (anchored as given) and by the
/// `domain` pattern (anchored to the whole string): one through each state of the product
/// automaton that can still reach a match, shortest first. `None` when the automata are too
/// large.
fn samples(hir: &Hir, anchoring: Anchoring, domain: Domain) -> Option<Vec<Vec<u8>>> {
    let regex = dfa(&anchored::anchor(hir.clone(), anchoring))?;
    product_samples(&[(&regex, true), (domain.dfa()?, true)], MAX_SAMPLES)
}

/// The strings regexes are matched against.
#[derive(Debug, Clone, Copy)]
enum Domain {
    /// [`CANONICAL_ORIGIN`].
    Origins,
    /// [`PATH`].
    Paths,
}

impl Domain {
    /// The DFA of the domain's pattern, built once for the process.
    fn dfa(self) -> Option<&'static dense::DFA<Vec<u32>>> {
        static ORIGINS: OnceLock<Option<dense::DFA<Vec<u32>>>> = OnceLock::new();
        static PATHS: OnceLock<Option<dense::DFA<Vec<u32>>>> = OnceLock::new();
        let (cell, pattern) = match self {
            Domain::Origins => (&ORIGINS, CANONICAL_ORIGIN),
            Domain::Paths => (&PATHS, PATH),
        };
        cell.get_or_init(|| {
            let hir = anchored::parse(pattern).ok()?;
            dfa(&anchored::anchor(hir, Anchoring::Whole))
        })
        .as_ref()
    }
}

/// Whether every request path `later` matches (from its start) is matched by `earlier` too,
/// so that a route of path `later` listed after one of path `earlier` never decides. `None`
/// when the automata are too large. The pairwise reference [`Shadowing`] is tested against.
#[cfg(test)]
fn covers(earlier: &Hir, later: &Hir) -> Option<bool> {
    let (earlier, later) = (prefix_dfa(earlier)?, prefix_dfa(later)?);
    let paths = Domain::Paths.dfa()?;
    // A path `later` matches and `earlier` does not, if there is one.
    let escaping = product_samples(&[(&later, true), (paths, true), (&earlier, false)], 1)?;
    Some(escaping.is_empty())
}

/// The most paths sampled from a later route to pick the earlier routes that may cover it.
const SHADOW_SAMPLES: usize = 32;

/// Which earlier route covers a later one (every request path the later one matches from its
/// start, the earlier one matches too, so the later one never decides), for every route of a
/// configuration without comparing every pair: an earlier route can only cover a later one if
/// it matches every path sampled from the later one, and one search of all the routes' paths
/// at once tells which do; only those few are then compared exactly, each route's automaton
/// built once. The answers are those of comparing each earlier route in turn (the tests check
/// it against that pairwise comparison). Validating 1,000 routes takes milliseconds, not the
/// minutes that comparing every pair took.
pub(crate) struct Shadowing {
    /// Each route's path regex before anchoring, `None` for one that did not parse.
    hirs: Vec<Option<Hir>>,
    /// Each route's prefix automaton, once built (`Some(None)`: too large).
    prefixes: Vec<Option<Option<dense::DFA<Vec<u32>>>>>,
    /// Every route's path anchored at the start, pattern `i` for route `i`, reporting every
    /// pattern that matches; `None` when too large, and then every earlier route is compared.
    selector: Option<meta::Regex>,
    /// How many pairs were compared exactly, for the tests.
    compared: usize,
}

impl Shadowing {
    /// Prepares the comparison of the routes whose path regexes (before anchoring) are `hirs`.
    pub(crate) fn new(hirs: Vec<Option<Hir>>) -> Shadowing {
        let anchored: Vec<Hir> = hirs
            .iter()
            .map(|hir| match hir {
                Some(hir) => anchored::anchor(hir.clone(), Anchoring::Start),
                None => Hir::fail(),
            })
            .collect();
        let selector = meta::Builder::new()
            .configure(meta::Config::new().match_kind(MatchKind::All))
            .build_many_from_hir(&anchored)
            .ok();
        Shadowing {
            compared: 0,
            prefixes: vec![None; hirs.len()],
            hirs,
            selector,
        }
    }

    /// The first of `earlier` (route indices, in order) whose path covers route `later`'s;
    /// `None` when none does or the automata are too large to tell.
    pub(crate) fn first_covering(&mut self, later: usize, earlier: &[usize]) -> Option<usize> {
        self.prefix(later)?;
        let candidates = self.candidates(later, earlier);
        candidates.into_iter().find(|&index| {
            self.compared += 1;
            self.prefix(index).is_some()
                && self
                    .escaping_paths(later, index)
                    .is_some_and(|e| e.is_empty())
        })
    }

    /// The routes of `earlier` that match every path sampled from route `later`.
    fn candidates(&self, later: usize, earlier: &[usize]) -> Vec<usize> {
        let (Some(selector), Some(paths), Some(Some(Some(prefix)))) = (
            &self.selector,
            Domain::Paths.dfa(),
            self.prefixes.get(later),
        ) else {
            return earlier.to_vec();
        };
        let Some(samples) = product_samples(&[(prefix, true), (paths, true)], SHADOW_SAMPLES)
        else {
            return earlier.to_vec();
        };
        let mut set = PatternSet::new(selector.pattern_len());
        let mut matched_all = vec![true; selector.pattern_len()];
        for sample in &samples {
            set.clear();
            selector.which_overlapping_matches(
                &Input::new(sample.as_slice()).anchored(Anchored::Yes),
                &mut set,
            );
            for (index, matched) in matched_all.iter_mut().enumerate() {
                *matched &= PatternID::new(index).is_ok_and(|id| set.contains(id));
            }
        }
        earlier
            .iter()
            .copied()
            .filter(|&index| matched_all.get(index).copied().unwrap_or(false))
            .collect()
    }

    /// A path route `later` matches and route `earlier` does not, if there is one (`None` when
    /// the automata are too large). Both prefixes are built.
    fn escaping_paths(&self, later: usize, earlier: usize) -> Option<Vec<Vec<u8>>> {
        let paths = Domain::Paths.dfa()?;
        let later = self.prefixes.get(later)?.as_ref()?.as_ref()?;
        let earlier = self.prefixes.get(earlier)?.as_ref()?.as_ref()?;
        product_samples(&[(later, true), (paths, true), (earlier, false)], 1)
    }

    /// Builds route `index`'s prefix automaton once; `None` when it is too large.
    fn prefix(&mut self, index: usize) -> Option<()> {
        let slot = self.prefixes.get_mut(index)?;
        if slot.is_none() {
            let hir = self.hirs.get(index)?.as_ref()?;
            *slot = Some(prefix_dfa(hir));
        }
        slot.as_ref()?.as_ref().map(|_| ())
    }
}

/// The DFA of the paths `hir` (unanchored) matches from their start: `\A(?:hir)(?s:.)*\z`.
fn prefix_dfa(hir: &Hir) -> Option<dense::DFA<Vec<u32>>> {
    let rest = anchored::parse(r"(?s:.)*").ok()?;
    dfa(&anchored::anchor(
        Hir::concat(vec![hir.clone(), rest]),
        Anchoring::Whole,
    ))
}

/// Up to `max` ASCII strings that each automaton accepts (`true`) or rejects (`false`), one
/// through each state of their product that can still reach such an end, shortest first.
/// `None` when the product is too large to walk.
fn product_samples(parts: &[(&dense::DFA<Vec<u32>>, bool)], max: usize) -> Option<Vec<Vec<u8>>> {
    let config = start::Config::new().anchored(Anchored::Yes);
    let start: Vec<StateID> = parts
        .iter()
        .map(|(dfa, _)| dfa.start_state(&config).ok())
        .collect::<Option<_>>()?;
    // A state is hopeless when an automaton that must match can no longer match.
    let dead = |state: &[StateID]| {
        parts
            .iter()
            .zip(state)
            .any(|((dfa, want), &id)| dfa.is_quit_state(id) || (*want && dfa.is_dead_state(id)))
    };
    let accepts = |state: &[StateID]| {
        parts
            .iter()
            .zip(state)
            .all(|((dfa, want), &id)| dfa.is_match_state(dfa.next_eoi_state(id)) == *want)
    };

    // Forward: every reachable state, with the byte and state it was first reached from.
    let mut index: HashMap<Vec<StateID>, usize> = HashMap::new();
    let mut states = vec![start.clone()];
    let mut parent: Vec<Option<(usize, u8)>> = vec![None];
    let mut edges: Vec<Vec<(u8, usize)>> = vec![Vec::new()];
    index.insert(start, 0);
    let mut queue = VecDeque::from([0usize]);
    while let Some(at) = queue.pop_front() {
        for byte in 0..=127u8 {
            let next: Vec<StateID> = parts
                .iter()
                .zip(&states[at])
                .map(|((dfa, _), &id)| dfa.next_state(id, byte))
                .collect();
            if dead(&next) {
                continue;
            }
            let to = match index.get(&next) {
                Some(&to) => to,
                None => {
                    if states.len() >= MAX_STATES {
                        return None;
                    }
                    let to = states.len();
                    index.insert(next.clone(), to);
                    states.push(next);
                    parent.push(Some((at, byte)));
                    edges.push(Vec::new());
                    queue.push_back(to);
                    to
                }
            };
            edges[at].push((byte, to));
        }
    }

    // Backward: from each state, the first byte of a shortest way to an accepted end.
    let mut toward_match: Vec<Option<(u8, usize)>> = vec![None; states.len()];
    let mut reaches = vec![false; states.len()];
    let mut reverse: Vec<Vec<(u8, usize)>> = vec![Vec::new(); states.len()];
    for (from, list) in edges.iter().enumerate() {
        for &(byte, to) in list {
            reverse[to].push((byte, from));
        }
    }
    let mut queue = VecDeque::new();
    for (at, state) in states.iter().enumerate() {
        if accepts(state) {
            reaches[at] = true;
            queue.push_back(at);
        }
    }
    while let Some(at) = queue.pop_front() {
        for &(byte, from) in &reverse[at] {
            if !reaches[from] {
                reaches[from] = true;
                toward_match[from] = Some((byte, at));
                queue.push_back(from);
            }
        }
    }

    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for (at, _) in reaches.iter().enumerate().filter(|(_, reaches)| **reaches) {
        let mut text = Vec::new();
        let mut back = at;
        while let Some((from, byte)) = parent[back] {
            text.push(byte);
            back = from;
        }
        text.reverse();
        let mut forward = at;
        while let Some((byte, to)) = toward_match[forward] {
            text.push(byte);
            forward = to;
        }
        if seen.insert(text.clone()) {
            found.push(text);
            if found.len() >= max {
                break;
            }
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(pattern: &str) -> OriginAudit {
        let hir = anchored::parse(pattern).unwrap();
        let compiled =
            anchored::compile(&[anchored::anchor(hir.clone(), Anchoring::Whole)]).unwrap();
        audit_origin_regex(&hir, &compiled)
    }

    fn foreign(pattern: &str) -> Option<String> {
        match audit(pattern) {
            OriginAudit::Analysed { foreign, .. } => foreign,
            OriginAudit::NotAnalysed => panic!("{pattern} not analysed"),
        }
    }

    #[test]
    fn regexes_that_let_other_sites_in() {
        let broad = [
            r".*",
            r"https://.*",
            r"https://[^/]+",
            r"https://[a-z]+\.com",
            r"https://.*example\.com",
            r"https://[a-z]+\.github\.io",
            r"https://app\.example\.com.*",
            r"https://(app\.example\.com|.*\.evil)",
            r"https?://[a-z0-9.-]+(:\d+)?",
            // Unescaped dots: `app-example.com`, `appxexample.com`.
            r"https://app.example.com",
            r"https://shop\d+\.com",
            r"https://app\.[a-z]xample\.com",
        ];
        for pattern in broad {
            assert!(foreign(pattern).is_some(), "{pattern} should be broad");
        }
        let own = [
            r"https://app\.example\.com",
            r"https://[a-z0-9-]+\.example\.com",
            r"https://([a-z0-9-]+\.)*example\.com",
            r"https://.*\.example\.com",
            r"https://(www\.)?example\.(com|org)",
            r"http://localhost:\d+",
            r"http://127\.0\.0\.1:[0-9]+",
            r"https://pr-\d+\.preview\.example",
            r"^https://\w+\.example\.com$",
            r"^https://\w+\.example\.com",
            r"https://[a-z]+\.corp\.internal(:8443)?",
            r"https://example[12]\.com",
        ];
        for pattern in own {
            assert_eq!(foreign(pattern), None, "{pattern} names its own domain");
        }
    }

    #[test]
    fn null_plain_http_and_nothing() {
        let OriginAudit::Analysed {
            matches_null,
            insecure,
            matches_nothing,
            ..
        } = audit(r"null|https?://app\.example\.com")
        else {
            panic!("not analysed")
        };
        assert!(matches_null);
        assert_eq!(insecure.as_deref(), Some("http://app.example.com"));
        assert!(!matches_nothing);
        let OriginAudit::Analysed { insecure, .. } = audit(r"http://(localhost|127\.0\.0\.1):\d+")
        else {
            panic!("not analysed")
        };
        assert_eq!(insecure, None);
        for never in [
            r"https://app\.example\.com/",
            r"https://App\.Example\.com",
            r"https://app\.example\.com:443",
            r"app\.example\.com",
        ] {
            let OriginAudit::Analysed {
                matches_nothing, ..
            } = audit(never)
            else {
                panic!("not analysed")
            };
            assert!(matches_nothing, "{never}");
        }
    }

    #[test]
    fn paths_start_with_a_slash() {
        let matches = |p: &str| matches_some_path(&anchored::parse(p).unwrap()).unwrap();
        for yes in ["^/api/", "/", "", "^.*$", "(?i)^/API/", r"^/v\d+/", "^$|/x"] {
            assert!(matches(yes), "{yes}");
        }
        for no in ["api/", "^api/", "^x", r"^\w+/"] {
            assert!(!matches(no), "{no}");
        }
    }

    #[test]
    fn attacker_origins_are_on_other_registrable_domains() {
        let probes = attacker_origins("https://a.example.co.uk:8443");
        assert!(probes.contains(&"https://a.corsairprobe.co.uk:8443".to_owned()));
        assert!(probes.contains(&"https://a.corsairprobeexample.co.uk:8443".to_owned()));
        assert!(probes.contains(&"https://a.example.co.uk.corsairprobe.com:8443".to_owned()));
        for probe in &probes {
            let host = probe
                .trim_start_matches("https://")
                .trim_end_matches(":8443");
            assert_ne!(registrable_domain(host), Some("example.co.uk"), "{probe}");
        }
        assert_eq!(
            attacker_origins("http://127.0.0.1:8000"),
            ["http://corsairprobe.com:8000"]
        );
    }

    #[test]
    fn earlier_routes_that_cover_later_ones() {
        let covers = |a: &str, b: &str| {
            covers(&anchored::parse(a).unwrap(), &anchored::parse(b).unwrap()).unwrap()
        };
        assert!(covers("^/public/", "^/public/private/"));
        assert!(covers("^/api/", r"^/api/v\d+/"));
        assert!(covers("^/", "^/anything"));
        assert!(!covers("^/public/private/", "^/public/"));
        assert!(!covers("^/a/", "^/b/"));
        assert!(!covers("^/api/v1/", r"^/api/v\d+/"));
        assert!(!covers("^/api$", "^/api"));
    }

    /// The first earlier route [`covers`] says covers each route, compared pair by pair: the
    /// reference for [`Shadowing`].
    fn first_covering_pairwise(paths: &[&str]) -> Vec<Option<usize>> {
        let hirs: Vec<Hir> = paths.iter().map(|p| anchored::parse(p).unwrap()).collect();
        (0..hirs.len())
            .map(|later| (0..later).find(|&e| covers(&hirs[e], &hirs[later]) == Some(true)))
            .collect()
    }

    fn first_covering_at_once(paths: &[&str]) -> Vec<Option<usize>> {
        let mut shadowing = Shadowing::new(paths.iter().map(|p| anchored::parse(p).ok()).collect());
        (0..paths.len())
            .map(|later| shadowing.first_covering(later, &(0..later).collect::<Vec<_>>()))
            .collect()
    }

    /// Route paths of the shapes configurations use, overlapping often.
    const SHAPES: [&str; 16] = [
        "^/",
        "^/a/",
        "^/a",
        "^/a$",
        "^/a/b/",
        "^/b/",
        r"^/v\d+/",
        "^/v1/",
        "^/(a|b)/",
        "^/a/.*x",
        "(?i)^/A/",
        "^/a/b/$",
        "^/.*",
        "",
        "^/a/[^/]+/c",
        "^/a/b/c",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(150))]

        #[test]
        fn shadowing_finds_what_comparing_every_pair_finds(
            picks in proptest::collection::vec(0..SHAPES.len(), 1..10),
        ) {
            let paths: Vec<&str> = picks.iter().map(|&i| SHAPES[i]).collect();
            proptest::prop_assert_eq!(
                first_covering_at_once(&paths),
                first_covering_pairwise(&paths),
                "{:?}", paths
            );
        }
    }

    /// Among 400 routes, only the pairs that may cover each other are compared exactly: one
    /// per shadowed route here, where comparing every pair would be 79,800.
    #[test]
    fn shadowing_compares_few_pairs_among_hundreds_of_routes() {
        let mut paths: Vec<String> = (0..399).map(|k| format!("^/svc{k}/")).collect();
        paths.push("^/svc7/deeper/".to_owned());
        let mut shadowing = Shadowing::new(paths.iter().map(|p| anchored::parse(p).ok()).collect());
        let mut earlier = Vec::new();
        let mut shadowed = Vec::new();
        for later in 0..paths.len() {
            if let Some(first) = shadowing.first_covering(later, &earlier) {
                shadowed.push((later, first));
            }
            earlier.push(later);
        }
        assert_eq!(shadowed, [(399, 7)]);
        assert_eq!(shadowing.compared, 1);
    }

    #[test]
    fn shadowing_only_compares_earlier_routes_it_is_given() {
        let mut shadowing = Shadowing::new(
            ["^/", "^/a/", "^/a/b/"]
                .iter()
                .map(|p| anchored::parse(p).ok())
                .collect(),
        );
        assert_eq!(shadowing.first_covering(2, &[0, 1]), Some(0));
        assert_eq!(shadowing.first_covering(2, &[1]), Some(1));
        assert_eq!(shadowing.first_covering(2, &[]), None);
        assert_eq!(shadowing.first_covering(1, &[2]), None);
    }
}
