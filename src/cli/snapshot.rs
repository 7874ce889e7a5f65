//! `trustlens snapshot`: save the account's providers and roles to a file, to use offline.

use time::format_description::well_known::Rfc3339;

use super::input::{load_account, report};
use super::output::write_out;
use super::{Context, Exit, SnapshotArgs};
use crate::account::Account;
use crate::account::Snapshot;
use crate::session::{Session, block_on, write_atomically};

/// Runs `snapshot`.
pub(super) fn run(args: &SnapshotArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let (mut account, source) = match load_account(session) {
        Ok(loaded) => (loaded.account, loaded.description),
        Err(failure) => return report(&failure, false, context),
    };
    store_keys(&mut account, session, context);
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

/// Fetches each provider's JWKS (unless the session does not fetch: `--no-fetch`, the demo)
/// and stores it in the snapshot, so offline runs on it check signatures; a provider whose keys
/// cannot be had keeps what it had, and standard error says why.
fn store_keys(account: &mut Account, session: &Session, context: &mut Context<'_>) {
    for provider in account.providers.iter_mut().filter(|p| !p.is_built_in()) {
        let issuer = provider.issuer();
        match block_on(session.fetch_jwks(&issuer)) {
            Ok(Some(Ok(document))) => provider.jwks = Some(document),
            Ok(Some(Err(problem))) => {
                // Standard error escapes what it prints (cli::main wraps it).
                let _ = writeln!(
                    context.err,
                    "note: the keys of {issuer} are not stored: {problem}"
                );
            }
            Ok(None) | Err(_) => {}
        }
    }
}
