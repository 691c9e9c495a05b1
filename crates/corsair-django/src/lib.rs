//! # corsair-django
//!
//! django-cors-headers' settings in corsair's terms: read as django-cors-headers reads them
//! (names, legacy aliases, types, defaults), judged with its semantics (origins compared as
//! `urlsplit` compares them, regexes as `re.match` applies them), and put in the engine's terms.
//! Two users: `corsair lint --django` (the findings, with their `corsair.E###`/`W###` ids) and
//! the `corsair_cors` Python extension (the findings, and the [`CorsConfig`] its middleware
//! builds a policy from).
//!
//! Input: one JSON object of Django settings (`input` describes it:
//! `{"CORS_ALLOWED_ORIGINS": ["https://example.com"], ...}`). The judgment: what only Django's
//! comparison explains (`origins`), the regexes put in `re.match` terms (`regexes`), the
//! engine's own rules on the result (`engine`), and its findings in Django's terms
//! (`translate`), each with its id from [`kinds`].
//!
//! ```
//! let translated = corsair_django::translate_settings(
//!     r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"], "CORS_ALLOW_CREDENTIALS": true}"#,
//! )?;
//! assert_eq!(translated.config.allowed_origins, ["https://app.example.com"]);
//! assert_eq!(translated.findings[0].kind.id, "corsair.W007");
//! assert!(!translated.refused());
//! # Ok::<(), String>(())
//! ```

mod engine;
mod finding;
mod input;
pub mod kinds;
mod origins;
mod regexes;
mod routes;
mod translate;

use corsair::{CorsConfig, DEFAULT_URLS_REGEX, Setting};

pub use finding::DjangoFinding;
use input::{DjangoSettings, kind};
pub use kinds::Kind;

/// Django settings in corsair's terms: what the engine runs, and every finding about them.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The settings as the engine applies them: origins without what Django ignores (a path, a
    /// trailing `/`), each regex `R` as the whole-match regex `R(?s:.)*`. Values Django
    /// compares by rules of its own (`file://`, `*` in an origin) and regexes Rust cannot read
    /// are left out; a finding names each.
    pub config: CorsConfig,
    /// Every finding, errors first.
    pub findings: Vec<DjangoFinding>,
    /// Receivers of `check_request_enabled` were counted (`"signal_receivers"` above 0).
    pub signal_receivers: bool,
}

impl Translation {
    /// Whether a finding is an error: the settings do something other than what they say, or
    /// leak data, and a middleware must refuse to start with them.
    ///
    /// ```
    /// let t = corsair_django::translate_settings(
    ///     r#"{"CORS_ALLOW_ALL_ORIGINS": true, "CORS_ALLOW_CREDENTIALS": true}"#,
    /// )?;
    /// assert!(t.refused());
    /// # Ok::<(), String>(())
    /// ```
    pub fn refused(&self) -> bool {
        self.findings.iter().any(DjangoFinding::is_error)
    }
}

/// Every finding about the settings in `text`, errors first.
///
/// # Errors
///
/// A message when `text` is not a JSON object of settings.
///
/// ```
/// let findings = corsair_django::judge(r#"{"CORS_ORIGIN_WHITELIST": ["https://a.example"]}"#)?;
/// assert_eq!(findings[0].kind.name, "legacy-setting-name");
/// assert!(corsair_django::judge("[]").is_err());
/// # Ok::<(), String>(())
/// ```
pub fn judge(text: &str) -> Result<Vec<DjangoFinding>, String> {
    translate_settings(text).map(|translation| translation.findings)
}

/// The settings in `text` in corsair's terms, with every finding about them.
///
/// # Errors
///
/// A message when `text` is not a JSON object of settings (a problem of a setting itself is a
/// finding).
///
/// ```
/// let t = corsair_django::translate_settings(r#"{"CORS_ALLOWED_ORIGIN_REGEXES": ["^https://a\\.example$"]}"#)?;
/// assert_eq!(t.config.allowed_origin_regexes.len(), 1);
/// assert!(t.findings.is_empty());
/// # Ok::<(), String>(())
/// ```
pub fn translate_settings(text: &str) -> Result<Translation, String> {
    let mut translation = translate_one(text)?;
    routes::add(text, &mut translation)?;
    translation
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.kind.severity));
    Ok(translation)
}

