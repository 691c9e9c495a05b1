//! `corsair lint`: audits a configuration without starting anything.
//!
//! It reports every error and warning of the engine, and security advice that is legal but
//! risky, each with its id, setting, source (file line or variable) and fix. Exit status: 0 when
//! clean, 1 with warnings only, 2 with errors.

use std::path::PathBuf;
use std::process::ExitCode;

use corsair::{CorsConfig, Setting};

use crate::settings::{self, ConfigFile, CorsFlags, Diagnostic, Layers, Provenance};

/// Arguments of `corsair lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to audit (default: ./corsair.toml if it exists, else the CORS_* environment).
    #[arg(value_name = "FILE", conflicts_with = "env")]
    file: Option<PathBuf>,
    /// Audit the CORS_* environment variables, even when ./corsair.toml exists.
    #[arg(long)]
    env: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// More origins than this with credentials is advice-worthy.
const MANY_CREDENTIALED_ORIGINS: usize = 8;

/// Runs `corsair lint`.
pub fn run(args: Args) -> ExitCode {
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
        cors_flags: CorsFlags::default(),
        listen: None,
        upstream: None,
        workers: None,
    };
    let (policy, diagnostics) = match settings::load(&layers) {
        Ok(loaded) => {
            let mut all = loaded.warnings;
            all.extend(advice(loaded.cors.config(), &loaded.provenance));
            (Some(loaded.cors.to_string()), all)
        }
        Err(problems) => (None, problems),
    };
    if args.json {
        let object = serde_json::json!({
            "audited": audited,
            "policy": policy,
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
        println!();
        println!("{}", settings::render_all(&diagnostics));
    }
    exit_code(&diagnostics)
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

/// Security advice about a configuration the engine accepts: legal, but risky.
pub fn advice(config: &CorsConfig, provenance: &Provenance) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut warn = |id, setting: Setting, value: Option<&str>, message: String, fix: String| {
        let source = match value {
            Some(v) => provenance.of_value(setting, v),
            None => provenance.of(setting),
        };
        found.push(Diagnostic::warning(
            id,
            setting.name(),
            source,
            value.map(str::to_owned),
            message,
            fix,
        ));
    };
    let creds = config.allow_credentials;
    let trusted = config.allowed_origins.len() + config.allowed_origin_regexes.len();
    if creds && trusted > MANY_CREDENTIALED_ORIGINS {
        warn(
            "credentials-with-many-origins",
            Setting::AllowedOrigins,
            None,
            format!("{trusted} origins may read your users' data with their cookies: a cross-site scripting hole in any one of them exposes every user"),
            "keep only the origins of your own frontends, and serve other callers without allow_credentials".to_owned(),
        );
    }
    if creds {
        for origin in &config.allowed_origins {
            if is_loopback_origin(origin) {
                warn(
                    "loopback-origin-with-credentials",
                    Setting::AllowedOrigins,
                    Some(origin),
                    "any program on a user's machine can serve a page from this loopback origin and read their data with their cookies".to_owned(),
                    "keep loopback origins in development configurations only".to_owned(),
                );
            }
        }
    }
    if config.allow_all_origins && config.allow_private_network {
        warn(
            "private-network-with-allow-all",
            Setting::AllowPrivateNetwork,
            None,
            "every website on the internet may reach this private-network service through its visitors' browsers".to_owned(),
            "list the origins that need private network access in allowed_origins".to_owned(),
        );
    }
    if config.allow_all_origins && config.urls_regex == corsair::DEFAULT_URLS_REGEX {
        warn(
            "allow-all-origins-on-every-path",
            Setting::AllowAllOrigins,
            None,
            "every website can read every response, including those of endpoints protected only by network location (intranet, VPN)".to_owned(),
            "limit it to the public paths with urls_regex (e.g. `^/api/public/`), or list origins".to_owned(),
        );
    }
    found
}

/// `http://localhost:*`, `http://127.0.0.1:3000`, `http://[::1]` ...
fn is_loopback_origin(origin: &str) -> bool {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let host = if let Some(v6) = rest.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        rest.split(':').next().unwrap_or_default()
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> CorsConfig {
        toml::from_str(toml).unwrap()
    }

    fn ids(config: &CorsConfig) -> Vec<&'static str> {
        advice(config, &Provenance::default())
            .iter()
            .map(|d| d.id)
            .collect()
    }

    #[test]
    fn risky_but_legal_configurations_get_advice() {
        let many: Vec<String> = (0..9)
            .map(|i| format!("\"https://app{i}.example\""))
            .collect();
        let many = format!(
            "allowed_origins = [{}]\nallow_credentials = true",
            many.join(",")
        );
        let table: [(&str, &[&str]); 5] = [
            (
                "allowed_origins = [\"https://app.example\"]\nallow_credentials = true",
                &[],
            ),
            (&many, &["credentials-with-many-origins"]),
            (
                "allowed_origins = [\"http://localhost:3000\"]\nallow_credentials = true",
                &["loopback-origin-with-credentials"],
            ),
            ("allowed_origins = [\"http://localhost:3000\"]", &[]),
            (
                "allow_all_origins = true\nallow_private_network = true",
                &[
                    "private-network-with-allow-all",
                    "allow-all-origins-on-every-path",
                ],
            ),
        ];
        for (toml, expected) in table {
            assert_eq!(ids(&config(toml)), expected, "{toml}");
        }
        assert!(
            ids(&config(
                "allow_all_origins = true\nurls_regex = '^/public/'"
            ))
            .is_empty()
        );
    }

    #[test]
    fn loopback_origins() {
        for (origin, loopback) in [
            ("http://localhost:8080", true),
            ("http://127.0.0.1:3000", true),
            ("http://[::1]:3000", true),
            ("http://app.localhost", true),
            ("https://localhost.example", false),
            ("https://app.example", false),
        ] {
            assert_eq!(is_loopback_origin(origin), loopback, "{origin}");
        }
    }
}
