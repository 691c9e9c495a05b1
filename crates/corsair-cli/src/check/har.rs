//! `--har`: every cross-origin fetch and XMLHttpRequest of a recorded browser session, each
//! judged as `corsair check` judges one request (live, or offline with `--config`), with what
//! was assumed from the recording. The file is read by [`corsair_browser::har`].
//!
//! Exit status: 0 when every request is allowed or bypassed, 1 when any is blocked, 2 when the
//! file cannot be read, names no usable request, or a request could not be judged (a network
//! error): a check that could not look at everything does not pass.

use std::path::Path;
use std::process::ExitCode;

use corsair_browser::Credentials;
use corsair_browser::har::{self, ReadOptions, RecordedRequest};
use serde_json::json;

use super::args::Args;
use super::judge::{Judge, JudgeError};
use super::session::{Checked, Session};
use super::{json, render};
use crate::settings;

const MIB: u64 = 1024 * 1024;

/// The largest HAR file read without `--max-har-mib`, in MiB.
const DEFAULT_MAX_HAR_MIB: u64 = (har::DEFAULT_MAX_HAR_BYTES as u64) / MIB;

/// Runs `corsair check --har FILE`.
pub(super) fn run(args: &Args, file: &Path) -> ExitCode {
    let recording = match read(args, file) {
        Ok(recording) => recording,
        Err(message) => return fail(args, &message),
    };
    if recording.requests.is_empty() {
        return fail(
            args,
            &format!(
                "{} has {} entries but no cross-origin fetch() or XMLHttpRequest request to check: record the session while the page calls the API (Playwright's recordHar, or the network panel's \"Save all as HAR\")",
                file.display(),
                recording.entries
            ),
        );
    }
    let unknown: Vec<String> = recording
        .requests
        .iter()
        .filter(|r| r.page_origin.is_none())
        .map(|r| format!("log.entries[{}]", r.entry))
        .collect();
    if !unknown.is_empty() {
        return fail(
            args,
            &format!(
                "{}: no Origin or Referer header and no page URL tells the page's origin: give it with --origin (e.g. --origin https://app.example)",
                unknown.join(", ")
            ),
        );
    }
    let judge = match Judge::for_args(args) {
        Ok(judge) => judge,
        Err(JudgeError::Config(problems)) => {
            eprintln!("{}", settings::render_all(&problems));
            let message = format!(
                "the configuration does not build ({})",
                settings::tally(&problems)
            );
            return fail(args, &message);
        }
        Err(JudgeError::Runtime(message)) => return fail(args, &message),
    };
    let requests = recording
        .requests
        .into_iter()
        .map(|recorded| check(&judge, recorded, args.credentials))
        .collect();
    let session = Session {
        file: file.display().to_string(),
        creator: recording.creator,
        entries: recording.entries,
        judged: judge.describe(),
        notes: recording.notes,
        requests,
    };
    if args.json {
        println!("{:#}", json::session(&session));
    } else {
        print!("{}", render::session(&session));
    }
    let any = |name: &str| session.requests.iter().any(|c| c.verdict_name() == name);
    if any("error") {
        ExitCode::from(2)
    } else if any("blocked") {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The file's recording, or what to say about it.
fn read(args: &Args, file: &Path) -> Result<har::Recording, String> {
    let max_mib = args.max_har_mib.unwrap_or(DEFAULT_MAX_HAR_MIB);
    let limit = max_mib.saturating_mul(MIB);
    let bytes = settings::read_regular_bytes(file, limit).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            format!(
                "{} is larger than {} MiB: export it without response bodies, or raise the limit with --max-har-mib",
                file.display(),
                max_mib
            )
        } else {
            format!("cannot read {}: {e}", file.display())
        }
    })?;
    let mut options = ReadOptions::new().max_bytes(usize::try_from(limit).unwrap_or(usize::MAX));
    if let Some(origin) = args.single_origin()? {
        options = options.origin(origin);
    }
    har::read(&bytes, &options).map_err(|e| match e {
        har::HarError::InvalidOrigin(_) => format!("--origin: {e}"),
        _ => format!("{}: {e}", file.display()),
    })
}

/// Judges one recorded request.
fn check(judge: &Judge, recorded: RecordedRequest, force_credentials: bool) -> Checked {
    let credentials = if force_credentials {
        Credentials::Include
    } else {
        recorded.credentials.mode
    };
    let (request, outcome) = match recorded.browser_request(credentials) {
        Ok(request) => {
            let outcome = judge
                .judge(request.clone())
                .map_err(|failure| format!("network error: {}", failure.message));
            (Some(request), outcome)
        }
        Err(error) => (
            None,
            Err(format!(
                "the recorded request is not one a browser sends: {error}"
            )),
        ),
    };
    Checked {
        recorded,
        credentials,
        forced_credentials: force_credentials,
        request,
        outcome,
    }
}

/// Reports an error about the file or the command line (exit status 2).
fn fail(args: &Args, message: &str) -> ExitCode {
    if args.json {
        println!("{}", json!({ "error": message, "requests": [] }));
    }
    eprintln!("corsair check: {message}");
    ExitCode::from(2)
}
