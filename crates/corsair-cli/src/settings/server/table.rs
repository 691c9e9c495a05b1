//! The macro behind the `[server]` table: one entry per key in [`super`] generates the
//! [`ServerSettings`] field that holds it, its default, and its [`Key`]:
//! the name, the default as the file writes it, the range, the reader, the command-line flag,
//! the environment variable and whether a reload applies it. The file, the environment and the
//! flags read a key through its [`Key`]; `--help`, the README's test and reload follow the keys.

use std::time::Duration;

use super::ServerSettings;
use super::read::{Raw, Refusal, show_duration};
use crate::settings::diagnostic::Diagnostic;
use crate::settings::source::Source;

/// The valid values of a numeric `[server]` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bounds {
    /// A duration between `min` and `max` (inclusive).
    Duration {
        /// The shortest accepted.
        min: Duration,
        /// The longest accepted.
        max: Duration,
    },
    /// A whole number between `min` and `max` (inclusive).
    Number {
        /// The smallest accepted.
        min: u64,
        /// The largest accepted.
        max: u64,
    },
}

impl Bounds {
    /// `between 1ms and 24h`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Bounds::Duration { min, max } => {
                format!(
                    "between {} and {}",
                    show_duration(*min),
                    show_duration(*max)
                )
            }
            Bounds::Number { min, max } => format!("between {min} and {max}"),
        }
    }

    /// Whether `duration` is in range (a number key never accepts a duration).
    pub(crate) fn admits_duration(&self, duration: Duration) -> bool {
        matches!(self, Bounds::Duration { min, max } if (*min..=*max).contains(&duration))
    }

    /// Whether `number` is in range (a duration key never accepts a number).
    pub(crate) fn admits_number(&self, number: u64) -> bool {
        matches!(self, Bounds::Number { min, max } if (*min..=*max).contains(&number))
    }
}

/// The range of a duration key, for the table.
pub(super) const fn durations(min: Duration, max: Duration) -> Bounds {
    Bounds::Duration { min, max }
}

/// The range of a number key, for the table.
pub(super) const fn numbers(min: u64, max: u64) -> Bounds {
    Bounds::Number { min, max }
}

/// The command-line flag of a `[server]` key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag {
    /// `--listen`.
    pub long: &'static str,
    /// What `--help` calls its value (`ADDR`).
    pub value_name: &'static str,
    /// What `--help` says of it.
    pub help: &'static str,
    /// The check of the flag's text when the command line is parsed, for the type the key
    /// holds (`--listen` takes a socket address): a malformed value is a usage error.
    pub checked_as: fn() -> clap::builder::ValueParser,
}

/// One `[server]` key: everything corsair knows about it (see [`super::SERVER_KEYS`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    /// The key's name.
    pub name: &'static str,
    /// The default, as the file would write it (`"60s"`, `4096`); for a key without one
    /// (`tls_cert`), an example.
    pub written: &'static str,
    /// The accepted range of a number or duration.
    pub bounds: Option<Bounds>,
    /// Its `corsair serve` flag, if it has one.
    pub flag: Option<Flag>,
    /// The environment variable that sets it, if there is one.
    pub env: Option<&'static str>,
    /// Whether only a restart applies a new value (a reload keeps the running one).
    pub restart_only: bool,
    /// The table of the file the key is written in: `server`, or `cors` for the proxy's own
    /// CORS keys (`refuse_disallowed_origins`), which are not the engine's settings.
    pub table: &'static str,
    /// Reads a value into the key's field; the error is a message and a fix.
    pub read: fn(&Key, &Raw<'_>, &mut ServerSettings) -> Result<(), Refusal>,
    /// Whether two settings hold the same value of the key.
    pub same: fn(&ServerSettings, &ServerSettings) -> bool,
}

impl Key {
    /// Reads `raw`, which `source` gave, into the key's field of `server`. The problem names the
    /// key, the source and the value (without a password), with the fix written for that
    /// source (a flag's says `--workers 2`, the file's `workers = 2`).
    pub(crate) fn apply(
        &self,
        raw: &Raw<'_>,
        source: &Source,
        server: &mut ServerSettings,
    ) -> Result<(), Box<Diagnostic>> {
        (self.read)(self, raw, server).map_err(|(message, fix)| {
            let example = self.written.trim_matches('"');
            let fix = match source {
                Source::Flag(flag) => format!("write `{flag} {example}`"),
                Source::Env(var) => format!("set `{var}={example}`"),
                Source::File { .. } | Source::Default => fix,
            };
            Box::new(Diagnostic::error(
                "invalid-server-value",
                format!("{}.{}", self.table, self.name),
                source.clone(),
                Some(raw.shown()),
                message,
                fix,
            ))
        })
    }
}

/// An optional part of an entry: `Some` of it when the entry has it.
macro_rules! optional {
    () => {
        None
    };
    ($($part:tt)+) => {
        Some($($part)+)
    };
}

/// The file table of an entry: `server` unless it says otherwise.
macro_rules! table_of {
    () => {
        "server"
    };
    ($table:literal) => {
        $table
    };
}

/// Generates [`ServerSettings`], its `Default` and [`SERVER_KEYS`](super::SERVER_KEYS) from the
/// table.
macro_rules! server_table {
    ($(
        $(#[doc = $doc:expr])+
        $field:ident: $type:ty {
            default: $default:expr,
            written: $written:literal,
            $(range: $range:expr,)?
            read: $read:expr,
            restart_only: $restart_only:literal,
            $(flag: {
                long: $long:literal,
                value_name: $value_name:literal,
                checked_as: $checked_as:ty,
                help: $help:literal,
            },)?
            $(env: $env:literal,)?
            $(table: $table:literal,)?
        }
    )+) => {
        /// Settings of the proxy itself (everything that is not CORS): one field per `[server]`
        /// key.
        ///
        /// ```ignore
        /// let server = ServerSettings::default();
        /// assert_eq!(server.listen.to_string(), "127.0.0.1:8300");
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub(crate) struct ServerSettings {
            $( $(#[doc = $doc])+ pub(crate) $field: $type, )+
        }

        impl Default for ServerSettings {
            fn default() -> Self {
                ServerSettings { $( $field: $default, )+ }
            }
        }

        /// Every `[server]` key, in the order the sample file documents them: the one place
        /// that says which values a key accepts, how it is read, its flag and whether a reload
        /// applies it.
        pub(crate) static SERVER_KEYS: &[Key] = &[$(
            Key {
                name: stringify!($field),
                written: $written,
                bounds: optional!($($range)?),
                flag: optional!($(Flag {
                    long: $long,
                    value_name: $value_name,
                    help: $help,
                    checked_as: || clap::value_parser!($checked_as).into(),
                })?),
                env: optional!($($env)?),
                restart_only: $restart_only,
                table: table_of!($($table)?),
                read: |key, raw, server| {
                    server.$field = ($read)(key, raw)?;
                    Ok(())
                },
                same: |one, other| one.$field == other.$field,
            },
        )+];
    };
}

pub(super) use {optional, server_table, table_of};
