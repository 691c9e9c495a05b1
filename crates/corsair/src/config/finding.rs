//! What validation finds in a configuration: errors that stop a policy from being built, and
//! warnings that do not.
//!
//! Every finding names its [`Setting`], the offending value, what is wrong and what to write
//! instead, so that a user never has to guess.

use std::borrow::Cow;
use std::fmt;

use super::{FindingId, Problem, Setting, Severity};

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
    /// The stable, kebab-case id of the rule (one of [`FindingId::ALL`]).
    pub id: &'static str,
    /// The setting the finding is about.
    pub setting: Setting,
    /// The offending value, as the user wrote it (absent for findings about a combination).
    pub value: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to write instead.
    pub fix: String,
    /// A second setting the finding is about, for a rule about a combination (e.g.
    /// `allow_credentials` for `credentials-with-allow-all`).
    pub related: Option<Setting>,
    /// The route of `[[cors.routes]]` the finding is about; `None` for the default policy.
    pub route: Option<Box<RouteScope>>,
    /// Whether the finding is about the report-only candidate policy (`[report_only]`,
    /// [`CorsBuilder::report_only`](crate::CorsBuilder::report_only)) rather than the
    /// enforced one.
    pub report_only: bool,
}

/// Where in `[[cors.routes]]` a [`Finding`] is, and which of its settings the route inherited
/// from the default policy rather than named.
///
/// ```
/// use corsair::{Cors, Setting};
///
/// let err = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     .allow_credentials(true)
///     .route("^/public/", Cors::builder().allow_all_origins(true))
///     .build()
///     .unwrap_err();
/// let finding = &err.findings()[0];
/// assert_eq!(finding.id, "credentials-with-allow-all");
/// let scope = finding.route.as_ref().unwrap();
/// assert_eq!((scope.index, scope.path.as_str()), (0, "^/public/"));
/// assert!(!scope.inherited, "the route names allow_all_origins");
/// assert_eq!(finding.related, Some(Setting::AllowCredentials));
/// assert!(scope.related_inherited, "allow_credentials comes from the default policy");
/// assert!(err.to_string().contains(r#"cors.routes[0] (path "^/public/")"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteScope {
    /// The route's position in `[[cors.routes]]`, from 0.
    pub index: usize,
    /// The route's `path`.
    pub path: String,
    /// Whether the finding's setting was inherited from the default policy.
    pub inherited: bool,
    /// Whether the related setting (if any) was inherited from the default policy.
    pub related_inherited: bool,
    /// Whether the finding is about the route's `path` itself (its setting is then
    /// `urls_regex`, whose rules a route's path follows).
    pub about_path: bool,
}

impl fmt::Display for RouteScope {
    /// `cors.routes[1] (path "^/partner/")`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cors.routes[{}] (path {:?})", self.index, self.path)
    }
}

impl Finding {
    pub(crate) fn error(
        id: FindingId,
        setting: Setting,
        value: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Error,
            id: id.as_str(),
            setting,
            value: value.map(str::to_owned),
            message: message.into(),
            fix: fix.into(),
            related: None,
            route: None,
            report_only: false,
        }
    }

    /// The finding, about `related` too.
    pub(crate) fn with_related(mut self, related: Setting) -> Finding {
        self.related = Some(related);
        self
    }

    pub(crate) fn warning(
        id: FindingId,
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

impl Problem for Finding {
    fn severity(&self) -> Severity {
        self.severity
    }

    fn id(&self) -> &str {
        self.id
    }

    /// The setting, after the route (`cors.routes[1] (path "^/partner/") allowed_origins`)
    /// and `report_only` when it is the candidate policy's.
    fn subject(&self) -> Cow<'_, str> {
        let setting = match &self.route {
            Some(route) if route.about_path => "path",
            _ => self.setting.name(),
        };
        match (&self.route, self.report_only) {
            (None, false) => Cow::Borrowed(setting),
            (route, report_only) => {
                let mut subject = String::new();
                if report_only {
                    subject.push_str("report_only ");
                }
                if let Some(route) = route {
                    subject.push_str(&format!("{route} "));
                }
                subject.push_str(setting);
                Cow::Owned(subject)
            }
        }
    }

    fn value(&self) -> Option<Cow<'_, str>> {
        self.value
            .as_ref()
            .map(|value| Cow::Owned(format!("{value:?}")))
    }

    fn message(&self) -> &str {
        &self.message
    }

    fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for Finding {
    /// `error[origin-has-path] allowed_origins = "https://a.example/": ... (fix: ...)`; on a
    /// route, `error[...] cors.routes[1] (path "^/partner/") allowed_origins ...`, saying which
    /// values the route inherited.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] {}", self.severity, self.id, self.subject())?;
        if let Some(value) = &self.value {
            write!(f, " = {value:?}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(route) = &self.route {
            let mut inherited = Vec::new();
            if route.inherited && !route.about_path {
                inherited.push(self.setting.name());
            }
            if let (Some(related), true) = (self.related, route.related_inherited) {
                inherited.push(related.name());
            }
            if !inherited.is_empty() {
                write!(f, " ({} inherited from [cors])", inherited.join(" and "))?;
            }
        }
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
