//! The embedded demo: an account (`assets/demo/account.json`, a snapshot) and tokens for each
//! platform, minted at start-up so their times are always current.
//!
//! The signing key in `assets/demo/` is public demo material: it protects nothing, and no real
//! account may trust the demo issuers with it.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use thiserror::Error;

use super::{Account, Snapshot};
use crate::token::{Origin, TokenText};

/// The demo signing key (public demo material, see `assets/demo/README.md`).
const SIGNING_KEY_PEM: &[u8] = include_bytes!("../../assets/demo/signing-key.pem");

/// The demo account, in the snapshot format.
const ACCOUNT_SNAPSHOT: &str = include_str!("../../assets/demo/account.json");

/// The demo issuers' public keys (JWKS), so signatures can be checked offline.
pub const JWKS: &str = include_str!("../../assets/demo/jwks.json");

/// `kid` of the demo signing key.
pub const KEY_ID: &str = "trustlens-demo-1";

/// The demo account's ID.
pub const ACCOUNT_ID: &str = "123456789012";

/// Issuer of the demo Semaphore organisation `acme`.
pub const SEMAPHORE_ISSUER: &str = "https://acme.semaphoreci.com";

/// Project UUID of the demo Semaphore project `web`.
pub const SEMAPHORE_PROJECT_ID: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";

/// The demo could not be built (a broken build, never user input).
#[derive(Debug, Error)]
#[error("cannot build the demo: {0}")]
pub struct DemoError(String);

/// The demo account.
pub fn account() -> Result<Account, DemoError> {
    Snapshot::load(ACCOUNT_SNAPSHOT)
        .map(|snapshot| snapshot.account)
        .map_err(|error| DemoError(format!("assets/demo/account.json: {error}")))
}

/// One demo token: a short name, what it stands for, and its claims at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoToken {
    /// Short name (`semaphore-main`, …).
    pub name: &'static str,
    /// What job it stands for.
    pub description: &'static str,
}

/// Every demo token, the default first.
pub const TOKENS: [DemoToken; 11] = [
    DemoToken {
        name: "semaphore-main",
        description: "Semaphore, push to main of acme/web",
    },
    DemoToken {
        name: "semaphore-pr",
        description: "Semaphore, pull request #42 of acme/web",
    },
    DemoToken {
        name: "semaphore-tag",
        description: "Semaphore, tag v1.4.0 of acme/web",
    },
    DemoToken {
        name: "semaphore-expired",
        description: "Semaphore, push to main, token expired 3 hours ago",
    },
    DemoToken {
        name: "semaphore-tagged",
        description: "Semaphore, push to main, with AWS session tags",
    },
    DemoToken {
        name: "github-main",
        description: "GitHub Actions, push to main of octo-org/octo-repo",
    },
    DemoToken {
        name: "github-pr",
        description: "GitHub Actions, pull_request of octo-org/octo-repo",
    },
    DemoToken {
        name: "github-prod",
        description: "GitHub Actions, job in environment prod of octo-org/octo-repo",
    },
    DemoToken {
        name: "gitlab-main",
        description: "GitLab.com, main of acme/platform/api",
    },
    DemoToken {
        name: "circleci-main",
        description: "CircleCI, main of the web project",
    },
    DemoToken {
        name: "eks-app",
        description: "EKS, service account payments/api",
    },
];

/// The demo CircleCI organization (its issuer is `https://oidc.circleci.com/org/<id>`).
pub const CIRCLECI_ORG: &str = "6d4d6f08-0f8b-4f67-8f4a-3a8e5f3a2c11";

/// The demo CircleCI project.
pub const CIRCLECI_PROJECT: &str = "c8a4e2f0-1b3d-4a5e-9f70-2d6b8e4a1c35";

