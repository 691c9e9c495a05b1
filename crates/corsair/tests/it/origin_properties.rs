//! Property tests: origin parsing and matching never panic, and a random origin is allowed exactly
//! when a simple reference model says so.

use corsair::{Cors, Evaluation};
use http::{HeaderMap, HeaderValue, Method, Uri};
use proptest::prelude::*;

/// What the policy under test allows, written as plainly as possible.
struct Reference {
    exact: Vec<(String, String, Option<u16>)>,
    subdomains_of: Vec<(String, String)>,
    any_port: Vec<(String, String)>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl Reference {
    /// `scheme://host[:port]` with letters of any case; `None` when it is not an origin.
    fn parse(origin: &str) -> Option<(String, String, Option<u16>)> {
        let (scheme, rest) = origin.split_once("://")?;
        let (host, port) = match rest.split_once(':') {
            Some((host, port)) => {
                if port.is_empty() || port.len() > 5 || !port.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                (
                    host,
                    Some(port.parse::<u32>().ok().filter(|p| *p <= 65535)? as u16),
                )
            }
            None => (rest, None),
        };
        let valid_label =
            |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if host.is_empty() || !host.split('.').all(valid_label) {
            return None;
        }
        let scheme = scheme.to_ascii_lowercase();
        let port = port.filter(|p| Some(*p) != default_port(&scheme));
        Some((scheme, host.to_ascii_lowercase(), port))
    }

    fn allows(&self, origin: &str) -> bool {
        let Some((scheme, host, port)) = Reference::parse(origin) else {
            return false;
        };
        self.exact
            .iter()
            .any(|(s, h, p)| *s == scheme && *h == host && *p == port)
            || self.subdomains_of.iter().any(|(s, parent)| {
                *s == scheme && port.is_none() && host.ends_with(&format!(".{parent}"))
            })
            || self
                .any_port
                .iter()
                .any(|(s, h)| *s == scheme && *h == host)
    }
}

fn evaluate(cors: &Cors, origin: &[u8]) -> bool {
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_bytes(origin) else {
        return false;
    };
    headers.insert("origin", value);
    match cors.evaluate(&Method::GET, &Uri::from_static("/"), &headers) {
        Evaluation::Decided(decision) => decision.is_allowed(),
        Evaluation::Pending(_) => unreachable!("no async hook installed"),
    }
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("app".to_owned()),
        Just("api".to_owned()),
        Just("example".to_owned()),
        Just("com".to_owned()),
        Just("localhost".to_owned()),
        Just("APP".to_owned()),
        "[a-z0-9-]{1,6}",
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 1..4).prop_map(|labels| labels.join("."))
}

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https".to_owned()),
        Just("http".to_owned()),
        Just("HTTPS".to_owned())
    ]
}

fn port() -> impl Strategy<Value = Option<u16>> {
    prop_oneof![
        Just(None),
        Just(Some(443)),
        Just(Some(80)),
        Just(Some(8080)),
        any::<u16>().prop_map(Some)
    ]
}

/// Origins as browsers write them (lower case, no default port) and as they do not (upper case,
/// default ports, ports with leading zeros), so that both of the engine's lookup paths run.
fn origin() -> impl Strategy<Value = String> {
    (scheme(), host(), port(), any::<bool>()).prop_map(|(s, h, p, zero_padded)| match p {
        Some(p) if zero_padded => format!("{s}://{h}:{p:05}"),
        Some(p) => format!("{s}://{h}:{p}"),
        None => format!("{s}://{h}"),
    })
}

/// The policy that allows what `reference` does, its entries written as origin patterns.
fn policy_of(reference: &Reference) -> Cors {
    let exact = reference
        .exact
        .iter()
        .map(|(scheme, host, port)| match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        });
    let subdomains = reference
        .subdomains_of
        .iter()
        .map(|(scheme, parent)| format!("{scheme}://*.{parent}"));
    let any_port = reference
        .any_port
        .iter()
        .map(|(scheme, host)| format!("{scheme}://{host}:*"));
    Cors::builder()
        .allowed_origins(exact.chain(subdomains).chain(any_port))
        .build()
        .unwrap()
}

fn entries(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(scheme, host)| ((*scheme).to_owned(), (*host).to_owned()))
        .collect()
}

/// A few entries of each kind.
fn policy() -> (Cors, Reference) {
    let reference = Reference {
        exact: vec![
            ("https".into(), "app.example".into(), None),
            ("http".into(), "app.example".into(), Some(8080)),
            ("https".into(), "api.example.com".into(), None),
        ],
        subdomains_of: entries(&[("https", "example.com"), ("https", "app")]),
        any_port: entries(&[("http", "localhost")]),
    };
    (policy_of(&reference), reference)
}

/// More entries of each kind, and subdomain patterns of more schemes, than the engine compares
/// one by one: the sets are searched by hashing.
fn larger_policy() -> (Cors, Reference) {
    let (_, mut reference) = policy();
    reference.exact.extend([
        ("https".into(), "com".into(), None),
        ("http".into(), "api.app".into(), Some(8443)),
        ("https".into(), "example.app".into(), None),
    ]);
    reference.subdomains_of.extend(entries(&[
        ("https", "example.org"),
        ("https", "shop.example"),
        ("https", "api.example"),
        ("http", "example.com"),
        ("ws", "example.com"),
        ("wss", "example.com"),
        ("ftp", "example.com"),
    ]));
    reference.any_port.extend(entries(&[
        ("http", "app"),
        ("https", "api"),
        ("http", "example.com"),
        ("https", "localhost"),
        ("http", "api.example"),
    ]));
    (policy_of(&reference), reference)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn allowed_iff_the_reference_model_allows(origin in origin()) {
        for (cors, reference) in [policy(), larger_policy()] {
            prop_assert_eq!(evaluate(&cors, origin.as_bytes()), reference.allows(&origin), "{}", origin);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_are_never_allowed_unless_valid(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (cors, reference) = policy();
        let allowed = evaluate(&cors, &bytes);
        if allowed {
            let text = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(reference.allows(text), "{:?}", text);
        }
    }

    #[test]
    fn mutated_origins_never_panic(origin in origin(), at in any::<usize>(), byte in any::<u8>()) {
        let (cors, _) = policy();
        let mut bytes = origin.into_bytes();
        let at = at % (bytes.len() + 1);
        bytes.insert(at, byte);
        let _ = evaluate(&cors, &bytes);
    }

    #[test]
    fn config_origins_never_panic_the_builder(entry in "\\PC{0,40}") {
        let _ = Cors::builder().allowed_origins([entry.clone()]).build();
        let _ = Cors::builder().allowed_origin_regexes([entry.clone()]).build();
        let _ = Cors::builder().allow_all_origins(true).allow_headers([entry.clone()]).allow_methods([entry]).build();
    }
}
