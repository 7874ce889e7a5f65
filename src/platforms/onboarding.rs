//! What `trustlens setup` needs to know of each platform, as data: the name `--platform` takes,
//! what `--org`, `--project` and `--repo` mean there, the issuer URL and audience to register
//! (ci-providers.md §0 and each platform's "AWS recommendation"), the claims of a typical job
//! (the `sub` layout of [`super::subject_parts`]), and the pipeline snippet that assumes the role.
//!
//! Templates name the inputs in braces: `{org}`, `{project}`, `{repo}`, `{branch}`, and in
//! snippets also `{role_arn}`, `{audience}` and `{region}`.

use super::Platform;

/// One input a platform needs, and what it means there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The flag without dashes: `org`, `project` or `repo`.
    pub flag: &'static str,
    /// What the value is on this platform, in its words.
    pub meaning: &'static str,
}

/// The onboarding facts of one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Onboarding {
    /// The platform.
    pub platform: Platform,
    /// The name `--platform` takes.
    pub name: &'static str,
    /// The inputs it needs, in order.
    pub inputs: &'static [Input],
    /// The issuer URL (`iss`); `None`: only `--issuer` can say (one per cluster).
    pub issuer: Option<&'static str>,
    /// The audience to register (`aud`); `None`: only `--audience` can say.
    pub audience: Option<&'static str>,
    /// Where `--audience` is found when it must be given.
    pub audience_hint: &'static str,
    /// One issuer for every tenant: IAM requires `sub` to be tested (lint-cloudtrail-generation.md §1.2).
    pub shared_issuer: bool,
    /// The claims of a typical job besides `iss` and `aud`: `(claim, template)`; `sub` first.
    pub claims: &'static [(&'static str, &'static str)],
    /// The pipeline configuration that assumes the role, as the platform documents it.
    pub snippet: &'static str,
    /// The same with `trustlens assume`, where a shell step can run it.
    pub trustlens_snippet: Option<&'static str>,
}

const SEMAPHORE_SNIPPET: &str = r#"# .semaphore/semaphore.yml, in the job's commands (every job has SEMAPHORE_OIDC_TOKEN)
export ROLE_ARN="{role_arn}"
export SESSION_NAME="semaphore-job-${SEMAPHORE_JOB_ID}"
export CREDENTIALS=$(aws sts assume-role-with-web-identity --role-arn $ROLE_ARN --role-session-name $SESSION_NAME --web-identity-token $SEMAPHORE_OIDC_TOKEN)
export AWS_ACCESS_KEY_ID=$(echo $CREDENTIALS | jq -r '.Credentials.AccessKeyId')
export AWS_SESSION_TOKEN=$(echo $CREDENTIALS | jq -r '.Credentials.SessionToken')
export AWS_SECRET_ACCESS_KEY=$(echo $CREDENTIALS | jq -r '.Credentials.SecretAccessKey')
"#;

const GITHUB_SNIPPET: &str = r#"# .github/workflows/deploy.yml
permissions:
  id-token: write # lets the job request its OIDC token
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {role_arn}
          aws-region: {region}
      - run: aws sts get-caller-identity
"#;

const GITLAB_SNIPPET: &str = r#"# .gitlab-ci.yml
deploy:
  id_tokens:
    GITLAB_OIDC_TOKEN:
      aud: {audience}
  script:
    - >
      export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      $(aws sts assume-role-with-web-identity --role-arn {role_arn}
      --role-session-name "GitLabRunner-${CI_PROJECT_ID}-${CI_PIPELINE_ID}"
      --web-identity-token "$GITLAB_OIDC_TOKEN" --duration-seconds 3600
      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text))
    - aws sts get-caller-identity
"#;

const CIRCLECI_SNIPPET: &str = r#"# .circleci/config.yml (jobs get CIRCLE_OIDC_TOKEN and CIRCLE_OIDC_TOKEN_V2)
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@5
jobs:
  deploy:
    docker:
      - image: cimg/base:stable
    steps:
      - aws-cli/setup:
          role_arn: {role_arn}
          region: {region}
      - run: aws sts get-caller-identity
"#;

const BITBUCKET_SNIPPET: &str = r#"# bitbucket-pipelines.yml (oidc: true puts the token in BITBUCKET_STEP_OIDC_TOKEN)
pipelines:
  branches:
    main:
      - step:
          oidc: true
          script:
            - export AWS_ROLE_ARN={role_arn}
            - export AWS_WEB_IDENTITY_TOKEN_FILE=$(pwd)/web-identity-token
            - echo "$BITBUCKET_STEP_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"
            - aws sts get-caller-identity
