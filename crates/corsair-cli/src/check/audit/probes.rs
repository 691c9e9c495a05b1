//! The origins an attacker's page would try, built from the origins the API trusts and from
//! the API's own origin: an unrelated site, `null`, the trusted host as the prefix of another
//! host, the registrable domain as the suffix of another, a dot of the name replaced by a
//! letter, the characters browsers allow in hosts put after the name, a deeper subdomain, the
//! `http://` twin of an `https://` origin, and the name with a trailing dot.
//!
//! Every probe is an origin a browser can send (a serialized origin as the URL standard makes
//! it: lower case, the port only when it is not the scheme's default), and none is a trusted
//! origin. An origin in odd case is not tried: browsers lower-case the scheme and the host of
//! every origin they send, so no page can present one. Origins and URLs are parsed by the
//! browser model (the URL standard's parser); registrable domains come from the engine's
//! Public Suffix List ([`site`]).

use corsair_browser::BrowserRequest;

/// The host under which an attacker registers the names of the prefix and special-character
/// probes, and the unrelated site.
const EVIL: &str = "evil.test";

/// The label an attacker puts before a domain (`evilexample.com`) or under it.
const EVIL_LABEL: &str = "evil";

/// The label of the deeper subdomain probe.
const DEEPER_LABEL: &str = "corsair-audit";

/// The letter that replaces a dot of the name (`appxexample.com`).
const DOT_REPLACEMENT: char = 'x';

/// The characters browsers allow in a host (the URL standard forbids neither) that put after
/// a trusted name defeat a comparison that only looks for the trusted name at the start.
pub(in crate::check) const SPECIAL_CHARACTERS: [char; 15] = [
    '_', '-', '~', '`', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=',
];

/// What a probe origin is, and so what it proves when the API allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(in crate::check) enum ProbeClass {
    /// A trusted origin itself: the baseline, never a finding.
    Trusted,
    /// A site that has nothing to do with the API.
    Unrelated,
    /// The opaque origin (sandboxed iframes, `data:` documents, redirected requests).
    Null,
    /// The trusted host, or the registrable domain, followed by more labels.
    Prefix,
    /// Another domain ending with the registrable domain (`evilexample.com`).
    Suffix,
    /// The name with one dot replaced by a letter.
    UnescapedDot,
    /// The trusted host followed by a character browsers allow in hosts, then more labels.
    SpecialCharacter,
    /// `http://` for an `https://` origin.
    HttpTwin,
    /// A subdomain below the trusted host.
    DeeperSubdomain,
    /// The trusted host written with a trailing dot (the same server, another origin).
    TrailingDot,
}

impl ProbeClass {
    /// Every class.
    pub(in crate::check) const ALL: [ProbeClass; 10] = [
        ProbeClass::Trusted,
        ProbeClass::Unrelated,
        ProbeClass::Null,
        ProbeClass::Prefix,
        ProbeClass::Suffix,
        ProbeClass::UnescapedDot,
        ProbeClass::SpecialCharacter,
        ProbeClass::HttpTwin,
        ProbeClass::DeeperSubdomain,
        ProbeClass::TrailingDot,
    ];

    /// The order in which probes are sent when the budget cannot cover them all: the classes
    /// that prove the most first, the fifteen special characters last.
    pub(in crate::check) fn priority(self) -> u8 {
        match self {
            ProbeClass::Trusted => 0,
            ProbeClass::Unrelated => 1,
            ProbeClass::Null => 2,
            ProbeClass::Prefix => 3,
            ProbeClass::Suffix => 4,
            ProbeClass::HttpTwin => 5,
            ProbeClass::UnescapedDot => 6,
            ProbeClass::DeeperSubdomain => 7,
            ProbeClass::TrailingDot => 8,
            ProbeClass::SpecialCharacter => 9,
        }
    }

    /// What the probe is, in a few words.
    pub(in crate::check) fn describe(self) -> &'static str {
        match self {
            ProbeClass::Trusted => "a trusted origin",
            ProbeClass::Unrelated => "an unrelated site",
            ProbeClass::Null => "the opaque origin `null`",
            ProbeClass::Prefix => "a trusted name followed by another domain",
            ProbeClass::Suffix => "another domain ending with the trusted registrable domain",
            ProbeClass::UnescapedDot => "a trusted name with a dot replaced by a letter",
            ProbeClass::SpecialCharacter => {
                "a trusted name followed by a special character and another domain"
            }
            ProbeClass::HttpTwin => "the plain-http twin of an https origin",
            ProbeClass::DeeperSubdomain => "a subdomain below a trusted origin",
            ProbeClass::TrailingDot => "a trusted name with a trailing dot",
        }
    }
}

