//! `corsair serve`.

use std::process::ExitCode;

/// Arguments of `corsair serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `corsair serve`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("corsair serve: not implemented yet");
    ExitCode::from(2)
}
