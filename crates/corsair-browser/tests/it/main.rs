//! The browser model's integration tests, one test binary: each module is one subject, and a
//! test's path names it (`browser_model::…`, `tables_agree::…`).

mod browser_model;
#[cfg(feature = "tower")]
mod browser_testing;
mod tables_agree;
