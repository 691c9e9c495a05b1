//! Who answers the requests the browser model asks for: the live server (over the network,
//! [`client`](super::client)) or corsair's engine with a configuration
//! ([`offline`](super::offline)); and what comes out: the browser's verdict, or "bypassed"
//! when the configuration leaves the path to the upstream.

use std::path::Path;
use std::time::Duration;

use corsair_browser::{BrowserRequest, Verdict, Warning};

use super::client::{self, NetworkFailure};
use super::offline::OfflinePolicy;
use crate::settings::Diagnostic;

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

/// The server side of a check.
pub(super) enum Judge {
    /// The live server: requests are really sent.
    Live {
        /// The I/O runtime the requests run on.
        runtime: tokio::runtime::Runtime,
        /// How long each response may take.
        timeout: Duration,
    },
    /// corsair's engine with a configuration: nothing is sent.
    Offline(OfflinePolicy),
}

impl Judge {
    /// A live judge, waiting `timeout` for each response.
    ///
    /// # Errors
    ///
    /// The I/O runtime could not be started.
    pub(super) fn live(timeout: Duration) -> Result<Judge, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
        Ok(Judge::Live { runtime, timeout })
    }

    /// An offline judge with the configuration `file` and the `CORS_*` environment.
    ///
    /// # Errors
    ///
    /// The configuration's problems, when it does not build.
    pub(super) fn offline(file: &Path) -> Result<Judge, Vec<Diagnostic>> {
        OfflinePolicy::load(file).map(Judge::Offline)
    }

    /// Judges one request.
    ///
    /// # Errors
    ///
    /// Live only: the server could not be reached, or did not answer in time.
    pub(super) fn judge(&self, request: BrowserRequest) -> Result<Judgement, NetworkFailure> {
        match self {
            Judge::Live { runtime, timeout } => {
                let verdict = runtime.block_on(client::run(request, *timeout))?;
                Ok(Judgement::Verdict {
                    verdict,
                    decided_by: None,
                })
            }
            Judge::Offline(policy) => Ok(policy.judge(request)),
        }
    }

    /// How requests are judged, for reports.
    pub(super) fn describe(&self) -> String {
        match self {
            Judge::Live { .. } => "live: each request is sent to its URL".to_owned(),
            Judge::Offline(policy) => policy.describe(),
        }
    }
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
