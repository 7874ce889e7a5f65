//! Which token claims AWS turns into condition keys, per issuer (aws-web-identity.md §4).

/// How sure the reference is that AWS exposes a provider's extra claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// Named in AWS's announcement and the Service Authorization Reference.
    Documented,
    /// Listed in a later copy of the reference, not in the announcement.
    Uncertain,
}

/// The claims an issuer's tokens expose as `<provider>:<claim>` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedClaims {
    /// Claim names beyond the generic `aud`, `sub`, `amr`.
    pub extra: &'static [&'static str],
    /// How sure we are of `extra`.
    pub certainty: Certainty,
    /// The platform, for messages (`GitHub`, …), when the issuer has extra claims.
    pub platform: Option<&'static str>,
}

/// Claims every IAM OIDC provider exposes (`aud` holds the accepted audience).
pub const GENERIC_CLAIMS: [&str; 3] = ["aud", "sub", "amr"];

const GITHUB: [&str; 10] = [
    "actor",
    "actor_id",
    "enterprise_id",
    "environment",
    "job_workflow_ref",
    "ref",
    "repository",
    "repository_id",
    "repository_owner_id",
    "workflow",
];
const GITLAB: [&str; 9] = [
    "namespace_id",
    "pipeline_source",
    "project_id",
    "ref_protected",
    "runner_environment",
    "user_access_level",
    "user_email",
    "user_id",
    "user_login",
];
const BUILDKITE: [&str; 7] = [
    "build_branch",
    "cluster_id",
    "cluster_name",
    "organization_id",
    "organization_slug",
    "pipeline_id",
    "pipeline_slug",
];
const CIRCLECI: [&str; 1] = ["oidc.circleci.com/project-id"];
const OCI: [&str; 1] = ["rpst_id"];
const GOOGLE: [&str; 2] = ["oaud", "google/organization_number"];

/// The extra claims exposed for a provider URL (host and path, no scheme).
pub fn exposed_claims(provider_url: &str) -> ExposedClaims {
    let url = provider_url.to_ascii_lowercase();
    let (host, _) = url.split_once('/').unwrap_or((&url, ""));
    let documented = |extra, platform| ExposedClaims {
        extra,
        certainty: Certainty::Documented,
        platform: Some(platform),
    };
    let uncertain = |extra, platform| ExposedClaims {
        extra,
        certainty: Certainty::Uncertain,
        platform: Some(platform),
    };
    if host == "token.actions.githubusercontent.com"
        || (host.starts_with("token.actions.") && host.ends_with(".ghe.com"))
        || url.starts_with("github.com/enterprises/")
    {
        documented(&GITHUB, "GitHub Actions")
    } else if url == "gitlab.com" {
        uncertain(&GITLAB, "GitLab.com")
    } else if host == "agent.buildkite.com"
        || (host.starts_with("agent.")
            && (host.ends_with(".buildkite.dev") || host.ends_with(".buildkite.site")))
    {
        uncertain(&BUILDKITE, "Buildkite")
    } else if url.starts_with("oidc.circleci.com/org/") {
        documented(&CIRCLECI, "CircleCI")
    } else if host.starts_with("idcs-") && host.ends_with(".identity.oraclecloud.com") {
        documented(&OCI, "Oracle Cloud Infrastructure")
    } else if url == "accounts.google.com" {
        documented(&GOOGLE, "Google")
    } else {
        ExposedClaims {
            extra: &[],
            certainty: Certainty::Documented,
            platform: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_2026_provider_specific_keys() {
        assert!(
            exposed_claims("token.actions.githubusercontent.com")
                .extra
                .contains(&"repository_id")
        );
        assert!(
            exposed_claims("token.actions.githubusercontent.com/octo-enterprise")
                .extra
                .contains(&"ref")
        );
        assert!(
            exposed_claims("token.actions.acme.ghe.com")
                .extra
                .contains(&"environment")
        );
        assert!(
            !exposed_claims("token.actions.githubusercontent.com")
                .extra
                .contains(&"repository_owner")
        );
        assert_eq!(exposed_claims("gitlab.com").certainty, Certainty::Uncertain);
        assert!(exposed_claims("gitlab.example.com").extra.is_empty());
        assert!(exposed_claims("acme.semaphoreci.com").extra.is_empty());
        assert_eq!(
            exposed_claims("oidc.circleci.com/org/1234").extra,
            &["oidc.circleci.com/project-id"]
        );
        assert!(
            exposed_claims("agent.acme.buildkite.dev")
                .extra
                .contains(&"pipeline_slug")
        );
    }
}
