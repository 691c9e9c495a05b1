//! Log output: human-readable lines, or one JSON object per line for machines, and how
//! configuration problems are logged. `RUST_LOG` overrides the level (`RUST_LOG=debug` explains
//! every refused CORS request). The access log's lines are made in `access_log`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::Diagnostic;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (`INFO corsair::access: method=GET path=/api status=200 ...`).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Colours only on a terminal, and not when `NO_COLOR` is set (no-color.org).
fn colours_wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Installs the global subscriber, writing to stderr.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colours_wanted());
    // Installing twice only happens in tests; the first subscriber stays.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

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
