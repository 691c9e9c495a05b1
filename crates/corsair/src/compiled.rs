//! The compiled policy: validated settings turned into what deciding and answering read. One
//! [`Rules`] per policy (the default one, then one per route: its origin matcher and every
//! header value it will ever send), the `urls_regex`, and one matcher that picks a route.
//!
//! Invariants: every header value is valid and computed here, once (and kept static while
//! `kept.rs`'s budget lasts); nothing here runs per request. Rules index 0 is the default policy, index `i + 1` route `i`.

mod kept;
mod verbatim;

use http::{HeaderMap, HeaderValue};

use regex_automata::{Anchored, Input, meta};
use regex_syntax::hir::Hir;

use crate::anchored;
use crate::config::{ConfigError, CorsConfig, Finding, FindingId, Setting};
use crate::hook::OriginHook;
use crate::matcher::OriginMatcher;
use crate::observation::SharedObserver;
use crate::origin::RequestOrigin;
use crate::origin_set::OriginSet;
use crate::validate::{CredentialRules, Validated, ValidatedRoute};
pub(crate) use verbatim::Verbatim;
use verbatim::VerbatimOrigins;

/// The compiled state behind a [`Cors`](crate::Cors).
pub(crate) struct Policy {
    pub(crate) config: CorsConfig,
    pub(crate) warnings: Vec<Finding>,
    pub(crate) advice: Vec<Finding>,
    /// `urls_regex` and the routes' paths, matched against the normalized path.
    pub(crate) paths: PathMatchers,
    /// The same matchers reading letters without regard to case: kept only when
    /// `case_insensitive_paths` is off and case changes what they pick on some path. A path on
    /// which the two readings pick differently is granted only what both grant.
    pub(crate) case_folded: Option<Box<CaseFolded>>,
    /// The default policy's rules, then each route's.
    pub(crate) rules: Vec<Rules>,
    /// The header values of each of `rules`, in `http` 1's type.
    pub(crate) values: Vec<HeaderValues>,
    /// Whole `http` 1 response heads of each of `rules`, written once by the facade
    /// (`respond::presets`); empty until then.
    pub(crate) presets: Vec<Presets>,
    /// Told what was decided about each request.
    pub(crate) observer: Option<SharedObserver>,
    /// A report-only policy, decided beside this one and never enforced.
    pub(crate) candidate: Option<std::sync::Arc<Policy>>,
}

/// The matchers that choose a path's rules: `urls_regex` (`None`: every path) and the routes'
/// paths (`None`: no routes), each anchored at the start, matched against the normalized path.
pub(crate) struct PathMatchers {
    pub(crate) urls_regex: Option<meta::Regex>,
    pub(crate) routes: Option<meta::Regex>,
}

impl PathMatchers {
    /// Whether every path picks the default rules (no `urls_regex`, no routes).
    pub(crate) fn is_empty(&self) -> bool {
        self.urls_regex.is_none() && self.routes.is_none()
    }

    /// The rules a normalized path picks: the first route whose path matches, the default
    /// policy (0) off every route, `None` outside `urls_regex`.
    pub(crate) fn pick(&self, path: &[u8]) -> Option<usize> {
        if self
            .urls_regex
            .as_ref()
            .is_some_and(|urls| !urls.is_match(path))
        {
            return None;
        }
        Some(self.routes.as_ref().map_or(0, |routes| {
            routes
                .search(&Input::new(path).anchored(Anchored::Yes))
                .map_or(0, |found| found.pattern().as_usize() + 1)
        }))
    }
}

/// The path matchers read without regard to case.
pub(crate) struct CaseFolded {
    pub(crate) matchers: PathMatchers,
    /// Whether the patterns hold an upper-case or non-ASCII character, so that even a path of
    /// lower-case ASCII can be read differently. Otherwise such a path (what browsers send) picks
    /// alike both ways, and is read once.
    pub(crate) even_lower_case: bool,
}

impl CaseFolded {
    /// Whether `path` may pick differently read without regard to case.
    pub(crate) fn may_differ(&self, path: &[u8]) -> bool {
        self.even_lower_case
            || path
                .iter()
                .any(|&byte| byte.is_ascii_uppercase() || !byte.is_ascii())
    }
}

