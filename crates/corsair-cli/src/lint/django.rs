//! `corsair lint --django`: audits django-cors-headers settings with django-cors-headers'
//! semantics, for scripts and CI (the judgment itself is the `corsair-django` crate's, which the
//! `corsair_cors` Python package uses too).
//!
//! Input: one JSON object of Django settings, from FILE or stdin (`-`, the default)
//! (`{"CORS_ALLOWED_ORIGINS": ["https://example.com"], ...}`). Output: the findings as text, or
//! with `--json` one object `{"mode": "django", "errors", "warnings", "findings": [{"id":
//! "corsair.W001", "kind", "severity", "setting", "value", "message", "fix", "check_message"}]}`.
//! Exit status: 0 clean, 1 warnings only, 2 errors or unreadable input.

use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use corsair_django::{DjangoFinding, judge};

/// Runs `corsair lint --django [FILE] [--json]`.
pub(super) fn run(file: Option<&Path>, json: bool) -> ExitCode {
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
        println!("{}", corsair::tally(&findings));
    }
    match (errors, warnings) {
        (0, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}
