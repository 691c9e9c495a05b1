//! The host of a configured origin, read as a browser's URL parser reads it (the WHATWG URL
//! standard's host parser, <https://url.spec.whatwg.org/#host-parsing>): a domain in lower case,
//! an IPv4 address in any of the forms browsers accept (`127.1`, `0x7f.0.0.1`), or an IPv6
//! literal, each serialized as browsers serialize it, so that an entry that can never equal a
//! browser's `Origin` is caught with the form to write instead.
//!
//! Internationalized names are refused (browsers send their ASCII form); the fix spells that
//! form out with RFC 3492 Punycode (<https://www.rfc-editor.org/rfc/rfc3492>).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::config::{Finding, FindingId, Setting};
use crate::origin;

/// A host as a browser parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Host {
    /// A domain, lower case.
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Parses an ASCII host; `None` when a browser's URL parser fails on it.
    pub(super) fn parse(host: &str) -> Option<Host> {
        if let Some(inner) = host.strip_prefix('[') {
            let literal = inner.strip_suffix(']')?;
            return literal.parse().ok().map(Host::Ipv6);
        }
        if !host.is_ascii() || host.is_empty() {
            return None;
        }
        let lower = host.to_ascii_lowercase();
        if ends_in_a_number(&lower) {
            return parse_ipv4(&lower).map(Host::Ipv4);
        }
        Some(Host::Domain(lower))
    }

    /// The host as browsers serialize it.
    pub(super) fn serialize(&self) -> String {
        match self {
            Host::Domain(domain) => domain.clone(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => format!("[{}]", serialize_ipv6(ip)),
        }
    }
}

/// The browser's form of a configured host, or `None` (with an error) when it must be rewritten.
pub(super) fn canonical_host(
    raw: &str,
    scheme: &str,
    host: &str,
    findings: &mut Vec<Finding>,
) -> Option<String> {
    let setting = Setting::AllowedOrigins;
    if !host.is_ascii() {
        let fix = match to_ascii(host) {
            Some(ascii) => format!("write `{}`", raw.replacen(host, &ascii, 1)),
            None => "write the host in its ASCII (punycode) form".to_owned(),
        };
        findings.push(Finding::error(
            FindingId::OriginNonAsciiHost,
            setting,
            Some(raw),
            format!("browsers send internationalised host names in their ASCII (punycode) form, never `{host}`"),
            fix,
        ));
        return None;
    }
    let Some(parsed) = Host::parse(host) else {
        findings.push(Finding::error(
            FindingId::OriginInvalidHost,
            setting,
            Some(raw),
            format!("`{host}` is not a valid host"),
            "write a host name (`app.example.com`) or an IP address (`127.0.0.1`, `[::1]`)"
                .to_owned(),
        ));
        return None;
    };
    let canonical = parsed.serialize();
    if !matches!(parsed, Host::Domain(_)) && canonical != host.to_ascii_lowercase() {
        findings.push(Finding::error(
            FindingId::OriginNonCanonicalIp,
            setting,
            Some(raw),
            format!("browsers write this address as `{canonical}`, so `{host}` never matches"),
            format!("write `{}`", raw.replacen(host, &canonical, 1)),
        ));
        return None;
    }
    if !origin::is_host(&canonical) {
        findings.push(Finding::error(
            FindingId::OriginInvalidHost,
            setting,
            Some(raw),
            format!("`{host}` is not a host name browsers send"),
            format!("write `{scheme}://{canonical}`"),
        ));
        return None;
    }
    Some(canonical)
}

/// The URL standard's "ends in a number" test: whether the last label (ignoring one trailing
/// dot) is decimal digits, or parses as an IPv4 number (`0x1f`), so that the host is parsed as
/// an IPv4 address.
fn ends_in_a_number(host: &str) -> bool {
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.last() == Some(&"") {
        if labels.len() == 1 {
            return false;
        }
        labels.pop();
    }
    let last = labels.last().copied().unwrap_or_default();
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) || ipv4_number(last).is_some()
}

/// The URL standard's IPv4 parser: one to four dot-separated numbers (decimal, `0x` hex, or
/// `0`-prefixed octal); all but the last at most 255, the last filling the remaining bytes.
fn parse_ipv4(host: &str) -> Option<Ipv4Addr> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|part| ipv4_number(part))
        .collect::<Option<_>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut address = *last;
    for (index, &n) in leading.iter().enumerate() {
        address += n << (8 * (3 - index));
    }
    u32::try_from(address).ok().map(Ipv4Addr::from)
}

/// One number of an IPv4 address: decimal, `0x`/`0X` hexadecimal, or octal with a leading `0`;
/// `None` when it is none of them or does not fit in 32 bits.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|&n| n <= u64::from(u32::MAX))
}

