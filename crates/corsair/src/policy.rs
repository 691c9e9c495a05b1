//! [`Cors`]: the policy's public face, and [`CorsBuilder`], the one way to make one (from code, a
//! [`CorsConfig`], the environment, or all three). `Cors` holds the compiled policy and hands
//! each request to the stages below it: deciding, then writing the headers.
//!
//! Invariants: every header value a policy sends is computed and validated when it is built,
//! once; a `Cors` is an `Arc`, so cloning it (per connection, per request) never allocates.

mod builder;
mod reloadable;

use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, Method, Response, StatusCode, Uri};

use crate::compiled::{Policy, Rules};
use crate::config::CorsConfig;
use crate::config::Finding;
use crate::decision::{self, Decided, Decision, Evaluation, PendingDecision, Refusal};
use crate::head::Http1Head;
use crate::observation::{RefusalKind, RequestKind};
use crate::respond;

pub use builder::CorsBuilder;
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) use reloadable::Source;
pub use reloadable::{PolicyHandle, ReloadableCors};

/// A CORS policy, validated and compiled. Cheap to clone; `Send + Sync`.
///
/// Build one with [`Cors::builder`] or [`Cors::from_config`]; apply it with the tower layer
/// (`Router::layer(cors)` in axum), or drive it yourself with [`Cors::evaluate`].
///
/// ```
/// use corsair::Cors;
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example", "http://localhost:*"])
///     .allow_credentials(true)
///     .expose_headers(["x-request-id"])
///     .build()?;
/// assert!(cors.warnings().is_empty());
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Cors {
    pub(crate) policy: Arc<Policy>,
}

