//! The registry of finding ids: every rule that reports a [`Finding`](super::Finding), by its
//! stable id, with when it is reported. Each rule names its id as a [`FindingId`], so no rule
//! reports an id that is not here; the README's table of ids is generated from
//! [`FindingId::ALL`].
//!
//! An id never changes once published: tools, configurations (`SILENCED_SYSTEM_CHECKS` through
//! corsair-django) and documentation refer to it.

/// Declares [`FindingId`] from its table: `Variant = "id": "reported when"`.
macro_rules! finding_ids {
    ($( $variant:ident = $id:literal : $when:literal; )*) => {
        /// The stable id of a validation rule: what [`Finding::id`](crate::Finding::id) holds.
        ///
        /// ```
        /// use corsair::FindingId;
        ///
        /// let err = corsair::Cors::builder().allowed_origins(["https://a.example/"]).build().unwrap_err();
        /// assert_eq!(err.findings()[0].id, FindingId::OriginHasPath.as_str());
        /// assert_eq!(FindingId::OriginHasPath.as_str(), "origin-has-path");
        /// assert_eq!(FindingId::parse("origin-has-path"), Some(FindingId::OriginHasPath));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum FindingId {
            $(
                #[doc = concat!("`", $id, "`: ", $when, ".")]
                $variant,
            )*
        }

        impl FindingId {
            /// Every id, in the order of the README's table.
            ///
            /// ```
            /// assert!(corsair::FindingId::ALL.contains(&corsair::FindingId::NoOriginAllowed));
            /// ```
            pub const ALL: &'static [FindingId] = &[$(FindingId::$variant),*];

            /// The id as findings, messages and documentation write it (`origin-has-path`).
            ///
            /// ```
            /// assert_eq!(corsair::FindingId::NoOriginAllowed.as_str(), "no-origin-allowed");
            /// ```
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(FindingId::$variant => $id,)*
                }
            }

            /// When the rule reports a finding, in a few words (the README's table).
            ///
            /// ```
            /// assert!(corsair::FindingId::EmptyOrigin.when().contains("empty string"));
            /// ```
            pub const fn when(self) -> &'static str {
                match self {
                    $(FindingId::$variant => $when,)*
                }
            }
        }
    };
}

