//! `trustlens policy` end to end: the real binary generates policies for every platform, its
//! JSON is re-read by `explain` (the policy admits the token, the blast radius agrees with the
//! engine row by row), and each renderer passes the real tool of its format: python-hcl2 and
//! checkov for Terraform, cfn-lint for CloudFormation. (The CLI renderer runs against moto in
//! tests/aws_moto.rs.) A validator that cannot start fails the test with an install hint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command as Process;

use assert_cmd::Command;
use common::{NOW, NOW_RFC3339, Output, run, temp_file};
use serde_json::{Value, json};

const INSTALL_HINT: &str = "run scripts/test.sh, which installs python-hcl2 and cfn-lint (pip) and checkov (in its own virtual environment, target/validators: its pinned botocore breaks awscli)";

/// checkov from scripts/test.sh's virtual environment, else from PATH.
fn checkov() -> String {
    let venv =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/validators/bin/checkov");
    if venv.exists() {
        venv.display().to_string()
    } else {
        "checkov".to_owned()
    }
}

fn policy(args: &[&str]) -> Output {
    run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .arg("policy")
        .args(args)
        .args(["--now", NOW_RFC3339]))
}

fn explain(args: &[&str]) -> Output {
    run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .arg("explain")
        .args(args)
        .args(["--now", NOW_RFC3339]))
}

/// Claims of a job of each platform (the demo's and three more).
fn platform_claims() -> Vec<(&'static str, Value)> {
    let issued = NOW - 60;
    let mut all: Vec<(&'static str, Value)> = [
        "semaphore-main",
        "semaphore-tag",
        "github-main",
        "github-prod",
        "gitlab-main",
        "circleci-main",
        "eks-app",
    ]
    .into_iter()
    .map(|name| (name, trustlens::account::demo::claims(name, NOW).unwrap()))
    .collect();
    all.push((
        "bitbucket",
        json!({
            "iss": "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
            "aud": "ari:cloud:bitbucket::workspace/bd5ab8df-e1b9-4a2c-8d9d-156e32704c99",
            "sub": "{e4403a47-6010-4a36-b477-117db9680f45}:{372c1080-d00f-4990-82af-9c3685563f88}",
            "repositoryUuid": "{e4403a47-6010-4a36-b477-117db9680f45}",
            "stepUuid": "{372c1080-d00f-4990-82af-9c3685563f88}",
            "iat": issued, "exp": issued + 3600,
        }),
    ));
    all.push((
        "buildkite",
        json!({
            "iss": "https://agent.buildkite.com", "aud": "sts.amazonaws.com",
            "sub": "organization:acme:pipeline:deploy:ref:refs/heads/main:commit:1da177e4c3f41524e886b7f1b8a0c1fc7321cac2:step:build",
            "organization_slug": "acme", "pipeline_slug": "deploy", "build_branch": "main",
            "iat": issued, "nbf": issued, "exp": issued + 300,
        }),
    ));
    all.push((
        "hcp-terraform",
        json!({
            "iss": "https://app.terraform.io", "aud": "aws.workload.identity",
            "sub": "organization:acme:project:Default Project:workspace:prod:run_phase:apply",
            "terraform_run_phase": "apply",
            "iat": issued, "nbf": issued, "exp": issued + 3600,
        }),
    ));
    all
}

