//! The environment layer, over the file: the `CORS_*` variables (through the engine's settings
//! table, django-cors-headers' legacy names included), the `[server]` keys that have a
//! variable, and [`URL_ENV`], the URL of `[cors.origins_source]`. Each value records its
//! variable as its source.

use std::ffi::OsStr;

use corsair::{CorsConfig, Setting};

use super::Gathered;
use super::diagnostic::Diagnostic;
use super::origins_source::URL_ENV;
use super::server::{Key, Raw, SERVER_KEYS};
use super::source::{Provenance, Source};

/// Applies the variables of `env` over `values`; a value that its setting refuses is a problem.
pub(super) fn apply(
    env: &[(String, String)],
    values: &mut Gathered,
    problems: &mut Vec<Diagnostic>,
) {
    problems.extend(apply_cors(env, &mut values.cors, &mut values.provenance));
    apply_server(SERVER_KEYS, env, values, problems);
    values.origins_url = lookup(env, URL_ENV).map(str::to_owned);
}

/// The value of variable `name`, if it is set.
fn lookup<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .find(|(var, _)| var == name)
        .map(|(_, value)| value.as_str())
}

/// Applies the variables of the `keys` that have one.
fn apply_server(
    keys: &[Key],
    env: &[(String, String)],
    values: &mut Gathered,
    problems: &mut Vec<Diagnostic>,
) {
    for key in keys {
        let Some((var, value)) = key.env.and_then(|var| Some((var, lookup(env, var)?))) else {
            continue;
        };
        let raw = Raw::Text(OsStr::new(value));
        values.set_server(key, &raw, Source::Env(var.to_owned()), problems);
    }
}

/// Applies the `CORS_*` variables, recording each as the source of the setting it set. Any
/// invalid variable leaves the policy as the file wrote it.
fn apply_cors(
    env: &[(String, String)],
    cors: &mut CorsConfig,
    provenance: &mut Provenance,
) -> Vec<Diagnostic> {
    let var_of = |setting: Setting| -> String {
        let set = |name: &str| env.iter().any(|(k, _)| k == name);
        match setting.legacy_env_var() {
            Some(legacy) if !set(setting.env_var()) && set(legacy) => legacy.to_owned(),
            _ => setting.env_var().to_owned(),
        }
    };
    let located = |finding: corsair::Finding| {
        let source = match (&finding.value, finding.id) {
            (Some(var), "unknown-setting") => Source::Env(var.clone()),
            _ => Source::Env(var_of(finding.setting)),
        };
        let mut diagnostic = Diagnostic::from_finding(finding, &Provenance::default());
        diagnostic.source = source;
        diagnostic
    };
    let mut layered = cors.clone();
    match layered.apply_env_vars(env.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok((warnings, sources)) => {
            *cors = layered;
            for (setting, var) in sources {
                provenance.set(setting, Source::Env(var.to_owned()));
            }
            warnings.into_iter().map(located).collect()
        }
        Err(error) => error.into_findings().into_iter().map(located).collect(),
    }
}

/// The process's environment variables that are valid UTF-8 (the others cannot be corsair
/// settings), for [`Layers::env`](super::Layers::env).
pub(crate) fn process_environment() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::server::server_key;

    fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
        vars.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// No `[server]` key has a variable yet; one that has is read like a flag, and named as
    /// the source of its value or of its problem.
    #[test]
    fn a_server_key_with_a_variable_is_read_from_it() {
        let keys = [Key {
            env: Some("CORSAIR_WORKERS"),
            ..*server_key("workers").unwrap()
        }];
        let mut values = Gathered::default();
        let mut problems = Vec::new();
        apply_server(
            &keys,
            &env(&[("CORSAIR_WORKERS", "3")]),
            &mut values,
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(values.server.workers, Some(3));
        assert_eq!(
            values.server_sources,
            [("workers", Source::Env("CORSAIR_WORKERS".to_owned()))]
        );

        apply_server(
            &keys,
            &env(&[("CORSAIR_WORKERS", "0")]),
            &mut values,
            &mut problems,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].source,
            Source::Env("CORSAIR_WORKERS".to_owned())
        );
        assert_eq!(
            problems[0].message,
            "server.workers = 0: must be between 1 and 1024"
        );
        assert_eq!(problems[0].fix, "set `CORSAIR_WORKERS=2`");
        assert_eq!(
            values.server.workers,
            Some(3),
            "a refused value changes nothing"
        );
    }
}
