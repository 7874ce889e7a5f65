//! `trustlens explain` end to end: the real binary on policy and claims fixtures, snapshots of
//! its text and JSON output, exit codes, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assert_cmd::Command;
use common::{NOW_RFC3339, Output, fixture, portable, run, temp_file};
use proptest::prelude::*;
use serde_json::Value;

fn explain(args: &[&str]) -> Output {
    run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .arg("explain")
        .args(args)
        .args(["--now", NOW_RFC3339]))
}

#[test]
fn semaphore_pull_request_against_a_main_only_role() {
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--policy",
        &fixture("policies/semaphore-deploy-prod.json"),
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn semaphore_pull_request_as_json() {
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--policy",
        &fixture("policies/semaphore-deploy-prod.json"),
        "--role-arn",
        "arn:aws:iam::123456789012:role/deploy-prod",
        "--json",
    ]);
    assert_eq!(out.code, 3);
    let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        verdict["decision"],
        serde_json::json!({"result": "denied", "explicit": false})
    );
    assert_eq!(
        verdict["policy"]["deciding"],
        serde_json::json!({"statement": 0, "element": "condition", "condition": 1})
    );
    insta::assert_json_snapshot!(verdict);
}

#[test]
fn the_demo_token_passes_the_demo_policy() {
    let out = Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .args([
            "--demo",
            "explain",
            "--policy",
            &fixture("policies/semaphore-deploy-prod.json"),
            "--now",
            NOW_RFC3339,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(portable(&String::from_utf8(out.stdout).unwrap()));
}

#[test]
fn an_audience_the_provider_does_not_list_is_rejected_before_the_policy() {
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--policy",
        &fixture("policies/semaphore-deploy-prod.json"),
        "--client-id",
        "https://rtx.semaphoreci.com/",
    ]);
    assert_eq!(out.code, 3);
    assert!(
        out.stdout
            .contains("STS would answer: InvalidIdentityToken: Incorrect token audience")
    );
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn a_wildcard_under_string_equals_is_named_with_its_fix() {
    let out = explain(&[
        "--claims",
        &fixture("claims/github-main.json"),
        "--policy",
        &fixture("policies/github-wildcard-under-stringequals.json"),
    ]);
    assert_eq!(out.code, 3);
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn a_debug_job_meets_an_explicit_deny() {
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-debug-job-with-tags.json"),
        "--policy",
        &fixture("policies/semaphore-tags-and-deny.json"),
    ]);
    assert_eq!(out.code, 3);
    assert!(out.stdout.contains("✘ DENIED (explicit Deny)"));
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn context_overrides_and_url_encoded_policies() {
    let policy = std::fs::read_to_string(fixture("policies/semaphore-tags-and-deny.json")).unwrap();
    let compact: Value = serde_json::from_str(&policy).unwrap();
    let encoded: String = compact
        .to_string()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let policy_path = temp_file("cli_explain", "encoded-policy.txt", encoded.as_bytes());
    let context = temp_file(
        "cli_explain",
        "context.json",
        br#"{"aws:RequestTag/job_type": "pipeline_job"}"#,
    );
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-debug-job-with-tags.json"),
        "--policy",
        &policy_path,
        "--context",
        &context,
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(verdict["decision"]["result"], "allowed");
    assert_eq!(
        verdict["required_actions"],
        serde_json::json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
    );
}

#[test]
fn bad_input_exits_2_and_names_the_problem() {
    let policy = fixture("policies/semaphore-deploy-prod.json");
    let claims = fixture("claims/semaphore-pr-42.json");
    let broken = temp_file(
        "cli_explain",
        "broken.json",
        b"{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}",
    );
    let unknown = temp_file("cli_explain", "unknown-operator.json",
        br#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEqual": {"a": "b"}}}}"#,
    );
    let array = temp_file("cli_explain", "array.json", b"[1, 2]");
    let bad_context = temp_file(
        "cli_explain",
        "bad-context.json",
        br#"{"aws:TagKeys": [1]}"#,
    );
    let binary = temp_file("cli_explain", "binary.json", [0xff, 0xfe, 0x00]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--claims", &claims, "--policy", &broken],
            "line 3, column 24: not valid JSON: trailing comma",
        ),
        (
            vec!["--claims", &claims, "--policy", &unknown],
            "(Statement.Condition.StringEqual): unknown condition operator `StringEqual`",
        ),
        (
            vec!["--claims", &array, "--policy", &policy],
            "must hold a JSON object, found an array",
        ),
        (
            vec![
                "--claims",
                &claims,
                "--policy",
                &policy,
                "--context",
                &bad_context,
            ],
            "key \"aws:TagKeys\" must map to a string or an array of strings",
        ),
        (
            vec!["--claims", &claims, "--policy", &binary],
            "is not UTF-8 text",
        ),
        (
            vec!["--claims", &claims, "--policy", "/nonexistent.json"],
            "cannot read the policy file /nonexistent.json",
        ),
        (
            vec![
                "--claims",
                &claims,
                "--policy",
                &policy,
                "--role-arn",
                "deploy",
            ],
            "is not a role ARN",
        ),
        (
            vec!["--claims", &claims, "--token", "-", "--policy", &policy],
            "cannot be used with",
        ),
        (vec!["--policy", &policy], "no token given, and none found"),
    ];
    for (args, message) in cases {
        let out = explain(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{args:?}: {:?} lacks {message:?}",
            out.stderr
        );
    }
    let json = explain(&["--claims", &claims, "--policy", &broken, "--json"]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["error"]["code"], "bad-policy");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Any bytes as a policy: exit 0, 2 or 3 and never a panic.
    #[test]
    fn any_policy_bytes_are_handled(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let policy = temp_file("cli_explain", "fuzz-policy.json", &bytes);
        let out = explain(&["--claims", &fixture("claims/semaphore-pr-42.json"), "--policy", &policy, "--json"]);
        prop_assert!([0, 2, 3].contains(&out.code), "exit {}", out.code);
        prop_assert!(serde_json::from_str::<Value>(&out.stdout).is_ok());
        prop_assert!(!out.stderr.contains("panicked"));
    }

    /// Any bytes as claims, context or snapshot file: a documented exit code, one JSON object
    /// with `--json`, never a panic.
    #[test]
    fn any_claims_context_or_snapshot_bytes_are_handled(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let file = temp_file("cli_explain", "fuzz-input.json", &bytes);
        let policy = fixture("policies/semaphore-deploy-prod.json");
        let claims = fixture("claims/semaphore-pr-42.json");
        let runs = [
            explain(&["--claims", &file, "--policy", &policy, "--json"]),
            explain(&["--claims", &claims, "--context", &file, "--policy", &policy, "--json"]),
            run(Command::cargo_bin("trustlens").unwrap().env_clear().env("TRUSTLENS_NO_FETCH", "1")
                .args(["--snapshot", &file, "scan", "--json", "--token", "demo:semaphore-main"])),
        ];
        for out in runs {
            prop_assert!([0, 2, 3].contains(&out.code), "exit {}: {}", out.code, out.stderr);
            prop_assert!(serde_json::from_str::<Value>(&out.stdout).is_ok(), "{}", out.stdout);
            prop_assert!(!out.stderr.contains("panicked"));
        }
    }

    /// Any arguments: exit 0, 1, 2 or 3 (never a panic), and a token among them is never
    /// echoed whole.
    #[test]
    fn any_arguments_are_handled(args in proptest::collection::vec("[-a-z0-9=:@./]{0,12}|eyJ[A-Za-z0-9]{20}\\.[A-Za-z0-9]{20}\\.[A-Za-z0-9]{8}", 0..5)) {
        // In a scratch directory: whatever the arguments say, nothing lands in the source tree.
        let out = run(Command::cargo_bin("trustlens").unwrap().env_clear().env("TRUSTLENS_NO_FETCH", "1")
            .current_dir(env!("CARGO_TARGET_TMPDIR")).arg("--demo").args(&args));
        prop_assert!([0, 1, 2, 3].contains(&out.code), "exit {}: {}", out.code, out.stderr);
        prop_assert!(!out.stderr.contains("panicked"));
        for arg in args.iter().filter(|a| a.starts_with("eyJ")) {
            prop_assert!(!out.stderr.contains(arg.as_str()) && !out.stdout.contains(arg.as_str()), "{arg} echoed");
        }
    }
}

