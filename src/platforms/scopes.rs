//! What a generated trust policy may admit, per platform, as data: the scopes its `sub` format
//! allows (ci-providers.md, each platform's `sub` section) and the sibling jobs a blast radius
//! tries (other branches, pull requests, tags, repositories…).
//!
//! Templates name the fields of [`subject_fields`] in braces (`{repo}`), `{sub}` for the whole
//! subject and `{pattern}` for the user's pattern (the token's own tag, else `*`). A `*` written
//! in a template is a wildcard; text put in from fields never is; `{{` and `}}` are braces.

use super::{Platform, subject_parts};

/// Whether a scope may be chosen when none is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The tightest admitting scope of this kind is the default.
    Default,
    /// Only when named with `--scope` (wider, or admitting untrusted code).
    Explicit,
}

/// One scope a trust policy can be generated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The name `--scope` takes, in the platform's words (`branch`).
    pub name: &'static str,
    /// What it admits, in a few words.
    pub about: &'static str,
    /// The `sub` template.
    pub subject: &'static str,
    /// Fields the token must have for the scope to apply: `(field, value)`, where the value may
    /// list alternatives with `|`, end in `*` for a prefix, or start with `!` to exclude.
    pub requires: &'static [(&'static str, &'static str)],
    /// Extra `StringEquals` conditions on provider keys: `(claim, template)`.
    pub extra: &'static [(&'static str, &'static str)],
    /// Whether it may be the default.
    pub pick: Pick,
    /// A warning shown with the policy.
    pub caution: Option<&'static str>,
}

/// One sibling job identity for the blast radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sibling {
    /// Who it is, in a few words.
    pub label: &'static str,
    /// Its `sub` template.
    pub subject: &'static str,
    /// Claims set (`Some(template)`) or removed (`None`) besides `sub`.
    pub claims: &'static [(&'static str, Option<&'static str>)],
    /// Fields the token must have for the sibling to make sense (as [`Scope::requires`]).
    pub requires: &'static [(&'static str, &'static str)],
}

const PR_CAUTION: &str = "pull-request jobs run code nobody has reviewed yet: give this role only what an untrusted change may use";
const WIDE_CAUTION: &str =
    "this admits every job of the scope; prefer a branch, tag or environment where you can";

const fn scope(
    name: &'static str,
    about: &'static str,
    subject: &'static str,
    requires: &'static [(&'static str, &'static str)],
) -> Scope {
    Scope {
        name,
        about,
        subject,
        requires,
        extra: &[],
        pick: Pick::Default,
        caution: None,
    }
}

const fn wide(
    name: &'static str,
    about: &'static str,
    subject: &'static str,
    caution: &'static str,
) -> Scope {
    Scope {
        name,
        about,
        subject,
        requires: &[],
        extra: &[],
        pick: Pick::Explicit,
        caution: Some(caution),
    }
}

const SEMAPHORE: &[Scope] = &[
    scope(
        "ref",
        "this exact ref: this branch, or this tag",
        "{sub}",
        &[("ref_type", "branch|tag")],
    ),
    scope(
        "branch",
        "jobs on this branch (a pull request's target branch)",
        "org:{org}:project:{project}:repo:{repo}:ref_type:branch:ref:refs/heads/{claim.branch}",
        &[("ref_type", "branch|pull-request")],
    ),
    scope(
        "any-branch",
        "every branch of the project (no tags, no pull requests)",
        "org:{org}:project:{project}:repo:{repo}:ref_type:branch:ref:*",
        &[],
    ),
    scope(
        "tag",
        "tags of the project (--pattern narrows them)",
        "org:{org}:project:{project}:repo:{repo}:ref_type:tag:ref:refs/tags/{pattern}",
        &[],
    ),
    wide(
        "pull-request",
        "pull-request jobs of the project",
        "org:{org}:project:{project}:repo:{repo}:ref_type:pull-request:ref:*",
        PR_CAUTION,
    ),
    wide(
        "project",
        "every job of the project: branches, tags and pull requests",
        "org:{org}:project:{project}:*",
        WIDE_CAUTION,
    ),
];

