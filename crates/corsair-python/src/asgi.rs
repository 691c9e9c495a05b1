//! The ASGI middleware's work per request, done in the module: [`AsgiCors`] is called with an
//! ASGI `scope`, `receive` and `send` and returns the awaitable that serves the request.
//!
//! ASGI cannot be served without an event loop, and this module has none: it returns the
//! application's own coroutine (called with a `send` of its own, [`SendWithCors`], when corsair
//! adds headers to the response), or the Python helper's coroutine that sends a preflight's
//! answer. So a request costs one crossing into the module and one per message the
//! application sends, and no Python frame of corsair's but the preflight helper's (the Python
//! `CORSMiddleware` subclasses [`AsgiCors`] and is called as it is).
//!
//! The scope's `headers` are read in one pass for the four CORS request headers; the
//! response's `headers` are read for `Vary`, then for the names corsair writes, which replace
//! the application's (as Starlette's middleware does). corsair's own headers are tuples from
//! the middleware's [`PairCache`], which makes no new object for a header the policy fixes.

use corsair::{Cors, RequestKind};
use http::header::{
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN,
};
use http::{HeaderMap, HeaderValue, Method, Uri};
use pyo3::exceptions::PyKeyError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::pairs::PairCache;
use crate::policy::{Policy, Written};

/// Starlette's `CORSMiddleware` on corsair's engine, as the module serves it: built with the
/// application, a policy from `starlette_policy`, and `answer(send, start, body)`, the Python
/// coroutine function that sends a preflight's two messages. The Python `CORSMiddleware` is a
/// subclass, so that a request's call comes here without a Python frame on the way.
#[pyclass(frozen, subclass, module = "corsair_cors._corsair")]
pub(crate) struct AsgiCors {
    app: Py<PyAny>,
    cors: Cors,
    answer: Py<PyAny>,
    /// The pairs of the headers this middleware wrote before.
    pairs: PairCache,
}

#[pymethods]
impl AsgiCors {
    #[new]
    fn new(app: Py<PyAny>, policy: &Policy, answer: Py<PyAny>) -> AsgiCors {
        AsgiCors {
            app,
            cors: policy.base().clone(),
            answer,
            pairs: PairCache::new(),
        }
    }

    /// The awaitable serving one ASGI request: the application's (with corsair's `send` when
    /// corsair adds headers), or the preflight's answer. Scopes other than `http` (lifespan,
    /// WebSocket) go to the application untouched.
    ///
    /// # Errors
    ///
    /// A Python exception when the scope is not an ASGI scope (no `type`; an `http` scope
    /// without `method` or `headers`, or with headers that are not pairs of `bytes`), or the
    /// one the application raises when called.
    fn __call__<'py>(
        slf: &Bound<'py, Self>,
        scope: &Bound<'py, PyAny>,
        receive: &Bound<'py, PyAny>,
        send: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let app = this.app.bind(py);
        if !is(&item(scope, intern!(py, "type"))?, intern!(py, "http"))? {
            return app.call1((scope, receive, send));
        }
        let Some(method) = method(&item(scope, intern!(py, "method"))?)? else {
            return app.call1((scope, receive, send));
        };
        let (headers, origin) = cors_request_headers(&item(scope, intern!(py, "headers"))?)?;
        let decision = this
            .cors
            .evaluate(&method, &Uri::from_static("/"), &headers)
            .now();
        let Some(decision) = decision else {
            return app.call1((scope, receive, send));
        };
        match decision.kind() {
            RequestKind::Bypass => app.call1((scope, receive, send)),
            RequestKind::Preflight => {
                let (status, answer) = Written::preflight(&this.cors, &decision);
                let mut pairs = Vec::new();
                this.pairs
                    .push_pairs(py, &answer, origin.as_ref(), &mut pairs)?;
                let start = PyDict::new(py);
                start.set_item(intern!(py, "type"), intern!(py, "http.response.start"))?;
                start.set_item(intern!(py, "status"), status)?;
                start.set_item(intern!(py, "headers"), PyList::new(py, pairs)?)?;
                let body = PyDict::new(py);
                body.set_item(intern!(py, "type"), intern!(py, "http.response.body"))?;
                body.set_item(intern!(py, "body"), PyBytes::new(py, b""))?;
                this.answer.bind(py).call1((send, start, body))
            }
            _ => {
                let send = SendWithCors {
                    send: send.clone().unbind(),
                    middleware: slf.clone().unbind(),
                    origin: origin.map(Bound::unbind),
                    decision,
                };
                app.call1((scope, receive, Bound::new(py, send)?))
            }
        }
    }
}

/// The `send` corsair hands the application of an actual request: it adds corsair's headers
/// to the `http.response.start` message and passes every message on.
#[pyclass(frozen, module = "corsair_cors._corsair")]
pub(crate) struct SendWithCors {
    send: Py<PyAny>,
    middleware: Py<AsgiCors>,
    /// The request's `Origin` value, as the scope gave it.
    origin: Option<Py<PyBytes>>,
    decision: corsair::Decision,
}

#[pymethods]
impl SendWithCors {
    /// The awaitable of the server's `send` for `message`, with corsair's headers added to
    /// the response's start.
    ///
    /// # Errors
    ///
    /// A Python exception when the message has no `type`, or response headers that are not
    /// pairs of `bytes`.
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        message: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let start = intern!(py, "http.response.start");
        if is(&item(message, intern!(py, "type"))?, start)? {
            self.add_headers(py, message)?;
        }
        self.send.bind(py).call1((message,))
    }
}

