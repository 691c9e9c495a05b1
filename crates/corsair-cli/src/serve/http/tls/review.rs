//! What a certificate about to be served would break: whether it is valid now (browsers refuse
//! one that has expired or is not yet valid, [RFC 5280 §4.1.2.5]) and, at a reload, which names
//! of the running certificate it no longer covers (browsers match the host against the
//! subjectAltName's DNS names and IP addresses only, [RFC 6125 §6.4.4], a `*` standing for one
//! whole left-most label, [RFC 6125 §6.4.3]). The key and the chain were checked by
//! [`Identity::load`](super::Identity::load); these are the mistakes a renewal makes that the
//! key check cannot see: a stale file copied over the new one, a certificate issued for another
//! host.
//!
//! Nothing here panics on a certificate's contents: what cannot be read is simply not judged.
//!
//! [RFC 5280 §4.1.2.5]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
//! [RFC 6125 §6.4.4]: https://www.rfc-editor.org/rfc/rfc6125#section-6.4.4
//! [RFC 6125 §6.4.3]: https://www.rfc-editor.org/rfc/rfc6125#section-6.4.3

use std::fmt;
use std::net::IpAddr;
use std::time::SystemTime;

use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

/// A name a certificate is valid for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Name {
    /// A DNS name, lowercased (`api.example.com`, `*.example.com`).
    Dns(String),
    /// An IP address.
    Ip(IpAddr),
}

impl Name {
    /// Whether a client connecting by `self` accepts a certificate for `other`.
    fn covered_by(&self, other: &Name) -> bool {
        match (self, other) {
            (Name::Ip(a), Name::Ip(b)) => a == b,
            (Name::Dns(a), Name::Dns(b)) if a == b => true,
            // A wildcard covers one whole label, never a name that is itself a wildcard.
            (Name::Dns(a), Name::Dns(b)) => match (a.split_once('.'), b.strip_prefix("*.")) {
                (Some((label, rest)), Some(suffix)) => {
                    label != "*" && !label.is_empty() && rest == suffix
                }
                _ => false,
            },
            _ => false,
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Dns(name) => f.write_str(name),
            Name::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// What a certificate says about when and for what it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Facts {
    not_before: Time,
    not_after: Time,
    names: Vec<Name>,
}

impl Facts {
    /// The facts of a DER certificate (`None` when it cannot be read as X.509).
    pub(super) fn read(der: &[u8]) -> Option<Facts> {
        let certificate = Certificate::from_der(der).ok()?;
        let tbs = &certificate.tbs_certificate;
        let mut names = Vec::new();
        // A malformed extension is judged as none: the browser would refuse it anyway.
        if let Ok(Some((_, SubjectAltName(general)))) = tbs.get::<SubjectAltName>() {
            for name in general {
                match name {
                    GeneralName::DnsName(dns) => {
                        names.push(Name::Dns(dns.as_str().to_ascii_lowercase()));
                    }
                    GeneralName::IpAddress(octets) => {
                        let bytes = octets.as_bytes();
                        if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
                            names.push(Name::Ip(IpAddr::from(v4)));
                        } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
                            names.push(Name::Ip(IpAddr::from(v6)));
                        }
                    }
                    _ => {}
                }
            }
        }
        names.sort();
        names.dedup();
        Some(Facts {
            not_before: tbs.validity.not_before,
            not_after: tbs.validity.not_after,
            names,
        })
    }

    /// The names it is valid for.
    #[cfg(test)]
    fn names(&self) -> &[Name] {
        &self.names
    }
}

/// Something a certificate about to be served would break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Concern {
    /// Its validity ended before now.
    Expired {
        /// `notAfter`.
        at: Time,
    },
    /// Its validity starts after now.
    NotYetValid {
        /// `notBefore`.
        from: Time,
    },
    /// Names the running certificate is valid for and this one is not.
    DropsNames {
        /// Those names, sorted.
        names: Vec<Name>,
    },
}

impl fmt::Display for Concern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Concern::Expired { at } => write!(
                f,
                "it expired on {at}: browsers refuse it (net::ERR_CERT_DATE_INVALID)"
            ),
            Concern::NotYetValid { from } => write!(
                f,
                "it is not valid before {from}: browsers refuse it until then \
                 (net::ERR_CERT_DATE_INVALID); check the clock, or the file"
            ),
            Concern::DropsNames { names } => {
                let names: Vec<String> = names.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "it is not valid for {}, which the running certificate is: clients \
                     connecting by {} get a certificate error (net::ERR_CERT_COMMON_NAME_INVALID)",
                    names.join(", "),
                    if names.len() == 1 {
                        "that name"
                    } else {
                        "these names"
                    }
                )
            }
        }
    }
}

