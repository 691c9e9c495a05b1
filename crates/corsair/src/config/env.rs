//! Reading the `CORS_*` environment variables, django-cors-headers' names, over a
//! [`CorsConfig`]: lists are a JSON array (`["a","b"]`) or comma-separated, booleans `true`,
//! `false`, `1` or `0`, seconds a whole number. Legacy names are accepted with a warning; the
//! new name wins when both are set.

use std::collections::BTreeMap;

use crate::config::{
    ConfigError, CorsConfig, Finding, FindingId, Setting, SettingKind, SettingValue,
};

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
#[non_exhaustive]
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
        for &setting in Setting::ALL {
            let new_name = setting.env_var();
            let (name, raw) = match (vars.get(new_name), setting.legacy_env_var()) {
                (Some(value), legacy) => {
                    if let Some(legacy) = legacy.filter(|l| vars.contains_key(*l)) {
                        findings.push(Finding::warning(
                            FindingId::DeprecatedSettingName,
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
                            FindingId::DeprecatedSettingName,
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
            let bare = name.strip_prefix("CORS_").unwrap_or(name);
            if let Some(setting) = Setting::suggest(bare) {
                findings.push(Finding::warning(
                    FindingId::UnknownSetting,
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
        let value = match setting.kind() {
            SettingKind::List => SettingValue::List(env_list(setting, var, raw)?),
            SettingKind::Bool => SettingValue::Bool(env_bool(setting, var, raw)?),
            SettingKind::Text => SettingValue::Text(raw.to_owned()),
            SettingKind::Seconds => SettingValue::Seconds(raw.trim().parse().map_err(|_| {
                Finding::error(
                    FindingId::InvalidEnvValue,
                    setting,
                    Some(raw),
                    format!("{var} must be a whole number of seconds"),
                    format!("write for example {var}={}", setting.example()),
                )
            })?),
        };
        // The value was read for the setting's own kind.
        self.set(setting, value).map_err(|wrong| {
            Finding::error(
                FindingId::InvalidEnvValue,
                setting,
                Some(raw),
                wrong.to_string(),
                wrong.fix(),
            )
        })
    }
}

/// Parses an environment list: a JSON array of strings, or comma-separated values.
fn env_list(setting: Setting, var: &str, raw: &str) -> Result<Vec<String>, Finding> {
    let trimmed = raw.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed).map_err(|e| {
            Finding::error(
                FindingId::InvalidEnvValue,
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
            FindingId::InvalidEnvValue,
            setting,
            Some(raw),
            format!("{var} must be true, false, 1 or 0"),
            format!("write {var}=true or {var}=false"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
