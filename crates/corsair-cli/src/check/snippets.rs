//! Configuration that applies a [`Fix`], for corsair (TOML `[cors]` keys, the `CorsConfig`
//! field names), django-cors-headers (settings.py) and nginx.

use corsair::browser::Fix;
use corsair::{DEFAULT_ALLOW_HEADERS, DEFAULT_ALLOW_METHODS};

/// One fix, written for each server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Snippets {
    /// corsair's TOML (`corsair serve --config`), under `[cors]`.
    pub corsair: String,
    /// django-cors-headers, in settings.py.
    pub django: String,
    /// nginx, in the `location` that serves the URL.
    pub nginx: String,
}

/// The configuration for `fix`, when there is one to show.
pub(super) fn for_fix(fix: &Fix) -> Option<Snippets> {
    let snippets = match fix {
        Fix::AllowOrigin { origin } => Snippets {
            corsair: format!("[cors]\nallowed_origins = [{}]", quoted(origin)),
            django: format!("CORS_ALLOWED_ORIGINS = [{}]", quoted(origin)),
            nginx: format!(
                "add_header Access-Control-Allow-Origin {} always;\nadd_header Vary Origin always;",
                quoted(origin)
            ),
        },
        Fix::AllowCredentials { origin } => Snippets {
            corsair: format!(
                "[cors]\nallowed_origins = [{}]\nallow_all_origins = false\nallow_credentials = true",
                quoted(origin)
            ),
            django: format!(
                "CORS_ALLOWED_ORIGINS = [{}]\nCORS_ALLOW_ALL_ORIGINS = False\nCORS_ALLOW_CREDENTIALS = True",
                quoted(origin)
            ),
            nginx: format!(
                "add_header Access-Control-Allow-Origin {} always;\nadd_header Access-Control-Allow-Credentials \"true\" always;\nadd_header Vary Origin always;",
                quoted(origin)
            ),
        },
        Fix::AllowMethod { method } => {
            let mut methods: Vec<String> =
                DEFAULT_ALLOW_METHODS.iter().map(|m| (*m).to_owned()).collect();
            if !methods.contains(method) {
                methods.push(method.clone());
            }
            Snippets {
                corsair: format!("[cors]\nallow_methods = [{}]", list(&methods)),
                django: format!(
                    "from corsheaders.defaults import default_methods\nCORS_ALLOW_METHODS = (*default_methods, {})",
                    quoted(method)
                ),
                nginx: format!(
                    "# in the block that answers OPTIONS\nadd_header Access-Control-Allow-Methods \"{}\" always;",
                    methods.join(", ")
                ),
            }
        }
        Fix::AllowHeaders { names } => {
            let mut headers: Vec<String> =
                DEFAULT_ALLOW_HEADERS.iter().map(|h| (*h).to_owned()).collect();
            for name in names {
                if !headers.contains(name) {
                    headers.push(name.clone());
                }
            }
            let extra: Vec<String> = names.iter().map(|n| quoted(n)).collect();
            Snippets {
                corsair: format!("[cors]\nallow_headers = [{}]", list(&headers)),
                django: format!(
                    "from corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = (*default_headers, {})",
                    extra.join(", ")
                ),
                nginx: format!(
                    "# in the block that answers OPTIONS\nadd_header Access-Control-Allow-Headers \"{}\" always;",
                    headers.join(", ")
                ),
            }
        }
        Fix::AnswerPreflight => Snippets {
            corsair: "# corsair answers preflights itself, before routing and authentication:\n# apply the Cors layer outermost (or put `corsair serve` in front of the app)".to_owned(),
            django: "# first in MIDDLEWARE, above CommonMiddleware and any authentication\nMIDDLEWARE = [\"corsheaders.middleware.CorsMiddleware\", *MIDDLEWARE]".to_owned(),
            nginx: "if ($request_method = OPTIONS) {\n    add_header Access-Control-Allow-Origin $http_origin always;  # only after checking it\n    add_header Access-Control-Allow-Methods \"GET, POST, PUT, PATCH, DELETE\" always;\n    add_header Access-Control-Allow-Headers \"content-type, authorization\" always;\n    add_header Vary Origin always;\n    return 204;\n}".to_owned(),
        },
        _ => return None,
    };
    Some(snippets)
}

/// A TOML/Python/nginx double-quoted string.
fn quoted(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c if c.is_control() => Vec::new(),
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| quoted(i))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corsair snippets are valid configuration that builds a policy doing what the fix
    /// says.
    #[test]
    fn corsair_snippets_build_the_fixing_policy() {
        let origin = "http://localhost:3000";
        let fixes = [
            Fix::AllowOrigin {
                origin: origin.into(),
            },
            Fix::AllowCredentials {
                origin: origin.into(),
            },
            Fix::AllowMethod {
                method: "patch".into(),
            },
            Fix::AllowHeaders {
                names: vec!["x-token".into(), "x-b".into()],
            },
        ];
        for fix in fixes {
            let snippet = for_fix(&fix).unwrap().corsair;
            let table: toml::Table = toml::from_str(&snippet).unwrap();
            let mut config: corsair::CorsConfig = table["cors"].clone().try_into().unwrap();
            if config.allowed_origins.is_empty() {
                config.allowed_origins = vec![origin.into()];
            }
            let cors =
                corsair::Cors::from_config(&config).unwrap_or_else(|e| panic!("{snippet}: {e}"));
            let c = cors.config();
            match &fix {
                Fix::AllowOrigin { origin } => {
                    assert_eq!(&c.allowed_origins, std::slice::from_ref(origin))
                }
                Fix::AllowCredentials { .. } => assert!(c.allow_credentials),
                Fix::AllowMethod { method } => assert!(c.allow_methods.contains(method)),
                Fix::AllowHeaders { names } => {
                    assert!(names.iter().all(|n| c.allow_headers.contains(n)));
                    assert!(c.allow_headers.contains(&"authorization".to_owned()));
                }
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn quoting_never_breaks_out_of_the_string() {
        assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\"");
    }
}
