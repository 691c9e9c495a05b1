//! Which requests the audit sends within `--max-requests`: the baseline (each trusted origin's
//! simple GET), one GET without a cookie from the unrelated site, a simple GET from every
//! attacker's origin, the two credentialed preflights for any method and any header, then a
//! preflighted GET from every origin, in that order, until the budget is spent. Only GET, HEAD
//! and OPTIONS are ever sent: the "any method" preflight asks for a method but never sends it.

use super::probes::{Probe, ProbeClass};

/// What one step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::check) enum StepKind {
    /// A simple GET, judged with and without credentials; a made-up cookie stands for the
    /// user's (servers that answer a cookie differently are judged on what a browser sends).
    Simple,
    /// A simple GET without any cookie, judged without credentials and with.
    SimpleWithoutCookie,
    /// A GET with `Content-Type: application/json`: a preflight, then the GET if it passes.
    Preflighted,
    /// A credentialed preflight asking for a method no API needs; the method is never sent.
    AnyMethod,
    /// A credentialed preflight asking for a header no API needs.
    AnyHeader,
}

impl StepKind {
    /// The most requests the step sends (before any redirect).
    pub(in crate::check) fn cost(self) -> usize {
        match self {
            StepKind::Preflighted => 2,
            _ => 1,
        }
    }

    /// A few words for reports.
    pub(in crate::check) fn describe(self) -> &'static str {
        match self {
            StepKind::Simple => "simple GET",
            StepKind::SimpleWithoutCookie => "simple GET without a cookie",
            StepKind::Preflighted => "preflighted GET",
            StepKind::AnyMethod => "preflight for any method",
            StepKind::AnyHeader => "preflight for any header",
        }
    }
}

/// One step: a kind of request from one probe origin. The two "any" preflights have no probe
/// of their own: they are sent from the first origin found readable with credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::check) struct Step {
    /// The index of the probe in the probe list, if the step has one.
    pub probe: Option<usize>,
    /// What it sends.
    pub kind: StepKind,
}

/// The steps to take, and how many were left out for the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::check) struct Plan {
    /// In order.
    pub steps: Vec<Step>,
    /// Steps that did not fit in `--max-requests`.
    pub left_out: usize,
}

/// The plan for `probes` within `max_requests`.
pub(in crate::check) fn plan(probes: &[Probe], max_requests: usize) -> Plan {
    let step = |probe: usize, kind| Step {
        probe: Some(probe),
        kind,
    };
    let trusted = probes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.class == ProbeClass::Trusted)
        .map(|(i, _)| i);
    let attacks = probes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.class != ProbeClass::Trusted)
        .map(|(i, _)| i);
    let mut wanted: Vec<Step> = trusted.clone().map(|i| step(i, StepKind::Simple)).collect();
    if let Some(unrelated) = probes.iter().position(|p| p.class == ProbeClass::Unrelated) {
        wanted.push(step(unrelated, StepKind::SimpleWithoutCookie));
    }
    wanted.extend(attacks.clone().map(|i| step(i, StepKind::Simple)));
    for kind in [StepKind::AnyMethod, StepKind::AnyHeader] {
        wanted.push(Step { probe: None, kind });
    }
    wanted.extend(
        trusted
            .chain(attacks)
            .map(|i| step(i, StepKind::Preflighted)),
    );
    let mut budget = max_requests;
    let mut steps = Vec::new();
    let mut left_out = 0;
    for step in wanted {
        if step.kind.cost() <= budget {
            budget -= step.kind.cost();
            steps.push(step);
        } else {
            left_out += 1;
        }
    }
    Plan { steps, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::audit::probes::{Base, probes};

    fn sample() -> Vec<Probe> {
        probes(
            &[Base::parse("https://app.example.com").unwrap()],
            &Base::parse("https://api.example.com/").unwrap(),
        )
    }

    #[test]
    fn the_plan_never_exceeds_the_budget_and_keeps_the_order() {
        let probes = sample();
        for max in [0, 1, 2, 5, 30, 100, 1000] {
            let plan = plan(&probes, max);
            let cost: usize = plan.steps.iter().map(|s| s.kind.cost()).sum();
            assert!(cost <= max, "{max}: {cost}");
            if max == 0 {
                assert!(plan.steps.is_empty());
            } else {
                assert_eq!(
                    plan.steps[0],
                    Step {
                        probe: Some(0),
                        kind: StepKind::Simple
                    }
                );
            }
        }
        let all = plan(&probes, 1000);
        assert_eq!(all.left_out, 0);
        // Every probe gets a simple and a preflighted GET; one GET without a cookie; the two
        // "any" preflights.
        assert_eq!(all.steps.len(), probes.len() * 2 + 1 + 2);
        let kinds: Vec<StepKind> = all.steps.iter().map(|s| s.kind).collect();
        let first_preflighted = kinds
            .iter()
            .position(|k| *k == StepKind::Preflighted)
            .unwrap();
        assert!(kinds[..first_preflighted].contains(&StepKind::AnyMethod));
        assert!(
            kinds[first_preflighted..]
                .iter()
                .all(|k| *k == StepKind::Preflighted)
        );
    }

    #[test]
    fn a_small_budget_keeps_the_simple_gets_of_the_strongest_probes() {
        let probes = sample();
        let plan = plan(&probes, 5);
        let origins: Vec<&str> = plan
            .steps
            .iter()
            .filter_map(|s| s.probe.map(|i| probes[i].origin.as_str()))
            .collect();
        assert_eq!(
            origins,
            [
                "https://app.example.com",
                "https://corsair-audit.evil.test",
                "https://corsair-audit.evil.test",
                "null",
                "https://app.example.com.evil.test"
            ]
        );
        assert!(plan.left_out > 0);
    }
}
