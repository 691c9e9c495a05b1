//! The command-line flags that override CORS settings, the highest-precedence layer.

use corsair::{CorsConfig, Setting};

use super::source::{Provenance, Source};

/// CORS flags of `corsair serve`. A flag that is given replaces the setting's value from the
/// file and the environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CorsFlags {
    /// An origin that may call the upstream (repeatable): `http://localhost:8080`,
    /// `https://*.example.com`, `http://localhost:*`.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// A regex that must match the whole origin (repeatable).
    #[arg(long = "allow-origin-regex", value_name = "RE")]
    pub allow_origin_regex: Vec<String>,
    /// Answer `Access-Control-Allow-Origin: *` to every origin.
    #[arg(long)]
    pub allow_all_origins: bool,
    /// Answer `Access-Control-Allow-Credentials: true` (cookies and authorization).
    #[arg(long)]
    pub allow_credentials: bool,
    /// Methods allowed by preflights, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub allow_methods: Option<Vec<String>>,
    /// Request headers allowed by preflights, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub allow_headers: Option<Vec<String>>,
    /// Response headers scripts may read, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub expose_headers: Option<Vec<String>>,
    /// Seconds a browser may cache a preflight answer (0: no `Access-Control-Max-Age`).
    #[arg(long, value_name = "SECS")]
    pub max_age: Option<u64>,
    /// CORS applies only to paths this regex matches from their start (`^/api/`).
    #[arg(long, value_name = "RE")]
    pub urls_regex: Option<String>,
    /// Answer private network access preflights.
    #[arg(long)]
    pub allow_private_network: bool,
}

impl CorsFlags {
    /// Applies the flags that were given over `config`, recording them as sources.
    pub fn apply(&self, config: &mut CorsConfig, provenance: &mut Provenance) {
        let mut set = |setting: Setting, flag: &'static str| {
            provenance.set(setting, Source::Flag(flag));
        };
        if !self.allow_origin.is_empty() {
            config.allowed_origins = trimmed(&self.allow_origin);
            set(Setting::AllowedOrigins, "--allow-origin");
        }
        if !self.allow_origin_regex.is_empty() {
            config.allowed_origin_regexes = self.allow_origin_regex.clone();
            set(Setting::AllowedOriginRegexes, "--allow-origin-regex");
        }
        if self.allow_all_origins {
            config.allow_all_origins = true;
            set(Setting::AllowAllOrigins, "--allow-all-origins");
        }
        if self.allow_credentials {
            config.allow_credentials = true;
            set(Setting::AllowCredentials, "--allow-credentials");
        }
        if let Some(methods) = &self.allow_methods {
            config.allow_methods = trimmed(methods);
            set(Setting::AllowMethods, "--allow-methods");
        }
        if let Some(headers) = &self.allow_headers {
            config.allow_headers = trimmed(headers);
            set(Setting::AllowHeaders, "--allow-headers");
        }
        if let Some(headers) = &self.expose_headers {
            config.expose_headers = trimmed(headers);
            set(Setting::ExposeHeaders, "--expose-headers");
        }
        if let Some(seconds) = self.max_age {
            config.preflight_max_age = seconds;
            set(Setting::PreflightMaxAge, "--max-age");
        }
        if let Some(regex) = &self.urls_regex {
            config.urls_regex = regex.clone();
            set(Setting::UrlsRegex, "--urls-regex");
        }
        if self.allow_private_network {
            config.allow_private_network = true;
            set(Setting::AllowPrivateNetwork, "--allow-private-network");
        }
    }
}

/// The items without surrounding spaces and without empty ones (`GET, POST,` → `GET`, `POST`).
fn trimmed(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_flags_replace_values_and_become_their_source() {
        let flags = CorsFlags {
            allow_origin: vec!["http://localhost:8080".into()],
            allow_methods: Some(vec!["GET".into(), " POST".into(), "".into()]),
            max_age: Some(0),
            ..CorsFlags::default()
        };
        let mut config = CorsConfig {
            allowed_origins: vec!["https://from-file.example".into()],
            ..CorsConfig::default()
        };
        let mut provenance = Provenance::default();
        flags.apply(&mut config, &mut provenance);
        assert_eq!(config.allowed_origins, ["http://localhost:8080"]);
        assert_eq!(config.allow_methods, ["GET", "POST"]);
        assert_eq!(config.preflight_max_age, 0);
        assert!(
            !config.allow_credentials,
            "an absent switch changes nothing"
        );
        assert_eq!(
            provenance.of(Setting::AllowedOrigins),
            Source::Flag("--allow-origin")
        );
        assert_eq!(provenance.of(Setting::AllowCredentials), Source::Default);
    }
}
