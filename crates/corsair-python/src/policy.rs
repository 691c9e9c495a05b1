//! [`Policy`]: a compiled corsair policy for a Python middleware, and [`Decision`], its answer
//! for one request.
//!
//! A policy is the engine's [`Cors`], and for Django, a second one for the requests a
//! `check_request_enabled` receiver turns CORS on for: the same settings on every path, with
//! every valid origin allowed. The receivers are asked only where django-cors-headers' answer
//! depends on them (a path outside `CORS_URLS_REGEX`, or an origin the settings do not allow),
//! and at most once per request.

use corsair::{Cors, OriginVerdict, RequestKind};
use http::HeaderMap;
use http::header::VARY;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::request::{self, CorsHeaders};

/// A compiled CORS policy (build one with `django_policy` or `starlette_policy`).
#[pyclass(frozen, module = "corsair_cors._corsair")]
pub(crate) struct Policy {
    base: Cors,
    /// The policy for requests a signal receiver enabled (Django only).
    signalled: Option<Cors>,
}

impl Policy {
    pub(crate) fn new(base: Cors, signalled: Option<Cors>) -> Policy {
        Policy { base, signalled }
    }
}

#[pymethods]
impl Policy {
    /// Decides on one request: `None` when CORS leaves it alone (a path outside
    /// `CORS_URLS_REGEX`, a disabled route), else a `Decision`. `signal`, when given, is called
    /// with no argument at most once, when its answer matters, and returns whether a receiver
    /// turned CORS on for the request; an exception it raises propagates.
    #[pyo3(signature = (method, path, origin=None, request_method=None, request_headers=None, request_private_network=None, signal=None))]
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        origin: Option<&str>,
        request_method: Option<&str>,
        request_headers: Option<&str>,
        request_private_network: Option<&str>,
        signal: Option<Py<PyAny>>,
    ) -> PyResult<Option<Decision>> {
        let cors = CorsHeaders {
            origin,
            request_method,
            request_headers,
            request_private_network,
        };
        let Some((method, uri, headers)) = request::head(method, path, &cors) else {
            return Ok(None);
        };
        self.decide_head(py, &method, &uri, &headers, signal)
    }

    /// `decide` for an ASGI scope: its `method`, and its `headers` as ASGI gives them (pairs of
    /// `bytes`, names in lower case), read here in one pass. ASGI applications have no path
    /// rule (Starlette's arguments have none), so the path is not read.
    fn decide_asgi(
        &self,
        py: Python<'_>,
        method: &str,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Decision>> {
        let Some((method, uri, headers)) = request::asgi_head(method, headers)? else {
            return Ok(None);
        };
        self.decide_head(py, &method, &uri, &headers, None)
    }

    /// The policy as corsair describes it (`corsair lint` prints the same).
    fn __repr__(&self) -> String {
        format!("<corsair policy: {}>", self.base)
    }
}

impl Policy {
    fn decide_head(
        &self,
        py: Python<'_>,
        method: &http::Method,
        uri: &http::Uri,
        headers: &HeaderMap,
        signal: Option<Py<PyAny>>,
    ) -> PyResult<Option<Decision>> {
        let decide = |policy: &Cors| policy.evaluate(method, uri, headers).now();
        let Some(decision) = decide(&self.base) else {
            return Ok(None);
        };
        let ask = match decision.kind() {
            // Outside CORS_URLS_REGEX (not a disabled route, which says no on its own).
            RequestKind::Bypass => decision.route().is_none(),
            _ => decision.origin() == OriginVerdict::Disallowed,
        };
        if let (true, Some(signal), Some(signalled)) = (ask, signal, &self.signalled) {
            if signal.call0(py)?.is_truthy(py)? {
                if let Some(enabled) = decide(signalled) {
                    return Ok(Some(Decision::new(signalled, enabled)));
                }
            }
        }
        if decision.kind() == RequestKind::Bypass {
            return Ok(None);
        }
        Ok(Some(Decision::new(&self.base, decision)))
    }
}

/// What corsair decided for one request.
#[pyclass(frozen, module = "corsair_cors._corsair")]
pub(crate) struct Decision {
    cors: Cors,
    decision: corsair::Decision,
}

impl Decision {
    fn new(cors: &Cors, decision: corsair::Decision) -> Decision {
        Decision {
            cors: cors.clone(),
            decision,
        }
    }
}

#[pymethods]
impl Decision {
    /// Whether the middleware answers the request itself (a CORS preflight), with `status` and
    /// `headers()`, instead of calling the application.
    #[getter]
    fn preflight(&self) -> bool {
        self.decision.kind() == RequestKind::Preflight
    }

    /// Whether the origin is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// The status of the preflight answer.
    #[getter]
    fn status(&self) -> u16 {
        let response: http::Response<()> = self.cors.preflight_response(&self.decision);
        response.status().as_u16()
    }

    /// The headers to set on the response, each replacing any value of that name: for a
    /// preflight, the whole answer's; for another request, what corsair adds to the
    /// application's response, whose `Vary` values are `vary` (their merge with `origin` is in
    /// the list).
    #[pyo3(signature = (vary=None))]
    fn headers<'py>(
        &self,
        py: Python<'py>,
        vary: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let vary: Vec<&[u8]> = vary.iter().flatten().map(|v| v.as_bytes()).collect();
        let pairs: Vec<(String, String)> = self
            .written(&vary)
            .into_iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(&value).into_owned(),
                )
            })
            .collect();
        PyList::new(py, pairs)
    }

    /// `headers` for ASGI: `vary` and the answer as `bytes`, names in lower case.
    #[pyo3(signature = (vary=None))]
    fn raw_headers<'py>(
        &self,
        py: Python<'py>,
        vary: Option<Vec<Vec<u8>>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let vary: Vec<&[u8]> = vary.iter().flatten().map(Vec::as_slice).collect();
        let pairs: Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> = self
            .written(&vary)
            .into_iter()
            .map(|(name, value)| {
                (
                    PyBytes::new(py, name.as_str().as_bytes()),
                    PyBytes::new(py, &value),
                )
            })
            .collect();
        PyList::new(py, pairs)
    }
}

impl Decision {
    /// The headers corsair writes, each with all its values joined: the answer's for a
    /// preflight; otherwise what it adds to a response whose `Vary` values are `vary` (`Vary`
    /// itself only when corsair changed it).
    fn written(&self, vary: &[&[u8]]) -> Vec<(http::HeaderName, Vec<u8>)> {
        let mut headers = HeaderMap::with_capacity(8);
        for value in vary {
            if let Ok(value) = http::HeaderValue::from_bytes(value) {
                headers.append(VARY, value);
            }
        }
        // Only `Vary` can be there before; it is returned when corsair changed it.
        let vary_before: Vec<http::HeaderValue> = headers.get_all(VARY).iter().cloned().collect();
        self.cors.apply(&self.decision, &mut headers);
        headers
            .keys()
            .filter(|name| *name != VARY || headers.get_all(VARY).iter().ne(vary_before.iter()))
            .map(|name| {
                let mut joined = Vec::new();
                for (i, value) in headers.get_all(name).iter().enumerate() {
                    if i > 0 {
                        joined.extend_from_slice(b", ");
                    }
                    joined.extend_from_slice(value.as_bytes());
                }
                (name.clone(), joined)
            })
            .collect()
    }
}
