use serde_json::{Map, Value, json};

use super::*;
use crate::account::TrustPolicy;

const ACCOUNT: &str = "123456789012";
const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";
const NOW: i64 = 1_795_629_600;

fn semaphore() -> Request {
    Request {
        platform: "semaphore".into(),
        org: Some("acme".into()),
        project: Some(PROJECT.into()),
        repo: Some("web".into()),
        branch: "main".into(),
        role_name: "ci-oidc".into(),
        ..Request::default()
    }
}

fn empty() -> AccountState<'static> {
    AccountState {
        partition: "aws",
        account_id: ACCOUNT,
        providers: &[],
        role: None,
        attached: &[],
        tls: None,
    }
}

fn role(policy: &Value) -> Role {
    Role {
        name: "ci-oidc".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/ci-oidc"),
        path: "/".into(),
        description: None,
        max_session_duration: 3600,
        create_date: None,
        tags: Vec::new(),
        trust_policy: TrustPolicy::new(policy.to_string()),
    }
}

fn semaphore_provider(client_ids: &[&str]) -> Provider {
    let mut provider = Provider::new(
        "aws",
        ACCOUNT,
        "https://acme.semaphoreci.com",
        client_ids.iter().map(|c| (*c).to_owned()).collect(),
    );
    provider.thumbprints = vec!["0".repeat(40)];
    provider
}

fn actions(plan: &Plan) -> Vec<&'static str> {
    plan.changes()
        .iter()
        .map(|change| change.action())
        .collect()
}

#[test]
fn an_empty_account_needs_the_provider_and_the_role() {
    let plan = plan(&semaphore(), &empty(), "us-east-1", None, NOW).unwrap();
    assert_eq!(
        actions(&plan),
        ["iam:CreateOpenIDConnectProvider", "iam:CreateRole"]
    );
    assert_eq!(
        plan.changes()[0],
        &Change::CreateProvider {
            url: "https://acme.semaphoreci.com".into(),
            client_ids: vec!["https://acme.semaphoreci.com".into()],
        }
    );
    assert_eq!(plan.scope, "ref", "the tightest scope: this branch exactly");
    let condition = &plan.policy["Statement"][0]["Condition"]["StringEquals"];
    assert_eq!(
        condition["acme.semaphoreci.com:sub"],
        format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main")
    );
    assert_eq!(
        condition["acme.semaphoreci.com:aud"],
        "https://acme.semaphoreci.com"
    );
    assert_eq!(
        plan.policy["Statement"][0]["Principal"]["Federated"],
        format!("arn:aws:iam::{ACCOUNT}:oidc-provider/acme.semaphoreci.com")
    );
    assert!(
        plan.snippet
            .contains("--web-identity-token $SEMAPHORE_OIDC_TOKEN")
    );
    assert!(plan.snippet.contains(&format!(
        "export ROLE_ARN=\"arn:aws:iam::{ACCOUNT}:role/ci-oidc\""
    )));
    assert!(plan.snippet.contains("jq -r '.Credentials.SessionToken'"));
    assert!(
        plan.trustlens_snippet
            .as_deref()
            .is_some_and(|s| s.contains("trustlens assume --role arn:aws:iam::"))
    );
    assert!(plan.blast_radius[0].admitted);
    assert!(
        plan.blast_radius.iter().skip(1).all(|row| !row.admitted),
        "no sibling: {:?}",
        plan.blast_radius
    );
}

#[test]
fn a_complete_account_needs_nothing() {
    let first = plan(&semaphore(), &empty(), "us-east-1", None, NOW).unwrap();
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    let role = role(&first.policy);
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        ..empty()
    };
    let second = plan(&semaphore(), &account, "us-east-1", None, NOW).unwrap();
    assert!(second.is_done(), "{:?}", second.changes());
    let statuses: Vec<Status> = second.steps[..2]
        .iter()
        .flat_map(|step| step.checks.iter().map(|check| check.status))
        .collect();
    assert!(!statuses.contains(&Status::Todo), "{statuses:?}");
}

#[test]
fn a_provider_without_the_audience_gets_it_added() {
    let providers = [semaphore_provider(&["sts.amazonaws.com"])];
    let account = AccountState {
        providers: &providers,
        ..empty()
    };
    let plan = plan(&semaphore(), &account, "us-east-1", None, NOW).unwrap();
    assert_eq!(
        plan.changes()[0],
        &Change::AddClientId {
            provider_arn: providers[0].arn.clone(),
            client_id: "https://acme.semaphoreci.com".into(),
        }
    );
    assert!(
        plan.steps[0]
            .checks
            .iter()
            .any(|c| c.status == Status::Todo && c.text.contains("Incorrect token audience")),
        "{:?}",
        plan.steps[0].checks
    );
}