const GITHUB: &[Scope] = &[
    scope(
        "branch",
        "this repository on this branch",
        "repo:{repo}:ref:{ref}",
        &[("ref", "refs/heads/*")],
    ),
    scope(
        "environment",
        "this repository's jobs in this environment",
        "repo:{repo}:environment:{environment}",
        &[("environment", "*")],
    ),
    scope(
        "tag",
        "this repository's tags (--pattern narrows them)",
        "repo:{repo}:ref:refs/tags/{pattern}",
        &[],
    ),
    scope(
        "any-ref",
        "this repository on any branch or tag (no pull requests, no environments)",
        "repo:{repo}:ref:*",
        &[],
    ),
    Scope {
        name: "workflow",
        about: "jobs of the organisation that run this reusable workflow at this ref",
        subject: "repo:{owner}/*",
        requires: &[],
        extra: &[("job_workflow_ref", "{claim.job_workflow_ref}")],
        pick: Pick::Explicit,
        caution: None,
    },
    wide(
        "pull-request",
        "this repository's pull-request jobs, forks' included",
        "repo:{repo}:pull_request",
        PR_CAUTION,
    ),
    wide(
        "repository",
        "every job of this repository, pull requests and environments included",
        "repo:{repo}:*",
        WIDE_CAUTION,
    ),
    wide(
        "organization",
        "every job of every repository of the organisation",
        "repo:{owner}/*",
        WIDE_CAUTION,
    ),
];

const GITLAB: &[Scope] = &[
    scope(
        "branch",
        "this project on this branch",
        "project_path:{project_path}:ref_type:branch:ref:{ref}",
        &[("ref_type", "branch")],
    ),
    scope(
        "tag",
        "this project's tags (--pattern narrows them)",
        "project_path:{project_path}:ref_type:tag:ref:{pattern}",
        &[],
    ),
    scope(
        "any-branch",
        "this project on any branch (merge-request pipelines included)",
        "project_path:{project_path}:ref_type:branch:ref:*",
        &[],
    ),
    wide(
        "project",
        "every job of the project",
        "project_path:{project_path}:*",
        WIDE_CAUTION,
    ),
    wide(
        "group",
        "every job of every project of the group",
        "project_path:{group}/*",
        WIDE_CAUTION,
    ),
];

const CIRCLECI: &[Scope] = &[
    scope(
        "branch",
        "this project on this VCS ref (v2 tokens)",
        "org/{org}/project/{project}/user/*/vcs-origin/{vcs_origin}/vcs-ref/{vcs_ref}",
        &[("vcs_ref", "*")],
    ),
    scope(
        "project",
        "every job of the project, whoever triggered it",
        "org/{org}/project/{project}/*",
        &[],
    ),
    wide(
        "organization",
        "every job of every project of the organisation",
        "org/{org}/*",
        WIDE_CAUTION,
    ),
];

const BITBUCKET: &[Scope] = &[
    scope(
        "repository",
        "every step of this repository's pipelines",
        "{repository}:*",
        &[],
    ),
    Scope {
        name: "step",
        about: "this one step run only",
        subject: "{sub}",
        requires: &[],
        extra: &[],
        pick: Pick::Explicit,
        caution: None,
    },
];

const BUILDKITE: &[Scope] = &[
    scope(
        "branch",
        "this pipeline on this branch, any commit and step",
        "organization:{organization}:pipeline:{pipeline}:ref:{ref}:commit:*:step:*",
        &[("ref", "refs/heads/*")],
    ),
    scope(
        "step",
        "this step of this pipeline on this ref, any commit",
        "organization:{organization}:pipeline:{pipeline}:ref:{ref}:commit:*:step:{step}",
        &[],
    ),
    scope(
        "tag",
        "this pipeline's tag builds (--pattern narrows them)",
        "organization:{organization}:pipeline:{pipeline}:ref:refs/tags/{pattern}:commit:*:step:*",
        &[],
    ),
    wide(
        "pipeline",
        "every build of the pipeline, pull-request builds included",
        "organization:{organization}:pipeline:{pipeline}:*",
        WIDE_CAUTION,
    ),
    wide(
        "organization",
        "every build of every pipeline of the organisation",
        "organization:{organization}:*",
        WIDE_CAUTION,
    ),
];

