//! The account commands end to end on a snapshot fixture: `roles`, `providers`, `scan`,
//! `explain --role`, `snapshot`, and what happens with bad snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use common::{NOW, NOW_RFC3339, Output, fixture, portable, run, signed_rs256, temp_file};
use serde_json::{Value, json};

const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";

fn trustlens(args: &[&str], token: Option<String>) -> Output {
    let mut command = Command::cargo_bin("trustlens").unwrap();
    command
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .args(args);
    if let Some(token) = token {
        command.env("SEMAPHORE_OIDC_TOKEN", token);
    }
    run(&mut command)
}

fn semaphore_token(ref_type: &str, reference: &str) -> String {
    signed_rs256(
        "k1",
        &json!({
            "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
            "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:{ref_type}:ref:{reference}"),
            "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 86_340,
        }),
    )
}

#[test]
fn roles_and_providers_as_tables_and_json() {
    let snapshot = fixture("snapshot.json");
    let roles = trustlens(&["--snapshot", &snapshot, "roles"], None);
    assert_eq!(roles.code, 0, "{}", roles.stderr);
    insta::assert_snapshot!("roles_table", roles.stdout);
    let providers = trustlens(&["--snapshot", &snapshot, "providers"], None);
    insta::assert_snapshot!("providers_table", providers.stdout);

    let roles_json: Value = serde_json::from_str(
        &trustlens(&["--snapshot", &snapshot, "roles", "--json"], None).stdout,
    )
    .unwrap();
    assert_eq!(roles_json[0]["name"], "deploy-prod");
    assert_eq!(roles_json[0]["trusts"], json!(["acme.semaphoreci.com"]));
    let providers_json: Value = serde_json::from_str(
        &trustlens(&["--snapshot", &snapshot, "providers", "--json"], None).stdout,
    )
    .unwrap();
    assert_eq!(
        providers_json[0]["roles"],
        json!(["deploy-prod", "web-branches", "web-tags-typo"])
    );
}

#[test]
fn scan_sorts_roles_into_allowed_near_misses_far_and_unrelated() {
    let snapshot = fixture("snapshot.json");
    let main = trustlens(
        &["--snapshot", &snapshot, "scan", "--now", NOW_RFC3339],
        Some(semaphore_token("branch", "refs/heads/main")),
    );
    assert_eq!(main.code, 0, "{}", main.stderr);
    insta::assert_snapshot!("scan_main", portable(&main.stdout));

    let pr = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "scan",
            "--now",
            NOW_RFC3339,
            "--json",
        ],
        Some(semaphore_token("pull-request", "refs/pull/42/merge")),
    );
    assert_eq!(pr.code, 3, "no role admits a PR job");
    let report: Value = serde_json::from_str(&pr.stdout).unwrap();
    assert_eq!(
        report["counts"],
        json!({"allowed": 0, "conditional": 0, "near-miss": 2, "far": 1, "unrelated": 2})
    );
    let classes: Vec<(&str, &str)> = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["class"].as_str().unwrap()))
        .collect();
    assert_eq!(
        classes,
        [
            ("deploy-prod", "near-miss"),
            ("web-branches", "near-miss"),
            ("web-tags-typo", "far"),
            ("ec2-instance", "unrelated"),
            ("github-deploy", "unrelated"),
        ]
    );
}

#[test]
fn explain_a_role_of_the_account() {
    let snapshot = fixture("snapshot.json");
    let out = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "explain",
            "--role",
            "deploy-prod",
            "--now",
            NOW_RFC3339,
        ],
        Some(semaphore_token("pull-request", "refs/pull/42/merge")),
    );
    assert_eq!(out.code, 3);
    assert!(
        out.stdout
            .contains("role arn:aws:iam::210987654321:role/ci/deploy-prod from snapshot")
    );
    assert!(
        out.stdout
            .contains("Why: this job ran for pull request #42")
    );
    let by_arn = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "explain",
            "--role",
            "arn:aws:iam::210987654321:role/web-branches",
            "--now",
            NOW_RFC3339,
        ],
        Some(semaphore_token("branch", "refs/heads/feature")),
    );
    assert_eq!(by_arn.code, 0, "{}", by_arn.stdout);
}

#[test]
fn snapshot_round_trips_through_a_file() {
    let snapshot = fixture("snapshot.json");
    let copy = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_account-copy.json")
        .display()
        .to_string();
    let written = trustlens(&["--snapshot", &snapshot, "snapshot", "-o", &copy], None);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(
        written
            .stderr
            .starts_with(&format!("wrote {copy} (2 providers, 5 roles"))
    );
    let original = trustlens(&["--snapshot", &snapshot, "roles", "--json"], None).stdout;
    let reread = trustlens(&["--snapshot", &copy, "roles", "--json"], None).stdout;
    assert_eq!(original, reread);
}

