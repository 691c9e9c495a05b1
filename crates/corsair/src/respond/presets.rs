//! Whole response heads, written once per rules into `http` 1 maps by the writing code itself:
//! a response whose map has no room yet (a preflight's answer, a handler's response without
//! headers) gets a copy, which costs the two allocations its first insert would and no hashing,
//! instead of one insert per header. Maps that have room or headers are written header by header.

use http::HeaderMap;
use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;

use super::write::{apply, write_preflight};
use crate::compiled::{Policy, Presets};
use crate::decision::Answer;
use crate::observation::RequestKind;

/// The presets of each of the policy's rules, written by [`write_preflight`] and [`apply`] for
/// an allowed origin (`*` stands in for its echo). A refused origin's head has one header
/// (`Vary`), which one insert writes faster than a copy.
pub(crate) fn presets(policy: &Policy) -> Vec<Presets> {
    let written = |index: usize, kind: RequestKind| {
        let mut answer = Answer::new(kind).by(index);
        if let Some(values) = policy.values.get(index) {
            answer.allow(values.wildcard.clone());
        }
        let mut headers = HeaderMap::new();
        match kind {
            RequestKind::Preflight => {
                write_preflight(policy, &policy.values, &answer, &mut headers)
            }
            _ => apply(policy, &policy.values, &answer, &mut headers),
        }
        headers
    };
    (0..policy.rules.len())
        .map(|index| Presets {
            preflight: written(index, RequestKind::Preflight),
            actual: written(index, RequestKind::Actual),
        })
        .collect()
}

/// Writes an allowed origin's headers (a preflight's, or an actual response's) by copying its
/// preset, when `headers` has no room yet (so no header either); `false` when it is left to the
/// header by header writing (a map with room, a refused origin, a request that passes
/// untouched, a private network preflight, a policy without presets).
pub(crate) fn write_preset(
    policy: &Policy,
    outcome: &Answer<http::HeaderValue>,
    headers: &mut HeaderMap,
) -> bool {
    if headers.capacity() != 0 {
        return false;
    }
    let Some(presets) = policy.presets.get(outcome.rules) else {
        return false;
    };
    let Some(origin) = &outcome.allow_origin else {
        return false;
    };
    let preset = match outcome.kind {
        RequestKind::Bypass => return false,
        RequestKind::Preflight if outcome.private_network => return false,
        RequestKind::Preflight => &presets.preflight,
        RequestKind::Actual => &presets.actual,
    };
    *headers = preset.clone();
    // Replaces the stand-in where it stands (an insert would first make room for a new entry).
    if let Some(stand_in) = headers.get_mut(ACCESS_CONTROL_ALLOW_ORIGIN) {
        *stand_in = origin.clone();
    }
    true
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue, Method, Uri};

    use crate::Cors;

    /// The headers of the decision on a request, written into a fresh map (the preset's copy)
    /// and into a map with room (header by header), in order.
    fn both_ways(cors: &Cors, method: &Method, request: &[(&str, &str)]) -> [Vec<String>; 2] {
        let mut headers = HeaderMap::new();
        for (name, value) in request {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let uri = Uri::from_static("/api/items");
        let decision = cors.evaluate(method, &uri, &headers).now().unwrap();
        let write = |mut response: HeaderMap| {
            match decision.kind() {
                crate::RequestKind::Preflight => {
                    cors.write_preflight_headers(&decision, &mut response)
                }
                _ => cors.apply(&decision, &mut response),
            }
            response
                .iter()
                .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
                .collect::<Vec<_>>()
        };
        [write(HeaderMap::new()), write(HeaderMap::with_capacity(16))]
    }

    #[test]
    fn a_preset_copy_writes_what_writing_header_by_header_writes() {
        let policies = [
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .allow_credentials(true)
                .allow_methods(["GET", "PUT"])
                .allow_headers(["content-type"])
                .expose_headers(["x-request-id"])
                .preflight_max_age(600)
                .build()
                .unwrap(),
            Cors::builder().allow_all_origins(true).build().unwrap(),
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .allow_private_network(true)
                .route("^/api/", Cors::builder().allow_all_origins(true))
                .build()
                .unwrap(),
        ];
        let requests: [(Method, &[(&str, &str)]); 6] = [
            (Method::GET, &[("origin", "https://app.example")]),
            (Method::GET, &[("origin", "https://evil.example")]),
            (Method::GET, &[]),
            (
                Method::OPTIONS,
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "PUT"),
                ],
            ),
            (
                Method::OPTIONS,
                &[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", "PUT"),
                ],
            ),
            (
                Method::OPTIONS,
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "PUT"),
                    ("access-control-request-private-network", "true"),
                ],
            ),
        ];
        for (index, cors) in policies.iter().enumerate() {
            for (method, request) in &requests {
                let [copied, written] = both_ways(cors, method, request);
                assert_eq!(copied, written, "policy {index}, {method} {request:?}");
            }
        }
    }
}
