//! `trustlens completions SHELL` and `trustlens man`: the shell completion scripts and the
//! manual page, generated from the argument definitions (clap_complete, clap_mangen).

use clap::CommandFactory;

use super::{Cli, Context, Exit};

/// Writes the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell, context: &mut Context<'_>) -> Exit {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "trustlens", &mut script);
    written(context.out.write_all(&script))
}

/// Writes the manual page trustlens(1) (roff); it lists the subcommands, whose own flags
/// `trustlens COMMAND --help` gives.
pub(super) fn man(context: &mut Context<'_>) -> Exit {
    let mut page = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut page) {
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