const HCP_TERRAFORM: &[Scope] = &[
    scope(
        "run-phase",
        "this workspace in this run phase (plan or apply)",
        "{sub}",
        &[],
    ),
    scope(
        "workspace",
        "this workspace, plan and apply",
        "organization:{organization}:project:{project}:workspace:{workspace}:run_phase:*",
        &[],
    ),
    wide(
        "project",
        "every workspace of the project",
        "organization:{organization}:project:{project}:*",
        WIDE_CAUTION,
    ),
    wide(
        "organization",
        "every workspace of the organisation",
        "organization:{organization}:*",
        WIDE_CAUTION,
    ),
];

const EKS: &[Scope] = &[
    scope(
        "service-account",
        "this service account in this namespace",
        "{sub}",
        &[],
    ),
    wide(
        "namespace",
        "every service account of the namespace",
        "system:serviceaccount:{namespace}:*",
        WIDE_CAUTION,
    ),
];

/// The scope of a subject trustlens cannot split (a customised or unknown format).
pub const SUBJECT: Scope = scope("subject", "this exact subject", "{sub}", &[]);

/// The scopes of `platform`, tightest first. A subject that does not fit the platform's
/// default format has only [`SUBJECT`].
pub fn scopes(platform: Platform, sub: &str) -> &'static [Scope] {
    if subject_parts(platform, sub).is_empty() {
        return std::slice::from_ref(&SUBJECT);
    }
    match platform {
        Platform::Semaphore => SEMAPHORE,
        Platform::GitHubActions => GITHUB,
        Platform::GitLab => GITLAB,
        Platform::CircleCi => CIRCLECI,
        Platform::Bitbucket => BITBUCKET,
        Platform::Buildkite => BUILDKITE,
        Platform::HcpTerraform => HCP_TERRAFORM,
        Platform::Eks => EKS,
        Platform::Spacelift | Platform::Google => std::slice::from_ref(&SUBJECT),
    }
}

/// Every platform that has scopes of its own, for `--help`.
pub const SCOPED_PLATFORMS: [Platform; 8] = [
    Platform::Semaphore,
    Platform::GitHubActions,
    Platform::GitLab,
    Platform::CircleCi,
    Platform::Bitbucket,
    Platform::Buildkite,
    Platform::HcpTerraform,
    Platform::Eks,
];

/// The scope names of `platform` in its default format.
pub fn scope_names(platform: Platform) -> Vec<&'static str> {
    let table = match platform {
        Platform::Semaphore => SEMAPHORE,
        Platform::GitHubActions => GITHUB,
        Platform::GitLab => GITLAB,
        Platform::CircleCi => CIRCLECI,
        Platform::Bitbucket => BITBUCKET,
        Platform::Buildkite => BUILDKITE,
        Platform::HcpTerraform => HCP_TERRAFORM,
        Platform::Eks => EKS,
        Platform::Spacelift | Platform::Google => std::slice::from_ref(&SUBJECT),
    };
    table.iter().map(|scope| scope.name).collect()
}

const OTHER_UUID: &str = "00000000-0000-4000-8000-000000000000";

const SEMAPHORE_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another branch",
        subject: "org:{org}:project:{project}:repo:{repo}:ref_type:branch:ref:refs/heads/other-branch",
        claims: &[
            ("ref_type", Some("branch")),
            ("ref", Some("refs/heads/other-branch")),
            ("branch", Some("other-branch")),
        ],
        requires: &[],
    },
    Sibling {
        label: "a pull request (forks included)",
        subject: "org:{org}:project:{project}:repo:{repo}:ref_type:pull-request:ref:refs/pull/9999/merge",
        claims: &[
            ("ref_type", Some("pull-request")),
            ("ref", Some("refs/pull/9999/merge")),
            ("pr", Some("9999")),
        ],
        requires: &[],
    },
    Sibling {
        label: "a tag",
        subject: "org:{org}:project:{project}:repo:{repo}:ref_type:tag:ref:refs/tags/v0.0.0-other",
        claims: &[
            ("ref_type", Some("tag")),
            ("ref", Some("refs/tags/v0.0.0-other")),
            ("tag", Some("v0.0.0-other")),
        ],
        requires: &[],
    },
    Sibling {
        label: "another project of the organisation",
        subject: "org:{org}:project:00000000-0000-4000-8000-000000000000:repo:other-repo:ref_type:{ref_type}:ref:{ref}",
        claims: &[("prj_id", Some(OTHER_UUID)), ("repo", Some("other-repo"))],
        requires: &[],
    },
];

