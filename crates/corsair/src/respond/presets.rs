//! Whole response heads, written once per rules into `http` 1 maps by the writing code itself:
//! a response whose map has no room yet (a preflight's answer, a handler's response without
//! headers) gets a copy, which costs the two allocations its first insert would and no hashing,
//! instead of one insert per header. Maps that have room or headers are written header by header.
//! A preflight's preset is also kept as HTTP/1.1 lines, for a server that writes its answers as
//! bytes: two copies around the origin instead of a map.

use http::HeaderMap;
use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;

use super::write::{apply, write_preflight};
use crate::compiled::{Policy, PresetHead, PresetLines, Presets};
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
            RequestKind::Preflight => write_preflight(policy, &policy.values, answer, &mut headers),
            _ => apply(policy, &policy.values, answer, &mut headers),
        }
        let origin_at = headers
            .iter()
            .position(|(name, _)| name == ACCESS_CONTROL_ALLOW_ORIGIN);
        PresetHead { headers, origin_at }
    };
    (0..policy.rules.len())
        .map(|index| {
            let preflight = written(index, RequestKind::Preflight);
            Presets {
                preflight_lines: lines(&preflight.headers),
                preflight,
                actual: written(index, RequestKind::Actual),
            }
        })
        .collect()
}

/// `headers` as HTTP/1.1 lines, split at `Access-Control-Allow-Origin`'s value (which a preset
/// has once; without one, every line is before it).
fn lines(headers: &HeaderMap) -> PresetLines {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut out = &mut before;
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        if name == ACCESS_CONTROL_ALLOW_ORIGIN {
            out = &mut after;
        } else {
            out.extend_from_slice(value.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    PresetLines {
        before_origin: before.into_boxed_slice(),
        after_origin: after.into_boxed_slice(),
    }
}

/// The preset of an allowed origin's answer of `kind`, and the origin to put in it; `None`
/// where the answer is written header by header (a refused origin, a request that passes
/// untouched, a private network preflight, a policy without presets).
fn preset_of<'a>(
    policy: &'a Policy,
    outcome: &'a Answer<http::HeaderValue>,
) -> Option<(&'a Presets, &'a http::HeaderValue)> {
    let presets = policy.presets.get(outcome.rules)?;
    let origin = outcome.allow_origin.as_ref()?;
    match outcome.kind {
        RequestKind::Bypass => None,
        RequestKind::Preflight if outcome.private_network => None,
        RequestKind::Preflight | RequestKind::Actual => Some((presets, origin)),
    }
}

/// Writes a preflight's answer headers for an allowed origin as HTTP/1.1 lines onto `out`
/// (`name: value` and CRLF each, names in lower case, in the order [`write_preset`] gives
/// them); `false`, with nothing written, when the answer has no preset.
pub(crate) fn write_preflight_lines(
    policy: &Policy,
    outcome: &Answer<http::HeaderValue>,
    out: &mut Vec<u8>,
) -> bool {
    if outcome.kind != RequestKind::Preflight {
        return false;
    }
    let Some((presets, origin)) = preset_of(policy, outcome) else {
        return false;
    };
    let lines = &presets.preflight_lines;
    out.extend_from_slice(&lines.before_origin);
    if !lines.after_origin.is_empty() {
        out.extend_from_slice(origin.as_bytes());
        out.extend_from_slice(&lines.after_origin);
    }
    true
}

/// Writes an allowed origin's headers (a preflight's, or an actual response's) by copying its
/// preset, when `headers` has no room yet (so no header either), and moving the allowed origin
/// into it. Hands `outcome` back, with nothing written, when it is left to the header by header
/// writing (a map with room, a refused origin, a request that passes untouched, a private
/// network preflight, a policy without presets).
#[inline(always)] // An answer passes through (see `Answer`).
pub(crate) fn write_preset(
    policy: &Policy,
    outcome: Answer<http::HeaderValue>,
    headers: &mut HeaderMap,
) -> Result<(), Answer<http::HeaderValue>> {
    if headers.capacity() != 0 {
        return Err(outcome);
    }
    let Some((presets, _)) = preset_of(policy, &outcome) else {
        return Err(outcome);
    };
    let preset = match outcome.kind {
        RequestKind::Preflight => &presets.preflight,
        _ => &presets.actual,
    };
    *headers = preset.headers.clone();
    // Replaces the stand-in where it stands (an insert would first make room for a new entry),
    // found by its position (a lookup would hash the name).
    let stand_in = preset.origin_at.and_then(|at| headers.values_mut().nth(at));
    if let (Some(stand_in), Some(origin)) = (stand_in, outcome.allow_origin) {
        *stand_in = origin;
    }
    Ok(())
}
