//! Splitting a compact JWS and decoding its parts, with precise errors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::error::{DecodeError, NotJwt, Segment};
use crate::json::kind_of;
use crate::json::{self, DuplicateKey};

/// A decoded JSON part (header or payload).
pub(super) struct DecodedObject {
    pub object: Map<String, Value>,
    pub duplicates: Vec<DuplicateKey>,
}

/// The three decoded parts of a compact JWS.
pub(super) struct DecodedParts {
    pub header: DecodedObject,
    pub claims: DecodedObject,
    pub signature: Vec<u8>,
}

/// Decodes a cleaned compact token.
pub(super) fn decode_parts(text: &str) -> Result<DecodedParts, DecodeError> {
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        [header, payload, signature] => {
            let mut offset = 0;
            let mut next = |segment: Segment, part: &str| {
                let start = offset;
                offset += part.chars().count() + 1;
                base64url(segment, part, start)
            };
            let header_bytes = next(Segment::Header, header)?;
            let payload_bytes = next(Segment::Payload, payload)?;
            let signature = next(Segment::Signature, signature)?;
            Ok(DecodedParts {
                header: json_object(Segment::Header, &header_bytes)?,
                claims: json_object(Segment::Payload, &payload_bytes)?,
                signature,
            })
        }
        [header, _, _, _, _] if is_encryption_header(header) => Err(DecodeError::Encrypted),
        [_] => Err(DecodeError::NotAJwt(NotJwt::Opaque {
            looks_like: opaque_kind(text),
        })),
        _ => Err(DecodeError::SegmentCount { found: parts.len() }),
    }
}

/// Decodes base64url, tolerating trailing `=` padding. `start` is the segment's character
/// offset in the token, so errors point into the whole token.
fn base64url(segment: Segment, part: &str, start: usize) -> Result<Vec<u8>, DecodeError> {
    if part.is_empty() && segment != Segment::Signature {
        return Err(DecodeError::EmptySegment { segment });
    }
    let unpadded = strip_padding(part);
    if let Some((index, character)) = unpadded
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(DecodeError::Base64Character {
            segment,
            offset: start + index,
            character,
        });
    }
    URL_SAFE_NO_PAD
        .decode(unpadded)
        .map_err(|error| match error {
            base64::DecodeError::InvalidLastSymbol(index, _) => DecodeError::Base64TrailingBits {
                segment,
                offset: start + index,
            },
            _ => DecodeError::Base64Length {
                segment,
                length: unpadded.len(),
            },
        })
}

/// A JWE header: it names a content encryption (`enc`) or a key-management algorithm.
fn is_encryption_header(part: &str) -> bool {
    const KEY_MANAGEMENT: [&str; 6] = ["RSA", "A128", "A192", "A256", "ECDH", "PBES2"];
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(strip_padding(part)) else {
        return false;
    };
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&bytes) else {
        return false;
    };
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    header.contains_key("enc") || alg == "dir" || KEY_MANAGEMENT.iter().any(|p| alg.starts_with(p))
}

/// Removes up to two trailing `=`; more than that is left for the character check to name.
fn strip_padding(part: &str) -> &str {
    let trimmed = part.trim_end_matches('=');
    if part.len() - trimmed.len() <= 2 {
        trimmed
    } else {
        &part[..trimmed.len() + 1]
    }
}

fn json_object(segment: Segment, bytes: &[u8]) -> Result<DecodedObject, DecodeError> {
    let parsed = json::parse(bytes).map_err(|error| DecodeError::NotJson {
        segment,
        message: json::error_message(&error),
        line: error.line(),
        column: error.column(),
    })?;
    match parsed.value {
        Value::Object(object) => Ok(DecodedObject {
            object,
            duplicates: parsed.duplicates,
        }),
        other => Err(DecodeError::NotObject {
            segment,
            found: kind_of(&other),
        }),
    }
}