impl Cors {
    /// Starts a policy from the defaults of django-cors-headers (which allow no origin: at least
    /// one of `allowed_origins`, `allowed_origin_regexes`, `allow_all_origins` or a hook is
    /// required).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn builder() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// Validates and compiles a [`CorsConfig`]: `CorsBuilder::from(config.clone()).build()`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`](crate::ConfigError) listing every problem found, each with its
    /// setting, value and fix.
    ///
    /// ```
    /// let mut config = corsair::CorsConfig::default();
    /// config.allowed_origins = vec!["http://localhost:8080".into()];
    /// let cors = corsair::Cors::from_config(&config)?;
    /// assert_eq!(cors.config().allowed_origins, ["http://localhost:8080"]);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn from_config(config: &CorsConfig) -> Result<Cors, crate::config::ConfigError> {
        CorsBuilder::from(config.clone()).build()
    }

    /// Reads the `CORS_*` environment variables (django-cors-headers names) and builds the
    /// policy: `CorsBuilder::from_env()?.build()`. Deprecation warnings about the variables are
    /// part of [`Cors::warnings`].
    ///
    /// # Errors
    ///
    /// A [`ConfigError`](crate::ConfigError) when a variable cannot be read or the policy it
    /// describes is refused.
    ///
    /// ```no_run
    /// // CORS_ALLOWED_ORIGINS=https://app.example CORS_ALLOW_CREDENTIALS=true
    /// let cors = corsair::Cors::from_env()?;
    /// # let _ = cors;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    #[cfg(feature = "config")]
    pub fn from_env() -> Result<Cors, crate::config::ConfigError> {
        CorsBuilder::from_env()?.build()
    }

    /// The non-fatal findings of the configuration (uppercase origins normalised, a max-age
    /// above Chromium's cap, `null` allowed, ...).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://App.Example"])
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(cors.warnings()[0].id, "origin-not-canonical");
    /// ```
    pub fn warnings(&self) -> &[Finding] {
        &self.policy.warnings
    }

    /// Security advice about this valid policy: legal, but risky (many origins with
    /// credentials, loopback origins with credentials, every origin on every path, ...).
    /// `corsair lint` shows it; nothing is refused for it.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["http://localhost:3000"])
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// assert!(cors.warnings().is_empty());
    /// assert_eq!(cors.advice()[0].id, "loopback-origin-with-credentials");
    /// ```
    pub fn advice(&self) -> &[Finding] {
        &self.policy.advice
    }

    /// The routes of the policy (`[[cors.routes]]`, [`CorsBuilder::route`]), in order.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .route("^/public/", corsair::Cors::builder().allow_all_origins(true))
    ///     .build()
    ///     .unwrap();
    /// let paths: Vec<&str> = cors.routes().map(|route| route.path()).collect();
    /// assert_eq!(paths, ["^/public/"]);
    /// ```
    pub fn routes(&self) -> impl ExactSizeIterator<Item = RouteInfo<'_>> {
        (0..self.policy.config.routes.len()).map(move |index| RouteInfo { cors: self, index })
    }

    /// The configuration this policy was built from.
    ///
    /// ```
    /// let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// assert!(cors.config().allow_all_origins);
    /// ```
    pub fn config(&self) -> &CorsConfig {
        &self.policy.config
    }

    /// Classifies a request and decides on its origin. Allocation-free unless an asynchronous
    /// hook runs.
    ///
    /// This is the framework-agnostic entry point the adapters use: answer a
    /// [`RequestKind::Preflight`](crate::RequestKind::Preflight) with [`Cors::preflight_response`], let the application answer
    /// the others and pass its response headers to [`Cors::apply`].
    ///
    /// ```
    /// use corsair::{Cors, RequestKind};
    /// use http::{HeaderMap, Method, Uri};
    ///
    /// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "PUT".parse().unwrap());
    /// let decision = cors
    ///     .evaluate(&Method::OPTIONS, &Uri::from_static("/items/1"), &headers)
    ///     .now()
    ///     .unwrap();
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// let response: http::Response<()> = cors.preflight_response(&decision);
    /// assert_eq!(response.status(), 204);
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
    /// ```
    pub fn evaluate(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Evaluation {
        self.evaluate_head(&Http1Head::new(method, uri, headers))
    }

    /// [`Cors::evaluate`] for a request whose target the server holds as text, in origin form
    /// (`/path?query`, [RFC 9112 §3.2.1](https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1)),
    /// with no [`Uri`] to make: its path is what comes before the first `?` (as [`Uri::path`]
    /// reads it), its query what follows. For a target that parses as a `Uri`, the decision is
    /// the one [`Cors::evaluate`] makes.
    ///
    /// ```
    /// use corsair::Cors;
    /// use http::{HeaderMap, Method};
    ///
    /// let cors = Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .urls_regex("^/api/")
    ///     .build()
    ///     .unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// let decide = |target| cors.evaluate_target(&Method::GET, target, &headers).now().unwrap();
    /// assert!(decide("/api/items?page=2").is_allowed());
    /// // The query is not part of the path the rules match.
    /// assert!(!decide("/items?next=/api/").is_allowed());
    /// ```
    pub fn evaluate_target(
        &self,
        method: &Method,
        target: &str,
        headers: &HeaderMap,
    ) -> Evaluation {
        self.evaluate_head(&Http1Head::for_target(method, target, headers))
    }

    #[inline(always)] // An answer passes through (see `Answer`).
    fn evaluate_head(&self, head: &Http1Head<'_>) -> Evaluation {
        match decision::decide(&self.policy, head, &self.policy.values) {
            Decided::Ready(outcome) => Evaluation::Decided(Decision { outcome }),
            Decided::Pending(pending) => Evaluation::Pending(PendingDecision::new(pending)),
        }
    }

    /// Writes the preflight answer's headers into `headers` (Vary always; the CORS headers when
    /// the origin is allowed).
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://evil.example".parse().unwrap());
    /// # req.insert("access-control-request-method", "PUT".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// cors.write_preflight_headers(&decision, &mut headers);
    /// assert!(headers.get("access-control-allow-origin").is_none());
    /// assert!(headers["vary"].to_str().unwrap().starts_with("origin"));
    /// ```
    pub fn write_preflight_headers(&self, decision: &Decision, headers: &mut HeaderMap) {
        self.write_preflight_answer(decision.clone(), headers);
    }

    /// [`Cors::write_preflight_headers`] for a caller that is done with its decision: the
    /// allowed origin moves into `headers` instead of being copied.
    #[inline(always)] // An answer passes through (see `Answer`).
    pub(crate) fn write_preflight_answer(&self, decision: Decision, headers: &mut HeaderMap) {
        let outcome = match decision.outcome.kind {
            RequestKind::Preflight => {
                match respond::write_preset(&self.policy, decision.outcome, headers) {
                    Ok(()) => return,
                    Err(outcome) => outcome,
                }
            }
            _ => decision.outcome,
        };
        respond::write_preflight(&self.policy, &self.policy.values, outcome, headers);
    }

    /// Writes the headers of [`Cors::write_preflight_headers`] as HTTP/1.1 lines onto `out`
    /// (`name: value` and CRLF each, names in lower case, in the same order) when the policy
    /// wrote them once for the decision's rules (an allowed origin's preflight), for a server
    /// that writes its answers as bytes; `false`, with nothing written, otherwise (a refused
    /// origin, a private network preflight, a decision that is not a preflight's): then write
    /// them with [`Cors::write_preflight_headers`].
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://app.example".parse().unwrap());
    /// # req.insert("access-control-request-method", "PUT".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut lines = Vec::new();
    /// assert!(cors.write_preflight_lines(&decision, &mut lines));
    /// let lines = String::from_utf8(lines).unwrap();
    /// assert!(lines.contains("access-control-allow-origin: https://app.example\r\n"));
    /// ```
    pub fn write_preflight_lines(&self, decision: &Decision, out: &mut Vec<u8>) -> bool {
        respond::write_preflight_lines(&self.policy, &decision.outcome, out)
    }

    /// The complete answer to a preflight: `204 No Content`, an empty body, and the headers of
    /// [`Cors::write_preflight_headers`].
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://a.example".parse().unwrap());
    /// # req.insert("access-control-request-method", "DELETE".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &req).now().unwrap();
    /// let response: http::Response<String> = cors.preflight_response(&decision);
    /// assert_eq!(response.status(), http::StatusCode::NO_CONTENT);
    /// assert!(response.body().is_empty());
    /// ```
    pub fn preflight_response<B: Default>(&self, decision: &Decision) -> Response<B> {
        self.preflight_answer(decision.clone())
    }

    /// [`Cors::preflight_response`] for a caller that is done with its decision.
    #[inline(always)] // An answer passes through (see `Answer`).
    pub(crate) fn preflight_answer<B: Default>(&self, decision: Decision) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::NO_CONTENT;
        self.write_preflight_answer(decision, response.headers_mut());
        response
    }

    /// Adds the CORS headers of an actual request to the application's response headers:
    /// `Vary: origin` merged, and for an allowed origin `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials` and `-Expose-Headers`. Does nothing for [`RequestKind::Bypass`](crate::RequestKind::Bypass).
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://app.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("vary", "accept-encoding".parse().unwrap());
    /// cors.apply(&decision, &mut headers);
    /// assert_eq!(headers["vary"], "accept-encoding, origin");
    /// assert_eq!(headers["access-control-allow-origin"], "https://app.example");
    /// ```
    pub fn apply(&self, decision: &Decision, headers: &mut HeaderMap) {
        self.apply_answer(decision.clone(), headers);
    }

    /// Writes [`Cors::apply`]'s headers as HTTP/1.1 lines onto `out` (`name: value` and CRLF
    /// each, names in lower case), for a server that writes response heads as bytes: the
    /// response's `Vary`, from its own values `vary` (merged with `origin` where the policy
    /// needs it, else as they are), then the CORS lines. The caller writes none of the
    /// response's own `Vary` lines.
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://app.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut lines = Vec::new();
    /// let own_vary: [&[u8]; 1] = [b"accept-encoding"];
    /// cors.write_actual_lines(&decision, own_vary.into_iter(), &mut lines);
    /// assert_eq!(
    ///     String::from_utf8(lines).unwrap(),
    ///     "vary: accept-encoding, origin\r\naccess-control-allow-origin: https://app.example\r\n",
    /// );
    /// ```
    pub fn write_actual_lines<'v>(
        &self,
        decision: &Decision,
        vary: impl Iterator<Item = &'v [u8]> + Clone,
        out: &mut Vec<u8>,
    ) {
        respond::apply_as_lines(&self.policy, decision.outcome.clone(), vary, out);
    }

    /// [`Cors::apply`] for a caller that is done with its decision: the allowed origin moves
    /// into `headers` instead of being copied.
    #[inline(always)] // An answer passes through (see `Answer`).
    pub(crate) fn apply_answer(&self, decision: Decision, headers: &mut HeaderMap) {
        if let Err(outcome) = respond::write_preset(&self.policy, decision.outcome, headers) {
            respond::apply(&self.policy, &self.policy.values, outcome, headers);
        }
    }

    /// Explains why the browser will refuse this preflight, or `None` if it will pass. For logs
    /// and diagnostics: it allocates, and the answer corsair sends does not depend on it (a
    /// preflight from an allowed origin always lists the configured methods and headers, so that
    /// the browser names exactly what is missing).
    ///
    /// ```
    /// use corsair::{Cors, Refusal};
    ///
    /// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "PUT".parse().unwrap());
    /// headers.insert("access-control-request-headers", "content-type,x-token".parse().unwrap());
    /// assert_eq!(
    ///     cors.explain_preflight(&"/".parse().unwrap(), &headers),
    ///     Some(Refusal::HeaderNotAllowed("x-token".into()))
    /// );
    /// ```
    pub fn explain_preflight(&self, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
        decision::explain(&self.policy, uri, headers)
    }

    /// Why the browser will refuse the CORS request `decision` was made on, without the details
    /// (see [`Cors::explain_preflight`] for them): the origin's verdict, then, for an allowed
    /// preflight, what it asks that the policy does not allow. `None` for a request the browser
    /// will accept, and for one that is not a CORS request. `headers` are that request's
    /// headers, and `decision` this policy's (`evaluate`'s).
    ///
    /// Deciding does not check what a preflight asks for, since the answer does not depend on
    /// it: this checks it now, without allocating (unless an
    /// [`observer`](crate::CorsBuilder::observer) is installed, for which deciding checked it
    /// already).
    ///
    /// ```
    /// use corsair::{Cors, RefusalKind};
    ///
    /// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// let refusal = |origin: &str, requested: &str| {
    ///     let mut headers = http::HeaderMap::new();
    ///     headers.insert("origin", origin.parse().unwrap());
    ///     headers.insert("access-control-request-method", "PUT".parse().unwrap());
    ///     headers.insert("access-control-request-headers", requested.parse().unwrap());
    ///     let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &headers);
    ///     cors.refusal(&decision.now().unwrap(), &headers)
    /// };
    /// assert_eq!(refusal("https://app.example", "content-type"), None);
    /// assert_eq!(refusal("https://app.example", "x-token"), Some(RefusalKind::HeaderNotAllowed));
    /// assert_eq!(refusal("https://evil.example", "content-type"), Some(RefusalKind::OriginNotAllowed));
    /// ```
    pub fn refusal(&self, decision: &Decision, headers: &HeaderMap) -> Option<RefusalKind> {
        decision::refusal_kind(&self.policy, &decision.outcome, headers)
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("config", &self.policy.config)
            .field("hook", &self.policy.rules[0].hook)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Cors {
    /// A one-line summary of the default policy, for logs (and the number of routes; each
    /// route's own summary is its [`RouteInfo`]'s).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .route("^/public/", corsair::Cors::builder().allow_all_origins(true))
    ///     .build()
    ///     .unwrap();
    /// assert!(cors.to_string().starts_with("origins=[https://app.example] credentials=false"));
    /// assert!(cors.to_string().ends_with(" routes=1"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        summarize(f, &self.policy.config, &self.policy.rules[0])?;
        if self.policy.paths.urls_regex.is_some() {
            write!(f, " urls_regex={}", self.policy.config.urls_regex)?;
        }
        if !self.policy.config.routes.is_empty() {
            write!(f, " routes={}", self.policy.config.routes.len())?;
        }
        Ok(())
    }
}

