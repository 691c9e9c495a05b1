//! The `corsair` command's integration tests, one test binary: each module is one subject, run
//! against the real `corsair` binary, and a test's path names it (`serve_proxy::…`,
//! `check_cli::…`). The support modules are compiled once, for all of them.
//!
//! Tests run at the same time, on several threads of one process: each starts its own `corsair`,
//! upstreams and stores on ports the system picks, works in a directory of its own
//! ([`temp_dirs`]), and gives children their environment on their command line, never by
//! changing this process's.

// Support: the real servers and clients the tests share.
mod check_support;
mod nginx;
mod serve_support;
#[cfg(all(feature = "redis", feature = "postgres"))]
mod stores;
mod temp_dirs;
mod wait;

mod adversarial;
mod check_audit;
mod check_cli;
mod check_har;
mod check_nginx_fix;
mod check_offline;
mod deploy_kubernetes;
mod generate_cli;
mod lint_cli;
mod lint_django_cli;
mod packaging;
mod serve_admin;
mod serve_ambiguous;
mod serve_config;
mod serve_django;
#[cfg(all(feature = "redis", feature = "postgres"))]
mod serve_fleet;
mod serve_guard;
mod serve_log_values;
mod serve_proxy;
mod serve_reload;
mod serve_routes;
mod serve_tls;