/// What one policy (the default one, or a route's) decides with.
pub(crate) struct Rules {
    /// `false`: requests pass untouched.
    pub(crate) enabled: bool,
    pub(crate) matcher: OriginMatcher,
    /// `matcher`'s exact origins, when each is, as written, an origin a request can send: one
    /// sent so is known valid and allowed without being parsed (see [`Rules::verbatim`]).
    pub(crate) verbatim: VerbatimOrigins,
    /// Origins allowed beside `matcher`'s, changed at run time.
    pub(crate) origin_sets: Vec<OriginSet>,
    /// What the origin sets' entries are allowed under.
    pub(crate) credential_rules: CredentialRules,
    pub(crate) allow_all_origins: bool,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) hook: Option<OriginHook>,
    pub(crate) allow_methods: Vec<String>,
    pub(crate) allow_headers: Vec<String>,
    /// `*` in `allow_methods`, and a wildcard here: the Fetch standard reads `*` as "any" only
    /// without credentials (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>).
    pub(crate) any_method: bool,
    /// `*` in `allow_headers`, and a wildcard here (without credentials; never `authorization`).
    pub(crate) any_header: bool,
    pub(crate) expose_headers: Vec<String>,
}

impl Rules {
    /// When the request's `Origin` value, as sent, is one of the exact origins: then it is a
    /// valid origin the lists allow, known without parsing it (browsers send origins as they
    /// are configured, canonically).
    pub(crate) fn verbatim(&self, value: &[u8]) -> Option<Verbatim<'_>> {
        self.verbatim.find(value)
    }

    /// Whether the origin lists or the origin sets allow `origin` (neither `allow_all_origins`
    /// nor the hook is asked).
    pub(crate) fn lists_allow(&self, origin: RequestOrigin<'_>) -> bool {
        self.matcher.allows(origin)
            || self
                .origin_sets
                .iter()
                .any(|set| set.allows(origin, self.credential_rules))
    }
}

/// Every header value the policy sends, precomputed, in the header value type of a framework
/// (`http` 1's here; the actix adapter converts them once per worker).
pub(crate) struct HeaderValues<V = HeaderValue> {
    pub(crate) allow_methods: Option<V>,
    pub(crate) allow_headers: Option<V>,
    pub(crate) expose_headers: Option<V>,
    pub(crate) max_age: Option<V>,
    pub(crate) preflight_vary: V,
    pub(crate) vary_origin: V,
    pub(crate) wildcard: V,
    pub(crate) true_value: V,
}

impl HeaderValues {
    /// The same values in another header value type; `None` if one cannot be expressed in it.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn convert<W>(
        &self,
        into: impl Fn(&HeaderValue) -> Option<W>,
    ) -> Option<HeaderValues<W>> {
        let optional = |value: &Option<HeaderValue>| match value {
            Some(value) => into(value).map(Some),
            None => Some(None),
        };
        Some(HeaderValues {
            allow_methods: optional(&self.allow_methods)?,
            allow_headers: optional(&self.allow_headers)?,
            expose_headers: optional(&self.expose_headers)?,
            max_age: optional(&self.max_age)?,
            preflight_vary: into(&self.preflight_vary)?,
            vary_origin: into(&self.vary_origin)?,
            wildcard: into(&self.wildcard)?,
            true_value: into(&self.true_value)?,
        })
    }
}

/// The CORS headers of one rules' responses to an allowed origin, written once into `http` 1
/// maps, with a stand-in `Access-Control-Allow-Origin` (replaced in place per request).
#[derive(Debug, Clone, Default)]
pub(crate) struct Presets {
    /// A preflight's answer (without `Access-Control-Allow-Private-Network`).
    pub(crate) preflight: PresetHead,
    /// The same answer as HTTP/1.1 header lines, around the allowed origin.
    pub(crate) preflight_lines: PresetLines,
    /// An actual response's CORS headers.
    pub(crate) actual: PresetHead,
}

