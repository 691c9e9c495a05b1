//! The registry of finding ids ([`FindingId`]) is the list of what validation reports: every
//! id is well formed and unique, every rule of the registry is seen reporting its id here, and
//! every finding seen has an id of the registry.

use std::collections::BTreeSet;

use corsair::{Cors, CorsBuilder, Finding, FindingId, OriginSet};

fn origins<const N: usize>(list: [&str; N]) -> CorsBuilder {
    Cors::builder().allowed_origins(list)
}

fn creds<const N: usize>(list: [&str; N]) -> CorsBuilder {
    origins(list).allow_credentials(true)
}

fn regexes<const N: usize>(list: [&str; N]) -> CorsBuilder {
    Cors::builder().allowed_origin_regexes(list)
}

/// Every finding of building `builder`: its errors and warnings, or its warnings and advice.
fn built(builder: CorsBuilder) -> Vec<Finding> {
    match builder.build() {
        Ok(cors) => cors
            .warnings()
            .iter()
            .chain(cors.advice())
            .cloned()
            .collect(),
        Err(err) => err.into_findings(),
    }
}

/// Each rule, with a configuration it reports.
fn cases() -> Vec<(FindingId, Vec<Finding>)> {
    use FindingId::*;
    let base = || origins(["https://app.example"]);
    let mut cases = vec![
        (EmptyOrigin, built(origins([""]))),
        (WildcardInAllowedOrigins, built(origins(["*"]))),
        (OriginHasWhitespace, built(origins([" https://a.example"]))),
        (FileOrigin, built(origins(["file://"]))),
        (OriginMissingScheme, built(origins(["a.example"]))),
        (OriginInvalidScheme, built(origins(["h_t://a.example"]))),
        (OriginHasPath, built(origins(["https://a.example/"]))),
        (OriginHasQuery, built(origins(["https://a.example?x"]))),
        (OriginHasFragment, built(origins(["https://a.example#x"]))),
        (OriginHasUserinfo, built(origins(["https://u@a.example"]))),
        (OriginMissingHost, built(origins(["https://"]))),
        (OriginInvalidHost, built(origins(["https://[zz]"]))),
        (
            OriginNonAsciiHost,
            built(origins(["https://bücher.example"])),
        ),
        (OriginNonCanonicalIp, built(origins(["http://127.1"]))),
        (OriginInvalidPort, built(origins(["https://a.example:x"]))),
        (
            OriginPortOutOfRange,
            built(origins(["https://a.example:70000"])),
        ),
        (OriginDefaultPort, built(origins(["https://a.example:443"]))),
        (OriginNotCanonical, built(origins(["https://A.example"]))),
        (OriginInvalidPattern, built(origins(["https://a*.example"]))),
        (NullOriginAllowed, built(origins(["null"]))),
        (NullWithCredentials, built(creds(["null"]))),
        (
            InsecureOriginWithCredentials,
            built(creds(["http://a.example"])),
        ),
        (PatternOnPublicSuffix, built(creds(["https://*.github.io"]))),
        (
            OriginSetEntryInsecure,
            OriginSet::new().replace(["http://a.example"]),
        ),
        (
            OriginSetEntryWithoutCredentials,
            OriginSet::new().replace(["null"]),
        ),
        (NoOriginAllowed, built(Cors::builder())),
        (
            CredentialsWithAllowAll,
            built(
                Cors::builder()
                    .allow_all_origins(true)
                    .allow_credentials(true),
            ),
        ),
        (InvalidRegex, built(regexes(["("]))),
        (
            RegexUnescapedDot,
            built(regexes(["https://app.example.com"])),
        ),
        (
            RegexNeverMatches,
            built(regexes([r"https://app\.example\.com/"])),
        ),
        // Too many states to walk: the automaton has to remember the last 12 characters.
        (RegexNotAnalysed, built(regexes([r"(?s).*a.{11}"]))),
        (BroadRegex, built(regexes([".*"]))),
        (
            BroadRegexWithCredentials,
            built(regexes([".*"]).allow_credentials(true)),
        ),
        // Each compiles on its own; together they pass the size limit (the slowest case here,
        // seconds in a debug build).
        (
            RegexSetTooLarge,
            built(regexes([
                r"https://(?:a{1000}){200}\.example",
                r"https://(?:b{1000}){200}\.example",
            ])),
        ),
        (UrlsRegexNeverMatches, built(base().urls_regex("api/"))),
        (InvalidMethod, built(base().allow_methods(["G T"]))),
        (ForbiddenMethod, built(base().allow_methods(["TRACE"]))),
        (MethodNotNormalised, built(base().allow_methods(["put"]))),
        (
            WildcardWithCredentials,
            built(creds(["https://app.example"]).allow_methods(["*"])),
        ),
        (InvalidHeaderName, built(base().allow_headers(["a b"]))),
        (
            ResponseHeaderInAllowHeaders,
            built(base().allow_headers(["access-control-allow-origin"])),
        ),
        (
            ForbiddenRequestHeader,
            built(base().allow_headers(["cookie"])),
        ),
        (
            SetCookieNeverExposed,
            built(base().expose_headers(["set-cookie"])),
        ),
        (
            SafelistedResponseHeader,
            built(base().expose_headers(["content-type"])),
        ),
        (
            WildcardDoesNotCoverAuthorization,
            built(base().allow_headers(["*"])),
        ),
        (MaxAgeTooLarge, built(base().preflight_max_age(100_000))),
        (
            MaxAgeAboveBrowserCap,
            built(base().preflight_max_age(10_000)),
        ),
        (
            UrlsRegexOnRoute,
            built(base().route("^/a/", Cors::builder().urls_regex("^/b/"))),
        ),
        (
            CaseInsensitivePathsOnRoute,
            built(base().route("^/a/", Cors::builder().case_insensitive_paths(true))),
        ),
        (
            RouteSameAsDefault,
            built(base().route("^/a/", Cors::builder().allow_credentials(false))),
        ),
        (
            RouteNeverMatches,
            built(
                base()
                    .route("^/a/", Cors::builder().allow_all_origins(true))
                    .route("^/a/b/", Cors::builder().allow_credentials(true)),
            ),
        ),
        (
            RoutePathNeverMatches,
            built(base().route("api/", Cors::builder().allow_all_origins(true))),
        ),
        (
            CredentialsWithManyOrigins,
            built(
                Cors::builder()
                    .allowed_origins((0..9).map(|i| format!("https://app{i}.example")))
                    .allow_credentials(true),
            ),
        ),
        (
            LoopbackOriginWithCredentials,
            built(creds(["http://localhost:3000"])),
        ),
        (
            PrivateNetworkWithAllowAll,
            built(
                Cors::builder()
                    .allow_all_origins(true)
                    .allow_private_network(true),
            ),
        ),
        (
            AllowPrivateNetworkHasNoEffect,
            built(base().allow_private_network(true)),
        ),
        (
            AllowAllOriginsOnEveryPath,
            built(Cors::builder().allow_all_origins(true)),
        ),
    ];
    cases.extend(environment_cases());
    cases
}

