//! The names of corsair's settings, shared by the builder, the serde config, the environment loader
//! and every error message.

use std::fmt;

/// One configurable setting of a CORS policy.
///
/// Every [`Finding`](crate::Finding) names the setting it is about, so that a tool can point at the
/// line of a file, the environment variable or the flag that set it.
///
/// ```
/// use corsair::Setting;
///
/// assert_eq!(Setting::AllowedOrigins.name(), "allowed_origins");
/// assert_eq!(Setting::AllowedOrigins.env_var(), "CORS_ALLOWED_ORIGINS");
/// assert_eq!(Setting::from_name("allow_credentials"), Some(Setting::AllowCredentials));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Setting {
    /// `allowed_origins`: exact origins and origin patterns.
    AllowedOrigins,
    /// `allowed_origin_regexes`: regexes matched against the whole origin.
    AllowedOriginRegexes,
    /// `allow_all_origins`: answer `*` to every origin.
    AllowAllOrigins,
    /// `urls_regex`: the request paths CORS applies to.
    UrlsRegex,
    /// `allow_methods`: the methods listed in `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `allow_headers`: the request headers listed in `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `expose_headers`: the response headers listed in `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `preflight_max_age`: seconds a browser may cache a preflight answer.
    PreflightMaxAge,
    /// `allow_credentials`: answer `Access-Control-Allow-Credentials: true`.
    AllowCredentials,
    /// `allow_private_network`: answer private network access preflights.
    AllowPrivateNetwork,
    /// `allow_insecure_origins_with_credentials`: accept plain-`http` origins with credentials.
    AllowInsecureOriginsWithCredentials,
}

impl Setting {
    /// Every setting, in the order the documentation lists them.
    pub const ALL: [Setting; 11] = [
        Setting::AllowedOrigins,
        Setting::AllowedOriginRegexes,
        Setting::AllowAllOrigins,
        Setting::UrlsRegex,
        Setting::AllowMethods,
        Setting::AllowHeaders,
        Setting::ExposeHeaders,
        Setting::PreflightMaxAge,
        Setting::AllowCredentials,
        Setting::AllowPrivateNetwork,
        Setting::AllowInsecureOriginsWithCredentials,
    ];

    /// The setting's name in configuration files and in the builder (`allowed_origins`).
    ///
    /// ```
    /// assert_eq!(corsair::Setting::PreflightMaxAge.name(), "preflight_max_age");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Setting::AllowedOrigins => "allowed_origins",
            Setting::AllowedOriginRegexes => "allowed_origin_regexes",
            Setting::AllowAllOrigins => "allow_all_origins",
            Setting::UrlsRegex => "urls_regex",
            Setting::AllowMethods => "allow_methods",
            Setting::AllowHeaders => "allow_headers",
            Setting::ExposeHeaders => "expose_headers",
            Setting::PreflightMaxAge => "preflight_max_age",
            Setting::AllowCredentials => "allow_credentials",
            Setting::AllowPrivateNetwork => "allow_private_network",
            Setting::AllowInsecureOriginsWithCredentials => {
                "allow_insecure_origins_with_credentials"
            }
        }
    }

    /// The environment variable that sets it, as django-cors-headers names it (`CORS_` + upper case).
    ///
    /// ```
    /// assert_eq!(corsair::Setting::UrlsRegex.env_var(), "CORS_URLS_REGEX");
    /// ```
    pub const fn env_var(self) -> &'static str {
        match self {
            Setting::AllowedOrigins => "CORS_ALLOWED_ORIGINS",
            Setting::AllowedOriginRegexes => "CORS_ALLOWED_ORIGIN_REGEXES",
            Setting::AllowAllOrigins => "CORS_ALLOW_ALL_ORIGINS",
            Setting::UrlsRegex => "CORS_URLS_REGEX",
            Setting::AllowMethods => "CORS_ALLOW_METHODS",
            Setting::AllowHeaders => "CORS_ALLOW_HEADERS",
            Setting::ExposeHeaders => "CORS_EXPOSE_HEADERS",
            Setting::PreflightMaxAge => "CORS_PREFLIGHT_MAX_AGE",
            Setting::AllowCredentials => "CORS_ALLOW_CREDENTIALS",
            Setting::AllowPrivateNetwork => "CORS_ALLOW_PRIVATE_NETWORK",
            Setting::AllowInsecureOriginsWithCredentials => {
                "CORS_ALLOW_INSECURE_ORIGINS_WITH_CREDENTIALS"
            }
        }
    }

    /// The legacy django-cors-headers variable that still sets it, if there is one.
    ///
    /// ```
    /// use corsair::Setting;
    /// assert_eq!(Setting::AllowedOrigins.legacy_env_var(), Some("CORS_ORIGIN_WHITELIST"));
    /// assert_eq!(Setting::AllowMethods.legacy_env_var(), None);
    /// ```
    pub const fn legacy_env_var(self) -> Option<&'static str> {
        match self {
            Setting::AllowedOrigins => Some("CORS_ORIGIN_WHITELIST"),
            Setting::AllowedOriginRegexes => Some("CORS_ORIGIN_REGEX_WHITELIST"),
            Setting::AllowAllOrigins => Some("CORS_ORIGIN_ALLOW_ALL"),
            _ => None,
        }
    }

    /// Looks a setting up by its configuration name.
    ///
    /// ```
    /// assert_eq!(corsair::Setting::from_name("no_such_setting"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.name() == name)
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
        Setting::ALL.into_iter().find(|s| {
            s.env_var().eq_ignore_ascii_case(name)
                || s.legacy_env_var()
                    .is_some_and(|legacy| legacy.eq_ignore_ascii_case(name))
        })
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
