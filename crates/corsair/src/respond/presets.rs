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
