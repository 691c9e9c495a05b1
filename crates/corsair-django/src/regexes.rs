//! Django's regexes as corsair's engine can judge them.
//!
//! django-cors-headers tests an origin with `re.match(R, origin)`: from the start only, so `R`
//! matches every origin that merely begins with something `R` matches. That is a whole-string
//! match of `R` followed by anything, which is what the engine judges: `R` is parsed alone (as
//! the engine parses it, so a pattern that closes a group it never opened is refused, not
//! spliced), `(?s:.)*` is appended as a syntax tree, and the tree is printed back as a Rust regex.
//! Python and Rust syntax differ slightly (look-around and back-references are Python only); a
//! pattern Rust cannot parse is reported, never judged by guesswork.

use std::collections::HashMap;

use regex_syntax::hir::{Hir, print::Printer};

/// The origin regexes handed to the engine, and where each came from.
#[derive(Debug, Default)]
pub(crate) struct Regexes {
    /// The patterns as written that Rust parses.
    pub parsed: Vec<String>,
    /// Each of them in the engine's (whole-match) terms, in the same order.
    pub for_engine: Vec<String>,
    /// The patterns Rust cannot parse, with the parser's message.
    pub unreadable: Vec<(String, String)>,
    original: HashMap<String, String>,
}

impl Regexes {
    /// The pattern as written for a pattern handed to the engine.
    pub fn original<'a>(&'a self, engine_text: &'a str) -> &'a str {
        self.original
            .get(engine_text)
            .map_or(engine_text, String::as_str)
    }
}

/// Translates each of `patterns` from `re.match` terms.
pub(crate) fn from_re_match(patterns: &[String]) -> Regexes {
    let mut regexes = Regexes::default();
    for pattern in patterns {
        match re_match_equivalent(pattern) {
            Ok(text) => {
                regexes
                    .original
                    .entry(text.clone())
                    .or_insert_with(|| pattern.clone());
                regexes.parsed.push(pattern.clone());
                regexes.for_engine.push(text);
            }
            Err(message) => regexes.unreadable.push((pattern.clone(), message)),
        }
    }
    regexes
}

/// The Rust regex that matches a whole string exactly when `re.match(pattern, string)` matches.
///
/// # Errors
///
/// The parser's message, on one line, when Rust cannot parse `pattern`.
pub(crate) fn re_match_equivalent(pattern: &str) -> Result<String, String> {
    let hir = parse(pattern)?;
    let anything = parse("(?s:.)*")?;
    let mut text = String::new();
    Printer::new()
        .print(&Hir::concat(vec![hir, anything]), &mut text)
        .map_err(|_| "the regex cannot be printed back".to_owned())?;
    Ok(text)
}

/// Parses a pattern on its own, with the settings the engine parses with (Unicode on).
///
/// # Errors
///
/// The parser's message, on one line.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|error| {
            error
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(pattern: &str) -> regex::Regex {
        regex::Regex::new(&format!(
            r"\A(?:{})\z",
            re_match_equivalent(pattern).unwrap()
        ))
        .unwrap()
    }

    #[test]
    fn matches_what_re_match_matches() {
        let unanchored = whole(r"^https://\w+\.example\.com");
        assert!(unanchored.is_match("https://a.example.com"));
        assert!(unanchored.is_match("https://a.example.com.evil.net"));
        assert!(!unanchored.is_match("evil://https://a.example.com"));
        let anchored = whole(r"^https://\w+\.example\.com$");
        assert!(anchored.is_match("https://a.example.com"));
        assert!(!anchored.is_match("https://a.example.com.evil.net"));
        // No implicit search: the start is anchored.
        assert!(!whole(r"example\.com").is_match("https://example.com"));
        // Alternatives are each anchored at the start only, as in Python.
        let either = whole(r"https://a\.example|https://b\.example$");
        assert!(either.is_match("https://a.example.evil.net"));
        assert!(!either.is_match("https://b.example.evil.net"));
    }

    #[test]
    fn a_pattern_cannot_escape_its_tree() {
        // Closing a group it never opened is an error, not a splice.
        assert!(re_match_equivalent(r"https://a\.example)|(.*").is_err());
        // A verbose comment ends with the pattern; it cannot swallow what follows.
        let verbose = whole("(?x) https://a \\. example \\. com $ # the app");
        assert!(verbose.is_match("https://a.example.com"));
        assert!(!verbose.is_match("https://a.example.com.evil.net"));
    }

    #[test]
    fn python_only_syntax_is_reported() {
        let regexes = from_re_match(&[
            r"^https://(?!evil)\w+\.example\.com$".to_owned(),
            r"^https://a\.example$".to_owned(),
        ]);
        assert_eq!(regexes.parsed, [r"^https://a\.example$"]);
        assert_eq!(regexes.unreadable.len(), 1);
        assert!(
            regexes.unreadable[0].1.contains("look-around"),
            "{:?}",
            regexes.unreadable
        );
        let text = &regexes.for_engine[0];
        assert_eq!(regexes.original(text), r"^https://a\.example$");
    }
}
