//! Where a token comes from: a literal, `@file`, `-` (stdin), `env:NAME`, or the CI's own variable.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Token;
use crate::secret::Secret;

/// Variables CI platforms put their OIDC token in, in the order they are looked at.
pub const CI_TOKEN_VARIABLES: [&str; 6] = [
    "SEMAPHORE_OIDC_TOKEN",
    "CIRCLE_OIDC_TOKEN_V2",
    "CIRCLE_OIDC_TOKEN",
    "BITBUCKET_STEP_OIDC_TOKEN",
    "TFC_WORKLOAD_IDENTITY_TOKEN",
    "SPACELIFT_OIDC_TOKEN",
];

/// Variable naming a token file (EKS IRSA, and the AWS SDKs' web-identity provider).
pub const TOKEN_FILE_VARIABLE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";

/// The most bytes read as a token (from a file or stdin); a token is at most 20,000 characters.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// The most bytes read from a snapshot, policy, claims, context, keymap or CloudTrail file: far above the
/// snapshot of the largest real account (10,000 roles with 10 KiB trust policies is ~150 MiB).
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;

/// What a file is read as; each kind has its own size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// An OIDC token: [`MAX_INPUT_BYTES`].
    Token,
    /// A snapshot of an account (`--snapshot`): [`MAX_FILE_BYTES`].
    Snapshot,
    /// A policy document (`--policy`): [`MAX_FILE_BYTES`].
    Policy,
    /// Claims given instead of a token (`--claims`): [`MAX_FILE_BYTES`].
    Claims,
    /// Request-context values (`--context`): [`MAX_FILE_BYTES`].
    Context,
    /// The explorer's keymap file: [`MAX_FILE_BYTES`].
    Keymap,
    /// CloudTrail events (`trail FILE`): [`MAX_FILE_BYTES`].
    Trail,
    /// An issuer's keys (`--jwks`): [`MAX_FILE_BYTES`].
    Jwks,
}

impl InputKind {
    /// The most bytes accepted.
    pub fn limit(self) -> usize {
        match self {
            InputKind::Token => MAX_INPUT_BYTES,
            InputKind::Snapshot
            | InputKind::Policy
            | InputKind::Claims
            | InputKind::Context
            | InputKind::Keymap
            | InputKind::Trail
            | InputKind::Jwks => MAX_FILE_BYTES,
        }
    }

    /// The cap in words (`1 MiB`, `512 MiB`).
    pub fn limit_text(self) -> String {
        format!("{} MiB", self.limit() / (1024 * 1024))
    }

    /// What the file is, for messages (`the {noun} file …`).
    pub fn noun(self) -> &'static str {
        match self {
            InputKind::Token => "token",
            InputKind::Snapshot => "snapshot",
            InputKind::Policy => "policy",
            InputKind::Claims => "claims",
            InputKind::Context => "context",
            InputKind::Keymap => "keymap",
            InputKind::Trail => "CloudTrail",
            InputKind::Jwks => "JWKS",
        }
    }
}

/// How the user named a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The token itself, on the command line.
    Literal(Secret<String>),
    /// `@path`: a file holding the token.
    File(PathBuf),
    /// `-`: standard input.
    Stdin,
    /// `env:NAME`: an environment variable.
    Env(String),
}

impl TokenSource {
    /// Reads a command-line argument: `-`, `@path`, `env:NAME`, or else a literal token.
    pub fn parse(argument: &str) -> TokenSource {
        if argument == "-" {
            TokenSource::Stdin
        } else if let Some(path) = argument.strip_prefix('@') {
            TokenSource::File(PathBuf::from(path))
        } else if let Some(name) = argument.strip_prefix("env:") {
            TokenSource::Env(name.to_owned())
        } else {
            TokenSource::Literal(Secret::new(argument.to_owned()))
        }
    }

    /// True for a token typed on the command line (it is now in shell history).
    pub fn is_literal(&self) -> bool {
        matches!(self, TokenSource::Literal(_))
    }

