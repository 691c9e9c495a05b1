//! corsair's headers as ASGI's `(name, value)` tuples of `bytes`, made with as few new Python
//! objects as a response allows: the names corsair writes are made once per process; a pair
//! whose value the policy fixes (`Access-Control-Allow-Credentials: true`, the exposed headers,
//! `Vary: Origin`, a preflight's methods and max-age) once per middleware, in [`PairCache`];
//! and an echoed origin is the request's own `Origin` `bytes` object, in a new tuple. So an
//! allowed request's response gets one new tuple instead of a tuple and a `bytes` per header.
//! Tuples and `bytes` cannot be changed, so no one can tell a shared pair from a new one.

use std::sync::{Mutex, TryLockError};

use http::HeaderName;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyTuple};

use crate::policy::Written;

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

/// How many values of one name a cache keeps. A policy fixes one value per name, or a few
/// with routes; `Vary` merged with the application's own values changes with its responses,
/// and fills its name's room and no other's. (The only value taken from a request, the echoed
/// origin, is never kept.)
const VALUES_PER_NAME: usize = 4;

/// The longest value a cache keeps.
const LONGEST_VALUE: usize = 1024;

/// The pairs one middleware wrote before, shared by its later responses.
pub(crate) struct PairCache {
    pairs: Mutex<Vec<Cached>>,
}

struct Cached {
    /// Index in [`WRITTEN_NAMES`].
    name: usize,
    value: Box<[u8]>,
    pair: Py<PyTuple>,
}

impl PairCache {
    pub(crate) fn new() -> PairCache {
        PairCache {
            pairs: Mutex::new(Vec::new()),
        }
    }

    /// Pushes each header of `written` onto `out` as a `(name, value)` tuple, in `written`'s
    /// order. `origin` is the request's `Origin` value as the scope gave it: an
    /// `Access-Control-Allow-Origin` equal to it is that object.
    pub(crate) fn push_pairs<'py>(
        &self,
        py: Python<'py>,
        written: &Written,
        origin: Option<&Bound<'py, PyBytes>>,
        out: &mut Vec<Bound<'py, PyAny>>,
    ) -> PyResult<()> {
        // Making a Python object can run Python code (a collection's finalizers), which could
        // come back here, or let another thread in: one that finds the pairs taken makes its
        // own instead of waiting.
        let mut cached = match self.pairs.try_lock() {
            Ok(pairs) => Some(pairs),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        for (name, value) in written.each() {
            let at = known(name);
            if let (Some(cached), Some(at)) = (&cached, at) {
                if let Some(hit) = cached.iter().find(|c| c.name == at && *c.value == *value) {
                    out.push(hit.pair.bind(py).clone().into_any());
                    continue;
                }
            }
            let name_object = name_bytes(py, name, at);
            let echo = origin.filter(|origin| {
                name == ACCESS_CONTROL_ALLOW_ORIGIN && origin.as_bytes() == &*value
            });
            if let Some(origin) = echo {
                let pair = PyTuple::new(py, [name_object.into_any(), origin.clone().into_any()])?;
                out.push(pair.into_any());
                continue;
            }
            let value_object = PyBytes::new(py, &value);
            let pair = PyTuple::new(py, [name_object.into_any(), value_object.into_any()])?;
            // An origin is kept only as `*`: any other is a request's.
            let constant = value.len() <= LONGEST_VALUE
                && (name != ACCESS_CONTROL_ALLOW_ORIGIN || &*value == b"*");
            if let (Some(cached), Some(at), true) = (&mut cached, at, constant) {
                if cached.iter().filter(|c| c.name == at).count() < VALUES_PER_NAME {
                    cached.push(Cached {
                        name: at,
                        value: value.into(),
                        pair: pair.clone().unbind(),
                    });
                }
            }
            out.push(pair.into_any());
        }
        Ok(())
    }
}

/// The index of `name` in [`WRITTEN_NAMES`].
fn known(name: &HeaderName) -> Option<usize> {
    WRITTEN_NAMES.iter().position(|known| known == name)
}

/// `name` (at `at` in [`WRITTEN_NAMES`]) as `bytes`: a shared object for the names corsair
/// writes, a new one for any other.
fn name_bytes<'py>(py: Python<'py>, name: &HeaderName, at: Option<usize>) -> Bound<'py, PyBytes> {
    static NAMES: PyOnceLock<Vec<Py<PyBytes>>> = PyOnceLock::new();
    let names = NAMES.get_or_init(py, || {
        WRITTEN_NAMES
            .iter()
            .map(|name| PyBytes::new(py, name.as_str().as_bytes()).unbind())
            .collect()
    });
    match at {
        Some(at) => names[at].bind(py).clone(),
        None => PyBytes::new(py, name.as_str().as_bytes()),
    }
}
