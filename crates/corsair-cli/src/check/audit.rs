//! `corsair check --audit URL`: the attacker's view of a live API's CORS. The origins the API
//! trusts (`--origin`, or those of the URL's registrable domain) give the origins an attacker
//! would try ([`probes`]); the [`plan`] picks the requests within `--max-requests` (GET and
//! OPTIONS only); each is sent as Chromium would through check's one client ([`exchange`]);
//! the responses become findings ([`classify`], [`finding`]), printed as text or JSON
//! ([`report`]). Exit status 1 when a finding reaches `--fail-on`.

use std::process::ExitCode;
use std::time::Duration;

use corsair_browser::BrowserRequest;
use http::{HeaderName, HeaderValue};

use super::args::Args;
use super::client::{Deadline, Sender};

mod classify;
mod exchange;
mod finding;
mod plan;
mod probes;
mod report;

pub(super) use finding::{Kind, Severity};

use exchange::{Budget, ExtraHeaders, StepResult, Target};
use plan::StepKind;
use probes::{Base, Probe};

/// What the audit was asked to look at, once the command line is read.
struct Audit {
    /// The URL audited, as a browser parses it.
    url: String,
    /// Its host.
    host: String,
    /// The trusted origins, serialized.
    trusted: Vec<String>,
    /// Where they came from, for the report.
    trusted_from: &'static str,
    /// The headers of `-H`.
    extra: ExtraHeaders,
}

/// What the audit came to.
pub(super) struct Report {
    /// The URL audited.
    pub target: String,
    /// The trusted origins.
    pub trusted: Vec<String>,
    /// Where they came from.
    pub trusted_from: &'static str,
    /// Requests sent.
    pub requests_sent: usize,
    /// `--max-requests`.
    pub max_requests: usize,
    /// Steps of the plan left out for the budget.
    pub left_out: usize,
    /// The findings, worst first.
    pub findings: Vec<finding::Finding>,
    /// Steps that could not be judged, and why.
    pub errors: Vec<String>,
    /// Whether the API answered any request.
    pub answered: bool,
}

