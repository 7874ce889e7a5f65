//! Where commands read the account from: `--demo` or `--snapshot FILE`.

use super::input::{Failure, read_text};
use super::{Context, Exit, Globals};
use crate::account::{Account, Snapshot, demo};

/// The account and a description of where it came from.
pub fn load(globals: &Globals, context: &Context<'_>) -> Result<(Account, String), Failure> {
    if globals.demo {
        let account = demo::account().map_err(|e| Failure {
            code: "demo-failed",
            message: e.to_string(),
            source: None,
            exit: Exit::Failure,
        })?;
        return Ok((account, "the embedded demo account".to_owned()));
    }
    let Some(path) = &globals.snapshot else {
        return Err(Failure::bad_input(
            "no-account",
            "no account to read: pass --snapshot FILE or --demo (this build has no live AWS access yet; \
             --profile, --region and --endpoint-url arrive with it)",
        ));
    };
    let text = read_text(path, "snapshot", context)?;
    let snapshot = Snapshot::load(&text).map_err(|e| {
        Failure::bad_input(
            "bad-snapshot",
            format!("the snapshot file {} cannot be used: {e}", path.display()),
        )
    })?;
    let source = format!(
        "snapshot {} (captured {})",
        path.display(),
        snapshot.captured_at
    );
    Ok((snapshot.account, source))
}
