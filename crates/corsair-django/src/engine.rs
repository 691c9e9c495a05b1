//! The engine's rules run on Django settings: a [`CorsConfig`] built with [`CorsBuilder`], so
//! every judgment (what a regex matches, credentials, hosts, header and method lists, max-age)
//! is the engine's own, on settings already put in the engine's terms (see `origins` and
//! `regexes`).
//!
//! The engine computes its advice (legal but risky settings) only for a policy it accepts. Where
//! it refuses what Django accepts, the advice is taken from the same settings without the refused
//! values.

use corsair::{CorsBuilder, CorsConfig, Finding, MAX_PREFLIGHT_MAX_AGE, Setting, SettingValue};

use super::regexes;

/// What the engine found: its errors and warnings, and its advice when it could be computed.
#[derive(Debug, Default)]
pub(crate) struct EngineFindings {
    pub findings: Vec<Finding>,
    pub advice: Vec<Finding>,
}

/// Runs the engine on `config`; `hook` says an origin hook (Django's `check_request_enabled`
/// receivers) may allow origins the settings do not.
pub(crate) fn run(config: &CorsConfig, hook: bool) -> EngineFindings {
    match build(config.clone(), hook) {
        Ok(cors) => EngineFindings {
            findings: cors.warnings().to_vec(),
            advice: cors.advice().to_vec(),
        },
        Err(error) => {
            let findings = error.into_findings();
            let advice = without_refused(config, &findings)
                .and_then(|repaired| build(repaired, true).ok())
                .map(|cors| cors.advice().to_vec())
                .unwrap_or_default();
            EngineFindings { findings, advice }
        }
    }
}

fn build(config: CorsConfig, hook: bool) -> Result<corsair::Cors, corsair::ConfigError> {
    let builder = CorsBuilder::from(config);
    if hook {
        builder.allow_origin_if(|_| false).build()
    } else {
        builder.build()
    }
}

/// `config` without the values the engine refused, or `None` when a refusal cannot be undone.
fn without_refused(config: &CorsConfig, findings: &[Finding]) -> Option<CorsConfig> {
    let mut repaired = config.clone();
    for finding in findings.iter().filter(|f| f.is_error()) {
        let setting = finding.setting;
        match (repaired.get(setting), &finding.value) {
            (SettingValue::List(items), Some(value)) => {
                let kept: Vec<String> = items.into_iter().filter(|item| item != value).collect();
                repaired.set(setting, SettingValue::List(kept)).ok()?;
            }
            (SettingValue::List(_), None) if setting == Setting::AllowedOriginRegexes => {
                repaired.set(setting, SettingValue::List(Vec::new())).ok()?;
            }
            // `no-origin-allowed`: the repaired policy is built with a hook.
            (SettingValue::List(_), None) if setting == Setting::AllowedOrigins => {}
            // `credentials-with-allow-all`: every other rule about allow-all still applies.
            (SettingValue::Bool(_), None) if setting == Setting::AllowAllOrigins => {
                repaired.allow_credentials = false;
            }
            (SettingValue::Seconds(_), _) => {
                repaired.preflight_max_age = MAX_PREFLIGHT_MAX_AGE;
            }
            _ => return None,
        }
    }
    Some(repaired)
}

/// A pattern ending with `$` that fixes a regex the engine finds broad only because `re.match`
/// anchors the start alone, when there is one.
pub(crate) fn end_anchored(pattern: &str, config: &CorsConfig) -> Option<String> {
    [format!("{pattern}$"), format!("(?:{pattern})$")]
        .into_iter()
        .find(|candidate| {
            let Ok(text) = regexes::re_match_equivalent(candidate) else {
                return false;
            };
            let mut alone = CorsConfig::default();
            alone.allowed_origin_regexes = vec![text];
            alone.allow_credentials = config.allow_credentials;
            alone.allow_insecure_origins_with_credentials =
                config.allow_insecure_origins_with_credentials;
            let found = run(&alone, false);
            !found.findings.iter().any(|f| {
                f.is_error()
                    || f.id.starts_with("broad-regex")
                    || f.id.starts_with("regex-not-analysed")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_survives_a_refusal_django_accepts() {
        let mut config = CorsConfig::default();
        config.allowed_origins = vec!["http://localhost:8080".into()];
        config.allow_credentials = true;
        config.preflight_max_age = 100_000;
        let found = run(&config, false);
        assert!(found.findings.iter().any(|f| f.id == "max-age-too-large"));
        let advice: Vec<&str> = found.advice.iter().map(|f| f.id).collect();
        assert_eq!(advice, ["loopback-origin-with-credentials"]);
    }

    #[test]
    fn the_end_anchor_is_suggested_when_it_is_the_fix() {
        let config = CorsConfig::default();
        assert_eq!(
            end_anchored(r"^https://\w+\.example\.com", &config).as_deref(),
            Some(r"^https://\w+\.example\.com$")
        );
        assert_eq!(
            end_anchored(r"^https://a\.example|^https://b\.example", &config).as_deref(),
            Some(r"(?:^https://a\.example|^https://b\.example)$")
        );
        assert_eq!(end_anchored(r"^https://.*", &config), None);
    }
}
