//! The compiled policy: validated settings turned into what deciding and answering read, the
//! origin matcher and every header value the policy will ever send, computed once.
//!
//! Invariants: every header value is valid and computed here, once; nothing here runs per
//! request.

use bytes::Bytes;
use http::HeaderValue;

use crate::config::CorsConfig;
use crate::finding::{ConfigError, Finding};
use crate::hook::OriginHook;
use crate::matcher::OriginMatcher;
use crate::validate::Validated;
use regex_automata::meta;

/// The compiled state behind a [`Cors`](crate::Cors).
pub(crate) struct Policy {
    pub(crate) config: CorsConfig,
    pub(crate) warnings: Vec<Finding>,
    pub(crate) advice: Vec<Finding>,
    pub(crate) matcher: OriginMatcher,
    pub(crate) allow_all_origins: bool,
    /// Anchored at the start; matched against the normalized path.
    pub(crate) urls_regex: Option<meta::Regex>,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) hook: Option<OriginHook>,
    pub(crate) allow_methods: Vec<String>,
    pub(crate) allow_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) values: HeaderValues,
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

/// A header value whose clones share one buffer (cloning it never allocates).
fn shared_value(text: &str) -> HeaderValue {
    let bytes = Bytes::from_owner(text.as_bytes().to_vec());
    HeaderValue::from_maybe_shared(bytes).expect("validated header value")
}

/// Compiles validated settings (`warnings` are the findings to keep with the policy).
///
/// # Errors
///
/// A [`ConfigError`] when the regexes together exceed the regex engine's size limits.
pub(crate) fn compile(
    config: CorsConfig,
    v: Validated,
    warnings: Vec<Finding>,
    hook: Option<OriginHook>,
) -> Result<Policy, ConfigError> {
    let matcher = OriginMatcher::new(&v.origins, &v.origin_regexes).map_err(|e| {
        // Each regex compiled on its own during validation; only the set's size limit remains.
        ConfigError::new(vec![Finding::error(
            "regex-set-too-large",
            crate::config::Setting::AllowedOriginRegexes,
            None,
            format!("the regexes together are too large to compile: {e}"),
            "use fewer or simpler regexes, or patterns such as `https://*.example.com`",
        )])
    })?;
    let join = |items: &[String]| (!items.is_empty()).then(|| shared_value(&items.join(", ")));
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
        max_age: (v.preflight_max_age > 0).then(|| shared_value(&v.preflight_max_age.to_string())),
        preflight_vary: HeaderValue::from_static(preflight_vary),
        vary_origin: HeaderValue::from_static("origin"),
        wildcard: HeaderValue::from_static("*"),
        true_value: HeaderValue::from_static("true"),
    };
    Ok(Policy {
        config,
        warnings,
        advice: v.advice,
        matcher,
        allow_all_origins: v.allow_all_origins,
        urls_regex: v.urls_regex,
        credentials: v.allow_credentials,
        private_network: v.allow_private_network,
        hook,
        allow_methods: v.allow_methods,
        allow_headers: v.allow_headers,
        expose_headers: v.expose_headers,
        values,
    })
}