"#;

const BUILDKITE_SNIPPET: &str = r#"# .buildkite/pipeline.yml
steps:
  - label: deploy
    command: aws sts get-caller-identity
    plugins:
      - aws-assume-role-with-web-identity#v1.2.0:
          role-arn: {role_arn}
"#;

const HCP_TERRAFORM_SNIPPET: &str = r#"# HCP Terraform → workspace {repo} → Variables, category "Environment variable"
TFC_AWS_PROVIDER_AUTH = true
TFC_AWS_RUN_ROLE_ARN  = {role_arn}
# (the run's audience is aws.workload.identity unless TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE says otherwise)
"#;

const EKS_SNIPPET: &str = r#"# kubectl apply -f: pods running as this service account get AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE
apiVersion: v1
kind: ServiceAccount
metadata:
  name: "{repo}"
  namespace: "{project}"
  annotations:
    eks.amazonaws.com/role-arn: "{role_arn}"
"#;

const SPACELIFT_SNIPPET: &str = r#"# Stack → Settings → Hooks, before init (Spacelift writes the token to /mnt/workspace/spacelift.oidc)
export AWS_ROLE_ARN={role_arn}
export AWS_WEB_IDENTITY_TOKEN_FILE=/mnt/workspace/spacelift.oidc
"#;

const GOOGLE_SNIPPET: &str = r#"# On a Google Cloud workload running as the service account
TOKEN=$(curl -s -H "Metadata-Flavor: Google" "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity?audience={audience}")
aws sts assume-role-with-web-identity --role-arn {role_arn} --role-session-name gcp-workload --web-identity-token "$TOKEN"
"#;

const ASSUME_FROM_CI_VARIABLE: &str = r#"# with trustlens in the job: it reads the CI's variable and explains a refusal
eval "$(trustlens assume --role {role_arn})"
"#;

