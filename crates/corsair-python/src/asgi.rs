//! The ASGI middleware's work per request, done in the module: [`AsgiCors`] is called with an
//! ASGI `scope`, `receive` and `send` and returns the awaitable that serves the request.
//!
//! ASGI cannot be served without an event loop, and this module has none: it returns the
//! application's own coroutine (called with a `send` of its own, [`SendWithCors`], when corsair
//! adds headers to the response), or the Python helper's coroutine that sends a preflight's
//! answer. So a request costs one crossing into the module and one per message the
//! application sends, and no Python frame of corsair's but the middleware's `__call__`.
//!
//! The scope's `headers` are read in one pass for the four CORS request headers; the
//! response's `headers` are read once for `Vary` and the names corsair writes, which replace
//! the application's (as Starlette's middleware does).

use corsair::{Cors, RequestKind};
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Uri};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::policy::{Policy, Written};

/// Starlette's `CORSMiddleware` on corsair's engine, as the module serves it: built with the
/// application, a policy from `starlette_policy`, and `answer(send, start, body)`, the Python
/// coroutine function that sends a preflight's two messages.
#[pyclass(frozen, module = "corsair_cors._corsair")]
pub(crate) struct AsgiCors {
    app: Py<PyAny>,
    cors: Cors,
    answer: Py<PyAny>,
}

#[pymethods]
impl AsgiCors {
    #[new]
    fn new(app: Py<PyAny>, policy: &Policy, answer: Py<PyAny>) -> AsgiCors {
        AsgiCors {
            app,
            cors: policy.base().clone(),
            answer,
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
        &self,
        py: Python<'py>,
        scope: &Bound<'py, PyAny>,
        receive: &Bound<'py, PyAny>,
        send: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let app = self.app.bind(py);
        if !scope
            .get_item(intern!(py, "type"))?
            .eq(intern!(py, "http"))?
        {
            return app.call1((scope, receive, send));
        }
        let method = scope.get_item(intern!(py, "method"))?;
        let method = method.cast::<PyString>()?.to_cow()?;
        let Ok(method) = Method::from_bytes(method.as_bytes()) else {
            return app.call1((scope, receive, send));
        };
        let headers = cors_request_headers(&scope.get_item(intern!(py, "headers"))?)?;
        let decision = self
            .cors
            .evaluate(&method, &Uri::from_static("/"), &headers)
            .now();
        let Some(decision) = decision else {
            return app.call1((scope, receive, send));
        };
        match decision.kind() {
            RequestKind::Bypass => app.call1((scope, receive, send)),
            RequestKind::Preflight => {
                let (status, answer) = Written::preflight(&self.cors, &decision);
                let start = PyDict::new(py);
                start.set_item(intern!(py, "type"), intern!(py, "http.response.start"))?;
                start.set_item(intern!(py, "status"), status)?;
                start.set_item(intern!(py, "headers"), header_pairs(py, &answer)?)?;
                let body = PyDict::new(py);
                body.set_item(intern!(py, "type"), intern!(py, "http.response.body"))?;
                body.set_item(intern!(py, "body"), PyBytes::new(py, b""))?;
                self.answer.bind(py).call1((send, start, body))
            }
            _ => {
                let send = SendWithCors {
                    send: send.clone().unbind(),
                    cors: self.cors.clone(),
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
    cors: Cors,
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
        if message
            .get_item(intern!(py, "type"))?
            .eq(intern!(py, "http.response.start"))?
        {
            self.add_headers(py, message)?;
        }
        self.send.bind(py).call1((message,))
    }
}

impl SendWithCors {
    /// Sets `message["headers"]` to the application's headers with corsair's: those corsair
    /// writes replace the application's of the same name, `Vary` merged.
    fn add_headers(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = intern!(py, "headers");
        let original = match message.get_item(key) {
            Ok(headers) if !headers.is_none() => Some(headers),
            _ => None,
        };
        let mut pairs = Vec::new();
        let mut vary = Vec::new();
        if let Some(original) = &original {
            for_each_pair(original, |name, value, pair| {
                if name.as_bytes().eq_ignore_ascii_case(b"vary") {
                    vary.push(value);
                }
                pairs.push((name, pair));
            })?;
        }
        let added = Written::new(
            &self.cors,
            &self.decision,
            vary.iter().map(|v| v.as_bytes()),
        );
        if added.is_empty() {
            return Ok(());
        }
        let kept: Vec<Bound<'_, PyAny>> = pairs
            .into_iter()
            .filter(|(name, _)| !added.has(name.as_bytes()))
            .map(|(_, pair)| pair)
            .collect();
        let headers = PyList::new(py, kept)?;
        append_pairs(py, &headers, &added)?;
        message.set_item(key, headers)
    }
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
/// gives them; a header sent twice stays twice). A value that cannot be a header value stands
/// for an invalid one (`\xff`, which no rule accepts), never for an absent one.
fn cors_request_headers(headers: &Bound<'_, PyAny>) -> PyResult<HeaderMap> {
    let mut map = HeaderMap::new();
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
            name,
            HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| crate::request::invalid()),
        );
    })?;
    Ok(map)
}

/// corsair's headers as ASGI's `(name, value)` `bytes` tuples in a list.
fn header_pairs<'py>(py: Python<'py>, written: &Written) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    append_pairs(py, &list, written)?;
    Ok(list)
}

fn append_pairs(py: Python<'_>, list: &Bound<'_, PyList>, written: &Written) -> PyResult<()> {
    for (name, value) in written.each() {
        list.append((name_bytes(py, name), PyBytes::new(py, &value)))?;
    }
    Ok(())
}

/// The names corsair writes, made into `bytes` once per process.
const WRITTEN_NAMES: [HeaderName; 8] = [
    VARY,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    corsair::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
];

/// `name` as `bytes`: a shared object for the names corsair writes, a new one for any other.
fn name_bytes<'py>(py: Python<'py>, name: &HeaderName) -> Bound<'py, PyBytes> {
    static NAMES: PyOnceLock<Vec<Py<PyBytes>>> = PyOnceLock::new();
    let names = NAMES.get_or_init(py, || {
        WRITTEN_NAMES
            .iter()
            .map(|name| PyBytes::new(py, name.as_str().as_bytes()).unbind())
            .collect()
    });
    match WRITTEN_NAMES.iter().position(|known| known == name) {
        Some(at) => names[at].bind(py).clone(),
        None => PyBytes::new(py, name.as_str().as_bytes()),
    }
}