/// One origin to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::check) struct Probe {
    /// The serialized origin sent in `Origin`.
    pub origin: String,
    /// What it is.
    pub class: ProbeClass,
    /// The trusted origin (or the API's own) it was built from; empty for `null` and the
    /// unrelated site.
    pub from: String,
}

/// An origin the probes are built from: scheme, host (a domain or an address) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::check) struct Base {
    scheme: String,
    /// As serialized: lower case, `[...]` around an IPv6 address.
    host: String,
    /// `:8080`, or empty for the scheme's default port.
    port: String,
}

impl Base {
    /// The base of a serialized `http` or `https` origin (or any URL of it), parsed as a
    /// browser parses it.
    pub(in crate::check) fn parse(origin: &str) -> Option<Base> {
        let request = BrowserRequest::builder(origin, origin).build().ok()?;
        let url = request.url();
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        Some(Base {
            scheme: url.scheme().to_owned(),
            host: url.host_str()?.to_owned(),
            port: url.port().map(|p| format!(":{p}")).unwrap_or_default(),
        })
    }

    /// Its serialized origin.
    pub(in crate::check) fn origin(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.port)
    }

    /// The host when it is a domain name (not an IP address: the parser writes IPv4 addresses
    /// in dotted decimal and IPv6 ones in brackets).
    pub(in crate::check) fn domain(&self) -> Option<&str> {
        let address = self.host.starts_with('[') || self.host.parse::<std::net::Ipv4Addr>().is_ok();
        (!address).then_some(self.host.as_str())
    }
}

/// The registrable domain ("site") of `host`, by the engine's Public Suffix List
/// ([`corsair::registrable_domain`]): `example.co.uk` for `app.example.co.uk`. `None` when there
/// is none (an address, a single label, a public suffix itself). A trailing dot is ignored.
pub(in crate::check) fn site(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    corsair::registrable_domain(host).map(str::to_owned)
}

/// Every probe for the API at `target` trusting `trusted` (serialized origins), without
/// duplicates and without any trusted origin: first the trusted origins themselves (the
/// baseline), then, for each base (the trusted origins, then the target's own origin when it
/// is not one of them), the attacker's origins in the order of [`ProbeClass::priority`].
pub(in crate::check) fn probes(trusted: &[Base], target: &Base) -> Vec<Probe> {
    let trusted_origins: Vec<String> = trusted.iter().map(Base::origin).collect();
    let mut all: Vec<Probe> = trusted
        .iter()
        .map(|base| Probe {
            origin: base.origin(),
            class: ProbeClass::Trusted,
            from: base.origin(),
        })
        .collect();
    let scheme = trusted
        .first()
        .map_or(target.scheme.as_str(), |b| &b.scheme);
    let mut attacks = vec![
        Probe {
            origin: format!("{scheme}://corsair-audit.{EVIL}"),
            class: ProbeClass::Unrelated,
            from: String::new(),
        },
        Probe {
            origin: "null".to_owned(),
            class: ProbeClass::Null,
            from: String::new(),
        },
    ];
    let mut bases: Vec<&Base> = trusted.iter().collect();
    if !trusted_origins.contains(&target.origin()) {
        bases.push(target);
    }
    for base in bases {
        attacks.extend(from_base(base));
    }
    attacks.sort_by_key(|p| p.class.priority());
    for probe in attacks {
        let valid = probe.origin == "null" || is_serialized_origin(&probe.origin);
        let known = all.iter().any(|p| p.origin == probe.origin);
        if valid && !known && !trusted_origins.contains(&probe.origin) {
            all.push(probe);
        }
    }
    all
}

