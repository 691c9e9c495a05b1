//! `CORSAIR_ROUTES`: per-route policies in a Django project, which django-cors-headers does not
//! have. A list of dicts, each with the `path` it covers (a regex matched from the start of the
//! request path, as `CORS_URLS_REGEX` is) and the `CORS_*` settings it changes, by their Django
//! names; a route inherits every setting it does not name.
//!
//! ```python
//! CORSAIR_ROUTES = [
//!     {"path": r"^/api/public/", "CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": False},
//! ]
//! ```
//!
//! Each route's effective settings (the project's, with the route's in their place) go through
//! the same translation as the project's own, so its findings are Django's; a finding about a
//! setting the route names names the route (`CORSAIR_ROUTES[0] CORS_ALLOW_ALL_ORIGINS`).

use corsair::{RouteConfig, Setting};
use serde_json::Value;

use crate::finding::DjangoFinding;
use crate::input::kind;
use crate::{Translation, translate_one};

/// The setting's name.
pub(crate) const ROUTES: &str = "CORSAIR_ROUTES";

/// Adds the routes of the settings object `text` to `translation`.
///
/// # Errors
///
/// A message when `text` is not a JSON object (as [`translate_one`] says).
pub(crate) fn add(text: &str, translation: &mut Translation) -> Result<(), String> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return Err("the input must be a JSON object of Django settings".to_owned());
    };
    let Some(routes) = object.get(ROUTES) else {
        return Ok(());
    };
    let Some(routes) = routes.as_array() else {
        translation.findings.push(wrong(
            ROUTES.to_owned(),
            "should be a list of dicts, each with a `path` regex and the CORS_* settings it changes",
        ));
        return Ok(());
    };
    for (index, route) in routes.iter().enumerate() {
        let here = format!("{ROUTES}[{index}]");
        let Some(route) = route.as_object() else {
            translation
                .findings
                .push(wrong(here, "should be a dict such as {\"path\": r\"^/api/public/\", \"CORS_ALLOW_ALL_ORIGINS\": True}"));
            continue;
        };
        let Some(path) = route.get("path").and_then(Value::as_str) else {
            translation.findings.push(wrong(
                here,
                "needs a `path`: a regex matched from the start of the request path, e.g. r\"^/api/public/\"",
            ));
            continue;
        };
        let mut named = Vec::new();
        let mut merged = object.clone();
        merged.remove(ROUTES);
        for (key, value) in route {
            if key == "path" {
                continue;
            }
            let Some(setting) = setting_named(key) else {
                translation.findings.push(DjangoFinding {
                    kind: kind("unknown-setting"),
                    setting: format!("{here} {key}"),
                    value: None,
                    message: format!("{key} is not a setting a route can change, so it has no effect"),
                    fix: "name django-cors-headers settings (CORS_ALLOWED_ORIGINS, CORS_ALLOW_CREDENTIALS, ...)".to_owned(),
                });
                continue;
            };
            if setting == Setting::UrlsRegex {
                translation.findings.push(wrong(
                    format!("{here} {key}"),
                    "cannot be set in a route: the route's `path` says which paths it covers",
                ));
                continue;
            }
            // The route's value replaces the project's under either name.
            merged.remove(setting.env_var());
            if let Some(legacy) = setting.legacy_env_var() {
                merged.remove(legacy);
            }
            merged.insert(setting.env_var().to_owned(), value.clone());
            named.push((setting, key.as_str()));
        }
        let effective = translate_one(&Value::Object(merged).to_string())?;
        for finding in effective.findings {
            if let Some((_, key)) = named.iter().find(|(s, _)| {
                finding.setting == s.env_var()
                    || Some(finding.setting.as_str()) == s.legacy_env_var()
            }) {
                translation.findings.push(DjangoFinding {
                    setting: format!("{here} {key}"),
                    ..finding
                });
            }
        }
        let mut config = RouteConfig::new(path);
        for (setting, _) in &named {
            // The value comes from a config of the same table, so its kind is the setting's.
            if let Ok(with) = config
                .clone()
                .with(*setting, effective.config.get(*setting))
            {
                config = with;
            }
        }
        translation.config.routes.push(config);
    }
    Ok(())
}

/// The setting a route's key names, by its Django name or its legacy one.
fn setting_named(key: &str) -> Option<Setting> {
    Setting::ALL
        .iter()
        .copied()
        .find(|s| s.env_var() == key || s.legacy_env_var() == Some(key))
}

fn wrong(setting: String, what: &str) -> DjangoFinding {
    DjangoFinding {
        kind: kind("setting-wrong-type"),
        message: format!("{setting} {what}"),
        setting,
        value: None,
        fix: format!(
            "write for example {ROUTES} = [{{\"path\": r\"^/api/public/\", \"CORS_ALLOW_ALL_ORIGINS\": True, \"CORS_ALLOW_CREDENTIALS\": False}}]"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::translate_settings;

    #[test]
    fn a_route_changes_what_it_names_and_inherits_the_rest() {
        let t = translate_settings(
            r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"], "CORS_ALLOW_CREDENTIALS": true,
                "CORSAIR_ROUTES": [{"path": "^/public/", "CORS_ALLOW_ALL_ORIGINS": true,
                                    "CORS_ALLOW_CREDENTIALS": false}]}"#,
        )
        .unwrap();
        assert_eq!(t.config.routes.len(), 1);
        let effective = t.config.routes[0].effective(&t.config);
        assert!(effective.allow_all_origins && !effective.allow_credentials);
        assert_eq!(effective.allowed_origins, ["https://app.example.com"]);
        assert!(!t.refused(), "{:?}", t.findings);
    }

    #[test]
    fn a_route_that_leaks_is_refused_and_named() {
        let t = translate_settings(
            r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com"], "CORS_ALLOW_CREDENTIALS": true,
                "CORSAIR_ROUTES": [{"path": "^/p/", "CORS_ORIGIN_ALLOW_ALL": true}, "nope",
                                   {"path": "^/q/", "CORS_URLS_REGEX": "^/q/"}]}"#,
        )
        .unwrap();
        assert!(t.refused());
        let settings: Vec<&str> = t.findings.iter().map(|f| f.setting.as_str()).collect();
        assert!(
            settings.contains(&"CORSAIR_ROUTES[0] CORS_ORIGIN_ALLOW_ALL"),
            "{settings:?}"
        );
        assert!(settings.contains(&"CORSAIR_ROUTES[1]"), "{settings:?}");
        assert!(
            settings.contains(&"CORSAIR_ROUTES[2] CORS_URLS_REGEX"),
            "{settings:?}"
        );
    }
}
