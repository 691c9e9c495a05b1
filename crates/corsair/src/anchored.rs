//! User regexes, parsed on their own and anchored by structure, never by pasting text around
//! them.
//!
//! Wrapping a pattern as text (`^(?:` + pattern + `)$`) lets the pattern close the group itself:
//! `https://a\.example)|(https://a\.example` is invalid on its own, yet wrapped it becomes
//! `^(?:https://a\.example)|(https://a\.example)$`, an alternation whose second branch has no
//! start anchor. Here each pattern is parsed alone (so such a pattern is a syntax error), and
//! the anchors are placed around its syntax tree: `\A` before and, for a whole-string match,
//! `\z` after.
//!
//! Syntax is the `regex` crate's (<https://docs.rs/regex/latest/regex/#syntax>): no look-around,
//! no back-references; matching runs in time linear in the input.

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use std::collections::HashMap;

use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::{Anchored, meta};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, Look};

/// The most memory a [`ShortInputMatcher`]'s DFA may take, and may take to build; past it, the
/// patterns are matched by the meta regex alone.
const DFA_SIZE_LIMIT: usize = 1 << 20;

/// How much of the input a pattern must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchoring {
    /// From the first byte to the last (origins).
    Whole,
    /// From the first byte on (paths, as django-cors-headers' `re.match`).
    Start,
}

/// Parses one pattern on its own, with the `regex` crate's defaults (Unicode on).
///
/// # Errors
///
/// The parser's message, on one line, when the pattern is not a valid regex by itself.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    parse_with_case(pattern, false)
}

/// Parses one pattern on its own, as [`parse`] does, matching letters without regard to case
/// when `case_insensitive` (the `i` flag set for the whole pattern).
///
/// # Errors
///
/// The parser's message, on one line, when the pattern is not a valid regex by itself.
pub(crate) fn parse_with_case(pattern: &str, case_insensitive: bool) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .parse(pattern)
        .map_err(|error| one_line(&error.to_string()))
}

/// `hir` with its anchors: `\A(?:hir)\z` or `\A(?:hir)`.
pub(crate) fn anchor(hir: Hir, anchoring: Anchoring) -> Hir {
    let mut parts = vec![Hir::look(Look::Start), hir];
    if anchoring == Anchoring::Whole {
        parts.push(Hir::look(Look::End));
    }
    Hir::concat(parts)
}

/// One matcher for several anchored patterns: it matches when any of them does.
///
/// # Errors
///
/// The builder's message when the patterns together exceed the size limits.
pub(crate) fn compile(anchored: &[Hir]) -> Result<meta::Regex, String> {
    meta::Builder::new()
        .build_many_from_hir(anchored)
        .map_err(|error| one_line(&error.to_string()))
}

/// Anchored patterns compiled for many matches of short inputs (request origins): a fully
/// built DFA when the patterns allow one within [`DFA_SIZE_LIMIT`] (a table step per byte, no
/// cache to fetch per match), and the meta regex, which answers wherever the DFA cannot (it
/// gives up on a byte it was built to quit at, such as a non-ASCII byte under a Unicode `\b`).
/// Both compile the same patterns, so they agree (a property test checks it).
#[derive(Debug, Clone)]
pub(crate) struct ShortInputMatcher {
    meta: meta::Regex,
    dfa: Option<Transitions>,
}

impl ShortInputMatcher {
    /// Compiles anchored patterns ([`anchor`]); it matches when any of them does.
    ///
    /// # Errors
    ///
    /// The builder's message when the patterns together exceed the meta regex's size limits.
    pub(crate) fn new(anchored: &[Hir]) -> Result<Self, String> {
        Ok(ShortInputMatcher {
            meta: compile(anchored)?,
            dfa: full_dfa(anchored).and_then(|dfa| {
                Transitions::of(&dfa).map(|transitions| {
                    transitions.with_literals(
                        common_literal(anchored, ExtractKind::Prefix),
                        common_literal(anchored, ExtractKind::Suffix),
                    )
                })
            }),
        })
    }