    /// Reads the token text.
    pub fn read(&self, env: &dyn Environment) -> Result<TokenText, SourceError> {
        match self {
            TokenSource::Literal(text) => Ok(TokenText::new(
                Origin::Argument,
                text.expose().as_bytes().to_vec(),
            )),
            TokenSource::File(path) => {
                let origin = Origin::File(path.clone());
                match env.read_file(path, InputKind::Token) {
                    Ok(bytes) => Ok(TokenText::new(origin, bytes)),
                    Err(error) => Err(too_large(origin, &error).unwrap_or(SourceError::File {
                        path: path.clone(),
                        reason: error.to_string(),
                    })),
                }
            }
            TokenSource::Stdin => match env.read_stdin(InputKind::Token) {
                Ok(bytes) => Ok(TokenText::new(Origin::Stdin, bytes)),
                Err(error) => Err(
                    too_large(Origin::Stdin, &error).unwrap_or(SourceError::Stdin {
                        reason: error.to_string(),
                    }),
                ),
            },
            TokenSource::Env(name) => match env.var(name) {
                None => Err(SourceError::EnvUnset(name.clone())),
                Some(value) if value.trim().is_empty() => Err(SourceError::EnvEmpty(name.clone())),
                Some(value) => Ok(TokenText::new(
                    Origin::Env(name.clone()),
                    value.into_bytes(),
                )),
            },
        }
    }
}

/// Finds a token when none was named: the CI platforms' variables, then the file named by
/// `AWS_WEB_IDENTITY_TOKEN_FILE`, then any variable whose value decodes as an issued JWT.
pub fn detect(env: &dyn Environment) -> Result<TokenText, SourceError> {
    for name in CI_TOKEN_VARIABLES {
        if let Some(value) = env.var(name).filter(|value| !value.trim().is_empty()) {
            return Ok(TokenText::new(
                Origin::Env(name.to_owned()),
                value.into_bytes(),
            ));
        }
    }
    if let Some(path) = env
        .var(TOKEN_FILE_VARIABLE)
        .filter(|value| !value.trim().is_empty())
    {
        let path = PathBuf::from(path);
        let origin = Origin::TokenFile(path.clone());
        return match env.read_file(&path, InputKind::Token) {
            Ok(bytes) => Ok(TokenText::new(origin, bytes)),
            Err(error) => Err(too_large(origin, &error).unwrap_or(SourceError::File {
                path,
                reason: format!("{error} (the file named by {TOKEN_FILE_VARIABLE})"),
            })),
        };
    }
    let mut variables = env.vars();
    variables.sort();
    variables
        .into_iter()
        .find(|(_, value)| Token::decode(value).is_ok_and(|token| token.issuer().is_some()))
        .map(|(name, value)| TokenText::new(Origin::ScannedEnv(name), value.into_bytes()))
        .ok_or(SourceError::NothingFound)
}

/// [`SourceError::TooLarge`] when `error` says the input is over the token cap.
fn too_large(origin: Origin, error: &io::Error) -> Option<SourceError> {
    (error.kind() == io::ErrorKind::FileTooLarge).then_some(SourceError::TooLarge { origin })
}

/// Where a token was read from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The command line.
    Argument,
    /// A file named with `@`.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// An environment variable, named or detected.
    Env(String),
    /// The file named by `AWS_WEB_IDENTITY_TOKEN_FILE`.
    TokenFile(PathBuf),
    /// A variable found by scanning the environment for JWTs.
    ScannedEnv(String),
    /// A token minted for the embedded demo.
    Demo(String),
    /// Text pasted into the explorer.
    Pasted,
    /// The system clipboard.
    Clipboard,
    /// A what-if edit of another token (not signed).
    Edited(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Argument => f.write_str("the command line"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Stdin => f.write_str("standard input"),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::TokenFile(path) => {
                write!(
                    f,
                    "file {} (named by {TOKEN_FILE_VARIABLE})",
                    path.display()
                )
            }
            Origin::ScannedEnv(name) => {
                write!(
                    f,
                    "environment variable {name} (found by scanning the environment)"
                )
            }
            Origin::Demo(name) => write!(f, "the embedded demo ({name})"),
            Origin::Pasted => f.write_str("a paste"),
            Origin::Clipboard => f.write_str("the clipboard"),
            Origin::Edited(what) => write!(f, "an edit ({what}) — not signed"),
        }
    }
}