impl SendWithCors {
    /// Sets `message["headers"]` to a new list of the application's headers with corsair's:
    /// those corsair writes replace the application's of the same name, `Vary` merged. The
    /// application's list is left as it was, as Starlette's middleware leaves it: it may be
    /// one the application sends with every response.
    fn add_headers(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = intern!(py, "headers");
        let original = match message.get_item(key) {
            Ok(headers) if !headers.is_none() => Some(pair_list(headers)?),
            _ => None,
        };
        let mut vary = Vec::new();
        if let Some(original) = &original {
            for_each_pair(original, |name, value, _| {
                if name.as_bytes().eq_ignore_ascii_case(b"vary") {
                    vary.push(value);
                }
            })?;
        }
        let middleware = self.middleware.get();
        let added = Written::new(
            &middleware.cors,
            &self.decision,
            vary.iter().map(|v| v.as_bytes()),
        );
        if added.is_empty() {
            return Ok(());
        }
        let mut headers = Vec::with_capacity(original.as_ref().map_or(0, |o| o.len()) + 4);
        if let Some(original) = &original {
            for_each_pair(original, |name, _, pair| {
                if !added.has(name.as_bytes()) {
                    headers.push(pair);
                }
            })?;
        }
        let origin = self.origin.as_ref().map(|o| o.bind(py));
        middleware
            .pairs
            .push_pairs(py, &added, origin, &mut headers)?;
        message.set_item(key, PyList::new(py, headers)?)
    }
}

/// `mapping[key]`, read without a method call when the mapping is a `dict`.
fn item<'py>(
    mapping: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    match mapping.cast::<PyDict>() {
        Ok(dict) => dict
            .get_item(key)?
            .ok_or_else(|| PyKeyError::new_err(key.clone().unbind())),
        Err(_) => mapping.get_item(key),
    }
}

/// Whether `value` is the string `expected`: the same object (Python interns a literal made
/// of name characters, such as a server's `"http"`, as `expected` is interned), or an equal
/// one.
fn is(value: &Bound<'_, PyAny>, expected: &Bound<'_, PyString>) -> PyResult<bool> {
    Ok(value.is(expected) || value.eq(expected)?)
}

/// The scope's `method` as the engine's; `None` for a name that cannot be a method.
fn method(method: &Bound<'_, PyAny>) -> PyResult<Option<Method>> {
    let method = method.cast::<PyString>()?.encode_utf8()?;
    Ok(Method::from_bytes(method.as_bytes()).ok())
}

/// The response's headers as a list to read by index (twice): the message's own list, or a
/// new one of any other iterable's pairs.
fn pair_list(headers: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyList>> {
    if let Ok(list) = headers.cast::<PyList>() {
        return Ok(list.clone());
    }
    let pairs = headers.try_iter()?.collect::<PyResult<Vec<_>>>()?;
    PyList::new(headers.py(), pairs)
}

/// Calls `each` with the name, the value and the pair of every ASGI header in `headers` (an
/// iterable of `(name, value)` pairs of `bytes`, each a tuple or a list; read without an
/// iterator when the headers are a list and the pairs tuples, as servers give them).
///
/// # Errors
///
/// A Python `TypeError` when a pair is not two `bytes`.
fn for_each_pair<'py>(
    headers: &Bound<'py, PyAny>,
    mut each: impl FnMut(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Bound<'py, PyAny>),
) -> PyResult<()> {
    let mut one = |pair: Bound<'py, PyAny>| -> PyResult<()> {
        let (name, value) = match pair.cast::<PyTuple>() {
            Ok(tuple) if tuple.len() == 2 => (tuple.get_item(0)?, tuple.get_item(1)?),
            _ => (pair.get_item(0)?, pair.get_item(1)?),
        };
        each(name.cast_into()?, value.cast_into()?, pair);
        Ok(())
    };
    match headers.cast::<PyList>() {
        Ok(list) => {
            for at in 0..list.len() {
                one(list.get_item(at)?)?;
            }
        }
        Err(_) => {
            for pair in headers.try_iter()? {
                one(pair?)?;
            }
        }
    }
    Ok(())
}

/// The CORS request headers among an ASGI scope's `headers` (names in lower case, as ASGI
/// gives them; a header sent twice stays twice), and the first `Origin` value as the scope
/// gave it. A value that cannot be a header value stands for an invalid one (`\xff`, which no
/// rule accepts), never for an absent one.
fn cors_request_headers<'py>(
    headers: &Bound<'py, PyAny>,
) -> PyResult<(HeaderMap, Option<Bound<'py, PyBytes>>)> {
    let mut map = HeaderMap::new();
    let mut origin = None;
    for_each_pair(headers, |name, value, _| {
        let name: HeaderName = match name.as_bytes() {
            b"origin" => ORIGIN,
            b"access-control-request-method" => ACCESS_CONTROL_REQUEST_METHOD,
            b"access-control-request-headers" => ACCESS_CONTROL_REQUEST_HEADERS,
            b"access-control-request-private-network" => {
                corsair::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK
            }
            _ => return,
        };
        map.append(
            &name,
            HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| crate::request::invalid()),
        );
        if name == ORIGIN && origin.is_none() {
            origin = Some(value);
        }
    })?;
    Ok((map, origin))
}
