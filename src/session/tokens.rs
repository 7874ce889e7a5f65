//! Reading a token, the same way for every front end: `@FILE`, `-`, `env:NAME`, `demo:NAME`, the
//! token itself, the demo token, or the CI's own variable.

use crate::account::demo;
use crate::eval::{MIN_TOKEN_CHARS, token_length_error};
use crate::token::{Environment, Token, TokenSource, TokenText, detect};

use super::Failure;

/// Printed (or shown) when a token was typed on the command line.
pub const LITERAL_WARNING: &str = "warning: a token given on the command line is now in your shell \
     history; prefer @FILE, - (stdin) or env:NAME";

/// Which token to read when no source is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenChoice {
    /// The demo Semaphore token (`--demo`).
    Demo,
    /// The CI's own variable, found by [`detect`].
    Detect,
}

/// Whether `-` may read standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdin {
    /// Standard input carries data (a pipe, a file).
    Readable,
    /// Standard input is the explorer's terminal: `-` is refused with a hint.
    Terminal,
}

/// A token read and decoded.
#[derive(Debug, Clone)]
pub struct ReadToken {
    /// Where it came from and its raw text (a secret).
    pub text: TokenText,
    /// The decoded token.
    pub token: Token,
    /// The token was typed as an argument: it is in the shell history now.
    pub literal: bool,
}

/// Reads and decodes the token named by `source` (`demo:NAME` mints a demo token at `now`), or,
/// when nothing is named, the token `fallback` names.
pub fn read_token(
    source: Option<&str>,
    fallback: TokenChoice,
    stdin: Stdin,
    env: &dyn Environment,
    now: i64,
) -> Result<ReadToken, Failure> {
    if let Some(name) = source.and_then(|s| s.strip_prefix("demo:")) {
        let text = demo::token(name, now).map_err(|_| {
            let names: Vec<&str> = demo::TOKENS.iter().map(|t| t.name).collect();
            Failure::bad_input(
                "unknown-demo-token",
                format!(
                    "no demo token named {name}; the demo tokens are {}",
                    names.join(", ")
                ),
            )
        })?;
        return decoded(text, false);
    }
    let source = source.map(TokenSource::parse);
    let literal = source.as_ref().is_some_and(TokenSource::is_literal);
    let text = match (source, fallback) {
        (Some(TokenSource::Stdin), _) if stdin == Stdin::Terminal => {
            return Err(Failure::bad_input(
                "stdin-is-terminal",
                "standard input is this terminal: name a file (@FILE) or a variable (env:NAME)",
            ));
        }
        (Some(source), _) => source
            .read(env)
            .map_err(|e| Failure::bad_input(e.code(), e.to_string()))?,
        (None, TokenChoice::Demo) => {
            demo::semaphore_token(now).map_err(|e| Failure::failed("demo-failed", e.to_string()))?
        }
        (None, TokenChoice::Detect) => {
            detect(env).map_err(|e| Failure::bad_input(e.code(), e.to_string()))?
        }
    };
    decoded(text, literal)
}

fn decoded(text: TokenText, literal: bool) -> Result<ReadToken, Failure> {
    match text.decode() {
        Ok(token) => Ok(ReadToken {
            text,
            token,
            literal,
        }),
        Err(error) => Err(Failure {
            code: error.code(),
            message: format!(
                "cannot decode the token from {}: {error}{}",
                text.origin,
                too_short(&text)
            ),
            source: Some(text.origin.to_string()),
            exit: super::Exit::BadInput,
        }),
    }
}

/// STS checks the length before anything else (STS API model: 4–20,000 characters), so a
/// text under 4 characters that does not decode also gets its `ValidationError`.
fn too_short(text: &TokenText) -> String {
    let chars = String::from_utf8_lossy(text.text.expose())
        .trim()
        .chars()
        .count();
    match token_length_error(chars) {
        Some(error) if chars < MIN_TOKEN_CHARS => format!("; STS answers {error}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SystemEnvironment;

    #[test]
    fn a_dash_is_refused_when_standard_input_is_the_terminal() {
        let read = read_token(
            Some("-"),
            TokenChoice::Detect,
            Stdin::Terminal,
            &SystemEnvironment,
            0,
        );
        assert_eq!(
            read.map(|r| r.literal).map_err(|f| f.code),
            Err("stdin-is-terminal")
        );
    }

    #[test]
    fn demo_tokens_are_minted_and_an_unknown_name_lists_the_others() {
        let now = 1_795_629_600;
        let read = read_token(
            Some("demo:github-main"),
            TokenChoice::Detect,
            Stdin::Terminal,
            &SystemEnvironment,
            now,
        );
        assert!(read.is_ok_and(|r| r.token.issuer()
            == Some("https://token.actions.githubusercontent.com")
            && !r.literal));
        let unknown = read_token(
            Some("demo:nope"),
            TokenChoice::Detect,
            Stdin::Terminal,
            &SystemEnvironment,
            now,
        );
        assert!(
            unknown.is_err_and(
                |f| f.code == "unknown-demo-token" && f.message.contains("semaphore-main")
            )
        );
    }

    #[test]
    fn the_demo_fallback_is_the_semaphore_token() {
        let read = read_token(
            None,
            TokenChoice::Demo,
            Stdin::Readable,
            &SystemEnvironment,
            1_795_629_600,
        );
        assert!(read.is_ok_and(|r| {
            r.token
                .issuer()
                .is_some_and(|iss| iss.contains("semaphoreci.com"))
        }));
    }
}
