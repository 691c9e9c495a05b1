//! Reading one `[server]` value, whichever layer gives it: a TOML value of the file, or the
//! text of a flag or an environment variable ([`Raw`]). Each reader of the table refuses what
//! its key cannot hold, and numbers and durations outside the key's range, with a message and
//! the fix as the file would write it.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use super::allowed_hosts::AllowedHosts;
use super::table::{Bounds, Key};
use super::upstream::Upstream;
use crate::settings::userinfo::redact_userinfo;

/// Why a value was refused, and what to write instead.
pub(super) type Refusal = (String, String);

/// A `[server]` value, as a layer gives it.
pub(crate) enum Raw<'a> {
    /// A value of the file.
    Toml {
        /// The value.
        value: &'a Spanned<DeValue<'a>>,
        /// Its text in the file, as written.
        written: &'a str,
    },
    /// The text of a flag or an environment variable.
    Text(&'a OsStr),
}

impl Raw<'_> {
    /// The value as a problem shows it back: as written, without a URL's password.
    pub(crate) fn shown(&self) -> String {
        match self {
            Raw::Toml { written, .. } => redact_userinfo(written),
            Raw::Text(text) => redact_userinfo(&text.to_string_lossy()),
        }
    }

    fn string(&self) -> Option<String> {
        match self {
            Raw::Toml { value, .. } => typed(value),
            Raw::Text(text) => text.to_str().map(str::to_owned),
        }
    }

    fn number(&self) -> Option<u64> {
        match self {
            Raw::Toml { value, .. } => typed(value),
            Raw::Text(text) => text.to_str()?.parse().ok(),
        }
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Raw::Toml { value, .. } => typed(value),
            Raw::Text(text) => text.to_str()?.parse().ok(),
        }
    }

    fn path(&self) -> Option<PathBuf> {
        match self {
            Raw::Toml { .. } => self.string().map(PathBuf::from),
            Raw::Text(text) => Some(PathBuf::from(text)),
        }
    }
}

/// Deserializes a TOML value into `T`, or `None` when its type does not fit.
fn typed<'de, T: Deserialize<'de>>(value: &Spanned<DeValue<'de>>) -> Option<T> {
    T::deserialize(ValueDeserializer::from(value.clone())).ok()
}

/// The fix that writes the key at its default: ``write `upstream = "http://127.0.0.1:8000"` ``.
fn write_default(key: &Key) -> String {
    format!("write `{} = {}`", key.name, key.written)
}

/// `listen`: an IP address and a port.
pub(super) fn address(key: &Key, raw: &Raw<'_>) -> Result<SocketAddr, Refusal> {
    raw.string().unwrap_or_default().parse().map_err(|_| {
        (
            format!("{} must be an IP address and a port", key.name),
            format!(
                "{} (or `0.0.0.0:8300` for every interface)",
                write_default(key)
            ),
        )
    })
}

/// `upstream`: the URL of the server requests are forwarded to (see [`Upstream::parse`]).
pub(super) fn upstream(key: &Key, raw: &Raw<'_>) -> Result<Upstream, Refusal> {
    Upstream::parse(&raw.string().unwrap_or_default()).map_err(|e| (e, write_default(key)))
}

/// `true` or `false`. The fix writes the value that is not the default: the one that changes
/// something.
pub(super) fn switch(key: &Key, raw: &Raw<'_>) -> Result<bool, Refusal> {
    raw.boolean().ok_or_else(|| {
        let other = if key.written == "true" {
            "false"
        } else {
            "true"
        };
        (
            format!("{} must be true or false", key.name),
            format!("write `{} = {other}`", key.name),
        )
    })
}

/// `allowed_hosts`: a list of hosts (TOML), or their comma-separated text (a flag or a
/// variable), each checked by [`AllowedHosts::parse`].
pub(super) fn allowed_hosts(key: &Key, raw: &Raw<'_>) -> Result<AllowedHosts, Refusal> {
    let example = || format!("write `{} = {}`", key.name, key.written);
    let entries: Vec<String> = match raw {
        Raw::Toml { value, .. } => typed(value)
            .ok_or_else(|| (format!("{} must be a list of hosts", key.name), example()))?,
        Raw::Text(text) => {
            let text = text.to_string_lossy();
            if text.trim_start().starts_with('[') {
                // The file's syntax, as the fixes write it.
                toml_list(&text)
                    .ok_or_else(|| (format!("{} must be a list of hosts", key.name), example()))?
            } else {
                text.split(',')
                    .map(|entry| entry.trim().to_owned())
                    .filter(|entry| !entry.is_empty())
                    .collect()
            }
        }
    };
    AllowedHosts::parse(&entries).map_err(|why| (format!("{}: {why}", key.name), example()))
}

