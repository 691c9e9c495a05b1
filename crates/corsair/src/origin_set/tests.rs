use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

const ANY: CredentialRules = CredentialRules {
    credentials: false,
    allow_insecure: false,
};
const CREDENTIALS: CredentialRules = CredentialRules {
    credentials: true,
    allow_insecure: false,
};
const CREDENTIALS_INSECURE: CredentialRules = CredentialRules {
    credentials: true,
    allow_insecure: true,
};

fn allows(set: &OriginSet, origin: &str, rules: CredentialRules) -> bool {
    let parsed = RequestOrigin::parse(origin.as_bytes()).expect("a valid request origin");
    set.allows(parsed, rules)
}

/// An entry, a request origin, whether it is allowed without credentials, with credentials,
/// with credentials and insecure origins accepted, and the ids of the entry's findings.
type ReachCase = (
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
    &'static [&'static str],
);

#[test]
fn each_entry_is_allowed_by_the_policies_it_suits() {
    let table: &[ReachCase] = &[
        (
            "https://a.example",
            "https://a.example",
            true,
            true,
            true,
            &[],
        ),
        (
            "http://localhost:3000",
            "http://localhost:3000",
            true,
            true,
            true,
            &[],
        ),
        (
            "http://a.example",
            "http://a.example",
            true,
            false,
            true,
            &["origin-set-entry-insecure"],
        ),
        (
            "null",
            "null",
            true,
            false,
            false,
            &[
                "null-origin-allowed",
                "origin-set-entry-without-credentials",
            ],
        ),
        (
            "https://*.github.io",
            "https://someone.github.io",
            true,
            false,
            false,
            &["origin-set-entry-without-credentials"],
        ),
        (
            "http://*.com",
            "http://x.com",
            true,
            false,
            false,
            &["origin-set-entry-without-credentials"],
        ),
        (
            "HTTPS://B.example",
            "https://b.example",
            true,
            true,
            true,
            &["origin-not-canonical"],
        ),
    ];
    for &(entry, origin, any, credentials, insecure, ids) in table {
        let set = OriginSet::new();
        let findings = set.replace([entry]);
        let found: Vec<&str> = findings.iter().map(|f| f.id).collect();
        assert_eq!(found, ids, "{entry}");
        assert!(findings.iter().all(|f| !f.is_error()), "{entry}");
        assert_eq!(
            allows(&set, origin, ANY),
            any,
            "{entry} without credentials"
        );
        assert_eq!(
            allows(&set, origin, CREDENTIALS),
            credentials,
            "{entry} with credentials"
        );
        assert_eq!(
            allows(&set, origin, CREDENTIALS_INSECURE),
            insecure,
            "{entry} with credentials and insecure origins"
        );
        assert_eq!(set.len(), 1, "{entry}");
    }
}

#[test]
fn invalid_entries_are_skipped_without_touching_the_others() {
    let set = OriginSet::new();
    let findings = set.replace([
        "https://a.example",
        "*",
        "https://b.example/path",
        "file:///etc/passwd",
        "https://c.example",
    ]);
    let errors: Vec<(&str, Option<&str>)> = findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| (f.id, f.value.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [
            ("wildcard-in-allowed-origins", Some("*")),
            ("origin-has-path", Some("https://b.example/path")),
            ("file-origin", Some("file:///etc/passwd")),
        ]
    );
    assert_eq!(set.origins(), ["https://a.example", "https://c.example"]);
}

#[test]
fn a_refused_insert_leaves_the_set_unchanged() {
    let set = OriginSet::new();
    set.replace(["https://a.example"]);
    let error = set.insert("https://a.example:99999").unwrap_err();
    assert_eq!(error.findings()[0].id, "origin-port-out-of-range");
    assert_eq!(set.origins(), ["https://a.example"]);
    assert!(!set.remove("not an origin"));
    assert_eq!(set.len(), 1);
}

#[test]
fn clones_share_the_set() {
    let set = OriginSet::new();
    let writer = set.clone();
    std::thread::spawn(move || writer.insert("https://a.example").unwrap())
        .join()
        .unwrap();
    assert!(set.contains("https://a.example"));
}

#[test]
fn concurrent_changes_lose_nothing() {
    let set = OriginSet::new();
    let writers: Vec<_> = (0..4)
        .map(|thread| {
            let set = set.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    set.insert(&format!("https://t{thread}-{i}.example"))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(set.len(), 200);
}

/// What the set should allow, computed the simple way: an exact origin equals the request's, a
/// `https://*.parent` pattern matches its strict subdomains.
fn model_allows(model: &BTreeSet<String>, origin: &str) -> bool {
    model
        .iter()
        .any(|entry| match entry.strip_prefix("https://*.") {
            Some(parent) => origin
                .strip_prefix("https://")
                .and_then(|host| host.strip_suffix(parent))
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => entry == origin,
        })
}

#[derive(Debug, Clone)]
enum Op {
    Insert(String),
    Remove(String),
    Extend(Vec<String>),
    Replace(Vec<String>),
}

fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        "(a|b|c)\\.(x|y)\\.example".prop_map(|host| format!("https://{host}")),
        "(x|y)\\.example".prop_map(|parent| format!("https://*.{parent}")),
        "(x|y)\\.example".prop_map(|host| format!("https://{host}")),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        entry().prop_map(Op::Insert),
        entry().prop_map(Op::Remove),
        prop::collection::vec(entry(), 0..4).prop_map(Op::Extend),
        prop::collection::vec(entry(), 0..6).prop_map(Op::Replace),
    ]
}

proptest! {
    #[test]
    fn the_set_behaves_like_a_set_of_entries(ops in prop::collection::vec(op(), 1..24)) {
        let set = OriginSet::new();
        let mut model = BTreeSet::new();
        for op in ops {
            match op {
                Op::Insert(origin) => {
                    set.insert(&origin).unwrap();
                    model.insert(origin);
                }
                Op::Remove(origin) => {
                    prop_assert_eq!(set.remove(&origin), model.remove(&origin));
                }
                Op::Extend(origins) => {
                    prop_assert!(set.extend(&origins).is_empty());
                    model.extend(origins);
                }
                Op::Replace(origins) => {
                    prop_assert!(set.replace(&origins).is_empty());
                    model = origins.into_iter().collect();
                }
            }
            prop_assert_eq!(set.origins(), model.iter().cloned().collect::<Vec<_>>());
            for host in ["a.x.example", "b.y.example", "x.example", "c.x.example", "z.x.example"] {
                let origin = format!("https://{host}");
                prop_assert_eq!(allows(&set, &origin, CREDENTIALS), model_allows(&model, &origin), "{}", origin);
            }
        }
    }
}
