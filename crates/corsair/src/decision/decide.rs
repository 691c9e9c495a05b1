//! Deciding: a request is decided by the policy's lists (`lists.rs`) and, when they refuse its
//! origin, by the origin hook; the observer is told what was decided, and what the report-only
//! candidate would have decided.

use std::sync::Arc;

use super::evaluation::Observing;
use super::lists::by_lists;
use super::{Answer, Decided, OriginVerdict, Pending};
use crate::compiled::{HeaderValues, Policy};
use crate::head::{HeadView, OriginLines, RequestHead, Value};
use crate::hook::{HookOutcome, HookRequest};
use crate::observation::{Observation, Summary};

/// Decides on a request head of any framework (`values` is the policy's values in its
/// header type): by the lists, then, if they refuse a valid origin, by the origin hook; and
/// tells the observer, if there is one.
#[inline(always)] // An answer passes through (see `Answer`).
pub(crate) fn decide<H: RequestHead>(
    policy: &Policy,
    head: &H,
    values: &[HeaderValues<H::Value>],
) -> Decided<H::Value> {
    // What a preflight asks for is checked only for an observer (`Cors::refusal` otherwise).
    let (mut answer, ask) = by_lists(policy, head, values, policy.observer.is_some());
    let hook = policy
        .rules
        .get(answer.rules)
        .and_then(|rules| rules.hook.as_ref());
    // What the report-only candidate decides, when someone is told.
    let candidate = policy
        .observer
        .as_ref()
        .and_then(|_| candidate(policy, head));
    let (Some(origin), Some(hook)) = (ask, hook) else {
        if policy.observer.is_some() {
            observe(policy, Some(head), &answer, one_origin(head), candidate);
        }
        return Decided::Ready(answer);
    };
    // A parsed origin is ASCII.
    let text = std::str::from_utf8(origin.bytes()).unwrap_or_default();
    match hook.call(&HookRequest::new(text, head)) {
        HookOutcome::Ready(allowed) => {
            if allowed {
                answer.allow(origin.clone());
            }
            if policy.observer.is_some() {
                observe(policy, Some(head), &answer, one_origin(head), candidate);
            }
            Decided::Ready(answer)
        }
        HookOutcome::Pending(future) => {
            // The observer is told when the hook answers; what it needs is kept now.
            let observing = policy.observer.as_ref().map(|observer| {
                Box::new(Observing {
                    observer: Arc::clone(observer),
                    candidate,
                    route_path: route_path(policy, answer.rules).map(str::to_owned),
                })
            });
            Decided::Pending(Pending {
                outcome: Some(answer),
                echo: origin.clone(),
                hook: future,
                observing,
            })
        }
    }
}

/// The request's `Origin` value, when it has exactly one (what the observer is shown).
fn one_origin<H: RequestHead>(head: &H) -> Option<&[u8]> {
    match head.origin() {
        OriginLines::One(value) => Some(value.bytes()),
        _ => None,
    }
}

/// Tells the policy's observer, if there is one, what was decided (and what the report-only
/// candidate would have decided).
pub(crate) fn observe<V>(
    policy: &Policy,
    head: Option<&dyn HeadView>,
    answer: &Answer<V>,
    origin: Option<&[u8]>,
    candidate: Option<Summary>,
) {
    let Some(observer) = &policy.observer else {
        return;
    };
    let decided = answer.summary();
    observer.observe(&Observation {
        decided,
        candidate: candidate.filter(|c| differs(&decided, c)),
        route_path: route_path(policy, answer.rules),
        head,
        origin,
    });
}

/// The `path` of rules `index`'s route.
pub(crate) fn route_path(policy: &Policy, index: usize) -> Option<&str> {
    let route = index.checked_sub(1)?;
    policy.config.routes.get(route).map(|r| r.path.as_str())
}

/// What the report-only candidate decides, by its lists and a synchronous origin hook (an
/// asynchronous hook of the candidate is not asked: its origin counts as refused).
fn candidate<H: RequestHead>(policy: &Policy, head: &H) -> Option<Summary> {
    let candidate = policy.candidate.as_deref()?;
    let (mut answer, ask) = by_lists::<H>(candidate, head, &[], true);
    let hook = candidate
        .rules
        .get(answer.rules)
        .and_then(|r| r.hook.as_ref());
    if let (Some(origin), Some(hook)) = (ask, hook) {
        let text = std::str::from_utf8(origin.bytes()).unwrap_or_default();
        if let HookOutcome::Ready(true) = hook.call_sync_only(&HookRequest::new(text, head)) {
            answer.verdict = OriginVerdict::Allowed;
        }
    }
    Some(answer.summary())
}

/// Whether two decisions differ in what the browser is told.
fn differs(enforced: &Summary, candidate: &Summary) -> bool {
    (enforced.outcome, enforced.refusal) != (candidate.outcome, candidate.refusal)
}