const GITHUB_TRUSTLENS: &str = r#"# with trustlens in a step (the job needs permissions: id-token: write)
export GITHUB_OIDC_TOKEN=$(curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience={audience}" | jq -r .value)
eval "$(trustlens assume --role {role_arn} --token env:GITHUB_OIDC_TOKEN)"
"#;

const GITLAB_TRUSTLENS: &str = r#"# with trustlens in the job's script (the id_tokens: entry above)
eval "$(trustlens assume --role {role_arn} --token env:GITLAB_OIDC_TOKEN)"
"#;

const BUILDKITE_TRUSTLENS: &str = r#"# with trustlens in the step's command
export BUILDKITE_OIDC_TOKEN=$(buildkite-agent oidc request-token --audience {audience})
eval "$(trustlens assume --role {role_arn} --token env:BUILDKITE_OIDC_TOKEN)"
"#;

const ORG: &str = "org";
const PROJECT: &str = "project";
const REPO: &str = "repo";

/// Every platform's onboarding facts, in the order `--platform` lists them.
pub const ONBOARDING: &[Onboarding] = &[
    Onboarding {
        platform: Platform::Semaphore,
        name: "semaphore",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the organisation's name (its <org>.semaphoreci.com sub-domain)",
            },
            Input {
                flag: PROJECT,
                meaning: "the project's ID, a UUID (`sem get project NAME`; the sub has the ID, not the name)",
            },
            Input {
                flag: REPO,
                meaning: "the repository's name, without its owner",
            },
        ],
        issuer: Some("https://{org}.semaphoreci.com"),
        audience: Some("https://{org}.semaphoreci.com"),
        audience_hint: "",
        shared_issuer: false,
        claims: &[
            (
                "sub",
                "org:{org}:project:{project}:repo:{repo}:ref_type:branch:ref:refs/heads/{branch}",
            ),
            ("org", "{org}"),
            ("prj_id", "{project}"),
            ("repo", "{repo}"),
            ("branch", "{branch}"),
            ("ref", "refs/heads/{branch}"),
            ("ref_type", "branch"),
        ],
        snippet: SEMAPHORE_SNIPPET,
        trustlens_snippet: Some(ASSUME_FROM_CI_VARIABLE),
    },
    Onboarding {
        platform: Platform::GitHubActions,
        name: "github",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the repository's owner (user or organisation)",
            },
            Input {
                flag: PROJECT,
                meaning: "the repository's name",
            },
        ],
        issuer: Some("https://token.actions.githubusercontent.com"),
        audience: Some("sts.amazonaws.com"),
        audience_hint: "",
        shared_issuer: true,
        claims: &[
            ("sub", "repo:{org}/{project}:ref:refs/heads/{branch}"),
            ("repository", "{org}/{project}"),
            ("repository_owner", "{org}"),
            ("ref", "refs/heads/{branch}"),
            ("ref_type", "branch"),
        ],
        snippet: GITHUB_SNIPPET,
        trustlens_snippet: Some(GITHUB_TRUSTLENS),
    },
    Onboarding {
        platform: Platform::GitLab,
        name: "gitlab",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the group, with its subgroups (group/subgroup)",
            },
            Input {
                flag: PROJECT,
                meaning: "the project's path name",
            },
        ],
        issuer: Some("https://gitlab.com"),
        audience: Some("https://gitlab.com"),
        audience_hint: "",
        shared_issuer: true,
        claims: &[
            (
                "sub",
                "project_path:{org}/{project}:ref_type:branch:ref:{branch}",
            ),
            ("project_path", "{org}/{project}"),
            ("namespace_path", "{org}"),
            ("ref", "{branch}"),
            ("ref_type", "branch"),
        ],
        snippet: GITLAB_SNIPPET,
        trustlens_snippet: Some(GITLAB_TRUSTLENS),
    },
    Onboarding {
        platform: Platform::CircleCi,
        name: "circleci",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the organisation's ID, a UUID (Organization Settings → Overview)",
            },
            Input {
                flag: PROJECT,
                meaning: "the project's ID, a UUID (Project Settings → Overview)",
            },
        ],
        issuer: Some("https://oidc.circleci.com/org/{org}"),
        audience: Some("{org}"),
        audience_hint: "",
        shared_issuer: false,
        claims: &[(
            "sub",
            "org/{org}/project/{project}/user/00000000-0000-0000-0000-000000000000",
        )],
        snippet: CIRCLECI_SNIPPET,
        trustlens_snippet: Some(ASSUME_FROM_CI_VARIABLE),
    },
    Onboarding {
        platform: Platform::Bitbucket,
        name: "bitbucket",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the workspace's slug",
            },
            Input {
                flag: PROJECT,
                meaning: "the repository's UUID with its braces ({…}; Repository settings → OpenID Connect)",
            },
        ],
        issuer: Some(
            "https://api.bitbucket.org/2.0/workspaces/{org}/pipelines-config/identity/oidc",
        ),
        audience: None,
        audience_hint: "the audience Repository settings → Pipelines → OpenID Connect shows (ari:cloud:bitbucket::workspace/…)",
        shared_issuer: false,
        claims: &[("sub", "{project}:{00000000-0000-0000-0000-000000000000}")],
        snippet: BITBUCKET_SNIPPET,
        trustlens_snippet: Some(ASSUME_FROM_CI_VARIABLE),
    },
    Onboarding {
        platform: Platform::Buildkite,
        name: "buildkite",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the organisation's slug",
            },
            Input {
                flag: PROJECT,
                meaning: "the pipeline's slug",
            },
        ],
        issuer: Some("https://agent.buildkite.com"),
        audience: Some("sts.amazonaws.com"),
        audience_hint: "",
        shared_issuer: true,
        claims: &[(
            "sub",
            "organization:{org}:pipeline:{project}:ref:refs/heads/{branch}:commit:0000000000000000000000000000000000000000:step:",
        )],
        snippet: BUILDKITE_SNIPPET,
        trustlens_snippet: Some(BUILDKITE_TRUSTLENS),
    },
    Onboarding {
        platform: Platform::HcpTerraform,
        name: "hcp-terraform",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the organisation's name",
            },
            Input {
                flag: PROJECT,
                meaning: "the project's name (Default Project unless you made one)",
            },
            Input {
                flag: REPO,
                meaning: "the workspace's name",
            },
        ],
        issuer: Some("https://app.terraform.io"),
        audience: Some("aws.workload.identity"),
        audience_hint: "",
        shared_issuer: true,
        claims: &[
            (
                "sub",
                "organization:{org}:project:{project}:workspace:{repo}:run_phase:apply",
            ),
            ("terraform_run_phase", "apply"),
        ],
        snippet: HCP_TERRAFORM_SNIPPET,
        trustlens_snippet: None,
    },
    Onboarding {
        platform: Platform::Eks,
        name: "eks",
        inputs: &[
            Input {
                flag: PROJECT,
                meaning: "the service account's namespace",
            },
            Input {
                flag: REPO,
                meaning: "the service account's name",
            },
        ],
        issuer: None,
        audience: Some("sts.amazonaws.com"),
        audience_hint: "",
        shared_issuer: false,
        claims: &[("sub", "system:serviceaccount:{project}:{repo}")],
        snippet: EKS_SNIPPET,
        trustlens_snippet: None,
    },
    Onboarding {
        platform: Platform::Spacelift,
        name: "spacelift",
        inputs: &[
            Input {
                flag: ORG,
                meaning: "the Spacelift account's name (<account>.app.spacelift.io)",
            },
            Input {
                flag: PROJECT,
                meaning: "the space's ID",
            },
            Input {
                flag: REPO,
                meaning: "the stack's ID",
            },
        ],
        issuer: Some("https://{org}.app.spacelift.io"),
        audience: Some("{org}.app.spacelift.io"),
        audience_hint: "",
        shared_issuer: false,
        claims: &[(
            "sub",
            "space:{project}:stack:{repo}:run_type:TRACKED:scope:write",
        )],
        snippet: SPACELIFT_SNIPPET,
        trustlens_snippet: Some(ASSUME_FROM_CI_VARIABLE),
    },
    Onboarding {
        platform: Platform::Google,
        name: "google",
        inputs: &[Input {
            flag: PROJECT,
            meaning: "the service account's unique ID (21 digits; its azp and sub)",
        }],
        issuer: Some("https://accounts.google.com"),
        audience: Some("sts.amazonaws.com"),
        audience_hint: "",
        shared_issuer: false,
        claims: &[("sub", "{project}"), ("azp", "{project}")],
        snippet: GOOGLE_SNIPPET,
        trustlens_snippet: None,
    },
];