finding_ids! {
    // The origins, listed in `allowed_origins` or added to an origin set.
    EmptyOrigin = "empty-origin": "an empty string in `allowed_origins`";
    WildcardInAllowedOrigins = "wildcard-in-allowed-origins":
        "`*` in `allowed_origins` (that is `allow_all_origins`)";
    OriginHasWhitespace = "origin-has-whitespace": "an origin with whitespace";
    FileOrigin = "file-origin":
        "a `file:` origin: browsers send `Origin: null` for such pages";
    OriginMissingScheme = "origin-missing-scheme":
        "an origin without `scheme://` (`example.com`, `localhost:8000`)";
    OriginInvalidScheme = "origin-invalid-scheme": "an origin whose scheme is not a URL scheme";
    OriginHasPath = "origin-has-path":
        "an origin with a path or a trailing `/`, which never equals the `Origin` a browser sends";
    OriginHasQuery = "origin-has-query": "an origin with a query";
    OriginHasFragment = "origin-has-fragment": "an origin with a fragment";
    OriginHasUserinfo = "origin-has-userinfo":
        "an origin with a user name or password, which browsers never send";
    OriginMissingHost = "origin-missing-host": "an origin without a host (`https://`)";
    OriginInvalidHost = "origin-invalid-host":
        "an origin whose host is not a host name or IP address browsers send";
    OriginNonAsciiHost = "origin-non-ascii-host":
        "an internationalised host not in the ASCII (punycode) form browsers send";
    OriginNonCanonicalIp = "origin-non-canonical-ip":
        "an IP address not written as browsers write it (`127.1`, `[::FFFF:…]`)";
    OriginInvalidPort = "origin-invalid-port": "an origin whose port is not a number";
    OriginPortOutOfRange = "origin-port-out-of-range":
        "an origin whose port is a number outside 1 to 65535";
    OriginDefaultPort = "origin-default-port":
        "an origin with its scheme's default port (`:443`, `:80`), which browsers never send: corsair matches it without";
    OriginNotCanonical = "origin-not-canonical":
        "an origin not in lower case: corsair matches its lower-case form, which browsers send";
    OriginInvalidPattern = "origin-invalid-pattern":
        "a `*` in an origin other than the whole subdomain part (`https://*.example.com`) or the port (`http://localhost:*`), or a subdomain pattern on an IP address";
    NullOriginAllowed = "null-origin-allowed": "`null` in `allowed_origins`: any site can send it";
    NullWithCredentials = "null-with-credentials": "`null` in `allowed_origins` with credentials";
    InsecureOriginWithCredentials = "insecure-origin-with-credentials":
        "with credentials, a plain-`http` origin other than loopback, listed or matched by a regex (unless `allow_insecure_origins_with_credentials`)";
    PatternOnPublicSuffix = "pattern-on-public-suffix":
        "with credentials, a subdomain pattern on a public suffix or above one (`https://*.github.io`): anyone can register a site under it";
    OriginSetEntryInsecure = "origin-set-entry-insecure":
        "an origin set's plain-`http` entry, which only policies without credentials (or with `allow_insecure_origins_with_credentials`) allow";
    OriginSetEntryWithoutCredentials = "origin-set-entry-without-credentials":
        "an origin set's entry that only policies without credentials allow (`null`, a pattern on a public suffix)";
    // The policy as a whole.
    NoOriginAllowed = "no-origin-allowed":
        "no origin is allowed: no list, no regex, no `allow_all_origins`, no origin hook or origin set";
    CredentialsWithAllowAll = "credentials-with-allow-all":
        "`allow_all_origins` with `allow_credentials`";
    // The regexes.
    InvalidRegex = "invalid-regex":
        "a regex (`allowed_origin_regexes`, `urls_regex`, a route's `path`) that does not compile on its own";
    RegexUnescapedDot = "regex-unescaped-dot":
        "a `.` in an origin regex that matches any character where `\\.` was meant";
    RegexNeverMatches = "regex-never-matches":
        "an origin regex that matches no origin a browser sends";
    RegexNotAnalysed = "regex-not-analysed":
        "an origin regex too complex for corsair to tell which origins it matches (an error with credentials)";
    BroadRegex = "broad-regex":
        "an origin regex that matches `null` or an origin on a domain anyone can register (named in the message)";
    BroadRegexWithCredentials = "broad-regex-with-credentials":
        "with credentials, an origin regex that matches `null` or an origin on a domain anyone can register";
    RegexSetTooLarge = "regex-set-too-large":
        "the origin regexes, or the paths of `urls_regex` and the routes, too large together to compile";
    UrlsRegexNeverMatches = "urls-regex-never-matches": "a `urls_regex` that matches no request path";
    // The method and header lists.
    InvalidMethod = "invalid-method": "an entry of `allow_methods` that is not a method token";
    ForbiddenMethod = "forbidden-method":
        "`CONNECT`, `TRACE` or `TRACK` in `allow_methods`: scripts can never send them";
    MethodNotNormalised = "method-not-normalised":
        "a standard method in lower case (`put`): browsers upper-case it, and compare `Access-Control-Allow-Methods` case-sensitively";
    WildcardWithCredentials = "wildcard-with-credentials":
        "`*` in `allow_methods`, `allow_headers` or `expose_headers` with credentials (browsers read it as a name)";
    InvalidHeaderName = "invalid-header-name":
        "an entry of `allow_headers` or `expose_headers` that is not a header name";
    ResponseHeaderInAllowHeaders = "response-header-in-allow-headers":
        "a CORS response header (`access-control-allow-*`, `-expose-headers`, `-max-age`) in `allow_headers`";
    ForbiddenRequestHeader = "forbidden-request-header":
        "a header in `allow_headers` that scripts can never set (`accept-encoding`, `cookie`, ...)";
    SetCookieNeverExposed = "set-cookie-never-exposed":
        "`set-cookie` in `expose_headers`: browsers never expose it";
    SafelistedResponseHeader = "safelisted-response-header":
        "a header in `expose_headers` that scripts can always read";
    WildcardDoesNotCoverAuthorization = "wildcard-does-not-cover-authorization":
        "`*` in `allow_headers` without `authorization`, which the standard's `*` does not cover";
    // The max-age.
    MaxAgeTooLarge = "max-age-too-large":
        "`preflight_max_age` above 86400, longer than any browser caches a preflight";
    MaxAgeAboveBrowserCap = "max-age-above-browser-cap":
        "`preflight_max_age` above Chromium's 7200 (other than the default 86400)";
    // The routes.
    UrlsRegexOnRoute = "urls-regex-on-route": "`urls_regex` on a route: it is a `[cors]` setting";
    CaseInsensitivePathsOnRoute = "case-insensitive-paths-on-route":
        "`case_insensitive_paths` on a route: it is a `[cors]` setting";
    RouteSameAsDefault = "route-same-as-default":
        "a route whose settings all have the default policy's values: it changes nothing";
    RouteNeverMatches = "route-never-matches":
        "a route whose every path an earlier route matches first";
    RoutePathNeverMatches = "route-path-never-matches":
        "a route's `path` that matches no request path";
    // The environment variables.
    DeprecatedSettingName = "deprecated-setting-name":
        "a variable under django-cors-headers' legacy name (`CORS_ORIGIN_WHITELIST`, `CORS_ORIGIN_REGEX_WHITELIST`, `CORS_ORIGIN_ALLOW_ALL`), alone or beside its new name";
    UnknownSetting = "unknown-setting":
        "a `CORS_*` variable that is no setting, but close to one (a misspelt name)";
    InvalidEnvValue = "invalid-env-value":
        "a `CORS_*` variable whose value is not of its setting's kind";
    // Advice about a valid policy (`Cors::advice`, `corsair lint`).
    CredentialsWithManyOrigins = "credentials-with-many-origins":
        "more than 8 origins and regexes with credentials";
    LoopbackOriginWithCredentials = "loopback-origin-with-credentials":
        "a loopback origin (`http://localhost:8080`) with credentials: any program on the user's machine can serve it";
    PrivateNetworkWithAllowAll = "private-network-with-allow-all":
        "`allow_private_network` with `allow_all_origins`";
    AllowPrivateNetworkHasNoEffect = "allow-private-network-has-no-effect":
        "`allow_private_network` (by the default policy or a route): current browsers send no Private Network Access preflight";
    AllowAllOriginsOnEveryPath = "allow-all-origins-on-every-path":
        "`allow_all_origins` without a `urls_regex`";
}

impl FindingId {
    /// The id written `text`, if it is one.
    ///
    /// ```
    /// use corsair::FindingId;
    /// assert_eq!(FindingId::parse("empty-origin"), Some(FindingId::EmptyOrigin));
    /// assert_eq!(FindingId::parse("no-such-rule"), None);
    /// ```
    pub fn parse(text: &str) -> Option<FindingId> {
        FindingId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str() == text)
    }
}

impl std::fmt::Display for FindingId {
    /// The id as [`as_str`](FindingId::as_str) writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
