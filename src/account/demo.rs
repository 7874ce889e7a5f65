//! The embedded demo: tokens minted at start-up, so their times are always current.
//!
//! The signing key in `assets/demo/` is public demo material: it protects nothing.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use thiserror::Error;

use crate::token::{Origin, TokenText};

/// The demo signing key (public demo material, see `assets/demo/README.md`).
const SIGNING_KEY_PEM: &[u8] = include_bytes!("../../assets/demo/signing-key.pem");

/// `kid` of the demo signing key.
pub const KEY_ID: &str = "trustlens-demo-1";

/// Issuer of the demo Semaphore organisation `acme`.
pub const SEMAPHORE_ISSUER: &str = "https://acme.semaphoreci.com";

/// Project UUID of the demo Semaphore project `web`.
pub const SEMAPHORE_PROJECT_ID: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";

/// The demo could not sign its tokens (a broken build, never user input).
#[derive(Debug, Error)]
#[error("cannot mint the demo token: {0}")]
pub struct DemoError(String);

/// A Semaphore token for a push to `main` of `acme/web`, issued a minute before `now`
/// and valid for Semaphore's 24 hours.
pub fn semaphore_token(now: i64) -> Result<TokenText, DemoError> {
    let issued = now - 60;
    let claims = json!({
        "iss": SEMAPHORE_ISSUER,
        "aud": SEMAPHORE_ISSUER,
        "sub": format!("org:acme:project:{SEMAPHORE_PROJECT_ID}:repo:web:ref_type:branch:ref:refs/heads/main"),
        "sub127": format!("acme:{SEMAPHORE_PROJECT_ID}:web:br:heads/main"),
        "exp": issued + 86_400,
        "iat": issued,
        "nbf": issued,
        "jti": "2s557dchalv2mv76kk000el1",
        "org": "acme",
        "org_id": "d7dd33ad-9317-498c-9cc6-51c250749be7",
        "prj": "web",
        "prj_id": SEMAPHORE_PROJECT_ID,
        "repo": "web",
        "repo_slug": "acme/web",
        "branch": "main",
        "pr_branch": "",
        "pr": "",
        "tag": "",
        "ref": "refs/heads/main",
        "ref_type": "branch",
        "wf_id": "1be81412-6ab8-4fc0-9d0d-7af33335a6ec",
        "ppl_id": "1e1fcfb5-09c0-487e-b051-2d0b5514c42a",
        "job_id": "c117e453-1189-4eaf-b03a-dd6538eb49b2",
        "job_type": "pipeline_job",
        "actor": "",
        "trg": "h:f-i:f",
    });
    let token = sign(&claims)?;
    Ok(TokenText::new(
        Origin::Demo("Semaphore, push to main".to_owned()),
        token.into_bytes(),
    ))
}

fn sign(claims: &Value) -> Result<String, DemoError> {
    let key = EncodingKey::from_rsa_pem(SIGNING_KEY_PEM).map_err(|e| DemoError(e.to_string()))?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KEY_ID.to_owned());
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| DemoError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_token_is_current_and_clean() {
        let now = 1_790_000_000;
        let token = semaphore_token(now)
            .and_then(|text| text.decode().map_err(|e| DemoError(e.to_string())));
        let token = token.map_err(|e| e.to_string());
        assert_eq!(
            token.as_ref().map(|t| t.issuer()),
            Ok(Some(SEMAPHORE_ISSUER))
        );
        assert_eq!(token.map(|t| t.findings(now)), Ok(vec![]));
    }
}
