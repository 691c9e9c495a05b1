//! What validation finds in a configuration: errors that stop a policy from being built, and
//! warnings that do not.
//!
//! Every finding names its [`Setting`], the offending value, what is wrong and what to write
//! instead, so that a user never has to guess.

use std::fmt;

use crate::config::Setting;

/// How serious a [`Finding`] is.
///
/// ```
/// use corsair::Severity;
/// assert!(Severity::Error > Severity::Warning);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy is built, but probably does not do what was meant.
    Warning,
    /// The policy is refused.
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

/// One problem found in a configuration.
///
/// The [`id`](Finding::id) is stable (`origin-has-path`, `credentials-with-allow-all`, ...), so
/// that tools and documentation can refer to it.
///
/// ```
/// use corsair::Cors;
///
/// let err = Cors::builder()
///     .allowed_origins(["https://app.example/"])
///     .build()
///     .unwrap_err();
/// let finding = &err.findings()[0];
/// assert_eq!(finding.id, "origin-has-path");
/// assert_eq!(finding.setting, corsair::Setting::AllowedOrigins);
/// assert_eq!(finding.value.as_deref(), Some("https://app.example/"));
/// assert!(finding.fix.contains("`https://app.example`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Whether this finding stops the policy from being built.
    pub severity: Severity,
    /// A stable, kebab-case identifier of the rule.
    pub id: &'static str,
    /// The setting the finding is about.
    pub setting: Setting,
    /// The offending value, as the user wrote it (absent for findings about a combination).
    pub value: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to write instead.
    pub fix: String,
}

impl Finding {
    pub(crate) fn error(
        id: &'static str,
        setting: Setting,
        value: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Error,
            id,
            setting,
            value: value.map(str::to_owned),
            message: message.into(),
            fix: fix.into(),
        }
    }

    pub(crate) fn warning(
        id: &'static str,
        setting: Setting,
        value: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(id, setting, value, message, fix)
        }
    }

    /// Whether this finding stops the policy from being built.
    ///
    /// ```
    /// let err = corsair::Cors::builder().build().unwrap_err();
    /// assert!(err.findings().iter().all(|f| f.is_error()));
    /// ```
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `error[origin-has-path] allowed_origins = "https://a.example/": ... (fix: ...)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] {}", self.severity, self.id, self.setting)?;
        if let Some(value) = &self.value {
            write!(f, " = {value:?}")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, " (fix: {})", self.fix)?;
        }
        Ok(())
    }
}

/// The configuration was refused: every problem found, not just the first.
///
/// ```
/// use corsair::Cors;
///
/// let err = Cors::builder()
///     .allowed_origins(["https://a.example/", "localhost:8080"])
///     .allow_all_origins(true)
///     .allow_credentials(true)
///     .build()
///     .unwrap_err();
/// // Three independent problems, all reported at once.
/// assert!(err.findings().len() >= 3);
/// println!("{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    findings: Vec<Finding>,
}

impl ConfigError {
    pub(crate) fn new(findings: Vec<Finding>) -> ConfigError {
        debug_assert!(findings.iter().any(Finding::is_error));
        ConfigError { findings }
    }

    /// The errors found, followed by any warnings, in the order the settings were checked.
    ///
    /// ```
    /// let err = corsair::Cors::builder().build().unwrap_err();
    /// assert_eq!(err.findings()[0].id, "no-origin-allowed");
    /// ```
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Only the errors (the findings that stopped the build).
    ///
    /// ```
    /// let err = corsair::Cors::builder().build().unwrap_err();
    /// assert_eq!(err.errors().count(), 1);
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }

    /// Consumes the error, returning every finding.
    ///
    /// ```
    /// let err = corsair::Cors::builder().build().unwrap_err();
    /// let findings: Vec<corsair::Finding> = err.into_findings();
    /// assert!(!findings.is_empty());
    /// ```
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        write!(
            f,
            "invalid CORS configuration ({errors} error{}):",
            if errors == 1 { "" } else { "s" }
        )?;
        for finding in &self.findings {
            write!(f, "\n  {finding}")?;
        }
        Ok(())
    }
}
