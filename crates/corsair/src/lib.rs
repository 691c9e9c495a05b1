//! # corsair
//!
//! A CORS engine for the [`http`] crate's types: exact to the WHATWG Fetch standard, configured
//! with the settings django-cors-headers users know, secure by default, and allocation-free per
//! request.
//!
//! Configuration flows one way: **settings** ([`CorsBuilder`] or [`CorsConfig`]) →
//! **validated, compiled policy** ([`Cors`]) → **per-request decision** ([`Cors::evaluate`]) →
//! **response headers** ([`Cors::apply`], [`Cors::preflight_response`]). Configurations that
//! would leak data or silently never match are refused when the policy is built, with every
//! problem listed and the fix spelled out.
//!
//! ## Quick start (axum)
//!
//! ```
//! use axum::{Router, routing::get};
//! use corsair::Cors;
//!
//! let cors = Cors::builder()
//!     .allowed_origins(["http://localhost:8080", "https://app.example"])
//!     .allow_credentials(true)
//!     .build()
//!     .expect("valid CORS policy");
//!
//! let app: Router = Router::new()
//!     .route("/api/items", get(|| async { "[]" }))
//!     .layer(cors);
//! # let _ = app;
//! ```
//!
//! ## What gets refused
//!
//! ```
//! use corsair::Cors;
//!
//! let err = Cors::builder()
//!     .allowed_origins(["https://app.example/", "localhost:8080"])
//!     .build()
//!     .unwrap_err();
//! let fixes: Vec<&str> = err.findings().iter().map(|f| f.fix.as_str()).collect();
//! assert_eq!(fixes[0], "write `https://app.example`");
//! assert!(fixes[1].starts_with("write `https://localhost:8080`"));
//! ```
//!
//! ## Changing the policy at run time
//!
//! [`Cors::reloadable`] makes a policy replaceable without rebuilding the router (each request
//! is decided by the policy current when it arrived), and an [`OriginSet`] holds origins a
//! program changes while it runs, validated like `allowed_origins`:
//!
//! ```
//! use corsair::{Cors, OriginSet};
//!
//! let tenants = OriginSet::new();
//! let cors = Cors::reloadable(
//!     Cors::builder()
//!         .allowed_origins(["https://app.example"])
//!         .allowed_origins_from(tenants.clone())
//!         .build()?,
//! );
//! let allowed = |origin: &str| {
//!     let mut headers = http::HeaderMap::new();
//!     headers.insert("origin", origin.parse().unwrap());
//!     let policy = cors.current();
//!     policy.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap().is_allowed()
//! };
//! assert!(!allowed("https://acme.example"));
//! tenants.insert("https://acme.example")?;
//! assert!(allowed("https://acme.example"));
//! cors.handle().store(Cors::builder().allowed_origins(["https://app.example"]).build()?);
//! assert!(!allowed("https://acme.example"), "the new policy has no origin set");
//! # Ok::<(), corsair::ConfigError>(())
//! ```
//!
//! ## Features
//!
//! - `tower` (default): [`Cors`] implements `tower::Layer`, for axum, hyper and tonic.
//! - `actix`: [`Cors`] implements actix-web's `Transform`: `App::new().wrap(cors)`.

#![warn(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "actix")]
mod actix;
mod anchored;
mod compiled;
mod config;
mod decision;
pub mod fetch;
mod head;
mod hook;
mod matcher;
mod observation;
mod origin;
mod origin_set;
mod path;
mod policy;
mod public_suffix;
mod regex_audit;
mod respond;
#[cfg(feature = "tower")]
mod tower;
mod validate;

#[cfg(feature = "actix")]
pub use actix::{CorsMiddleware, MiddlewareFuture};
pub use config::{
    ConfigError, CorsConfig, DEFAULT_ALLOW_HEADERS, DEFAULT_ALLOW_METHODS,
    DEFAULT_PREFLIGHT_MAX_AGE, DEFAULT_URLS_REGEX, Finding, FindingId, FlagStyle, Problem,
    RouteConfig, RouteScope, Setting, SettingKind, SettingValue, Severity, WrongKind, tally,
};
#[cfg(feature = "config")]
pub use config::{EnvConfig, closest_name};
pub use decision::{
    Decision, Evaluation, MAX_REQUEST_HEADERS_LEN, OriginVerdict, PendingDecision, Refusal,
};
pub use head::{ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK};
pub use hook::HookRequest;
pub use observation::{Observation, Observer, Outcome, RefusalKind, RequestKind, Summary};
pub use origin::MAX_ORIGIN_LEN;
pub use origin_set::OriginSet;
pub use policy::{Cors, CorsBuilder, PolicyHandle, ReloadableCors, RouteInfo};
pub use public_suffix::registrable_domain;
#[cfg(feature = "tower")]
pub use tower::{CorsService, ResponseFuture};
pub use validate::MAX_PREFLIGHT_MAX_AGE;
