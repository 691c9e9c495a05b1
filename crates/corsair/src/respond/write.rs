//! Writing the decision into a response head: the preflight answer, and the CORS headers of an
//! actual response.

use http::{HeaderMap, Response, StatusCode};

use super::vary::merge_vary_origin;
use crate::decision::{Decision, Outcome, RequestKind};
use crate::head::{CorsHeader, ResponseHeaders};
use crate::policy::{Cors, HeaderValues};

impl Cors {
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
        self.write_preflight(&self.policy.values, &decision.outcome, headers);
    }

    /// [`Cors::write_preflight_headers`] for any framework's response headers.
    pub(crate) fn write_preflight<R: ResponseHeaders>(
        &self,
        values: &HeaderValues<R::Value>,
        outcome: &Outcome<R::Value>,
        headers: &mut R,
    ) {
        headers.set(CorsHeader::Vary, values.preflight_vary.clone());
        let Some(allow_origin) = &outcome.allow_origin else {
            return;
        };
        headers.set(CorsHeader::AllowOrigin, allow_origin.clone());
        if self.policy.credentials {
            headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
        }
        if let Some(v) = &values.allow_methods {
            headers.set(CorsHeader::AllowMethods, v.clone());
        }
        if let Some(v) = &values.allow_headers {
            headers.set(CorsHeader::AllowHeaders, v.clone());
        }
        if let Some(v) = &values.max_age {
            headers.set(CorsHeader::MaxAge, v.clone());
        }
        if outcome.private_network {
            headers.set(CorsHeader::AllowPrivateNetwork, values.true_value.clone());
        }
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
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::NO_CONTENT;
        self.write_preflight_headers(decision, response.headers_mut());
        response
    }

    /// Adds the CORS headers of an actual request to the application's response headers:
    /// `Vary: origin` merged, and for an allowed origin `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials` and `-Expose-Headers`. Does nothing for [`RequestKind::Bypass`].
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
        self.apply_outcome(&self.policy.values, &decision.outcome, headers);
    }

    /// [`Cors::apply`] for any framework's response headers.
    pub(crate) fn apply_outcome<R: ResponseHeaders>(
        &self,
        values: &HeaderValues<R::Value>,
        outcome: &Outcome<R::Value>,
        headers: &mut R,
    ) {
        match outcome.kind {
            RequestKind::Bypass => return,
            RequestKind::Preflight => return self.write_preflight(values, outcome, headers),
            RequestKind::Actual => {}
        }
        merge_vary_origin(headers, &values.vary_origin);
        let Some(allow_origin) = &outcome.allow_origin else {
            return;
        };
        headers.set(CorsHeader::AllowOrigin, allow_origin.clone());
        if self.policy.credentials {
            headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
        }
        if let Some(v) = &values.expose_headers {
            headers.set(CorsHeader::ExposeHeaders, v.clone());
        }
    }
}