    /// Whether any of the patterns matches `input` (bytes: a request's origin needs no UTF-8
    /// check to be matched).
    pub(crate) fn is_match(&self, input: &[u8]) -> bool {
        match self.dfa.as_ref().map(|dfa| dfa.walk(input)) {
            Some(Walked::Matches) => true,
            Some(Walked::DoesNotMatch) => false,
            Some(Walked::Quit) | None => self.meta.is_match(input),
        }
    }
}

/// The rows given to a DFA's states as [`Transitions::of`] reaches them.
struct Rows<'d> {
    dfa: &'d dense::DFA<Vec<u32>>,
    stride: usize,
    quit: u32,
    /// Each state's row offset in `Transitions::next`.
    offsets: HashMap<StateID, u32>,
    /// States given a row whose transitions are not laid out yet.
    pending: Vec<(StateID, u32)>,
}

impl Rows<'_> {
    /// The row offset of `state`: the sinks' for the dead and quit states, a new row for a
    /// state not seen before (`None` past [`DFA_SIZE_LIMIT`]).
    fn row_of(&mut self, state: StateID) -> Option<u32> {
        if self.dfa.is_dead_state(state) {
            return Some(Transitions::DEAD);
        }
        if self.dfa.is_quit_state(state) {
            return Some(self.quit);
        }
        if let Some(&row) = self.offsets.get(&state) {
            return Some(row);
        }
        let rows = Transitions::SINKS + self.offsets.len();
        if (rows + 1) * self.stride * std::mem::size_of::<u32>() > DFA_SIZE_LIMIT {
            return None;
        }
        let row = u32::try_from(rows * self.stride).ok()?;
        self.offsets.insert(state, row);
        self.pending.push((state, row));
        Some(row)
    }
}

/// How walking [`Transitions`] over an input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walked {
    Matches,
    DoesNotMatch,
    /// The DFA gives up on a byte of the input (see [`ShortInputMatcher`]).
    Quit,
}

/// The transitions of an anchored DFA, laid out for one thing: walking an input from its start
/// to its end, one table step per byte and no other test. Each state's row holds the next state
/// of each byte class, as the row's offset in `next`; the dead state (no match can follow) and
/// the quit state are rows that lead to themselves, so the walk never stops early, and what a
/// state means is read once, after the input's last byte: every pattern ends with `\z`, so the
/// input matches when the state it ends in passes to a match state at the end of input.
///
/// Each step waits for the one before it (the next row is read from the row), so a walk costs
/// a memory load's latency per byte. Where the input starts with the patterns' common literal
/// prefix, or ends with their common literal suffix (`https://` and a domain, in most origin
/// patterns), those bytes are compared as a block instead: the row a literal leads to from
/// any row is the same for every input, so it is walked once, when the rows are laid out.
#[derive(Debug, Clone)]
struct Transitions {
    /// The byte class of each byte.
    classes: [u8; 256],
    /// The rows, `stride` next states each.
    next: Vec<u32>,
    /// Per row (indexed by offset / stride): the input matches when it ends there.
    accepts: Vec<bool>,
    start: u32,
    quit: u32,
    stride: usize,
    /// A literal the patterns' matches start with (possibly empty), and the row it leads to
    /// from `start`.
    prefix: Box<[u8]>,
    after_prefix: u32,
    /// A literal the patterns' matches end with (possibly empty), and per row (indexed by
    /// offset / stride) the row it leads to from there.
    suffix: Box<[u8]>,
    after_suffix: Vec<u32>,
}

impl Transitions {
    /// The rows of the dead and of the quit state.
    const DEAD: u32 = 0;
    const SINKS: usize = 2;