fn generated(name: &str, claims: &Value, extra: &[&str]) -> Value {
    // One file per call: tests run in parallel, and a file another test is rewriting reads
    // as empty.
    let tag: String = extra
        .concat()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let path = temp_file(
        "policy",
        &format!("{name}-{tag}.claims.json"),
        claims.to_string(),
    );
    let mut args = vec!["--claims", &path, "--account-id", "123456789012", "--json"];
    args.extend_from_slice(extra);
    let out = policy(&args);
    assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn every_platform_gets_a_policy_that_explain_admits_and_a_blast_radius_explain_agrees_with() {
    let defaults = platform_claims();
    let of = |name: &str| defaults.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    // Each platform's default scope, and wider scopes whose rows differ in more than `sub`.
    let mut runs: Vec<(&str, Value, Vec<&str>)> = defaults
        .iter()
        .map(|(name, claims)| (*name, claims.clone(), Vec::new()))
        .collect();
    runs.push((
        "semaphore-any-branch",
        of("semaphore-main"),
        vec!["--scope", "any-branch"],
    ));
    runs.push((
        "github-workflow",
        of("github-main"),
        vec!["--scope", "workflow"],
    ));
    runs.push((
        "github-repository",
        of("github-prod"),
        vec!["--scope", "repository"],
    ));
    for (name, claims, extra) in runs {
        let report = generated(name, &claims, &extra);
        assert_eq!(report["admits_token"], true, "{name}");
        let policy_path = temp_file(
            "policy",
            &format!("{name}.policy.json"),
            report["policy"].to_string(),
        );
        let client_id = report["provider"]["client_ids"][0].as_str().unwrap();
        let rows = report["blast_radius"].as_array().unwrap();
        assert!(rows.len() >= 2, "{name}: {rows:?}");
        for row in rows {
            // The sibling job's claims: the token's, with what that job's differ in.
            let mut sibling = claims.clone();
            for (claim, value) in row["changed"].as_object().unwrap() {
                match value {
                    Value::Null => {
                        sibling.as_object_mut().unwrap().remove(claim);
                    }
                    value => sibling[claim] = value.clone(),
                }
            }
            assert_eq!(sibling["sub"], row["sub"], "{name}: {row}");
            let claims_path = temp_file(
                "policy",
                &format!("{name}.sibling.json"),
                sibling.to_string(),
            );
            let out = explain(&[
                "--claims",
                &claims_path,
                "--policy",
                &policy_path,
                "--client-id",
                client_id,
                "--role-arn",
                "arn:aws:iam::123456789012:role/ci-oidc",
                "--json",
            ]);
            let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
            let allowed = verdict["policy"]["decision"] == json!({"result": "allowed"})
                || verdict["policy"]["decision"] == json!("allowed");
            assert_eq!(
                Some(allowed),
                row["admitted"].as_bool(),
                "{name}: {} {}",
                row["identity"],
                verdict["policy"]["decision"]
            );
        }
        // Every statement tests `sub` and pins `aud` (IAM's guardrail for shared issuers).
        let prefix = report["provider"]["url"]
            .as_str()
            .unwrap()
            .trim_start_matches("https://")
            .to_owned();
        let condition = &report["policy"]["Statement"][0]["Condition"];
        assert!(
            condition["StringEquals"][format!("{prefix}:aud")].is_string(),
            "{name}"
        );
        assert!(
            condition["StringEquals"][format!("{prefix}:sub")].is_string()
                || condition["StringLike"][format!("{prefix}:sub")].is_string(),
            "{name}"
        );
    }
}

#[test]
fn a_pull_request_job_is_refused_a_default_and_named_scopes_warn() {
    let out = policy(&["--demo", "--token", "demo:semaphore-pr"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("--scope"), "{}", out.stderr);
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-pr",
        "--scope",
        "pull-request",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("caution:"), "{}", out.stderr);
    let out = policy(&["--demo", "--token", "demo:github-main", "--scope", "nope"]);
    assert_eq!(out.code, 2);
    let out = policy(&[
        "--demo",
        "--token",
        "demo:github-main",
        "--scope",
        "nope",
        "--json",
    ]);
    let failure: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(failure["error"]["code"], "unknown-scope");
    let out = policy(&["--demo", "--account-id", "12"]);
    assert_eq!(out.code, 2);
}

#[test]
fn admits_prints_the_blast_radius_table() {
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-main",
        "--scope",
        "project",
        "--admits",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Process::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program} ({error}): {INSTALL_HINT}"))
}

