//! The finding kinds of `corsair lint --django`, each with its stable Django check id
//! (`corsair.E###` for errors, `corsair.W###` for warnings): one table, which the README's id
//! list is generated from and the `corsair_cors` Django app reports.
//!
//! A kind's severity is fixed here, whatever the engine's severity for the same rule is:
//! django-cors-headers keeps an origin with a trailing `/` working, so `origin-has-path` is a
//! warning for Django, where corsair refuses it. Ids are never renumbered or reused; a new kind
//! takes the next free number.

use corsair::Severity;

/// One kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The kebab-case name (the engine's finding id when the rule is the engine's).
    pub name: &'static str,
    /// The Django check id.
    pub id: &'static str,
    /// Error or warning, as Django's check reports it.
    pub severity: Severity,
    /// When it is reported, for the README.
    pub when: &'static str,
}

const fn error(name: &'static str, id: &'static str, when: &'static str) -> Kind {
    Kind {
        name,
        id,
        severity: Severity::Error,
        when,
    }
}

const fn warning(name: &'static str, id: &'static str, when: &'static str) -> Kind {
    Kind {
        name,
        id,
        severity: Severity::Warning,
        when,
    }
}

/// Every kind, in id order (errors, then warnings).
pub const KINDS: &[Kind] = &[
    error(
        "corsair-unavailable",
        "corsair.E001",
        "the `corsair` binary is not found next to Python or on `PATH`, or fails (reported by the Django app)",
    ),
    error(
        "regex-invalid-python",
        "corsair.E002",
        "a regex in `CORS_ALLOWED_ORIGIN_REGEXES` or `CORS_URLS_REGEX` does not compile with Python's `re`: django-cors-headers raises on requests (reported by the Django app)",
    ),
    error(
        "credentials-with-allow-all",
        "corsair.E003",
        "`CORS_ALLOW_ALL_ORIGINS` with `CORS_ALLOW_CREDENTIALS`: every origin is echoed, with cookies",
    ),
    error(
        "broad-regex-with-credentials",
        "corsair.E004",
        "with credentials, a regex matches `null` or an origin on a domain anyone can register (named in the message)",
    ),
    error(
        "null-with-credentials",
        "corsair.E005",
        "`null` in `CORS_ALLOWED_ORIGINS` with credentials",
    ),
    error(
        "insecure-origin-with-credentials",
        "corsair.E006",
        "with credentials, a plain-`http` origin other than loopback, listed or matched by a regex",
    ),
    error(
        "regex-not-analysed-with-credentials",
        "corsair.E007",
        "with credentials, a regex too complex for corsair to tell which origins it matches",
    ),
    error(
        "wildcard-with-credentials",
        "corsair.E008",
        "`*` in `CORS_ALLOW_METHODS`, `CORS_ALLOW_HEADERS` or `CORS_EXPOSE_HEADERS` with credentials (browsers read it as a name)",
    ),
    error(
        "origin-not-canonical",
        "corsair.E009",
        "an origin's host is not in lower case: django-cors-headers compares it case-sensitively, so it never matches",
    ),
    error(
        "origin-default-port",
        "corsair.E010",
        "an origin with its scheme's default port (`:443`, `:80`), which browsers never send: it never matches",
    ),
    error(
        "origin-pattern-not-supported",
        "corsair.E011",
        "a `*` in an origin (`https://*.example.com`, `http://localhost:*`): compared literally, it never matches",
    ),
    error(
        "origin-missing-scheme",
        "corsair.E012",
        "an origin without `scheme://` (`example.com`, `localhost:8000`)",
    ),
    error(
        "origin-invalid-scheme",
        "corsair.E013",
        "an origin whose scheme is not a URL scheme",
    ),
    error(
        "origin-missing-host",
        "corsair.E014",
        "an origin without a host (`https://`)",
    ),
    error(
        "origin-invalid-host",
        "corsair.E015",
        "an origin whose host is not a host name or IP address",
    ),
    error(
        "origin-non-ascii-host",
        "corsair.E016",
        "an internationalised host not in its punycode form, which browsers send",
    ),
    error(
        "origin-non-canonical-ip",
        "corsair.E017",
        "an IP address not written as browsers write it (`127.1`, `[::FFFF:…]`)",
    ),
    error(
        "origin-invalid-port",
        "corsair.E018",
        "an origin whose port is not a number",
    ),
    error(
        "origin-port-out-of-range",
        "corsair.E019",
        "an origin whose port is above 65535",
    ),
    error(
        "origin-has-userinfo",
        "corsair.E020",
        "an origin with a user name or password, which browsers never send",
    ),
    error(
        "origin-has-whitespace",
        "corsair.E021",
        "an origin with whitespace",
    ),
    error(
        "wildcard-in-allowed-origins",
        "corsair.E022",
        "`*` in `CORS_ALLOWED_ORIGINS` (that is `CORS_ALLOW_ALL_ORIGINS`)",
    ),
    error(
        "empty-origin",
        "corsair.E023",
        "an empty string in `CORS_ALLOWED_ORIGINS`",
    ),
    error(
        "regex-never-matches",
        "corsair.E024",
        "a regex in `CORS_ALLOWED_ORIGIN_REGEXES` that matches no origin a browser sends",
    ),
    error(
        "urls-regex-never-matches",
        "corsair.E025",
        "a `CORS_URLS_REGEX` that matches no request path",
    ),
    error(
        "invalid-method",
        "corsair.E026",
        "an entry of `CORS_ALLOW_METHODS` that is not a method token",
    ),
    error(
        "invalid-header-name",
        "corsair.E027",
        "an entry of `CORS_ALLOW_HEADERS` or `CORS_EXPOSE_HEADERS` that is not a header name",
    ),
    error(
        "setting-wrong-type",
        "corsair.E028",
        "a setting of the wrong type (a string where a list is expected, a number for a boolean)",
    ),
    error(
        "unnumbered-error",
        "corsair.E999",
        "an error of a corsair rule this table does not number yet (the message starts with the rule's name)",
    ),
    warning(
        "broad-regex",
        "corsair.W001",
        "a regex matches `null` or an origin on a domain anyone can register, named in the message (`^https://\\w+\\.example\\.com` without `$` matches `https://a.example.com.corsairprobe.com`)",
    ),
    warning(
        "null-origin-allowed",
        "corsair.W002",
        "`null` in `CORS_ALLOWED_ORIGINS`: any site can send it",
    ),
    warning(
        "file-origin",
        "corsair.W003",
        "`file://` in `CORS_ALLOWED_ORIGINS`: any local file can send it",
    ),
    warning(
        "regex-not-analysed",
        "corsair.W004",
        "a regex too complex for corsair to tell which origins it matches",
    ),
    warning(
        "regex-not-rust-syntax",
        "corsair.W005",
        "a regex corsair cannot read (Python and Rust regex syntax differ: look-around, back-references); it is not judged",
    ),
    warning(
        "regex-unescaped-dot",
        "corsair.W006",
        "a `.` in a regex that matches any character where `\\.` was meant",
    ),
    warning(
        "origin-has-path",
        "corsair.W007",
        "an origin with a path or a trailing `/` (django-cors-headers ignores it; corsheaders.E014)",
    ),
    warning(
        "origin-has-query",
        "corsair.W008",
        "an origin with a query (ignored by django-cors-headers)",
    ),
    warning(
        "origin-has-fragment",
        "corsair.W009",
        "an origin with a fragment (ignored by django-cors-headers)",
    ),
    warning(
        "loopback-origin-with-credentials",
        "corsair.W010",
        "a loopback origin (`http://localhost:8080`) with credentials: any program on the user's machine can serve it",
    ),
    warning(
        "credentials-with-many-origins",
        "corsair.W011",
        "more than 8 origins and regexes with credentials",
    ),
    warning(
        "allow-all-origins-on-every-path",
        "corsair.W012",
        "`CORS_ALLOW_ALL_ORIGINS` without a `CORS_URLS_REGEX`",
    ),
    warning(
        "private-network-with-allow-all",
        "corsair.W013",
        "`CORS_ALLOW_PRIVATE_NETWORK` with `CORS_ALLOW_ALL_ORIGINS`",
    ),
    warning(
        "origin-lists-ignored-with-allow-all",
        "corsair.W014",
        "origins or regexes listed although `CORS_ALLOW_ALL_ORIGINS` makes django-cors-headers ignore them",
    ),
    warning(
        "no-origin-allowed",
        "corsair.W015",
        "no origin is allowed (no list, no regex, no allow-all, no `check_request_enabled` receiver)",
    ),
    warning(
        "forbidden-request-header",
        "corsair.W016",
        "a header in `CORS_ALLOW_HEADERS` that scripts can never send (`accept-encoding`, `dnt`, `origin`, `cookie`, ...)",
    ),
    warning(
        "response-header-in-allow-headers",
        "corsair.W017",
        "an `Access-Control-Allow-*` response header in `CORS_ALLOW_HEADERS`",
    ),
    warning(
        "wildcard-does-not-cover-authorization",
        "corsair.W018",
        "`*` in `CORS_ALLOW_HEADERS` without `authorization`, which the standard's `*` does not cover",
    ),
    warning(
        "set-cookie-never-exposed",
        "corsair.W019",
        "`set-cookie` in `CORS_EXPOSE_HEADERS`: browsers never expose it",
    ),
    warning(
        "safelisted-response-header",
        "corsair.W020",
        "a header in `CORS_EXPOSE_HEADERS` that scripts can always read",
    ),
    warning(
        "forbidden-method",
        "corsair.W021",
        "`CONNECT`, `TRACE` or `TRACK` in `CORS_ALLOW_METHODS`: scripts can never send them",
    ),
    warning(
        "method-not-normalised",
        "corsair.W022",
        "a standard method in lower case (`put`): browsers compare `Access-Control-Allow-Methods` case-sensitively",
    ),
    warning(
        "max-age-too-large",
        "corsair.W023",
        "`CORS_PREFLIGHT_MAX_AGE` above 86400, longer than any browser caches a preflight",
    ),
    warning(
        "max-age-above-browser-cap",
        "corsair.W024",
        "`CORS_PREFLIGHT_MAX_AGE` above Chromium's 7200 (other than the default 86400)",
    ),
    warning(
        "legacy-setting-name",
        "corsair.W025",
        "a setting under its pre-3.5 name (`CORS_ORIGIN_WHITELIST`, `CORS_ORIGIN_REGEX_WHITELIST`, `CORS_ORIGIN_ALLOW_ALL`)",
    ),
    warning(
        "legacy-setting-shadowed",
        "corsair.W026",
        "a pre-3.5 name set together with its new name, which wins: the old one is ignored",
    ),
    warning(
        "unknown-setting",
        "corsair.W027",
        "a `CORS_*` setting django-cors-headers does not read (a misspelt name)",
    ),
    warning(
        "unnumbered-warning",
        "corsair.W999",
        "a warning of a corsair rule this table does not number yet (the message starts with the rule's name)",
    ),
];

