//! The engine's integration tests, one test binary: each module is one subject, and a test's
//! path names it (`tower_adapter::…`, `validation_rules::…`). `common` is the conformance table
//! the adapter tests share.
//!
//! `tests/allocations.rs` is a binary of its own: its `#[global_allocator]` would count, and
//! slow down, every test of the binary it is in.

mod common;

#[cfg(feature = "actix")]
mod actix_adapter;
#[cfg(all(feature = "actix", feature = "config"))]
mod actix_example;
#[cfg(all(feature = "tower", feature = "config"))]
mod axum_example;
#[cfg(feature = "config")]
mod config_composes;
mod finding_ids;
mod layers;
mod origin_properties;
mod origin_sets;
mod readme;
mod refusals;
mod response_heads;
mod targets;
#[cfg(feature = "tower")]
mod tonic_server;
mod tower_adapter;
mod validation_rules;
