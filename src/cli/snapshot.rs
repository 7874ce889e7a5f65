//! `trustlens snapshot`: save the account's providers and roles to a file, to use offline.

use time::format_description::well_known::Rfc3339;

use super::output::write_out;
use super::{Context, Exit, Globals, SnapshotArgs, account};
use crate::account::Snapshot;

/// Runs `snapshot`.
pub(super) fn run(args: &SnapshotArgs, globals: &Globals, context: &mut Context<'_>) -> Exit {
    let (account, source) = match account::load(globals, context) {
        Ok(loaded) => loaded,
        Err(failure) => return failure.report(false, context),
    };
    let captured_at = context.now.format(&Rfc3339).unwrap_or_default();
    let text = Snapshot::write(&account, &captured_at);
    match &args.output {
        None => write_out(context.out, &text),
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => {
                let _ = writeln!(
                    context.err,
                    "wrote {} ({} providers, {} roles from {source})",
                    path.display(),
                    account.providers.len(),
                    account.roles.len()
                );
                Exit::Success
            }
            Err(error) => {
                let _ = writeln!(
                    context.err,
                    "error: cannot write {}: {error}",
                    path.display()
                );
                Exit::Failure
            }
        },
    }
}