/// Token text and where it came from. The text is a secret.
#[derive(Debug, Clone)]
pub struct TokenText {
    /// Where it was read from.
    pub origin: Origin,
    /// The bytes as read, before clean-up.
    pub text: Secret<Vec<u8>>,
}

impl TokenText {
    /// Pairs text with its origin.
    pub fn new(origin: Origin, bytes: Vec<u8>) -> Self {
        Self {
            origin,
            text: Secret::new(bytes),
        }
    }

    /// Decodes the text as a token.
    pub fn decode(&self) -> Result<Token, super::DecodeError> {
        Token::decode_bytes(self.text.expose())
    }
}

/// Why no token text could be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceError {
    /// Nothing given and nothing detected.
    #[error(
        "no token given, and none found: looked at {}, the file named by {TOKEN_FILE_VARIABLE}, \
         and every environment variable for a JWT; pass one as @FILE, - (stdin), env:NAME or the token itself",
        CI_TOKEN_VARIABLES.join(", ")
    )]
    NothingFound,
    /// A file could not be read.
    #[error("cannot read the token file {}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// Standard input could not be read.
    #[error("cannot read the token from standard input: {reason}")]
    Stdin {
        /// The operating system's reason.
        reason: String,
    },
    /// `env:NAME` names an unset variable.
    #[error("environment variable {0} is not set")]
    EnvUnset(String),
    /// `env:NAME` names an empty variable.
    #[error("environment variable {0} is empty")]
    EnvEmpty(String),
    /// More input than any token could be.
    #[error("the input from {origin} is larger than 1 MiB; a token is at most 20,000 characters")]
    TooLarge {
        /// Where it came from.
        origin: Origin,
    },
}

impl SourceError {
    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::NothingFound => "no-token",
            SourceError::File { .. } => "file-unreadable",
            SourceError::Stdin { .. } => "stdin-unreadable",
            SourceError::EnvUnset(_) => "env-unset",
            SourceError::EnvEmpty(_) => "env-empty",
            SourceError::TooLarge { .. } => "input-too-large",
        }
    }
}

/// What reading a token needs from the outside world.
pub trait Environment {
    /// An environment variable's value (lossily converted when not Unicode).
    fn var(&self, name: &str) -> Option<String>;
    /// Every environment variable.
    fn vars(&self) -> Vec<(String, String)>;
    /// A file's bytes; more than `kind`'s cap is an error of kind [`io::ErrorKind::FileTooLarge`].
    fn read_file(&self, path: &Path, kind: InputKind) -> io::Result<Vec<u8>>;
    /// Standard input's bytes; more than `kind`'s cap is an error of kind
    /// [`io::ErrorKind::FileTooLarge`].
    fn read_stdin(&self, kind: InputKind) -> io::Result<Vec<u8>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3gifQ.c2ln";

    #[derive(Default)]
    struct FakeEnvironment {
        vars: BTreeMap<String, String>,
        files: BTreeMap<PathBuf, Vec<u8>>,
        stdin: Vec<u8>,
    }

    impl FakeEnvironment {
        fn with_var(mut self, name: &str, value: &str) -> Self {
            self.vars.insert(name.into(), value.into());
            self
        }
        fn with_file(mut self, path: &str, bytes: &[u8]) -> Self {
            self.files.insert(path.into(), bytes.to_vec());
            self
        }
    }