/// The claims of the demo token `name` at `now` (epoch seconds).
pub fn claims(name: &str, now: i64) -> Option<Value> {
    let issued = now - 60;
    let semaphore = |ref_type: &str, reference: &str, extra: Value| {
        let mut claims = json!({
            "iss": SEMAPHORE_ISSUER,
            "aud": SEMAPHORE_ISSUER,
            "sub": format!("org:acme:project:{SEMAPHORE_PROJECT_ID}:repo:web:ref_type:{ref_type}:ref:{reference}"),
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
            "ref": reference,
            "ref_type": ref_type,
            "wf_id": "1be81412-6ab8-4fc0-9d0d-7af33335a6ec",
            "ppl_id": "1e1fcfb5-09c0-487e-b051-2d0b5514c42a",
            "job_id": "c117e453-1189-4eaf-b03a-dd6538eb49b2",
            "job_type": "pipeline_job",
            "actor": "",
            "trg": "h:f-i:f",
        });
        if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            claims.extend(extra.clone());
        }
        claims
    };
    let github = |sub: &str, extra: Value| {
        let mut claims = json!({
            "jti": "c7b5e4a2-demo",
            "sub": sub,
            "aud": "sts.amazonaws.com",
            "ref": "refs/heads/main",
            "sha": "d6cd1e2bd19e03a81132a23b2025920577f84e37",
            "repository": "octo-org/octo-repo",
            "repository_owner": "octo-org",
            "repository_id": "74",
            "repository_owner_id": "65",
            "actor": "octocat",
            "actor_id": "12",
            "workflow": "deploy",
            "event_name": "push",
            "ref_type": "branch",
            "runner_environment": "github-hosted",
            "job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
            "iss": "https://token.actions.githubusercontent.com",
            "nbf": issued,
            "exp": issued + 300,
            "iat": issued,
        });
        if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            claims.extend(extra.clone());
        }
        claims
    };
    Some(match name {
        "semaphore-main" => semaphore("branch", "refs/heads/main", json!({})),
        "semaphore-pr" => semaphore(
            "pull-request",
            "refs/pull/42/merge",
            json!({"pr": "42", "pr_branch": "feature/login"}),
        ),
        "semaphore-tag" => semaphore(
            "tag",
            "refs/tags/v1.4.0",
            json!({"tag": "v1.4.0", "branch": "refs/tags/v1.4.0"}),
        ),
        "semaphore-expired" => semaphore(
            "branch",
            "refs/heads/main",
            json!({"iat": now - 3 * 3600 - 86_400, "nbf": now - 3 * 3600 - 86_400, "exp": now - 3 * 3600}),
        ),
        "semaphore-tagged" => semaphore(
            "branch",
            "refs/heads/main",
            json!({"https://aws.amazon.com/tags": {
                "principal_tags": {
                    "prj_id": [SEMAPHORE_PROJECT_ID], "repo": ["web"], "branch": ["main"],
                    "ref_type": ["branch"], "job_type": ["pipeline_job"], "pr_branch": [""],
                    "repo_slug": ["acme/web"], "trg": ["h:f-i:f"]
                },
                "transitive_tag_keys": ["prj_id", "repo", "branch", "ref_type", "job_type", "pr_branch", "repo_slug", "trg"]
            }}),
        ),
        "github-main" => github("repo:octo-org/octo-repo:ref:refs/heads/main", json!({})),
        "github-pr" => github(
            "repo:octo-org/octo-repo:pull_request",
            json!({"ref": "refs/pull/7/merge", "event_name": "pull_request", "head_ref": "feature", "base_ref": "main"}),
        ),
        "github-prod" => github(
            "repo:octo-org/octo-repo:environment:prod",
            json!({"environment": "prod"}),
        ),
        "gitlab-main" => json!({
            "namespace_id": "72", "namespace_path": "acme/platform",
            "project_id": "20", "project_path": "acme/platform/api",
            "user_id": "1", "user_login": "sample-user", "user_email": "sample-user@example.com",
            "user_access_level": "maintainer",
            "pipeline_id": "574", "pipeline_source": "push", "job_id": "302",
            "ref": "main", "ref_type": "branch", "ref_path": "refs/heads/main", "ref_protected": "true",
            "runner_environment": "gitlab-hosted",
            "jti": "235b3a54-b797-45c7-ae9a-f72d7bc6ef5b",
            "iss": "https://gitlab.com",
            "iat": issued, "nbf": issued - 5, "exp": issued + 3600,
            "sub": "project_path:acme/platform/api:ref_type:branch:ref:main",
            "aud": "https://gitlab.com",
        }),
        "circleci-main" => json!({
            "iss": format!("https://oidc.circleci.com/org/{CIRCLECI_ORG}"),
            "aud": CIRCLECI_ORG,
            "sub": format!("org/{CIRCLECI_ORG}/project/{CIRCLECI_PROJECT}/user/0f3c9a7e-2b1d-4c6e-8a5f-7d9e1b3c5a24"),
            "iat": issued,
            "exp": issued + 3600,
            "oidc.circleci.com/project-id": CIRCLECI_PROJECT,
            "oidc.circleci.com/vcs-origin": "github.com/acme/web",
            "oidc.circleci.com/vcs-ref": "refs/heads/main",
            "oidc.circleci.com/context-ids": ["a1b2c3d4-e5f6-7890-abcd-ef1234567890"],
            "oidc.circleci.com/ssh-rerun": false,
        }),
        "eks-app" => json!({
            "aud": ["sts.amazonaws.com"],
            "exp": issued + 86_400, "iat": issued, "nbf": issued,
            "iss": "https://oidc.eks.eu-west-1.amazonaws.com/id/DEMO5B2C6A1F4E3D9C8B7A6F5E4D3C2B",
            "kubernetes.io": {
                "namespace": "payments",
                "pod": {"name": "api-7d9f8b6c5-x2x9q", "uid": "900f80ed-bafe-49f0-9ae2-c5f0a3ac2cbe"},
                "serviceaccount": {"name": "api", "uid": "a709ef71-30e2-489a-bd19-ade97031b9db"}
            },
            "sub": "system:serviceaccount:payments:api",
        }),
        _ => return None,
    })
}