#[test]
fn a_too_wide_trust_policy_is_narrowed_with_a_diff() {
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    let wide = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": providers[0].arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                "StringLike": {"acme.semaphoreci.com:sub": "org:acme:*"},
            }
        }]
    });
    let role = role(&wide);
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        ..empty()
    };
    let plan = plan(&semaphore(), &account, "us-east-1", None, NOW).unwrap();
    let [Change::UpdateTrustPolicy { diff, policy, .. }] = plan.changes()[..] else {
        panic!("{:?}", plan.changes());
    };
    assert!(diff.contains("-         \"StringLike\": {"), "{diff}");
    assert!(
        diff.contains("+           \"acme.semaphoreci.com:sub\": \"org:acme:project:"),
        "{diff}"
    );
    assert_eq!(policy, &plan.policy);
    let why = &plan.steps[1].checks;
    assert!(
        why.iter()
            .any(|c| c.status == Status::Todo && c.text.contains("wider than intended")),
        "{why:?}"
    );
    // The linter's view of the old policy is shown with it.
    assert!(
        why.iter()
            .any(|c| c.status == Status::Warn && c.text.starts_with("lint TL014 (warning)")),
        "{why:?}"
    );
}

#[test]
fn lint_findings_on_the_existing_policy_are_shown_in_step_2() {
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    // No condition at all: every Semaphore organisation's jobs could assume it.
    let open = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": providers[0].arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
        }]
    });
    let role = role(&open);
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        ..empty()
    };
    let plan = plan(&semaphore(), &account, "us-east-1", None, NOW).unwrap();
    let lint: Vec<&Check> = plan.steps[1]
        .checks
        .iter()
        .filter(|c| c.text.starts_with("lint TL"))
        .collect();
    assert!(!lint.is_empty(), "{:?}", plan.steps[1].checks);
    assert!(lint.iter().all(|c| c.status == Status::Warn));
    assert!(
        lint.iter().any(|c| c
            .text
            .starts_with("lint TL010 (warning): its trust policy: ")),
        "{lint:?}"
    );
}

#[test]
fn a_policy_that_refuses_the_job_is_replaced() {
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = role(&other);
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        ..empty()
    };
    let plan = plan(&semaphore(), &account, "us-east-1", None, NOW).unwrap();
    assert_eq!(actions(&plan), ["iam:UpdateAssumeRolePolicy"]);
}

