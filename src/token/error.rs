//! Why an input is not a decodable JWS, with the segment and position of the problem.

use std::fmt;

use thiserror::Error;

/// One of the three dot-separated parts of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The JOSE header (first part).
    Header,
    /// The claims (second part).
    Payload,
    /// The signature (third part).
    Signature,
}

impl Segment {
    /// The segments in token order.
    pub const ALL: [Segment; 3] = [Segment::Header, Segment::Payload, Segment::Signature];
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// What an input that is not a JWT at all looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotJwt {
    /// A PEM block (`-----BEGIN <label>-----`).
    Pem {
        /// The PEM label, e.g. `PRIVATE KEY` or `CERTIFICATE`.
        label: String,
    },
    /// A JSON document, e.g. the reply of a token endpoint.
    Json {
        /// A member whose value is a JWT, when there is one.
        member_with_jwt: Option<String>,
    },
    /// A token without any `.`, such as an OAuth access token or an API key.
    Opaque {
        /// What it appears to be, when its prefix tells.
        looks_like: Option<&'static str>,
    },
}

impl fmt::Display for NotJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotJwt::Pem { label } => write!(
                f,
                "this is a PEM block ({label}), not a token; STS needs the OIDC ID token a CI job receives"
            ),
            NotJwt::Json { member_with_jwt: Some(member) } => write!(
                f,
                "this is a JSON document, not a token; its \"{member}\" member holds a JWT — pass that value (e.g. `jq -r .{member}`)"
            ),
            NotJwt::Json { member_with_jwt: None } => f.write_str(
                "this is a JSON document, not a token (decoded claims cannot be checked as a token; pass the compact header.payload.signature form)",
            ),
            NotJwt::Opaque { looks_like } => {
                f.write_str("this is an opaque token (no '.' separators)")?;
                if let Some(kind) = looks_like {
                    write!(f, " that looks like {kind}")?;
                }
                f.write_str("; STS needs an OIDC ID token: a JWT of three base64url parts joined by '.'")
            }
        }
    }
}

/// Why an input could not be decoded as a compact JWS.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Nothing left after clean-up.
    #[error("the input is empty (nothing left after removing whitespace, quotes and prefixes)")]
    Empty,
    /// The input bytes are not UTF-8 text.
    #[error("the input is not UTF-8 text (invalid byte at offset {offset})")]
    NotText {
        /// Byte offset of the first invalid byte in the raw input.
        offset: usize,
    },
    /// Not a JWT at all.
    #[error("not a JWT: {0}")]
    NotAJwt(NotJwt),
    /// An encrypted JWE (five parts, a key-management header) instead of a signed JWS.
    #[error(
        "this looks like an encrypted JWE (5 segments); STS needs a signed ID token (a JWS: header.payload.signature)"
    )]
    Encrypted,
    /// A dot-separated form with the wrong number of parts.
    #[error("{}", segment_count_message(*.found))]
    SegmentCount {
        /// How many dot-separated parts the input has.
        found: usize,
    },
    /// The header or payload is empty.
    #[error("the {segment} segment is empty")]
    EmptySegment {
        /// Which part is empty.
        segment: Segment,
    },
    /// A character outside the base64url alphabet.
    #[error("the {segment} segment is not base64url: invalid character {character:?} at offset {offset}{}", base64_hint(*.character))]
    Base64Character {
        /// Which part holds it.
        segment: Segment,
        /// Character offset in the cleaned token.
        offset: usize,
        /// The offending character.
        character: char,
    },
    /// A segment whose length no base64url text can have.
    #[error(
        "the {segment} segment is not base64url: its length {length} is impossible (one character too many or the segment was cut short)"
    )]
    Base64Length {
        /// Which part.
        segment: Segment,
        /// Its length without padding.
        length: usize,
    },
    /// The last character carries bits that belong to no byte.
    #[error(
        "the {segment} segment is not base64url: its last character (offset {offset}) carries stray bits — the segment was cut short or altered"
    )]
    Base64TrailingBits {
        /// Which part.
        segment: Segment,
        /// Character offset of the last character in the cleaned token.
        offset: usize,
    },
    /// The decoded header or payload is not JSON.
    #[error("the {segment} segment is not JSON: {message} at line {line}, column {column}")]
    NotJson {
        /// Which part.
        segment: Segment,
        /// serde_json's description of the problem.
        message: String,
        /// 1-based line in the decoded JSON text.
        line: usize,
        /// 1-based column in the decoded JSON text.
        column: usize,
    },
    /// The decoded header or payload is JSON but not an object.
    #[error("the {segment} segment is JSON {found}, but a JWT {segment} must be a JSON object")]
    NotObject {
        /// Which part.
        segment: Segment,
        /// What it is instead (`an array`, `a string`, …).
        found: &'static str,
    },
}

impl DecodeError {
    /// A stable, machine-readable name for the error (used in `--json` output).
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty-input",
            DecodeError::NotText { .. } => "not-utf8",
            DecodeError::NotAJwt(_) => "not-a-jwt",
            DecodeError::Encrypted => "encrypted-jwe",
            DecodeError::SegmentCount { .. } => "segment-count",
            DecodeError::EmptySegment { .. } => "empty-segment",
            DecodeError::Base64Character { .. }
            | DecodeError::Base64Length { .. }
            | DecodeError::Base64TrailingBits { .. } => "bad-base64url",
            DecodeError::NotJson { .. } => "not-json",
            DecodeError::NotObject { .. } => "not-object",
        }
    }
}

fn segment_count_message(found: usize) -> String {
    match found {
        2 => "the token has 2 segments; a signed JWT has 3 (header.payload.signature) — the signature part is missing or was cut off".to_owned(),
        n if n >= 5 => format!(
            "the token has {n} segments; a signed JWT has 3 (header.payload.signature) — were two tokens pasted together?"
        ),
        n => format!("the token has {n} segments; a signed JWT has 3 (header.payload.signature)"),
    }
}

fn base64_hint(character: char) -> &'static str {
    match character {
        '+' | '/' => " (standard base64; JWTs use base64url with '-' and '_')",
        _ => "",
    }
}
