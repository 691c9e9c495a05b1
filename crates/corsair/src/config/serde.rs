//! Reading and writing a [`CorsConfig`] with serde (TOML, JSON, ...), one key at a time through
//! the settings table, so that every reader of a `[cors]` table (this one, and the CLI's, which
//! also remembers each key's line) reports a wrong value in the same words.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::config::Setting;
use crate::config::{CorsConfig, RouteConfig, SettingKind, SettingValue, WrongKind};

/// What a configuration value can be, before it is checked against its setting's kind.
#[derive(Deserialize)]
#[serde(untagged)]
enum Input {
    Bool(bool),
    Integer(i64),
    Text(String),
    List(Vec<Item>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Item {
    Text(String),
    Other(IgnoredAny),
}

impl SettingValue {
    /// Reads the value of `setting` from any serde deserializer (a TOML or JSON value),
    /// checking it against the setting's kind.
    ///
    /// # Errors
    ///
    /// [`WrongKind`] when the value is not of the setting's kind (a string for a list, a
    /// negative number of seconds, a list holding a number, ...).
    ///
    /// ```
    /// use corsair::{Setting, SettingValue};
    ///
    /// let value = toml::Value::Array(vec!["GET".into(), "POST".into()]);
    /// let read = SettingValue::deserialize_for(Setting::AllowMethods, value).unwrap();
    /// assert_eq!(read, SettingValue::List(vec!["GET".into(), "POST".into()]));
    ///
    /// let err = SettingValue::deserialize_for(Setting::PreflightMaxAge, toml::Value::Integer(-5));
    /// assert_eq!(err.unwrap_err().to_string(), "preflight_max_age must be a whole number of seconds");
    /// ```
    pub fn deserialize_for<'de, D: Deserializer<'de>>(
        setting: Setting,
        deserializer: D,
    ) -> Result<SettingValue, WrongKind> {
        let wrong = WrongKind(setting);
        let input = Input::deserialize(deserializer).map_err(|_| wrong)?;
        match (setting.kind(), input) {
            (SettingKind::Bool, Input::Bool(value)) => Ok(SettingValue::Bool(value)),
            (SettingKind::Text, Input::Text(text)) => Ok(SettingValue::Text(text)),
            (SettingKind::Seconds, Input::Integer(seconds)) => u64::try_from(seconds)
                .map(SettingValue::Seconds)
                .map_err(|_| wrong),
            (SettingKind::List, Input::List(items)) => items
                .into_iter()
                .map(|item| match item {
                    Item::Text(text) => Ok(text),
                    Item::Other(_) => Err(wrong),
                })
                .collect::<Result<_, _>>()
                .map(SettingValue::List),
            _ => Err(wrong),
        }
    }
}

/// One setting's value, read with the setting's kind.
struct ValueOf(Setting);

impl<'de> de::DeserializeSeed<'de> for ValueOf {
    type Value = SettingValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<SettingValue, D::Error> {
        SettingValue::deserialize_for(self.0, deserializer)
            .map_err(|wrong| de::Error::custom(format!("{wrong} ({})", wrong.fix())))
    }
}

struct ConfigVisitor;

impl<'de> Visitor<'de> for ConfigVisitor {
    type Value = CorsConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of CORS settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CorsConfig, A::Error> {
        let mut config = CorsConfig::default();
        let mut unknown = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "routes" {
                config.routes = map.next_value::<Vec<RouteConfig>>()?;
                continue;
            }
            match Setting::from_name(&key) {
                Some(setting) => {
                    let value = map.next_value_seed(ValueOf(setting))?;
                    // The value was read for the setting's own kind.
                    config.set(setting, value).map_err(de::Error::custom)?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    unknown.insert(Setting::unknown_key_message(&key), ());
                }
            }
        }
        if !unknown.is_empty() {
            let messages: Vec<String> = unknown.into_keys().collect();
            return Err(de::Error::custom(messages.join("; ")));
        }
        Ok(config)
    }
}

struct RouteVisitor;

impl<'de> Visitor<'de> for RouteVisitor {
    type Value = RouteConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a route: a `path` and the settings it changes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RouteConfig, A::Error> {
        let mut path = None;
        let mut route = RouteConfig::new("");
        let mut unknown = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "path" {
                path = Some(map.next_value::<String>()?);
                continue;
            }
            if key == "routes" {
                return Err(de::Error::custom(
                    "a route cannot have routes of its own: list every route under [cors]",
                ));
            }
            match Setting::from_name(&key) {
                Some(setting) => {
                    let value = map.next_value_seed(ValueOf(setting))?;
                    route = route.with(setting, value).map_err(de::Error::custom)?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    unknown.insert(Setting::unknown_key_message(&key), ());
                }
            }
        }
        if !unknown.is_empty() {
            let messages: Vec<String> = unknown.into_keys().collect();
            return Err(de::Error::custom(messages.join("; ")));
        }
        route.path = path.ok_or_else(|| {
            de::Error::custom("a route needs a `path`, a regex of the paths it covers (e.g. path = \"^/public/\")")
        })?;
        Ok(route)
    }
}

