//! `corsair lint`.

use std::process::ExitCode;

/// Arguments of `corsair lint`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `corsair lint`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("corsair lint: not implemented yet");
    ExitCode::from(2)
}
