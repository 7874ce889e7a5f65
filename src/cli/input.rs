//! What commands are given: the token (through the session's one reader) and how a failure is
//! reported — as JSON on standard output with `--json`, else on standard error.

use serde_json::json;

use super::{Context, Exit};
use crate::printable::mask_tokens;
use crate::session::{self, Failure, LITERAL_WARNING, ReadToken, Session, Stdin, TokenChoice};
use crate::token::verify::Evidence;

/// Reads the token named by `source`, else the demo token (`--demo`) or the CI's own variable;
/// warns when the token was typed on the command line.
pub fn read_token(
    source: Option<&str>,
    session: &Session,
    now: i64,
    context: &mut Context<'_>,
) -> Result<ReadToken, Failure> {
    let fallback = if session.is_demo() {
        TokenChoice::Demo
    } else {
        TokenChoice::Detect
    };
    let read = session::read_token(source, fallback, Stdin::Readable, context.env, now)?;
    if read.literal {
        // A failed warning must not stop the command.
        let _ = writeln!(context.err, "{LITERAL_WARNING}");
    }
    Ok(read)
}

/// The signature check of a token read by [`read_token`] (`None`: no keys at hand).
pub fn verify(read: &ReadToken, session: &Session) -> Result<Option<Evidence>, Failure> {
    session::block_on(session.verify(&read.token, &read.text.origin))?
}

/// Prints `failure` (as JSON on stdout with `--json`, else on stderr) and gives its exit.
pub fn report(failure: &Failure, as_json: bool, context: &mut Context<'_>) -> Exit {
    // A message may quote what it was given: a token there is masked, in JSON too.
    let message = mask_tokens(&failure.message);
    let written = if as_json {
        let report = json!({
            "source": failure.source.as_deref().map(mask_tokens),
            "error": { "code": failure.code, "message": message },
        });
        writeln!(context.out, "{report:#}")
    } else {
        writeln!(context.err, "error: {message}")
    };
    match written {
        Ok(()) => failure.exit,
        Err(_) => Exit::Failure,
    }
}

/// The whole account of the session (commands print no progress); the async runtime is made
/// only for live AWS.
pub fn load_account(session: &Session) -> Result<session::LoadedAccount, Failure> {
    match session.load_offline() {
        Some(loaded) => loaded,
        None => session::block_on(session.load_account(&|_| {}))?,
    }
}

/// One role and the account's providers.
pub fn load_role(name: &str, session: &Session) -> Result<session::LoadedRole, Failure> {
    session::block_on(session.load_role(name))?
}