    impl Environment for FakeEnvironment {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn vars(&self) -> Vec<(String, String)> {
            self.vars
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }
        fn read_file(&self, path: &Path, kind: InputKind) -> io::Result<Vec<u8>> {
            match self.files.get(path) {
                Some(bytes) if bytes.len() > kind.limit() => {
                    Err(io::ErrorKind::FileTooLarge.into())
                }
                Some(bytes) => Ok(bytes.clone()),
                None => Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "No such file or directory",
                )),
            }
        }
        fn read_stdin(&self, _: InputKind) -> io::Result<Vec<u8>> {
            Ok(self.stdin.clone())
        }
    }

    #[test]
    fn parses_every_source_form() {
        assert_eq!(TokenSource::parse("-"), TokenSource::Stdin);
        assert_eq!(
            TokenSource::parse("@t.jwt"),
            TokenSource::File("t.jwt".into())
        );
        assert_eq!(
            TokenSource::parse("env:TOKEN"),
            TokenSource::Env("TOKEN".into())
        );
        assert!(TokenSource::parse(JWT).is_literal());
    }

    #[test]
    fn reads_named_sources() {
        let env = FakeEnvironment {
            stdin: JWT.into(),
            ..FakeEnvironment::default()
        }
        .with_var("TOKEN", JWT)
        .with_file("t.jwt", JWT.as_bytes());
        for (source, origin) in [
            (TokenSource::Stdin, Origin::Stdin),
            (
                TokenSource::Env("TOKEN".into()),
                Origin::Env("TOKEN".into()),
            ),
            (
                TokenSource::File("t.jwt".into()),
                Origin::File("t.jwt".into()),
            ),
            (TokenSource::parse(JWT), Origin::Argument),
        ] {
            let text = source.read(&env).map_err(|e| e.to_string());
            assert_eq!(
                text.map(|t| (t.origin, t.text.expose().clone())),
                Ok((origin, JWT.as_bytes().to_vec()))
            );
        }
    }

    #[test]
    fn named_source_errors_say_what_is_wrong() {
        let env = FakeEnvironment::default()
            .with_var("BLANK", " ")
            .with_file("huge", &vec![b'a'; MAX_INPUT_BYTES + 1]);
        let error = |source: TokenSource| source.read(&env).err().map(|e| e.to_string());
        assert_eq!(
            error(TokenSource::Env("NOPE".into())).as_deref(),
            Some("environment variable NOPE is not set")
        );
        assert_eq!(
            error(TokenSource::Env("BLANK".into())).as_deref(),
            Some("environment variable BLANK is empty")
        );
        assert_eq!(
            error(TokenSource::File("missing.jwt".into())).as_deref(),
            Some("cannot read the token file missing.jwt: No such file or directory")
        );
        assert_eq!(
            error(TokenSource::File("huge".into())).as_deref(),
            Some(
                "the input from file huge is larger than 1 MiB; a token is at most 20,000 characters"
            )
        );
    }

    #[test]
    fn each_kind_of_input_has_its_cap() {
        assert_eq!(InputKind::Token.limit_text(), "1 MiB");
        assert_eq!(InputKind::Snapshot.limit_text(), "512 MiB");
        assert_eq!(InputKind::Policy.limit(), MAX_FILE_BYTES);
    }

    #[test]
    fn detection_prefers_ci_variables_in_order() {
        let env = FakeEnvironment::default()
            .with_var("CIRCLE_OIDC_TOKEN", "older")
            .with_var("CIRCLE_OIDC_TOKEN_V2", JWT)
            .with_var("SEMAPHORE_OIDC_TOKEN", "")
            .with_var(TOKEN_FILE_VARIABLE, "/var/run/token");
        assert_eq!(
            detect(&env).map(|t| t.origin),
            Ok(Origin::Env("CIRCLE_OIDC_TOKEN_V2".into()))
        );
    }

    #[test]
    fn detection_reads_the_web_identity_token_file() {
        let env = FakeEnvironment::default()
            .with_var(TOKEN_FILE_VARIABLE, "/var/run/token")
            .with_file("/var/run/token", JWT.as_bytes());
        assert_eq!(
            detect(&env).map(|t| t.origin),
            Ok(Origin::TokenFile("/var/run/token".into()))
        );
        let missing = FakeEnvironment::default().with_var(TOKEN_FILE_VARIABLE, "/nope");
        assert!(matches!(detect(&missing), Err(SourceError::File { .. })));
    }

    #[test]
    fn detection_falls_back_to_any_variable_holding_a_jwt() {
        let env = FakeEnvironment::default()
            .with_var("A_NOT_A_TOKEN", "a.b.c")
            .with_var("MY_TOKEN", JWT)
            .with_var("PATH", "/usr/bin");
        assert_eq!(
            detect(&env).map(|t| t.origin),
            Ok(Origin::ScannedEnv("MY_TOKEN".into()))
        );
        assert_eq!(
            detect(&FakeEnvironment::default()).err(),
            Some(SourceError::NothingFound)
        );
    }
}