impl<'de> Deserialize<'de> for RouteConfig {
    /// Reads one route: `path` and the settings it names (by name, like `[cors]`).
    ///
    /// ```
    /// use corsair::CorsConfig;
    ///
    /// let config: CorsConfig = toml::from_str(r#"
    ///     allowed_origins = ["https://app.example"]
    ///     [[routes]]
    ///     path = "^/public/"
    ///     allow_all_origins = true
    /// "#).unwrap();
    /// assert_eq!(config.routes[0].path, "^/public/");
    /// assert!(config.routes[0].effective(&config).allow_all_origins);
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RouteVisitor)
    }
}

fn serialize_value<M: SerializeMap>(
    map: &mut M,
    setting: Setting,
    value: &SettingValue,
) -> Result<(), M::Error> {
    match value {
        SettingValue::List(items) => map.serialize_entry(setting.name(), items),
        SettingValue::Bool(value) => map.serialize_entry(setting.name(), value),
        SettingValue::Text(text) => map.serialize_entry(setting.name(), text),
        SettingValue::Seconds(seconds) => map.serialize_entry(setting.name(), seconds),
    }
}

impl Serialize for RouteConfig {
    /// `path`, then the named settings in the order written.
    ///
    /// ```
    /// use corsair::{RouteConfig, Setting, SettingValue};
    ///
    /// let route = RouteConfig::new("^/webhooks/").with(Setting::Enabled, SettingValue::Bool(false))?;
    /// assert_eq!(serde_json::to_value(&route).unwrap(), serde_json::json!({"path": "^/webhooks/", "enabled": false}));
    /// # Ok::<(), corsair::WrongKind>(())
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.settings.len() + 1))?;
        map.serialize_entry("path", &self.path)?;
        for (setting, value) in &self.settings {
            serialize_value(&mut map, *setting, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for CorsConfig {
    /// Reads the settings by name; missing ones take their defaults, and an unknown key is an
    /// error that suggests the setting it most likely means.
    ///
    /// ```
    /// use corsair::CorsConfig;
    ///
    /// let config: CorsConfig = toml::from_str(r#"
    ///     allowed_origins = ["https://app.example", "http://localhost:*"]
    ///     allow_credentials = true
    /// "#).unwrap();
    /// assert_eq!(config.preflight_max_age, 86400);
    ///
    /// let err = toml::from_str::<CorsConfig>("allowed_origin = []").unwrap_err();
    /// assert!(err.to_string().contains("did you mean `allowed_origins`?"));
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ConfigVisitor)
    }
}

impl Serialize for CorsConfig {
    /// Every setting by name, in the table's order, then the routes (if any).
    ///
    /// ```
    /// let config = corsair::CorsConfig::default();
    /// let json = serde_json::to_value(&config).unwrap();
    /// assert_eq!(json["preflight_max_age"], 86400);
    /// assert_eq!(json["allowed_origins"], serde_json::json!([]));
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Setting::ALL.len() + 1))?;
        for &setting in Setting::ALL {
            serialize_value(&mut map, setting, &self.get(setting))?;
        }
        if !self.routes.is_empty() {
            map.serialize_entry("routes", &self.routes)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_ALLOW_HEADERS, DEFAULT_ALLOW_METHODS};

    #[test]
    fn missing_fields_take_defaults() {
        let config: CorsConfig = toml::from_str("").unwrap();
        assert_eq!(config, CorsConfig::default());
        assert_eq!(config.allow_methods, DEFAULT_ALLOW_METHODS);
        assert_eq!(config.allow_headers, DEFAULT_ALLOW_HEADERS);
    }

    #[test]
    fn unknown_keys_suggest_the_closest_setting() {
        let cases = [
            ("allowed_origin = []", "did you mean `allowed_origins`?"),
            (
                "allow_credential = true",
                "did you mean `allow_credentials`?",
            ),
            (
                "CORS_ORIGIN_WHITELIST = []",
                "did you mean `allowed_origins`?",
            ),
            (
                "cors_allow_all_origins = true",
                "did you mean `allow_all_origins`?",
            ),
            ("max_age = 5", "known settings: allowed_origins"),
        ];
        for (input, expected) in cases {
            let err = toml::from_str::<CorsConfig>(input).unwrap_err().to_string();
            assert!(err.contains(expected), "{input}: {err}");
        }
    }

    #[test]
    fn wrong_types_are_errors_naming_the_key() {
        let err = toml::from_str::<CorsConfig>("allowed_origins = \"https://a.example\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sequence") || err.contains("array"), "{err}");
        let err = toml::from_str::<CorsConfig>("preflight_max_age = -1")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("preflight_max_age") || err.contains("u64"),
            "{err}"
        );
        let err = toml::from_str::<CorsConfig>("allow_methods = [\"GET\", 1]")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("allow_methods must be an array of strings"),
            "{err}"
        );
    }

    #[test]
    fn json_and_toml_read_alike_and_serialization_round_trips() {
        let from_toml: CorsConfig =
            toml::from_str("allowed_origins = [\"https://a.example\"]\npreflight_max_age = 60")
                .unwrap();
        let from_json: CorsConfig = serde_json::from_str(
            r#"{"allowed_origins": ["https://a.example"], "preflight_max_age": 60}"#,
        )
        .unwrap();
        assert_eq!(from_toml, from_json);
        let written = serde_json::to_string(&from_toml).unwrap();
        assert_eq!(
            serde_json::from_str::<CorsConfig>(&written).unwrap(),
            from_toml
        );
    }
}
