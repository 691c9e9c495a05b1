//! [`CorsConfig`]: the settings as plain data, loadable from TOML, JSON or the environment
//! (with django-cors-headers' variable names).
//!
//! A `CorsConfig` is not validated: [`Cors::from_config`](crate::Cors::from_config) validates it
//! and compiles it into a policy, reporting every problem at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{ConfigError, Finding};
use crate::setting::Setting;

/// The methods allowed by default (django-cors-headers' `default_methods`).
///
/// ```
/// let config = corsair::CorsConfig::default();
/// assert_eq!(config.allow_methods, corsair::DEFAULT_ALLOW_METHODS);
/// ```
pub const DEFAULT_ALLOW_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/// The request headers allowed by default (django-cors-headers' `default_headers`).
///
/// ```
/// // Extend the defaults rather than repeat them.
/// let mut headers: Vec<&str> = corsair::DEFAULT_ALLOW_HEADERS.to_vec();
/// headers.push("x-api-key");
/// let cors = corsair::Cors::builder().allow_all_origins(true).allow_headers(headers).build();
/// assert!(cors.is_ok());
/// ```
pub const DEFAULT_ALLOW_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// The default `preflight_max_age`, in seconds (one day).
///
/// ```
/// assert_eq!(corsair::CorsConfig::default().preflight_max_age, corsair::DEFAULT_PREFLIGHT_MAX_AGE);
/// ```
pub const DEFAULT_PREFLIGHT_MAX_AGE: u64 = 86_400;

/// The default `urls_regex`: every path.
///
/// ```
/// assert_eq!(corsair::CorsConfig::default().urls_regex, corsair::DEFAULT_URLS_REGEX);
/// ```
pub const DEFAULT_URLS_REGEX: &str = "^.*$";

/// The settings of a CORS policy, as data.
///
/// Field names are the django-cors-headers setting names without the `CORS_` prefix. Missing
/// fields take their defaults; unknown fields are an error that suggests the closest known name.
///
/// ```
/// use corsair::{Cors, CorsConfig};
///
/// let config: CorsConfig = toml::from_str(r#"
///     allowed_origins = ["https://app.example", "http://localhost:*"]
///     allow_credentials = true
/// "#).unwrap();
/// assert_eq!(config.preflight_max_age, 86400);
/// let cors = Cors::from_config(&config).unwrap();
/// # let _ = cors;
///
/// let err = toml::from_str::<CorsConfig>("allowed_origin = []").unwrap_err();
/// assert!(err.to_string().contains("did you mean `allowed_origins`?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawConfig")]
pub struct CorsConfig {
    /// Exact origins (`https://app.example`) and patterns (`https://*.example.com`,
    /// `http://localhost:*`).
    pub allowed_origins: Vec<String>,
    /// Regexes that must match the whole origin.
    pub allowed_origin_regexes: Vec<String>,
    /// Answer `Access-Control-Allow-Origin: *` to every origin.
    pub allow_all_origins: bool,
    /// CORS applies only to paths this regex matches from their start.
    pub urls_regex: String,
    /// Methods listed in `Access-Control-Allow-Methods`.
    pub allow_methods: Vec<String>,
    /// Request headers listed in `Access-Control-Allow-Headers`.
    pub allow_headers: Vec<String>,
    /// Response headers listed in `Access-Control-Expose-Headers`.
    pub expose_headers: Vec<String>,
    /// Seconds a browser may cache a preflight answer; 0 sends no `Access-Control-Max-Age`.
    pub preflight_max_age: u64,
    /// Answer `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// Answer `Access-Control-Allow-Private-Network: true` to private network preflights.
    pub allow_private_network: bool,
    /// Accept plain-`http` origins other than loopback together with credentials.
    pub allow_insecure_origins_with_credentials: bool,
}