    /// Lays out `dfa`'s states reachable from its anchored start, or `None` when the DFA has no
    /// anchored start state or its rows would outgrow [`DFA_SIZE_LIMIT`].
    fn of(dfa: &dense::DFA<Vec<u32>>) -> Option<Transitions> {
        let byte_classes = dfa.byte_classes();
        let mut classes = [0u8; 256];
        // A byte of each class, in class order.
        let mut representatives: Vec<u8> = Vec::new();
        for byte in 0..=255u8 {
            let class = byte_classes.get(byte);
            classes[usize::from(byte)] = class;
            if usize::from(class) == representatives.len() {
                representatives.push(byte);
            }
        }
        let stride = representatives.len();
        let quit = u32::try_from(stride).ok()?;
        let mut rows = Rows {
            dfa,
            stride,
            quit,
            offsets: HashMap::new(),
            pending: Vec::new(),
        };
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .ok()?;
        let start = rows.row_of(start)?;
        // The sinks lead to themselves.
        let mut next = vec![Self::DEAD; stride];
        next.resize(Self::SINKS * stride, quit);
        let mut accepts = vec![false; Self::SINKS];
        while let Some((state, row)) = rows.pending.pop() {
            let row = usize::try_from(row).ok()?;
            if next.len() < row + stride {
                next.resize(row + stride, Self::DEAD);
                accepts.resize(row / stride + 1, false);
            }
            for (class, &byte) in representatives.iter().enumerate() {
                next[row + class] = rows.row_of(dfa.next_state(state, byte))?;
            }
            accepts[row / stride] = dfa.is_match_state(dfa.next_eoi_state(state));
        }
        Some(Transitions {
            classes,
            next,
            accepts,
            start,
            quit,
            stride,
            prefix: Box::default(),
            after_prefix: start,
            suffix: Box::default(),
            after_suffix: Vec::new(),
        })
    }

    /// These transitions, walking `prefix` and `suffix` as blocks where an input has them. Any
    /// literal gives the same answers (a walk is the same whether or not a literal is skipped);
    /// the patterns' common ones are those most inputs have.
    fn with_literals(self, prefix: Vec<u8>, suffix: Vec<u8>) -> Transitions {
        let after_prefix = self.steps(self.start, &prefix);
        let rows = self.next.len() / self.stride;
        let after_suffix = if suffix.is_empty() {
            Vec::new()
        } else {
            (0..rows)
                .map(|row| self.steps(self.row_at(row), &suffix))
                .collect()
        };
        Transitions {
            prefix: prefix.into_boxed_slice(),
            after_prefix,
            suffix: suffix.into_boxed_slice(),
            after_suffix,
            ..self
        }
    }

    /// The offset of the `index`th row.
    fn row_at(&self, index: usize) -> u32 {
        u32::try_from(index * self.stride).unwrap_or(self.quit)
    }

    /// The row `bytes` lead to from `row`, one step per byte.
    fn steps(&self, mut row: u32, bytes: &[u8]) -> u32 {
        for &byte in bytes {
            let at = row as usize + usize::from(self.classes[usize::from(byte)]);
            row = self.next.get(at).copied().unwrap_or(self.quit);
        }
        row
    }

    fn walk(&self, input: &[u8]) -> Walked {
        let (mut row, rest) = match input.strip_prefix(&*self.prefix) {
            Some(rest) => (self.after_prefix, rest),
            None => (self.start, input),
        };
        match rest.strip_suffix(&*self.suffix) {
            Some(middle) if !self.suffix.is_empty() => {
                row = self.steps(row, middle);
                row = self
                    .after_suffix
                    .get(row as usize / self.stride)
                    .copied()
                    .unwrap_or(self.quit);
            }
            _ => row = self.steps(row, rest),
        }
        if row == self.quit {
            Walked::Quit
        } else if self.accepts.get(row as usize / self.stride) == Some(&true) {
            Walked::Matches
        } else {
            Walked::DoesNotMatch
        }
    }
}

/// The longest literal every match of every pattern starts with (`Prefix`) or ends with
/// (`Suffix`), as far as the syntax trees tell (empty when they tell none).
fn common_literal(anchored: &[Hir], kind: ExtractKind) -> Vec<u8> {
    let suffix = matches!(kind, ExtractKind::Suffix);
    let mut extractor = Extractor::new();
    extractor.kind(kind);
    let mut literals = Seq::empty();
    for hir in anchored {
        literals.union(&mut extractor.extract(hir));
    }
    let common = if suffix {
        literals.longest_common_suffix()
    } else {
        literals.longest_common_prefix()
    };
    common.unwrap_or_default().to_vec()
}