#[test]
fn bad_snapshots_and_missing_accounts_exit_2() {
    let snapshot = fixture("snapshot.json");
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let newer = temp_file(
        "cli_account",
        "newer.json",
        text.replacen("\"version\": 1", "\"version\": 2", 1),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--snapshot", &newer, "roles"],
            "written by a newer trustlens (format version 2; this one reads 1)",
        ),
        (
            vec!["--snapshot", "/nonexistent.json", "roles"],
            "cannot read the snapshot file /nonexistent.json",
        ),
        (
            vec!["--snapshot", &snapshot, "explain", "--role", "nope"],
            "no role named nope in snapshot",
        ),
    ];
    for (args, message) in cases {
        let out = trustlens(&args, Some(semaphore_token("branch", "refs/heads/main")));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{args:?}: {:?} lacks {message:?}",
            out.stderr
        );
    }
}

/// Inside a pipeline there are no AWS credentials: a role named by name cannot be read, and the
/// message says to name it by its ARN (the call itself needs no credentials).
#[test]
fn assume_by_name_without_credentials_asks_for_the_arn() {
    let token = common::signed_rs256(
        "k1",
        &serde_json::json!({"iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
            "sub": "org:acme", "iat": 1, "exp": 4_102_444_800_i64}),
    );
    let output = common::run(
        Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .env("TRUSTLENS_NO_FETCH", "1")
            .env("HOME", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_REGION", "us-east-1")
            .env("SEMAPHORE_OIDC_TOKEN", token)
            .args([
                "--endpoint-url",
                "http://127.0.0.1:9",
                "assume",
                "--role",
                "deploy",
            ]),
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains("name the role by its ARN")
            && output.stderr.contains("AWS_ROLE_ARN"),
        "{}",
        output.stderr
    );
}

/// A snapshot is written whole or not at all: when the disk refuses part of it (here a file
/// size limit, as a full disk would), the old file stays as it was and no partial file is left.
#[test]
fn a_failed_snapshot_write_leaves_the_old_file_whole() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("atomic-snapshot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("acct.json");
    std::fs::write(&target, "the old snapshot").unwrap();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    // SIGXFSZ ignored: a write past the limit fails with EFBIG instead of killing the process.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 8; exec {binary} --demo snapshot -o {}",
            target.display()
        ))
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the file is unchanged"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the old snapshot"
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        left,
        [std::ffi::OsString::from("acct.json")],
        "no partial file is left"
    );
}

/// The fixture with `copies` more copies of each of its roles (renamed `NAME-N`).
fn large_snapshot(copies: usize) -> String {
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("snapshot.json")).unwrap()).unwrap();
    let originals = file["roles"].as_array().unwrap().clone();
    let roles = file["roles"].as_array_mut().unwrap();
    for copy in 0..copies {
        for original in &originals {
            let mut role = original.clone();
            let name = format!("{}-{copy}", role["name"].as_str().unwrap());
            let arn = format!("{}-{copy}", role["arn"].as_str().unwrap());
            role["name"] = json!(name);
            role["arn"] = json!(arn);
            roles.push(role);
        }
    }
    serde_json::to_string_pretty(&file).unwrap()
}

#[test]
fn a_snapshot_over_the_token_cap_loads_and_scans() {
    let text = large_snapshot(400);
    assert!(text.len() > 1024 * 1024, "{} bytes", text.len());
    let snapshot = temp_file("cli_account", "large.json", text);
    let out = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "scan",
            "--now",
            NOW_RFC3339,
            "--json",
        ],
        Some(semaphore_token("pull-request", "refs/pull/42/merge")),
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["counts"],
        json!({"allowed": 0, "conditional": 0, "near-miss": 802, "far": 401, "unrelated": 802})
    );
}

#[test]
fn a_snapshot_over_its_cap_is_named_as_too_large() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_account");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("over-cap.json");
    // Sparse: no disk space, and trustlens refuses it by its size before reading.
    std::fs::File::create(&path)
        .and_then(|file| file.set_len(512 * 1024 * 1024 + 1))
        .unwrap();
    let shown = path.display().to_string();
    let out = trustlens(&["--snapshot", &shown, "roles", "--json"], None);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["error"],
        json!({
            "code": "input-too-large",
            "message": format!("the snapshot file {shown} is larger than 512 MiB"),
        })
    );
}

