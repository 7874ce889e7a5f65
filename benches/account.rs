//! Large accounts in process: a 5,000-role snapshot read (JSON, every trust policy parsed
//! once), its trust policies parsed alone, the account scanned with one token, and every role
//! linted. The
//! snapshot is the one `benches/scan_large.py` writes (same roles, same trust policies, same
//! layouts); figures in benches/README.md.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Serialize;
use serde_json::ser::PrettyFormatter;
use serde_json::{Value, json};
use trustlens::account::Snapshot;
use trustlens::eval::{ScanInputs, scan};
use trustlens::lint::{AccountFacts, LintInputs, lint};
use trustlens::policy;
use trustlens::token::Token;

const ROLES: usize = 5_000;
const ACCOUNT: &str = "123456789012";
const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";
const NOW: i64 = 1_795_629_600;

fn provider_arn(host: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{host}")
}

fn web_identity(principal: &str, condition: Value) -> Value {
    json!({"Effect": "Allow", "Principal": {"Federated": principal},
           "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
}

/// The `i`-th trust policy: benches/eval.rs's eight shapes, then service and account roles.
fn policy_document(i: usize) -> Value {
    let semaphore = provider_arn("acme.semaphoreci.com");
    let statements = match i % 10 {
        0 => vec![web_identity(
            &semaphore,
            json!({"StringEquals": {
                "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
                "acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main")}}),
        )],
        1 => vec![web_identity(
            &semaphore,
            json!({
                "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                "StringLike": {"acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/release-{i}*")}}),
        )],
        2 => vec![web_identity(
            &provider_arn("token.actions.githubusercontent.com"),
            json!({"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": [format!("repo:octo-org/repo-{i}:environment:prod"), "repo:octo-org/x:ref:refs/heads/main"]}}),
        )],
        3 => vec![web_identity(
            &provider_arn("gitlab.com"),
            json!({"StringLike": {"gitlab.com:sub": format!("project_path:group-{i}/*:ref_type:branch:ref:main")}}),
        )],
        4 => vec![
            web_identity(
                &provider_arn("oidc.eks.us-east-1.amazonaws.com/id/ABC"),
                json!({"StringEquals": {
                    "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": format!("system:serviceaccount:ns-{i}:app")}}),
            ),
            web_identity(
                &semaphore,
                json!({"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                       "StringNotEqualsIfExists": {"aws:RequestTag/job_type": "pipeline_job"}}),
            ),
        ],
        5 => vec![
            web_identity(
                &semaphore,
                json!({"StringLike": {"acme.semaphoreci.com:sub": "org:acme:*"}}),
            ),
            json!({"Effect": "Deny", "Principal": {"Federated": semaphore}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"acme.semaphoreci.com:sub": "*:ref_type:pull-request:*"}}}),
        ],
        6 => vec![web_identity(
            &semaphore,
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["repo", "branch"]},
                   "StringEquals": {"acme.semaphoreci.com:sub": format!("org:acme:project:{PROJECT}:repo:web-{i}:ref_type:tag:ref:refs/tags/v1")}}),
        )],
        7 => vec![web_identity(
            &semaphore,
            json!({"StringEquals": {
                "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
                "acme.semaphoreci.com:sub": format!("org:acme:project:${{acme.semaphoreci.com:aud}}:{i}")}}),
        )],
        8 => {
            let service = [
                "ec2.amazonaws.com",
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
            ][i % 3];
            vec![
                json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}),
            ]
        }
        _ => vec![json!({"Sid": "CrossAccount", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{}:root", 210_987_654_321 + i % 7)},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": format!("external-{i}")}}})],
    };
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The policy text in one of the layouts IAM hands back: compact, 2- or 4-space indented.
fn policy_text(i: usize) -> String {
    let document = policy_document(i);
    match i % 3 {
        0 => document.to_string(),
        1 => serde_json::to_string_pretty(&document).unwrap_or_default(),
        _ => {
            let mut out = Vec::new();
            let mut serializer = serde_json::Serializer::with_formatter(
                &mut out,
                PrettyFormatter::with_indent(b"    "),
            );
            let _ = document.serialize(&mut serializer);
            String::from_utf8(out).unwrap_or_default()
        }
    }
}

