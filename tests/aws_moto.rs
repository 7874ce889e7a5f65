//! Live AWS code against a real local endpoint: moto's IAM and STS, started per test on
//! 127.0.0.1. Providers and up to 5,000 roles are created through the IAM API; `roles`, `providers`,
//! `snapshot`, `scan` and `assume` run as the real binary against them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/moto.rs"]
mod moto;

use std::time::{SystemTime, UNIX_EPOCH};

use common::signed_rs256;
use moto::Moto;
use serde_json::{Value, json};

const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";
const SEMAPHORE: &str = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A trust policy for Semaphore jobs of acme/web matching `sub_pattern`.
fn semaphore_policy(operator: &str, sub_pattern: &str) -> String {
    // One object per operator: under StringEquals the sub joins the aud (a second
    // "StringEquals" member would replace the first).
    let mut condition =
        json!({"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"}});
    condition[operator]["acme.semaphoreci.com:sub"] = json!(sub_pattern);
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": SEMAPHORE},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }]
    })
    .to_string()
}

/// Two providers and `count` roles: a handful trusting Semaphore, the rest an EC2 service.
fn populate(moto: &Moto, count: usize) {
    let client = moto.iam();
    runtime().block_on(async {
        client
            .create_open_id_connect_provider()
            .url("https://acme.semaphoreci.com")
            .client_id_list("https://acme.semaphoreci.com")
            .thumbprint_list("0".repeat(40))
            .send()
            .await
            .unwrap();
        client
            .create_open_id_connect_provider()
            .url("https://token.actions.githubusercontent.com")
            .client_id_list("sts.amazonaws.com")
            .thumbprint_list("6938fd4d98bab03faadb97b34396831e3780aea1")
            .send()
            .await
            .unwrap();
        let special = [
            ("deploy-prod", semaphore_policy("StringEquals", &format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"))),
            ("web-branches", semaphore_policy("StringLike", &format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:*"))),
            ("web-tags", semaphore_policy("StringLike", &format!("org:acme:project:{PROJECT}:repo:web:ref_type:tag:*"))),
        ];
        let mut tasks = tokio::task::JoinSet::new();
        for index in 0..count {
            let client = client.clone();
            let (name, policy) = match special.get(index) {
                Some((name, policy)) => ((*name).to_owned(), policy.clone()),
                None => (
                    format!("service-{index:04}"),
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
                    .to_string(),
                ),
            };
            tasks.spawn(async move {
                // moto's IAM backend is not thread-safe and now and then answers 500 under
                // concurrent writes: try again, and accept a role an earlier try did create.
                for attempt in 1..=5 {
                    let created = client.create_role().role_name(&name).path("/ci/")
                        .assume_role_policy_document(&policy).send().await;
                    match created {
                        Ok(_) => return,
                        Err(error) if error.as_service_error().is_some_and(|e| e.is_entity_already_exists_exception()) => return,
                        Err(error) if attempt == 5 => panic!("moto refused to create {name}: {error:?}"),
                        Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await,
                    }
                }
            });
            if tasks.len() >= 8 {
                tasks.join_next().await.unwrap().unwrap();
            }
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    });
}

fn trustlens(moto: &Moto, args: &[&str], token: Option<&str>) -> (i32, String, String) {
    let mut command = common::against_aws(&moto.endpoint);
    command.args(args);
    if let Some(token) = token {
        command.env("SEMAPHORE_OIDC_TOKEN", token);
    }
    let output = common::run(&mut command);
    (output.code, output.stdout, output.stderr)
}

fn semaphore_token(ref_type: &str, reference: &str) -> String {
    let issued = now() - 60;
    signed_rs256(
        "k1",
        &json!({
            "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
            "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:{ref_type}:ref:{reference}"),
            "iat": issued, "nbf": issued, "exp": issued + 86_400,
        }),
    )
}

#[test]
fn roles_providers_and_pagination_over_1200_roles() {
    let moto = Moto::start();
    populate(&moto, 1_200);
    let (code, stdout, stderr) = trustlens(&moto, &["roles", "--json"], None);
    assert_eq!(code, 0, "{stderr}");
    let roles: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        roles.len(),
        1_200,
        "ListRoles must be paged to the end (MaxItems 1000, then the marker)"
    );
    let deploy = roles.iter().find(|r| r["name"] == "deploy-prod").unwrap();
    let stored: Value = serde_json::from_str(deploy["trust_policy"].as_str().unwrap()).unwrap();
    let created: Value = serde_json::from_str(&semaphore_policy(
        "StringEquals",
        &format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"),
    ))
    .unwrap();
    assert_eq!(
        stored, created,
        "the trust policy round-trips through IAM's URL encoding"
    );
    assert_eq!(deploy["trusts"], json!(["acme.semaphoreci.com"]));

    let (code, stdout, _) = trustlens(&moto, &["providers", "--json"], None);
    assert_eq!(code, 0);
    let providers: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let urls: Vec<&str> = providers
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 2);
    assert!(urls.contains(&"acme.semaphoreci.com"));
    let semaphore = providers
        .iter()
        .find(|p| p["url"] == "acme.semaphoreci.com")
        .unwrap();
    assert_eq!(
        semaphore["client_ids"],
        json!(["https://acme.semaphoreci.com"])
    );
    let mut users: Vec<&str> = semaphore["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    users.sort_unstable();
    assert_eq!(users, ["deploy-prod", "web-branches", "web-tags"]);
}

#[test]
fn snapshot_then_offline_scan_equals_the_live_scan() {
    let moto = Moto::start();
    populate(&moto, 40);
    let token = semaphore_token("pull-request", "refs/pull/42/merge");
    let (code, live, stderr) = trustlens(&moto, &["scan", "--json"], Some(&token));
    assert_eq!(code, 3, "no role admits a PR job: {stderr}");
    let file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-snapshot.json");
    let file = file.display().to_string();
    let (code, _, stderr) = trustlens(&moto, &["snapshot", "-o", &file], None);
    assert_eq!(code, 0, "{stderr}");
    let (code, offline, _) = trustlens(
        &moto,
        &["--snapshot", &file, "scan", "--json"],
        Some(&token),
    );
    assert_eq!(code, 3);
    let without_source = |text: &str| {
        let mut value: Value = serde_json::from_str(text).unwrap();
        value.as_object_mut().unwrap().remove("account");
        value
    };
    assert_eq!(without_source(&live), without_source(&offline));
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        live["counts"],
        json!({"allowed": 0, "conditional": 0, "near-miss": 3, "far": 0, "unrelated": 37})
    );
}

#[test]
fn assume_succeeds_through_motos_sts_in_every_format() {
    let moto = Moto::start();
    populate(&moto, 3);
    let token = semaphore_token("branch", "refs/heads/main");
    let (code, stdout, stderr) = trustlens(
        &moto,
        &["assume", "--role", "deploy-prod", "--format", "json"],
        Some(&token),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Local verdict for arn:aws:iam::123456789012:role/ci/deploy-prod"),
        "{stderr}"
    );
    assert!(
        stderr.contains("confirmed by GetCallerIdentity"),
        "{stderr}"
    );
    let credentials: Value = serde_json::from_str(&stdout).unwrap();
    let secret = credentials["SecretAccessKey"].as_str().unwrap().to_owned();
    assert!(
        credentials["AccessKeyId"]
            .as_str()
            .is_some_and(|k| !k.is_empty())
    );
    assert!(!stderr.contains(&secret), "secrets stay on stdout");

    let (code, env, _) = trustlens(&moto, &["assume", "--role", "deploy-prod"], Some(&token));
    assert_eq!(code, 0);
    let names: Vec<&str> = env
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split('=').next())
        .collect();
    assert_eq!(
        names,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN"
        ]
    );

    let (code, process, _) = trustlens(
        &moto,
        &[
            "assume",
            "--role",
            "deploy-prod",
            "--format",
            "credential-process",
        ],
        Some(&token),
    );
    assert_eq!(code, 0);
    let process: Value = serde_json::from_str(&process).unwrap();
    assert_eq!(process["Version"], 1);

    let (code, _, stderr) = trustlens(
        &moto,
        &["assume", "--role", "deploy-prod", "--dry-run"],
        Some(&semaphore_token("pull-request", "refs/pull/42/merge")),
    );
    assert_eq!(code, 3, "the dry run reports the local refusal");
    assert!(
        stderr.contains("this job ran for pull request #42"),
        "{stderr}"
    );
}

