//! `trustlens completions SHELL` and `trustlens man`: the shell completion scripts and the
//! manual page, generated from the argument definitions (clap_complete, clap_mangen).

use clap::CommandFactory;

use super::input::report;
use super::{Cli, Context, Exit};
use crate::session::Failure;

/// Writes the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell, context: &mut Context<'_>) -> Exit {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "trustlens", &mut script);
    written(context.out.write_all(&script))
}

/// Writes the manual page trustlens(1) (roff), which lists the subcommands, or with `command`
/// that subcommand's page, trustlens-COMMAND(1), with its flags and the global ones.
pub(super) fn man(command: Option<&str>, context: &mut Context<'_>) -> Exit {
    let mut cli = Cli::command();
    // Built, so the global flags are propagated to each subcommand's page.
    cli.build();
    let page_of = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub.clone().display_name(format!("trustlens-{name}")),
            None => {
                let known: Vec<&str> = cli
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .filter(|n| *n != "help")
                    .collect();
                let failure = Failure::bad_input(
                    "unknown-command",
                    format!("no manual page for {name:?}: one of {}", known.join(", ")),
                );
                return report(&failure, false, context);
            }
        },
    };
    let mut page = Vec::new();
    match clap_mangen::Man::new(page_of).render(&mut page) {
        Ok(()) => written(context.out.write_all(&page)),
        Err(_) => Exit::Failure,
    }
}

fn written(result: std::io::Result<()>) -> Exit {
    match result {
        Ok(()) => Exit::Success,
        Err(_) => Exit::Failure,
    }
}