const GITHUB_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another branch",
        subject: "repo:{repo}:ref:refs/heads/other-branch",
        claims: &[
            ("ref", Some("refs/heads/other-branch")),
            ("environment", None),
        ],
        requires: &[],
    },
    Sibling {
        label: "a pull request (forks included)",
        subject: "repo:{repo}:pull_request",
        claims: &[
            ("ref", Some("refs/pull/9999/merge")),
            ("event_name", Some("pull_request")),
            ("environment", None),
        ],
        requires: &[],
    },
    Sibling {
        label: "a tag",
        subject: "repo:{repo}:ref:refs/tags/v0.0.0-other",
        claims: &[
            ("ref", Some("refs/tags/v0.0.0-other")),
            ("environment", None),
        ],
        requires: &[],
    },
    Sibling {
        label: "another environment",
        subject: "repo:{repo}:environment:other-environment",
        claims: &[("environment", Some("other-environment"))],
        requires: &[],
    },
    Sibling {
        label: "another repository of the organisation",
        subject: "repo:{owner}/other-repo:ref:refs/heads/main",
        claims: &[
            ("repository", Some("{owner}/other-repo")),
            ("repository_id", Some("0")),
            ("ref", Some("refs/heads/main")),
            ("environment", None),
            (
                "job_workflow_ref",
                Some("{owner}/other-repo/.github/workflows/other.yml@refs/heads/main"),
            ),
        ],
        requires: &[],
    },
    Sibling {
        label: "another repository calling the same reusable workflow",
        subject: "repo:{owner}/other-repo:ref:refs/heads/main",
        claims: &[
            ("repository", Some("{owner}/other-repo")),
            ("repository_id", Some("0")),
            ("ref", Some("refs/heads/main")),
            ("environment", None),
        ],
        requires: &[],
    },
    Sibling {
        label: "another organisation",
        subject: "repo:other-org/other-repo:ref:refs/heads/main",
        claims: &[
            ("repository", Some("other-org/other-repo")),
            ("repository_owner", Some("other-org")),
            ("repository_id", Some("0")),
            ("repository_owner_id", Some("0")),
            ("ref", Some("refs/heads/main")),
            ("environment", None),
            (
                "job_workflow_ref",
                Some("other-org/other-repo/.github/workflows/other.yml@refs/heads/main"),
            ),
        ],
        requires: &[],
    },
];

const GITLAB_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another branch",
        subject: "project_path:{project_path}:ref_type:branch:ref:other-branch",
        claims: &[
            ("ref", Some("other-branch")),
            ("ref_type", Some("branch")),
            ("ref_path", Some("refs/heads/other-branch")),
            ("ref_protected", Some("false")),
        ],
        requires: &[],
    },
    Sibling {
        label: "a tag",
        subject: "project_path:{project_path}:ref_type:tag:ref:v0.0.0-other",
        claims: &[
            ("ref", Some("v0.0.0-other")),
            ("ref_type", Some("tag")),
            ("ref_path", Some("refs/tags/v0.0.0-other")),
        ],
        requires: &[],
    },
    Sibling {
        label: "another project of the group",
        subject: "project_path:{group}/other-project:ref_type:{ref_type}:ref:{ref}",
        claims: &[
            ("project_path", Some("{group}/other-project")),
            ("project_id", Some("0")),
        ],
        requires: &[],
    },
];

const CIRCLECI_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another user of the project",
        subject: "org/{org}/project/{project}/user/00000000-0000-4000-8000-000000000000",
        claims: &[],
        requires: &[],
    },
    Sibling {
        label: "another VCS ref of the project",
        subject: "org/{org}/project/{project}/user/{user}/vcs-origin/{vcs_origin}/vcs-ref/refs/heads/other-branch",
        claims: &[("oidc.circleci.com/vcs-ref", Some("refs/heads/other-branch"))],
        requires: &[("vcs_ref", "*")],
    },
    Sibling {
        label: "another project of the organisation",
        subject: "org/{org}/project/00000000-0000-4000-8000-000000000000/user/{user}",
        claims: &[("oidc.circleci.com/project-id", Some(OTHER_UUID))],
        requires: &[],
    },
];