/// Inside a pipeline the role comes from `AWS_ROLE_ARN` (beside `AWS_WEB_IDENTITY_TOKEN_FILE`),
/// and without it `assume` says what it needs.
#[test]
fn assume_takes_the_role_from_aws_role_arn() {
    let moto = Moto::start();
    populate(&moto, 3);
    let token = semaphore_token("branch", "refs/heads/main");
    let mut command = common::against_aws(&moto.endpoint);
    command
        .args(["assume", "--format", "json"])
        .env("SEMAPHORE_OIDC_TOKEN", &token)
        .env(
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/ci/deploy-prod",
        );
    let output = common::run(&mut command);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains("assumed-role/deploy-prod"),
        "{}",
        output.stdout
    );

    let (code, _, stderr) = trustlens(&moto, &["assume"], Some(&token));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--role NAME|ARN, or AWS_ROLE_ARN"),
        "{stderr}"
    );
}

#[test]
fn a_5000_role_snapshot_round_trips_and_scans() {
    let moto = Moto::start();
    populate(&moto, 5_000);
    let file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-5000-roles.json");
    let file = file.display().to_string();
    let (code, _, stderr) = trustlens(&moto, &["snapshot", "-o", &file], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("(2 providers, 5000 roles"), "{stderr}");
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > 1024 * 1024, "{size} bytes: more than the token cap");

    let (code, stdout, stderr) = trustlens(
        &moto,
        &["--snapshot", &file, "scan", "--json"],
        Some(&semaphore_token("pull-request", "refs/pull/42/merge")),
    );
    assert_eq!(code, 3, "no role admits a PR job: {stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["counts"],
        json!({"allowed": 0, "conditional": 0, "near-miss": 3, "far": 0, "unrelated": 4_997})
    );
    assert_eq!(report["roles"].as_array().map(Vec::len), Some(5_000));

    let (code, stdout, stderr) = trustlens(
        &moto,
        &["--snapshot", &file, "scan", "--json"],
        Some(&semaphore_token("branch", "refs/heads/main")),
    );
    assert_eq!(code, 0, "main may assume deploy-prod: {stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["counts"]["allowed"], 2, "{}", report["counts"]);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn policy_cli_commands_create_the_provider_and_role_in_moto_and_the_token_assumes_it() {
    let moto = Moto::start();
    let token = semaphore_token("branch", "refs/heads/main");
    let (code, script, stderr) = trustlens(
        &moto,
        &["policy", "--format", "cli", "--role-name", "ci-oidc"],
        Some(&token),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        script.contains(
            r#"aws iam create-open-id-connect-provider --url https://acme.semaphoreci.com --client-id-list '["https://acme.semaphoreci.com"]'"#
        ),
        "the real audience, no placeholder, as JSON so that AWS CLI v1 does not fetch it: {script}"
    );
    let ran = moto.run_aws_script("policy-cli-create", &script);
    assert!(
        ran.status.success(),
        "the aws CLI failed (is it installed? `pip install awscli`): {}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    let (code, _, stderr) = trustlens(
        &moto,
        &["assume", "--role", "ci-oidc", "--format", "json"],
        Some(&token),
    );
    assert_eq!(
        code, 0,
        "the new role admits the token through moto's STS: {stderr}"
    );

    // Now that both exist, the commands update the role's trust policy instead: edited, so the
    // exact ref it admitted stays admitted.
    let (code, script, stderr) = trustlens(
        &moto,
        &[
            "policy",
            "--format",
            "cli",
            "--role-name",
            "ci-oidc",
            "--scope",
            "any-branch",
        ],
        Some(&token),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the account has the role arn:aws:iam::123456789012:role/ci-oidc already: its trust policy is edited, not replaced"),
        "{stderr}"
    );
    assert!(stderr.contains("edit: add "), "{stderr}");
    assert!(
        script.contains("# The account has this provider already"),
        "{script}"
    );
    assert!(
        script.contains("aws iam update-assume-role-policy"),
        "{script}"
    );
    let ran = moto.run_aws_script("policy-cli-update", &script);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let feature = semaphore_token("branch", "refs/heads/feature");
    let (code, _, stderr) = trustlens(
        &moto,
        &["assume", "--role", "ci-oidc", "--format", "json"],
        Some(&feature),
    );
    assert_eq!(code, 0, "any branch is admitted now: {stderr}");
    let (code, _, stderr) = trustlens(
        &moto,
        &["assume", "--role", "ci-oidc", "--dry-run"],
        Some(&token),
    );
    assert_eq!(code, 0, "and main still is: {stderr}");
    let pr = semaphore_token("pull-request", "refs/pull/1/merge");
    let (code, _, _) = trustlens(
        &moto,
        &["assume", "--role", "ci-oidc", "--dry-run"],
        Some(&pr),
    );
    assert_eq!(code, 3, "pull requests are not");
}

