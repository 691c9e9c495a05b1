//! `corsair`: a CORS proxy (`serve`) and a CORS doctor (`check`, `lint`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod lint;
mod net;
mod serve;
mod settings;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Correct CORS in front of any backend, and a doctor that explains CORS failures the way the
/// browser sees them.
#[derive(Debug, Parser)]
#[command(name = "corsair", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a reverse proxy that answers CORS for an upstream server.
    Serve(serve::Args),
    /// Run the browser's CORS algorithm and explain the outcome: against a live URL, offline
    /// against a configuration (--config), or for a recorded browser session (--har).
    Check(check::Args),
    /// Audit a corsair configuration (a TOML file or the CORS_* environment) without starting anything.
    Lint(lint::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => serve::run(args),
        Command::Check(args) => check::run(args),
        Command::Lint(args) => lint::run(args),
    }
}
