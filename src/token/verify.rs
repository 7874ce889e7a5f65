//! The token's signature checked the way STS checks it (aws-web-identity.md §3.4): the JWKS
//! the issuer's discovery document names, the key chosen by `kid` (the only indexed key when
//! the token has none), `kty`/`crv` agreeing with the header's `alg`, at most 100 RSA and 100
//! EC keys. Pure: the documents arrive as text, fetched elsewhere.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use serde_json::Value;

use super::Token;
use super::tls::ServedChain;

/// Keys of one type STS indexes at most (100 RSA and 100 EC keys).
pub const MAX_KEYS_PER_TYPE: usize = 100;

/// Largest discovery document fetched or read, in bytes.
pub const MAX_DISCOVERY_BYTES: usize = 64 * 1024;

/// Largest JWKS fetched, in bytes.
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// An issuer's published keys, as STS indexes them.
#[derive(Clone, PartialEq)]
pub struct KeySet {
    /// Entries STS indexes, in document order (a later duplicate `kid` wins).
    keys: Vec<Indexed>,
    /// Entries STS does not index, and why (no `kid`, `use: enc`, unreadable…).
    ignored: Vec<String>,
    /// RSA and EC entries counted, for the 100-per-type limit.
    rsa: usize,
    ec: usize,
    /// The JWKS document as published (what a snapshot stores).
    document: Value,
}

#[derive(Clone, PartialEq)]
struct Indexed {
    kid: String,
    jwk: Jwk,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("KeySet")
            .field("kids", &kids)
            .field("ignored", &self.ignored)
            .finish()
    }
}

/// A document that is not a JWKS (or a discovery + JWKS bundle).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JwksError(pub String);

impl KeySet {
    /// Parses a JWKS (`{"keys": [...]}`) or a bundle `{"discovery": {...}, "jwks": {...}}`.
    pub fn parse(text: &str) -> Result<KeySet, JwksError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            JwksError(format!(
                "not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let jwks = match value.get("jwks") {
            Some(inner) => inner,
            None => &value,
        };
        let Some(entries) = jwks.get("keys").and_then(Value::as_array) else {
            return Err(JwksError(
                "not a JWKS: no \"keys\" array (a JWKS, or {\"discovery\": …, \"jwks\": …})"
                    .to_owned(),
            ));
        };
        let mut set = KeySet {
            keys: Vec::new(),
            ignored: Vec::new(),
            rsa: 0,
            ec: 0,
            document: jwks.clone(),
        };
        for (index, entry) in entries.iter().enumerate() {
            match entry.get("kty").and_then(Value::as_str) {
                Some("RSA") => set.rsa += 1,
                Some("EC") => set.ec += 1,
                _ => {}
            }
            let jwk: Jwk = match serde_json::from_value(entry.clone()) {
                Ok(jwk) => jwk,
                Err(error) => {
                    set.ignored
                        .push(format!("key {index} is unreadable: {error}"));
                    continue;
                }
            };
            let Some(kid) = jwk.common.key_id.clone() else {
                set.ignored.push(format!(
                    "key {index} has no \"kid\" (STS indexes keys by kid)"
                ));
                continue;
            };
            if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
                set.ignored.push(format!(
                    "key {index} (kid \"{kid}\") is for encryption (\"use\": \"enc\")"
                ));
                continue;
            }
            if jwk.common.key_operations.is_some() {
                set.ignored.push(format!(
                    "key {index} (kid \"{kid}\") has \"key_ops\", which STS rejects"
                ));
                continue;
            }
            set.keys.retain(|k| k.kid != kid);
            set.keys.push(Indexed { kid, jwk });
        }
        Ok(set)
    }

    /// The JWKS document as published, every entry kept (ignored ones too).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// True when the set holds a key with this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid == kid)
    }
}

/// What the signature check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Verification {
    /// The signature verifies with the issuer's key `kid`.
    Verified {
        /// The key used.
        kid: String,
    },
    /// STS could not find a key to check with (`Couldn't retrieve verification key…`).
    NoKey {
        /// Why, in words.
        detail: String,
    },
    /// A key was found but the signature does not verify with it.
    BadSignature {
        /// Why, in words.
        detail: String,
    },
    /// trustlens could not check (keys not reachable from here, an algorithm it lacks).
    CouldNotCheck {
        /// Why, in words.
        detail: String,
    },
}

impl Verification {
    /// Short words for front ends.
    pub fn detail(&self) -> String {
        match self {
            Verification::Verified { kid } => {
                format!("the signature verifies with the issuer's key \"{kid}\"")
            }
            Verification::NoKey { detail }
            | Verification::BadSignature { detail }
            | Verification::CouldNotCheck { detail } => detail.clone(),
        }
    }
}

/// What checking a signature found: its outcome, and the TLS chains the issuer's keys came
/// over (none when they came from a file, a snapshot or the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The signature against the keys.
    pub verification: Verification,
    /// The chains the discovery and JWKS hosts served, one per host.
    pub served: Vec<ServedChain>,
}

