//! [`Diagnostic`]: one problem of a configuration, as the command line reports it: the engine's
//! [`Finding`] plus where the offending value came from, or a problem of the file itself (a
//! syntax error, an unknown key, a bad `[server]` value).

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use corsair::{Finding, Problem, Severity, tally};

use super::source::{Provenance, Source};

/// One problem, with everything needed to fix it.
///
/// ```ignore
/// let d = Diagnostic::error("unknown-key", "server.lisen", Source::Default, None,
///     "`lisen` is not a [server] key", "did you mean `listen`?");
/// assert!(d.is_error());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    /// Whether it stops corsair from starting.
    pub severity: Severity,
    /// A stable, kebab-case rule identifier (the engine's finding ids, plus the file's own).
    pub id: &'static str,
    /// The setting or key concerned: `allowed_origins`, `server.listen`.
    pub subject: String,
    /// Where the value came from.
    pub source: Source,
    /// The offending value, as written.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to write instead.
    pub fix: String,
    /// A second value the problem is about (a combination of two settings): its name and where
    /// it came from.
    pub related: Option<Box<(String, Source)>>,
}

impl Diagnostic {
    /// An error about `subject`.
    pub(crate) fn error(
        id: &'static str,
        subject: impl Into<String>,
        source: Source,
        value: Option<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            id,
            subject: subject.into(),
            source,
            value,
            message: message.into(),
            fix: fix.into(),
            related: None,
        }
    }

    /// A warning about `subject`.
    pub(crate) fn warning(
        id: &'static str,
        subject: impl Into<String>,
        source: Source,
        value: Option<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(id, subject, source, value, message, fix)
        }
    }

    /// An engine finding, located with `provenance`. A finding of the report-only candidate
    /// is named after its table: `report_only.allowed_origins`,
    /// `report_only.routes[0] (path "^/public/") allow_credentials`.
    pub(crate) fn from_finding(finding: Finding, provenance: &Provenance) -> Diagnostic {
        let source = provenance.of_finding(&finding);
        let related = finding.related.zip(provenance.of_related(&finding));
        let table = if finding.report_only {
            "report_only"
        } else {
            "cors"
        };
        let mut subject = if finding.report_only {
            format!("report_only.{}", finding.setting.name())
        } else {
            finding.setting.name().to_owned()
        };
        let mut message = finding.message;
        if let Some(route) = &finding.route {
            let scope = if finding.report_only {
                format!(
                    "report_only.routes[{}] (path {:?})",
                    route.index, route.path
                )
            } else {
                route.to_string()
            };
            subject = if route.about_path {
                format!("{scope} path")
            } else {
                format!("{scope} {}", finding.setting.name())
            };
            if route.inherited && !route.about_path {
                message.push_str(&format!(
                    " ({} is inherited from [{table}])",
                    finding.setting
                ));
            }
        }
        let related = related.map(|(setting, source)| {
            let inherited = finding
                .route
                .as_ref()
                .is_some_and(|route| route.related_inherited);
            let name = match (inherited, finding.report_only) {
                (true, _) => format!("{setting}, inherited from [{table}]"),
                (false, true) => format!("report_only.{}", setting.name()),
                (false, false) => setting.name().to_owned(),
            };
            Box::new((name, source))
        });
        Diagnostic {
            severity: finding.severity,
            id: finding.id,
            subject,
            source,
            value: finding.value,
            message,
            fix: finding.fix,
            related,
        }
    }

    /// Whether it stops corsair from starting.
    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as one JSON object (for `--json` and `--log-format json`).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "severity": self.severity.to_string(),
            "id": self.id,
            "setting": self.subject,
            "source": self.source.to_string(),
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
            "related": self.related.as_deref().map(|(setting, source)| serde_json::json!({
                "setting": setting,
                "source": source.to_string(),
            })),
        })
    }
}

impl Problem for Diagnostic {
    fn severity(&self) -> Severity {
        self.severity
    }

    fn id(&self) -> &str {
        self.id
    }

    fn subject(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.subject)
    }

    fn value(&self) -> Option<Cow<'_, str>> {
        self.value
            .as_ref()
            .map(|value| Cow::Owned(format!("`{value}`")))
    }

    fn message(&self) -> &str {
        &self.message
    }

    fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for Diagnostic {
    /// The block of [`Problem::write_block`], located by where the value came from (and
    /// the related value's source and name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let related = self
            .related
            .as_deref()
            .map(|(setting, source)| format!("{source} ({setting})"));
        let mut locations: Vec<&dyn fmt::Display> = vec![&self.source];
        if let Some(related) = &related {
            locations.push(related);
        }
        self.write_block(f, &locations)
    }
}

/// Every diagnostic, errors first, then a one-line tally (`2 errors, 1 warning`).
pub(crate) fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let mut out = String::new();
    for diagnostic in &sorted {
        let _ = writeln!(out, "{diagnostic}");
    }
    out.push_str(&tally(diagnostics));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_names_setting_source_value_and_fix() {
        let d = Diagnostic::error(
            "origin-has-path",
            "allowed_origins",
            Source::Env("CORS_ALLOWED_ORIGINS".into()),
            Some("https://a.example/".into()),
            "the origin has a path",
            "write `https://a.example`",
        );
        let text = d.to_string();
        for needle in [
            "error[origin-has-path] allowed_origins",
            "environment variable CORS_ALLOWED_ORIGINS",
            "`https://a.example/`",
            "write `https://a.example`",
        ] {
            assert!(text.contains(needle), "{needle} missing from {text}");
        }
    }

    #[test]
    fn the_tally_counts_each_severity() {
        let error = Diagnostic::error("e", "s", Source::Default, None, "m", "f");
        let warning = Diagnostic::warning("w", "s", Source::Default, None, "m", "f");
        let table: [(&[Diagnostic], &str); 4] = [
            (&[], "no problems found"),
            (std::slice::from_ref(&warning), "1 warning"),
            (&[error.clone(), error.clone()], "2 errors"),
            (
                &[error.clone(), warning.clone(), warning.clone()],
                "1 error, 2 warnings",
            ),
        ];
        for (diagnostics, expected) in table {
            assert_eq!(tally(diagnostics), expected);
        }
    }

    #[test]
    fn errors_are_rendered_before_warnings() {
        let error = Diagnostic::error("an-error", "s", Source::Default, None, "m", "f");
        let warning = Diagnostic::warning("a-warning", "s", Source::Default, None, "m", "f");
        let text = render_all(&[warning, error]);
        assert!(text.find("an-error").unwrap() < text.find("a-warning").unwrap());
    }
}