impl Default for CorsConfig {
    /// The django-cors-headers defaults (which allow no origin, so they do not build on their own).
    fn default() -> Self {
        CorsConfig {
            allowed_origins: Vec::new(),
            allowed_origin_regexes: Vec::new(),
            allow_all_origins: false,
            urls_regex: DEFAULT_URLS_REGEX.to_owned(),
            allow_methods: DEFAULT_ALLOW_METHODS.map(str::to_owned).to_vec(),
            allow_headers: DEFAULT_ALLOW_HEADERS.map(str::to_owned).to_vec(),
            expose_headers: Vec::new(),
            preflight_max_age: DEFAULT_PREFLIGHT_MAX_AGE,
            allow_credentials: false,
            allow_private_network: false,
            allow_insecure_origins_with_credentials: false,
        }
    }
}

/// The result of reading the environment: the configuration and the warnings about how it was
/// written (legacy variable names).
///
/// ```
/// use corsair::CorsConfig;
///
/// let loaded = CorsConfig::from_env_vars([("CORS_ORIGIN_WHITELIST", "https://a.example")]).unwrap();
/// assert_eq!(loaded.config.allowed_origins, ["https://a.example"]);
/// assert_eq!(loaded.warnings[0].id, "deprecated-setting-name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvConfig {
    /// The configuration read.
    pub config: CorsConfig,
    /// Findings about the variables (deprecated names), to show the user.
    pub warnings: Vec<Finding>,
    /// The settings that a variable set, with the variable's name.
    pub sources: Vec<(Setting, &'static str)>,
}

