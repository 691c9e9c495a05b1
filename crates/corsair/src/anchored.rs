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

use regex_automata::meta;
use regex_syntax::hir::{Hir, Look};

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
}
