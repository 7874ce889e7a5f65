//! The `trustlens` binary: parses the arguments, chooses the account, and hands over to the
//! command line (a subcommand) or to the explorer (none).

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use trustlens::cli::{Cli, Style};
use trustlens::session::{Session, SystemEnvironment};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return trustlens::cli::argument_error(&error).into(),
    };
    let session = Session::new(cli.globals.account_choice(), Arc::new(SystemEnvironment))
        .with_keys(cli.globals.key_options())
        .with_region(cli.globals.region.clone());
    match cli.command {
        Some(command) => trustlens::cli::main(command, &session, cli.globals.color),
        None => {
            // The explorer draws only on a terminal; NO_COLOR, CLICOLOR and CLICOLOR_FORCE
            // decide as for text output.
            let style = Style::detect(cli.globals.color, true, &|name| std::env::var(name).ok());
            trustlens::tui::main(session, cli.token.as_deref(), style.color)
        }
    }
    .into()
}
