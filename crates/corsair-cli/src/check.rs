//! `corsair check`: the browser's verdict on a request a page makes, explained.
//!
//! Three questions: one request against a live URL (the requests a browser would send are
//! really sent, [`client`]); one request judged offline by corsair's own engine with a
//! configuration (`--config`, [`offline`]); and every cross-origin fetch of a recorded browser
//! session (`--har`, [`har`]), live or offline. The CORS rules live in [`corsair_browser`];
//! this module reads the command line, has the requests answered ([`judge`]), and prints the
//! outcome ([`render`], [`json`], with configuration snippets from [`snippets`] and secrets
//! hidden by [`redact`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use corsair_browser::{Body, BrowserRequest, Credentials};

mod client;
mod har;
mod json;
mod judge;
mod offline;
mod redact;
mod render;
mod session;
mod snippets;

use judge::{Judge, Judgement};

/// Arguments of `corsair check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without --config the request (and its preflight) is really sent: a PUT or DELETE has its
effect on the server. With --har and without --config, every recorded request is sent again.

--config FILE judges offline: corsair's engine with FILE and the CORS_* environment (exactly
what `corsair serve --config FILE` would run) answers the browser model; nothing is sent. A
path the configuration leaves alone (outside urls_regex, or a route with enabled = false) is
`bypassed`: the upstream decides.

--har FILE checks every cross-origin fetch() and XMLHttpRequest of a recorded browser session
(HAR 1.2 from Chromium's DevTools, Firefox or Playwright's recordHar). Record the frontend
once, then `corsair check --har app.har --config new.toml` in CI tells whether a new policy
still lets every call through.

Body types: none; text (a string: text/plain;charset=UTF-8); json (a Blob of type
application/json, which needs a preflight); form (URLSearchParams); multipart (FormData);
stream (a ReadableStream, which always needs a preflight). A Content-Type given with -H wins,
as it does in fetch().

Exit status: 0 allowed (or bypassed), 1 blocked by the browser (with --har: any request), 2
usage, configuration, file or network error.")]
pub struct Args {
    /// The URL the page fetches.
    #[arg(required_unless_present = "har", conflicts_with = "har")]
    pub url: Option<String>,
    /// The origin of the page that calls it (scheme, host and port, as the browser sends it).
    /// With --har: the page's origin for requests whose recording names none.
    #[arg(long, required_unless_present = "har")]
    pub origin: Option<String>,
    /// The method as the script writes it (DELETE, GET, HEAD, OPTIONS, POST and PUT are
    /// upper-cased by the browser; any other is sent as written).
    #[arg(long, short = 'X', default_value = "GET", conflicts_with = "har")]
    pub method: String,
    /// A header the script sets, as 'Name: value' (repeatable).
    #[arg(
        long = "header",
        short = 'H',
        value_name = "NAME: VALUE",
        conflicts_with = "har"
    )]
    pub headers: Vec<String>,
    /// Send credentials (fetch's credentials: 'include', XHR's withCredentials = true). With
    /// --har: judge every request with credentials.
    #[arg(long)]
    pub credentials: bool,
    /// The kind of body the script sends.
    #[arg(long, value_enum, default_value_t = BodyType::None, conflicts_with = "har")]
    pub body_type: BodyType,
    /// Judge offline with corsair's engine and this configuration file (and the CORS_*
    /// environment, as `corsair serve` reads them): nothing is sent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Check every cross-origin fetch and XMLHttpRequest of this recorded session (HAR 1.2).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// The largest HAR file read, in MiB [default: 128].
    // Not `requires = "har"`: clap skips it when an argument conflicting with --har is given,
    // so `run` checks it.
    #[arg(long, value_name = "MIB")]
    pub max_har_mib: Option<u64>,
    /// Print one JSON object instead of the trace.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
}

/// The body kinds of `--body-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BodyType {
    /// No body.
    None,
    /// A string.
    Text,
    /// A Blob of type application/json.
    Json,
    /// URLSearchParams.
    Form,
    /// FormData.
    Multipart,
    /// A ReadableStream.
    Stream,
}

impl BodyType {
    fn body(self) -> Body {
        match self {
            BodyType::None => Body::None,
            BodyType::Text => Body::Text,
            BodyType::Json => Body::Blob(Some("application/json".to_owned())),
            BodyType::Form => Body::UrlSearchParams,
            BodyType::Multipart => Body::FormData,
            BodyType::Stream => Body::Stream,
        }
    }
}

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
pub fn run(args: Args) -> ExitCode {
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
    match &args.config {
        Some(file) => {
            let judge = Judge::offline(file).map_err(CheckError::Config)?;
            if let Judge::Offline(policy) = &judge
                && !policy.warnings.is_empty()
            {
                eprintln!(
                    "corsair check: {} has {}: run `corsair lint {}` to see them",
                    file.display(),
                    crate::settings::tally(&policy.warnings),
                    file.display()
                );
            }
            Ok(judge)
        }
        None => Judge::live(Duration::from_secs(args.timeout.max(1))).map_err(CheckError::Network),
    }
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
    let (Some(url), Some(origin)) = (&args.url, &args.origin) else {
        return Err(CheckError::Usage(
            "give the URL and --origin, or --har FILE".to_owned(),
        ));
    };
    let mut builder = BrowserRequest::builder(origin.as_str(), url.as_str())
        .method(args.method.as_str())
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