/// The attacker's origins built from one base.
fn from_base(base: &Base) -> Vec<Probe> {
    let Some(host) = base.domain() else {
        // An address has no name to imitate; only its plain-http twin.
        return http_twin(base).into_iter().collect();
    };
    let (scheme, port, from) = (&base.scheme, &base.port, base.origin());
    let probe = |origin: String, class: ProbeClass| Probe {
        origin,
        class,
        from: from.clone(),
    };
    let registrable = site(host);
    let mut out = vec![probe(
        format!("{scheme}://{host}.{EVIL}{port}"),
        ProbeClass::Prefix,
    )];
    if let Some(domain) = registrable.as_deref().filter(|d| *d != host) {
        out.push(probe(
            format!("{scheme}://{domain}.{EVIL}{port}"),
            ProbeClass::Prefix,
        ));
    }
    let suffix_of = registrable.as_deref().unwrap_or(host);
    out.push(probe(
        format!("{scheme}://{EVIL_LABEL}{suffix_of}{port}"),
        ProbeClass::Suffix,
    ));
    for name in unescaped_dots(host, registrable.as_deref()) {
        out.push(probe(
            format!("{scheme}://{name}{port}"),
            ProbeClass::UnescapedDot,
        ));
    }
    out.extend(http_twin(base));
    out.push(probe(
        format!("{scheme}://{DEEPER_LABEL}.{host}{port}"),
        ProbeClass::DeeperSubdomain,
    ));
    if !host.ends_with('.') {
        out.push(probe(
            format!("{scheme}://{host}.{port}"),
            ProbeClass::TrailingDot,
        ));
    }
    for c in SPECIAL_CHARACTERS {
        out.push(probe(
            format!("{scheme}://{host}{c}.{EVIL}{port}"),
            ProbeClass::SpecialCharacter,
        ));
    }
    out
}

/// `http://` for an `https://` base.
fn http_twin(base: &Base) -> Option<Probe> {
    (base.scheme == "https").then(|| Probe {
        origin: format!("http://{}{}", base.host, base.port),
        class: ProbeClass::HttpTwin,
        from: base.origin(),
    })
}

/// `host` with one dot replaced by a letter, for each dot whose replacement gives a name on
/// another registrable domain than `registrable` (one an attacker can register) and keeps the
/// last label (`appxexample.com` for `app.example.com`, not `app.examplexcom`).
fn unescaped_dots(host: &str, registrable: Option<&str>) -> Vec<String> {
    let last_dot = host.trim_end_matches('.').rfind('.');
    host.char_indices()
        .filter(|&(at, c)| c == '.' && Some(at) != last_dot && at + 1 < host.len())
        .map(|(at, _)| format!("{}{DOT_REPLACEMENT}{}", &host[..at], &host[at + 1..]))
        .filter(|name| match registrable {
            Some(own) => site(name).as_deref() != Some(own),
            None => true,
        })
        .collect()
}