#[test]
fn a_permissions_policy_is_attached_once() {
    let request = Request {
        permissions_policy: Some("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
        ..semaphore()
    };
    let plan1 = plan(&request, &empty(), "us-east-1", None, NOW).unwrap();
    assert_eq!(
        actions(&plan1),
        [
            "iam:CreateOpenIDConnectProvider",
            "iam:CreateRole",
            "iam:AttachRolePolicy"
        ]
    );
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    let role = role(&plan1.policy);
    let attached = ["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()];
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        attached: &attached,
        ..empty()
    };
    assert!(
        plan(&request, &account, "us-east-1", None, NOW)
            .unwrap()
            .is_done()
    );
    let bad = Request {
        permissions_policy: Some("ReadOnlyAccess".into()),
        ..semaphore()
    };
    assert!(matches!(
        plan(&bad, &empty(), "us-east-1", None, NOW),
        Err(SetupError::BadValue {
            flag: "permissions-policy",
            ..
        })
    ));
}

#[test]
fn every_platform_plans_from_an_empty_account() {
    let cases = [
        (
            "semaphore",
            Some("acme"),
            Some(PROJECT),
            Some("web"),
            None,
            None,
        ),
        ("github", Some("octo"), Some("web"), None, None, None),
        ("gitlab", Some("group/sub"), Some("web"), None, None, None),
        (
            "circleci",
            Some("9f3c1b0e-1234-4d2a-9e8f-1a2b3c4d5e6f"),
            Some("0b1c2d3e-1234-4d2a-9e8f-1a2b3c4d5e6f"),
            None,
            None,
            None,
        ),
        (
            "bitbucket",
            Some("acme"),
            Some("{e4403a47-6010-4a36-b477-117db9680f45}"),
            None,
            None,
            Some("ari:cloud:bitbucket::workspace/bd5ab8df-e1b9-4a2c-8d9d-156e32704c99"),
        ),
        ("buildkite", Some("acme"), Some("deploy"), None, None, None),
        (
            "hcp-terraform",
            Some("acme"),
            Some("Default Project"),
            Some("prod"),
            None,
            None,
        ),
        (
            "eks",
            None,
            Some("payments"),
            Some("api"),
            Some("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E"),
            None,
        ),
        (
            "spacelift",
            Some("acme"),
            Some("root"),
            Some("infra"),
            None,
            None,
        ),
        (
            "google",
            None,
            Some("112233445566778899001"),
            None,
            None,
            None,
        ),
    ];
    for (platform, org, project, repo, issuer, audience) in cases {
        let request = Request {
            platform: platform.into(),
            org: org.map(Into::into),
            project: project.map(Into::into),
            repo: repo.map(Into::into),
            issuer: issuer.map(Into::into),
            audience: audience.map(Into::into),
            branch: "main".into(),
            role_name: "ci-oidc".into(),
            ..Request::default()
        };
        let plan = plan(&request, &empty(), "eu-west-1", None, NOW)
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        assert!(plan.blast_radius[0].admitted, "{platform}: the job itself");
        let creates_role = plan
            .changes()
            .iter()
            .any(|c| c.action() == "iam:CreateRole");
        assert!(creates_role, "{platform}");
        let creates_provider = plan
            .changes()
            .iter()
            .any(|c| c.action() == "iam:CreateOpenIDConnectProvider");
        assert_eq!(creates_provider, platform != "google", "{platform}");
        assert!(
            plan.snippet.contains(&plan.role_arn),
            "{platform}: {}",
            plan.snippet
        );
        let sub_key = format!("{}:sub", plan.provider().key_prefix());
        let condition = &plan.policy["Statement"][0]["Condition"];
        assert!(
            condition["StringEquals"].get(&sub_key).is_some()
                || condition["StringLike"].get(&sub_key).is_some(),
            "{platform}: sub is always tested: {condition}"
        );
        // What setup writes passes its own linter: no error, no warning.
        let text = serde_json::to_string_pretty(&plan.policy).unwrap_or_default();
        let account = AccountState {
            providers: &[],
            ..empty()
        };
        let lint = lint_checks("the planned policy", &text, &account);
        let warned: Vec<&Check> = lint
            .iter()
            .filter(|c| !c.text.contains("TL006") && !c.text.contains("TL007"))
            .collect();
        assert!(warned.is_empty(), "{platform}: {warned:?}\n{text}");
    }
}

#[test]
fn the_platform_snippets_use_their_own_idiom() {
    let github = Request {
        platform: "github".into(),
        org: Some("octo".into()),
        project: Some("web".into()),
        branch: "main".into(),
        role_name: "ci-oidc".into(),
        ..Request::default()
    };
    let plan = plan(&github, &empty(), "eu-west-1", None, NOW).unwrap();
    assert!(plan.snippet.contains("id-token: write"));
    assert!(
        plan.snippet
            .contains("aws-actions/configure-aws-credentials")
    );
    assert!(plan.snippet.contains("aws-region: eu-west-1"));
    let gitlab = Request {
        platform: "gitlab".into(),
        org: Some("group".into()),
        project: Some("web".into()),
        ..github
    };
    let plan = super::plan(&gitlab, &empty(), "eu-west-1", None, NOW).unwrap();
    assert!(
        plan.snippet
            .contains("id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: https://gitlab.com")
    );
}

#[test]
fn missing_and_unused_inputs_are_named() {
    let request = Request {
        repo: None,
        ..semaphore()
    };
    let error = plan(&request, &empty(), "us-east-1", None, NOW).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Semaphore needs --repo: the repository's name, without its owner"
    );
    let request = Request {
        platform: "github".into(),
        ..semaphore()
    };
    let error = plan(&request, &empty(), "us-east-1", None, NOW).unwrap_err();
    assert_eq!(
        error.to_string(),
        "GitHub Actions does not use --repo (it takes --org, --project)"
    );
    let request = Request {
        platform: "jenkins".into(),
        ..semaphore()
    };
    let error = plan(&request, &empty(), "us-east-1", None, NOW).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("there is no platform \"jenkins\"; the platforms: semaphore, github"),
        "{error}"
    );
    let request = Request {
        org: Some("ac\u{1b}me".into()),
        ..semaphore()
    };
    assert!(matches!(
        plan(&request, &empty(), "us-east-1", None, NOW),
        Err(SetupError::BadValue { flag: "org", .. })
    ));
    let request = Request {
        role_name: "ci oidc".into(),
        ..semaphore()
    };
    assert!(matches!(
        plan(&request, &empty(), "us-east-1", None, NOW),
        Err(SetupError::BadValue {
            flag: "role-name",
            ..
        })
    ));
}