/// The platform `--platform NAME` names (also its display name, any case).
pub fn by_name(name: &str) -> Option<&'static Onboarding> {
    ONBOARDING.iter().find(|entry| {
        entry.name.eq_ignore_ascii_case(name) || entry.platform.name().eq_ignore_ascii_case(name)
    })
}

/// `template` with each `{name}` of `values` replaced; other braces stay as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::{detect, subject_parts};

    #[test]
    fn every_platform_has_onboarding_facts_once() {
        let all = [
            Platform::Semaphore,
            Platform::GitHubActions,
            Platform::GitLab,
            Platform::CircleCi,
            Platform::Bitbucket,
            Platform::Buildkite,
            Platform::HcpTerraform,
            Platform::Eks,
            Platform::Spacelift,
            Platform::Google,
        ];
        for platform in all {
            let count = ONBOARDING.iter().filter(|e| e.platform == platform).count();
            assert_eq!(count, 1, "{platform:?}");
        }
    }

    #[test]
    fn the_issuer_forms_are_detected_as_their_platform() {
        let values = [
            ("org", "acme"),
            ("project", "p"),
            ("repo", "r"),
            ("branch", "main"),
        ];
        for entry in ONBOARDING {
            if let Some(issuer) = entry.issuer {
                assert_eq!(
                    detect(&fill(issuer, &values)),
                    Some(entry.platform),
                    "{}",
                    entry.name
                );
            }
        }
    }

    #[test]
    fn the_typical_subjects_split_into_the_platforms_fields() {
        let values = [
            ("org", "acme"),
            ("project", "936a5312-a3b8-4921-8b3f-2cec8baac574"),
            ("repo", "web"),
            ("branch", "main"),
        ];
        for entry in ONBOARDING {
            let Some((_, sub)) = entry.claims.first() else {
                panic!("{} has no sub", entry.name);
            };
            let sub = fill(sub, &values);
            let split = !subject_parts(entry.platform, &sub).is_empty();
            let unstructured = matches!(entry.platform, Platform::Spacelift | Platform::Google);
            assert!(split || unstructured, "{}: {sub}", entry.name);
        }
    }

    #[test]
    fn names_are_found_in_any_case() {
        assert_eq!(
            by_name("GitHub Actions").map(|e| e.platform),
            Some(Platform::GitHubActions)
        );
        assert_eq!(
            by_name("semaphore").map(|e| e.platform),
            Some(Platform::Semaphore)
        );
        assert!(by_name("jenkins").is_none());
    }
}