/// Runs the audit.
pub(super) fn run(args: &Args) -> ExitCode {
    let audit = match read(args) {
        Ok(audit) => audit,
        Err(message) => return usage(args, &message),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return usage(args, &format!("cannot start the I/O runtime: {e}")),
    };
    let bases: Vec<Base> = audit
        .trusted
        .iter()
        .filter_map(|o| Base::parse(o))
        .collect();
    let Some(target) = Base::parse(&audit.url) else {
        return usage(args, "the URL must be http:// or https://");
    };
    let probes = probes::probes(&bases, &target);
    let plan = plan::plan(&probes, args.max_requests);
    let sender = Sender::new(
        Duration::from_secs(args.timeout.max(1)),
        Deadline::after(args.deadline.max(1)),
    );
    let mut budget = Budget {
        left: args.max_requests,
        sent: 0,
        delay: Duration::from_millis(args.delay),
    };
    let results = runtime.block_on(send_all(&sender, &mut budget, &audit, &probes, &plan.steps));
    let mut errors: Vec<String> = results.iter().filter_map(|r| r.error.clone()).collect();
    let answered = results.iter().any(|r| !r.sent.is_empty());
    if !answered {
        // Blocked before anything was sent (an unsafe port), or every request failed.
        let refused = results
            .iter()
            .filter_map(|r| r.include.as_ref().and_then(|v| v.message()))
            .next()
            .map(|message| format!("nothing was sent: {message}"));
        errors.extend(refused);
    }
    let findings = classify::classify(&audit.trusted, &probes, &results);
    let report = Report {
        target: audit.url.clone(),
        trusted: audit.trusted,
        trusted_from: audit.trusted_from,
        requests_sent: budget.sent,
        max_requests: args.max_requests,
        left_out: plan.left_out,
        findings,
        errors,
        answered,
    };
    if args.json {
        println!("{:#}", report::json(&report));
    } else {
        print!("{}", report::text(&report));
    }
    if !answered {
        eprintln!("corsair check: network error: the API answered none of the audit's requests");
        return ExitCode::from(2);
    }
    if report.findings.iter().any(|f| f.severity >= args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Sends each step of the plan in order. The "any method" and "any header" preflights go
/// from the first origin a page could read with credentials (a trusted one, unless the API
/// trusts none of them), and are skipped when there is none.
async fn send_all(
    sender: &Sender,
    budget: &mut Budget,
    audit: &Audit,
    probes: &[Probe],
    steps: &[plan::Step],
) -> Vec<StepResult> {
    let target = Target {
        url: &audit.url,
        host: &audit.host,
        extra: &audit.extra,
    };
    let mut results: Vec<StepResult> = Vec::new();
    for step in steps {
        let origin = match step.probe {
            Some(index) => probes[index].origin.clone(),
            None => {
                let readable = results.iter().find(|r| {
                    r.kind == StepKind::Simple
                        && r.include.as_ref().is_some_and(|v| v.is_allowed())
                        && r.origin != "null"
                });
                match readable {
                    Some(r) => r.origin.clone(),
                    None => continue,
                }
            }
        };
        let result = exchange::run_step(sender, budget, &target, &origin, step.kind).await;
        results.push(result);
    }
    results
}

/// The audit the command line describes.
fn read(args: &Args) -> Result<Audit, String> {
    let Some(raw) = &args.url else {
        return Err("give the URL to audit".to_owned());
    };
    let request = BrowserRequest::builder("null", raw.as_str())
        .build()
        .map_err(|e| format!("{raw}: {e}"))?;
    let url = request.url();
    let Some(host) = url
        .host_str()
        .filter(|_| matches!(url.scheme(), "http" | "https"))
    else {
        return Err(format!(
            "{raw}: the URL must be http:// or https:// with a host"
        ));
    };
    let mut trusted = Vec::new();
    for origin in &args.origins {
        let Some(base) = Base::parse(origin) else {
            return Err(format!(
                "--origin {origin}: not an http or https origin (write it as https://app.example.com)"
            ));
        };
        if !trusted.contains(&base.origin()) {
            trusted.push(base.origin());
        }
    }
    let own = url.origin().ascii_serialization();
    let trusted_from = if trusted.is_empty() {
        trusted = derived_origins(host, &own)?;
        "the URL's registrable domain"
    } else {
        "--origin"
    };
    Ok(Audit {
        url: url.as_str().to_owned(),
        host: host.to_owned(),
        trusted,
        trusted_from,
        extra: extra_headers(&args.headers)?,
    })
}

/// Without `--origin`: the URL's own origin `own` and its registrable domain's
/// (`https://example.com` for `https://api.example.com/items`).
fn derived_origins(host: &str, own: &str) -> Result<Vec<String>, String> {
    let Some(site) = probes::site(host) else {
        return Err(format!(
            "{host} has no registrable domain to derive the trusted origins from: give each origin the API trusts with --origin"
        ));
    };
    let apex = own.replacen(host, &site, 1);
    Ok(if apex == own {
        vec![own.to_owned()]
    } else {
        vec![apex, own.to_owned()]
    })
}

/// The `-H` lines, sorted into credentials and the rest.
fn extra_headers(lines: &[String]) -> Result<ExtraHeaders, String> {
    let mut extra = ExtraHeaders::default();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "-H '{line}' has no colon: write it as 'Name: value'"
            ));
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("-H '{line}': not a header name"))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| format!("-H '{line}': not a header value"))?;
        match name.as_str() {
            "cookie" => extra.cookie = Some(value),
            "authorization" => extra.authorization = Some(value),
            "origin" | "host" => {
                return Err(format!("-H '{line}': the audit sets {name} itself"));
            }
            _ => extra.other.push((name, value)),
        }
    }
    Ok(extra)
}

/// Reports a usage error (exit status 2).
fn usage(args: &Args, message: &str) -> ExitCode {
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "error": format!("usage error: {message}") })
        );
    }
    eprintln!("corsair check: usage error: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_origin_the_api_and_its_registrable_domain_are_trusted() {
        // The host, the URL's origin, and the trusted origins or the start of the error.
        type Row<'a> = (&'a str, &'a str, Result<&'a [&'a str], &'a str>);
        let table: [Row<'_>; 4] = [
            (
                "api.example.com",
                "https://api.example.com",
                Ok(&["https://example.com", "https://api.example.com"]),
            ),
            (
                "example.co.uk",
                "http://example.co.uk:8080",
                Ok(&["http://example.co.uk:8080"]),
            ),
            (
                "127.0.0.1",
                "http://127.0.0.1:8000",
                Err("127.0.0.1 has no"),
            ),
            (
                "localhost",
                "http://localhost:8000",
                Err("localhost has no"),
            ),
        ];
        for (host, own, expected) in table {
            match (derived_origins(host, own), expected) {
                (Ok(found), Ok(expected)) => assert_eq!(found, expected, "{host}"),
                (Err(message), Err(start)) => assert!(message.starts_with(start), "{message}"),
                (found, _) => panic!("{host}: {found:?}"),
            }
        }
    }

    #[test]
    fn the_users_headers_are_sorted_and_the_audits_own_refused() {
        let extra = extra_headers(&[
            "Cookie: session=1".to_owned(),
            "Authorization: Bearer t".to_owned(),
            "X-Gateway-Key: k".to_owned(),
        ])
        .unwrap();
        assert_eq!(extra.cookie.unwrap(), "session=1");
        assert_eq!(extra.authorization.unwrap(), "Bearer t");
        assert_eq!(extra.other.len(), 1);
        for line in ["Origin: https://x.example", "no colon"] {
            assert!(extra_headers(&[line.to_owned()]).is_err(), "{line}");
        }
    }
}