#[test]
fn a_project_name_where_the_sub_has_an_id_is_warned_about() {
    let request = Request {
        project: Some("web".into()),
        ..semaphore()
    };
    let plan = plan(&request, &empty(), "us-east-1", None, NOW).unwrap();
    assert!(
        plan.steps[1]
            .checks
            .iter()
            .any(|c| c.status == Status::Warn && c.text.contains("is not a UUID")),
        "{:?}",
        plan.steps[1].checks
    );
}

#[test]
fn a_token_at_hand_is_checked_against_the_planned_policy() {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!("https://acme.semaphoreci.com"));
    claims.insert("aud".into(), json!("https://acme.semaphoreci.com"));
    let sub = |reference: &str, kind: &str| {
        json!(format!(
            "org:acme:project:{PROJECT}:repo:web:ref_type:{kind}:ref:{reference}"
        ))
    };
    claims.insert("sub".into(), sub("refs/heads/main", "branch"));
    let step3 = |claims: &Map<String, Value>| {
        plan(&semaphore(), &empty(), "us-east-1", Some(claims), NOW)
            .unwrap()
            .steps[2]
            .checks
            .clone()
    };
    assert!(step3(&claims).iter().any(|c| c.status == Status::Done));
    claims.insert("sub".into(), sub("refs/pull/1/merge", "pull-request"));
    assert!(
        step3(&claims)
            .iter()
            .any(|c| c.status == Status::Warn && c.text.contains("is refused"))
    );
}

#[test]
fn the_shared_issuer_guardrail_is_reported() {
    let request = Request {
        platform: "buildkite".into(),
        org: Some("acme".into()),
        project: Some("deploy".into()),
        repo: None,
        ..semaphore()
    };
    let plan = plan(&request, &empty(), "us-east-1", None, NOW).unwrap();
    assert!(
        plan.steps[1]
            .checks
            .iter()
            .any(|c| c.text.contains("agent.buildkite.com:sub, as IAM requires")),
        "{:?}",
        plan.steps[1].checks
    );
}

#[test]
fn the_changes_render_as_infrastructure_code() {
    let request = Request {
        permissions_policy: Some("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
        ..semaphore()
    };
    let plan = plan(&request, &empty(), "us-east-1", None, NOW).unwrap();
    let cli = render(Format::Cli, &plan);
    assert!(
        cli.contains("aws iam create-open-id-connect-provider --url https://acme.semaphoreci.com"),
        "{cli}"
    );
    assert!(
        cli.contains("aws iam create-role --role-name ci-oidc"),
        "{cli}"
    );
    assert!(cli.contains("aws iam attach-role-policy --role-name ci-oidc --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess"), "{cli}");
    let terraform = render(Format::Terraform, &plan);
    assert!(
        terraform.contains("resource \"aws_iam_role_policy_attachment\""),
        "{terraform}"
    );
    let yaml = render(Format::Cloudformation, &plan);
    assert!(
        yaml.contains(
            "      ManagedPolicyArns:\n        - \"arn:aws:iam::aws:policy/ReadOnlyAccess\""
        ),
        "{yaml}"
    );
}

#[test]
fn a_policy_narrower_than_the_scope_asked_for_is_widened_to_it() {
    let first = plan(&semaphore(), &empty(), "us-east-1", None, NOW).unwrap();
    let providers = [semaphore_provider(&["https://acme.semaphoreci.com"])];
    let role = role(&first.policy);
    let account = AccountState {
        providers: &providers,
        role: Some(&role),
        ..empty()
    };
    let any_branch = Request {
        scope: Some("any-branch".into()),
        ..semaphore()
    };
    let plan = plan(&any_branch, &account, "us-east-1", None, NOW).unwrap();
    assert_eq!(actions(&plan), ["iam:UpdateAssumeRolePolicy"]);
    assert!(
        plan.steps[1]
            .checks
            .iter()
            .any(|c| c.status == Status::Todo && c.text.contains("narrower than the scope")),
        "{:?}",
        plan.steps[1].checks
    );
}
