//! The `trustlens` binary: parses the arguments, chooses the account, and hands over to the
//! command line (a subcommand) or to the explorer (none).

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use trustlens::cli::Cli;
use trustlens::session::{Session, SystemEnvironment};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let session = Session::new(cli.globals.account_choice(), Arc::new(SystemEnvironment));
    match cli.command {
        Some(command) => trustlens::cli::main(command, &session),
        None => trustlens::tui::main(session, cli.token.as_deref()),
    }
    .into()
}
