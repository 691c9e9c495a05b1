//! The settings table, and [`CorsConfig`]: the settings as plain data.
//!
//! Each entry of the table below is everything corsair knows about one setting: its field in
//! [`CorsConfig`], its kind and default, its environment variable (and django-cors-headers'
//! legacy name), its `corsair serve` flag, an example for error messages, and the summary the
//! README's table shows. The TOML and serde reader, the environment reader, the CLI's flags and
//! the README are all driven by it, so a new setting is one entry here plus its behaviour in
//! validation and the engine.
//!
//! With the `config` feature, [`CorsConfig`] also reads TOML or JSON (serde) and the `CORS_*`
//! environment variables.
//!
//! What is wrong with settings lives here too: [`Finding`] (`finding.rs`) and the registry of
//! the rules' stable ids, [`FindingId`] (`finding_id.rs`).

#[cfg(feature = "config")]
mod closest;
#[cfg(feature = "config")]
mod env;
mod finding;
mod finding_id;
mod problem;
mod route;
#[cfg(feature = "config")]
mod serde;
mod table;
mod value;

#[cfg(feature = "config")]
pub use closest::closest_name;
#[cfg(feature = "config")]
pub use env::EnvConfig;
pub use finding::{ConfigError, Finding, RouteScope};
pub use finding_id::FindingId;
pub use problem::{Problem, Severity, tally};
pub use route::RouteConfig;
pub use value::{FlagStyle, SettingKind, SettingValue, WrongKind};

use table::{field_type, settings_table};

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

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

