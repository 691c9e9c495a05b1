//! Deciding by the policy's lists alone: choose the rules of the request's path (the default
//! policy or a route, read again without regard to case where that changes the pick), classify
//! the request, judge its origin by the lists (allow-all, exact origins, patterns, regexes,
//! origin sets), and find what a preflight asks that the rules do not allow. The origin hook
//! and the observer are the caller's.

use super::{Answer, Asks, OriginVerdict, for_each_requested_header};
use crate::compiled::{HeaderValues, Policy, Rules};
use crate::fetch::cors_safelisted_method::is_cors_safelisted_method;
use crate::head::{OriginLines, RequestHead, Value};
use crate::observation::{RefusalKind, RequestKind};
use crate::origin::RequestOrigin;
use crate::path;

/// Classifies a request head and decides on its origin by the policy's lists, in the
/// header value type of the framework (`values` is the policy's values in that type); checks
/// what a preflight asks for only when `check_asks` (someone is told the refusal). Also
/// returns the `Origin` value when the origin is valid, not allowed by the lists, and an
/// origin hook is installed to ask.
#[inline(always)] // An answer passes through (see `Answer`).
pub(crate) fn by_lists<'h, H: RequestHead>(
    policy: &Policy,
    head: &'h H,
    values: &[HeaderValues<H::Value>],
    check_asks: bool,
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
    // An origin sent as configured is valid and allowed by the lists: no need to parse it, and
    // (in a short list) the policy's own static value echoes it.
    let verbatim = value
        .filter(|_| !rules.allow_all_origins)
        .and_then(|v| rules.verbatim(v.bytes()));
    let parsed = match verbatim {
        Some(_) => None,
        None => value.and_then(|v| RequestOrigin::parse(v.bytes())),
    };
    let (Some(value), true) = (value, verbatim.is_some() || parsed.is_some()) else {
        outcome.verdict = OriginVerdict::Invalid;
        return (outcome, None);
    };
    // The parsed origin, read now if the fast path skipped it (it is valid then).
    let parsed = || parsed.or_else(|| RequestOrigin::parse(value.bytes()));
    outcome.private_network = kind == RequestKind::Preflight
        && rules.private_network
        && head.request_private_network() == Some(b"true");
    if check_asks && kind == RequestKind::Preflight {
        outcome.asks = Asks::Checked(preflight_refusal(
            rules,
            head,
            requested_method,
            |_| {},
            |_| {},
        ));
    }
    // A path whose rules depend on its case gets only what the other reading grants too.
    let also_granted = || match other {
        None => true,
        Some(Other::Bypass) => false,
        Some(Other::Rules(other)) => policy.rules.get(other).is_some_and(|other| {
            other.enabled
                && (other.allow_all_origins || parsed().is_some_and(|o| other.lists_allow(o)))
                && (other.credentials || !rules.credentials)
        }),
    };
    if rules.allow_all_origins && also_granted() {
        outcome.verdict = OriginVerdict::Allowed;
        outcome.allow_origin = values.map(|values| values.wildcard.clone());
        return (outcome, None);
    }
    if !rules.allow_all_origins
        && (verbatim.is_some() || parsed().is_some_and(|o| rules.lists_allow(o)))
        && also_granted()
    {
        outcome.verdict = OriginVerdict::Allowed;
        outcome.allow_origin = values.map(|_| {
            verbatim
                .and_then(|verbatim| verbatim.echo)
                .and_then(H::Value::from_policy)
                .unwrap_or_else(|| value.clone())
        });
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

/// What a preflight asks that `rules` do not allow, in the browser's order (the method, then
/// each requested header): `on_method` and `on_header` see the offending bytes.
/// `requested_method` is the head's `Access-Control-Request-Method`, which the caller has read
/// already. Allocates nothing.
pub(crate) fn preflight_refusal<H: RequestHead>(
    rules: &Rules,
    head: &H,
    requested_method: Option<&[u8]>,
    on_method: impl FnOnce(&[u8]),
    mut on_header: impl FnMut(&[u8]),
) -> Option<RefusalKind> {
    if let Some(method) = requested_method {
        let text = std::str::from_utf8(method).unwrap_or_default();
        let simple = is_cors_safelisted_method(text);
        let listed = rules.any_method || rules.allow_methods.iter().any(|m| m.as_bytes() == method);
        if !simple && !listed {
            on_method(method);
            return Some(RefusalKind::MethodNotAllowed);
        }
    }
    let mut refusal = None;
    head.for_each_request_headers(|value| {
        if refusal.is_some() {
            return;
        }
        let mut refused = false;
        let well_formed = for_each_requested_header(value, |name| {
            let listed = rules
                .allow_headers
                .iter()
                .any(|h| h.as_bytes().eq_ignore_ascii_case(name));
            let covered = rules.any_header && !name.eq_ignore_ascii_case(b"authorization");
            if listed || covered {
                true
            } else {
                on_header(name);
                refused = true;
                false
            }
        });
        if refused {
            refusal = Some(RefusalKind::HeaderNotAllowed);
        } else if !well_formed {
            refusal = Some(RefusalKind::MalformedRequestHeaders);
        }
    });
    refusal
}