impl From<Verification> for Evidence {
    /// Keys that did not come over the network.
    fn from(verification: Verification) -> Evidence {
        Evidence {
            verification,
            served: Vec::new(),
        }
    }
}

/// Checks `token`'s signature against `keys` as STS does.
pub fn verify(token: &Token, keys: &KeySet) -> Verification {
    if token.is_edited() {
        return Verification::BadSignature {
            detail: "the claims were edited here, so the signature no longer covers them"
                .to_owned(),
        };
    }
    let alg_name = token.algorithm().unwrap_or_default();
    let algorithm = match alg_name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "ES512" => {
            return Verification::CouldNotCheck {
                detail: "ES512 (P-521) signatures cannot be checked by trustlens".to_owned(),
            };
        }
        other => {
            return Verification::BadSignature {
                detail: format!("\"alg\": \"{other}\" is not one STS verifies"),
            };
        }
    };
    let rsa = matches!(alg_name, "RS256" | "RS384" | "RS512");
    let (count, kind) = if rsa {
        (keys.rsa, "RSA")
    } else {
        (keys.ec, "EC")
    };
    if count > MAX_KEYS_PER_TYPE {
        return Verification::NoKey {
            detail: format!(
                "the JWKS has {count} {kind} keys; STS reads at most {MAX_KEYS_PER_TYPE} of a type"
            ),
        };
    }
    let kid = token.header().get("kid").and_then(Value::as_str);
    let chosen = match kid {
        Some(kid) => keys.keys.iter().find(|k| k.kid == kid).ok_or_else(|| {
            format!(
                "no key with kid \"{kid}\" in the issuer's JWKS ({})",
                key_list(keys)
            )
        }),
        None => match keys.keys.as_slice() {
            [only] => Ok(only),
            [] => Err(format!(
                "the token has no kid and the JWKS has no usable key ({})",
                key_list(keys)
            )),
            many => Err(format!(
                "the token has no kid and the JWKS has {} keys: STS picks a key without kid only when there is exactly one",
                many.len()
            )),
        },
    };
    let chosen = match chosen {
        Ok(chosen) => chosen,
        Err(detail) => return Verification::NoKey { detail },
    };
    if let Err(detail) = agrees(&chosen.jwk, algorithm) {
        return Verification::BadSignature {
            detail: format!("key \"{}\" {detail}", chosen.kid),
        };
    }
    let key = match DecodingKey::from_jwk(&chosen.jwk) {
        Ok(key) => key,
        Err(error) => {
            return Verification::NoKey {
                detail: format!("key \"{}\" is not a usable public key: {error}", chosen.kid),
            };
        }
    };
    let mut validation = Validation::new(algorithm);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    match jsonwebtoken::decode::<Value>(token.raw().expose(), &key, &validation) {
        Ok(_) => Verification::Verified {
            kid: chosen.kid.clone(),
        },
        Err(error) => Verification::BadSignature {
            detail: match error.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => format!(
                    "the signature does not verify with key \"{}\" (the token was altered, or signed with another key)",
                    chosen.kid
                ),
                _ => format!(
                    "the signature cannot be checked with key \"{}\": {error}",
                    chosen.kid
                ),
            },
        },
    }
}

/// The key's type and curve agree with the header's `alg` (the header chooses the hash).
fn agrees(jwk: &Jwk, algorithm: Algorithm) -> Result<(), String> {
    match (&jwk.algorithm, algorithm) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512) => {
            Ok(())
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            curve(&ec.curve, EllipticCurve::P256, "ES256", "P-256")
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
            curve(&ec.curve, EllipticCurve::P384, "ES384", "P-384")
        }
        (AlgorithmParameters::RSA(_), _) => {
            Err("is an RSA key, the token is signed with EC".to_owned())
        }
        (AlgorithmParameters::EllipticCurve(_), _) => {
            Err("is an EC key, the token is signed with RSA".to_owned())
        }
        _ => Err("is neither an RSA nor an EC key".to_owned()),
    }
}

fn curve(
    found: &EllipticCurve,
    wanted: EllipticCurve,
    alg: &str,
    name: &str,
) -> Result<(), String> {
    if *found == wanted {
        Ok(())
    } else {
        Err(format!("is not on {name}, which {alg} needs"))
    }
}