const BITBUCKET_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another step of the repository",
        subject: "{repository}:{{00000000-0000-4000-8000-000000000000}}",
        claims: &[("stepUuid", Some("{{00000000-0000-4000-8000-000000000000}}"))],
        requires: &[],
    },
    Sibling {
        label: "another repository of the workspace",
        subject: "{{00000000-0000-4000-8000-000000000000}}:{step}",
        claims: &[(
            "repositoryUuid",
            Some("{{00000000-0000-4000-8000-000000000000}}"),
        )],
        requires: &[],
    },
];

const BUILDKITE_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another commit on this ref",
        subject: "organization:{organization}:pipeline:{pipeline}:ref:{ref}:commit:0000000000000000000000000000000000000000:step:{step}",
        claims: &[],
        requires: &[],
    },
    Sibling {
        label: "another branch",
        subject: "organization:{organization}:pipeline:{pipeline}:ref:refs/heads/other-branch:commit:{commit}:step:{step}",
        claims: &[("build_branch", Some("other-branch"))],
        requires: &[],
    },
    Sibling {
        label: "a tag",
        subject: "organization:{organization}:pipeline:{pipeline}:ref:refs/tags/v0.0.0-other:commit:{commit}:step:{step}",
        claims: &[],
        requires: &[],
    },
    Sibling {
        label: "another pipeline of the organisation",
        subject: "organization:{organization}:pipeline:other-pipeline:ref:{ref}:commit:{commit}:step:{step}",
        claims: &[("pipeline_slug", Some("other-pipeline"))],
        requires: &[],
    },
];

const HCP_TERRAFORM_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "a plan run of the workspace",
        subject: "organization:{organization}:project:{project}:workspace:{workspace}:run_phase:plan",
        claims: &[("terraform_run_phase", Some("plan"))],
        requires: &[("run_phase", "!plan")],
    },
    Sibling {
        label: "an apply run of the workspace",
        subject: "organization:{organization}:project:{project}:workspace:{workspace}:run_phase:apply",
        claims: &[("terraform_run_phase", Some("apply"))],
        requires: &[("run_phase", "!apply")],
    },
    Sibling {
        label: "another workspace of the project",
        subject: "organization:{organization}:project:{project}:workspace:other-workspace:run_phase:{run_phase}",
        claims: &[("terraform_workspace_name", Some("other-workspace"))],
        requires: &[],
    },
    Sibling {
        label: "another project of the organisation",
        subject: "organization:{organization}:project:other-project:workspace:{workspace}:run_phase:{run_phase}",
        claims: &[("terraform_project_name", Some("other-project"))],
        requires: &[],
    },
];

const EKS_SIBLINGS: &[Sibling] = &[
    Sibling {
        label: "another service account of the namespace",
        subject: "system:serviceaccount:{namespace}:other-account",
        claims: &[],
        requires: &[],
    },
    Sibling {
        label: "another namespace",
        subject: "system:serviceaccount:other-namespace:{service account}",
        claims: &[],
        requires: &[],
    },
];

/// The sibling identities of `platform` a blast radius evaluates.
pub fn siblings(platform: Platform) -> &'static [Sibling] {
    match platform {
        Platform::Semaphore => SEMAPHORE_SIBLINGS,
        Platform::GitHubActions => GITHUB_SIBLINGS,
        Platform::GitLab => GITLAB_SIBLINGS,
        Platform::CircleCi => CIRCLECI_SIBLINGS,
        Platform::Bitbucket => BITBUCKET_SIBLINGS,
        Platform::Buildkite => BUILDKITE_SIBLINGS,
        Platform::HcpTerraform => HCP_TERRAFORM_SIBLINGS,
        Platform::Eks => EKS_SIBLINGS,
        Platform::Spacelift | Platform::Google => &[],
    }
}

