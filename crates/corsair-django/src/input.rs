//! The input of `corsair lint --django`: one JSON object of Django settings, read the way
//! django-cors-headers reads `django.conf.settings`.
//!
//! Keys in upper case are settings, by their Django names (`CORS_ALLOWED_ORIGINS`, the legacy
//! `CORS_ORIGIN_WHITELIST`, ...), with values as in `settings.py`: lists (or tuples) of strings,
//! booleans, whole numbers, strings, `null` for `None`. A compiled regex is passed as its
//! `.pattern`. The new name wins when it is set at all; the legacy name is read only when the
//! new one is absent; an absent setting has django-cors-headers' default. Keys in lower case are
//! facts about the project that are not settings: `signal_receivers`, the number of receivers of
//! django-cors-headers' `check_request_enabled` signal (they may allow origins the settings do
//! not). Nothing here panics on input: a value of the wrong type is a finding.

use std::collections::{BTreeMap, HashMap};

use corsair::{CorsConfig, Setting, SettingKind, SettingValue};
use serde_json::Value;

use super::finding::{DjangoFinding, python_literal};
use super::kinds;

/// Settings django-cors-headers removed; its own checks (corsheaders.E012, E013) report them.
const REMOVED: [&str; 2] = ["CORS_MODEL", "CORS_REPLACE_HTTPS_REFERER"];

/// The settings read from the input.
#[derive(Debug, Clone)]
pub(crate) struct DjangoSettings {
    /// The values, django-cors-headers' defaults for what is not set.
    pub config: CorsConfig,
    /// Receivers are connected to `check_request_enabled`.
    pub signal_receivers: bool,
    names: HashMap<Setting, &'static str>,
}

impl DjangoSettings {
    /// The Django name the project uses for `setting` (the legacy one when only it is set).
    pub fn name(&self, setting: Setting) -> &'static str {
        self.names
            .get(&setting)
            .copied()
            .unwrap_or_else(|| setting.env_var())
    }
}

/// Reads the JSON text. `Err` is a usage error (not JSON, not an object, an unknown fact);
/// problems of the settings themselves are findings.
pub(crate) fn read(text: &str) -> Result<(DjangoSettings, Vec<DjangoFinding>), String> {
    let object: BTreeMap<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        Ok(other) => {
            return Err(format!(
                "the input must be a JSON object of Django settings, not {}",
                json_type(&other)
            ));
        }
        Err(error) => return Err(format!("the input is not JSON: {error}")),
    };
    let mut findings = Vec::new();
    let mut signal_receivers = false;
    for (key, value) in &object {
        if key.chars().any(|c| c.is_ascii_uppercase()) {
            continue;
        }
        match key.as_str() {
            "signal_receivers" => match value.as_u64() {
                Some(n) => signal_receivers = n > 0,
                None => return Err("`signal_receivers` must be a whole number".to_owned()),
            },
            _ => {
                return Err(format!(
                    "unknown key `{key}`: settings are in upper case, and the only other key is `signal_receivers`"
                ));
            }
        }
    }

    let mut config = CorsConfig::default();
    let mut names = HashMap::new();
    for &setting in Setting::ALL {
        let new = setting.env_var();
        let legacy = setting.legacy_env_var();
        let (name, value) = match (
            object.get(new),
            legacy.and_then(|l| object.get(l).map(|v| (l, v))),
        ) {
            (Some(value), shadowed) => {
                if let Some((old, _)) = shadowed {
                    findings.push(legacy_shadowed(old, new));
                }
                (new, value)
            }
            (None, Some((old, value))) => {
                findings.push(legacy_name(old, new));
                (old, value)
            }
            (None, None) => continue,
        };
        names.insert(setting, name);
        match setting_value(setting, value) {
            Ok(Some(value)) => {
                // The kind matches by construction; a mismatch would only leave the default.
                let _ = config.set(setting, value);
            }
            Ok(None) => {}
            Err(expected) => findings.push(wrong_type(setting, name, value, expected)),
        }
    }

    let known = |key: &str| {
        REMOVED.contains(&key)
            || Setting::ALL
                .iter()
                .any(|s| s.env_var() == key || s.legacy_env_var() == Some(key))
    };
    for key in object.keys() {
        if key.starts_with("CORS_") && !known(key) {
            findings.push(unknown_setting(key));
        }
    }

    Ok((
        DjangoSettings {
            config,
            signal_receivers,
            names,
        },
        findings,
    ))
}

