//! The `corsair` command as a library: [`run`] parses a command line and runs `serve`, `check`
//! or `lint` (or prints shell completions or a man page), as the `corsair` binary does. The binary (`src/main.rs`) is its one-line caller;
//! the `corsair-cors` Python wheel calls it through its extension module, so that
//! `pip install corsair-cors` gives the `corsair` command without a second binary.

// Every item is either the library's API (`run`, `Cli`) or private to the crate, and says so.
#![deny(unreachable_pub)]

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod authority;
mod check;
mod generate;
mod lint;
mod net;
mod quiet_pipe;
mod serve;
mod settings;

/// Entry points for the fuzz targets (feature `fuzzing`); not an API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// Panics when the fast path would forward `input` (the client's bytes) otherwise than the
    /// general path.
    pub fn fast_path(input: &[u8]) {
        crate::serve::fast_path_differential(input);
    }
}

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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff) of corsair, or of one of its subcommands.
    Man(generate::ManArgs),
}

/// Runs the `corsair` command line `args` (the program name first, as `std::env::args_os`
/// gives it). `--help`, `--version` and usage errors print and exit the process, as clap does.
///
/// ```no_run
/// let status = corsair_cli::run(["corsair", "lint", "--env"]);
/// # let _ = status;
/// ```
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::parse_from(args).command {
        Command::Serve(args) => serve::run(args),
        Command::Check(args) => {
            quiet_pipe::end_quietly_when_the_reader_goes();
            check::run(args)
        }
        Command::Lint(args) => {
            quiet_pipe::end_quietly_when_the_reader_goes();
            lint::run(args)
        }
        Command::Completions(args) => {
            quiet_pipe::end_quietly_when_the_reader_goes();
            generate::completions(args, Cli::command())
        }
        Command::Man(args) => {
            quiet_pipe::end_quietly_when_the_reader_goes();
            generate::man(args, Cli::command())
        }
    }
}