#[test]
fn lint_reads_every_role_of_the_live_account() {
    let moto = Moto::start();
    populate(&moto, 5);
    let client = moto.iam();
    let open = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]});
    runtime().block_on(async {
        client
            .create_role()
            .role_name("github-open")
            .assume_role_policy_document(open.to_string())
            .send()
            .await
            .unwrap();
    });
    let (code, stdout, stderr) = trustlens(&moto, &["lint", "--no-config", "--json"], None);
    assert_eq!(code, 3, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let roles = report["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 6, "every role is linted: {stdout}");
    let open = roles.iter().find(|r| r["name"] == "github-open").unwrap();
    assert_eq!(open["findings"][0]["rule"], "TL009", "{open}");
    assert_eq!(open["findings"][0]["admits"], "any repository on GitHub");
    let deploy = roles.iter().find(|r| r["name"] == "deploy-prod").unwrap();
    // StringEquals on both `aud` and the exact `sub`: only the note that it would deny a
    // Semaphore token with session tags.
    let rules: Vec<&str> = deploy["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|finding| finding["rule"].as_str())
        .collect();
    assert_eq!(rules, ["TL044"], "the tight role: {deploy}");
    assert_eq!(
        report["not_run"],
        json!([]),
        "the live account gives the account rules"
    );
}