/// The settings in `text` without their routes.
fn translate_one(text: &str) -> Result<Translation, String> {
    let (settings, mut findings) = input::read(text)?;
    let config = &settings.config;
    let credentials = config.allow_credentials;

    let (origins, origin_findings) = origins::judge(
        &config.allowed_origins,
        settings.name(Setting::AllowedOrigins),
        credentials,
    );
    findings.extend(origin_findings);
    let regexes = regexes::from_re_match(&config.allowed_origin_regexes);
    for (pattern, message) in &regexes.unreadable {
        findings.push(not_rust_syntax(
            settings.name(Setting::AllowedOriginRegexes),
            pattern,
            message,
        ));
    }

    let mut judged = config.clone();
    judged.allowed_origins = origins.for_engine.clone();
    judged.allowed_origin_regexes = regexes.for_engine.clone();
    if let Err(message) = regexes::parse(&config.urls_regex) {
        findings.push(not_rust_syntax(
            settings.name(Setting::UrlsRegex),
            &config.urls_regex,
            &message,
        ));
        judged.urls_regex = DEFAULT_URLS_REGEX.to_owned();
    }
    // Origins Django compares by rules of its own (patterns, `file://`) are no longer listed,
    // yet were set: they are not "no origin allowed".
    let hook = settings.signal_receivers
        || judged.allowed_origins.len() < config.allowed_origins.len()
        || !regexes.unreadable.is_empty();

    let found = engine::run(&judged, hook);
    let cx = translate::Context {
        settings: &settings,
        origins: &origins,
        regexes: &regexes,
        config: &judged,
    };
    // The regexes' `.` rule reads the patterns as written, not their `re.match` form.
    let dots = dots_as_written(&regexes.parsed);
    let engine_findings = found
        .findings
        .iter()
        .filter(|f| f.id != "regex-unescaped-dot")
        .chain(&dots)
        .chain(&found.advice);
    findings.extend(engine_findings.filter_map(|f| translate::translate(f, &cx)));
    findings.extend(lists_ignored(&settings));

    let mut unique: Vec<DjangoFinding> = Vec::with_capacity(findings.len());
    for finding in findings {
        if !unique.contains(&finding) {
            unique.push(finding);
        }
    }
    unique.sort_by_key(|f| std::cmp::Reverse(f.kind.severity));
    Ok(Translation {
        config: judged,
        findings: unique,
        signal_receivers: settings.signal_receivers,
    })
}

/// The engine's `regex-unescaped-dot` findings on the patterns as written.
fn dots_as_written(patterns: &[String]) -> Vec<corsair::Finding> {
    if patterns.is_empty() {
        return Vec::new();
    }
    let mut config = CorsConfig::default();
    config.allowed_origin_regexes = patterns.to_vec();
    engine::run(&config, false)
        .findings
        .into_iter()
        .filter(|f| f.id == "regex-unescaped-dot")
        .collect()
}

fn not_rust_syntax(setting: &str, pattern: &str, message: &str) -> DjangoFinding {
    DjangoFinding {
        kind: kind("regex-not-rust-syntax"),
        setting: setting.to_owned(),
        value: Some(serde_json::Value::String(pattern.to_owned())),
        message: format!(
            "corsair reads regexes in Rust's syntax, which differs slightly from Python's, and cannot read this one, so it did not judge it: {message}"
        ),
        fix: "write it in the syntax Python and Rust share (no look-around, back-references or `\\Z`), or list the origins".to_owned(),
    }
}

/// Origin lists set together with allow-all, which django-cors-headers then ignores.
fn lists_ignored(settings: &DjangoSettings) -> Vec<DjangoFinding> {
    let config = &settings.config;
    if !config.allow_all_origins {
        return Vec::new();
    }
    [
        (Setting::AllowedOrigins, config.allowed_origins.is_empty()),
        (
            Setting::AllowedOriginRegexes,
            config.allowed_origin_regexes.is_empty(),
        ),
    ]
    .into_iter()
    .filter(|&(_, empty)| !empty)
    .map(|(setting, _)| DjangoFinding {
        kind: kind("origin-lists-ignored-with-allow-all"),
        setting: settings.name(setting).to_owned(),
        value: None,
        message: format!(
            "django-cors-headers ignores it: {} = True allows every origin",
            settings.name(Setting::AllowAllOrigins)
        ),
        fix: format!(
            "remove it, or set {} = False to allow only what it lists",
            settings.name(Setting::AllowAllOrigins)
        ),
    })
    .collect()
}

#[cfg(test)]
mod tests;