#[test]
fn a_policy_of_10000_statements_loads() {
    let federated = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
    let project = "936a5312-a3b8-4921-8b3f-2cec8baac574";
    let statement = |sub: String| {
        serde_json::json!({
            "Effect": "Allow",
            "Principal": {"Federated": federated},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"acme.semaphoreci.com:sub": sub}},
        })
    };
    let mut statements: Vec<Value> = (0..9_999)
        .map(|i| {
            statement(format!(
                "org:acme:project:{project}:repo:web-{i}:ref_type:branch:*"
            ))
        })
        .collect();
    statements.push(statement(format!(
        "org:acme:project:{project}:repo:web:ref_type:pull-request:*"
    )));
    let text = serde_json::to_string_pretty(
        &serde_json::json!({"Version": "2012-10-17", "Statement": statements}),
    )
    .unwrap();
    assert!(text.len() > 1024 * 1024, "{} bytes", text.len());
    let policy = temp_file("cli_explain", "10000-statements.json", text);
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--policy",
        &policy,
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(verdict["decision"]["result"], "allowed");
    let statements = verdict["policy"]["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 10_000);
    assert_eq!(
        statements[9_999]["applies_to"][0],
        "sts:AssumeRoleWithWebIdentity"
    );
    assert_eq!(statements[0]["applies_to"], serde_json::json!([]));
}