/// What serving `new` would break at `now`, in place of `running` (`None` at start).
///
/// ```ignore
/// let concerns = review(&renewed, Some(&running), SystemTime::now());
/// assert!(concerns.is_empty(), "a renewal for the same names, valid now");
/// ```
pub(super) fn review(new: &Facts, running: Option<&Facts>, now: SystemTime) -> Vec<Concern> {
    let mut concerns = Vec::new();
    if new.not_after.to_system_time() < now {
        concerns.push(Concern::Expired { at: new.not_after });
    } else if new.not_before.to_system_time() > now {
        concerns.push(Concern::NotYetValid {
            from: new.not_before,
        });
    }
    if let Some(running) = running {
        let dropped: Vec<Name> = running
            .names
            .iter()
            .filter(|old| !new.names.iter().any(|name| old.covered_by(name)))
            .cloned()
            .collect();
        if !dropped.is_empty() {
            concerns.push(Concern::DropsNames { names: dropped });
        }
    }
    concerns
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::strategy::Strategy as _;

    use super::*;

    fn certificate(names: &[&str], from_days: i64, to_days: i64) -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .unwrap();
        let day = |offset: i64| {
            let june_first = rcgen::date_time_ymd(2026, 6, 1);
            let days = Duration::from_secs(offset.unsigned_abs() * 86_400);
            if offset < 0 {
                june_first - days
            } else {
                june_first + days
            }
        };
        params.not_before = day(from_days);
        params.not_after = day(to_days);
        params.self_signed(&key).unwrap().der().to_vec()
    }

    /// 2026-06-01, the day the test certificates are made around.
    fn june_first() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_272_000)
    }

    fn facts(names: &[&str], from_days: i64, to_days: i64) -> Facts {
        Facts::read(&certificate(names, from_days, to_days)).unwrap()
    }

    /// Whether a client connecting by `host` accepts a certificate for `name`, label by label.
    fn reference_covers(host: &str, name: &str) -> bool {
        let (host, name): (Vec<&str>, Vec<&str>) =
            (host.split('.').collect(), name.split('.').collect());
        host == name
            || (name.len() > 1
                && name[0] == "*"
                && host.len() == name.len()
                && host[0] != "*"
                && host[1..] == name[1..])
    }

    fn dns_name() -> impl proptest::strategy::Strategy<Value = String> {
        let label = proptest::sample::select(vec!["a", "b", "api", "*"]);
        proptest::collection::vec(label, 1..4).prop_map(|labels| labels.join("."))
    }

    proptest::proptest! {
        /// The coverage of a DNS name agrees with a label-by-label model of RFC 6125's rules.
        #[test]
        fn dns_coverage_follows_the_label_model(host in dns_name(), name in dns_name()) {
            let covered = Name::Dns(host.clone()).covered_by(&Name::Dns(name.clone()));
            proptest::prop_assert_eq!(covered, reference_covers(&host, &name), "{} by {}", host, name);
        }
    }

    #[test]
    fn names_are_read_from_the_subject_alternative_names() {
        let read = facts(
            &["API.example.com", "10.0.0.1", "::1", "*.example.org"],
            -1,
            1,
        );
        assert_eq!(
            read.names(),
            [
                Name::Dns("*.example.org".into()),
                Name::Dns("api.example.com".into()),
                Name::Ip("10.0.0.1".parse().unwrap()),
                Name::Ip("::1".parse().unwrap()),
            ]
        );
        assert_eq!(Facts::read(b"not a certificate"), None);
        assert_eq!(Facts::read(&certificate(&["a.example"], -1, 1)[..20]), None);
    }

    #[test]
    fn a_certificate_must_be_valid_now() {
        let now = june_first();
        let table: [(i64, i64, Option<&str>); 4] = [
            (-30, 60, None),
            (-90, -1, Some("expired on 2026-05-31")),
            (2, 90, Some("not valid before 2026-06-03")),
            (-1, 0, None),
        ];
        for (from, to, expected) in table {
            let concerns = review(&facts(&["a.example"], from, to), None, now);
            match expected {
                None => assert_eq!(concerns, [], "{from}..{to}"),
                Some(text) => {
                    assert_eq!(concerns.len(), 1, "{from}..{to}");
                    assert!(concerns[0].to_string().contains(text), "{}", concerns[0]);
                }
            }
        }
    }

    #[test]
    fn a_new_certificate_must_cover_every_name_of_the_running_one() {
        let now = june_first();
        let table: [(&[&str], &[&str], &[&str]); 8] = [
            (
                &["a.example", "b.example"],
                &["b.example", "a.example"],
                &[],
            ),
            (&["a.example"], &["A.EXAMPLE", "c.example"], &[]),
            (&["a.example", "b.example"], &["a.example"], &["b.example"]),
            (&["api.example.com"], &["*.example.com"], &[]),
            (
                &["x.api.example.com"],
                &["*.example.com"],
                &["x.api.example.com"],
            ),
            (&["*.example.com"], &["www.example.com"], &["*.example.com"]),
            (&["127.0.0.1", "::1"], &["127.0.0.1"], &["::1"]),
            (&["a.example"], &["other.example"], &["a.example"]),
        ];
        for (running, new, dropped) in table {
            let concerns = review(&facts(new, -1, 30), Some(&facts(running, -1, 30)), now);
            let expected: Vec<Concern> = if dropped.is_empty() {
                Vec::new()
            } else {
                vec![Concern::DropsNames {
                    names: dropped
                        .iter()
                        .map(|n| match n.parse() {
                            Ok(ip) => Name::Ip(ip),
                            Err(_) => Name::Dns((*n).to_owned()),
                        })
                        .collect(),
                }]
            };
            assert_eq!(concerns, expected, "{running:?} -> {new:?}");
        }
        let concerns = review(
            &facts(&["other.example"], -9, -2),
            Some(&facts(&["a.example"], -1, 30)),
            now,
        );
        assert_eq!(
            concerns.len(),
            2,
            "expired and for other names: {concerns:?}"
        );
        assert!(
            concerns[1]
                .to_string()
                .starts_with("it is not valid for a.example, "),
            "{}",
            concerns[1]
        );
    }
}
