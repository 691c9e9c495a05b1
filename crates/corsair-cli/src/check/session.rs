//! A recorded session, checked: each recorded request with the request it was judged as and
//! what it came to. Produced by [`har`](super::har), printed by [`render`](super::render) and
//! [`json`](super::json).

use corsair_browser::har::{CredentialsReason, OriginSource, RecordedRequest};
use corsair_browser::{BrowserRequest, Credentials};

use super::judgement::Judgement;

/// A checked session.
#[derive(Debug)]
pub(super) struct Session {
    /// The file, as given.
    pub file: String,
    /// Who recorded it (`log.creator`).
    pub creator: String,
    /// How many entries it has.
    pub entries: usize,
    /// How the requests were judged.
    pub judged: String,
    /// Entries left out that a reader may wonder about.
    pub notes: Vec<String>,
    /// Each cross-origin request by a script, in file order.
    pub requests: Vec<Checked>,
}

/// One recorded request, checked.
#[derive(Debug)]
pub(super) struct Checked {
    /// What was recorded.
    pub recorded: RecordedRequest,
    /// The credentials mode it was judged with.
    pub credentials: Credentials,
    /// Whether `--credentials` forced that mode.
    pub forced_credentials: bool,
    /// The request as the model saw it (`None` when the recording is not a request a browser
    /// could send).
    pub request: Option<BrowserRequest>,
    /// What it came to, or why it could not be judged.
    pub outcome: Result<Judgement, String>,
}

impl Checked {
    /// `allowed`, `blocked`, `bypassed` or `error`.
    pub(super) fn verdict_name(&self) -> &'static str {
        match &self.outcome {
            Ok(judgement) => judgement.name(),
            Err(_) => "error",
        }
    }

    /// What was assumed to judge it, one sentence each.
    pub(super) fn assumptions(&self) -> Vec<String> {
        let mut said = self.recorded.assumptions();
        for line in &mut said {
            if !line.starts_with("credentials ") {
                continue;
            }
            if self.forced_credentials {
                *line = "credentials include: --credentials".to_owned();
            } else if self.recorded.credentials.reason == CredentialsReason::Default {
                line.push_str(" (pass --credentials if the script sends credentials)");
            }
        }
        if let Some(page) = &self.recorded.page_origin
            && page.source == OriginSource::Given
        {
            said.push("the page's origin is --origin".to_owned());
        }
        said
    }
}