settings_table! {
    /// `allowed_origins`: exact origins (`https://app.example`) and patterns
    /// (`https://*.example.com`, `http://localhost:*`).
    AllowedOrigins {
        field: allowed_origins,
        kind: List,
        default: Vec::new(),
        env: "CORS_ALLOWED_ORIGINS",
        legacy: Some("CORS_ORIGIN_WHITELIST"),
        flag: "--allow-origin",
        flag_style: CommaSeparated,
        example: r#"["http://localhost:8080"]"#,
        summary: "exact origins `scheme://host[:port]`, and patterns `https://*.example.com` (any subdomain, not the apex) and `http://localhost:*` (any port)",
    }
    /// `allowed_origin_regexes`: regexes matched against the whole origin.
    AllowedOriginRegexes {
        field: allowed_origin_regexes,
        kind: List,
        default: Vec::new(),
        env: "CORS_ALLOWED_ORIGIN_REGEXES",
        legacy: Some("CORS_ORIGIN_REGEX_WHITELIST"),
        flag: "--allow-origin-regex",
        flag_style: OnePerFlag,
        example: r#"['https://[a-z0-9-]+\.example\.com']"#,
        summary: "regexes (Rust `regex` syntax) that must match the **whole** origin, in its canonical form (lower case, no default port); corsair judges what each one matches (see below)",
    }
    /// `allow_all_origins`: answer `*` to every origin.
    AllowAllOrigins {
        field: allow_all_origins,
        kind: Bool,
        default: false,
        env: "CORS_ALLOW_ALL_ORIGINS",
        legacy: Some("CORS_ORIGIN_ALLOW_ALL"),
        flag: "--allow-all-origins",
        flag_style: Switch,
        example: "true",
        summary: "answer `Access-Control-Allow-Origin: *`",
    }
    /// `urls_regex`: the request paths CORS applies to.
    UrlsRegex {
        field: urls_regex,
        kind: Text,
        default: DEFAULT_URLS_REGEX.to_owned(),
        env: "CORS_URLS_REGEX",
        legacy: None,
        flag: "--urls-regex",
        flag_style: Value,
        example: r#""^/api/""#,
        summary: "CORS applies only to request paths (without query) this regex matches from their start; other requests pass untouched. The path is first normalized the way upstreams route on it: each segment's `;` parameters cut (as Tomcat, Jetty and Spring do), percent-decoded, runs of `/` merged, dot segments removed (`/%61pi/x`, `//api/x`, `/x/../api/x` and `/api;v=1/x` are all `/api/x`). A regex that can match no path (`api/`: paths start with `/`) is refused",
    }
    /// `case_insensitive_paths`: match `urls_regex` and route paths without regard to case.
    CaseInsensitivePaths {
        field: case_insensitive_paths,
        kind: Bool,
        default: false,
        env: "CORS_CASE_INSENSITIVE_PATHS",
        legacy: None,
        flag: "--case-insensitive-paths",
        flag_style: Switch,
        example: "true",
        summary: "match `urls_regex` and route paths without regard to case, for upstreams that route that way (Express's default, ASP.NET, IIS). Left `false`, a path whose CORS path or route depends on its case (`/ADMIN/users` beside a route `^/admin/`) is granted only what both readings would grant",
    }
    /// `allow_methods`: the methods listed in `Access-Control-Allow-Methods`.
    AllowMethods {
        field: allow_methods,
        kind: List,
        default: strings(&DEFAULT_ALLOW_METHODS),
        env: "CORS_ALLOW_METHODS",
        legacy: None,
        flag: "--allow-methods",
        flag_style: CommaSeparated,
        example: r#"["GET", "POST"]"#,
        summary: "`Access-Control-Allow-Methods` of preflight answers",
    }
    /// `allow_headers`: the request headers listed in `Access-Control-Allow-Headers`.
    AllowHeaders {
        field: allow_headers,
        kind: List,
        default: strings(&DEFAULT_ALLOW_HEADERS),
        env: "CORS_ALLOW_HEADERS",
        legacy: None,
        flag: "--allow-headers",
        flag_style: CommaSeparated,
        example: r#"["content-type", "authorization"]"#,
        summary: "`Access-Control-Allow-Headers`; may contain `*` (without credentials); by the standard `*` does not cover `authorization` (browsers let it through today, Firefox can be set to refuse it), so write `[\"*\", \"authorization\"]` if you send it (corsair answers `*, authorization`)",
    }
    /// `expose_headers`: the response headers listed in `Access-Control-Expose-Headers`.
    ExposeHeaders {
        field: expose_headers,
        kind: List,
        default: Vec::new(),
        env: "CORS_EXPOSE_HEADERS",
        legacy: None,
        flag: "--expose-headers",
        flag_style: CommaSeparated,
        example: r#"["x-request-id"]"#,
        summary: "`Access-Control-Expose-Headers`; may contain `*` (without credentials)",
    }
    /// `preflight_max_age`: seconds a browser may cache a preflight answer; 0 sends no
    /// `Access-Control-Max-Age`.
    PreflightMaxAge {
        field: preflight_max_age,
        kind: Seconds,
        default: DEFAULT_PREFLIGHT_MAX_AGE,
        env: "CORS_PREFLIGHT_MAX_AGE",
        legacy: None,
        flag: "--max-age",
        flag_style: Value,
        example: "600",
        summary: "seconds; `0` sends no `Access-Control-Max-Age`; above 86400 is refused, above 7200 (Chromium's cap) warned about",
    }
    /// `allow_credentials`: answer `Access-Control-Allow-Credentials: true`.
    AllowCredentials {
        field: allow_credentials,
        kind: Bool,
        default: false,
        env: "CORS_ALLOW_CREDENTIALS",
        legacy: None,
        flag: "--allow-credentials",
        flag_style: Switch,
        example: "true",
        summary: "`Access-Control-Allow-Credentials: true`",
    }
    /// `allow_private_network`: answer private network access preflights.
    AllowPrivateNetwork {
        field: allow_private_network,
        kind: Bool,
        default: false,
        env: "CORS_ALLOW_PRIVATE_NETWORK",
        legacy: None,
        flag: "--allow-private-network",
        flag_style: Switch,
        example: "true",
        summary: "`Access-Control-Allow-Private-Network: true` for preflights that carry `Access-Control-Request-Private-Network: true` from allowed origins (no effect in current Chromium and Firefox, which send no such preflight; kept for django-cors-headers compatibility)",
    }
    /// `allow_insecure_origins_with_credentials`: accept plain-`http` origins other than
    /// loopback together with credentials.
    AllowInsecureOriginsWithCredentials {
        field: allow_insecure_origins_with_credentials,
        kind: Bool,
        default: false,
        env: "CORS_ALLOW_INSECURE_ORIGINS_WITH_CREDENTIALS",
        legacy: None,
        flag: "--allow-insecure-origins-with-credentials",
        flag_style: Switch,
        example: "true",
        summary: "accept plain-`http` origins other than loopback together with credentials",
    }
    /// `enabled`: whether corsair handles CORS at all (on a route: for that route's paths).
    Enabled {
        field: enabled,
        kind: Bool,
        default: true,
        env: "CORS_ENABLED",
        legacy: None,
        flag: "--enabled",
        flag_style: Value,
        example: "false",
        summary: "`false` turns CORS off: requests pass untouched, the application's own CORS headers kept (on a route: for that route's paths only)",
    }
}