/// What each renderer is checked on: every platform's default, and the shapes a default
/// never makes — `StringLike` scopes (a pattern in a statement of its own), the reusable
/// workflow's `job_workflow_ref`, and an existing role's policy edited to two statements.
fn rendered_cases(format: &str) -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = platform_claims()
        .into_iter()
        .map(|(name, claims)| {
            let report = generated(name, &claims, &["--format", format]);
            (
                name.to_owned(),
                report["rendered"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let claims: Vec<(&str, Value)> = platform_claims();
    let of = |name: &str| claims.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    for (label, name, extra) in [
        (
            "semaphore-any-branch",
            "semaphore-main",
            vec!["--scope", "any-branch"],
        ),
        (
            "semaphore-tag-pattern",
            "semaphore-tag",
            vec!["--scope", "tag", "--pattern", "v*"],
        ),
        (
            "github-workflow",
            "github-main",
            vec!["--scope", "workflow"],
        ),
    ] {
        let mut args = vec!["--format", format];
        args.extend(extra);
        let report = generated(label, &of(name), &args);
        cases.push((
            label.to_owned(),
            report["rendered"].as_str().unwrap().to_owned(),
        ));
    }
    let edited = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-pr",
        "--role",
        "semaphore-web-deploy",
        "--scope",
        "pull-request",
        "--format",
        format,
    ]);
    assert_eq!(edited.code, 0, "{}", edited.stderr);
    cases.push(("semaphore-edited".to_owned(), edited.stdout));
    cases
}

#[test]
fn terraform_parses_with_python_hcl2_and_passes_checkov() {
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("policy-terraform");
    let _ = std::fs::remove_dir_all(&root);
    let cases = rendered_cases("terraform");
    for (name, rendered) in &cases {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.tf");
        std::fs::write(&file, rendered).unwrap();
        let parsed = tool(
            "python3",
            &[
                "-c",
                "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))",
                file.to_str().unwrap(),
            ],
        );
        assert!(
            parsed.status.success(),
            "{name}: python-hcl2: {} ({INSTALL_HINT})",
            String::from_utf8_lossy(&parsed.stderr)
        );
        let tree: Value = serde_json::from_slice(&parsed.stdout).unwrap();
        assert!(tree["resource"].is_array(), "{name}: {tree}");
        assert!(tree["data"].is_array(), "{name}: {tree}");
    }
    // One checkov run over every case's directory. --skip-download and BC_SKIP_MAPPING:
    // checkov asks Prisma Cloud for nothing.
    let checked = Process::new(checkov())
        .args(["-d", root.to_str().unwrap(), "--framework", "terraform"])
        .args(["-o", "json", "--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap_or_else(|error| panic!("cannot run checkov ({error}): {INSTALL_HINT}"));
    let text = String::from_utf8_lossy(&checked.stdout);
    let results: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("checkov printed no JSON: {text} ({INSTALL_HINT})"));
    assert_eq!(results["results"]["parsing_errors"], json!([]), "{text}");
    // (check, file) pairs.
    let found = |list: &str| -> Vec<(String, String)> {
        results["results"][list]
            .as_array()
            .unwrap_or_else(|| panic!("checkov gave no {list}: {text}"))
            .iter()
            .filter_map(|check| {
                Some((
                    check["check_id"].as_str()?.to_owned(),
                    check["file_path"].as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    let (passed, failed) = (found("passed_checks"), found("failed_checks"));
    for id in ["CKV_AWS_358", "CKV_AWS_393"] {
        let failing: Vec<&(String, String)> = failed.iter().filter(|(f, _)| f == id).collect();
        assert!(failing.is_empty(), "checkov failed {id}: {failing:?}");
        for (name, _) in &cases {
            assert!(
                passed
                    .iter()
                    .any(|(p, file)| p == id && file.contains(&format!("/{name}/"))),
                "{name}: checkov did not run {id}: {text}"
            );
        }
    }
}

#[test]
fn cloudformation_yaml_and_json_pass_cfn_lint() {
    for (format, extension) in [("cloudformation", "yaml"), ("cloudformation-json", "json")] {
        for (name, rendered) in rendered_cases(format) {
            let path = temp_file(
                "policy-cloudformation",
                &format!("{name}.{extension}"),
                rendered,
            );
            let linted = tool("cfn-lint", &[&path]);
            assert!(
                linted.status.success(),
                "{name} {format}: cfn-lint: {}{} ({INSTALL_HINT})",
                String::from_utf8_lossy(&linted.stdout),
                String::from_utf8_lossy(&linted.stderr)
            );
        }
    }
}

#[test]
fn editing_a_role_adds_and_never_takes_away() {
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-tag",
        "--role",
        "semaphore-web-deploy",
        "--diff",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("edit: add \""), "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-pr",
        "--role",
        "semaphore-web-deploy",
        "--scope",
        "pull-request",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["edit"]["fixes"][0]["kind"], "add-statement");
    assert_eq!(report["policy"]["Statement"].as_array().unwrap().len(), 2);
    let before = report["edit"]["blast_radius_before"].as_array().unwrap();
    let after = report["blast_radius"].as_array().unwrap();
    for (before, after) in before.iter().zip(after) {
        assert!(before["admitted"] == false || after["admitted"] == true);
    }
    assert!(
        report["rendered"].as_str().unwrap().starts_with("{"),
        "json format by default"
    );
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-main",
        "--role",
        "semaphore-web-deploy",
    ]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("admits this job already"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_role_name_the_account_has_is_edited_never_replaced() {
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-tag",
        "--role-name",
        "semaphore-web-deploy",
        "--format",
        "cli",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "the account has the role arn:aws:iam::123456789012:role/ci/semaphore-web-deploy already: \
             its trust policy is edited, not replaced"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("aws iam update-assume-role-policy --role-name semaphore-web-deploy")
    );
    // The main-branch condition the role had is in the new policy, beside the tag's.
    assert!(
        out.stdout.contains("ref_type:branch:ref:refs/heads/main"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("ref_type:tag:ref:refs/tags/"),
        "{}",
        out.stdout
    );
    let out = policy(&[
        "--demo",
        "--token",
        "demo:semaphore-tag",
        "--role-name",
        "semaphore-web-deploy",
        "--json",
    ]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["role"]["exists"], true);
    assert!(report["edit"]["old_policy"].is_object(), "{report:#}");
}

#[test]
fn explain_admits_shows_the_blast_radius_of_an_existing_role() {
    let out = explain(&[
        "--demo",
        "--role",
        "semaphore-web-ci",
        "--token",
        "demo:semaphore-main",
        "--admits",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
    let rows = verdict["blast_radius"].as_array().unwrap();
    let admitted = |identity: &str| {
        rows.iter()
            .find(|row| row["identity"].as_str().unwrap().starts_with(identity))
            .map(|row| row["admitted"] == true)
    };
    assert_eq!(admitted("this job"), Some(true));
    assert_eq!(admitted("another branch"), Some(true), "any branch push");
    assert_eq!(admitted("a pull request"), Some(false));
    assert_eq!(admitted("a tag"), Some(false));
    let text = explain(&[
        "--demo",
        "--role",
        "semaphore-web-ci",
        "--token",
        "demo:semaphore-main",
        "--admits",
    ]);
    assert!(
        text.stdout.contains("What else the policy admits"),
        "{}",
        text.stdout
    );
}

/// Spacelift and Google tokens have no sibling identities trustlens can derive: the one scope
/// is the job's exact subject, and the policy admits the token.
#[test]
fn spacelift_and_google_get_their_exact_subject() {
    let issued = NOW - 60;
    for (name, claims) in [
        (
            "spacelift",
            json!({"iss": "https://acme.app.spacelift.io", "aud": "acme.app.spacelift.io",
                   "sub": "space:root:stack:prod:run_type:TRACKED:scope:write",
                   "iat": issued, "exp": issued + 3600}),
        ),
        (
            "google",
            json!({"iss": "https://accounts.google.com", "aud": "1234567890-abc.apps.googleusercontent.com",
                   "azp": "1234567890-abc.apps.googleusercontent.com", "sub": "110169484474386276334",
                   "iat": issued, "exp": issued + 3600}),
        ),
    ] {
        let report = generated(name, &claims, &[]);
        assert_eq!(report["scope"], "subject", "{name}: {report:#}");
        assert_eq!(report["admits_token"], true, "{name}");
        let rows = report["blast_radius"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{name}: only this job: {rows:?}");
        if name == "google" {
            // Built into IAM: the principal is the bare issuer name.
            assert_eq!(
                report["policy"]["Statement"][0]["Principal"]["Federated"],
                "accounts.google.com"
            );
        }
        let policy_path = temp_file(
            "policy",
            &format!("{name}.policy.json"),
            report["policy"].to_string(),
        );
        let claims_path = temp_file("policy", &format!("{name}.claims.json"), claims.to_string());
        let mut args = vec![
            "--claims",
            &claims_path,
            "--policy",
            &policy_path,
            "--role-arn",
            "arn:aws:iam::123456789012:role/ci-oidc",
        ];
        // Google is built into IAM: no client ID list.
        if let Some(client_id) = report["provider"]["client_ids"][0].as_str() {
            args.extend(["--client-id", client_id]);
        }
        let out = explain(&args);
        assert_eq!(out.code, 0, "{name}: {}", out.stdout);
    }
}