/// The value for `setting`, `Ok(None)` when it means the default, or `Err` with what Django
/// expects.
fn setting_value(setting: Setting, value: &Value) -> Result<Option<SettingValue>, &'static str> {
    match setting.kind() {
        SettingKind::List => {
            let list = value.as_array().ok_or("a list of strings")?;
            let strings: Option<Vec<String>> =
                list.iter().map(|v| v.as_str().map(str::to_owned)).collect();
            strings
                .map(|s| Some(SettingValue::List(s)))
                .ok_or("a list of strings")
        }
        SettingKind::Bool => value
            .as_bool()
            .map(|b| Some(SettingValue::Bool(b)))
            .ok_or("True or False"),
        SettingKind::Text => value
            .as_str()
            .map(|s| Some(SettingValue::Text(s.to_owned())))
            .ok_or("a string (a regex)"),
        // `None` and `0` both send no Access-Control-Max-Age; `True` is the integer 1 in Python.
        SettingKind::Seconds => match value {
            Value::Null => Ok(Some(SettingValue::Seconds(0))),
            Value::Bool(b) => Ok(Some(SettingValue::Seconds(u64::from(*b)))),
            _ => value
                .as_u64()
                .map(|n| Some(SettingValue::Seconds(n)))
                .ok_or("a whole number of seconds, 0 or more"),
        },
        // A kind this mode does not read yet: the default stays.
        _ => Ok(None),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How the value is shown: a Python literal, or the `repr` the Django app passed for a value
/// JSON cannot hold (`{"python_repr": "{'a'}"}`).
fn shown(value: &Value) -> Value {
    match value.get("python_repr").and_then(Value::as_str) {
        Some(repr) => Value::String(repr.to_owned()),
        None => Value::String(python_literal(value)),
    }
}

fn wrong_type(setting: Setting, name: &str, value: &Value, expected: &str) -> DjangoFinding {
    let string_as_list = setting.kind() == SettingKind::List && value.is_string();
    let mut message = format!(
        "{name} should be {expected}, not {}",
        match value.get("python_repr") {
            Some(_) => "this value",
            None => json_type(value),
        }
    );
    if string_as_list {
        message.push_str(
            ": django-cors-headers reads a string as the list of its characters, so none of it works",
        );
    } else {
        message.push_str("; corsair judged the default in its place");
    }
    DjangoFinding {
        kind: kind("setting-wrong-type"),
        setting: name.to_owned(),
        value: None,
        message: format!("{message} (the value: {})", text_of(&shown(value))),
        fix: format!("write for example {name} = {}", example(setting)),
    }
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// An example value in Python syntax.
pub(crate) fn example(setting: Setting) -> String {
    match setting {
        Setting::AllowedOriginRegexes => r"[r'^https://[a-z0-9-]+\.example\.com$']".to_owned(),
        Setting::UrlsRegex => r"r'^/api/'".to_owned(),
        _ => match setting.kind() {
            SettingKind::Bool => "True".to_owned(),
            _ => setting.example().replace('"', "'"),
        },
    }
}

fn legacy_name(old: &str, new: &str) -> DjangoFinding {
    DjangoFinding {
        kind: kind("legacy-setting-name"),
        setting: old.to_owned(),
        value: None,
        message: format!(
            "{old} is the name django-cors-headers used before 3.5; it still reads it, as {new}"
        ),
        fix: format!("rename it to {new}"),
    }
}

fn legacy_shadowed(old: &str, new: &str) -> DjangoFinding {
    DjangoFinding {
        kind: kind("legacy-setting-shadowed"),
        setting: old.to_owned(),
        value: None,
        message: format!(
            "{old} is ignored: {new} is set too, and django-cors-headers then reads only {new}"
        ),
        fix: format!("remove {old}, after moving what it should allow into {new}"),
    }
}

fn unknown_setting(key: &str) -> DjangoFinding {
    let known: Vec<&str> = Setting::ALL
        .iter()
        .flat_map(|s| std::iter::once(s.env_var()).chain(s.legacy_env_var()))
        .collect();
    let closest = corsair::closest_name(key, known.iter().copied());
    DjangoFinding {
        kind: kind("unknown-setting"),
        setting: key.to_owned(),
        value: None,
        message: format!("{key} is not a django-cors-headers setting, so it has no effect"),
        fix: match closest {
            Some(name) => format!("did you mean {name}?"),
            None => format!("remove it; the settings are {}", known.join(", ")),
        },
    }
}

/// The kind named `name`, which the table has.
pub(crate) fn kind(name: &str) -> &'static kinds::Kind {
    kinds::named(name).unwrap_or_else(|| kinds::unnumbered(corsair::Severity::Error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(findings: &[DjangoFinding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.kind.name).collect()
    }

    #[test]
    fn new_names_win_legacy_names_are_read_when_alone() {
        let (settings, findings) = read(
            r#"{"CORS_ORIGIN_WHITELIST": ["https://old.example"], "CORS_ORIGIN_ALLOW_ALL": true,
                "CORS_ALLOW_ALL_ORIGINS": false, "CORS_PREFLIGHT_MAX_AGE": null}"#,
        )
        .unwrap();
        assert_eq!(settings.config.allowed_origins, ["https://old.example"]);
        assert_eq!(
            settings.name(Setting::AllowedOrigins),
            "CORS_ORIGIN_WHITELIST"
        );
        assert!(!settings.config.allow_all_origins);
        assert_eq!(settings.config.preflight_max_age, 0);
        assert_eq!(settings.name(Setting::AllowHeaders), "CORS_ALLOW_HEADERS");
        assert_eq!(
            ids(&findings),
            ["legacy-setting-name", "legacy-setting-shadowed"]
        );
    }

    #[test]
    fn wrong_types_and_unknown_names_are_findings_not_failures() {
        let (settings, findings) = read(
            r#"{"CORS_ALLOWED_ORIGINS": "https://a.example", "CORS_ALLOW_CREDENTIALS": 1,
                "CORS_PREFLIGHT_MAX_AGE": -1, "CORS_ALLOW_HEADERS": {"python_repr": "{'accept'}"},
                "CORS_ALLOWED_ORIGIN": [], "CORS_MODEL": "x", "DEBUG": true}"#,
        )
        .unwrap();
        assert!(settings.config.allowed_origins.is_empty());
        assert_eq!(
            ids(&findings),
            [
                "setting-wrong-type",
                "setting-wrong-type",
                "setting-wrong-type",
                "setting-wrong-type",
                "unknown-setting"
            ]
        );
        assert!(
            findings[0].message.contains("list of its characters"),
            "{}",
            findings[0].message
        );
        assert!(findings.iter().any(|f| f.message.contains("{'accept'}")));
        assert_eq!(findings[4].fix, "did you mean CORS_ALLOWED_ORIGINS?");
    }

    #[test]
    fn usage_errors() {
        for bad in [
            "[]",
            "nope",
            r#"{"signal_receivers": "x"}"#,
            r#"{"debug": 1}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let (settings, _) = read(r#"{"signal_receivers": 2}"#).unwrap();
        assert!(settings.signal_receivers);
    }
}
