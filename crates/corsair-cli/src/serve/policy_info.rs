//! What `/policy` says about the running policy: the effective policy of the default and of
//! each route (and of the report-only candidate), its version (a hash of the configuration), when
//! it was loaded, by what (start, SIGHUP, a file change) and from where (the file, the `CORS_*`
//! variables and the flags that set its values: their names, never their values), and the
//! state of each origin source.
//!
//! The version is computed at each load by streaming the configuration into SHA-256 (nothing
//! copied); the JSON document, which for a policy of many origins is large, is made the first
//! time it is asked for, off the event loop, and kept.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use corsair::{Cors, CorsConfig};
use serde_json::{Map, Value, json};

use super::origin_stores::SourceStatus;
use crate::settings::{Loaded, Source};

/// The running policy, as `/policy` shows it.
#[derive(Debug)]
pub(super) struct PolicyInfo {
    /// `sha256:` and the first 16 hex digits of the SHA-256 of the configuration's JSON.
    pub version: String,
    cors: Cors,
    report_only: Option<CorsConfig>,
    loaded_at: SystemTime,
    loaded_by: String,
    file: Option<String>,
    environment: BTreeSet<String>,
    flags: BTreeSet<&'static str>,
    /// The JSON document, once made.
    body: OnceLock<Bytes>,
}

impl PolicyInfo {
    /// What `loaded` is, loaded now because of `cause` (`start`, `SIGHUP`, `file changed`).
    pub(super) fn new(loaded: &Loaded, cause: &str) -> PolicyInfo {
        PolicyInfo::at(loaded, cause, SystemTime::now())
    }

    fn at(loaded: &Loaded, cause: &str, now: SystemTime) -> PolicyInfo {
        let mut environment = BTreeSet::new();
        let mut flags = BTreeSet::new();
        for source in loaded.provenance.sources() {
            match source {
                Source::Env(var) => {
                    environment.insert(var.clone());
                }
                Source::Flag(flag) => {
                    flags.insert(*flag);
                }
                Source::Default | Source::File { .. } => {}
            }
        }
        PolicyInfo {
            version: version_of(&(loaded.cors.config(), &loaded.report_only)),
            cors: loaded.cors.clone(),
            report_only: loaded.report_only.clone(),
            loaded_at: now,
            loaded_by: cause.to_owned(),
            file: loaded.file.as_ref().map(|f| f.display().to_string()),
            environment,
            flags,
            body: OnceLock::new(),
        }
    }

    /// The JSON document `/policy` answers, with the state of `sources` now (the policy's part
    /// is made the first time: call it off the event loop).
    pub(super) fn body(&self, sources: &[Arc<SourceStatus>]) -> Bytes {
        let policy = self.body.get_or_init(|| self.render());
        // The policy's document is an object: its closing brace gives way to the sources.
        let Some(open) = policy.strip_suffix(b"\n}\n") else {
            return policy.clone();
        };
        let states: Vec<Value> = sources.iter().map(|s| source_json(s)).collect();
        let rendered = serde_json::to_string_pretty(&states).unwrap_or_else(|_| "[]".into());
        let mut body = Vec::with_capacity(policy.len() + rendered.len() + 32);
        body.extend_from_slice(open);
        body.extend_from_slice(b",\n  \"origin_sources\": ");
        body.extend_from_slice(rendered.replace('\n', "\n  ").as_bytes());
        body.extend_from_slice(b"\n}\n");
        body.into()
    }

    fn render(&self) -> Bytes {
        let report_only = self
            .report_only
            .as_ref()
            .map_or(Value::Null, effective_config);
        // Built by moving the policies in: a large policy is not copied again.
        let mut document = Map::new();
        document.insert("version".into(), self.version.clone().into());
        document.insert("loaded_at".into(), rfc3339(self.loaded_at).into());
        document.insert("loaded_by".into(), self.loaded_by.clone().into());
        document.insert(
            "loaded_from".into(),
            json!({
                "file": self.file,
                "environment": self.environment,
                "flags": self.flags,
            }),
        );
        document.insert("policy".into(), effective(&self.cors));
        document.insert("report_only".into(), report_only);
        // The origin sources' state changes between requests: added by `body`.
        let mut body = serde_json::to_vec_pretty(&document).unwrap_or_default();
        body.push(b'\n');
        body.into()
    }
}