/// The URL standard's IPv6 serializer: lower-case hex pieces without leading zeros, the first
/// longest run of two or more zero pieces written `::`.
fn serialize_ipv6(ip: &Ipv6Addr) -> String {
    let pieces = ip.segments();
    let mut compress: Option<(usize, usize)> = None;
    let mut at = 0;
    while at < 8 {
        if pieces[at] != 0 {
            at += 1;
            continue;
        }
        let start = at;
        while at < 8 && pieces[at] == 0 {
            at += 1;
        }
        let len = at - start;
        if len >= 2 && compress.is_none_or(|(_, best)| len > best) {
            compress = Some((start, len));
        }
    }
    let mut out = String::new();
    let mut index = 0;
    while index < 8 {
        if let Some((start, len)) = compress.filter(|(start, _)| *start == index) {
            out.push_str(if start == 0 { "::" } else { ":" });
            index += len;
            continue;
        }
        out.push_str(&format!("{:x}", pieces[index]));
        if index < 7 {
            out.push(':');
        }
        index += 1;
    }
    out
}

/// The ASCII form of an internationalized domain: each label in lower case, and each label with
/// non-ASCII characters as `xn--` + its Punycode.
fn to_ascii(host: &str) -> Option<String> {
    let labels: Option<Vec<String>> = host
        .split('.')
        .map(|label| {
            let lower: String = label.chars().flat_map(char::to_lowercase).collect();
            if lower.is_ascii() {
                Some(lower)
            } else {
                punycode(&lower).map(|code| format!("xn--{code}"))
            }
        })
        .collect();
    labels.map(|labels| labels.join("."))
}

/// RFC 3492 §6.3: the Punycode encoding of one label.
fn punycode(label: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const INITIAL_N: u32 = 128;
    const INITIAL_BIAS: u32 = 72;

    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { 700 } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + 38)
    }
    fn digit(d: u32) -> char {
        // d < 36: `a`-`z` then `0`-`9`.
        char::from(if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        })
    }

    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic = output.chars().count() as u32;
    if basic > 0 {
        output.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while (handled as usize) < input.len() {
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hosts_as_browsers_serialize_them() {
        let table = [
            ("App.Example", Some("app.example")),
            ("127.0.0.1", Some("127.0.0.1")),
            ("127.1", Some("127.0.0.1")),
            ("0x7f.0.0.1", Some("127.0.0.1")),
            ("0177.0.0.1", Some("127.0.0.1")),
            ("2130706433", Some("127.0.0.1")),
            ("[0:0:0:0:0:0:0:1]", Some("[::1]")),
            ("[::FFFF:192.168.0.1]", Some("[::ffff:c0a8:1]")),
            ("[1:0:0:2:0:0:0:3]", Some("[1:0:0:2::3]")),
            ("[1:0:0:2:0:0:3:4]", Some("[1::2:0:0:3:4]")),
            ("256.0.0.1", None),
            ("1.2.3.4.5", None),
            ("app.123", None),
            ("[::1", None),
            ("[zz::]", None),
        ];
        for (host, expected) in table {
            assert_eq!(
                Host::parse(host).map(|h| h.serialize()).as_deref(),
                expected,
                "{host}"
            );
        }
    }

    #[test]
    fn punycode_follows_rfc_3492() {
        // RFC 3492 §7.1's sample strings (lower-cased as host labels are).
        assert_eq!(punycode("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(punycode("münchen").as_deref(), Some("mnchen-3ya"));
        assert_eq!(punycode("ü").as_deref(), Some("tda"));
        assert_eq!(
            to_ascii("Bücher.Example").as_deref(),
            Some("xn--bcher-kva.example")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// The `url` crate (what browsers' URL parsing is modelled on) is the reference.
        #[test]
        fn ipv4_and_ipv6_hosts_agree_with_the_url_crate(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u32..300).prop_map(|n| n.to_string()),
                    (0u32..300).prop_map(|n| format!("0x{n:x}")),
                    (0u32..300).prop_map(|n| format!("0{n:o}")),
                    (0u32..70000).prop_map(|n| n.to_string()),
                ],
                1..5,
            ),
            segments in proptest::array::uniform8(prop_oneof![Just(0u16), any::<u16>()]),
        ) {
            let v4 = parts.join(".");
            let ours = Host::parse(&v4).map(|h| h.serialize());
            let reference = url::Host::parse(&v4).ok().map(|h| match h {
                url::Host::Domain(d) => d,
                url::Host::Ipv4(ip) => ip.to_string(),
                url::Host::Ipv6(ip) => format!("[{ip}]"),
            });
            proptest::prop_assert_eq!(ours, reference, "{}", v4);
            let v6 = format!("[{}]", segments.map(|s| format!("{s:x}")).join(":"));
            let ours = Host::parse(&v6).map(|h| h.serialize());
            let reference = url::Host::parse(&v6).ok().map(|h| h.to_string());
            proptest::prop_assert_eq!(ours, reference, "{}", v6);
        }

        #[test]
        fn internationalized_labels_agree_with_the_url_crate(
            label in "[a-z]{0,3}[üéñåøçöä][a-zü]{0,4}",
        ) {
            let host = format!("{label}.example");
            let reference = match url::Host::parse(&host) {
                Ok(url::Host::Domain(d)) => Some(d),
                _ => None,
            };
            proptest::prop_assert_eq!(to_ascii(&host), reference, "{}", host);
        }
    }
}
