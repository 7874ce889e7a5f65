//! How a command ends, the same in every front end: the exit codes and why a step cannot go on.

use std::process::ExitCode;

/// How the process ends (README: "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Did what was asked.
    Success,
    /// Something other than the input went wrong (AWS, network, I/O).
    Failure,
    /// The input (token, file, flag) is invalid.
    BadInput,
    /// STS refused, or the verdict is a refusal.
    Denied,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::BadInput => 2,
            Exit::Denied => 3,
        })
    }
}

/// Why a step cannot go on: a stable code, a message for a person, and the exit it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Stable, machine-readable name (`bad-snapshot`, `no-token`, `aws`, …).
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
        Self::new(code, message, Exit::BadInput)
    }

    /// A failure that is not the input's fault (exit 1).
    pub fn failed(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, message, Exit::Failure)
    }

    fn new(code: &'static str, message: impl Into<String>, exit: Exit) -> Self {
        Self {
            code,
            message: message.into(),
            source: None,
            exit,
        }
    }
}