fn key_list(keys: &KeySet) -> String {
    let mut parts: Vec<String> = Vec::new();
    if keys.keys.is_empty() {
        parts.push("no key with a kid".to_owned());
    } else {
        let kids: Vec<String> = keys.keys.iter().map(|k| format!("\"{}\"", k.kid)).collect();
        parts.push(format!("kids {}", kids.join(", ")));
    }
    parts.extend(keys.ignored.iter().cloned());
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::account::demo;

    const DEMO_PEM: &[u8] = include_bytes!("../../assets/demo/signing-key.pem");

    fn demo_keys() -> KeySet {
        KeySet::parse(demo::JWKS).unwrap_or_else(|e| unreachable!("demo JWKS: {e}"))
    }

    fn signed(kid: Option<&str>, claims: &Value) -> Token {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.map(str::to_owned);
        let key = EncodingKey::from_rsa_pem(DEMO_PEM).unwrap_or_else(|e| unreachable!("{e}"));
        let text =
            jsonwebtoken::encode(&header, claims, &key).unwrap_or_else(|e| unreachable!("{e}"));
        Token::decode(&text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn demo_jwk() -> Value {
        let jwks: Value = serde_json::from_str(demo::JWKS).unwrap_or_default();
        jwks["keys"][0].clone()
    }

    fn keys(entries: Vec<Value>) -> KeySet {
        KeySet::parse(&json!({ "keys": entries }).to_string())
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn a_demo_token_verifies_and_a_tampered_one_does_not() {
        let token = signed(Some(demo::KEY_ID), &json!({"iss": "https://x", "sub": "a"}));
        assert!(matches!(
            verify(&token, &demo_keys()),
            Verification::Verified { .. }
        ));
        let edited = token.with_claim("sub", "b".into());
        assert!(matches!(
            verify(&edited, &demo_keys()),
            Verification::BadSignature { .. }
        ));
        let parts: Vec<&str> = token.raw().expose().split('.').collect();
        let other = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"iss":"https://x","sub":"b"}"#,
        );
        let tampered = Token::decode(&format!("{}.{other}.{}", parts[0], parts[2]))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(matches!(
            verify(&tampered, &demo_keys()),
            Verification::BadSignature { .. }
        ));
    }

    #[test]
    fn keys_are_chosen_by_kid_and_without_kid_only_when_there_is_one() {
        let claims = json!({"sub": "a"});
        let missing = verify(&signed(Some("other"), &claims), &demo_keys());
        assert!(matches!(&missing, Verification::NoKey { detail } if detail.contains("\"other\"")));
        assert!(matches!(
            verify(&signed(None, &claims), &demo_keys()),
            Verification::Verified { .. }
        ));
        let mut second = demo_jwk();
        second["kid"] = json!("second");
        let two = keys(vec![demo_jwk(), second]);
        assert!(matches!(
            verify(&signed(None, &claims), &two),
            Verification::NoKey { .. }
        ));
        assert!(matches!(
            verify(&signed(Some("second"), &claims), &two),
            Verification::Verified { .. }
        ));
    }

    #[test]
    fn entries_without_kid_for_encryption_or_with_key_ops_are_not_indexed() {
        let claims = json!({"sub": "a"});
        let mut no_kid = demo_jwk();
        no_kid.as_object_mut().map(|o| o.remove("kid"));
        let set = keys(vec![no_kid]);
        let found = verify(&signed(None, &claims), &set);
        assert!(
            matches!(&found, Verification::NoKey { detail } if detail.contains("no \"kid\"")),
            "{found:?}"
        );
        let mut enc = demo_jwk();
        enc["use"] = json!("enc");
        assert!(matches!(
            verify(&signed(Some(demo::KEY_ID), &claims), &keys(vec![enc])),
            Verification::NoKey { .. }
        ));
        let mut ops = demo_jwk();
        ops["key_ops"] = json!(["verify"]);
        assert!(matches!(
            verify(&signed(Some(demo::KEY_ID), &claims), &keys(vec![ops])),
            Verification::NoKey { .. }
        ));
    }

    #[test]
    fn more_than_100_rsa_keys_break_rsa_tokens() {
        let entries = (0..101)
            .map(|i| {
                let mut key = demo_jwk();
                key["kid"] = json!(format!("k{i}"));
                key
            })
            .collect();
        let found = verify(&signed(Some("k3"), &json!({})), &keys(entries));
        assert!(
            matches!(&found, Verification::NoKey { detail } if detail.contains("101 RSA")),
            "{found:?}"
        );
    }

    #[test]
    fn a_bundle_is_read_and_other_documents_are_named() {
        let bundle = json!({"discovery": {"issuer": "https://x"}, "jwks": {"keys": [demo_jwk()]}});
        assert!(KeySet::parse(&bundle.to_string()).is_ok_and(|set| set.has_kid(demo::KEY_ID)));
        assert!(KeySet::parse("<html>").is_err_and(|e| e.0.contains("not JSON")));
        assert!(KeySet::parse("{}").is_err_and(|e| e.0.contains("no \"keys\"")));
        let debug = format!("{:?}", demo_keys());
        assert!(
            !debug.contains(demo_jwk()["n"].as_str().unwrap_or("-")),
            "{debug}"
        );
    }

    #[test]
    fn the_header_alg_must_agree_with_the_key_type() {
        let token = signed(Some(demo::KEY_ID), &json!({}));
        let parts: Vec<&str> = token.raw().expose().split('.').collect();
        let es = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!(r#"{{"alg":"ES256","kid":"{}"}}"#, demo::KEY_ID),
        );
        let token = Token::decode(&format!("{es}.{}.{}", parts[1], parts[2]))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let found = verify(&token, &demo_keys());
        assert!(
            matches!(&found, Verification::BadSignature { detail } if detail.contains("RSA key")),
            "{found:?}"
        );
    }
}
