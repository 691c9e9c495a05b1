//! Secrets are never printed: the values of `Authorization`, `Proxy-Authorization` and
//! `Cookie` request headers, and the values of `Set-Cookie` cookies, are replaced in every
//! report (text and JSON). A recorded session replays real tokens; its report must not show
//! them.

use std::borrow::Cow;

/// What a redacted value is shown as.
pub(super) const REDACTED: &str = "[redacted]";

/// `value` as a report may show it for header `name` (a lowercase name).
pub(super) fn header_value<'v>(name: &str, value: &'v str) -> Cow<'v, str> {
    match name {
        "authorization" | "proxy-authorization" => {
            // The scheme says what kind of credential it is, and is no secret.
            match value.split_once(' ') {
                Some((scheme, _)) => Cow::Owned(format!("{scheme} {REDACTED}")),
                None => Cow::Borrowed(REDACTED),
            }
        }
        "cookie" => Cow::Owned(
            value
                .split(';')
                .map(|pair| match pair.split_once('=') {
                    Some((cookie, _)) => format!("{}={REDACTED}", cookie.trim()),
                    None => REDACTED.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        "set-cookie" => match value.split_once(';') {
            // The attributes (SameSite, Secure) matter to CORS; the value does not.
            Some((pair, attributes)) => Cow::Owned(format!(
                "{}={REDACTED};{attributes}",
                pair.split('=').next().unwrap_or_default().trim()
            )),
            None => Cow::Owned(format!(
                "{}={REDACTED}",
                value.split('=').next().unwrap_or_default().trim()
            )),
        },
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_replaced_and_what_matters_to_cors_is_kept() {
        let table = [
            ("authorization", "Bearer eyJ.secret", "Bearer [redacted]"),
            ("authorization", "token", "[redacted]"),
            ("proxy-authorization", "Basic dTpw", "Basic [redacted]"),
            (
                "cookie",
                "session=abc; theme=dark",
                "session=[redacted]; theme=[redacted]",
            ),
            (
                "set-cookie",
                "session=abc; Path=/; SameSite=None; Secure",
                "session=[redacted]; Path=/; SameSite=None; Secure",
            ),
            ("set-cookie", "session=abc", "session=[redacted]"),
            ("x-token", "visible", "visible"),
        ];
        for (name, value, shown) in table {
            assert_eq!(header_value(name, value), shown, "{name}");
        }
    }
}
