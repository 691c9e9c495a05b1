//! Deciding: classify a request (outside `urls_regex`, preflight, actual), then decide on its
//! origin by the policy's lists and, when they refuse it, by the origin hook.

use super::{Decided, OriginVerdict, Outcome, Pending, RequestKind};
use crate::compiled::{HeaderValues, Policy};
use crate::head::{OriginLines, RequestHead, Value};
use crate::hook::{HookOutcome, HookRequest};
use crate::origin::RequestOrigin;
use crate::path;

/// Decides on a request head of any framework (`values` is the policy's values in its
/// header type): by the lists, then, if they refuse a valid origin, by the origin hook.
pub(crate) fn decide<H: RequestHead>(
    policy: &Policy,
    head: &H,
    values: &HeaderValues<H::Value>,
) -> Decided<H::Value> {
    let (mut outcome, ask) = by_lists(policy, head, values);
    let (Some(origin), Some(hook)) = (ask, &policy.hook) else {
        return Decided::Ready(outcome);
    };
    // A parsed origin is ASCII.
    let text = std::str::from_utf8(origin.bytes()).unwrap_or_default();
    match hook.call(&HookRequest::new(text, head)) {
        HookOutcome::Ready(true) => {
            outcome.allow(origin.clone());
            Decided::Ready(outcome)
        }
        HookOutcome::Ready(false) => Decided::Ready(outcome),
        HookOutcome::Pending(future) => Decided::Pending(Pending {
            outcome: Some(outcome),
            echo: origin.clone(),
            hook: future,
        }),
    }
}

/// Classifies a request head and decides on its origin by the policy's lists, in the
/// header value type of the framework (`values` is the policy's values in that type). Also
/// returns the `Origin` value when the origin is valid, not allowed by the lists, and an
/// origin hook is installed to ask.
fn by_lists<'h, H: RequestHead>(
    policy: &Policy,
    head: &'h H,
    values: &HeaderValues<H::Value>,
) -> (Outcome<H::Value>, Option<&'h H::Value>) {
    if let Some(urls) = &policy.urls_regex {
        if !urls.is_match(&*path::normalize(head.path().as_bytes())) {
            return (Outcome::new(RequestKind::Bypass), None);
        }
    }
    let origin = head.origin();
    let kind = if !matches!(origin, OriginLines::Missing)
        && head.is_options()
        && head.has_request_method()
    {
        RequestKind::Preflight
    } else {
        RequestKind::Actual
    };
    let mut outcome = Outcome::new(kind);
    let value = match origin {
        OriginLines::Missing => return (outcome, None),
        OriginLines::Several => None,
        OriginLines::One(value) => Some(value),
    };
    let Some((value, parsed)) = value.and_then(|v| Some((v, RequestOrigin::parse(v.bytes())?)))
    else {
        outcome.verdict = OriginVerdict::Invalid;
        return (outcome, None);
    };
    outcome.private_network = kind == RequestKind::Preflight
        && policy.private_network
        && head.request_private_network() == Some(b"true");
    if policy.allow_all_origins {
        outcome.allow(values.wildcard.clone());
        return (outcome, None);
    }
    if policy.matcher.allows(parsed) {
        outcome.allow(value.clone());
        return (outcome, None);
    }
    outcome.verdict = OriginVerdict::Disallowed;
    (outcome, policy.hook.is_some().then_some(value))
}
