//! `corsair lint --django`: audits django-cors-headers settings with django-cors-headers'
//! semantics, for the `corsair_cors` Django app's `manage.py check` and for scripts.
//!
//! Input: one JSON object of Django settings, from FILE or stdin (`-`, the default), as
//! `input` describes (`{"CORS_ALLOWED_ORIGINS": ["https://example.com"], ...}`). Output: the
//! findings as text, or with `--json` one object `{"mode": "django", "errors", "warnings",
//! "findings": [{"id": "corsair.W001", "kind", "severity", "setting", "value", "message", "fix",
//! "check_message"}]}`. Exit status: 0 clean, 1 warnings only, 2 errors or unreadable input.
//!
//! The judgment: what only Django's comparison explains (`origins`), the regexes put in
//! `re.match` terms (`regexes`), the engine's own rules on the result (`engine`), and its
//! findings in Django's terms (`translate`), each with its id from `kinds`.

mod engine;
mod finding;
mod input;
pub(crate) mod kinds;
mod origins;
mod regexes;
mod translate;

use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use corsair::{CorsConfig, DEFAULT_URLS_REGEX, Setting};

use finding::DjangoFinding;
use input::{DjangoSettings, kind};

/// Runs `corsair lint --django [FILE] [--json]`.
pub fn run(file: Option<&Path>, json: bool) -> ExitCode {
    let (audited, text) = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display())),
        ),
        None => {
            let mut text = String::new();
            let read = std::io::stdin()
                .read_to_string(&mut text)
                .map(|_| text)
                .map_err(|e| format!("cannot read stdin: {e}"));
            ("Django settings from stdin".to_owned(), read)
        }
    };
    let findings = match text.and_then(|text| judge(&text)) {
        Ok(findings) => findings,
        Err(message) => {
            eprintln!("corsair lint --django: {message}");
            return ExitCode::from(2);
        }
    };
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let warnings = findings.len() - errors;
    if json {
        let object = serde_json::json!({
            "audited": audited,
            "mode": "django",
            "errors": errors,
            "warnings": warnings,
            "findings": findings.iter().map(DjangoFinding::to_json).collect::<Vec<_>>(),
        });
        println!("{object:#}");
    } else {
        println!("corsair lint --django: {audited}\n");
        for finding in &findings {
            println!("{finding}");
        }
        println!("{}", tally(errors, warnings));
    }
    match (errors, warnings) {
        (0, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

fn tally(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems found".to_owned(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Every finding about the settings in `text`, errors first.
///
/// # Errors
///
/// A message when `text` is not a JSON object of settings.
pub(crate) fn judge(text: &str) -> Result<Vec<DjangoFinding>, String> {
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
    Ok(unique)
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