impl CorsConfig {
    /// Reads the `CORS_*` variables of the process environment over the defaults.
    ///
    /// Lists are a JSON array (`["a","b"]`) or comma-separated; booleans are `true`, `false`, `1`
    /// or `0`. See [`CorsConfig::from_env_vars`].
    ///
    /// ```no_run
    /// let loaded = corsair::CorsConfig::from_env()?;
    /// let cors = corsair::Cors::from_config(&loaded.config)?;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<EnvConfig, ConfigError> {
        CorsConfig::from_env_vars(std::env::vars())
    }

    /// Reads `CORS_*` variables from the given pairs over the defaults.
    ///
    /// ```
    /// use corsair::CorsConfig;
    ///
    /// let loaded = CorsConfig::from_env_vars([
    ///     ("CORS_ALLOWED_ORIGINS", r#"["https://a.example", "https://b.example"]"#),
    ///     ("CORS_ALLOW_CREDENTIALS", "1"),
    ///     ("CORS_PREFLIGHT_MAX_AGE", "600"),
    /// ]).unwrap();
    /// assert_eq!(loaded.config.allowed_origins.len(), 2);
    /// assert!(loaded.config.allow_credentials);
    /// assert_eq!(loaded.config.preflight_max_age, 600);
    ///
    /// let err = CorsConfig::from_env_vars([("CORS_ALLOW_CREDENTIALS", "yes")]).unwrap_err();
    /// assert!(err.to_string().contains("CORS_ALLOW_CREDENTIALS"));
    /// ```
    pub fn from_env_vars<K, V>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<EnvConfig, ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut config = CorsConfig::default();
        let report = config.apply_env_vars(vars)?;
        Ok(EnvConfig {
            config,
            warnings: report.0,
            sources: report.1,
        })
    }

    /// Applies `CORS_*` variables on top of this configuration (for layering a file under the
    /// environment). Returns the warnings and the settings each variable set.
    ///
    /// ```
    /// let mut config = corsair::CorsConfig::default();
    /// config.allowed_origins = vec!["https://from-file.example".into()];
    /// let (_warnings, sources) = config
    ///     .apply_env_vars([("CORS_ALLOW_CREDENTIALS", "true")])
    ///     .unwrap();
    /// assert_eq!(config.allowed_origins, ["https://from-file.example"]);
    /// assert!(config.allow_credentials);
    /// assert_eq!(sources, [(corsair::Setting::AllowCredentials, "CORS_ALLOW_CREDENTIALS")]);
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn apply_env_vars<K, V>(
        &mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(Vec<Finding>, Vec<(Setting, &'static str)>), ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .filter(|(k, _)| k.as_ref().starts_with("CORS_"))
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        let mut findings = Vec::new();
        let mut sources = Vec::new();
        for setting in Setting::ALL {
            let new_name = setting.env_var();
            let (name, raw) = match (vars.get(new_name), setting.legacy_env_var()) {
                (Some(value), legacy) => {
                    if let Some(legacy) = legacy.filter(|l| vars.contains_key(*l)) {
                        findings.push(Finding::warning(
                            "deprecated-setting-name",
                            setting,
                            None,
                            format!("both {new_name} and the legacy {legacy} are set; {new_name} wins and {legacy} is ignored"),
                            format!("remove {legacy}"),
                        ));
                    }
                    (new_name, value)
                }
                (None, Some(legacy)) => match vars.get(legacy) {
                    Some(value) => {
                        findings.push(Finding::warning(
                            "deprecated-setting-name",
                            setting,
                            None,
                            format!("{legacy} is a deprecated name"),
                            format!("rename it to {new_name}"),
                        ));
                        (legacy, value)
                    }
                    None => continue,
                },
                (None, None) => continue,
            };
            match self.set_from_env(setting, name, raw) {
                Ok(()) => sources.push((setting, name)),
                Err(finding) => findings.push(finding),
            }
        }
        // A `CORS_` variable that is not a setting is most likely a typo of one.
        for name in vars.keys() {
            let known = Setting::ALL
                .iter()
                .any(|s| s.env_var() == name || s.legacy_env_var() == Some(name.as_str()));
            if known {
                continue;
            }
            if let Some(setting) = closest(name, Setting::ALL.iter().map(|s| s.env_var()))
                .and_then(|var| Setting::ALL.into_iter().find(|s| s.env_var() == var))
            {
                findings.push(Finding::warning(
                    "unknown-setting",
                    setting,
                    Some(name),
                    format!("{name} is not a corsair setting and is ignored"),
                    format!("did you mean {}?", setting.env_var()),
                ));
            }
        }
        if findings.iter().any(Finding::is_error) {
            return Err(ConfigError::new(findings));
        }
        Ok((findings, sources))
    }

    fn set_from_env(&mut self, setting: Setting, var: &str, raw: &str) -> Result<(), Finding> {
        match setting {
            Setting::AllowedOrigins => self.allowed_origins = env_list(setting, var, raw)?,
            Setting::AllowedOriginRegexes => {
                self.allowed_origin_regexes = env_list(setting, var, raw)?
            }
            Setting::AllowMethods => self.allow_methods = env_list(setting, var, raw)?,
            Setting::AllowHeaders => self.allow_headers = env_list(setting, var, raw)?,
            Setting::ExposeHeaders => self.expose_headers = env_list(setting, var, raw)?,
            Setting::AllowAllOrigins => self.allow_all_origins = env_bool(setting, var, raw)?,
            Setting::AllowCredentials => self.allow_credentials = env_bool(setting, var, raw)?,
            Setting::AllowPrivateNetwork => {
                self.allow_private_network = env_bool(setting, var, raw)?
            }
            Setting::AllowInsecureOriginsWithCredentials => {
                self.allow_insecure_origins_with_credentials = env_bool(setting, var, raw)?
            }
            Setting::UrlsRegex => self.urls_regex = raw.to_owned(),
            Setting::PreflightMaxAge => {
                self.preflight_max_age = raw.trim().parse().map_err(|_| {
                    Finding::error(
                        "invalid-env-value",
                        setting,
                        Some(raw),
                        format!("{var} must be a whole number of seconds"),
                        format!("write for example {var}=600"),
                    )
                })?
            }
        }
        Ok(())
    }
}

/// Parses an environment list: a JSON array of strings, or comma-separated values.
fn env_list(setting: Setting, var: &str, raw: &str) -> Result<Vec<String>, Finding> {
    let trimmed = raw.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed).map_err(|e| {
            Finding::error(
                "invalid-env-value",
                setting,
                Some(raw),
                format!("{var} starts with `[` but is not a JSON array of strings ({e})"),
                format!(r#"write {var}='["https://a.example","https://b.example"]' or a comma-separated list"#),
            )
        });
    }
    Ok(trimmed
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Parses an environment boolean: `true`, `false`, `1` or `0` (any case).
fn env_bool(setting: Setting, var: &str, raw: &str) -> Result<bool, Finding> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Finding::error(
            "invalid-env-value",
            setting,
            Some(raw),
            format!("{var} must be true, false, 1 or 0"),
            format!("write {var}=true or {var}=false"),
        )),
    }
}

