//! [`Policy`]: a compiled corsair policy for a Python middleware, and [`Decision`], its answer
//! for one request.
//!
//! A policy is the engine's [`Cors`], and for Django, a second one for the requests a
//! `check_request_enabled` receiver turns CORS on for: the same settings on every path, with
//! every valid origin allowed. The receivers are asked only where django-cors-headers' answer
//! depends on them (a path outside `CORS_URLS_REGEX`, or an origin the settings do not allow),
//! and at most once per request.

use std::borrow::Cow;

use corsair::{Cors, OriginVerdict, RequestKind};
use http::HeaderMap;
use http::header::VARY;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::request::CorsHeaders;

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

    /// The engine's policy for every request no signal receiver enabled.
    pub(crate) fn base(&self) -> &Cors {
        &self.base
    }
}

#[pymethods]
impl Policy {
    /// Decides on one request: `None` when CORS leaves it alone (a path outside
    /// `CORS_URLS_REGEX`, a disabled route), else a `Decision`. `signal`, when given, is called
    /// as `signal(request)` at most once, when its answer matters, and returns whether a
    /// receiver turned CORS on for the request; an exception it raises propagates.
    #[pyo3(signature = (method, path, origin=None, request_method=None, request_headers=None, request_private_network=None, signal=None, request=None))]
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
        request: Option<Py<PyAny>>,
    ) -> PyResult<Option<Decision>> {
        let cors = CorsHeaders {
            origin,
            request_method,
            request_headers,
            request_private_network,
        };
        let Some((method, uri, headers)) = crate::request::head(method, path, &cors) else {
            return Ok(None);
        };
        self.decide_head(py, &method, &uri, &headers, signal, request)
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
        request: Option<Py<PyAny>>,
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
            if signal.call1(py, (request,))?.is_truthy(py)? {
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
    /// Whether the middleware answers the request itself (a CORS preflight), with `answer()`,
    /// instead of calling the application.
    #[getter]
    fn preflight(&self) -> bool {
        self.decision.kind() == RequestKind::Preflight
    }

    /// Whether the origin is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// The preflight's answer, built once: its status and its headers (`(name, value)` pairs).
    fn answer(&self) -> (u16, Vec<(String, String)>) {
        let (status, written) = Written::preflight(&self.cors, &self.decision);
        (status, text_pairs(&written))
    }

    /// The headers to set on the response of an actual request, each replacing any value of
    /// that name: what corsair adds to the application's response, whose `Vary` values are
    /// `vary` (their merge with `origin` is in the list).
    #[pyo3(signature = (vary=None))]
    fn headers<'py>(
        &self,
        py: Python<'py>,
        vary: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let vary = vary.iter().flatten().map(|v| v.as_bytes());
        let written = Written::new(&self.cors, &self.decision, vary);
        PyList::new(py, text_pairs(&written))
    }
}

/// The headers of `written` as text pairs, as Django sets them.
fn text_pairs(written: &Written) -> Vec<(String, String)> {
    written
        .each()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(&value).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// The headers corsair writes for one decision: the answer's for a preflight; otherwise what
/// it adds to a response whose `Vary` values are given (`Vary` itself only when corsair
/// changed it).
pub(crate) struct Written {
    headers: HeaderMap,
    vary_changed: bool,
}

impl Written {
    /// A preflight's answer: its status and every header of it.
    pub(crate) fn preflight(cors: &Cors, decision: &corsair::Decision) -> (u16, Written) {
        let (parts, ()) = cors.preflight_response::<()>(decision).into_parts();
        let written = Written {
            headers: parts.headers,
            vary_changed: true,
        };
        (parts.status.as_u16(), written)
    }

    pub(crate) fn new<'a>(
        cors: &Cors,
        decision: &corsair::Decision,
        vary: impl IntoIterator<Item = &'a [u8]>,
    ) -> Written {
        // A map without room, when the response has no `Vary`: the engine copies an allowed
        // origin's headers into it whole (its preset) instead of writing them one by one.
        // Otherwise room for every header corsair writes, so that writing them never grows it.
        let mut headers = HeaderMap::new();
        for value in vary {
            if let Ok(value) = http::HeaderValue::from_bytes(value) {
                if headers.capacity() == 0 {
                    headers.reserve(8);
                }
                headers.append(VARY, value);
            }
        }
        // Only `Vary` can be there before; it is written when corsair changed it.
        let vary_before: Vec<http::HeaderValue> = if headers.is_empty() {
            Vec::new()
        } else {
            headers.get_all(VARY).iter().cloned().collect()
        };
        cors.apply(decision, &mut headers);
        let vary_changed = headers.get_all(VARY).iter().ne(vary_before.iter());
        Written {
            headers,
            vary_changed,
        }
    }

    /// Whether corsair writes a header of this name.
    pub(crate) fn has(&self, name: &[u8]) -> bool {
        self.names()
            .any(|n| name.eq_ignore_ascii_case(n.as_str().as_bytes()))
    }

    fn names(&self) -> impl Iterator<Item = &http::HeaderName> {
        self.headers
            .keys()
            .filter(|name| *name != VARY || self.vary_changed)
    }

    /// Whether corsair writes nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.names().next().is_none()
    }

    /// Each header corsair writes, with all its values joined by `, `. Read in the map's order,
    /// in which a name's values follow one another, so that no name is looked up.
    pub(crate) fn each(&self) -> impl Iterator<Item = (&http::HeaderName, Cow<'_, [u8]>)> {
        let mut values = self.headers.iter().peekable();
        std::iter::from_fn(move || {
            loop {
                let (name, first) = values.next()?;
                let mut joined = Cow::Borrowed(first.as_bytes());
                while let Some((_, value)) = values.next_if(|(next, _)| *next == name) {
                    let joined = joined.to_mut();
                    joined.extend_from_slice(b", ");
                    joined.extend_from_slice(value.as_bytes());
                }
                if *name != VARY || self.vary_changed {
                    return Some((name, joined));
                }
            }
        })
    }
}