/// Mints the demo token `name` at `now`, signed with the demo key.
pub fn token(name: &str, now: i64) -> Result<TokenText, DemoError> {
    let demo = TOKENS
        .iter()
        .find(|token| token.name == name)
        .ok_or_else(|| DemoError(format!("no demo token named {name}")))?;
    let claims = claims(name, now).ok_or_else(|| DemoError(format!("no claims for {name}")))?;
    let text = sign(&claims)?;
    Ok(TokenText::new(
        Origin::Demo(demo.description.to_owned()),
        text.into_bytes(),
    ))
}

/// The default demo token: Semaphore, push to main.
pub fn semaphore_token(now: i64) -> Result<TokenText, DemoError> {
    token(TOKENS[0].name, now)
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
    use crate::token::FindingCode;

    #[test]
    fn every_demo_token_mints_and_decodes() {
        let now = 1_790_000_000;
        for demo in TOKENS {
            let token = token(demo.name, now)
                .and_then(|text| text.decode().map_err(|e| DemoError(e.to_string())));
            let findings = token
                .map(|t| t.findings(now).iter().map(|f| f.code).collect::<Vec<_>>())
                .map_err(|e| e.to_string());
            let expected = match demo.name {
                "semaphore-expired" => vec![FindingCode::Expired],
                "semaphore-tagged" => vec![FindingCode::SessionTags],
                _ => vec![],
            };
            assert_eq!(findings, Ok(expected), "{}", demo.name);
        }
    }

    #[test]
    fn the_embedded_jwks_verifies_the_demo_tokens() {
        let jwks: jsonwebtoken::jwk::JwkSet = match serde_json::from_str(JWKS) {
            Ok(jwks) => jwks,
            Err(error) => unreachable!("assets/demo/jwks.json: {error}"),
        };
        let jwk = jwks.find(KEY_ID);
        let key = jwk.map(jsonwebtoken::DecodingKey::from_jwk);
        let Some(Ok(key)) = key else {
            unreachable!("the demo key must be in the JWKS")
        };
        let token = token("semaphore-main", 1_790_000_000)
            .map(|t| String::from_utf8_lossy(t.text.expose()).into_owned());
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.set_audience(&[SEMAPHORE_ISSUER]);
        let verified = token.map(|t| jsonwebtoken::decode::<Value>(&t, &key, &validation).is_ok());
        assert!(
            verified.is_ok_and(|ok| ok),
            "the demo token must verify against the embedded JWKS"
        );
    }

    #[test]
    fn the_demo_account_loads() {
        let account = account().map_err(|e| e.to_string());
        assert!(
            account
                .as_ref()
                .is_ok_and(|a| a.roles.len() >= 40 && a.providers.len() >= 6),
            "{account:?}"
        );
    }
}
