//! How `corsair serve` reports configuration problems in its log.

use crate::settings::Diagnostic;

/// Logs each warning once, with its id, setting, source and fix.
pub fn log_warnings(warnings: &[Diagnostic]) {
    for w in warnings.iter().filter(|d| !d.is_error()) {
        tracing::warn!(
            id = w.id,
            setting = %w.subject,
            source = %w.source,
            value = w.value.as_deref().unwrap_or("-"),
            fix = %w.fix,
            "{}", w.message
        );
    }
}

/// Logs every problem of a refused configuration.
pub fn log_problems(problems: &[Diagnostic]) {
    for p in problems {
        if p.is_error() {
            tracing::error!(
                id = p.id,
                setting = %p.subject,
                source = %p.source,
                value = p.value.as_deref().unwrap_or("-"),
                fix = %p.fix,
                "{}", p.message
            );
        }
    }
    log_warnings(problems);
}