/// One preset's map, and where `Access-Control-Allow-Origin` stands in its order (so that a
/// copy's stand-in is found without hashing the name per response).
#[derive(Debug, Clone, Default)]
pub(crate) struct PresetHead {
    pub(crate) headers: HeaderMap,
    /// The stand-in's position among the map's values, in iteration order.
    pub(crate) origin_at: Option<usize>,
}

/// A preset's header lines in HTTP/1.1 form (`name: value` and CRLF each, names in lower case,
/// in the map's order), split where the allowed origin's value goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PresetLines {
    /// The lines up to `Access-Control-Allow-Origin`'s value.
    pub(crate) before_origin: Box<[u8]>,
    /// The rest of that line, and the lines after it.
    pub(crate) after_origin: Box<[u8]>,
}

/// What allows origins at run time, beside the settings: an origin hook, origin sets.
#[derive(Clone, Default)]
pub(crate) struct RuntimeOrigins {
    pub(crate) hook: Option<OriginHook>,
    pub(crate) sets: Vec<OriginSet>,
}

impl RuntimeOrigins {
    /// Whether anything is there: it counts as a way to allow origins.
    pub(crate) fn any(&self) -> bool {
        self.hook.is_some() || !self.sets.is_empty()
    }
}

/// Compiles validated settings (`warnings` are the findings to keep with the policy; `runtime`
/// is the default policy's runtime origins, `route_runtime[i]` route `i`'s, inheritance
/// settled).
///
/// # Errors
///
/// A [`ConfigError`] when the regexes together exceed the regex engine's size limits.
pub(crate) fn compile(
    config: CorsConfig,
    default: Validated,
    routes: Vec<ValidatedRoute>,
    warnings: Vec<Finding>,
    runtime: RuntimeOrigins,
    route_runtime: Vec<RuntimeOrigins>,
) -> Result<Policy, ConfigError> {
    let advice = default.advice.clone();
    let folded = case_folded(&config, default.urls_regex.is_some())?;
    let (paths, case_folded) = match folded {
        // The folded matchers are the policy's own.
        Some(folded) if config.case_insensitive_paths => (folded.matchers, None),
        folded => {
            let selector = if routes.is_empty() {
                None
            } else {
                let paths: Vec<Hir> = routes.iter().map(|route| route.path.clone()).collect();
                Some(anchored::compile(&paths).map_err(|e| too_large(Setting::UrlsRegex, &e))?)
            };
            let paths = PathMatchers {
                urls_regex: default.urls_regex.clone(),
                routes: selector,
            };
            (paths, folded.map(Box::new))
        }
    };
    let mut rules = Vec::with_capacity(routes.len() + 1);
    let mut values = Vec::with_capacity(routes.len() + 1);
    let (default_rules, default_values) = compile_rules(default, runtime)?;
    rules.push(default_rules);
    values.push(default_values);
    let mut route_runtime = route_runtime.into_iter();
    for route in routes {
        let own = route_runtime.next().unwrap_or_default();
        let (route_rules, route_values) = compile_rules(route.rules, own)?;
        rules.push(route_rules);
        values.push(route_values);
    }
    Ok(Policy {
        config,
        warnings,
        advice,
        paths,
        case_folded,
        rules,
        values,
        presets: Vec::new(),
        observer: None,
        candidate: None,
    })
}

/// `urls_regex` (when `has_urls_regex`: it is not the default) and the route paths compiled
/// without regard to case, or `None` when that changes nothing they match (no letter in them).
fn case_folded(
    config: &CorsConfig,
    has_urls_regex: bool,
) -> Result<Option<CaseFolded>, ConfigError> {
    let both = |pattern: &str| {
        let exact = anchored::parse_with_case(pattern, false);
        let folded = anchored::parse_with_case(pattern, true);
        match (exact, folded) {
            (Ok(exact), Ok(folded)) => Ok((exact != folded, folded)),
            // Validation parsed every pattern already.
            (Err(error), _) | (_, Err(error)) => Err(too_large(Setting::UrlsRegex, &error)),
        }
    };
    let mut changed = false;
    let urls_regex = if has_urls_regex {
        let (differs, hir) = both(&config.urls_regex)?;
        changed |= differs;
        Some(compile_start_anchored(vec![hir])?)
    } else {
        None
    };
    let mut paths = Vec::with_capacity(config.routes.len());
    for route in &config.routes {
        let (differs, hir) = both(&route.path)?;
        changed |= differs;
        paths.push(hir);
    }
    if !changed {
        return Ok(None);
    }
    let routes = if paths.is_empty() {
        None
    } else {
        Some(compile_start_anchored(paths)?)
    };
    let patterns = has_urls_regex
        .then_some(config.urls_regex.as_str())
        .into_iter()
        .chain(config.routes.iter().map(|route| route.path.as_str()));
    let even_lower_case = patterns
        .flat_map(str::chars)
        .any(|c| c.is_ascii_uppercase() || !c.is_ascii());
    Ok(Some(CaseFolded {
        matchers: PathMatchers { urls_regex, routes },
        even_lower_case,
    }))
}

