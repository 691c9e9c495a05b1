//! `corsair lint --django` kind by kind, on the case table the Django tests share
//! (`tests/django_check/cases.json`: one settings dict per kind), and on the settings of
//! django-cors-headers' README.

use super::*;

const CASES: &str = include_str!("../../../tests/django_check/cases.json");

fn kinds(settings: &serde_json::Value) -> Vec<&'static str> {
    judge(&settings.to_string())
        .unwrap_or_else(|e| panic!("{settings}: {e}"))
        .iter()
        .map(|f| f.kind.name)
        .collect()
}

#[test]
fn each_case_raises_its_kind_and_every_kind_has_a_case() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(CASES).unwrap();
    let mut covered = Vec::new();
    for case in &cases {
        let kind = case["kind"].as_str().unwrap();
        let Some(listed) = kinds::named(kind) else {
            panic!("{kind} is not in the table");
        };
        assert_eq!(case["id"], listed.id, "the case of {kind} names another id");
        covered.push(kind);
        if case.get("reported_by").is_some() {
            continue;
        }
        let found = kinds(&case["settings"]);
        assert!(
            found.contains(&kind),
            "{kind}: {} gave {found:?}",
            case["settings"]
        );
    }
    for kind in kinds::KINDS {
        assert!(
            covered.contains(&kind.name) || kind.name.starts_with("unnumbered-"),
            "no case in tests/django_check/cases.json raises {}",
            kind.name
        );
    }
}

/// django-cors-headers' README's typical setup: the default lists, credentials, four origins,
/// one anchored regex.
#[test]
fn the_readme_setup_has_no_error() {
    let settings = serde_json::json!({
        "CORS_ALLOW_METHODS": ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"],
        "CORS_ALLOW_HEADERS": ["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"],
        "CORS_ALLOW_CREDENTIALS": true,
        "CORS_ALLOWED_ORIGINS": ["https://example.com", "https://sub.example.com", "http://localhost:8080", "http://127.0.0.1:9000"],
        "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.example\.com$"],
    });
    assert_eq!(
        kinds(&settings),
        [
            "loopback-origin-with-credentials",
            "loopback-origin-with-credentials"
        ]
    );
}

#[test]
fn a_clean_project_has_no_finding() {
    let settings = serde_json::json!({"CORS_ALLOWED_ORIGINS": ["https://app.example.com"]});
    assert!(kinds(&settings).is_empty());
    let receivers = serde_json::json!({"signal_receivers": 1});
    assert!(kinds(&receivers).is_empty());
}

#[test]
fn an_unanchored_regex_names_the_origin_it_lets_in() {
    let settings =
        serde_json::json!({"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.example\.com"]});
    let findings = judge(&settings.to_string()).unwrap();
    let [broad] = findings.as_slice() else {
        panic!("{findings:#?}");
    };
    assert_eq!(broad.kind.id, "corsair.W001");
    assert!(
        broad.message.contains(".example.com.corsairprobe.com`"),
        "{}",
        broad.message
    );
    assert!(broad.message.contains("re.match"), "{}", broad.message);
    assert_eq!(broad.fix, r"end it with `$`: `^https://\w+\.example\.com$`");
    assert_eq!(
        broad.check_message(),
        format!(
            r"CORS_ALLOWED_ORIGIN_REGEXES = r'^https://\w+\.example\.com': {}",
            broad.message
        )
    );
}

