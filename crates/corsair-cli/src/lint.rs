//! `corsair lint`: audits a configuration without starting anything.
//!
//! It reports every error and warning of the engine, and security advice that is legal but
//! risky, each with its id, setting, source (file line or variable) and fix. Exit status: 0 when
//! clean, 1 with warnings only, 2 with errors. `--django` audits django-cors-headers settings
//! with django-cors-headers' semantics instead ([`django`]).

mod django;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::settings::{self, ConfigFile, Diagnostic, Layers, Provenance};

/// Arguments of `corsair lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The file to audit (default: ./corsair.toml if it exists, else the CORS_* environment;
    /// with --django, a JSON object of Django settings, default stdin).
    #[arg(value_name = "FILE", conflicts_with = "env")]
    file: Option<PathBuf>,
    /// Audit the CORS_* environment variables, even when ./corsair.toml exists.
    #[arg(long)]
    env: bool,
    /// Audit django-cors-headers settings (a JSON object such as {"CORS_ALLOWED_ORIGINS": [...]})
    /// as django-cors-headers applies them; ids corsair.E###/W### (the corsair_cors Django app
    /// runs this in `manage.py check`).
    #[arg(long, conflicts_with = "env")]
    django: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `corsair lint`.
pub(crate) fn run(args: Args) -> ExitCode {
    if args.django {
        return django::run(args.file.as_deref(), args.json);
    }
    let default_file = PathBuf::from(settings::DEFAULT_CONFIG_FILE);
    let file = match (args.file, args.env) {
        (Some(file), _) => Some(file),
        (None, false) if default_file.is_file() => Some(default_file),
        _ => None,
    };
    let audited = file.as_ref().map_or_else(
        || "the CORS_* environment variables".to_owned(),
        |f| f.display().to_string(),
    );
    let env = file.is_none().then(settings::process_environment);
    let layers = Layers {
        file: file.map_or(ConfigFile::Ignored, ConfigFile::Named),
        env,
        flags: settings::Flags::default(),
    };
    let (policy, routes, sources, diagnostics) = match settings::load(&layers) {
        Ok(loaded) => {
            let mut all = loaded.warnings;
            all.extend(advice(&loaded.cors, &loaded.provenance));
            let routes: Vec<String> = loaded.cors.routes().map(|r| r.to_string()).collect();
            let sources = loaded.origins_sources.iter().map(describe_source).collect();
            (Some(loaded.cors.to_string()), routes, sources, all)
        }
        Err(problems) => (None, Vec::new(), Vec::new(), problems),
    };
    if args.json {
        let object = serde_json::json!({
            "audited": audited,
            "policy": policy,
            "routes": routes,
            "origins_sources": sources,
            "errors": diagnostics.iter().filter(|d| d.is_error()).count(),
            "warnings": diagnostics.iter().filter(|d| !d.is_error()).count(),
            "findings": diagnostics.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
        });
        println!("{object:#}");
    } else {
        println!("corsair lint: {audited}");
        if let Some(policy) = &policy {
            println!("policy: {policy}");
        }
        for route in &routes {
            println!("route {route}");
        }
        for source in &sources {
            println!("origins also from {source} (not read by lint)");
        }
        println!();
        println!("{}", settings::render_all(&diagnostics));
    }
    exit_code(&diagnostics)
}

/// `cors.origins_source: redis://cache:6379/0 key corsair:origins, refresh 30s`, without
/// secrets.
fn describe_source(source: &settings::origins_source::OriginsSource) -> String {
    format!(
        "{}: {} {}, refresh {}s{}",
        source.subject,
        source.store.url(),
        source.store.what(),
        source.refresh.as_secs(),
        if source.required { ", required" } else { "" }
    )
}

/// 0 when clean, 1 with warnings only, 2 with errors.
fn exit_code(diagnostics: &[Diagnostic]) -> ExitCode {
    if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::from(2)
    } else if diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Security advice about a configuration the engine accepts (legal, but risky), each with the
/// layer that set the value.
fn advice(cors: &corsair::Cors, provenance: &Provenance) -> Vec<Diagnostic> {
    cors.advice()
        .iter()
        .map(|finding| Diagnostic::from_finding(finding.clone(), provenance))
        .collect()
}