fn compile_start_anchored(hirs: Vec<Hir>) -> Result<meta::Regex, ConfigError> {
    let anchored: Vec<Hir> = hirs
        .into_iter()
        .map(|hir| anchored::anchor(hir, anchored::Anchoring::Start))
        .collect();
    anchored::compile(&anchored).map_err(|e| too_large(Setting::UrlsRegex, &e))
}

fn too_large(setting: Setting, error: &str) -> ConfigError {
    // Each regex compiled on its own during validation; only the set's size limit remains.
    ConfigError::new(vec![Finding::error(
        FindingId::RegexSetTooLarge,
        setting,
        None,
        format!("the regexes together are too large to compile: {error}"),
        "use fewer or simpler regexes, or patterns such as `https://*.example.com`",
    )])
}

/// One policy's rules and header values.
fn compile_rules(
    v: Validated,
    runtime: RuntimeOrigins,
) -> Result<(Rules, HeaderValues), ConfigError> {
    let matcher = OriginMatcher::new(&v.origins, &v.origin_regexes)
        .map_err(|e| too_large(Setting::AllowedOriginRegexes, &e))?;
    let join =
        |items: &[String]| (!items.is_empty()).then(|| kept::header_value(&items.join(", ")));
    let allow_headers = if v.allow_headers.iter().any(|h| h == "*") {
        // `*` never covers Authorization (Fetch standard): keep it listed when configured.
        let value = if v.allow_headers.iter().any(|h| h == "authorization") {
            "*, authorization"
        } else {
            "*"
        };
        Some(HeaderValue::from_static(value))
    } else {
        join(&v.allow_headers)
    };
    let preflight_vary = if v.allow_private_network {
        "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network"
    } else {
        "origin, access-control-request-method, access-control-request-headers"
    };
    let values = HeaderValues {
        allow_methods: join(&v.allow_methods),
        allow_headers,
        expose_headers: join(&v.expose_headers),
        max_age: (v.preflight_max_age > 0)
            .then(|| kept::header_value(&v.preflight_max_age.to_string())),
        preflight_vary: HeaderValue::from_static(preflight_vary),
        vary_origin: HeaderValue::from_static("origin"),
        wildcard: HeaderValue::from_static("*"),
        true_value: HeaderValue::from_static("true"),
    };
    let rules = Rules {
        enabled: v.enabled,
        verbatim: if matcher.exact_are_request_origins() {
            VerbatimOrigins::new(matcher.exact_origins())
        } else {
            VerbatimOrigins::default()
        },
        matcher,
        origin_sets: runtime.sets,
        credential_rules: CredentialRules {
            credentials: v.allow_credentials,
            allow_insecure: v.allow_insecure_origins_with_credentials,
        },
        allow_all_origins: v.allow_all_origins,
        credentials: v.allow_credentials,
        private_network: v.allow_private_network,
        hook: runtime.hook,
        any_method: !v.allow_credentials && v.allow_methods.iter().any(|m| m == "*"),
        any_header: !v.allow_credentials && v.allow_headers.iter().any(|h| h == "*"),
        allow_methods: v.allow_methods,
        allow_headers: v.allow_headers,
        expose_headers: v.expose_headers,
    };
    Ok((rules, values))
}