/// STS's size limit holds for claims and contexts given directly: claims that no real token
/// could carry, or a context value longer than any request, are refused before matching
/// (a 20,000-character pattern against a 900,000-character claim took 41 s before).
#[test]
fn claims_and_contexts_beyond_sts_limits_are_refused() {
    let pattern = format!("*{}b*", "a".repeat(20_000));
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"acme.semaphoreci.com:sub": pattern}}}]});
    let policy = temp_file("cli_explain", "huge-pattern.json", policy.to_string());
    let claims = serde_json::json!({"iss": "https://acme.semaphoreci.com",
        "aud": "https://acme.semaphoreci.com", "sub": "a".repeat(900_000),
        "iat": 1_795_629_000, "exp": 1_795_633_200});
    let claims_file = temp_file("cli_explain", "huge-claims.json", claims.to_string());
    let out = explain(&["--claims", &claims_file, "--policy", &policy]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("STS accepts at most 20000"),
        "{}",
        out.stderr
    );

    let context = serde_json::json!({"aws:SourceIp": "a".repeat(20_001)});
    let context_file = temp_file("cli_explain", "huge-context.json", context.to_string());
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--context",
        &context_file,
        "--policy",
        &policy,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("more than any request can carry"),
        "{}",
        out.stderr
    );

    // Within the limits the huge pattern is still matched at once (near-linear matching).
    let claims = serde_json::json!({"iss": "https://acme.semaphoreci.com",
        "aud": "https://acme.semaphoreci.com", "sub": "a".repeat(14_000),
        "iat": 1_795_629_000, "exp": 1_795_633_200});
    let claims_file = temp_file("cli_explain", "big-claims.json", claims.to_string());
    let out = explain(&["--claims", &claims_file, "--policy", &policy]);
    assert_eq!(out.code, 3, "{}", out.stderr);
}

#[test]
fn the_requested_region_is_the_one_given_else_undecided() {
    let policy = temp_file(
        "region",
        "policy.json",
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]})
        .to_string(),
    );
    let claims = fixture("claims/semaphore-pr-42.json");
    let run_with = |region: Option<(&str, &str)>| {
        let mut command = Command::cargo_bin("trustlens").unwrap();
        command.env_clear().env("TRUSTLENS_NO_FETCH", "1");
        match region {
            Some(("flag", region)) => {
                command.args(["--region", region]);
            }
            Some((variable, region)) => {
                command.env(variable, region);
            }
            None => {}
        }
        command.args([
            "explain",
            "--claims",
            &claims,
            "--policy",
            &policy,
            "--now",
            NOW_RFC3339,
        ]);
        run(&mut command)
    };
    let given = run_with(Some(("flag", "eu-west-1")));
    assert_eq!(given.code, 0, "{}", given.stdout);
    assert!(
        given
            .stdout
            .contains("aws:RequestedRegion taken as eu-west-1"),
        "{}",
        given.stdout
    );
    let from_env = run_with(Some(("AWS_REGION", "us-east-1")));
    assert_eq!(from_env.code, 3, "{}", from_env.stdout);
    assert!(from_env.stdout.contains("✘ DENIED"), "{}", from_env.stdout);
    let none = run_with(None);
    assert_eq!(none.code, 3);
    assert!(none.stdout.contains("? CONDITIONAL"), "{}", none.stdout);
    assert!(none.stdout.contains("no region given"), "{}", none.stdout);
}

/// The session name defaults as `assume`'s does (Semaphore's `semaphore-job-$SEMAPHORE_JOB_ID`),
/// so a policy that tests `sts:RoleSessionName` is judged as the real call will be.
#[test]
fn the_default_session_name_is_assume_s() {
    let policy = temp_file(
        "cli_explain",
        "session-name-policy.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                          "StringLike": {"sts:RoleSessionName": "semaphore-job-*"}}}]}"#,
    );
    let judged = |job: Option<&str>| {
        let mut command = Command::cargo_bin("trustlens").unwrap();
        command.env_clear().env("TRUSTLENS_NO_FETCH", "1");
        if let Some(job) = job {
            command.env("SEMAPHORE_JOB_ID", job);
        }
        let claims = fixture("claims/semaphore-pr-42.json");
        let out = run(command
            .args(["explain", "--claims", &claims, "--policy", &policy])
            .args(["--now", NOW_RFC3339, "--json"]));
        let verdict: Value = serde_json::from_str(&out.stdout).unwrap();
        (verdict["decision"]["result"].clone(), out.code)
    };
    assert_eq!(judged(Some("a1b2c3d4")), (Value::from("allowed"), 0));
    let (elsewhere, code) = judged(None);
    assert_ne!(
        elsewhere, "allowed",
        "trustlens-<time> is not semaphore-job-*"
    );
    assert_eq!(code, 3);
    let out = explain(&[
        "--claims",
        &fixture("claims/semaphore-pr-42.json"),
        "--policy",
        &policy,
        "--session-name",
        "semaphore-job-given",
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}
