//! The embedded demo account against the demo tokens: every role in `assets/demo/account.json`
//! is explained for a token that shows what it is for (a correct role admitting its job) or what
//! is wrong with it (a broken role refusing, or admitting too much), and the engine must reach
//! the verdict in the table, with the reason or fix where it matters.
//!
//! Tokens are the demo tokens (`trustlens::account::demo::token`, minted and decoded, so the
//! token pre-checks run too), plus a few claim sets for jobs the demo has no token for (a
//! CircleCI job, a workflow of another GitHub repository, a token of a deleted provider),
//! explained as what-if claims. All mismatches are collected and reported together.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value, json};
use trustlens::account::{Account, demo};
use trustlens::eval::{Decision, ExplainInputs, Verdict, explain};
use trustlens::token::Token;

/// 2026-11-25T18:00:00Z, the moment every token is minted and judged at.
const NOW: i64 = 1_795_629_600;
const SESSION_NAME: &str = "trustlens";

const TERRAFORM_PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/app.terraform.io";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Denied,
    ExplicitDeny,
    Rejected,
    Conditional,
}

impl Expect {
    fn of(decision: &Decision) -> Expect {
        match decision {
            Decision::Allowed => Expect::Allowed,
            Decision::Denied { explicit: false } => Expect::Denied,
            Decision::Denied { explicit: true } => Expect::ExplicitDeny,
            Decision::Rejected { .. } => Expect::Rejected,
            Decision::Conditional { .. } => Expect::Conditional,
        }
    }
}

/// One row: a token, a role, the decision, and texts the verdict must contain.
#[derive(Debug, Clone, Copy)]
struct Case {
    token: &'static str,
    role: &'static str,
    expect: Expect,
    /// Each in one of the `why` lines.
    why: [Option<&'static str>; 2],
    /// In one of the `fix` lines.
    fix: Option<&'static str>,
    /// In the STS answer.
    answer: Option<&'static str>,
    /// Anywhere in the policy trace (condition reasons and notes, principal details).
    trace: Option<&'static str>,
}

const fn case(token: &'static str, role: &'static str, expect: Expect) -> Case {
    Case {
        token,
        role,
        expect,
        why: [None, None],
        fix: None,
        answer: None,
        trace: None,
    }
}

impl Case {
    const fn why(mut self, text: &'static str) -> Case {
        if self.why[0].is_none() {
            self.why[0] = Some(text);
        } else {
            self.why[1] = Some(text);
        }
        self
    }

    const fn fix(mut self, text: &'static str) -> Case {
        self.fix = Some(text);
        self
    }

    const fn answer(mut self, text: &'static str) -> Case {
        self.answer = Some(text);
        self
    }

