//! CI platforms: which one issued a token (from its `iss`), and the named parts of its `sub`
//! (ci-providers.md §0 and each platform's section); the scopes a trust policy can be generated
//! at and the sibling jobs a blast radius tries ([`scopes`]).

mod onboarding;
mod scopes;

pub use onboarding::{Input, ONBOARDING, Onboarding, by_name, fill};
pub use scopes::{
    Pick, SCOPED_PLATFORMS, SUBJECT, Scope, Sibling, meets, scope_names, scopes, siblings,
    subject_fields,
};

/// A platform that issues OIDC tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Semaphore CI (`https://<org>.semaphoreci.com`).
    Semaphore,
    /// GitHub Actions (github.com, GHE.com, GHES).
    GitHubActions,
    /// GitLab.com.
    GitLab,
    /// CircleCI (`https://oidc.circleci.com/org/<id>`).
    CircleCi,
    /// Bitbucket Pipelines.
    Bitbucket,
    /// Buildkite.
    Buildkite,
    /// HCP Terraform.
    HcpTerraform,
    /// Amazon EKS service accounts.
    Eks,
    /// Spacelift.
    Spacelift,
    /// Google.
    Google,
}

impl Platform {
    /// The platform's name.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Semaphore => "Semaphore",
            Platform::GitHubActions => "GitHub Actions",
            Platform::GitLab => "GitLab",
            Platform::CircleCi => "CircleCI",
            Platform::Bitbucket => "Bitbucket Pipelines",
            Platform::Buildkite => "Buildkite",
            Platform::HcpTerraform => "HCP Terraform",
            Platform::Eks => "Amazon EKS",
            Platform::Spacelift => "Spacelift",
            Platform::Google => "Google",
        }
    }
}

/// The platform an issuer URL belongs to, when it is a known one.
pub fn detect(issuer: &str) -> Option<Platform> {
    let url = issuer
        .strip_prefix("https://")
        .unwrap_or(issuer)
        .to_ascii_lowercase();
    let host = url.split('/').next().unwrap_or_default();
    let platform = if host.ends_with(".semaphoreci.com") {
        Platform::Semaphore
    } else if host == "token.actions.githubusercontent.com"
        || (host.starts_with("token.actions.") && host.ends_with(".ghe.com"))
        || url.contains("/_services/token")
    {
        Platform::GitHubActions
    } else if host == "gitlab.com" {
        Platform::GitLab
    } else if url.starts_with("oidc.circleci.com/org/") {
        Platform::CircleCi
    } else if url.starts_with("api.bitbucket.org/2.0/workspaces/") {
        Platform::Bitbucket
    } else if host == "agent.buildkite.com" {
        Platform::Buildkite
    } else if host == "app.terraform.io" {
        Platform::HcpTerraform
    } else if host.starts_with("oidc.eks.") && host.ends_with(".amazonaws.com") {
        Platform::Eks
    } else if host.ends_with(".app.spacelift.io") {
        Platform::Spacelift
    } else if host == "accounts.google.com" {
        Platform::Google
    } else {
        return None;
    };
    Some(platform)
}

/// The named parts of a `sub` in the platform's default format; empty when it does not fit
/// (a customised subject, say).
pub fn subject_parts(platform: Platform, sub: &str) -> Vec<(String, String)> {
    match platform {
        Platform::Semaphore => keyed(sub, &["org", "project", "repo", "ref_type", "ref"]),
        Platform::GitLab => keyed(sub, &["project_path", "ref_type", "ref"]),
        Platform::HcpTerraform => {
            keyed(sub, &["organization", "project", "workspace", "run_phase"])
        }
        Platform::Buildkite => keyed(sub, &["organization", "pipeline", "ref", "commit", "step"]),
        Platform::GitHubActions => github(sub),
        Platform::Eks => match sub
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            Some((namespace, account)) => {
                vec![
                    ("namespace".to_owned(), namespace.to_owned()),
                    ("service account".to_owned(), account.to_owned()),
                ]
            }
            None => Vec::new(),
        },
        Platform::CircleCi => {
            let parts: Vec<&str> = sub.split('/').collect();
            parts
                .chunks(2)
                .filter_map(|pair| match pair {
                    [key, value] => Some(((*key).to_owned(), (*value).to_owned())),
                    _ => None,
                })
                .take(3)
                .collect()
        }
        Platform::Bitbucket => match sub.split_once(':') {
            Some((repository, step)) => {
                vec![
                    ("repository".to_owned(), repository.to_owned()),
                    ("step".to_owned(), step.to_owned()),
                ]
            }
            None => Vec::new(),
        },
        Platform::Spacelift | Platform::Google => Vec::new(),
    }
}