/// One route of a built policy: its path and its whole policy.
///
/// ```
/// use corsair::Cors;
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     .route("^/webhooks/", Cors::builder().enabled(false))
///     .route("^/partner/", Cors::builder().allowed_origins(["https://partner.example"]))
///     .build()
///     .unwrap();
/// let routes: Vec<String> = cors.routes().map(|route| route.to_string()).collect();
/// assert_eq!(routes[0], r#"cors.routes[0] (path "^/webhooks/"): enabled=false"#);
/// assert!(routes[1].starts_with(r#"cors.routes[1] (path "^/partner/"): origins=[https://partner.example]"#));
/// assert_eq!(cors.routes().nth(1).unwrap().config().allowed_origins, ["https://partner.example"]);
/// ```
#[derive(Clone, Copy)]
pub struct RouteInfo<'a> {
    cors: &'a Cors,
    index: usize,
}

impl<'a> RouteInfo<'a> {
    /// The route's position in `[[cors.routes]]`, from 0.
    ///
    /// ```
    /// # let cors = corsair::Cors::builder().allow_all_origins(true).route("^/x/", corsair::Cors::builder()).build().unwrap();
    /// assert_eq!(cors.routes().next().unwrap().index(), 0);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The route's `path` regex, as written.
    ///
    /// ```
    /// # let cors = corsair::Cors::builder().allow_all_origins(true).route("^/x/", corsair::Cors::builder()).build().unwrap();
    /// assert_eq!(cors.routes().next().unwrap().path(), "^/x/");
    /// ```
    pub fn path(&self) -> &'a str {
        &self.cors.policy.config.routes[self.index].path
    }

    /// Whether CORS is on for the route's paths.
    ///
    /// ```
    /// # let cors = corsair::Cors::builder().allow_all_origins(true).route("^/x/", corsair::Cors::builder().enabled(false)).build().unwrap();
    /// assert!(!cors.routes().next().unwrap().enabled());
    /// ```
    pub fn enabled(&self) -> bool {
        self.cors.policy.rules[self.index + 1].enabled
    }

    /// The route's whole policy: the default policy with the settings the route names.
    ///
    /// ```
    /// # let cors = corsair::Cors::builder().allowed_origins(["https://a.example"]).route("^/x/", corsair::Cors::builder().allow_credentials(true)).build().unwrap();
    /// let route = cors.routes().next().unwrap().config();
    /// assert!(route.allow_credentials);
    /// assert_eq!(route.allowed_origins, ["https://a.example"]);
    /// ```
    pub fn config(&self) -> CorsConfig {
        self.cors.policy.config.routes[self.index].effective(&self.cors.policy.config)
    }
}