/// What `/policy` says of an origins source: its store (without secrets) and its state.
fn source_json(source: &SourceStatus) -> Value {
    json!({
        "source": source.subject,
        "store": source.store,
        "up": source.is_up(),
        "origins": source.origins(),
        "skipped": source.skipped(),
        "loads": source.loads(),
        "failures": source.failures(),
        "error": source.error(),
    })
}

/// The effective policy of `cors`: its default policy and each route's whole policy.
fn effective(cors: &Cors) -> Value {
    let routes: Vec<Value> = cors
        .routes()
        .map(|route| route_json(route.index(), route.path(), &route.config()))
        .collect();
    json!({ "default": without_routes(cors.config()), "routes": routes })
}

/// The same, from a configuration (the report-only candidate's).
fn effective_config(config: &CorsConfig) -> Value {
    let routes: Vec<Value> = config
        .routes
        .iter()
        .enumerate()
        .map(|(index, route)| route_json(index, &route.path, &route.effective(config)))
        .collect();
    json!({ "default": without_routes(config), "routes": routes })
}

fn route_json(index: usize, path: &str, effective: &CorsConfig) -> Value {
    json!({ "index": index, "path": path, "effective": without_routes(effective) })
}

/// The settings of `config`, by name, without its routes.
fn without_routes(config: &CorsConfig) -> Value {
    let mut value = serde_json::to_value(config).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("routes");
    }
    value
}

/// The number of distinct origins, patterns and regexes the enforced policy lists, over the
/// default policy and every route with CORS on (a route that inherits a list counts it once).
pub(super) fn origin_count(cors: &Cors) -> usize {
    let routes: Vec<CorsConfig> = cors.routes().map(|route| route.config()).collect();
    let mut entries = HashSet::new();
    for config in std::iter::once(cors.config()).chain(&routes) {
        if config.enabled {
            entries.extend(config.allowed_origins.iter().map(String::as_str));
            entries.extend(config.allowed_origin_regexes.iter().map(String::as_str));
        }
    }
    entries.len()
}

/// `sha256:` and 16 hex digits of the SHA-256 of `value`'s JSON, streamed into the hash (the
/// same configuration always serializes the same way, so it always has the same version).
fn version_of(value: &impl serde::Serialize) -> String {
    struct Hashing(ring::digest::Context);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(ring::digest::Context::new(&ring::digest::SHA256));
    // Writing into the hash cannot fail, nor can serializing a configuration.
    let _ = serde_json::to_writer(&mut hashing, value);
    let digest = hashing.0.finish();
    let hex: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// `time` in RFC 3339, UTC, to the millisecond: `2025-01-31T12:00:00.000Z`.
fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_rfc3339_in_utc() {
        let table = [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_250, "2000-02-29T00:00:00.250Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
            (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        ];
        for (millis, shown) in table {
            let time = UNIX_EPOCH + Duration::from_millis(millis);
            assert_eq!(rfc3339(time), shown);
        }
    }

    #[test]
    fn distinct_origins_of_enabled_policies_are_counted() {
        let cors = Cors::builder()
            .allowed_origins(["https://app.example", "https://*.example.com"])
            .allowed_origin_regexes([r"https://pr-\d+\.preview\.example"])
            .route(
                "^/partner/",
                Cors::builder().allowed_origins(["https://partner.example", "https://app.example"]),
            )
            .route("^/inherits/", Cors::builder().allow_credentials(true))
            .route(
                "^/off/",
                Cors::builder()
                    .enabled(false)
                    .allowed_origins(["https://off.example"]),
            )
            .build()
            .unwrap();
        assert_eq!(origin_count(&cors), 4);
    }

    #[test]
    fn the_version_follows_the_policy_only() {
        let a = json!({"policy": {"default": {"allowed_origins": ["https://a.example"]}}});
        let b = json!({"policy": {"default": {"allowed_origins": ["https://b.example"]}}});
        assert_eq!(version_of(&a), version_of(&a.clone()));
        assert_ne!(version_of(&a), version_of(&b));
        assert!(version_of(&a).starts_with("sha256:"));
        assert_eq!(version_of(&a).len(), "sha256:".len() + 16);
    }
}
