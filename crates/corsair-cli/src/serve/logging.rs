//! Log output: human-readable lines, or one JSON object per line for machines, and how
//! configuration problems are logged. `RUST_LOG` overrides the level (`RUST_LOG=debug` explains
//! every refused CORS request). The access log's lines are made in `access_log`; every value
//! from outside (a request's, a store's) goes through [`loggable`] first.

mod untrusted;

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

pub(super) use untrusted::loggable;

use crate::settings::Diagnostic;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(super) enum LogFormat {
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
pub(super) fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Installing twice only happens in tests; the first subscriber stays.
    let _ = subscriber(format, filter, std::io::stderr, colours_wanted()).try_init();
}

/// The subscriber writing `format` lines to `writer`.
fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().flatten_event(true).finish()),
    }
}

/// Logs each warning once, with its id, setting, source and fix.
pub(super) fn log_warnings(warnings: &[Diagnostic]) {
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
pub(super) fn log_problems(problems: &[Diagnostic]) {
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

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into memory, for the lines a test logs.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Captured;

        fn make_writer(&'w self) -> Captured {
            self.clone()
        }
    }

    /// What `log` writes, through the subscriber `corsair serve` installs (text, or JSON when
    /// `json`), without colours as in a file.
    pub(crate) fn one_line(json: bool, log: impl FnOnce()) -> String {
        let captured = Captured::default();
        let format = if json {
            LogFormat::Json
        } else {
            LogFormat::Text
        };
        let subscriber = subscriber(format, EnvFilter::new("debug"), captured.clone(), false);
        tracing::subscriber::with_default(subscriber, log);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).expect("log lines are UTF-8")
    }
}