    const fn trace(mut self, text: &'static str) -> Case {
        self.trace = Some(text);
        self
    }
}

use Expect::{Allowed, Denied, ExplicitDeny, Rejected};

const CASES: &[Case] = &[
    // Semaphore: main-only deploy, against every Semaphore job and a foreign token.
    case("semaphore-main", "semaphore-web-deploy", Allowed).why("statement 1 allows sts:AssumeRoleWithWebIdentity"),
    case("semaphore-pr", "semaphore-web-deploy", Denied)
        .why("this job ran for pull request #42")
        .fix("separate, less privileged role for PR jobs"),
    case("semaphore-tag", "semaphore-web-deploy", Denied).why("this job ran for a tag"),
    case("semaphore-expired", "semaphore-web-deploy", Rejected)
        .answer("ExpiredTokenException: Token expired")
        .fix("use a fresh token"),
    case("semaphore-tagged", "semaphore-web-deploy", Denied)
        .why("so STS also needs sts:TagSession")
        .fix("add \"sts:TagSession\" to the Action of statement 1"),
    case("github-main", "semaphore-web-deploy", Denied)
        .why("no statement trusts this token's provider")
        .fix("\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\""),
    // Semaphore: the other correct roles.
    case("semaphore-main", "semaphore-web-ci", Allowed),
    case("semaphore-pr", "semaphore-web-ci", Denied).why("Semaphore gives PR jobs ref_type \"pull-request\""),
    case("semaphore-tag", "semaphore-web-release", Allowed),
    case("semaphore-main", "semaphore-web-release", Denied).why("StringLike acme.semaphoreci.com:sub fails"),
    case("semaphore-pr", "semaphore-web-pr-preview", Allowed),
    case("semaphore-tagged", "semaphore-web-tagged-deploy", Allowed)
        .why("allows sts:AssumeRoleWithWebIdentity and sts:TagSession"),
    case("semaphore-main", "semaphore-web-tagged-deploy", Allowed),
    case("semaphore-tagged", "semaphore-web-pipeline-jobs-only", Allowed),
    case("semaphore-main", "semaphore-web-pipeline-jobs-only", Denied)
        .why("the token carries no session tag `job_type`"),
    case("semaphore-main", "semaphore-web-ci-deny-pr", Allowed),
    case("semaphore-pr", "semaphore-web-ci-deny-pr", ExplicitDeny)
        .why("(Deny \"DenyPullRequests\") matches this request")
        .why("an explicit Deny overrides every Allow"),
    // Semaphore: broken roles.
    case("semaphore-main", "semaphore-web-deploy-audience-typo", Denied)
        .why("StringEquals acme.semaphoreci.com:aud fails")
        .trace("\\\"https://acme.semaphoreci.com\\\" matches no policy value"),
    case("semaphore-main", "semaphore-web-deploy-sts-audience", Denied).why("StringEquals acme.semaphoreci.com:aud fails"),
    case("semaphore-main", "semaphore-web-branches-stringequals", Denied)
        .why("`*` and `?` in the policy value are ordinary characters")
        .fix("change StringEquals to StringLike"),
    case("semaphore-main", "semaphore-web-deploy-assumerole", Denied)
        .why("statement 1 does not allow sts:AssumeRoleWithWebIdentity")
        .fix("sts:AssumeRole is for IAM principals"),
    case("semaphore-main", "semaphore-web-deploy-branch-claim", Denied)
        .why("AWS does not expose this claim as a condition key")
        .fix("through `acme.semaphoreci.com:sub`"),
    case("semaphore-main", "semaphore-web-deploy-slash-key", Denied)
        .why("`acme.semaphoreci.com/` is not this token's provider"),
    case("semaphore-pr", "semaphore-web-pr-preview-typo", Denied)
        .why("ref_type:pull-request, not ref_type:pr")
        .fix(":ref_type:pull-request:ref:*"),
    case("semaphore-tagged", "semaphore-web-deploy-no-tagsession", Denied)
        .why("so STS also needs sts:TagSession")
        .fix("add \"sts:TagSession\""),
    case("semaphore-main", "semaphore-web-deploy-no-tagsession", Allowed),
    case("semaphore-main", "semaphore-web-deploy-org-url", Denied).why("StringLike acme.semaphoreci.com:sub fails"),
    // GitHub: correct roles.
    case("github-main", "github-octo-repo-deploy", Allowed),
    case("github-pr", "github-octo-repo-deploy", Denied)
        .why("this job ran for a pull_request event")
        .fix("add a separate role trusting `…:pull_request`"),
    case("github-other-repo", "github-octo-repo-deploy", Denied),
    case("github-prod", "github-octo-repo-prod", Allowed),
    case("github-main", "github-octo-repo-prod", Denied).why("StringEquals token.actions.githubusercontent.com:sub fails"),
    case("github-pr", "github-octo-repo-pr-readonly", Allowed),
    case("github-main", "github-octo-repo-deploy-workflow", Allowed),
    case("github-main", "github-octo-org-readonly", Allowed),
    case("github-pr", "github-octo-org-readonly", Allowed),
    // GitHub: broken roles.
    case("github-prod", "github-octo-repo-prod-deploy", Denied)
        .why("the job uses the GitHub environment \"prod\"")
        .fix("trust \"repo:octo-org/octo-repo:environment:prod\""),
    case("github-main", "github-octo-repo-forallvalues", Allowed).trace("is meant for multivalued keys"),
    case("github-pr", "github-octo-repo-forallvalues", Denied),
    case("github-main", "github-octo-repo-prod-env-forallvalues", Allowed)
        .trace("ForAllValues holds for an absent key"),
    case("github-pr", "github-octo-repo-prod-env-forallvalues", Allowed),
    case("github-main", "github-actions-no-sub", Allowed),
    case("github-other-repo", "github-actions-no-sub", Allowed),
    case("github-main", "github-octo-org-owner-claim", Denied)
        .why("AWS does not expose this claim as a condition key")
        .fix("through `token.actions.githubusercontent.com:sub`"),
    case("github-main", "github-octo-repo-case", Denied)
        .why("differ only in letter case")
        .fix("write \"repo:octo-org/octo-repo:ref:refs/heads/main\" in the policy"),
    case("github-main", "github-octo-repo-other-account", Denied).why("another account"),
    case("github-main", "github-octo-repo-wildcard-equals", Denied)
        .why("ordinary characters")
        .fix("change StringEquals to StringLike"),
    case("github-main", "github-octo-repo-default-audience", Denied)
        .why("StringEquals token.actions.githubusercontent.com:aud fails"),
    // GitLab.
    case("gitlab-main", "gitlab-platform-api-deploy", Allowed),
    case("gitlab-main", "gitlab-platform-api-protected", Allowed),
    case("gitlab-main", "gitlab-platform-api-slash-principal", Denied)
        .why("they differ by a trailing slash")
        .fix("\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/gitlab.com\""),
    case("gitlab-main", "gitlab-platform-api-full-ref", Denied).why("StringEquals gitlab.com:sub fails"),
    case("gitlab-main", "gitlab-platform-api-audience-slash", Denied)
        .why("differ only by a trailing slash")
        .fix("write \"https://gitlab.com\" in the policy"),
    // CircleCI (no demo token: a $CIRCLE_OIDC_TOKEN job of the web project, as claims).
    case("circleci-main", "circleci-web-deploy", Allowed),
    case("circleci-main", "circleci-web-project-key", Allowed),
    case("circleci-main", "circleci-web-deploy-v2-sub", Denied).why("StringLike oidc.circleci.com/org/"),
    // EKS.
    case("eks-app", "eks-payments-api", Allowed),
    case("eks-app", "eks-payments-namespace", Allowed),
    case("eks-app", "eks-payments-multi-cluster", Allowed).why("statement 2 allows"),
    case("eks-app", "eks-payments-wrong-namespace", Denied).why("StringEquals oidc.eks.eu-west-1.amazonaws.com/id/"),
    case("eks-app", "eks-payments-space-typo", Denied).why("StringEquals oidc.eks.eu-west-1.amazonaws.com/id/"),
    // A deleted provider, and a role for an IAM user.
    case("semaphore-main", "legacy-ci-deploy", Denied)
        .why("no statement trusts this token's provider")
        .trace("oidc-provider/old-ci.example.com, not the token's provider"),
    case("old-ci", "legacy-ci-deploy", Rejected)
        .answer("No OpenIDConnect provider found in your account for https://old-ci.example.com")
        .fix("create an IAM OIDC provider with URL https://old-ci.example.com"),
    case("semaphore-main", "deployer-user-role", Denied)
        .why("no statement trusts this token's provider")
        .why("names no Federated principal"),
    case("eks-app", "deployer-user-role", Denied).why("no statement trusts this token's provider"),
];

/// Claims for jobs the demo has no token for (explained as what-if claims).
fn extra_claims(name: &str) -> Option<Value> {
    let issued = NOW - 60;
    Some(match name {
        "github-other-repo" => {
            let mut claims = demo::claims("github-main", NOW)?;
            let object = claims.as_object_mut()?;
            for (key, value) in [
                ("sub", "repo:evil-org/evil-repo:ref:refs/heads/main"),
                ("repository", "evil-org/evil-repo"),
                ("repository_owner", "evil-org"),
                ("repository_id", "666"),
                ("repository_owner_id", "667"),
                (
                    "job_workflow_ref",
                    "evil-org/evil-repo/.github/workflows/steal.yml@refs/heads/main",
                ),
            ] {
                object.insert(key.to_owned(), Value::from(value));
            }
            claims
        }
        "old-ci" => json!({
            "iss": "https://old-ci.example.com",
            "aud": "sts.amazonaws.com",
            "sub": "job:web/deploy",
            "iat": issued,
            "exp": issued + 600,
        }),
        _ => return None,
    })
}

/// The token (for demo tokens) and the claims to explain.
fn token_and_claims(name: &str) -> Result<(Option<Token>, Map<String, Value>), String> {
    if demo::TOKENS.iter().any(|t| t.name == name) {
        let text = demo::token(name, NOW).map_err(|e| e.to_string())?;
        let token = text
            .decode()
            .map_err(|e| format!("demo token {name} does not decode: {e}"))?;
        let claims = token.claims().clone();
        return Ok((Some(token), claims));
    }
    extra_claims(name)
        .and_then(|claims| claims.as_object().cloned())
        .map(|claims| (None, claims))
        .ok_or_else(|| format!("no token named {name}"))
}

fn verdict_of(account: &Account, case: &Case) -> Result<Verdict, String> {
    let role = account
        .roles
        .iter()
        .find(|role| role.name == case.role)
        .ok_or_else(|| format!("the demo account has no role {}", case.role))?;
    let policy = role
        .policy()
        .map_err(|e| format!("the trust policy of {} is invalid: {e}", role.name))?;
    let (token, claims) = token_and_claims(case.token)?;
    let tags = role.tag_pairs();
    Ok(explain(&ExplainInputs {
        token: token.as_ref(),
        claims: &claims,
        policy,
        providers: &account.providers,
        role_arn: &role.arn,
        session_name: SESSION_NAME,
        role_tags: &tags,
        context_overrides: &[],
        region: None,
        now: NOW,
        signature: None,
    }))
}

/// Every way the verdict differs from the row.
fn mismatches(case: &Case, verdict: &Verdict) -> Vec<String> {
    let mut problems = Vec::new();
    let got = Expect::of(&verdict.decision);
    if got != case.expect {
        problems.push(format!(
            "decision {got:?}, expected {:?} (STS: {})",
            case.expect, verdict.sts_answer
        ));
    }
    let lines = |name: &str, wanted: Option<&str>, lines: &[String], problems: &mut Vec<String>| {
        if let Some(wanted) = wanted
            && !lines.iter().any(|line| line.contains(wanted))
        {
            problems.push(format!("{name} lacks {wanted:?}: {lines:?}"));
        }
    };
    for wanted in case.why {
        lines("why", wanted, &verdict.why, &mut problems);
    }
    let fixes: Vec<String> = verdict.fix.iter().map(ToString::to_string).collect();
    lines("fix", case.fix, &fixes, &mut problems);
    lines(
        "STS answer",
        case.answer,
        std::slice::from_ref(&verdict.sts_answer),
        &mut problems,
    );
    if let Some(wanted) = case.trace {
        let trace = serde_json::to_string(&verdict.policy).unwrap_or_default();
        if !trace.contains(wanted) {
            problems.push(format!("the policy trace lacks {wanted:?}"));
        }
    }
    problems
}

#[test]
fn every_demo_role_gets_the_expected_verdict() {
    let account = demo::account().expect("the demo account loads");
    let mut failures = Vec::new();
    for case in CASES {
        let problems = match verdict_of(&account, case) {
            Ok(verdict) => mismatches(case, &verdict),
            Err(error) => vec![error],
        };
        if !problems.is_empty() {
            failures.push(format!(
                "{} → {}:\n    {}",
                case.token,
                case.role,
                problems.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// A case is added for every role and every demo token (so a new role cannot go unexplained).
#[test]
fn the_table_covers_every_role_and_every_demo_token() {
    let account = demo::account().expect("the demo account loads");
    let mut missing: Vec<String> = account
        .roles
        .iter()
        .filter(|role| !CASES.iter().any(|case| case.role == role.name))
        .map(|role| format!("role {}", role.name))
        .collect();
    missing.extend(
        demo::TOKENS
            .iter()
            .filter(|token| !CASES.iter().any(|case| case.token == token.name))
            .map(|token| format!("token {}", token.name)),
    );
    missing.extend(
        account
            .roles
            .iter()
            .filter(|role| role.description.as_deref().is_none_or(str::is_empty))
            .map(|role| format!("a description for role {}", role.name)),
    );
    assert!(
        missing.is_empty(),
        "the table or account lacks: {missing:?}"
    );
    assert!(CASES.len() >= 35, "only {} rows", CASES.len());
}

/// Every provider but HCP Terraform is trusted by some role; HCP Terraform by none (the demo's
/// unused provider). Principals are compared as parsed, not as text.
#[test]
fn every_provider_but_one_is_trusted() {
    let account = demo::account().expect("the demo account loads");
    let trusted: Vec<String> = account
        .roles
        .iter()
        .flat_map(|role| {
            let policy = role
                .policy()
                .cloned()
                .expect("every demo trust policy parses");
            policy
                .statements
                .into_iter()
                .filter_map(|statement| statement.principal)
                .flat_map(|principal| match principal.set {
                    trustlens::policy::PrincipalSet::Typed(types) => types
                        .into_iter()
                        .filter(|(kind, _)| *kind == trustlens::policy::PrincipalType::Federated)
                        .flat_map(|(_, ids)| ids)
                        .collect::<Vec<_>>(),
                    trustlens::policy::PrincipalSet::Anyone => Vec::new(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let unused: Vec<&str> = account
        .providers
        .iter()
        .filter(|provider| !trusted.contains(&provider.arn))
        .map(|provider| provider.arn.as_str())
        .collect();
    assert_eq!(unused, vec![TERRAFORM_PROVIDER]);
}