/// Whether `text` is an `http` or `https` origin exactly as a browser serializes it.
pub(in crate::check) fn is_serialized_origin(text: &str) -> bool {
    (text.starts_with("http://") || text.starts_with("https://"))
        && BrowserRequest::builder(text, "https://target.invalid/")
            .build()
            .is_ok_and(|request| request.origin() == text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn base(origin: &str) -> Base {
        Base::parse(origin).unwrap()
    }

    fn of_class(probes: &[Probe], class: ProbeClass) -> Vec<&str> {
        probes
            .iter()
            .filter(|p| p.class == class)
            .map(|p| p.origin.as_str())
            .collect()
    }

    #[test]
    fn sites_come_from_the_public_suffix_list() {
        let table = [
            ("app.example.com", Some("example.com")),
            ("example.com", Some("example.com")),
            ("a.b.example.co.uk", Some("example.co.uk")),
            ("me.github.io", Some("me.github.io")),
            ("github.io", None),
            ("com", None),
            ("app.example.test", Some("example.test")),
            ("localhost", None),
            ("127.0.0.1", None),
        ];
        for (host, expected) in table {
            assert_eq!(site(host).as_deref(), expected, "{host}");
        }
    }

    #[test]
    fn each_class_is_built_as_the_specification_says() {
        let probes = probes(
            &[base("https://app.example.com")],
            &base("https://api.example.com/v1/items"),
        );
        let table: [(ProbeClass, &[&str]); 8] = [
            (ProbeClass::Trusted, &["https://app.example.com"]),
            (ProbeClass::Unrelated, &["https://corsair-audit.evil.test"]),
            (ProbeClass::Null, &["null"]),
            (
                ProbeClass::Prefix,
                &[
                    "https://app.example.com.evil.test",
                    "https://example.com.evil.test",
                    "https://api.example.com.evil.test",
                ],
            ),
            (ProbeClass::Suffix, &["https://evilexample.com"]),
            (
                ProbeClass::UnescapedDot,
                &["https://appxexample.com", "https://apixexample.com"],
            ),
            (
                ProbeClass::HttpTwin,
                &["http://app.example.com", "http://api.example.com"],
            ),
            (
                ProbeClass::DeeperSubdomain,
                &[
                    "https://corsair-audit.app.example.com",
                    "https://corsair-audit.api.example.com",
                ],
            ),
        ];
        for (class, expected) in table {
            assert_eq!(of_class(&probes, class), expected, "{class:?}");
        }
        assert_eq!(
            of_class(&probes, ProbeClass::TrailingDot),
            ["https://app.example.com.", "https://api.example.com."]
        );
        let special = of_class(&probes, ProbeClass::SpecialCharacter);
        for expected in [
            "https://app.example.com_.evil.test",
            "https://app.example.com-.evil.test",
            "https://app.example.com`.evil.test",
            "https://app.example.com!.evil.test",
            "https://app.example.com=.evil.test",
        ] {
            assert!(special.contains(&expected), "{expected}: {special:?}");
        }
        // The baseline first, the special characters last.
        assert_eq!(probes[0].class, ProbeClass::Trusted);
        assert_eq!(
            probes.last().map(|p| p.class),
            Some(ProbeClass::SpecialCharacter)
        );
    }

    #[test]
    fn ports_and_addresses() {
        let probes = probes(
            &[base("http://localhost:8080")],
            &base("http://127.0.0.1:8000/api"),
        );
        assert_eq!(
            of_class(&probes, ProbeClass::Prefix),
            ["http://localhost.evil.test:8080"]
        );
        assert_eq!(
            of_class(&probes, ProbeClass::Suffix),
            ["http://evillocalhost:8080"]
        );
        // Neither an http origin nor an address has a twin or a name to imitate.
        assert!(of_class(&probes, ProbeClass::HttpTwin).is_empty());
        assert!(of_class(&probes, ProbeClass::UnescapedDot).is_empty());
        assert_eq!(
            of_class(&probes, ProbeClass::Unrelated),
            ["http://corsair-audit.evil.test"]
        );
    }

    #[test]
    fn a_dot_replaced_only_where_an_attacker_can_register_the_result() {
        assert_eq!(
            unescaped_dots("api.app.example.co.uk", Some("example.co.uk")),
            ["api.appxexample.co.uk", "api.app.examplexco.uk"]
        );
        assert_eq!(
            unescaped_dots("example.com", Some("example.com")),
            Vec::<String>::new()
        );
    }

    fn host_strategy() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4),
            prop::sample::select(vec!["com", "co.uk", "github.io", "test", "dev", "np"]),
        )
            .prop_map(|(labels, suffix)| format!("{}.{suffix}", labels.join(".")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every probe is an origin a browser can send, and none is trusted.
        #[test]
        fn every_probe_is_a_serialized_origin_and_never_a_trusted_one(
            hosts in proptest::collection::vec(host_strategy(), 1..3),
            https in proptest::collection::vec(any::<bool>(), 3),
            port in proptest::option::of(1u16..65535),
            target in host_strategy(),
        ) {
            let trusted: Vec<Base> = hosts
                .iter()
                .zip(&https)
                .map(|(host, secure)| {
                    let scheme = if *secure { "https" } else { "http" };
                    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                    base(&format!("{scheme}://{host}{port}"))
                })
                .collect();
            let trusted_origins: Vec<String> = trusted.iter().map(Base::origin).collect();
            let target = base(&format!("https://{target}/api"));
            for probe in probes(&trusted, &target) {
                prop_assert!(
                    probe.origin == "null" || is_serialized_origin(&probe.origin),
                    "{} is not a serialized origin", probe.origin
                );
                if probe.class != ProbeClass::Trusted {
                    prop_assert!(!trusted_origins.contains(&probe.origin), "{} is trusted", probe.origin);
                }
            }
        }
    }
}