/// The known name closest to `unknown` by edit distance, if any is close enough to be a typo.
///
/// ```
/// let known = ["allowed_origins", "allow_credentials"];
/// assert_eq!(corsair::closest_name("allowed_origin", known), Some("allowed_origins"));
/// assert_eq!(corsair::closest_name("listen", known), None);
/// ```
pub fn closest_name<'a>(
    unknown: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(unknown, known)
}

fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let unknown_lower = unknown.to_ascii_lowercase();
    known
        .into_iter()
        .map(|k| (edit_distance(&unknown_lower, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The serde shape of a config: every field optional, unknown keys collected for a suggestion.
#[derive(Deserialize)]
struct RawConfig {
    allowed_origins: Option<Vec<String>>,
    allowed_origin_regexes: Option<Vec<String>>,
    allow_all_origins: Option<bool>,
    urls_regex: Option<String>,
    allow_methods: Option<Vec<String>>,
    allow_headers: Option<Vec<String>>,
    expose_headers: Option<Vec<String>>,
    preflight_max_age: Option<u64>,
    allow_credentials: Option<bool>,
    allow_private_network: Option<bool>,
    allow_insecure_origins_with_credentials: Option<bool>,
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

impl TryFrom<RawConfig> for CorsConfig {
    type Error = String;

    fn try_from(raw: RawConfig) -> Result<Self, Self::Error> {
        if !raw.unknown.is_empty() {
            let messages: Vec<String> = raw
                .unknown
                .keys()
                .map(|key| {
                    let legacy = Setting::from_django_name(key).map(Setting::name);
                    match legacy.or_else(|| closest(key, Setting::ALL.map(Setting::name))) {
                        Some(known) => {
                            format!("unknown setting `{key}`, did you mean `{known}`?")
                        }
                        None => format!(
                            "unknown setting `{key}` (known settings: {})",
                            Setting::ALL.map(Setting::name).join(", ")
                        ),
                    }
                })
                .collect();
            return Err(messages.join("; "));
        }
        let defaults = CorsConfig::default();
        Ok(CorsConfig {
            allowed_origins: raw.allowed_origins.unwrap_or(defaults.allowed_origins),
            allowed_origin_regexes: raw
                .allowed_origin_regexes
                .unwrap_or(defaults.allowed_origin_regexes),
            allow_all_origins: raw.allow_all_origins.unwrap_or(defaults.allow_all_origins),
            urls_regex: raw.urls_regex.unwrap_or(defaults.urls_regex),
            allow_methods: raw.allow_methods.unwrap_or(defaults.allow_methods),
            allow_headers: raw.allow_headers.unwrap_or(defaults.allow_headers),
            expose_headers: raw.expose_headers.unwrap_or(defaults.expose_headers),
            preflight_max_age: raw.preflight_max_age.unwrap_or(defaults.preflight_max_age),
            allow_credentials: raw.allow_credentials.unwrap_or(defaults.allow_credentials),
            allow_private_network: raw
                .allow_private_network
                .unwrap_or(defaults.allow_private_network),
            allow_insecure_origins_with_credentials: raw
                .allow_insecure_origins_with_credentials
                .unwrap_or(defaults.allow_insecure_origins_with_credentials),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn env_lists_accept_json_and_commas() {
        let table = [
            ("https://a.example", vec!["https://a.example"]),
            (
                " https://a.example , https://b.example ,",
                vec!["https://a.example", "https://b.example"],
            ),
            (
                r#"["https://a.example","https://b.example"]"#,
                vec!["https://a.example", "https://b.example"],
            ),
            ("", vec![]),
            ("[]", vec![]),
        ];
        for (raw, expected) in table {
            let loaded = CorsConfig::from_env_vars([("CORS_ALLOWED_ORIGINS", raw)]).unwrap();
            assert_eq!(loaded.config.allowed_origins, expected, "{raw:?}");
        }
        let err = CorsConfig::from_env_vars([("CORS_ALLOWED_ORIGINS", "[not json")]).unwrap_err();
        assert_eq!(err.findings()[0].id, "invalid-env-value");
        assert_eq!(err.findings()[0].setting, Setting::AllowedOrigins);
    }

    #[test]
    fn env_booleans() {
        for (raw, expected) in [("true", true), ("1", true), ("False", false), ("0", false)] {
            let loaded = CorsConfig::from_env_vars([("CORS_ALLOW_ALL_ORIGINS", raw)]).unwrap();
            assert_eq!(loaded.config.allow_all_origins, expected, "{raw}");
        }
        for raw in ["yes", "", "2"] {
            assert!(CorsConfig::from_env_vars([("CORS_ALLOW_CREDENTIALS", raw)]).is_err());
        }
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let err = CorsConfig::from_env_vars([
            ("CORS_ALLOW_CREDENTIALS", "yes"),
            ("CORS_PREFLIGHT_MAX_AGE", "ten"),
        ])
        .unwrap_err();
        let settings: Vec<Setting> = err.findings().iter().map(|f| f.setting).collect();
        assert_eq!(
            settings,
            [Setting::PreflightMaxAge, Setting::AllowCredentials]
        );
    }

    #[test]
    fn legacy_names_are_accepted_with_a_warning_and_lose_to_new_names() {
        let loaded = CorsConfig::from_env_vars([
            ("CORS_ORIGIN_ALLOW_ALL", "true"),
            ("CORS_ORIGIN_REGEX_WHITELIST", r"^https://.*\.a\.example$"),
        ])
        .unwrap();
        assert!(loaded.config.allow_all_origins);
        assert_eq!(
            loaded.config.allowed_origin_regexes,
            [r"^https://.*\.a\.example$"]
        );
        assert_eq!(loaded.warnings.len(), 2);
        assert!(
            loaded
                .warnings
                .iter()
                .all(|w| w.id == "deprecated-setting-name")
        );

        let loaded = CorsConfig::from_env_vars([
            ("CORS_ALLOWED_ORIGINS", "https://new.example"),
            ("CORS_ORIGIN_WHITELIST", "https://old.example"),
        ])
        .unwrap();
        assert_eq!(loaded.config.allowed_origins, ["https://new.example"]);
        assert!(
            loaded.warnings[0]
                .message
                .contains("CORS_ALLOWED_ORIGINS wins")
        );
        assert_eq!(
            loaded.sources,
            [(Setting::AllowedOrigins, "CORS_ALLOWED_ORIGINS")]
        );
    }

    #[test]
    fn unknown_cors_variables_are_warned_about() {
        let loaded = CorsConfig::from_env_vars([
            ("CORS_ALLOWED_ORIGIN", "https://a.example"),
            ("PATH", "/usr/bin"),
        ])
        .unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].id, "unknown-setting");
        assert!(loaded.warnings[0].fix.contains("CORS_ALLOWED_ORIGINS"));
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