/// Recognises inputs that are some other document altogether (a PEM block, a JSON
/// document). Looks at the input before clean-up, whose whitespace is part of the answer.
pub(super) fn other_document(input: &str) -> Option<NotJwt> {
    let text = input.trim();
    if let Some(rest) = text.strip_prefix("-----BEGIN ") {
        let label = rest.split("-----").next().unwrap_or_default().trim();
        return Some(NotJwt::Pem {
            label: label.to_owned(),
        });
    }
    text.starts_with(['{', '[']).then(|| NotJwt::Json {
        member_with_jwt: member_holding_a_jwt(text),
    })
}

fn member_holding_a_jwt(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.as_object()?.iter().find_map(|(name, member)| {
        let candidate = member.as_str()?;
        decode_parts(candidate).is_ok().then(|| name.clone())
    })
}

/// Known prefixes of credentials that are not OIDC ID tokens.
fn opaque_kind(text: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 9] = [
        ("ghp_", "a GitHub personal access token"),
        ("github_pat_", "a GitHub fine-grained personal access token"),
        ("gho_", "a GitHub OAuth access token"),
        (
            "ghs_",
            "a GitHub Actions installation token (GITHUB_TOKEN), not its OIDC ID token",
        ),
        ("glpat-", "a GitLab personal access token"),
        (
            "glcbt-",
            "a GitLab CI job token (CI_JOB_TOKEN), not an id_tokens: token",
        ),
        ("ASIA", "an AWS temporary access key ID"),
        ("AKIA", "an AWS access key ID"),
        ("IQoJb3JpZ2lu", "an AWS session token"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| text.starts_with(prefix))
        .map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> DecodeError {
        match decode_parts(text) {
            Ok(_) => unreachable!("{text:?} must not decode"),
            Err(error) => error,
        }
    }

    #[test]
    fn padding_is_tolerated() {
        let padded = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0=.c2lnbg==";
        let parts = decode_parts(padded)
            .ok()
            .map(|p| (p.claims.object, p.signature));
        assert_eq!(
            parts.map(|(claims, sig)| (claims["sub"].clone(), sig)),
            Some(("x".into(), b"sign".to_vec()))
        );
    }

    #[test]
    fn offsets_point_into_the_whole_token() {
        assert_eq!(
            error_of("eyJhbGciOiJSUzI1NiJ9.eyJz+WIiOiJ4In0.c2ln"),
            DecodeError::Base64Character {
                segment: Segment::Payload,
                offset: 25,
                character: '+'
            }
        );
        assert_eq!(
            error_of("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2l==="),
            DecodeError::Base64Character {
                segment: Segment::Signature,
                offset: 40,
                character: '='
            }
        );
    }

    #[test]
    fn impossible_length_is_named() {
        assert_eq!(
            error_of("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0xy.c2ln"),
            DecodeError::Base64Length {
                segment: Segment::Payload,
                length: 17
            }
        );
    }

    #[test]
    fn json_errors_carry_position_without_duplicating_it() {
        // payload `{"sub":}` → base64url eyJzdWIiOn0
        match error_of("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOn0.c2ln") {
            DecodeError::NotJson {
                segment,
                message,
                line,
                column,
            } => {
                assert_eq!((segment, line, column), (Segment::Payload, 1, 8));
                assert_eq!(message, "expected value");
            }
            other => unreachable!("unexpected {other:?}"),
        }
    }

    #[test]
    fn names_things_that_are_not_jwts() {
        assert_eq!(
            other_document("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"),
            Some(NotJwt::Pem {
                label: "PRIVATE KEY".into()
            })
        );
        assert_eq!(
            other_document(r#"{"count":1,"value":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"}"#),
            Some(NotJwt::Json {
                member_with_jwt: Some("value".into())
            })
        );
        assert_eq!(
            other_document("[1, 2]"),
            Some(NotJwt::Json {
                member_with_jwt: None
            })
        );
        assert_eq!(other_document("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), None);
        assert_eq!(
            error_of("ghp_abcdefabcdef"),
            DecodeError::NotAJwt(NotJwt::Opaque {
                looks_like: Some("a GitHub personal access token")
            })
        );
    }
}
