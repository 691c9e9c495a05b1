//! Deciding: classify a request (outside `urls_regex`, preflight, actual), then decide on its
//! origin by the policy's lists and, when they refuse it, by the origin hook.

use super::refusal::preflight_refusal;
use super::{Decided, OriginVerdict, Outcome, Pending, RequestKind};
use regex_automata::{Anchored, Input};

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
    values: &[HeaderValues<H::Value>],
) -> Decided<H::Value> {
    let (mut outcome, ask) = by_lists(policy, head, values);
    let hook = policy
        .rules
        .get(outcome.rules)
        .and_then(|rules| rules.hook.as_ref());
    let (Some(origin), Some(hook)) = (ask, hook) else {
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
    values: &[HeaderValues<H::Value>],
) -> (Outcome<H::Value>, Option<&'h H::Value>) {
    let normalized = (policy.urls_regex.is_some() || policy.routes.is_some())
        .then(|| path::normalize(head.path().as_bytes()));
    if let (Some(urls), Some(path)) = (&policy.urls_regex, &normalized) {
        if !urls.is_match(&**path) {
            return (Outcome::new(RequestKind::Bypass), None);
        }
    }
    // The first route whose path matches; the default policy otherwise.
    let index = match (&policy.routes, &normalized) {
        (Some(routes), Some(path)) => routes
            .search(&Input::new(&**path).anchored(Anchored::Yes))
            .map_or(0, |found| found.pattern().as_usize() + 1),
        _ => 0,
    };
    let (Some(rules), Some(values)) = (policy.rules.get(index), values.get(index)) else {
        return (Outcome::new(RequestKind::Bypass), None);
    };
    if !rules.enabled {
        return (Outcome::new(RequestKind::Bypass).by(index), None);
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
    let mut outcome = Outcome::new(kind).by(index);
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
        && rules.private_network
        && head.request_private_network() == Some(b"true");
    if kind == RequestKind::Preflight {
        outcome.preflight_refusal = preflight_refusal(rules, head, |_| {}, |_| {});
    }
    if rules.allow_all_origins {
        outcome.allow(values.wildcard.clone());
        return (outcome, None);
    }
    if rules.matcher.allows(parsed) {
        outcome.allow(value.clone());
        return (outcome, None);
    }
    outcome.verdict = OriginVerdict::Disallowed;
    (outcome, rules.hook.is_some().then_some(value))
}
