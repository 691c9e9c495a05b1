//! `corsair`: a CORS proxy (`serve`) and a CORS doctor (`check`, `lint`); the command line is
//! the library's ([`corsair_cli::run`]).

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    corsair_cli::run(std::env::args_os())
}
