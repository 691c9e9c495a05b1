//! [`Judgement`]: what a judged request came to, live or offline: the browser's verdict, or
//! "bypassed" when the configuration leaves the path to the upstream.

use corsair_browser::{Verdict, Warning};

/// What a judged request came to.
#[derive(Debug)]
pub(super) enum Judgement {
    /// The browser's verdict, and (offline) the rules of the configuration that decided.
    Verdict {
        /// The verdict, with every exchange.
        verdict: Verdict,
        /// `route 0 (path "^/public/")` or `the default policy`, offline only.
        decided_by: Option<String>,
    },
    /// Offline only: corsair leaves the path alone, so the upstream decides.
    Bypassed {
        /// Why, and what that means.
        reason: String,
        /// What the browser model noticed about the request itself (Local Network Access).
        warnings: Vec<Warning>,
    },
}

impl Judgement {
    /// `allowed`, `blocked` or `bypassed`.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Judgement::Verdict { verdict, .. } if verdict.is_allowed() => "allowed",
            Judgement::Verdict { .. } => "blocked",
            Judgement::Bypassed { .. } => "bypassed",
        }
    }

    /// The warnings about the request and its exchanges.
    pub(super) fn warnings(&self) -> &[Warning] {
        match self {
            Judgement::Verdict { verdict, .. } => &verdict.warnings,
            Judgement::Bypassed { warnings, .. } => warnings,
        }
    }
}