/// A role whose trust policy does not parse (IAM stores what it was given) is captured as it is
/// and loads with the role marked — the rest of the account stays usable (issue 9, item 11).
#[test]
fn a_role_with_an_unparsable_trust_policy_loads_marked() {
    let text = std::fs::read_to_string(fixture("snapshot.json")).unwrap();
    let bad_policy = temp_file(
        "cli_account",
        "bad-policy.json",
        text.replacen(r#"\"Effect\": \"Allow\""#, r#"\"Effect\": \"allow\""#, 1),
    );
    let roles = trustlens(&["--snapshot", &bad_policy, "roles"], None);
    assert_eq!(roles.code, 0, "{}", roles.stderr);
    assert!(
        roles.stdout.contains("(invalid trust policy)"),
        "{}",
        roles.stdout
    );
    let scan = trustlens(
        &["--snapshot", &bad_policy, "scan", "--all"],
        Some(semaphore_token("branch", "refs/heads/main")),
    );
    assert!(
        scan.stdout.contains("the trust policy does not parse"),
        "{}",
        scan.stdout
    );
    let copy = temp_file("cli_account", "bad-policy-copy.json", "");
    let written = trustlens(&["--snapshot", &bad_policy, "snapshot", "-o", &copy], None);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(
        std::fs::read_to_string(&copy)
            .unwrap()
            .contains(r#"\"Effect\": \"allow\""#),
        "the policy is kept as IAM returned it"
    );
}

/// The fixture account plus a role guarded by AWS's sample IP condition (a Deny with
/// `NotIpAddress aws:SourceIp`): which IP the job calls from only the real call knows.
fn snapshot_with_an_ip_guard() -> String {
    let mut account: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("snapshot.json")).unwrap()).unwrap();
    let provider = "arn:aws:iam::210987654321:oidc-provider/acme.semaphoreci.com";
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"}}},
        {"Effect": "Deny", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]});
    account["roles"].as_array_mut().unwrap().push(json!({
        "name": "office-only", "arn": "arn:aws:iam::210987654321:role/office-only", "path": "/",
        "max_session_duration": 3600, "trust_policy": policy.to_string(),
    }));
    temp_file("conditional", "snapshot.json", account.to_string())
}

#[test]
fn scan_puts_a_role_decided_by_the_callers_ip_in_its_own_class() {
    let snapshot = snapshot_with_an_ip_guard();
    let token = || Some(semaphore_token("branch", "refs/heads/main"));
    let json_out = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "scan",
            "--now",
            NOW_RFC3339,
            "--json",
        ],
        token(),
    );
    assert_eq!(json_out.code, 0, "{}", json_out.stderr);
    let report: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(report["counts"]["conditional"], 1);
    let role = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "office-only")
        .unwrap();
    assert_eq!(role["class"], "conditional");
    assert_eq!(
        role["blocker"],
        "allowed if aws:SourceIp is in 192.0.2.0/24; otherwise denied by statement 2 (explicit Deny)"
    );

    let text = trustlens(
        &["--snapshot", &snapshot, "scan", "--now", NOW_RFC3339],
        token(),
    );
    assert!(
        text.stdout
            .contains("? Conditional: decided by values only the real call has (1)"),
        "{}",
        text.stdout
    );

    // explain names both branches; --context with the caller's IP decides.
    let explained = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "explain",
            "--role",
            "office-only",
            "--now",
            NOW_RFC3339,
        ],
        token(),
    );
    assert_eq!(
        explained.code, 3,
        "a conditional verdict is not proven allowed"
    );
    assert!(
        explained.stdout.contains("? CONDITIONAL"),
        "{}",
        explained.stdout
    );
    assert!(
        explained
            .stdout
            .contains("→ otherwise denied by statement 2 (explicit Deny)"),
        "{}",
        explained.stdout
    );
    let inside = temp_file(
        "conditional",
        "inside.json",
        r#"{"aws:SourceIp": "192.0.2.10"}"#,
    );
    let decided = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "explain",
            "--role",
            "office-only",
            "--now",
            NOW_RFC3339,
            "--context",
            &inside,
            "--json",
        ],
        token(),
    );
    assert_eq!(decided.code, 0, "{}", decided.stdout);
    let verdict: Value = serde_json::from_str(&decided.stdout).unwrap();
    assert_eq!(verdict["decision"], json!({"result": "allowed"}));
    let unknown: Vec<&str> = verdict["unknown_context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert!(!unknown.contains(&"aws:SourceIp"), "{unknown:?}");
}