/// The rules only a configuration read from the environment reports (the `config` feature).
#[cfg(feature = "config")]
fn environment_cases() -> Vec<(FindingId, Vec<Finding>)> {
    use FindingId::*;
    let from_env =
        |vars: &[(&str, &str)]| match corsair::CorsConfig::from_env_vars(vars.iter().copied()) {
            Ok(loaded) => loaded.warnings,
            Err(err) => err.into_findings(),
        };
    vec![
        (
            DeprecatedSettingName,
            from_env(&[("CORS_ORIGIN_WHITELIST", "https://a.example")]),
        ),
        (
            UnknownSetting,
            from_env(&[("CORS_ALLOWED_ORIGIN", "https://a.example")]),
        ),
        (
            InvalidEnvValue,
            from_env(&[("CORS_PREFLIGHT_MAX_AGE", "soon")]),
        ),
    ]
}

#[cfg(not(feature = "config"))]
fn environment_cases() -> Vec<(FindingId, Vec<Finding>)> {
    Vec::new()
}

#[test]
fn ids_are_kebab_case_unique_and_described() {
    let mut seen = BTreeSet::new();
    for &id in FindingId::ALL {
        let text = id.as_str();
        assert!(
            !text.is_empty()
                && text.split('-').all(|word| {
                    !word.is_empty()
                        && word
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                }),
            "{text:?} is not kebab-case"
        );
        assert!(seen.insert(text), "{text} is in the registry twice");
        assert_eq!(FindingId::parse(text), Some(id));
        assert_eq!(id.to_string(), text);
        let when = id.when();
        assert!(
            !when.is_empty() && !when.ends_with('.') && !when.contains('|'),
            "{text}: {when:?} is not one line of the README's table"
        );
    }
}

#[test]
fn every_rule_of_the_registry_reports_its_id_and_every_finding_is_registered() {
    let mut problems = Vec::new();
    let mut covered = BTreeSet::new();
    for (id, findings) in cases() {
        if !findings.iter().any(|f| f.id == id.as_str()) {
            let got: Vec<&str> = findings.iter().map(|f| f.id).collect();
            problems.push(format!("{id}: its case reports {got:?}"));
        }
        covered.insert(id);
        for finding in &findings {
            if FindingId::parse(finding.id).is_none() {
                problems.push(format!("{}: not in the registry ({finding})", finding.id));
            }
        }
    }
    let without_case: Vec<FindingId> = FindingId::ALL
        .iter()
        .copied()
        .filter(|id| !covered.contains(id))
        .collect();
    // The environment's rules need the `config` feature to be read.
    if cfg!(feature = "config") {
        assert!(
            without_case.is_empty(),
            "ids without a case: {without_case:?}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
