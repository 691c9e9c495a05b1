//! Deciding: classify a request (outside `urls_regex`, preflight, actual), then decide on its
//! origin by the policy's lists and, when they refuse it, by the origin hook.

use std::sync::Arc;

use super::evaluation::Observing;
use super::refusal::preflight_refusal;
use super::{Answer, Decided, Observation, OriginVerdict, Pending, RequestKind, Summary};
use crate::compiled::{HeaderValues, Policy};
use crate::head::{HeadView, OriginLines, RequestHead, Value};
use crate::hook::{HookOutcome, HookRequest};
use crate::origin::RequestOrigin;
use crate::path;

/// Decides on a request head of any framework (`values` is the policy's values in its
/// header type): by the lists, then, if they refuse a valid origin, by the origin hook; and
/// tells the observer, if there is one.
pub(crate) fn decide<H: RequestHead>(
    policy: &Policy,
    head: &H,
    values: &[HeaderValues<H::Value>],
) -> Decided<H::Value> {
    let (mut answer, ask) = by_lists(policy, head, values);
    let hook = policy
        .rules
        .get(answer.rules)
        .and_then(|rules| rules.hook.as_ref());
    let origin_bytes = match head.origin() {
        OriginLines::One(value) => Some(value.bytes()),
        _ => None,
    };
    // What the report-only candidate decides, when someone is told.
    let candidate = policy
        .observer
        .as_ref()
        .and_then(|_| candidate(policy, head));
    let (Some(origin), Some(hook)) = (ask, hook) else {
        observe(policy, Some(head), &answer, origin_bytes, candidate);
        return Decided::Ready(answer);
    };
    // A parsed origin is ASCII.
    let text = std::str::from_utf8(origin.bytes()).unwrap_or_default();
    match hook.call(&HookRequest::new(text, head)) {
        HookOutcome::Ready(allowed) => {
            if allowed {
                answer.allow(origin.clone());
            }
            observe(policy, Some(head), &answer, origin_bytes, candidate);
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
    let decided = Summary::of(answer);
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
    let (mut answer, ask) = by_lists::<H>(candidate, head, &[]);
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
    Some(Summary::of(&answer))
}

/// Whether two decisions differ in what the browser is told.
fn differs(enforced: &Summary, candidate: &Summary) -> bool {
    (enforced.outcome, enforced.refusal) != (candidate.outcome, candidate.refusal)
}

/// Classifies a request head and decides on its origin by the policy's lists, in the
/// header value type of the framework (`values` is the policy's values in that type). Also
/// returns the `Origin` value when the origin is valid, not allowed by the lists, and an
/// origin hook is installed to ask.
pub(super) fn by_lists<'h, H: RequestHead>(
    policy: &Policy,
    head: &'h H,
    values: &[HeaderValues<H::Value>],
) -> (Answer<H::Value>, Option<&'h H::Value>) {
    let (index, other) = match choose_rules(policy, head.path()) {
        Choice::Bypass(index) => return (Answer::new(RequestKind::Bypass).by(index), None),
        Choice::Rules { index, other } => (index, other),
    };
    let Some(rules) = policy.rules.get(index) else {
        return (Answer::new(RequestKind::Bypass), None);
    };
    // No values: only the verdict is wanted (a report-only candidate's).
    let values = values.get(index);
    let origin = head.origin();
    // Read once: it classifies the request and is what a preflight asks for.
    let requested_method = (!matches!(origin, OriginLines::Missing) && head.is_options())
        .then(|| head.request_method())
        .flatten();
    let kind = if requested_method.is_some() {
        RequestKind::Preflight
    } else {
        RequestKind::Actual
    };
    let mut outcome = Answer::new(kind).by(index);
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
        outcome.preflight_refusal =
            preflight_refusal(rules, head, requested_method, |_| {}, |_| {});
    }
    // A path whose rules depend on its case gets only what the other reading grants too.
    let also_granted = || match other {
        None => true,
        Some(Other::Bypass) => false,
        Some(Other::Rules(other)) => policy.rules.get(other).is_some_and(|other| {
            other.enabled
                && (other.allow_all_origins || other.lists_allow(parsed))
                && (other.credentials || !rules.credentials)
        }),
    };
    if rules.allow_all_origins && also_granted() {
        outcome.verdict = OriginVerdict::Allowed;
        outcome.allow_origin = values.map(|values| values.wildcard.clone());
        return (outcome, None);
    }
    if !rules.allow_all_origins && rules.lists_allow(parsed) && also_granted() {
        outcome.verdict = OriginVerdict::Allowed;
        outcome.allow_origin = values.map(|_| value.clone());
        return (outcome, None);
    }
    outcome.verdict = OriginVerdict::Disallowed;
    // The hook is asked only where the path's rules are certain.
    (
        outcome,
        (rules.hook.is_some() && other.is_none()).then_some(value),
    )
}

/// The rules a request path is decided by.
enum Choice {
    /// Outside `urls_regex` (rules 0), or on rules with `enabled = false`: pass untouched.
    Bypass(usize),
    /// Rules `index`; `other`: what the path would pick if its case did not count, when that
    /// differs.
    Rules { index: usize, other: Option<Other> },
}

/// What a path picks when read the other way round (with or without regard to case).
#[derive(Clone, Copy)]
enum Other {
    Bypass,
    Rules(usize),
}

/// Chooses a path's rules: the first route whose path matches the normalized path, the default
/// policy otherwise, nothing outside `urls_regex`. Where `urls_regex` or a route path reads
/// letters (and `case_insensitive_paths` is off), the path is read again without regard to case,
/// since the upstream may route that way: `/ADMIN/users` is its `/admin/users` to Express.
fn choose_rules(policy: &Policy, path: &str) -> Choice {
    let enabled = |index: usize| policy.rules.get(index).is_some_and(|rules| rules.enabled);
    let (exact, folded) = if policy.paths.is_empty() && policy.case_folded.is_none() {
        (Some(0), None)
    } else {
        let normalized = path::normalize(path.as_bytes());
        let folded = policy
            .case_folded
            .as_deref()
            .filter(|folded| folded.may_differ(&normalized))
            .map(|folded| folded.matchers.pick(&normalized));
        (policy.paths.pick(&normalized), folded)
    };
    let as_other = |picked: Option<usize>| match picked {
        Some(index) if enabled(index) => Other::Rules(index),
        _ => Other::Bypass,
    };
    match (exact, folded) {
        (exact, Some(folded)) if folded != exact => match (exact, folded) {
            (Some(index), _) if enabled(index) => Choice::Rules {
                index,
                other: Some(as_other(folded)),
            },
            (_, Some(index)) if enabled(index) => Choice::Rules {
                index,
                other: Some(Other::Bypass),
            },
            _ => Choice::Bypass(exact.unwrap_or(0)),
        },
        (Some(index), _) if enabled(index) => Choice::Rules { index, other: None },
        (exact, _) => Choice::Bypass(exact.unwrap_or(0)),
    }
}