#[test]
fn a_snapshot_that_stores_the_issuers_keys_checks_signatures_offline() {
    let mut account: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("snapshot.json")).unwrap()).unwrap();
    let jwks: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("jwks.json")).unwrap()).unwrap();
    for provider in account["providers"].as_array_mut().unwrap() {
        if provider["url"] == "acme.semaphoreci.com" {
            provider["jwks"] = jwks.clone();
        }
    }
    let with_keys = temp_file("stored-keys", "snapshot.json", account.to_string());
    let claims = json!({
        "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
        "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"),
        "iat": NOW - 60, "exp": NOW + 3_600,
    });
    let signature_of = |snapshot: &str, kid: &str| -> Value {
        let out = trustlens(
            &[
                "--snapshot",
                snapshot,
                "explain",
                "--role",
                "deploy-prod",
                "--now",
                NOW_RFC3339,
                "--json",
            ],
            Some(signed_rs256(kid, &claims)),
        );
        let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
        common::precheck(&verdict, "signature")
    };
    // TRUSTLENS_NO_FETCH is set: the keys can only come from the snapshot.
    assert_eq!(signature_of(&with_keys, "test-rsa")["status"], "passed");
    let unknown_kid = signature_of(&with_keys, "rotated-away");
    assert_eq!(unknown_kid["status"], "failed", "{unknown_kid}");
    // An older snapshot, without keys, still loads: the signature is not checked.
    assert_eq!(
        signature_of(&fixture("snapshot.json"), "test-rsa")["status"],
        "could-not-check"
    );
    // A snapshot of the snapshot keeps the keys.
    let copy = trustlens(&["--snapshot", &with_keys, "snapshot"], None);
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    let copied: Value = serde_json::from_str(&copy.stdout).unwrap();
    assert_eq!(copied["providers"][0]["jwks"], jwks);
}

/// `scan --claims FILE` scans unsigned claims (what-if), as `explain --claims` does; a blocker
/// every trusting role shares (an expired token) is said once, not once per role.
#[test]
fn scan_takes_claims_and_says_a_token_level_blocker_once() {
    let claims = json!({
        "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
        "sub": format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"),
        "iat": NOW - 60, "exp": NOW + 3_600,
    });
    let file = temp_file("scan-claims", "claims.json", claims.to_string());
    let out = trustlens(
        &["--demo", "scan", "--claims", &file, "--now", NOW_RFC3339],
        None,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("Claims from "), "{}", out.stdout);
    assert!(out.stdout.contains("what-if: not a signed token"));
    let both = trustlens(
        &[
            "--demo",
            "scan",
            "--claims",
            &file,
            "--token",
            "demo:semaphore-main",
        ],
        None,
    );
    assert_eq!(both.code, 2, "--claims and --token conflict");

    let expired = trustlens(
        &["--demo", "scan", "--token", "demo:semaphore-expired"],
        None,
    );
    assert_eq!(expired.code, 3);
    let said = expired.stdout.matches("ExpiredTokenException").count();
    assert_eq!(said, 1, "once, not per role:\n{}", expired.stdout);
    assert!(
        expired
            .stdout
            .contains("In the way of every role that trusts the issuer"),
        "{}",
        expired.stdout
    );
}

/// One provider and one role are said in the singular (scan's header).
#[test]
fn one_provider_and_one_role_are_counted_in_the_singular() {
    let account = json!({
        "format": "trustlens-snapshot", "version": 1, "captured_at": "2026-11-20T09:00:00Z",
        "account_id": "210987654321", "partition": "aws",
        "providers": [{"arn": "arn:aws:iam::210987654321:oidc-provider/acme.semaphoreci.com",
            "url": "acme.semaphoreci.com", "client_ids": ["https://acme.semaphoreci.com"],
            "thumbprints": []}],
        "roles": [{"name": "deploy", "arn": "arn:aws:iam::210987654321:role/deploy", "path": "/",
            "max_session_duration": 3600,
            "trust_policy": json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::210987654321:oidc-provider/acme.semaphoreci.com"},
                "Action": "sts:AssumeRoleWithWebIdentity"}]}).to_string()}],
    });
    let snapshot = temp_file("singular", "snapshot.json", account.to_string());
    let out = trustlens(
        &[
            "--snapshot",
            &snapshot,
            "scan",
            "--now",
            common::NOW_RFC3339,
        ],
        Some(semaphore_token("branch", "refs/heads/main")),
    );
    assert!(
        out.stdout
            .contains("(account 210987654321 · 1 OIDC provider · 1 role)"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}
