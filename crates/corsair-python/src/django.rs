//! Django: django-cors-headers' settings (a JSON object, as `corsair lint --django` reads it,
//! `CORSAIR_ROUTES` included) built into a [`Policy`], refused with [`ConfigError`] when
//! `corsair lint --django` finds an error in them; and that audit itself, for `manage.py check`.

use corsair::{ConfigError as EngineError, CorsBuilder, CorsConfig, DEFAULT_URLS_REGEX};
use corsair_django::{DjangoFinding, Translation};
use pyo3::prelude::*;

use crate::ConfigError;
use crate::policy::Policy;

/// Builds the policy of Django settings, given as the JSON text of one object
/// (`{"CORS_ALLOWED_ORIGINS": [...], ..., "signal_receivers": N}`).
///
/// Raises `ConfigError` (a `ValueError`) when the settings have an error, with every error's
/// setting, value and fix, and `ValueError` when the text is not such an object.
#[pyfunction]
pub(crate) fn django_policy(settings: &str) -> PyResult<Policy> {
    let translation = corsair_django::translate_settings(settings)
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    // A regex corsair cannot read is only a warning for the audit of django-cors-headers'
    // middleware; corsair's middleware could not apply it, so it refuses it too.
    let refused: Vec<&DjangoFinding> = translation
        .findings
        .iter()
        .filter(|f| f.is_error() || f.kind.name == "regex-not-rust-syntax")
        .collect();
    if !refused.is_empty() {
        return Err(refusal(&refused));
    }
    build(&translation).map_err(|error| engine_refusal(&error))
}

/// `corsair lint --django --json` on the settings: the report's JSON text.
///
/// Raises `ValueError` when the text is not a JSON object of settings.
#[pyfunction]
pub(crate) fn lint_django(settings: &str) -> PyResult<String> {
    let findings =
        corsair_django::judge(settings).map_err(pyo3::exceptions::PyValueError::new_err)?;
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let report = serde_json::json!({
        "mode": "django",
        "errors": errors,
        "warnings": findings.len() - errors,
        "findings": findings.iter().map(DjangoFinding::to_json).collect::<Vec<_>>(),
    });
    Ok(report.to_string())
}

/// The engine's policy and, for the `check_request_enabled` receivers, the policy of the
/// requests they enable: the same settings on every path, every valid origin allowed.
fn build(translation: &Translation) -> Result<Policy, EngineError> {
    let config = &translation.config;
    let base = with_no_origin_allowed(config, CorsBuilder::from(config.clone())).build()?;
    let mut everywhere = config.clone();
    everywhere.urls_regex = DEFAULT_URLS_REGEX.to_owned();
    // Origins a receiver allows are echoed, as the settings' own are.
    let signalled = CorsBuilder::from(everywhere)
        .allow_origin_if(|_| true)
        .build()
        .ok();
    Ok(Policy::new(base, signalled))
}

/// django-cors-headers accepts settings that allow no origin (a receiver may allow them, or
/// nothing is wanted yet; `manage.py check` warns with corsair.W015): the engine is given a hook
/// that allows none, so that it builds the same policy.
fn with_no_origin_allowed(config: &CorsConfig, builder: CorsBuilder) -> CorsBuilder {
    if config.allowed_origins.is_empty()
        && config.allowed_origin_regexes.is_empty()
        && !config.allow_all_origins
    {
        builder.allow_origin_if(|_| false)
    } else {
        builder
    }
}

/// The error for findings of `corsair lint --django`.
fn refusal(errors: &[&DjangoFinding]) -> PyErr {
    let mut message = String::from("corsair refuses these CORS settings:");
    for finding in errors {
        message.push_str(&format!(
            "\n- ({}) {}\n  fix: {}",
            finding.kind.id,
            finding.check_message(),
            finding.fix
        ));
    }
    let details: Vec<String> = errors.iter().map(|f| f.to_json().to_string()).collect();
    ConfigError::new_err((message, details))
}

/// The error for a refusal of the engine itself (a route's path, say).
fn engine_refusal(error: &EngineError) -> PyErr {
    let mut message = String::from("corsair refuses these CORS settings:");
    for finding in error.findings().iter().filter(|f| f.is_error()) {
        message.push_str(&format!("\n- {finding}\n  fix: {}", finding.fix));
    }
    ConfigError::new_err((message, Vec::<String>::new()))
}
