//! `trustlens trail` end to end: the real binary on CloudTrail fixtures shaped like the
//! documented events (lint-cloudtrail-generation.md §2) — one event, `{"Records": […]}` plain
//! and gzip, `lookup-events` output, standard input, bad and truncated files — and live
//! `LookupEvents` against a local fake CloudTrail endpoint on 127.0.0.1 (JSON protocol), with
//! paging, a throttling reply, both regions and `--max-events`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/fake_aws.rs"]
mod fake_aws;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{Output, against_aws, fixture, portable, run};
use fake_aws::{FakeAws, FakeRole, Reply, Request};
use proptest::prelude::*;
use serde_json::Value;

fn trail(args: &[&str]) -> Output {
    run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .args(["--demo", "trail"])
        .args(args))
}

fn trail_json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = trail(&all);
    let value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr));
    (out.code, value)
}

fn file(name: &str) -> String {
    fixture(&format!("trail/{name}"))
}

#[test]
fn a_semaphore_pull_request_denial_names_the_sub_condition_and_keeps_the_audience_whole() {
    let out = trail(&[&file("denied-semaphore-pr.json")]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("audience    https://acme.semaphoreci.com\n"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn a_denial_as_json_carries_the_event_the_verdict_and_its_certainty() {
    let (code, report) = trail_json(&[&file("denied-semaphore-pr.json")]);
    assert_eq!(code, 3);
    let attempt = &report["attempts"][0];
    assert_eq!(attempt["count"], 1);
    assert_eq!(attempt["event"]["audience"], "https://acme.semaphoreci.com");
    assert_eq!(
        attempt["event"]["subject"],
        "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:pull-request:ref:refs/pull/42/merge"
    );
    assert_eq!(attempt["event"]["role_source"], "request");
    let explanation = &attempt["explanation"];
    assert_eq!(explanation["status"], "evaluated");
    assert_eq!(explanation["certainty"]["certain"], true);
    assert_eq!(
        explanation["agreement"],
        "agrees with CloudTrail: AccessDenied"
    );
    assert_eq!(
        explanation["verdict"]["decision"],
        serde_json::json!({"result": "denied", "explicit": false})
    );
    assert_eq!(
        explanation["verdict"]["policy"]["deciding"]["condition"], 1,
        "the sub condition decides"
    );
    assert_eq!(report["cannot_tell"].as_array().map(Vec::len), Some(4));
}

#[test]
fn a_null_role_arn_is_read_from_resources() {
    let (code, report) = trail_json(&[&file("denied-null-role.json")]);
    assert_eq!(code, 3);
    let event = &report["attempts"][0]["event"];
    assert_eq!(
        event["role_arn"],
        "arn:aws:iam::123456789012:role/ci/github-octo-repo-deploy"
    );
    assert_eq!(event["role_source"], "resources");
    assert_eq!(report["attempts"][0]["explanation"]["status"], "evaluated");
}

#[test]
fn an_event_naming_no_role_is_evaluated_against_role_when_given() {
    let (code, report) = trail_json(&[&file("denied-no-role.json")]);
    assert_eq!(code, 3);
    let explanation = &report["attempts"][0]["explanation"];
    assert_eq!(explanation["status"], "not-evaluated");
    assert!(
        explanation["reason"]
            .as_str()
            .unwrap()
            .contains("pass --role"),
        "{explanation}"
    );
    let (code, report) = trail_json(&[
        &file("denied-no-role.json"),
        "--role",
        "github-octo-repo-deploy",
    ]);
    assert_eq!(code, 3);
    let explanation = &report["attempts"][0]["explanation"];
    assert_eq!(explanation["status"], "evaluated");
    assert_eq!(
        explanation["verdict"]["role_arn"],
        "arn:aws:iam::123456789012:role/ci/github-octo-repo-deploy"
    );
}

#[test]
fn retries_of_one_job_are_one_attempt_and_successes_are_summarised() {
    let (code, report) = trail_json(&[&file("records.json")]);
    assert_eq!(code, 3);
    assert_eq!(report["events"], 8);
    assert_eq!(report["skipped"], 1, "the GetCallerIdentity event");
    let attempts = report["attempts"].as_array().unwrap();
    let counts: Vec<i64> = attempts
        .iter()
        .map(|a| a["count"].as_i64().unwrap())
        .collect();
    // Newest first: the 13:00 retry is a new attempt (two hours later), then the workflow
    // role, then the three retries of 11:00–11:02.
    assert_eq!(counts, [1, 1, 3]);
    assert_eq!(attempts[2]["last_time"], "2026-11-30T11:02:12Z");
    let workflow = &attempts[1]["explanation"];
    assert_eq!(workflow["certainty"]["certain"], false);
    assert_eq!(
        workflow["certainty"]["unknown_keys"],
        serde_json::json!([
            "token.actions.githubusercontent.com:repository_id",
            "token.actions.githubusercontent.com:job_workflow_ref"
        ])
    );
    let successes = report["successes"].as_array().unwrap();
    let methods: Vec<(&str, i64)> = successes
        .iter()
        .map(|s| {
            (
                s["verification_method"].as_str().unwrap(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(methods, [("IAMTrustStore", 2), ("Thumbprint", 1)]);
}

#[test]
fn records_text_output() {
    let out = trail(&[&file("records.json")]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!(portable(&out.stdout));
}

#[test]
fn a_gzip_records_file_reads_as_the_plain_one() {
    let (code, mut gzip) = trail_json(&[&file("records.json.gz")]);
    let (_, mut plain) = trail_json(&[&file("records.json")]);
    assert_eq!(code, 3);
    gzip["source"] = Value::Null;
    plain["source"] = Value::Null;
    assert_eq!(gzip, plain);
}

#[test]
fn lookup_events_output_with_the_event_as_a_json_string() {
    let (code, report) = trail_json(&[&file("lookup-events.json")]);
    assert_eq!(code, 3);
    assert_eq!(report["events"], 2);
    assert_eq!(report["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        report["successes"][0]["verification_method"],
        "IAMTrustStore"
    );
}

#[test]
fn standard_input_and_the_filters() {
    let records = std::fs::read(file("records.json")).unwrap();
    let out = run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .args(["--demo", "trail", "-", "--json", "--failed"])
        .write_stdin(records.clone()));
    assert_eq!(out.code, 3, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["source"], "standard input");
    assert_eq!(report["successes"], serde_json::json!([]), "--failed");

    let (code, report) = trail_json(&[
        &file("records.json"),
        "--role",
        "github-octo-repo-deploy-workflow",
    ]);
    assert_eq!(code, 3);
    assert_eq!(report["attempts"].as_array().map(Vec::len), Some(1));

    let (code, report) = trail_json(&[
        &file("records.json"),
        "--subject",
        "repo:octo-org/*:ref:refs/heads/*",
    ]);
    assert_eq!(code, 3, "the workflow role's denial is on main");
    assert_eq!(report["attempts"].as_array().map(Vec::len), Some(1));
}

#[test]
fn without_a_file_the_demo_reads_its_embedded_history_and_a_snapshot_has_none() {
    let (code, report) = trail_json(&["--failed"]);
    assert_eq!(code, 3);
    assert_eq!(report["source"], "the demo account's CloudTrail history");
    assert_eq!(report["attempts"].as_array().map(Vec::len), Some(4));
    let snapshot = common::temp_file("trail", "empty-snapshot.json", "{}");
    let out = run(Command::cargo_bin("trustlens").unwrap().env_clear().args([
        "--snapshot",
        &snapshot,
        "trail",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("a snapshot holds no CloudTrail events"),
        "{}",
        out.stderr
    );
}

#[test]
fn only_successes_exit_zero() {
    let out = trail(&[&file("success.json")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 successful call"), "{}", out.stdout);
    assert!(out.stdout.contains("IAMTrustStore"), "{}", out.stdout);
}

#[test]
fn bad_and_truncated_files_exit_2_naming_the_place() {
    let cases = [
        (
            "malformed.json",
            "malformed.json: line 2, column 45: not valid JSON",
        ),
        (
            "truncated.json",
            "truncated.json: line 33, column 55: the JSON ends too early",
        ),
        (
            "truncated.json.gz",
            "truncated.json.gz: the gzip data, after 1608 expanded bytes: damaged or truncated",
        ),
        (
            "lookup-events-truncated-event.json",
            "Events[1].CloudTrailEvent: line 1, column 200: the JSON ends too early",
        ),
        ("no-such-file.json", "cannot read the CloudTrail file"),
    ];
    for (name, expected) in cases {
        let out = trail(&[&file(name)]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{name}: {}", out.stderr);
        let (code, report) = trail_json(&[&file(name)]);
        assert_eq!(code, 2);
        assert!(
            report["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{report}"
        );
    }
    let out = run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .args(["--demo", "trail", "-"])
        .write_stdin(
            r#"{"Records": [{"eventName": "AssumeRoleWithWebIdentity", "userIdentity": []}]}"#,
        ));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "standard input: Records[0].userIdentity: expected an object, found an array"
        ),
        "{}",
        out.stderr
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any bytes on standard input: a report or exit 2, never a panic.
    #[test]
    fn any_bytes_are_a_report_or_bad_input(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let out = Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .args(["--demo", "trail", "-"])
            .write_stdin(bytes)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        prop_assert!(matches!(code, 0 | 2 | 3), "exit {code}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

// --- Live LookupEvents against the local fake endpoint ---------------------------------------

const ACCOUNT: &str = "123456789012";
const PROVIDER_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";

fn event_text(name: &str) -> String {
    let event: Value = serde_json::from_str(&std::fs::read_to_string(file(name)).unwrap()).unwrap();
    event.to_string()
}

fn deploy_role() -> FakeRole {
    FakeRole {
        name: "semaphore-web-deploy".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/ci/semaphore-web-deploy"),
        trust_policy: serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
                    "acme.semaphoreci.com:sub": "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:branch:ref:refs/heads/main"
                }}
            }]
        })
        .to_string(),
        max_session_duration: 3600,
    }
}

/// The region a request was signed for (SigV4's credential scope).
fn signed_region(request: &Request) -> String {
    let authorization = request.header("authorization").unwrap_or_default();
    authorization
        .split("Credential=")
        .nth(1)
        .and_then(|scope| scope.split('/').nth(2))
        .unwrap_or_default()
        .to_owned()
}

/// eu-west-1 answers two pages (the second after one throttling reply); us-east-1 one event.
fn paging_endpoint() -> FakeAws {
    let throttled = Arc::new(AtomicUsize::new(0));
    FakeAws::start(move |request| match request.action.as_str() {
        "LookupEvents" => {
            let body: Value = serde_json::from_str(&request.body).unwrap_or_default();
            match (signed_region(request).as_str(), body["NextToken"].as_str()) {
                ("eu-west-1", None) => fake_aws::lookup_events_page(
                    &[event_text("denied-semaphore-pr.json")],
                    Some("page-2"),
                ),
                ("eu-west-1", Some("page-2")) if throttled.fetch_add(1, Ordering::SeqCst) == 0 => {
                    Reply::json_error(400, "ThrottlingException", "Rate exceeded")
                }
                ("eu-west-1", Some("page-2")) => {
                    fake_aws::lookup_events_page(&[event_text("success.json")], None)
                }
                _ => fake_aws::lookup_events_page(&[event_text("denied-null-role.json")], None),
            }
        }
        "GetRole" if request.param("RoleName") == Some("semaphore-web-deploy") => {
            fake_aws::get_role(&deploy_role())
        }
        "GetRole" => Reply::iam_error(404, "NoSuchEntity", "The role cannot be found."),
        "ListOpenIDConnectProviders" => fake_aws::list_open_id_connect_providers(&[PROVIDER_ARN]),
        "GetOpenIDConnectProvider" => fake_aws::get_open_id_connect_provider(
            "acme.semaphoreci.com",
            &["https://acme.semaphoreci.com"],
        ),
        other => Reply::iam_error(400, "InvalidAction", other),
    })
}

fn lookups(aws: &FakeAws) -> Vec<Request> {
    aws.requests()
        .into_iter()
        .filter(|r| r.action == "LookupEvents")
        .collect()
}

#[test]
fn live_lookup_pages_retries_a_throttle_and_reads_both_regions() {
    let aws = paging_endpoint();
    let started = Instant::now();
    let out = run(against_aws(&aws.endpoint).args([
        "--region",
        "eu-west-1",
        "trail",
        "--since",
        "2h",
        "--json",
    ]));
    let elapsed = started.elapsed();
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["regions"],
        serde_json::json!(["eu-west-1", "us-east-1"])
    );
    assert_eq!(report["events"], 3);
    assert_eq!(report["truncated"], false);

    let requests = lookups(&aws);
    let regions: Vec<String> = requests.iter().map(signed_region).collect();
    assert_eq!(
        regions,
        ["eu-west-1", "eu-west-1", "eu-west-1", "us-east-1"]
    );
    let first = &requests[0];
    // The AWS SDK for Rust sends the short target; botocore sends it with the
    // `com.amazonaws.cloudtrail.v20131101.` prefix. Both end in the operation.
    assert!(
        first
            .header("x-amz-target")
            .unwrap_or_default()
            .ends_with("CloudTrail_20131101.LookupEvents"),
        "{:?}",
        first.header("x-amz-target")
    );
    assert!(
        first
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/x-amz-json-1.1")
    );
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(
        body["LookupAttributes"],
        serde_json::json!([{"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}])
    );
    let (start, end) = (
        body["StartTime"].as_f64().unwrap(),
        body["EndTime"].as_f64().unwrap(),
    );
    assert_eq!(end - start, 7_200.0, "--since 2h");
    assert_eq!(body["MaxResults"], 50);
    // Two requests a second at most: the second page is asked for half a second after the
    // first was sent (received here a little after it was sent; the SDK's own retry of the
    // throttled reply, requests[2], comes on top).
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");
    let apart = requests[1].received.duration_since(requests[0].received);
    assert!(apart >= Duration::from_millis(400), "{apart:?}");

    let attempts = report["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    let by_role = |name: &str| {
        attempts
            .iter()
            .find(|a| {
                a["event"]["role_arn"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(name)
            })
            .unwrap()
    };
    let semaphore = by_role("semaphore-web-deploy");
    assert_eq!(semaphore["explanation"]["status"], "evaluated");
    assert_eq!(
        semaphore["explanation"]["agreement"],
        "agrees with CloudTrail: AccessDenied"
    );
    let github = by_role("github-octo-repo-deploy");
    assert_eq!(github["explanation"]["status"], "not-evaluated");
    assert!(
        github["explanation"]["reason"]
            .as_str()
            .unwrap()
            .contains("no role named"),
        "{github}"
    );
    assert_eq!(report["successes"][0]["count"], 1);
}

#[test]
fn max_events_bounds_the_lookup() {
    let aws = paging_endpoint();
    let out = run(against_aws(&aws.endpoint).args([
        "--region",
        "eu-west-1",
        "trail",
        "--max-events",
        "1",
        "--json",
    ]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["events"], 1);
    assert_eq!(report["truncated"], true);
    let requests = lookups(&aws);
    assert_eq!(requests.len(), 1);
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["MaxResults"], 1);
}

#[test]
fn a_refused_lookup_names_the_permission_and_exits_1() {
    let aws = FakeAws::start(|_| {
        Reply::json_error(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudtrail:LookupEvents",
        )
    });
    let out = run(against_aws(&aws.endpoint).args(["trail", "--since", "30m"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("cloudtrail:LookupEvents"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_empty_window_is_bad_input() {
    let out = run(against_aws("http://127.0.0.1:9").args([
        "trail",
        "--start",
        "2026-11-30T12:00:00Z",
        "--end",
        "2026-11-30T11:00:00Z",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--start must come before --end"),
        "{}",
        out.stderr
    );
}

#[test]
fn start_and_end_are_the_window_asked_for() {
    let aws = paging_endpoint();
    let out = run(against_aws(&aws.endpoint).args([
        "--region",
        "eu-west-1",
        "trail",
        "--start",
        "2026-11-30T10:00:00Z",
        "--end",
        "2026-11-30T12:00:00Z",
        "--max-events",
        "1",
        "--json",
    ]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    let requests = lookups(&aws);
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["StartTime"].as_f64(), Some(1_796_032_800.0), "{body}");
    assert_eq!(body["EndTime"].as_f64(), Some(1_796_040_000.0), "{body}");
}

/// The roles and providers an event is judged against come from a snapshot as from the demo:
/// the demo written out as a snapshot gives the same verdicts.
#[test]
fn a_file_is_judged_against_a_snapshot_s_roles() {
    let snapshot = common::demo_snapshot("trail-demo-snapshot.json");
    let events = file("records.json");
    let (demo_code, demo) = trail_json(&[&events]);
    let out = run(Command::cargo_bin("trustlens").unwrap().env_clear().args([
        "--snapshot",
        &snapshot,
        "trail",
        &events,
        "--json",
    ]));
    let from_snapshot: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(out.code, demo_code, "{}", out.stderr);
    let verdicts = |report: &Value| -> Vec<Value> {
        report["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|attempt| attempt["explanation"].clone())
            .collect()
    };
    assert!(!verdicts(&demo).is_empty());
    assert_eq!(verdicts(&from_snapshot), verdicts(&demo));
}
