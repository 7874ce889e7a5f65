//! `trustlens snapshot`: save the account's providers and roles to a file, to use offline.

use time::format_description::well_known::Rfc3339;

use super::input::{load_account, report};
use super::output::write_out;
use super::{Context, Exit, SnapshotArgs};
use crate::account::Snapshot;
use crate::session::{Session, write_atomically};

/// Runs `snapshot`.
pub(super) fn run(args: &SnapshotArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let (account, source) = match load_account(session) {
        Ok(loaded) => (loaded.account, loaded.description),
        Err(failure) => return report(&failure, false, context),
    };
    let captured_at = context.now.format(&Rfc3339).unwrap_or_default();
    let text = Snapshot::write(&account, &captured_at);
    match &args.output {
        None => write_out(context.out, &text),
        Some(path) => match write_atomically(path, text.as_bytes()) {
            Ok(()) => {
                let count =
                    |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
                let _ = writeln!(
                    context.err,
                    "wrote {} ({}, {} from {source})",
                    path.display(),
                    count(account.providers.len(), "provider"),
                    count(account.roles.len(), "role")
                );
                Exit::Success
            }
            Err(error) => {
                let _ = writeln!(
                    context.err,
                    "error: cannot write {}: {error} (the file is unchanged)",
                    path.display()
                );
                Exit::Failure
            }
        },
    }
}
