//! Reading what commands are given — tokens, JSON files — with failures that say what is wrong.

use std::io;
use std::path::Path;

use serde_json::{Value, json};

use super::{Context, Exit};
use crate::account::demo;
use crate::json;
use crate::token::{Environment, InputKind, Token, TokenSource, TokenText, detect};

const LITERAL_WARNING: &str = "warning: a token given on the command line is now in your shell \
     history; prefer @FILE, - (stdin) or env:NAME";

/// Why a command cannot go on: a stable code, a message, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Stable, machine-readable name.
    pub code: &'static str,
    /// The message for a person.
    pub message: String,
    /// Where the input came from, when known.
    pub source: Option<String>,
    /// How the process ends.
    pub exit: Exit,
}

impl Failure {
    /// Bad input (exit 2).
    pub fn bad_input(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            source: None,
            exit: Exit::BadInput,
        }
    }

    /// Prints the failure (as JSON on stdout with `--json`, else on stderr) and gives its exit.
    pub fn report(&self, as_json: bool, context: &mut Context<'_>) -> Exit {
        let written = if as_json {
            let report = json!({
                "source": self.source,
                "error": { "code": self.code, "message": self.message },
            });
            writeln!(context.out, "{report:#}")
        } else {
            writeln!(context.err, "error: {}", self.message)
        };
        match written {
            Ok(()) => self.exit,
            Err(_) => Exit::Failure,
        }
    }
}

/// Reads and decodes the token named by `source` (`demo:NAME` mints a demo token) — or the
/// demo token with `--demo`, or the CI's own variable when nothing is named. Warns when the
/// token was typed on the command line.
pub fn read_token(
    source: Option<&str>,
    use_demo: bool,
    now: i64,
    context: &mut Context<'_>,
) -> Result<(TokenText, Token), Failure> {
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
        return decoded(text);
    }
    let source = source.map(TokenSource::parse);
    if source.as_ref().is_some_and(TokenSource::is_literal) {
        // A failed warning must not stop the command.
        let _ = writeln!(context.err, "{LITERAL_WARNING}");
    }
    let text = match (source, use_demo) {
        (Some(source), _) => source
            .read(context.env)
            .map_err(|e| Failure::bad_input(e.code(), e.to_string()))?,
        (None, true) => demo::semaphore_token(now).map_err(|e| Failure {
            code: "demo-failed",
            message: e.to_string(),
            source: None,
            exit: Exit::Failure,
        })?,
        (None, false) => {
            detect(context.env).map_err(|e| Failure::bad_input(e.code(), e.to_string()))?
        }
    };
    decoded(text)
}

fn decoded(text: TokenText) -> Result<(TokenText, Token), Failure> {
    match text.decode() {
        Ok(token) => Ok((text, token)),
        Err(error) => Err(Failure {
            code: error.code(),
            message: format!("cannot decode the token from {}: {error}", text.origin),
            source: Some(text.origin.to_string()),
            exit: Exit::BadInput,
        }),
    }
}

/// Reads a text file given on the command line, up to `kind`'s size cap.
pub fn read_text(path: &Path, kind: InputKind, env: &dyn Environment) -> Result<String, Failure> {
    let what = kind.noun();
    let bytes = env.read_file(path, kind).map_err(|e| match e.kind() {
        io::ErrorKind::FileTooLarge => Failure::bad_input(
            "input-too-large",
            format!(
                "the {what} file {} is larger than {}",
                path.display(),
                kind.limit_text()
            ),
        ),
        _ => Failure::bad_input(
            "file-unreadable",
            format!("cannot read the {what} file {}: {e}", path.display()),
        ),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Failure::bad_input(
            "not-utf8",
            format!(
                "the {what} file {} is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads a JSON object from a file; errors name the file, line and column.
pub fn read_json_object(
    path: &Path,
    kind: InputKind,
    context: &Context<'_>,
) -> Result<serde_json::Map<String, Value>, Failure> {
    let what = kind.noun();
    let text = read_text(path, kind, context.env)?;
    let parsed = json::parse(text.as_bytes()).map_err(|e| {
        Failure::bad_input(
            "not-json",
            format!(
                "the {what} file {} is not JSON: line {}, column {}: {}",
                path.display(),
                e.line(),
                e.column(),
                json::error_message(&e)
            ),
        )
    })?;
    match parsed.value {
        Value::Object(object) => Ok(object),
        other => Err(Failure::bad_input(
            "not-object",
            format!(
                "the {what} file {} must hold a JSON object, found {}",
                path.display(),
                json::kind_of(&other)
            ),
        )),
    }
}
