//! Where the credentials of a URL end, so that no message, log line, `/policy` document or
//! `Debug` output shows a password: the rule that hides the userinfo of every URL corsair takes
//! (`--upstream`, `[server] upstream`, the Redis and PostgreSQL URLs of the origins sources).
//!
//! The clients do not agree on where the userinfo ends. tokio-postgres reads it up to the
//! *first* `@` of the whole URL, across `/`, `?` and `#`
//! (`postgresql://corsair:S3cr/etPw@host/app` connects with the password `S3cr/etPw`); the
//! `url` crate (the Redis client) and `http::Uri` (the upstream) end the authority at the first
//! `/`, `?` or `#` and take the userinfo up to its last `@` ([RFC 3986 §3.2]), so the same URL
//! is for them a host `corsair` with a bad port and a path holding the password. A message about
//! that URL must hide the password all the same. So the userinfo shown as `***` runs from after
//! `://` to the *last* `@` of the URL: whichever `@` a client stops at, it is at or before that
//! one, so no client's password is ever shown, whatever `/`, `?`, `#` or `@` it holds. The
//! price is a URL whose path or query has an `@` of its own, which is shown from that `@` on.
//!
//! [RFC 3986 §3.2]: https://www.rfc-editor.org/rfc/rfc3986#section-3.2

/// The byte range of `raw`'s userinfo (between `://` and the last `@`), if it has one.
///
/// ```ignore
/// assert_eq!(userinfo("redis://:pw@h:6379/0"), Some(8..11));
/// assert_eq!(userinfo("postgresql://u:a/b@h/db"), Some(13..18));
/// assert_eq!(userinfo("http://h/x"), None);
/// ```
pub(super) fn userinfo(raw: &str) -> Option<std::ops::Range<usize>> {
    let start = raw.find("://")? + 3;
    let at = raw[start..].rfind('@')?;
    Some(start..start + at)
}

/// `raw` with the password of its userinfo replaced by `***` (`http://user:***@host`), or the
/// whole userinfo when it has no password or its user name is not plain (`http://***@host`).
///
/// ```ignore
/// assert_eq!(redact_userinfo("postgresql://corsair:S3cr/etPw@h/app"), "postgresql://corsair:***@h/app");
/// assert_eq!(redact_userinfo("http://token@h"), "http://***@h");
/// ```
pub(super) fn redact_userinfo(raw: &str) -> String {
    let Some(range) = userinfo(raw) else {
        return raw.to_owned();
    };
    let kept = match raw[range.clone()].split_once(':') {
        // The user name is shown when no client could read part of the password into it.
        Some((user, _)) if !user.contains(['/', '?', '#', '@']) => format!("{user}:***"),
        _ => "***".to_owned(),
    };
    format!("{}{kept}{}", &raw[..range.start], &raw[range.end..])
}

/// The host, port and path of `raw` (without `scheme://`, the userinfo, the query and the
/// fragment), when showing them cannot show a secret: `None` for text without `://`, and for a
/// URL whose last `@` follows a `?` (`...?password=p@ss`: what follows that `@` may be the end
/// of a password in the query, or the host after a password holding `?`).
///
/// ```ignore
/// assert_eq!(host_and_path("postgresql://u:a/b@h:5432/db?sslmode=require"), Some("h:5432/db"));
/// assert_eq!(host_and_path("postgresql://h/db?password=p@ss"), None);
/// ```
pub(super) fn host_and_path(raw: &str) -> Option<&str> {
    let rest = &raw[raw.find("://")? + 3..];
    let rest = match rest.rfind('@') {
        Some(at) if rest[..at].contains('?') => return None,
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    Some(&rest[..rest.find(['?', '#']).unwrap_or(rest.len())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_password_is_hidden_wherever_a_client_ends_it() {
        let table = [
            ("http://user:secret@host", "http://user:***@host"),
            (
                "https://user:secret@host:8443/p?q",
                "https://user:***@host:8443/p?q",
            ),
            ("http://secret@host/a@b", "http://***@b"),
            ("http://host/a@b", "http://***@b"),
            ("http://host/a", "http://host/a"),
            ("60s", "60s"),
            // The findings' URLs: tokio-postgres reads the userinfo to the first `@`.
            (
                "postgresql://corsair:S3cr/etPw+x@127.0.0.1:5432/app",
                "postgresql://corsair:***@127.0.0.1:5432/app",
            ),
            (
                "http://user:S3cr3t/Pw@127.0.0.1:8000",
                "http://user:***@127.0.0.1:8000",
            ),
            (
                "redis://:S3cr/et@127.0.0.1:6379/0",
                "redis://:***@127.0.0.1:6379/0",
            ),
            (
                "redis://:pa?ss#w@127.0.0.1:6379/0",
                "redis://:***@127.0.0.1:6379/0",
            ),
            (
                "postgresql://corsair:p@ss@127.0.0.1/app",
                "postgresql://corsair:***@127.0.0.1/app",
            ),
            (
                "postgresql://co/rsair:pw@127.0.0.1/app",
                "postgresql://***@127.0.0.1/app",
            ),
        ];
        for (raw, shown) in table {
            assert_eq!(redact_userinfo(raw), shown, "{raw}");
        }
    }

    #[test]
    fn the_host_and_path_shown_of_a_store() {
        let table = [
            ("redis://:pw@h:6379/0", Some("h:6379/0")),
            ("postgresql://u:a/b@c@h/db?x=1", Some("h/db")),
            ("http://h/x#f", Some("h/x")),
            ("postgresql://h/db?password=p@ss", None),
            ("redis://:pa?ss@h:6379/0", None),
            ("redis://:pa#ss@h:6379/0", Some("h:6379/0")),
            ("h:6379", None),
        ];
        for (raw, shown) in table {
            assert_eq!(host_and_path(raw), shown, "{raw}");
        }
    }

    proptest! {
        /// Whatever a password holds, and wherever a client ends the userinfo (at any `@`), the
        /// redacted URL never contains the password.
        #[test]
        fn no_password_survives(
            scheme in prop::sample::select(vec!["http", "https", "redis", "rediss", "postgresql", "postgres"]),
            user in "[a-z]{0,8}",
            password in "[A-Za-z0-9/?#@+:%]{1,24}",
            host in "[a-z0-9.]{1,12}(:[0-9]{1,5})?",
            path in "(/[a-z0-9]{0,8}){0,2}",
        ) {
            let secret = format!("SECRET{password}");
            let raw = format!("{scheme}://{user}:{secret}@{host}{path}");
            let shown = redact_userinfo(&raw);
            prop_assert!(!shown.contains(&secret), "{} -> {}", raw, shown);
            prop_assert!(!shown.contains("SECRET"), "{} -> {}", raw, shown);
            prop_assert!(shown.ends_with(&format!("@{host}{path}")), "{} -> {}", raw, shown);
        }
    }
}
