//! `corsair check`: performs, against a live URL, exactly the requests a browser page would,
//! and explains the browser's verdict.
//!
//! The CORS rules live in [`corsair_browser`]; this module only reads the command line,
//! sends what the model asks for ([`client`]), and prints the outcome ([`render`], [`json`],
//! with configuration snippets from [`snippets`]).

use std::process::ExitCode;
use std::time::Duration;

use corsair_browser::{Body, BrowserRequest, Credentials, Verdict};

mod client;
mod json;
mod render;
mod snippets;

/// Arguments of `corsair check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The request (and its preflight) is really sent: a PUT or DELETE has its effect on the server.

Body types: none; text (a string: text/plain;charset=UTF-8); json (a Blob of type
application/json, which needs a preflight); form (URLSearchParams); multipart (FormData);
stream (a ReadableStream, which always needs a preflight). A Content-Type given with -H wins,
as it does in fetch().

Exit status: 0 allowed, 1 blocked by the browser, 2 usage or network error.")]
pub struct Args {
    /// The URL the page fetches.
    pub url: String,
    /// The origin of the page that calls it (scheme, host and port, as the browser sends it).
    #[arg(long)]
    pub origin: String,
    /// The method as the script writes it (DELETE, GET, HEAD, OPTIONS, POST and PUT are
    /// upper-cased by the browser; any other is sent as written).
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// A header the script sets, as 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Send credentials (fetch's credentials: 'include', XHR's withCredentials = true).
    #[arg(long)]
    pub credentials: bool,
    /// The kind of body the script sends.
    #[arg(long, value_enum, default_value_t = BodyType::None)]
    pub body_type: BodyType,
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
    /// The server could not be reached or answered something that is not HTTP.
    Network(String),
}

impl CheckError {
    fn describe(&self) -> String {
        match self {
            CheckError::Usage(m) => format!("usage error: {m}"),
            CheckError::Network(m) => format!("network error: {m}"),
        }
    }
}

/// Runs `corsair check`.
pub fn run(args: Args) -> ExitCode {
    let request = match build_request(&args) {
        Ok(request) => request,
        Err(error) => return fail(&args, &error, false),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let error = CheckError::Network(format!("cannot start the I/O runtime: {e}"));
            return fail(&args, &error, false);
        }
    };
    let timeout = Duration::from_secs(args.timeout.max(1));
    match runtime.block_on(client::run(request.clone(), timeout)) {
        Ok(verdict) => report(&args, &request, &verdict),
        Err(failure) => fail(
            &args,
            &CheckError::Network(failure.message),
            failure.preflighted,
        ),
    }
}

/// Reports an error (exit status 2).
fn fail(args: &Args, error: &CheckError, preflighted: bool) -> ExitCode {
    if args.json {
        println!("{}", json::error(&error.describe(), preflighted));
    }
    eprintln!("corsair check: {}", error.describe());
    ExitCode::from(2)
}

fn report(args: &Args, request: &BrowserRequest, verdict: &Verdict) -> ExitCode {
    if args.json {
        println!("{}", json::verdict(verdict));
    } else {
        print!("{}", render::trace(request, verdict));
    }
    if verdict.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The browser request the command line describes.
fn build_request(args: &Args) -> Result<BrowserRequest, CheckError> {
    let mut builder = BrowserRequest::builder(args.origin.as_str(), args.url.as_str())
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