/// A list of strings written as TOML (`["a", "b"]`).
fn toml_list(text: &str) -> Option<Vec<String>> {
    #[derive(Deserialize)]
    struct List {
        list: Vec<String>,
    }
    toml::from_str::<List>(&format!("list = {text}"))
        .ok()
        .map(|parsed| parsed.list)
}

/// The path of the PEM file that holds `what` (`the certificate chain`); never blank.
pub(super) fn pem_file(key: &Key, raw: &Raw<'_>, what: &str) -> Result<PathBuf, Refusal> {
    raw.path()
        .filter(|path| !path.to_string_lossy().trim().is_empty())
        .ok_or_else(|| {
            (
                format!("{} must be the path of {what}'s PEM file", key.name),
                write_default(key),
            )
        })
}

/// A duration within the key's range: whole seconds (`30`), or a string with a unit
/// (`"500ms"`, see [`parse_duration`]).
pub(super) fn duration(key: &Key, raw: &Raw<'_>) -> Result<Duration, Refusal> {
    let example = || format!("write `{} = \"10s\"`", key.name);
    let duration = match raw {
        Raw::Toml { value, .. } => match value.get_ref() {
            DeValue::Integer(_) => typed::<u64>(value)
                .map(Duration::from_secs)
                .ok_or_else(|| (format!("{} must not be negative", key.name), example()))?,
            DeValue::String(text) => parse_duration(text).map_err(|e| (e, example()))?,
            _ => return Err((format!("{} must be a duration", key.name), example())),
        },
        Raw::Text(text) => parse_duration(&text.to_string_lossy()).map_err(|e| (e, example()))?,
    };
    within_range(key, raw, |bounds| bounds.admits_duration(duration))?;
    Ok(duration)
}

/// A whole number within the key's range, as the type of the key's field.
pub(super) fn number<T: TryFrom<u64>>(key: &Key, raw: &Raw<'_>) -> Result<T, Refusal> {
    let number = raw.number().ok_or_else(|| {
        (
            format!("{} must be a whole number", key.name),
            format!("write for example `{} = {}`", key.name, key.written),
        )
    })?;
    within_range(key, raw, |bounds| bounds.admits_number(number))?;
    T::try_from(number).map_err(|_| (format!("{} is too large", key.name), String::new()))
}

/// Refuses a value that the key's range does not admit.
fn within_range(key: &Key, raw: &Raw<'_>, admits: impl Fn(&Bounds) -> bool) -> Result<(), Refusal> {
    match key.bounds {
        Some(bounds) if !admits(&bounds) => Err((
            format!(
                "server.{} = {}: must be {}",
                key.name,
                raw.shown(),
                bounds.describe()
            ),
            write_default(key),
        )),
        _ => Ok(()),
    }
}

/// Parses a duration: whole seconds (`30`), or a number with a unit (`500ms`, `30s`, `2m`,
/// `1h`).
pub(crate) fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{raw}` is not a duration: write e.g. `30s`, `500ms` or `2m`"))?;
    match unit.trim() {
        "" | "s" => Ok(Duration::from_secs(number)),
        "ms" => Ok(Duration::from_millis(number)),
        "m" => Ok(Duration::from_secs(number.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(number.saturating_mul(3600))),
        other => Err(format!(
            "unknown unit `{other}` in `{raw}`: use ms, s, m or h"
        )),
    }
}

/// `1ms`, `10s`, `5m`, `24h`: the largest unit that shows `duration` exactly.
pub(super) fn show_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms == 0 {
        return "0s".to_owned();
    }
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1000)] {
        if ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let table = [
            ("30", Some(Duration::from_secs(30))),
            ("30s", Some(Duration::from_secs(30))),
            ("250ms", Some(Duration::from_millis(250))),
            ("2m", Some(Duration::from_secs(120))),
            ("2h", Some(Duration::from_secs(7200))),
            ("2d", None),
            ("fast", None),
            ("-1s", None),
        ];
        for (raw, expected) in table {
            assert_eq!(parse_duration(raw).ok(), expected, "{raw}");
        }
    }

    #[test]
    fn durations_are_shown_in_their_largest_exact_unit() {
        let table = [
            (Duration::ZERO, "0s"),
            (Duration::from_millis(1), "1ms"),
            (Duration::from_millis(1500), "1500ms"),
            (Duration::from_secs(10), "10s"),
            (Duration::from_secs(300), "5m"),
            (Duration::from_secs(24 * 3600), "24h"),
        ];
        for (duration, shown) in table {
            assert_eq!(show_duration(duration), shown);
        }
    }
}
