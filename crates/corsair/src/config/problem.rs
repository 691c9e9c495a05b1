//! [`Problem`]: what every report of a problem says, whoever finds it (the engine's
//! [`Finding`](super::Finding)s, the command line's diagnostics of a file, the Django
//! translation's findings, the browser model's warnings), and the one block in which a person
//! reads it.

use std::borrow::Cow;
use std::fmt;

/// How serious a [`Problem`] is.
///
/// ```
/// use corsair::Severity;
/// assert!(Severity::Error > Severity::Warning);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// What it is about still works (a policy is built, corsair starts), probably not as
    /// meant.
    Warning,
    /// What it is about is refused (a policy, a start).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A problem found in a configuration or an exchange: how serious it is, its stable id, what
/// it is about, the offending value, what is wrong and what to write instead.
///
/// Implemented by every problem type of corsair's crates, so that one renderer
/// ([`Problem::write_block`]) and one tally serve them all.
///
/// ```
/// use corsair::{Cors, Problem};
///
/// let err = Cors::builder().allowed_origins(["https://app.example/"]).build().unwrap_err();
/// let mut block = String::new();
/// err.findings()[0].write_block(&mut block, &[]).unwrap();
/// assert_eq!(block.lines().next(), Some("error[origin-has-path] allowed_origins"));
/// assert!(block.contains("   = value: \"https://app.example/\"\n"));
/// assert!(block.contains("   = fix:   "));
/// ```
pub trait Problem {
    /// Whether it stops what it is about (a policy, a start) or only warns.
    fn severity(&self) -> Severity;

    /// The stable identifier (`origin-has-path`, `corsair.W007`).
    fn id(&self) -> &str;

    /// The label between the brackets of the block's first line: the id, unless the type
    /// says more (the Django findings add their name).
    fn label(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.id())
    }

    /// What it is about, by the name its reader knows (`allowed_origins`, `server.listen`,
    /// `CORS_ALLOWED_ORIGINS`); empty when it is about nothing in particular.
    fn subject(&self) -> Cow<'_, str>;

    /// The offending value, written as its reader would write it; `None` for a problem about
    /// a missing value or a combination.
    fn value(&self) -> Option<Cow<'_, str>>;

    /// What is wrong.
    fn message(&self) -> &str;

    /// What to write instead; empty when there is nothing to change.
    fn fix(&self) -> &str;

    /// Whether it is an error.
    fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// Writes the block a person reads at a glance, with `locations` (where the value was
    /// written) as `-->` lines:
    ///
    /// ```text
    /// error[origin-has-path] allowed_origins
    ///   --> corsair.toml:7
    ///    = value: `https://app.example/`
    ///    = why:   the origin has a path; ...
    ///    = fix:   write `https://app.example`
    /// ```
    ///
    /// # Errors
    ///
    /// What `out` returns.
    fn write_block(
        &self,
        out: &mut dyn fmt::Write,
        locations: &[&dyn fmt::Display],
    ) -> fmt::Result {
        write!(out, "{}[{}]", self.severity(), self.label())?;
        let subject = self.subject();
        if !subject.is_empty() {
            write!(out, " {subject}")?;
        }
        out.write_char('\n')?;
        for location in locations {
            writeln!(out, "  --> {location}")?;
        }
        if let Some(value) = self.value() {
            writeln!(out, "   = value: {value}")?;
        }
        writeln!(out, "   = why:   {}", self.message())?;
        if !self.fix().is_empty() {
            writeln!(out, "   = fix:   {}", self.fix())?;
        }
        Ok(())
    }
}

/// `2 errors, 1 warning`; `no problems found`.
///
/// ```
/// use corsair::{Cors, tally};
///
/// let err = Cors::builder().allowed_origins(["https://a.example/", "b.example"]).build().unwrap_err();
/// assert_eq!(tally(err.findings()), "2 errors");
/// assert_eq!(tally::<corsair::Finding>(&[]), "no problems found");
/// ```
pub fn tally<P: Problem>(problems: &[P]) -> String {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let warnings = problems.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems found".to_owned(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
