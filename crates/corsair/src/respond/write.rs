//! Writing the decision into a response head: the preflight answer, and the CORS headers of an
//! actual response. The answer is taken by value: its allowed origin moves into the head (a
//! caller that keeps its decision passes a copy).

use super::vary::merge_vary_origin;
use crate::compiled::{HeaderValues, Policy};
use crate::decision::Answer;
use crate::head::{CorsHeader, Http1Lines, ResponseHeaders};
use crate::observation::RequestKind;

/// Writes a preflight answer's headers for any framework (see
/// [`Cors::write_preflight_headers`](crate::Cors::write_preflight_headers)).
pub(crate) fn write_preflight<R: ResponseHeaders>(
    policy: &Policy,
    values: &[HeaderValues<R::Value>],
    outcome: Answer<R::Value>,
    headers: &mut R,
) {
    let (Some(rules), Some(values)) = (policy.rules.get(outcome.rules), values.get(outcome.rules))
    else {
        return;
    };
    headers.set(CorsHeader::Vary, values.preflight_vary.clone());
    let Some(allow_origin) = outcome.allow_origin else {
        return;
    };
    headers.set(CorsHeader::AllowOrigin, allow_origin);
    if rules.credentials {
        headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
    }
    if let Some(v) = &values.allow_methods {
        headers.set(CorsHeader::AllowMethods, v.clone());
    }
    if let Some(v) = &values.allow_headers {
        headers.set(CorsHeader::AllowHeaders, v.clone());
    }
    if let Some(v) = &values.max_age {
        headers.set(CorsHeader::MaxAge, v.clone());
    }
    if outcome.private_network {
        headers.set(CorsHeader::AllowPrivateNetwork, values.true_value.clone());
    }
}

/// Writes an actual response's CORS headers for any framework (see
/// [`Cors::apply`](crate::Cors::apply)).
pub(crate) fn apply<R: ResponseHeaders>(
    policy: &Policy,
    values: &[HeaderValues<R::Value>],
    outcome: Answer<R::Value>,
    headers: &mut R,
) {
    match outcome.kind {
        RequestKind::Bypass => return,
        RequestKind::Preflight => return write_preflight(policy, values, outcome, headers),
        RequestKind::Actual => {}
    }
    let (Some(rules), Some(values)) = (policy.rules.get(outcome.rules), values.get(outcome.rules))
    else {
        return;
    };
    merge_vary_origin(headers, &values.vary_origin);
    let Some(allow_origin) = outcome.allow_origin else {
        return;
    };
    headers.set(CorsHeader::AllowOrigin, allow_origin);
    if rules.credentials {
        headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
    }
    if let Some(v) = &values.expose_headers {
        headers.set(CorsHeader::ExposeHeaders, v.clone());
    }
}

/// Writes an actual response's `Vary` and CORS headers as HTTP/1.1 lines onto `out` (see
/// [`Cors::write_actual_lines`](crate::Cors::write_actual_lines)): the response's own `Vary`
/// values (`vary`) merged with `origin` where the policy needs it, or as they are.
pub(crate) fn apply_as_lines<'v>(
    policy: &Policy,
    outcome: Answer<http::HeaderValue>,
    vary: impl Iterator<Item = &'v [u8]> + Clone,
    out: &mut Vec<u8>,
) {
    let start = out.len();
    let mut lines = Http1Lines {
        out,
        vary: vary.clone(),
        vary_written: false,
    };
    apply(policy, &policy.values, outcome, &mut lines);
    if !lines.vary_written {
        // The response's own values stand, first, as they would in its map.
        let written = lines.out.len();
        for value in vary {
            lines.out.extend_from_slice(b"vary: ");
            lines.out.extend_from_slice(value);
            lines.out.extend_from_slice(b"\r\n");
        }
        let own = lines.out.len() - written;
        lines.out[start..].rotate_right(own);
    }
}