#[test]
fn djangos_comparison_decides_the_severity() {
    // A trailing slash keeps working in Django: a warning, naming the value as written.
    let findings = judge(
        r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"], "CORS_ALLOW_CREDENTIALS": true}"#,
    )
    .unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].kind.id, "corsair.W007");
    assert_eq!(
        findings[0].value,
        Some(serde_json::json!("https://app.example.com/"))
    );
    assert_eq!(findings[0].fix, "write `https://app.example.com`");
    // Django lower-cases the scheme: not a finding. The host it compares as written: an error.
    assert!(
        kinds(&serde_json::json!({"CORS_ALLOWED_ORIGINS": ["HTTPS://app.example.com"]})).is_empty()
    );
    // The rules after the path is set aside still apply to what Django compares.
    let insecure = kinds(&serde_json::json!({
        "CORS_ALLOWED_ORIGINS": ["http://app.example.com/"], "CORS_ALLOW_CREDENTIALS": true
    }));
    assert_eq!(
        insecure,
        ["insecure-origin-with-credentials", "origin-has-path"]
    );
    // corsair's own opt-in is read too.
    let accepted = kinds(&serde_json::json!({
        "CORS_ALLOWED_ORIGINS": ["http://app.example.com"], "CORS_ALLOW_CREDENTIALS": true,
        "CORS_ALLOW_INSECURE_ORIGINS_WITH_CREDENTIALS": true
    }));
    assert!(accepted.is_empty(), "{accepted:?}");
}

#[test]
fn findings_use_the_names_the_project_uses() {
    let findings =
        judge(r#"{"CORS_ORIGIN_ALLOW_ALL": true, "CORS_ALLOW_CREDENTIALS": true}"#).unwrap();
    let error = findings.iter().find(|f| f.is_error()).unwrap();
    assert_eq!(error.kind.id, "corsair.E003");
    assert_eq!(error.setting, "CORS_ORIGIN_ALLOW_ALL");
    assert!(
        error.fix.starts_with("set CORS_ORIGIN_ALLOW_ALL = False"),
        "{}",
        error.fix
    );
    let words = kinds(
        &serde_json::json!({"CORS_ORIGIN_WHITELIST": ["null"], "CORS_ALLOW_CREDENTIALS": true}),
    );
    assert_eq!(words, ["null-with-credentials", "legacy-setting-name"]);
    let null =
        judge(r#"{"CORS_ORIGIN_WHITELIST": ["null"], "CORS_ALLOW_CREDENTIALS": true}"#).unwrap();
    assert!(
        null[0].fix.contains("from CORS_ORIGIN_WHITELIST"),
        "{}",
        null[0].fix
    );
    assert!(
        null[0].fix.contains("CORS_ALLOW_CREDENTIALS = False"),
        "{}",
        null[0].fix
    );
}

#[test]
fn nothing_panics_on_odd_input() {
    for text in [
        r#"{"CORS_ALLOWED_ORIGINS": ["fi\u00e9", "\u00e9://x", "https://[", "https://:1", "://", "https://a.com:"]}"#,
        r#"{"CORS_ALLOWED_ORIGIN_REGEXES": ["(", "\\", "[z-a]", "", "(?x)#", "$", "^"]}"#,
        r#"{"CORS_URLS_REGEX": "(", "CORS_ALLOW_METHODS": [""], "CORS_ALLOW_HEADERS": [""], "CORS_PREFLIGHT_MAX_AGE": 1e30}"#,
        r#"{"CORS_ALLOWED_ORIGINS": [null, 1], "CORS_ALLOW_ALL_ORIGINS": "yes"}"#,
    ] {
        assert!(judge(text).is_ok(), "{text}");
    }
}

/// What the README promises: settings without a Django error, and without one of the warnings
/// for what corsair refuses, are accepted by the engine as they are (by `corsair serve`).
#[test]
fn settings_without_an_error_start_under_corsair_serve() {
    const REFUSED_BY_CORSAIR: [&str; 10] = [
        "corsair.W003",
        "corsair.W004",
        "corsair.W005",
        "corsair.W007",
        "corsair.W008",
        "corsair.W009",
        "corsair.W015",
        "corsair.W017",
        "corsair.W021",
        "corsair.W023",
    ];
    let cases: Vec<serde_json::Value> = serde_json::from_str(CASES).unwrap();
    for case in &cases {
        let text = case["settings"].to_string();
        let findings = judge(&text).unwrap();
        let refused = findings
            .iter()
            .any(|f| f.is_error() || REFUSED_BY_CORSAIR.contains(&f.kind.id));
        if refused {
            continue;
        }
        let (settings, _) = input::read(&text).unwrap();
        if let Err(error) = corsair::Cors::from_config(&settings.config) {
            panic!(
                "{}: the check passes, corsair refuses: {error}",
                case["kind"]
            );
        }
    }
}