/// The kind named `name`.
pub fn named(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| kind.name == name)
}

/// The kind for a finding of an engine rule this table does not list.
pub fn unnumbered(severity: Severity) -> &'static Kind {
    let name = match severity {
        Severity::Error => "unnumbered-error",
        Severity::Warning => "unnumbered-warning",
    };
    named(name).unwrap_or(&KINDS[0])
}

/// The README's list of ids (the rows between its `django-ids` markers).
#[cfg(test)]
fn readme_table() -> String {
    let mut out = String::from("| id | kind | reported when |\n|---|---|---|\n");
    for kind in KINDS {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            kind.id, kind.name, kind.when
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_numbered_and_say_their_severity() {
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        let (mut errors, mut warnings) = (0, 0);
        for kind in KINDS {
            assert!(names.insert(kind.name), "{} twice", kind.name);
            assert!(ids.insert(kind.id), "{} twice", kind.id);
            let (prefix, count) = match kind.severity {
                Severity::Error => ("corsair.E", &mut errors),
                Severity::Warning => ("corsair.W", &mut warnings),
            };
            let number: u32 = kind
                .id
                .strip_prefix(prefix)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{} is not {prefix}###", kind.id));
            assert_eq!(kind.id.len(), prefix.len() + 3, "{}", kind.id);
            if number != 999 {
                *count += 1;
                assert_eq!(number, *count, "{} out of order", kind.id);
            }
        }
        assert_eq!(
            unnumbered(Severity::Warning).id,
            "corsair.W999",
            "the fallback kinds exist"
        );
        assert_eq!(unnumbered(Severity::Error).id, "corsair.E999");
    }

    /// The README lists every id; `CORSAIR_BLESS=1` rewrites the list.
    #[test]
    fn the_readme_lists_every_id() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).expect("README.md");
        let start = "<!-- django-ids: generated from crates/corsair-django/src/kinds.rs; `CORSAIR_BLESS=1 cargo test -p corsair-django the_readme_lists_every_id` rewrites it -->\n";
        let end = "<!-- /django-ids -->";
        let (Some(from), Some(to)) = (readme.find(start), readme.find(end)) else {
            panic!("README.md has no django-ids markers");
        };
        let current = &readme[from + start.len()..to];
        let wanted = readme_table();
        if current != wanted {
            if std::env::var_os("CORSAIR_BLESS").is_some() {
                let updated = format!("{}{wanted}{}", &readme[..from + start.len()], &readme[to..]);
                std::fs::write(path, updated).expect("README.md written");
            } else {
                panic!(
                    "README.md's id list is out of date: run `CORSAIR_BLESS=1 cargo test -p corsair-django the_readme_lists_every_id`"
                );
            }
        }
    }
}
