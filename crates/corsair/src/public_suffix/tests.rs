use proptest::prelude::*;

use super::*;

/// The list's algorithm written as its wiki states it, over every rule one by one: the
/// reference model the indexed lookup is checked against.
mod reference {
    /// One rule: its labels (`*` for any one label) and whether it is an exception.
    pub(super) struct Rule {
        labels: Vec<&'static str>,
        exception: bool,
    }

    pub(super) fn rules() -> Vec<Rule> {
        super::LIST
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .map(|line| {
                let (text, exception) = match line.strip_prefix('!') {
                    Some(text) => (text, true),
                    None => (line, false),
                };
                Rule {
                    labels: text.split('.').collect(),
                    exception,
                }
            })
            .collect()
    }

    /// A rule matches when its labels, right to left, equal the host's (`*` any label).
    fn matches(rule: &Rule, host: &[&str]) -> bool {
        rule.labels.len() <= host.len()
            && rule
                .labels
                .iter()
                .rev()
                .zip(host.iter().rev())
                .all(|(r, h)| *r == "*" || r == h)
    }

    /// The number of labels of the public suffix, and whether a listed rule prevailed.
    pub(super) fn suffix_labels(rules: &[Rule], host: &str) -> (usize, bool) {
        let labels: Vec<&str> = host.split('.').collect();
        let matching: Vec<&Rule> = rules.iter().filter(|r| matches(r, &labels)).collect();
        if let Some(exception) = matching.iter().find(|r| r.exception) {
            return (exception.labels.len() - 1, true);
        }
        match matching.iter().map(|r| r.labels.len()).max() {
            Some(len) => (len, true),
            None => (1, false),
        }
    }

    /// Some name strictly below `host` is a public suffix: a rule other than an exception
    /// names a domain below it (`*.host` included).
    pub(super) fn suffix_below(rules: &[Rule], host: &str) -> bool {
        let below = format!(".{host}");
        rules
            .iter()
            .filter(|r| !r.exception)
            .any(|r| r.labels.join(".").ends_with(&below))
    }
}

fn listed(host: &str) -> (&str, bool) {
    suffix(host).unwrap()
}

#[test]
fn the_three_kinds_of_rule() {
    // (host, public suffix, listed, registrable domain)
    let table = [
        ("example.com", "com", true, Some("example.com")),
        ("a.b.example.co.uk", "co.uk", true, Some("example.co.uk")),
        ("app.github.io", "github.io", true, Some("app.github.io")),
        ("github.io", "github.io", true, None),
        // `*.np`: every child of `np` is a suffix, `np` itself only by the implicit rule.
        ("evil.com.np", "com.np", true, Some("evil.com.np")),
        ("np", "np", false, None),
        ("com.np", "com.np", true, None),
        // `*.ck` and `!www.ck`.
        ("a.b.ck", "b.ck", true, Some("a.b.ck")),
        ("www.ck", "ck", true, Some("www.ck")),
        ("a.www.ck", "ck", true, Some("www.ck")),
        // `*.compute.amazonaws.com`: EC2 host names are registrable domains of their own.
        (
            "ec2-1-2-3-4.eu-west-1.compute.amazonaws.com",
            "eu-west-1.compute.amazonaws.com",
            true,
            Some("ec2-1-2-3-4.eu-west-1.compute.amazonaws.com"),
        ),
        // `*.kawasaki.jp` and `!city.kawasaki.jp`.
        (
            "x.city.kawasaki.jp",
            "kawasaki.jp",
            true,
            Some("city.kawasaki.jp"),
        ),
        (
            "x.y.kawasaki.jp",
            "y.kawasaki.jp",
            true,
            Some("x.y.kawasaki.jp"),
        ),
        // `*.customer-oci.com` and `*.oci.customer-oci.com`: a `*.` rule whose domain has
        // rules of its own below it still makes that domain a suffix.
        ("oci.customer-oci.com", "oci.customer-oci.com", true, None),
        (
            "a.b.oci.customer-oci.com",
            "b.oci.customer-oci.com",
            true,
            Some("a.b.oci.customer-oci.com"),
        ),
        // Unlisted top-level names: the implicit rule `*`.
        ("corp.internal", "internal", false, Some("corp.internal")),
        ("localhost", "localhost", false, None),
        // A rule written in Unicode, in its ASCII form (公司.cn).
        (
            "shop.xn--55qx5d.cn",
            "xn--55qx5d.cn",
            true,
            Some("shop.xn--55qx5d.cn"),
        ),
    ];
    for (host, expected_suffix, expected_listed, domain) in table {
        assert_eq!(listed(host), (expected_suffix, expected_listed), "{host}");
        assert_eq!(registrable_domain(host), domain, "{host}");
    }
    for bad in ["", ".", "a..com", "example.com.", ".com"] {
        assert_eq!(suffix(bad), None, "{bad:?}");
        assert_eq!(registrable_domain(bad), None, "{bad:?}");
    }
}

#[test]
fn names_others_register_below() {
    let shared = [
        "com",
        "co.uk",
        "github.io",
        "np",
        "com.np",
        "ck",
        "sch.uk",
        "nom.br",
        "compute.amazonaws.com",
        "amazonaws.com",
        "platform.sh",
        "kawasaki.jp",
        "uk",
    ];
    for host in shared {
        assert!(others_register_below(host), "{host}");
    }
    let own = [
        "example.com",
        "app.example.com",
        "www.ck",
        "city.kawasaki.jp",
        "app.github.io",
        "localhost",
        "internal",
        "corp.internal",
        "evil.com.np",
    ];
    for host in own {
        assert!(!others_register_below(host), "{host}");
    }
}

/// Hosts around the rules: a rule with its `*` filled in, some of its labels dropped or more
/// put in front, so that exact, wildcard and exception rules, their parents and their children
/// are all reached.
fn host_near_a_rule() -> impl Strategy<Value = String> {
    let lines: Vec<&'static str> = LIST
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect();
    let label = prop_oneof![
        Just("www".to_owned()),
        Just("city".to_owned()),
        Just("com".to_owned()),
        "[a-z0-9]{1,6}",
    ];
    (
        proptest::sample::select(lines),
        0usize..3,
        proptest::collection::vec(label.clone(), 0..3),
        label,
    )
        .prop_map(|(rule, drop, front, star)| {
            let rule = rule.trim_start_matches('!').replacen('*', &star, 1);
            let mut labels: Vec<&str> = rule.split('.').collect();
            let drop = drop.min(labels.len() - 1);
            labels.drain(..drop);
            let mut host: Vec<&str> = front.iter().map(String::as_str).collect();
            host.extend(labels);
            host.join(".")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The indexed lookup agrees with the list's algorithm applied rule by rule.
    #[test]
    fn lookups_agree_with_the_algorithm_rule_by_rule(host in host_near_a_rule()) {
        static REFERENCE: OnceLock<Vec<reference::Rule>> = OnceLock::new();
        let rules = REFERENCE.get_or_init(reference::rules);
        let (labels, expected_listed) = reference::suffix_labels(rules, &host);
        let all: Vec<&str> = host.split('.').collect();
        let expected = all[all.len() - labels..].join(".");
        prop_assert_eq!(listed(&host), (expected.as_str(), expected_listed), "{}", host);
        let expected_domain = (labels < all.len()).then(|| all[all.len() - labels - 1..].join("."));
        prop_assert_eq!(registrable_domain(&host).map(str::to_owned), expected_domain, "{}", host);
        prop_assert_eq!(
            others_register_below(&host),
            (expected_listed && labels == all.len()) || reference::suffix_below(rules, &host),
            "{}", host
        );
    }
}