/// The fields templates can name: the parts of `sub` ([`subject_parts`]) plus `owner` (of a
/// GitHub repository), `group` (of a GitLab project path), `tag` (of a tag ref) and, for
/// CircleCI v2 subjects, `vcs_origin` and `vcs_ref`.
pub fn subject_fields(platform: Platform, sub: &str) -> Vec<(String, String)> {
    let mut fields = subject_parts(platform, sub);
    let get = |fields: &[(String, String)], name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let mut derived = Vec::new();
    if let Some(repo) = get(&fields, "repo")
        && let Some((owner, _)) = repo.split_once('/')
    {
        derived.push(("owner", owner.to_owned()));
    }
    if let Some(path) = get(&fields, "project_path")
        && let Some((group, _)) = path.rsplit_once('/')
    {
        derived.push(("group", group.to_owned()));
    }
    if let Some(reference) = get(&fields, "ref") {
        let gitlab_tag =
            platform == Platform::GitLab && get(&fields, "ref_type").as_deref() == Some("tag");
        if let Some(tag) = reference.strip_prefix("refs/tags/") {
            derived.push(("tag", tag.to_owned()));
        } else if gitlab_tag {
            derived.push(("tag", reference));
        }
    }
    if platform == Platform::CircleCi
        && let Some((before, vcs_ref)) = sub.split_once("/vcs-ref/")
        && let Some((_, origin)) = before.split_once("/vcs-origin/")
    {
        derived.push(("vcs_origin", origin.to_owned()));
        derived.push(("vcs_ref", vcs_ref.to_owned()));
    }
    fields.extend(
        derived
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value)),
    );
    fields
}

/// Whether `fields` meet `requires` (see [`Scope::requires`]).
pub fn meets(requires: &[(&str, &str)], fields: &[(String, String)]) -> bool {
    requires.iter().all(|(name, wanted)| {
        let value = fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        match (wanted.strip_prefix('!'), value) {
            (Some(excluded), value) => value.is_none_or(|v| !matches_choice(excluded, v)),
            (None, Some(value)) => matches_choice(wanted, value),
            (None, None) => false,
        }
    })
}

/// `value` equals one of `choices` (`a|b`), or starts with a choice's text before its `*`.
fn matches_choice(choices: &str, value: &str) -> bool {
    choices
        .split('|')
        .any(|choice| match choice.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix) && !value.is_empty(),
            None => choice == value,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_take_alternatives_prefixes_and_exclusions() {
        let fields = vec![
            ("ref_type".to_owned(), "branch".to_owned()),
            ("ref".to_owned(), "refs/heads/main".to_owned()),
        ];
        assert!(meets(&[("ref_type", "branch|tag")], &fields));
        assert!(meets(&[("ref", "refs/heads/*")], &fields));
        assert!(!meets(&[("ref", "refs/tags/*")], &fields));
        assert!(meets(&[("environment", "!prod")], &fields));
        assert!(!meets(&[("environment", "*")], &fields));
        assert!(!meets(&[("ref_type", "!branch")], &fields));
    }

    #[test]
    fn derives_owner_group_tag_and_vcs_fields() {
        let github = subject_fields(Platform::GitHubActions, "repo:o@1/r@2:ref:refs/tags/v1");
        assert!(github.contains(&("owner".to_owned(), "o@1".to_owned())));
        assert!(github.contains(&("tag".to_owned(), "v1".to_owned())));
        let gitlab = subject_fields(Platform::GitLab, "project_path:a/b/c:ref_type:tag:ref:1.0");
        assert!(gitlab.contains(&("group".to_owned(), "a/b".to_owned())));
        assert!(gitlab.contains(&("tag".to_owned(), "1.0".to_owned())));
        let circle = subject_fields(
            Platform::CircleCi,
            "org/1/project/2/user/3/vcs-origin/github.com/a/b/vcs-ref/refs/heads/main",
        );
        assert!(circle.contains(&("vcs_ref".to_owned(), "refs/heads/main".to_owned())));
        assert!(circle.contains(&("vcs_origin".to_owned(), "github.com/a/b".to_owned())));
    }

    #[test]
    fn every_platform_with_a_format_has_scopes_and_siblings() {
        for platform in SCOPED_PLATFORMS {
            assert!(scope_names(platform).len() >= 2, "{platform:?}");
            assert!(!siblings(platform).is_empty(), "{platform:?}");
        }
    }
}