/// The patterns as one anchored dense DFA, or `None` when it would exceed [`DFA_SIZE_LIMIT`] (or
/// the patterns need what a DFA cannot do).
fn full_dfa(anchored: &[Hir]) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(DFA_SIZE_LIMIT)))
        .build_many_from_hir(anchored)
        .ok()?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .unicode_word_boundary(true)
                .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                .determinize_size_limit(Some(DFA_SIZE_LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(pattern: &str) -> meta::Regex {
        compile(&[anchor(parse(pattern).unwrap(), Anchoring::Whole)]).unwrap()
    }

    #[test]
    fn a_pattern_cannot_undo_its_anchors() {
        // Invalid on its own: the group it tries to close was never opened.
        assert!(parse(r"https://app\.example\.com)|(https://app\.example\.com").is_err());
        // Flags and comments stay inside the pattern.
        let verbose = whole("(?x) https://app \\. example \\. com # the app");
        assert!(verbose.is_match("https://app.example.com"));
        assert!(!verbose.is_match("https://app.example.com.evil.net"));
        let alternation = whole(r"https://a\.example|https://b\.example");
        assert!(alternation.is_match("https://b.example"));
        assert!(!alternation.is_match("https://b.example.evil.net"));
        assert!(!alternation.is_match("evil-https://a.example"));
    }

    #[test]
    fn start_anchoring_matches_prefixes_only() {
        let paths = compile(&[anchor(parse("/api/").unwrap(), Anchoring::Start)]).unwrap();
        assert!(paths.is_match("/api/items"));
        assert!(!paths.is_match("/v1/api/items"));
        let either = compile(&[anchor(parse("/a/|/b/").unwrap(), Anchoring::Start)]).unwrap();
        assert!(either.is_match("/b/x"));
        assert!(!either.is_match("/x/b/"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// An alternation of escaped literals, anchored, matches exactly its literals: never a
        /// string that merely starts or ends with one (the reference model is list membership).
        #[test]
        fn anchored_alternations_match_whole_strings_only(
            literals in proptest::collection::vec("[a-z.:/]{1,8}", 1..5),
            pick in 0usize..5,
            prefix in "[a-z.]{0,3}",
            suffix in "[a-z.]{0,3}",
        ) {
            let pattern = literals
                .iter()
                .map(|l| regex_syntax::escape(l))
                .collect::<Vec<_>>()
                .join("|");
            let regex = whole(&pattern);
            let chosen = &literals[pick % literals.len()];
            let candidate = format!("{prefix}{chosen}{suffix}");
            proptest::prop_assert_eq!(
                regex.is_match(&candidate),
                literals.contains(&candidate),
                "{} on {}", pattern, candidate
            );
        }
    }

    const ORIGIN_PATTERNS: &[&str] = &[
        r"https://pr-\d+\.preview\.example",
        r"https?://([a-z0-9-]+\.)*example\.com(:\d+)?",
        r"https://\w+\.example",
        r"https://app\.example|http://localhost:\d{2,5}",
        r"(?i)https://APP\.example",
        r"https://[a-z]+\.example\b.*",
        r"\bhttps://x\.example\b",
        r"https://é\.example",
        // An alternative that matches a prefix of another's matches: the walk reads to the end.
        r"https://app\.example|https://app\.example\.com(:\d+)?",
        r"null",
        r".*",
    ];

    fn short_input_matcher(patterns: &[&str]) -> ShortInputMatcher {
        let hirs: Vec<Hir> = patterns
            .iter()
            .map(|p| anchor(parse(p).unwrap(), Anchoring::Whole))
            .collect();
        ShortInputMatcher::new(&hirs).unwrap()
    }

    /// A matcher of each pattern, then one of all of them.
    static MATCHERS: std::sync::LazyLock<Vec<ShortInputMatcher>> = std::sync::LazyLock::new(|| {
        let mut matchers: Vec<_> = ORIGIN_PATTERNS
            .iter()
            .map(|pattern| short_input_matcher(&[pattern]))
            .collect();
        matchers.push(short_input_matcher(ORIGIN_PATTERNS));
        matchers
    });

    #[test]
    fn origin_patterns_get_a_full_dfa() {
        for (matcher, pattern) in MATCHERS.iter().zip(ORIGIN_PATTERNS) {
            assert!(matcher.dfa.is_some(), "{pattern}");
        }
        assert!(MATCHERS[ORIGIN_PATTERNS.len()].dfa.is_some());
    }

    #[test]
    fn the_common_literals_are_those_every_match_starts_and_ends_with() {
        let dfa = |matcher: &ShortInputMatcher| matcher.dfa.clone().unwrap();
        // (patterns, the literal every match starts with, the one every match ends with).
        let table: &[(&[&str], &str, &str)] = &[
            (
                &[r"https://pr-\d+\.preview\.example"],
                "https://pr-",
                ".preview.example",
            ),
            (
                &[r"https://app\.example|http://localhost:\d{2,5}"],
                "http",
                "",
            ),
            (
                &[r"https://a\.example", r"https://b\.example"],
                "https://",
                ".example",
            ),
            (&[r"(?i)https://APP\.example"], "", ""),
            (&[r".*"], "", ""),
            (&[r"null"], "null", "null"),
        ];
        for (patterns, prefix, suffix) in table {
            let transitions = dfa(&short_input_matcher(patterns));
            assert_eq!(&*transitions.prefix, prefix.as_bytes(), "{patterns:?}");
            assert_eq!(&*transitions.suffix, suffix.as_bytes(), "{patterns:?}");
        }
    }

    #[test]
    fn patterns_too_large_for_a_dfa_are_matched_by_the_meta_regex() {
        // Determinizing this needs about 2^20 states.
        let matcher = short_input_matcher(&[r"[ab]*a[ab]{20}"]);
        assert!(matcher.dfa.is_none());
        assert!(matcher.is_match(format!("a{}", "b".repeat(20)).as_bytes()));
        assert!(!matcher.is_match("b".repeat(21).as_bytes()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The DFA (falling back to the meta regex where it quits) answers as the meta regex
        /// alone, on near-misses as on random text, for one pattern and for all together.
        #[test]
        fn the_dfa_agrees_with_the_meta_regex(
            pattern in 0..ORIGIN_PATTERNS.len(),
            input in proptest::prop_oneof![
                "https?://(pr-[0-9]{0,4}|app|APP|x|é|[a-z0-9-]{1,8})(\\.[a-z]{1,8}){0,3}(\\.example|\\.example\\.com)?(:[0-9]{1,6})?[x.é]?",
                "[a-zA-Z0-9:/.\\-_é ]{0,40}",
                "null|NULL|null ",
                "(https://pr-|https://|https:/)[0-9a-z.]{0,4}(\\.preview\\.example|review\\.example|\\.example|)",
            ],
        ) {
            let one = &MATCHERS[pattern];
            proptest::prop_assert_eq!(one.is_match(input.as_bytes()), one.meta.is_match(&input), "{}", input);
            let all = &MATCHERS[ORIGIN_PATTERNS.len()];
            proptest::prop_assert_eq!(all.is_match(input.as_bytes()), all.meta.is_match(&input), "{}", input);
        }

        /// Skipping the common literals walks to the row a step per byte does (the reference
        /// model), on inputs that have the literals, part of them, or both overlapping.
        #[test]
        fn walking_literals_as_blocks_ends_where_stepping_does(
            pattern in 0..ORIGIN_PATTERNS.len(),
            input in "(https://pr-|https://|https:/|null|nul|)[0-9a-z.:-]{0,6}(\\.preview\\.example|review\\.example|\\.example|\\.example\\.com|ull|)",
        ) {
            let transitions = MATCHERS[pattern].dfa.as_ref().unwrap();
            let stepped = transitions.steps(transitions.start, input.as_bytes());
            let expected = if stepped == transitions.quit {
                Walked::Quit
            } else if transitions.accepts[stepped as usize / transitions.stride] {
                Walked::Matches
            } else {
                Walked::DoesNotMatch
            };
            proptest::prop_assert_eq!(transitions.walk(input.as_bytes()), expected, "{}", input);
        }
    }
}
