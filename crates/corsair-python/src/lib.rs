//! `corsair_cors._corsair`: corsair's engine and command for Python, the compiled half of the
//! `corsair-cors` wheel.
//!
//! The Python middlewares (`corsair_cors.middleware` for Django, `corsair_cors.asgi` for
//! Starlette and FastAPI) hand their settings to `django_policy` or `starlette_policy`, which
//! put them in the engine's terms (the django-cors-headers translation is the `corsair-django`
//! crate's, shared with `corsair lint --django`) and build a `Policy`, or raise [`ConfigError`]
//! naming the
//! setting, the value and the fix. Per request, `Policy.decide` takes the method, the path and
//! the CORS request headers and answers what to do; no CORS rule is written in Python.
//! `run_cli` is the `corsair` command (`serve`, `check`, `lint`), for the wheel's console
//! script.

mod asgi;
mod cli;
mod django;
mod pairs;
mod policy;
mod request;
mod starlette;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    _corsair,
    ConfigError,
    PyValueError,
    "A configuration corsair refuses. args[0] is the message (every problem, each with the \
     setting, the value and the fix); args[1] the problems as dicts."
);

/// The module.
#[pymodule]
fn _corsair(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add_class::<policy::Policy>()?;
    m.add_class::<policy::Decision>()?;
    m.add_class::<asgi::AsgiCors>()?;
    m.add_class::<asgi::SendWithCors>()?;
    m.add_function(wrap_pyfunction!(django::django_policy, m)?)?;
    m.add_function(wrap_pyfunction!(django::lint_django, m)?)?;
    m.add_function(wrap_pyfunction!(starlette::starlette_policy, m)?)?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
