//! `corsair check`: the browser's verdict on a request a page makes, explained.
//!
//! Four questions: one request against a live URL (the requests a browser would send are
//! really sent, [`client`]); one request judged offline by corsair's own engine with a
//! configuration (`--config`, [`offline`]); every cross-origin fetch of a recorded browser
//! session (`--har`, [`har`]), live or offline; and what an attacker's page can read from a
//! live API (`--audit`, [`audit`]). The CORS rules live in [`corsair_browser`];
//! this module reads the command line ([`args`]), has the requests answered ([`judge`]) into
//! a [`judgement`], and prints it ([`render`], [`json`], with configuration snippets from
//! [`snippets`] and secrets hidden by [`redact`]).

use std::process::ExitCode;

use corsair_browser::{BrowserRequest, Credentials};

mod args;
mod audit;
mod client;
mod har;
mod json;
mod judge;
mod judgement;
mod offline;
mod redact;
mod render;
mod session;
mod snippets;

pub(crate) use args::Args;
use judge::Judge;
use judgement::Judgement;

/// Why `corsair check` could not reach a verdict.
#[derive(Debug)]
enum CheckError {
    /// The command line does not describe a request a page could make.
    Usage(String),
    /// The configuration of `--config` does not build.
    Config(Vec<crate::settings::Diagnostic>),
    /// The server could not be reached or answered something that is not HTTP.
    Network(String),
}

impl CheckError {
    fn describe(&self) -> String {
        match self {
            CheckError::Usage(m) => format!("usage error: {m}"),
            CheckError::Config(problems) => format!(
                "configuration error: the configuration does not build ({})",
                crate::settings::tally(problems)
            ),
            CheckError::Network(m) => format!("network error: {m}"),
        }
    }
}

/// Runs `corsair check`.
pub(crate) fn run(args: Args) -> ExitCode {
    if args.audit {
        return audit::run(&args);
    }
    if let Some(file) = &args.har {
        return har::run(&args, file);
    }
    if args.max_har_mib.is_some() {
        let error = CheckError::Usage("--max-har-mib applies to --har FILE only".to_owned());
        return fail(&args, &error, false);
    }
    let request = match build_request(&args) {
        Ok(request) => request,
        Err(error) => return fail(&args, &error, false),
    };
    let judge = match judge(&args) {
        Ok(judge) => judge,
        Err(error) => return fail(&args, &error, false),
    };
    match judge.judge(request.clone()) {
        Ok(judgement) => report(&args, &request, &judge, &judgement),
        Err(failure) => fail(
            &args,
            &CheckError::Network(failure.message),
            failure.preflighted,
        ),
    }
}

/// The judge the command line asks for: offline with `--config`, else live.
fn judge(args: &Args) -> Result<Judge, CheckError> {
    Judge::for_args(args).map_err(|error| match error {
        judge::JudgeError::Config(problems) => CheckError::Config(problems),
        judge::JudgeError::Runtime(message) => CheckError::Network(message),
    })
}

/// Reports an error (exit status 2).
fn fail(args: &Args, error: &CheckError, preflighted: bool) -> ExitCode {
    if args.json {
        println!("{}", json::error(&error.describe(), preflighted));
    }
    eprintln!("corsair check: {}", error.describe());
    if let CheckError::Config(problems) = error {
        eprintln!("{}", crate::settings::render_all(problems));
    }
    ExitCode::from(2)
}

fn report(args: &Args, request: &BrowserRequest, judge: &Judge, judgement: &Judgement) -> ExitCode {
    let how = match judge {
        Judge::Offline(_) => vec![format!("judged {}", judge.describe())],
        Judge::Live { .. } => Vec::new(),
    };
    if args.json {
        println!("{}", json::judgement(request, judgement));
    } else {
        print!("{}", render::trace(request, judgement, &how));
    }
    match judgement {
        Judgement::Verdict { verdict, .. } if !verdict.is_allowed() => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// The browser request the command line describes.
fn build_request(args: &Args) -> Result<BrowserRequest, CheckError> {
    let origin = args.single_origin().map_err(CheckError::Usage)?;
    let (Some(url), Some(origin)) = (&args.url, origin) else {
        return Err(CheckError::Usage(
            "give the URL and --origin, or --har FILE".to_owned(),
        ));
    };
    let mut builder = BrowserRequest::builder(origin, url.as_str())
        .method(args.method())
        .credentials(if args.credentials {
            Credentials::Include
        } else {
            Credentials::SameOrigin
        })
        .body(args.body_type.body());
    for line in &args.headers {
        let Some((name, value)) = line.split_once(':') else {
            return Err(CheckError::Usage(format!(
                "-H '{line}' has no colon: write it as 'Name: value'"
            )));
        };
        builder = builder.header(name.trim(), value);
    }
    let request = builder
        .build()
        .map_err(|e| CheckError::Usage(e.to_string()))?;
    Ok(request)
}
