//! The macro behind the settings table: one entry per setting in [`super`] generates the
//! [`Setting`](crate::Setting) enum with every name it goes by, the [`CorsConfig`](crate::CorsConfig)
//! field that holds it, its default, and the generic accessors the TOML, environment and flag
//! readers use. Adding a setting is one entry there, plus its behaviour.

/// The Rust type of a setting's field, by kind.
macro_rules! field_type {
    (List) => { Vec<String> };
    (Bool) => { bool };
    (Text) => { String };
    (Seconds) => { u64 };
}

/// Generates `Setting`, `CorsConfig` and their accessors from the table.
macro_rules! settings_table {
    ($(
        $(#[doc = $doc:expr])+
        $variant:ident {
            field: $field:ident,
            kind: $kind:ident,
            default: $default:expr,
            env: $env:literal,
            legacy: $legacy:expr,
            flag: $flag:literal,
            flag_style: $flag_style:ident,
            example: $example:literal,
            summary: $summary:literal,
        }
    )+) => {
        /// One setting of a CORS policy.
        ///
        /// Every [`Finding`](crate::Finding) names the setting it is about, so that a tool can
        /// point at the line of a file, the environment variable or the flag that set it. The
        /// names are django-cors-headers' without the `CORS_` prefix.
        ///
        /// ```
        /// use corsair::Setting;
        ///
        /// assert_eq!(Setting::AllowedOrigins.name(), "allowed_origins");
        /// assert_eq!(Setting::AllowedOrigins.env_var(), "CORS_ALLOWED_ORIGINS");
        /// assert_eq!(Setting::AllowedOrigins.flag(), "--allow-origin");
        /// assert_eq!(Setting::from_name("allow_credentials"), Some(Setting::AllowCredentials));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Setting {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Setting {
            /// Every setting, in the order the documentation lists them.
            ///
            /// ```
            /// assert_eq!(corsair::Setting::ALL[0], corsair::Setting::AllowedOrigins);
            /// ```
            pub const ALL: &'static [Setting] = &[$(Setting::$variant),+];

            /// The setting's name in configuration files and in the builder
            /// (`allowed_origins`).
            ///
            /// ```
            /// assert_eq!(corsair::Setting::PreflightMaxAge.name(), "preflight_max_age");
            /// ```
            pub const fn name(self) -> &'static str {
                match self { $(Setting::$variant => stringify!($field),)+ }
            }

            /// The environment variable that sets it, as django-cors-headers names it
            /// (`CORS_` + the name in upper case).
            ///
            /// ```
            /// assert_eq!(corsair::Setting::UrlsRegex.env_var(), "CORS_URLS_REGEX");
            /// ```
            pub const fn env_var(self) -> &'static str {
                match self { $(Setting::$variant => $env,)+ }
            }

            /// The legacy django-cors-headers variable that still sets it, if there is one.
            ///
            /// ```
            /// use corsair::Setting;
            /// assert_eq!(Setting::AllowedOrigins.legacy_env_var(), Some("CORS_ORIGIN_WHITELIST"));
            /// assert_eq!(Setting::AllowMethods.legacy_env_var(), None);
            /// ```
            pub const fn legacy_env_var(self) -> Option<&'static str> {
                match self { $(Setting::$variant => $legacy,)+ }
            }

            /// The command-line flag of `corsair serve` that sets it.
            ///
            /// ```
            /// assert_eq!(corsair::Setting::PreflightMaxAge.flag(), "--max-age");
            /// ```
            pub const fn flag(self) -> &'static str {
                match self { $(Setting::$variant => $flag,)+ }
            }

            /// How the flag takes its values.
            ///
            /// ```
            /// use corsair::{FlagStyle, Setting};
            /// assert_eq!(Setting::AllowMethods.flag_style(), FlagStyle::CommaSeparated);
            /// assert_eq!(Setting::AllowedOriginRegexes.flag_style(), FlagStyle::OnePerFlag);
            /// ```
            pub const fn flag_style(self) -> FlagStyle {
                match self { $(Setting::$variant => FlagStyle::$flag_style,)+ }
            }

            /// The kind of value it holds.
            ///
            /// ```
            /// use corsair::{Setting, SettingKind};
            /// assert_eq!(Setting::AllowCredentials.kind(), SettingKind::Bool);
            /// ```
            pub const fn kind(self) -> SettingKind {
                match self { $(Setting::$variant => SettingKind::$kind,)+ }
            }

            /// A correct value, as written in a TOML file, for error messages.
            ///
            /// ```
            /// assert_eq!(corsair::Setting::PreflightMaxAge.example(), "600");
            /// ```
            pub const fn example(self) -> &'static str {
                match self { $(Setting::$variant => $example,)+ }
            }

            /// What it does, in one sentence of Markdown (the README's table and `--help`).
            ///
            /// ```
            /// assert!(corsair::Setting::AllowCredentials.summary().contains("Access-Control-Allow-Credentials"));
            /// ```
            pub const fn summary(self) -> &'static str {
                match self { $(Setting::$variant => $summary,)+ }
            }
        }

        /// The settings of a CORS policy, as plain data: one field per [`Setting`], named
        /// after it.
        ///
        /// A `CorsConfig` is not validated: [`CorsBuilder::from`](crate::CorsBuilder) and
        /// [`Cors::from_config`](crate::Cors::from_config) validate it and report every
        /// problem at once. With the `config` feature it reads TOML or JSON (serde) and the
        /// `CORS_*` environment variables.
        ///
        /// ```
        /// let mut config = corsair::CorsConfig::default();
        /// config.allowed_origins = vec!["https://app.example".into()];
        /// config.allow_credentials = true;
        /// let cors = corsair::Cors::from_config(&config).unwrap();
        /// assert!(cors.config().allow_credentials);
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct CorsConfig {
            $( $(#[doc = $doc])+ pub $field: field_type!($kind), )+
            /// `[[cors.routes]]`: policies for some paths, each naming the settings it changes
            /// (see [`RouteConfig`](crate::RouteConfig)); the first route whose path matches
            /// decides.
            pub routes: Vec<crate::config::RouteConfig>,
        }

        impl Default for CorsConfig {
            /// The django-cors-headers defaults (which allow no origin, so they do not build on
            /// their own).
            fn default() -> Self {
                CorsConfig { $( $field: $default, )+ routes: Vec::new() }
            }
        }

        impl CorsConfig {
            /// A copy of every setting, without the routes: what a route's policy starts from.
            /// Never copies the routes, so deriving each of many routes' policies stays linear.
            pub(crate) fn settings_only(&self) -> CorsConfig {
                CorsConfig { $( $field: self.$field.clone(), )+ routes: Vec::new() }
            }

            /// The value of one setting.
            ///
            /// ```
            /// use corsair::{CorsConfig, Setting, SettingValue};
            ///
            /// let config = CorsConfig::default();
            /// assert_eq!(config.get(Setting::PreflightMaxAge), SettingValue::Seconds(86_400));
            /// ```
            pub fn get(&self, setting: Setting) -> SettingValue {
                match setting {
                    $( Setting::$variant => SettingValue::from(self.$field.clone()), )+
                }
            }

            /// Sets one setting.
            ///
            /// # Errors
            ///
            /// [`WrongKind`] when the value is not of the setting's [`kind`](Setting::kind);
            /// the configuration is then unchanged.
            ///
            /// ```
            /// use corsair::{CorsConfig, Setting, SettingValue};
            ///
            /// let mut config = CorsConfig::default();
            /// config.set(Setting::AllowCredentials, SettingValue::Bool(true)).unwrap();
            /// assert!(config.allow_credentials);
            /// let err = config.set(Setting::AllowCredentials, SettingValue::Seconds(1)).unwrap_err();
            /// assert_eq!(err.to_string(), "allow_credentials must be true or false");
            /// ```
            pub fn set(&mut self, setting: Setting, value: SettingValue) -> Result<(), WrongKind> {
                match setting {
                    $( Setting::$variant => {
                        self.$field = value.try_into().map_err(|()| WrongKind(setting))?;
                    } )+
                }
                Ok(())
            }
        }
    };
}

pub(crate) use {field_type, settings_table};
