//! The command line of `corsair check`: one request (a URL, `--origin`, the method, headers,
//! body and credentials), or a recorded session (`--har`); live, or offline (`--config`).

use std::path::PathBuf;

use corsair_browser::Body;

use super::audit::Severity;

/// Arguments of `corsair check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without --config the request (and its preflight) is really sent: a PUT or DELETE has its
effect on the server. With --har and without --config, every recorded request is sent again,
with the headers its script set but without the recorded cookies, within one --deadline. A URL
on a port Chromium refuses (22, 25, 6667, ...: net::ERR_UNSAFE_PORT) is never connected to.

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

--audit URL probes the API with the origins an attacker would try (an unrelated site, null,
a trusted name as the prefix of another host, the registrable domain as the suffix of another,
a dot replaced by a letter, special characters, a deeper subdomain, the http:// twin), each
with a simple and a preflighted GET, within --max-requests; a made-up cookie stands for the
user's, and -H headers (a gateway token) are sent with every request but preflights.
Redirects to another host are not followed.

Exit status: 0 allowed (or bypassed), 1 blocked by the browser (with --har: any request; with
--audit: a finding at or above --fail-on), 2 usage, configuration, file or network error.")]
pub(crate) struct Args {
    /// The URL the page fetches (with --audit: the URL audited).
    #[arg(required_unless_present = "har", conflicts_with = "har")]
    pub url: Option<String>,
    /// The origin of the page that calls it (scheme, host and port, as the browser sends it).
    /// With --har: the page's origin for requests whose recording names none. With --audit:
    /// an origin the API is meant to trust (repeatable; without it, the origins of the URL's
    /// registrable domain).
    #[arg(
        long = "origin",
        value_name = "ORIGIN",
        required_unless_present_any = ["har", "audit"]
    )]
    pub origins: Vec<String>,
    /// Audit the URL as an attacker's page would see it: send GET and OPTIONS requests (never
    /// another method) from origins built to slip through a faulty origin check, and report
    /// each finding with its proof, Chromium's verdict and the fix.
    #[arg(
        long,
        conflicts_with_all = ["har", "config", "credentials", "body_type", "method"]
    )]
    pub audit: bool,
    /// With --audit: exit 1 when a finding at or above this severity is found.
    #[arg(long, value_enum, default_value_t = Severity::Medium, requires = "audit")]
    pub fail_on: Severity,
    /// With --audit: the most requests sent.
    #[arg(long, default_value_t = 100, value_name = "N", requires = "audit")]
    pub max_requests: usize,
    /// With --audit: milliseconds to wait between two requests.
    #[arg(
        long,
        default_value_t = 0,
        value_name = "MILLISECONDS",
        requires = "audit"
    )]
    pub delay: u64,
    /// The method as the script writes it (DELETE, GET, HEAD, OPTIONS, POST and PUT are
    /// upper-cased by the browser; any other is sent as written).
    #[arg(long, short = 'X', conflicts_with = "har")]
    pub method: Option<String>,
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
    /// Seconds the whole live check may take: every preflight, request and redirect (with
    /// --har, of every recorded request). What is not answered by then is reported as not
    /// judged (exit status 2).
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub deadline: u64,
}

/// The body kinds of `--body-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BodyType {
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
    /// The body the script passes.
    pub(super) fn body(self) -> Body {
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

impl Args {
    /// The one `--origin` of a check of one request or of a session.
    ///
    /// # Errors
    ///
    /// More than one was given.
    pub(super) fn single_origin(&self) -> Result<Option<&str>, String> {
        match self.origins.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(
                "--origin is given more than once: give it once (repeat it only with --audit)"
                    .to_owned(),
            ),
        }
    }

    /// The method of `--method` (GET when not given).
    pub(super) fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("GET")
    }
}