impl fmt::Display for RouteInfo<'_> {
    /// `cors.routes[1] (path "^/partner/"): origins=[...] credentials=... ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cors.routes[{}] (path {:?}): ", self.index, self.path())?;
        if !self.enabled() {
            return f.write_str("enabled=false");
        }
        summarize(f, &self.config(), &self.cors.policy.rules[self.index + 1])
    }
}

impl fmt::Debug for RouteInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteInfo")
            .field("index", &self.index)
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

/// One policy's settings on one line.
fn summarize(f: &mut fmt::Formatter<'_>, c: &CorsConfig, rules: &Rules) -> fmt::Result {
    if !c.enabled {
        return f.write_str("enabled=false");
    }
    if c.allow_all_origins {
        f.write_str("origins=*")?;
    } else {
        write!(f, "origins=[{}]", c.allowed_origins.join(", "))?;
        if !c.allowed_origin_regexes.is_empty() {
            write!(
                f,
                " origin_regexes=[{}]",
                c.allowed_origin_regexes.join(", ")
            )?;
        }
    }
    if rules.hook.is_some() {
        f.write_str(" hook=yes")?;
    }
    write!(
        f,
        " credentials={} methods=[{}] headers=[{}]",
        c.allow_credentials,
        rules.allow_methods.join(", "),
        rules.allow_headers.join(", ")
    )?;
    if !rules.expose_headers.is_empty() {
        write!(f, " expose=[{}]", rules.expose_headers.join(", "))?;
    }
    write!(f, " max_age={}", c.preflight_max_age)?;
    if c.allow_private_network {
        f.write_str(" private_network=true")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;

    use super::Cors;

    /// Whatever headers a policy's presets hold, the stand-in's recorded position is
    /// `Access-Control-Allow-Origin`'s, in both presets of every rules.
    #[test]
    fn the_stand_in_is_found_where_it_stands_in_every_preset() {
        let variants = [
            Cors::builder().allowed_origins(["https://a.example"]),
            Cors::builder()
                .allowed_origins(["https://a.example"])
                .allow_credentials(true)
                .expose_headers(["x-id"])
                .preflight_max_age(0),
            Cors::builder()
                .allow_all_origins(true)
                .allow_methods(["PUT"])
                .allow_headers(["*"]),
            Cors::builder()
                .allowed_origins(["https://a.example"])
                .route(
                    "^/api/",
                    Cors::builder()
                        .allowed_origins(["https://b.example"])
                        .allow_credentials(true),
                ),
        ];
        for (index, builder) in variants.into_iter().enumerate() {
            let cors = builder.build().unwrap();
            assert!(!cors.policy.presets.is_empty(), "{index}");
            for presets in &cors.policy.presets {
                for preset in [&presets.preflight, &presets.actual] {
                    let at = preset
                        .origin_at
                        .expect("an allowed origin's preset has one");
                    let (name, value) = preset.headers.iter().nth(at).unwrap();
                    assert_eq!(name, ACCESS_CONTROL_ALLOW_ORIGIN, "{index}");
                    assert_eq!(value, "*", "{index}");
                }
            }
        }
    }
}