fn role(i: usize) -> Value {
    let team = ["web", "data", "platform", "payments", "search"][i % 5];
    let path = ["/", "/ci/", "/service-role/"][i % 3];
    let name = format!(
        "{team}-{}-{i:05}",
        ["deploy", "read", "migrate", "release"][i % 4]
    );
    let mut role = serde_json::Map::new();
    let arn = format!("arn:aws:iam::{ACCOUNT}:role{path}{name}");
    role.insert("name".into(), json!(name));
    role.insert("arn".into(), json!(arn));
    role.insert("path".into(), json!(path));
    if i.is_multiple_of(3) {
        role.insert(
            "description".into(),
            json!(format!("Assumed by {team} pipelines ({i})")),
        );
    }
    role.insert(
        "max_session_duration".into(),
        json!(if i.is_multiple_of(4) { 43_200 } else { 3_600 }),
    );
    role.insert(
        "create_date".into(),
        json!(format!(
            "2025-{:02}-{:02}T{:02}:{:02}:00Z",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60
        )),
    );
    if i.is_multiple_of(2) {
        role.insert(
            "tags".into(),
            json!([{"key": "team", "value": team}, {"key": "cost-center", "value": format!("cc-{}", i % 40)}]),
        );
    }
    role.insert("trust_policy".into(), json!(policy_text(i)));
    Value::Object(role)
}

/// A snapshot file of `roles` roles, as `trustlens snapshot` writes one.
fn snapshot_text(roles: usize) -> String {
    let file = json!({
        "format": "trustlens-snapshot", "version": 1, "captured_at": "2026-11-25T18:00:00Z",
        "account_id": ACCOUNT, "partition": "aws",
        "providers": [
            {"arn": provider_arn("acme.semaphoreci.com"), "url": "acme.semaphoreci.com",
             "client_ids": ["https://acme.semaphoreci.com"], "create_date": "2025-01-10T10:00:00Z"},
            {"arn": provider_arn("token.actions.githubusercontent.com"), "url": "token.actions.githubusercontent.com",
             "client_ids": ["sts.amazonaws.com"], "thumbprints": ["6938fd4d98bab03faadb97b34396831e3780aea1"]},
            {"arn": provider_arn("gitlab.com"), "url": "gitlab.com", "client_ids": ["https://gitlab.com"]},
        ],
        "roles": (0..roles).map(role).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// A Semaphore token for a push to main (not signed: a scan does not verify signatures).
fn token() -> Option<Token> {
    let part = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let claims = json!({
        "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
        "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"),
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 86_340,
        "ref_type": "branch", "branch": "main", "job_type": "pipeline_job",
    });
    let text = format!(
        "{}.{}.c2ln",
        part(json!({"alg": "RS256", "kid": "k"})),
        part(claims)
    );
    Token::decode(&text).ok()
}

fn account(c: &mut Criterion) {
    let text = snapshot_text(ROLES);
    let snapshot = Snapshot::load(&text);
    assert!(snapshot.is_ok(), "the generated snapshot must load");
    let Ok(snapshot) = snapshot else { return };
    let token = token();
    assert!(token.is_some(), "the generated token must decode");
    let Some(token) = token else { return };
    let policies: Vec<&str> = snapshot
        .account
        .roles
        .iter()
        .map(|role| role.trust_policy.text())
        .collect();

    c.bench_function(
        "load a 5,000-role snapshot (4.4 MiB; every trust policy parsed)",
        |b| b.iter(|| Snapshot::load(black_box(&text)).is_ok()),
    );
    c.bench_function("parse the 5,000 trust policies alone", |b| {
        b.iter(|| {
            policies
                .iter()
                .filter(|text| policy::parse(black_box(text)).is_ok())
                .count()
        })
    });
    c.bench_function("lint 5,000 roles (every rule, the account given)", |b| {
        let account = &snapshot.account;
        let facts = AccountFacts {
            account_id: &account.id,
            providers: &account.providers,
        };
        b.iter(|| {
            account
                .roles
                .iter()
                .filter_map(|role| {
                    let document = role.policy().ok()?;
                    Some(
                        lint(&LintInputs {
                            text: role.trust_policy.text(),
                            document,
                            account: Some(facts),
                        })
                        .findings
                        .len(),
                    )
                })
                .sum::<usize>()
        })
    });
    c.bench_function("scan 5,000 roles with one token", |b| {
        b.iter(|| {
            scan(&ScanInputs {
                token: Some(&token),
                claims: token.claims(),
                account: black_box(&snapshot.account),
                session_name: "ci",
                now: NOW,
                signature: None,
                region: Some("eu-west-1"),
            })
            .len()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = account
}
criterion_main!(benches);
