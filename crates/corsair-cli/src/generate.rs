//! What corsair writes about its own command line for other programs: shell completion scripts
//! (`corsair completions SHELL`, clap_complete) and man pages (`corsair man [SUBCOMMAND]`,
//! clap_mangen). Both are rendered from the same clap definition as `--help`, so a packager
//! runs them at build time and they never drift from the binary they ship with.

use std::io::Write;
use std::process::ExitCode;

use clap::Command;
use clap_complete::Shell;

/// `corsair completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for. Install the script where the shell loads completions from,
    /// e.g. `corsair completions bash > /usr/share/bash-completion/completions/corsair`.
    #[arg(value_enum)]
    shell: Shell,
}

/// `corsair man`.
#[derive(Debug, clap::Args)]
pub(crate) struct ManArgs {
    /// The subcommand whose page to print (corsair-serve(1), ...); without it, corsair(1),
    /// which lists them. E.g. `corsair man serve | man -l -`.
    #[arg(value_name = "SUBCOMMAND")]
    subcommand: Option<String>,
}

/// Prints the completion script of `command` for the shell asked for.
pub(crate) fn completions(args: CompletionsArgs, mut command: Command) -> ExitCode {
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    print(&script)
}

/// Prints the man page (roff) of `command`, or of its subcommand `args.subcommand`; an unknown
/// subcommand is refused (exit 2), naming the ones there are.
pub(crate) fn man(args: ManArgs, mut command: Command) -> ExitCode {
    // Building gives each subcommand its display name (`corsair-serve`), the page's title.
    command.build();
    let page = match &args.subcommand {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(sub) if sub.get_name() != "help" => sub.clone(),
            _ => {
                let known: Vec<&str> = command
                    .get_subcommands()
                    .map(Command::get_name)
                    .filter(|n| *n != "help")
                    .collect();
                eprintln!(
                    "error: corsair has no subcommand {name:?}; write one of: {}",
                    known.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    let mut roff = Vec::new();
    match clap_mangen::Man::new(page).render(&mut roff) {
        Ok(()) => print(&roff),
        Err(error) => {
            eprintln!("error: the man page could not be rendered: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `bytes` to standard output; a reader that went away ends the process quietly (see
/// `quiet_pipe`), any other failure is said and exits 1.
fn print(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            ExitCode::FAILURE
        }
    }
}
