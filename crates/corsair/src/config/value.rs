//! The values settings hold, as one type: what the generic readers (TOML, environment, flags)
//! produce and [`CorsConfig::set`](crate::CorsConfig::set) takes.

use std::fmt;

use crate::config::Setting;

/// The kind of value a [`Setting`] holds.
///
/// ```
/// use corsair::{Setting, SettingKind};
///
/// assert_eq!(Setting::AllowedOrigins.kind(), SettingKind::List);
/// assert_eq!(SettingKind::List.expected(), "an array of strings");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SettingKind {
    /// A list of strings (`["a", "b"]`).
    List,
    /// `true` or `false`.
    Bool,
    /// One string (a regex).
    Text,
    /// A whole number of seconds.
    Seconds,
}

impl SettingKind {
    /// What a value of this kind is, for error messages ("must be ...").
    ///
    /// ```
    /// assert_eq!(corsair::SettingKind::Seconds.expected(), "a whole number of seconds");
    /// ```
    pub const fn expected(self) -> &'static str {
        match self {
            SettingKind::List => "an array of strings",
            SettingKind::Bool => "true or false",
            SettingKind::Text => "a string",
            SettingKind::Seconds => "a whole number of seconds",
        }
    }
}

/// How a setting's command-line flag takes its values.
///
/// ```
/// use corsair::{FlagStyle, Setting};
///
/// assert_eq!(Setting::AllowCredentials.flag_style(), FlagStyle::Switch);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FlagStyle {
    /// Present or absent (`--allow-credentials`): presence sets `true`.
    Switch,
    /// One value (`--max-age 600`).
    Value,
    /// Repeatable, each value comma-separated (`--allow-methods GET,POST`).
    CommaSeparated,
    /// Repeatable, one item per flag (`--allow-origin-regex RE`): for regexes, whose commas
    /// are part of the pattern.
    OnePerFlag,
}

/// The value of one setting.
///
/// ```
/// use corsair::{CorsConfig, Setting, SettingValue};
///
/// let mut config = CorsConfig::default();
/// config
///     .set(Setting::AllowMethods, SettingValue::List(vec!["GET".into()]))
///     .unwrap();
/// assert_eq!(config.get(Setting::AllowMethods).to_string(), "GET");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingValue {
    /// A [`SettingKind::List`] value.
    List(Vec<String>),
    /// A [`SettingKind::Bool`] value.
    Bool(bool),
    /// A [`SettingKind::Text`] value.
    Text(String),
    /// A [`SettingKind::Seconds`] value.
    Seconds(u64),
}

impl SettingValue {
    /// The kind of this value.
    ///
    /// ```
    /// use corsair::{SettingKind, SettingValue};
    /// assert_eq!(SettingValue::Bool(true).kind(), SettingKind::Bool);
    /// ```
    pub fn kind(&self) -> SettingKind {
        match self {
            SettingValue::List(_) => SettingKind::List,
            SettingValue::Bool(_) => SettingKind::Bool,
            SettingValue::Text(_) => SettingKind::Text,
            SettingValue::Seconds(_) => SettingKind::Seconds,
        }
    }
}

impl fmt::Display for SettingValue {
    /// Lists comma-separated, the rest as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingValue::List(items) => f.write_str(&items.join(", ")),
            SettingValue::Bool(value) => write!(f, "{value}"),
            SettingValue::Text(text) => f.write_str(text),
            SettingValue::Seconds(seconds) => write!(f, "{seconds}"),
        }
    }
}

impl From<Vec<String>> for SettingValue {
    fn from(items: Vec<String>) -> Self {
        SettingValue::List(items)
    }
}

impl From<bool> for SettingValue {
    fn from(value: bool) -> Self {
        SettingValue::Bool(value)
    }
}

impl From<String> for SettingValue {
    fn from(text: String) -> Self {
        SettingValue::Text(text)
    }
}

impl From<u64> for SettingValue {
    fn from(seconds: u64) -> Self {
        SettingValue::Seconds(seconds)
    }
}

impl TryFrom<SettingValue> for Vec<String> {
    type Error = ();
    fn try_from(value: SettingValue) -> Result<Self, ()> {
        match value {
            SettingValue::List(items) => Ok(items),
            _ => Err(()),
        }
    }
}

impl TryFrom<SettingValue> for bool {
    type Error = ();
    fn try_from(value: SettingValue) -> Result<Self, ()> {
        match value {
            SettingValue::Bool(value) => Ok(value),
            _ => Err(()),
        }
    }
}

impl TryFrom<SettingValue> for String {
    type Error = ();
    fn try_from(value: SettingValue) -> Result<Self, ()> {
        match value {
            SettingValue::Text(text) => Ok(text),
            _ => Err(()),
        }
    }
}

impl TryFrom<SettingValue> for u64 {
    type Error = ();
    fn try_from(value: SettingValue) -> Result<Self, ()> {
        match value {
            SettingValue::Seconds(seconds) => Ok(seconds),
            _ => Err(()),
        }
    }
}

/// A value of the wrong kind was given to a setting.
///
/// ```
/// use corsair::{CorsConfig, Setting, SettingValue};
///
/// let err = CorsConfig::default()
///     .set(Setting::AllowedOrigins, SettingValue::Text("https://a.example".into()))
///     .unwrap_err();
/// assert_eq!(err.setting(), Setting::AllowedOrigins);
/// assert!(err.fix().contains(r#"allowed_origins = ["#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongKind(pub(crate) Setting);

impl WrongKind {
    /// The setting given the wrong kind of value.
    ///
    /// ```
    /// # use corsair::{CorsConfig, Setting, SettingValue};
    /// let err = CorsConfig::default().set(Setting::UrlsRegex, SettingValue::Bool(true)).unwrap_err();
    /// assert_eq!(err.setting(), Setting::UrlsRegex);
    /// ```
    pub fn setting(&self) -> Setting {
        self.0
    }

    /// A correct line to write instead (`write for example `preflight_max_age = 600``).
    ///
    /// ```
    /// # use corsair::{CorsConfig, Setting, SettingValue};
    /// let err = CorsConfig::default().set(Setting::PreflightMaxAge, SettingValue::Bool(true)).unwrap_err();
    /// assert_eq!(err.fix(), "write for example `preflight_max_age = 600`");
    /// ```
    pub fn fix(&self) -> String {
        format!(
            "write for example `{} = {}`",
            self.0.name(),
            self.0.example()
        )
    }
}

impl fmt::Display for WrongKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be {}", self.0.name(), self.0.kind().expected())
    }
}

impl std::error::Error for WrongKind {}