impl Setting {
    /// Looks a setting up by its configuration name.
    ///
    /// ```
    /// use corsair::Setting;
    /// assert_eq!(Setting::from_name("urls_regex"), Some(Setting::UrlsRegex));
    /// assert_eq!(Setting::from_name("no_such_setting"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Setting> {
        Setting::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// Looks a setting up by a django-cors-headers name, current or legacy, in any case
    /// (`CORS_ORIGIN_WHITELIST`, `cors_allowed_origins`), for pointing people who paste Django
    /// settings at corsair's name.
    ///
    /// ```
    /// use corsair::Setting;
    /// assert_eq!(Setting::from_django_name("CORS_ORIGIN_WHITELIST"), Some(Setting::AllowedOrigins));
    /// assert_eq!(Setting::from_django_name("cors_allow_credentials"), Some(Setting::AllowCredentials));
    /// assert_eq!(Setting::from_django_name("allowed_origins"), None);
    /// ```
    pub fn from_django_name(name: &str) -> Option<Setting> {
        Setting::ALL.iter().copied().find(|s| {
            s.env_var().eq_ignore_ascii_case(name)
                || s.legacy_env_var()
                    .is_some_and(|legacy| legacy.eq_ignore_ascii_case(name))
        })
    }

    /// The message about a configuration key that is not a setting, naming the setting it most
    /// likely means (see [`Setting::suggest`]).
    ///
    /// ```
    /// let message = corsair::Setting::unknown_key_message("allowed_origin");
    /// assert_eq!(message, "unknown setting `allowed_origin`, did you mean `allowed_origins`?");
    /// ```
    #[cfg(feature = "config")]
    pub fn unknown_key_message(key: &str) -> String {
        match Setting::suggest(key) {
            Some(known) => format!("unknown setting `{key}`, did you mean `{known}`?"),
            None => format!(
                "unknown setting `{key}` (known settings: {})",
                Setting::ALL
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The setting a misspelt or django-cors-headers name most likely means: the Django name
    /// (`CORS_ALLOW_CREDENTIALS`), or the closest name by edit distance.
    ///
    /// ```
    /// use corsair::Setting;
    /// assert_eq!(Setting::suggest("allowed_origin"), Some(Setting::AllowedOrigins));
    /// assert_eq!(Setting::suggest("CORS_ORIGIN_ALLOW_ALL"), Some(Setting::AllowAllOrigins));
    /// assert_eq!(Setting::suggest("listen"), None);
    /// ```
    #[cfg(feature = "config")]
    pub fn suggest(name: &str) -> Option<Setting> {
        Setting::from_django_name(name).or_else(|| {
            let lower = name.to_ascii_lowercase();
            let closest = closest_name(&lower, Setting::ALL.iter().map(|s| s.name()))?;
            Setting::ALL.iter().copied().find(|s| s.name() == closest)
        })
    }

    /// The default value, as the README shows it (`[]`, `false`, `86400`, a list
    /// comma-separated).
    ///
    /// ```
    /// use corsair::Setting;
    /// assert_eq!(Setting::AllowedOrigins.default_text(), "[]");
    /// assert_eq!(Setting::AllowMethods.default_text(), "DELETE, GET, OPTIONS, PATCH, POST, PUT");
    /// ```
    pub fn default_text(self) -> String {
        match CorsConfig::default().get(self) {
            SettingValue::List(items) if items.is_empty() => "[]".to_owned(),
            value => value.to_string(),
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_follow_django() {
        let mut names: Vec<&str> = Setting::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Setting::ALL.len());
        for setting in Setting::ALL {
            assert_eq!(
                setting.env_var(),
                format!("CORS_{}", setting.name().to_ascii_uppercase()),
                "{setting}"
            );
            assert!(setting.flag().starts_with("--"), "{setting}");
        }
    }

    #[test]
    fn every_value_round_trips_through_get_and_set() {
        let mut config = CorsConfig::default();
        for &setting in Setting::ALL {
            let value = config.get(setting);
            assert_eq!(value.kind(), setting.kind(), "{setting}");
            config.set(setting, value.clone()).unwrap();
            assert_eq!(config.get(setting), value, "{setting}");
        }
        assert_eq!(config, CorsConfig::default());
    }
}
