//! The `corsair` command in the wheel: its console script calls [`run_cli`] with the command
//! line, so that one compiled module is both the middlewares' engine and the command.

use std::process::ExitCode;

use pyo3::prelude::*;

/// Runs `corsair ARGS...` (`argv[0]` is the program name) and returns its exit status. The GIL
/// is released while it runs (`corsair serve` runs until it is stopped).
#[pyfunction]
pub(crate) fn run_cli(py: Python<'_>, argv: Vec<String>) -> u8 {
    let code = py.detach(|| corsair_cli::run(argv));
    (0..=u8::MAX)
        .find(|n| ExitCode::from(*n) == code)
        .unwrap_or(1)
}
