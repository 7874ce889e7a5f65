//! One token against 5,000 realistic, varied trust policies: parsed once, evaluated all
//! (figures in benches/README.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use trustlens::account::Provider;
use trustlens::eval::{
    Decision, ExplainInputs, PolicyDecision, Request, RequestContext, WebIdentityInputs, decide,
    evaluate, explain, required_actions,
};
use trustlens::policy::{self, PolicyDocument};

const NOW: i64 = 1_795_629_600;
const ACCOUNT: &str = "123456789012";
const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";

fn provider_arn(host: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{host}")
}

/// The `i`-th policy: Semaphore, GitHub, GitLab and EKS shapes, allowing and denying, with
/// StringEquals, StringLike, several values, IfExists, set operators and Deny statements.
fn policy(i: usize) -> Value {
    let semaphore = provider_arn("acme.semaphoreci.com");
    let statement = |principal: &str, condition: Value| {
        json!({"Effect": "Allow", "Principal": {"Federated": principal},
               "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
    };
    let statements = match i % 8 {
        0 => vec![statement(
            &semaphore,
            json!({"StringEquals": {
            "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
            "acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main")}}),
        )],
        1 => vec![statement(
            &semaphore,
            json!({
            "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
            "StringLike": {"acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/release-{i}*")}}),
        )],
        2 => vec![statement(
            &provider_arn("token.actions.githubusercontent.com"),
            json!({"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [format!("repo:octo-org/repo-{i}:environment:prod"), "repo:octo-org/x:ref:refs/heads/main"]}}),
        )],
        3 => vec![statement(
            &provider_arn("gitlab.com"),
            json!({"StringLike": {
            "gitlab.com:sub": format!("project_path:group-{i}/*:ref_type:branch:ref:main")}}),
        )],
        4 => vec![
            statement(
                &provider_arn("oidc.eks.us-east-1.amazonaws.com/id/ABC"),
                json!({"StringEquals": {
                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": format!("system:serviceaccount:ns-{i}:app")}}),
            ),
            statement(
                &semaphore,
                json!({"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                "StringNotEqualsIfExists": {"aws:RequestTag/job_type": "pipeline_job"}}),
            ),
        ],
        5 => vec![
            statement(
                &semaphore,
                json!({"StringLike": {"acme.semaphoreci.com:sub": "org:acme:*"}}),
            ),
            json!({"Effect": "Deny", "Principal": {"Federated": semaphore}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"acme.semaphoreci.com:sub": "*:ref_type:pull-request:*"}}}),
        ],
        6 => vec![statement(
            &semaphore,
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["repo", "branch"]},
            "StringEquals": {"acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web-{i}:ref_type:tag:ref:refs/tags/v1")}}),
        )],
        _ => vec![statement(
            &semaphore,
            json!({"StringEquals": {
            "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
            "acme.semaphoreci.com:sub": format!("org:acme:project:${{acme.semaphoreci.com:aud}}:{i}")}}),
        )],
    };
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn policies() -> Vec<PolicyDocument> {
    (0..5_000)
        .filter_map(|i| policy::parse(&policy(i).to_string()).ok())
        .collect()
}

fn claims() -> serde_json::Map<String, Value> {
    json!({
        "iss": "https://acme.semaphoreci.com",
        "aud": "https://acme.semaphoreci.com",
        "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"),
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 86_340,
        "ref_type": "branch", "branch": "main", "job_type": "pipeline_job",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn eval(c: &mut Criterion) {
    let policies = policies();
    assert_eq!(policies.len(), 5_000, "every generated policy must parse");
    let claims = claims();
    let provider = Provider::new(
        "aws",
        ACCOUNT,
        "https://acme.semaphoreci.com",
        vec!["https://acme.semaphoreci.com".to_owned()],
    );
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/deploy");
    let context = RequestContext::for_web_identity(WebIdentityInputs {
        claims: &claims,
        provider: &provider,
        role_arn: &role_arn,
        session_name: "ci",
        role_tags: &[],
        now: NOW,
        region: Some("eu-west-1"),
    });
    let request = Request {
        principal: provider.arn.clone(),
        actions: required_actions(&claims),
    };

    c.bench_function("decide 5,000 trust policies (context built once)", |b| {
        b.iter(|| {
            policies
                .iter()
                .filter(|document| {
                    decide(document, black_box(&context), &request) == PolicyDecision::Allowed
                })
                .count()
        })
    });
    c.bench_function(
        "evaluate 5,000 trust policies with full traces (context built once)",
        |b| {
            b.iter(|| {
                policies
                    .iter()
                    .filter(|document| {
                        evaluate(document, black_box(&context), &request)
                            .deciding
                            .is_none()
                    })
                    .count()
            })
        },
    );
    let providers = [provider.clone()];
    c.bench_function(
        "explain 5,000 roles (pre-checks, context, policy, advice per role)",
        |b| {
            b.iter(|| {
                policies
                    .iter()
                    .filter(|document| {
                        let verdict = explain(&ExplainInputs {
                            token: None,
                            claims: black_box(&claims),
                            policy: document,
                            providers: &providers,
                            role_arn: &role_arn,
                            session_name: "ci",
                            role_tags: &[],
                            context_overrides: &[],
                            region: None,
                            now: NOW,
                            signature: None,
                        });
                        verdict.decision == Decision::Allowed
                    })
                    .count()
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = eval
}
criterion_main!(benches);
