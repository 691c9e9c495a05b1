//! `corsair check`.

use std::process::ExitCode;

/// Arguments of `corsair check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `corsair check`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("corsair check: not implemented yet");
    ExitCode::from(2)
}
