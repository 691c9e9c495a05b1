//! Who answers the requests the browser model asks for: the live server (over the network,
//! [`client`](super::client)) or corsair's engine with a configuration
//! ([`offline`](super::offline)). What comes out is a [`Judgement`].

use std::path::Path;
use std::time::Duration;

use corsair_browser::BrowserRequest;

use super::args::Args;
use super::client::{self, Deadline, NetworkFailure};
use super::judgement::Judgement;
use super::offline::OfflinePolicy;
use crate::settings::{self, Diagnostic};

/// Why no judge could be made.
#[derive(Debug)]
pub(super) enum JudgeError {
    /// The configuration of `--config` does not build.
    Config(Vec<Diagnostic>),
    /// The I/O runtime could not be started.
    Runtime(String),
}

/// The server side of a check.
pub(super) enum Judge {
    /// The live server: requests are really sent.
    Live {
        /// The I/O runtime the requests run on.
        runtime: tokio::runtime::Runtime,
        /// How long each response may take.
        timeout: Duration,
        /// When every request must have been answered.
        deadline: Deadline,
    },
    /// corsair's engine with a configuration: nothing is sent.
    Offline(OfflinePolicy),
}

impl Judge {
    /// The judge `args` ask for: offline with `--config` (its configuration's warnings, if
    /// any, pointed at on stderr), else live.
    ///
    /// # Errors
    ///
    /// The configuration does not build, or the I/O runtime could not be started.
    pub(super) fn for_args(args: &Args) -> Result<Judge, JudgeError> {
        let Some(file) = &args.config else {
            let deadline = Deadline::after(args.deadline.max(1));
            return Judge::live(Duration::from_secs(args.timeout.max(1)), deadline)
                .map_err(JudgeError::Runtime);
        };
        let judge = Judge::offline(file).map_err(JudgeError::Config)?;
        if let Judge::Offline(policy) = &judge
            && !policy.warnings.is_empty()
        {
            eprintln!(
                "corsair check: {} has {}: run `corsair lint {}` to see them",
                file.display(),
                settings::tally(&policy.warnings),
                file.display()
            );
        }
        Ok(judge)
    }

    /// A live judge, waiting `timeout` for each response, and sending nothing after
    /// `deadline`.
    ///
    /// # Errors
    ///
    /// The I/O runtime could not be started.
    pub(super) fn live(timeout: Duration, deadline: Deadline) -> Result<Judge, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
        Ok(Judge::Live {
            runtime,
            timeout,
            deadline,
        })
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
            Judge::Live {
                runtime,
                timeout,
                deadline,
            } => {
                let verdict = runtime.block_on(client::run(request, *timeout, *deadline))?;
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