/// `k1:v1:k2:v2…` with exactly the keys `keys`, in order; the last value keeps any colons.
fn keyed(sub: &str, keys: &[&str]) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut rest = sub;
    for (position, key) in keys.iter().enumerate() {
        let Some(after) = rest.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
            return Vec::new();
        };
        let value = match keys.get(position + 1) {
            Some(next) => match after.find(&format!(":{next}:")) {
                Some(end) => {
                    rest = &after[end + 1..];
                    &after[..end]
                }
                None => return Vec::new(),
            },
            None => after,
        };
        parts.push(((*key).to_owned(), value.to_owned()));
    }
    parts
}

/// `repo:owner/repo:ref:…`, `…:environment:…` or `…:pull_request`.
fn github(sub: &str) -> Vec<(String, String)> {
    let Some(rest) = sub.strip_prefix("repo:") else {
        return Vec::new();
    };
    let Some((repository, context)) = rest.split_once(':') else {
        return Vec::new();
    };
    let mut parts = vec![("repo".to_owned(), repository.to_owned())];
    match context.split_once(':') {
        Some((kind @ ("ref" | "environment"), value)) => {
            parts.push((kind.to_owned(), value.to_owned()))
        }
        None if context == "pull_request" => {
            parts.push(("event".to_owned(), "pull_request".to_owned()))
        }
        _ => return Vec::new(),
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(platform: Platform, sub: &str) -> Vec<String> {
        subject_parts(platform, sub)
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect()
    }

    #[test]
    fn detects_platforms_from_the_issuer() {
        assert_eq!(
            detect("https://acme.semaphoreci.com"),
            Some(Platform::Semaphore)
        );
        assert_eq!(
            detect("https://token.actions.githubusercontent.com/acme"),
            Some(Platform::GitHubActions)
        );
        assert_eq!(
            detect("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
            Some(Platform::Eks)
        );
        assert_eq!(
            detect("https://oidc.circleci.com/org/123"),
            Some(Platform::CircleCi)
        );
        assert_eq!(detect("https://idp.example.com"), None);
    }

    #[test]
    fn splits_default_subjects_into_named_parts() {
        assert_eq!(
            parts(
                Platform::Semaphore,
                "org:acme:project:936a:repo:web:ref_type:pull-request:ref:refs/pull/42/merge"
            ),
            [
                "org=acme",
                "project=936a",
                "repo=web",
                "ref_type=pull-request",
                "ref=refs/pull/42/merge"
            ]
        );
        assert_eq!(
            parts(
                Platform::Semaphore,
                "org:acme:project:936a:repo:web:ref_type::ref:"
            ),
            ["org=acme", "project=936a", "repo=web", "ref_type=", "ref="]
        );
        assert_eq!(
            parts(Platform::GitHubActions, "repo:o/r:environment:prod"),
            ["repo=o/r", "environment=prod"]
        );
        assert_eq!(
            parts(Platform::GitHubActions, "repo:o/r:pull_request"),
            ["repo=o/r", "event=pull_request"]
        );
        assert_eq!(
            parts(Platform::Eks, "system:serviceaccount:payments:api"),
            ["namespace=payments", "service account=api"]
        );
        assert_eq!(
            parts(Platform::CircleCi, "org/1/project/2/user/3/vcs-origin/x"),
            ["org=1", "project=2", "user=3"]
        );
        assert!(
            subject_parts(Platform::GitHubActions, "repository_owner:octo").is_empty(),
            "a custom template"
        );
        assert!(subject_parts(Platform::Semaphore, "org:acme").is_empty());
    }
}
