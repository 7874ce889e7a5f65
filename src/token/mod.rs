//! OIDC ID tokens: decoding pasted input, and what STS will think of the result.
//!
//! ```
//! use trustlens::token::Token;
//!
//! let token = Token::decode("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").unwrap();
//! assert_eq!(token.subject(), Some("x"));
//! assert!(format!("{token:?}").contains("<redacted>"));
//! let what_if = token.with_claim("sub", "y".into());
//! assert!(what_if.is_edited() && what_if.subject() == Some("y"));
//! ```

mod clean;
mod decode;
mod error;
mod findings;
pub mod rules;
mod source;
pub mod times;
pub mod tls;
pub mod verify;

use std::fmt;

use serde_json::{Map, Value};

pub use clean::Cleanup;
pub use error::{DecodeError, NotJwt, Segment};
pub use findings::{Finding, FindingCode, Severity};
pub use source::{
    CI_TOKEN_VARIABLES, Environment, InputKind, MAX_FILE_BYTES, MAX_INPUT_BYTES, Origin,
    SourceError, TOKEN_FILE_VARIABLE, TokenSource, TokenText, detect,
};

use crate::json::JsonPath;
use crate::secret::Secret;

/// A decoded compact JWS. The raw text is a secret: `Debug` never shows it.
#[derive(Clone)]
pub struct Token {
    raw: Secret<String>,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signature: Vec<u8>,
    cleanup: Vec<Cleanup>,
    duplicates: Vec<DuplicateMember>,
    edited: bool,
}

/// A member name that appeared more than once in the header or the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateMember {
    /// Header or payload.
    pub segment: Segment,
    /// Where in that part.
    pub path: JsonPath,
    /// How many times it appeared (the last value is kept, as AWS does).
    pub occurrences: usize,
}

impl Token {
    /// Decodes a token as pasted: surrounding whitespace, quotes, `Bearer ` and `NAME=`
    /// prefixes and inner line breaks are removed first (see [`Token::cleanup`]).
    pub fn decode(input: &str) -> Result<Token, DecodeError> {
        let cleaned = clean::clean(input);
        if let Some(other) = decode::other_document(&cleaned.unwrapped) {
            return Err(DecodeError::NotAJwt(other));
        }
        let parts = decode::decode_parts(&cleaned.text)?;
        let duplicates = [
            (Segment::Header, parts.header.duplicates),
            (Segment::Payload, parts.claims.duplicates),
        ]
        .into_iter()
        .flat_map(|(segment, found)| {
            found.into_iter().map(move |duplicate| DuplicateMember {
                segment,
                path: duplicate.path,
                occurrences: duplicate.occurrences,
            })
        })
        .collect();
        Ok(Token {
            raw: Secret::new(cleaned.text),
            header: parts.header.object,
            claims: parts.claims.object,
            signature: parts.signature,
            cleanup: cleaned.steps,
            duplicates,
            edited: false,
        })
    }

    /// A what-if copy with claim `name` set to `value`. Its signature no longer covers the
    /// claims: [`Token::is_edited`] says so, and STS would reject it.
    pub fn with_claim(&self, name: &str, value: Value) -> Token {
        let mut edited = self.clone();
        edited.claims.insert(name.to_owned(), value);
        edited.edited = true;
        edited
    }

    /// True for a what-if copy whose claims were edited (not signed).
    pub fn is_edited(&self) -> bool {
        self.edited
    }

    /// Decodes raw bytes (a file, standard input), which must be UTF-8 text.
    pub fn decode_bytes(input: &[u8]) -> Result<Token, DecodeError> {
        let text = std::str::from_utf8(input).map_err(|error| DecodeError::NotText {
            offset: error.valid_up_to(),
        })?;
        Token::decode(text)
    }

    /// The cleaned compact token, as STS would receive it.
    pub fn raw(&self) -> &Secret<String> {
        &self.raw
    }

    /// Length of the cleaned token in characters (what STS limits to 20,000).
    pub fn char_count(&self) -> usize {
        self.raw.expose().chars().count()
    }

    /// The JOSE header, members in token order.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The claims, members in token order; repeated names hold their last value.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The clean-up steps applied to the input.
    pub fn cleanup(&self) -> &[Cleanup] {
        &self.cleanup
    }

    /// Member names that appeared more than once.
    pub fn duplicates(&self) -> &[DuplicateMember] {
        &self.duplicates
    }

    /// The `iss` claim, when it is a string.
    pub fn issuer(&self) -> Option<&str> {
        self.claims.get("iss").and_then(Value::as_str)
    }

    /// The `sub` claim, when it is a string.
    pub fn subject(&self) -> Option<&str> {
        self.claims.get("sub").and_then(Value::as_str)
    }

    /// The `aud` values that are strings (one for a string `aud`).
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(aud)) => vec![aud.as_str()],
            Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The header's `alg`, when it is a string.
    pub fn algorithm(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// Everything STS will notice about this token at `now` (epoch seconds).
    pub fn findings(&self, now: i64) -> Vec<Finding> {
        findings::check(self, now)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("raw", &self.raw)
            .field("header", &self.header)
            .field("claims", &self.claims)
            .field(
                "signature",
                &format_args!("<{} bytes>", self.signature.len()),
            )
            .field("cleanup", &self.cleanup)
            .field("edited", &self.edited)
            .finish()
    }
}
