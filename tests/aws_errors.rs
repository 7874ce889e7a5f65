//! The real binary against a fake AWS endpoint on 127.0.0.1 (`--endpoint-url`): IAM failures
//! (access denied, throttling, no network), every documented STS error reply to
//! `AssumeRoleWithWebIdentity` with its diagnosis, a successful assume in each credential format,
//! and `--dry-run` calling no STS. Replies are AWS's documented Query-protocol XML
//! (aws-web-identity.md §2, §6.3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/fake_aws.rs"]
mod fake_aws;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Output, signed_rs256};
use fake_aws::{FakeAws, FakeCredentials, FakeRole, Reply, Request, Silent};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/deploy";
const PROVIDER_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
const ISSUER: &str = "https://acme.semaphoreci.com";
const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";
const CALLER_ARN: &str = "arn:aws:iam::123456789012:user/ci-reader";
const ASSUMED_ARN: &str = "arn:aws:sts::123456789012:assumed-role/deploy/ci-session";

const ACCESS_KEY_ID: &str = "ASIAFAKEASSUMEDKEY01";
const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzSECRETfake01";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEFAKESESSIONTOKENdoNotPrintMe0123456789abcdef";

const TRUST_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
        "StringLike": {"acme.semaphoreci.com:sub": "org:acme:project:*:repo:web:ref_type:branch:ref:refs/heads/main"}
      }
    }
  ]
}"#;

/// The real clock: `assume` judges the token against it.
fn now() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    i64::try_from(seconds).unwrap()
}

fn rfc3339(epoch: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn sub(ref_type: &str, reference: &str) -> String {
    format!("org:acme:project:{PROJECT}:repo:web:ref_type:{ref_type}:ref:{reference}")
}

/// A Semaphore token, signed, valid for an hour from now; `changes` are set over the claims.
fn token_with(changes: &Value) -> String {
    let now = now();
    let mut claims = json!({
        "iss": ISSUER, "aud": ISSUER,
        "sub": sub("branch", "refs/heads/main"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3_540,
    });
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    signed_rs256("k1", &claims)
}

/// A token the trust policy allows (a job on main).
fn allowed_token() -> String {
    token_with(&json!({}))
}

/// A token the trust policy denies (a pull-request job): valid otherwise.
fn denied_token() -> String {
    token_with(&json!({"sub": sub("pull-request", "refs/pull/42/merge")}))
}

fn role() -> FakeRole {
    FakeRole {
        name: "deploy".to_owned(),
        arn: ROLE_ARN.to_owned(),
        trust_policy: TRUST_POLICY.to_owned(),
        max_session_duration: 3_600,
    }
}

fn credentials() -> FakeCredentials {
    FakeCredentials {
        access_key_id: ACCESS_KEY_ID.to_owned(),
        secret_access_key: SECRET_ACCESS_KEY.to_owned(),
        session_token: SESSION_TOKEN.to_owned(),
        expiration: rfc3339(now() + 3_600),
    }
}

/// The account's normal answers to every action the binary uses.
fn normal_reply(request: &Request) -> Reply {
    match request.action.as_str() {
        "GetCallerIdentity" => {
            let signed_as_assumed = request
                .header("authorization")
                .is_some_and(|auth| auth.contains(ACCESS_KEY_ID));
            if signed_as_assumed {
                fake_aws::get_caller_identity(
                    ASSUMED_ARN,
                    "AROADBQP57FF2AEXAMPLE:ci-session",
                    ACCOUNT,
                )
            } else {
                fake_aws::get_caller_identity(CALLER_ARN, "AIDASAMPLEUSERID", ACCOUNT)
            }
        }
        "GetRole" if request.param("RoleName") == Some("deploy") => fake_aws::get_role(&role()),
        "GetRole" => Reply::iam_error(
            404,
            "NoSuchEntity",
            &format!(
                "The role with name {} cannot be found.",
                request.param("RoleName").unwrap_or_default()
            ),
        ),
        "ListRoles" => fake_aws::list_roles(&[role()]),
        "ListOpenIDConnectProviders" => fake_aws::list_open_id_connect_providers(&[PROVIDER_ARN]),
        "GetOpenIDConnectProvider"
            if request.param("OpenIDConnectProviderArn") == Some(PROVIDER_ARN) =>
        {
            fake_aws::get_open_id_connect_provider("acme.semaphoreci.com", &[ISSUER])
        }
        "GetOpenIDConnectProvider" => Reply::iam_error(
            404,
            "NoSuchEntity",
            "OpenIDConnect Provider not found for arn",
        ),
        "AssumeRoleWithWebIdentity" => fake_aws::assume_role_with_web_identity(
            &credentials(),
            ASSUMED_ARN,
            &sub("branch", "refs/heads/main"),
            ISSUER,
            PROVIDER_ARN,
        ),
        other => Reply::sts_error(
            400,
            "InvalidAction",
            &format!("Could not find operation {other} for version NO_VERSION_SPECIFIED"),
        ),
    }
}

/// A fake account whose `action` always answers `reply`; every other action answers normally.
fn account_where(action: &'static str, reply: Reply) -> FakeAws {
    FakeAws::start(move |request| {
        if request.action == action {
            reply.clone()
        } else {
            normal_reply(request)
        }
    })
}

fn normal_account() -> FakeAws {
    FakeAws::start(normal_reply)
}

/// How long a test waits for the binary before failing (a bound on the test, not a speed goal).
const PATIENCE: Duration = Duration::from_secs(120);

/// Runs the binary against `endpoint` with test credentials only; the token, if any, is in `T`.
fn trustlens(endpoint: &str, args: &[&str], token: Option<&str>) -> Output {
    let mut command = common::against_aws(endpoint);
    command.args(args).timeout(PATIENCE);
    if let Some(token) = token {
        command.env("T", token);
    }
    common::run(&mut command)
}

fn assume(aws: &FakeAws, token: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "assume",
        "--role",
        "deploy",
        "--token",
        "env:T",
        "--session-name",
        "ci-session",
    ];
    args.extend_from_slice(extra);
    trustlens(&aws.endpoint, &args, Some(token))
}

/// Every request went to the fake endpoint with a 127.0.0.1 Host header.
fn assert_local_only(aws: &FakeAws) {
    for request in aws.requests() {
        let host = request.header("host").unwrap_or_default();
        assert_eq!(
            host,
            format!("127.0.0.1:{}", aws.port()),
            "{}",
            request.action
        );
    }
}

// ---------------------------------------------------------------------------------------------
// IAM failures

#[test]
fn roles_names_the_missing_permission_while_explain_role_needs_no_list_roles() {
    let aws = account_where(
        "ListRoles",
        Reply::iam_error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci-reader is not authorized to perform: \
             iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based \
             policy allows the iam:ListRoles action",
        ),
    );
    let roles = trustlens(&aws.endpoint, &["roles"], None);
    assert_eq!(roles.code, 1, "{}", roles.stderr);
    assert!(
        roles.stderr.contains("access denied for iam:ListRoles"),
        "{}",
        roles.stderr
    );
    assert!(roles.stdout.is_empty(), "{}", roles.stdout);
    assert_eq!(aws.count("ListRoles"), 1, "access denied is not retried");

    let before = aws.count("ListRoles");
    let explain = trustlens(
        &aws.endpoint,
        &["explain", "--role", "deploy", "--token", "env:T"],
        Some(&allowed_token()),
    );
    assert_eq!(
        explain.code, 0,
        "the main-branch token is allowed: {}{}",
        explain.stdout, explain.stderr
    );
    assert!(explain.stdout.contains(ROLE_ARN), "{}", explain.stdout);
    assert!(
        explain.stdout.to_lowercase().contains("allowed"),
        "{}",
        explain.stdout
    );
    assert_eq!(
        aws.count("ListRoles"),
        before,
        "explain --role never lists roles"
    );
    assert!(aws.count("GetRole") >= 1);
    assert!(aws.count("GetOpenIDConnectProvider") >= 1);
    assert_local_only(&aws);
}

#[test]
fn roles_reports_throttling_after_several_attempts() {
    let aws = account_where(
        "ListRoles",
        Reply::iam_error(400, "Throttling", "Rate exceeded"),
    );
    let roles = trustlens(&aws.endpoint, &["roles"], None);
    assert_eq!(roles.code, 1, "{}", roles.stderr);
    assert!(
        roles
            .stderr
            .contains("AWS throttled iam:ListRoles even after retries"),
        "{}",
        roles.stderr
    );
    let attempts = aws.count("ListRoles");
    assert!(
        attempts >= 3,
        "expected several attempts, saw {attempts}: {:?}",
        aws.actions()
    );
    assert_local_only(&aws);
}

/// A refused connection is named as such and not retried (the SDK's backoff would only delay
/// the same answer by seconds).
#[test]
fn an_endpoint_nothing_listens_on_is_unreachable() {
    let endpoint = format!("http://127.0.0.1:{}", fake_aws::closed_port());
    let roles = trustlens(&endpoint, &["roles"], None);
    assert_eq!(roles.code, 1, "{}", roles.stderr);
    assert!(
        roles.stderr.contains(
            "cannot reach AWS for sts:GetCallerIdentity: the connection was refused \
             (nothing listens at the endpoint)"
        ),
        "{}",
        roles.stderr
    );
    assert!(
        !roles.stderr.contains("no AWS credentials"),
        "{}",
        roles.stderr
    );

    let assume = trustlens(
        &endpoint,
        &["assume", "--role", "deploy", "--token", "env:T"],
        Some(&allowed_token()),
    );
    assert_eq!(assume.code, 1, "{}", assume.stderr);
    assert!(
        assume.stderr.contains("the connection was refused"),
        "{}",
        assume.stderr
    );
}

#[test]
fn a_role_iam_does_not_know_is_bad_input() {
    let aws = normal_account();
    let out = trustlens(
        &aws.endpoint,
        &["explain", "--role", "ghost", "--token", "env:T"],
        Some(&allowed_token()),
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("no role named ghost in the account"),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("GetRole"), 1, "NoSuchEntity is not retried");
}

#[test]
fn explain_role_names_a_denied_provider_call() {
    let aws = account_where(
        "ListOpenIDConnectProviders",
        Reply::iam_error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci-reader is not authorized to perform: \
             iam:ListOpenIDConnectProviders on resource: arn:aws:iam::123456789012:oidc-provider/*",
        ),
    );
    let out = trustlens(
        &aws.endpoint,
        &["explain", "--role", "deploy", "--token", "env:T"],
        Some(&allowed_token()),
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("access denied for iam:ListOpenIDConnectProviders"),
        "{}",
        out.stderr
    );
}

#[test]
fn refused_caller_credentials_are_named() {
    let aws = account_where(
        "GetCallerIdentity",
        Reply::sts_error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
    );
    let out = trustlens(&aws.endpoint, &["roles"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "AWS refused the credentials (InvalidClientTokenId): \
             The security token included in the request is invalid."
        ),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("ListRoles"), 0);
}

// ---------------------------------------------------------------------------------------------
// STS error replies to AssumeRoleWithWebIdentity

/// Runs `assume` against an account whose STS answers `status code: message`, and checks what
/// every refusal shares: exit 3, AWS's words verbatim, nothing on stdout, the call made unsigned.
fn refused(status: u16, code: &str, message: &str, token: &str, extra: &[&str]) -> Output {
    let aws = account_where(
        "AssumeRoleWithWebIdentity",
        Reply::sts_error(status, code, message),
    );
    let out = assume(&aws, token, extra);
    assert_eq!(out.code, 3, "{code}: {}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("AWS answered: {code}: {message}\n")),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let calls: Vec<Request> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "AssumeRoleWithWebIdentity")
        .collect();
    assert!(!calls.is_empty(), "{:?}", aws.actions());
    for call in &calls {
        assert_eq!(call.param("RoleArn"), Some(ROLE_ARN));
        assert_eq!(call.param("RoleSessionName"), Some("ci-session"));
        assert_eq!(call.param("WebIdentityToken"), Some(token));
        assert_eq!(
            call.header("authorization"),
            None,
            "AssumeRoleWithWebIdentity is unsigned"
        );
    }
    assert_eq!(
        aws.count("GetCallerIdentity"),
        0,
        "no credentials to confirm"
    );
    assert_local_only(&aws);
    out
}

fn assert_diagnosis(out: &Output, summary: &str, predicted: bool, explanations: &[&str]) {
    let agreement = if predicted {
        "as the local verdict predicted"
    } else {
        "the local verdict did not predict this"
    };
    let line = format!("Diagnosis: {summary} ({agreement})\n");
    assert!(
        out.stderr.contains(&line),
        "want {line:?} in:\n{}",
        out.stderr
    );
    for explanation in explanations {
        assert!(
            out.stderr.contains(&format!("  - {explanation}")),
            "want {explanation:?} in:\n{}",
            out.stderr
        );
    }
}

const NOT_AUTHORIZED: &str = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

#[test]
fn access_denied_for_a_locally_allowed_token_points_past_the_trust_policy() {
    let out = refused(403, "AccessDenied", NOT_AUTHORIZED, &allowed_token(), &[]);
    assert!(
        out.stderr
            .contains(&format!("Local verdict for {ROLE_ARN}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("): allowed\n"), "{}", out.stderr);
    assert_diagnosis(
        &out,
        "the trust policy did not allow the call",
        false,
        &[
            "the trust policy or the provider changed moments ago: IAM is eventually consistent, retry in a minute",
            "an organization resource control policy (RCP) or SCP denies sts:AssumeRoleWithWebIdentity",
            "the role ARN names another account, or a role that does not exist (STS answers AccessDenied for both)",
        ],
    );
}

#[test]
fn access_denied_for_a_locally_denied_token_agrees_with_the_verdict() {
    let out = refused(403, "AccessDenied", NOT_AUTHORIZED, &denied_token(), &[]);
    assert!(out.stderr.contains("): refused: "), "{}", out.stderr);
    assert_diagnosis(&out, "the trust policy did not allow the call", true, &[]);
    assert!(
        !out.stderr.contains("eventually consistent"),
        "a denial the local verdict explains needs no guesswork:\n{}",
        out.stderr
    );
    let explanations = out.stderr.lines().filter(|l| l.starts_with("  - ")).count();
    assert!(
        explanations >= 1,
        "the local reasons are listed:\n{}",
        out.stderr
    );
}

#[test]
fn no_provider_for_the_issuer() {
    let other = "https://other.semaphoreci.com";
    let token = token_with(&json!({"iss": other, "aud": other}));
    let out = refused(
        400,
        "InvalidIdentityToken",
        &format!("No OpenIDConnect provider found in your account for {other}"),
        &token,
        &[],
    );
    assert_diagnosis(
        &out,
        "no IAM OIDC provider in the role's account has the token's issuer as its URL",
        true,
        &["create the IAM OIDC provider with the token's exact iss, in the role's account"],
    );
    assert!(out.stderr.contains(other), "{}", out.stderr);
}

#[test]
fn no_provider_found_although_the_account_has_one_was_not_predicted() {
    let out = refused(
        400,
        "InvalidIdentityToken",
        &format!("No OpenIDConnect provider found in your account for {ISSUER}"),
        &allowed_token(),
        &[],
    );
    assert_diagnosis(
        &out,
        "no IAM OIDC provider in the role's account has the token's issuer as its URL",
        false,
        &["create the IAM OIDC provider with the token's exact iss, in the role's account"],
    );
}

#[test]
fn incorrect_token_audience() {
    let token = token_with(&json!({"aud": "sts.amazonaws.com"}));
    let out = refused(
        400,
        "InvalidIdentityToken",
        "Incorrect token audience",
        &token,
        &[],
    );
    assert_diagnosis(
        &out,
        "the token's audience (azp, else aud) is not a client ID of the provider",
        true,
        &[
            "add the token's audience to the provider's client IDs, or have the job request a listed audience",
        ],
    );
    assert!(out.stderr.contains("sts.amazonaws.com"), "{}", out.stderr);
}

#[test]
fn verification_key_not_retrieved_keeps_the_double_space() {
    let message = "Couldn't retrieve verification key from your identity provider,  please \
                   reference AssumeRoleWithWebIdentity documentation for requirements";
    assert!(message.contains(",  please"));
    let out = refused(400, "InvalidIdentityToken", message, &allowed_token(), &[]);
    assert_diagnosis(
        &out,
        "STS could not fetch the issuer's signing keys",
        false,
        &[
            "the issuer's /.well-known/openid-configuration or its jwks_uri is not publicly reachable over HTTPS (firewall, allow-list, private network)",
            "the issuer answered slower than about 5 seconds, or rate-limited STS",
            "the token's kid is not in the JWKS",
        ],
    );
}

#[test]
fn expired_token() {
    let now = now();
    let (iat, exp) = (now - 7_200, now - 3_600);
    let token = token_with(&json!({"iat": iat, "nbf": iat, "exp": exp}));
    let out = refused(
        400,
        "ExpiredTokenException",
        &format!(
            "Token expired: current date/time {now} must be before the expiration date/time {exp}"
        ),
        &token,
        &[],
    );
    assert_diagnosis(
        &out,
        "the token expired (STS allows 5 minutes of clock skew)",
        true,
        &[
            "the job reused a cached token, or a clock is off by more than 5 minutes: request a fresh token right before the call",
        ],
    );
}

#[test]
fn idp_communication_error() {
    let out = refused(
        400,
        "IDPCommunicationError",
        "The token could not be verified: the identity provider could not be reached",
        &allowed_token(),
        &[],
    );
    assert_diagnosis(
        &out,
        "STS could not reach the identity provider",
        false,
        &["a transient failure reaching the identity provider: retry a few times"],
    );
}

#[test]
fn duration_longer_than_the_role_allows() {
    let out = refused(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        &allowed_token(),
        &["--duration", "43200"],
    );
    assert_diagnosis(
        &out,
        "the requested session is longer than the role allows",
        false,
        &[
            "ask for at most the role's MaxSessionDuration (trustlens roles --json shows it), or raise it",
        ],
    );
}

#[test]
fn duration_seconds_is_sent_to_sts() {
    let aws = account_where(
        "AssumeRoleWithWebIdentity",
        Reply::sts_error(
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ),
    );
    let out = assume(&aws, &allowed_token(), &["--duration", "43200"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let call = aws
        .requests()
        .into_iter()
        .find(|r| r.action == "AssumeRoleWithWebIdentity")
        .unwrap();
    assert_eq!(call.param("DurationSeconds"), Some("43200"));
}

#[test]
fn region_disabled() {
    let out = refused(
        403,
        "RegionDisabledException",
        "STS is not activated in this region for account:123456789012. Your account \
         administrator can activate STS in this region using the IAM Console.",
        &allowed_token(),
        &[],
    );
    assert_diagnosis(
        &out,
        "STS is not activated in this region for the account",
        false,
        &[
            "activate STS in this region (IAM console, Account settings), or call another region's endpoint",
        ],
    );
}

#[test]
fn packed_policy_too_large() {
    let out = refused(
        400,
        "PackedPolicyTooLarge",
        "Packed policy consumes 157% of allotted space",
        &allowed_token(),
        &[],
    );
    assert_diagnosis(
        &out,
        "session tags and policies exceed the packed size limit",
        false,
        &[
            "the token's session tags (and any session policy) are too large once packed: send fewer or shorter tags",
        ],
    );
}

#[test]
fn idp_rejected_claim() {
    let out = refused(
        403,
        "IDPRejectedClaim",
        "graph.facebook.com: graph.facebook.com responded with HTTP/1.1 400 Bad Request",
        &allowed_token(),
        &[],
    );
    assert_diagnosis(&out, "the identity provider rejected the token", false, &[]);
}

/// The lines the diagnosis offers as causes (`  - …` after `Diagnosis:`).
fn diagnosis_explanations(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .skip_while(|line| !line.starts_with("Diagnosis: "))
        .filter_map(|line| line.strip_prefix("  - "))
        .map(str::to_owned)
        .collect()
}

/// When STS reports a problem the local checks found absent, the diagnosis must not list the
/// passed check's own verdict ("aud … is one of the provider's client IDs") as a cause of the
/// problem: that contradicts the summary printed right above it.
#[test]
fn a_check_that_passed_locally_is_not_offered_as_the_cause() {
    // STS's clock runs ahead of this machine's: the token has expired for STS only.
    let now = now();
    let exp = now + 3_540;
    let token = token_with(&json!({"iat": now - 60, "nbf": now - 60, "exp": exp}));
    let sts_now = exp + 301;
    let cases = [
        (
            "Incorrect token audience".to_owned(),
            "InvalidIdentityToken",
            "is one of the provider's client IDs",
        ),
        (
            format!("No OpenIDConnect provider found in your account for {ISSUER}"),
            "InvalidIdentityToken",
            "→ provider arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com",
        ),
        (
            format!(
                "Token expired: current date/time {sts_now} must be before the expiration date/time {exp}"
            ),
            "ExpiredTokenException",
            "not expired",
        ),
    ];
    let mut problems = Vec::new();
    for (message, code, passed_detail) in &cases {
        let out = refused(400, code, message, &token, &[]);
        let offered: Vec<String> = diagnosis_explanations(&out.stderr)
            .into_iter()
            .filter(|line| line.contains(passed_detail))
            .collect();
        if !offered.is_empty() {
            problems.push(format!(
                "{code}: {message}\n    offered as a cause: {offered:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "a passed local check is listed as a cause:\n  {}",
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// A successful assume

fn assumed(format: &str) -> (Output, FakeAws) {
    let aws = normal_account();
    let out = assume(&aws, &allowed_token(), &["--format", format]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        aws.count("AssumeRoleWithWebIdentity"),
        1,
        "{:?}",
        aws.actions()
    );
    // The assumed credentials are confirmed with a call signed by them.
    let confirmations = aws
        .requests()
        .into_iter()
        .filter(|r| {
            r.action == "GetCallerIdentity"
                && r.header("authorization")
                    .is_some_and(|auth| auth.contains(&format!("Credential={ACCESS_KEY_ID}/")))
        })
        .count();
    assert_eq!(confirmations, 1, "{:?}", aws.actions());
    assert!(
        out.stderr.contains(&format!(
            "Assumed {ASSUMED_ARN} — confirmed by GetCallerIdentity as {ASSUMED_ARN}"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Credentials expire at "),
        "{}",
        out.stderr
    );
    for secret in [SECRET_ACCESS_KEY, SESSION_TOKEN] {
        assert!(
            !out.stderr.contains(secret),
            "a secret reached stderr:\n{}",
            out.stderr
        );
    }
    assert_local_only(&aws);
    (out, aws)
}

#[test]
fn assume_prints_three_export_lines() {
    let (out, _aws) = assumed("env");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("export AWS_ACCESS_KEY_ID={ACCESS_KEY_ID}"),
            format!("export AWS_SECRET_ACCESS_KEY={SECRET_ACCESS_KEY}"),
            format!("export AWS_SESSION_TOKEN={SESSION_TOKEN}"),
        ],
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with('\n'));
}

/// An account whose STS hands out credentials with `session_token`.
fn account_issuing(session_token: &'static str) -> FakeAws {
    FakeAws::start(move |request| match request.action.as_str() {
        "AssumeRoleWithWebIdentity" => fake_aws::assume_role_with_web_identity(
            &FakeCredentials {
                session_token: session_token.to_owned(),
                ..credentials()
            },
            ASSUMED_ARN,
            &sub("branch", "refs/heads/main"),
            ISSUER,
            PROVIDER_ARN,
        ),
        _ => normal_reply(request),
    })
}

#[test]
fn export_lines_stay_one_word_each_for_eval_whatever_the_endpoint_sends() {
    let hostile = "IQo$(touch${IFS}pwned);`id`'";
    let aws = account_issuing(hostile);
    let out = assume(&aws, &allowed_token(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A shell that evals the lines gets the value back exactly, and runs nothing.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eval-credentials");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut shell = std::process::Command::new("sh")
        .args(["-c", "eval \"$(cat)\"; printf %s \"$AWS_SESSION_TOKEN\""])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(shell.stdin.as_mut().unwrap(), out.stdout.as_bytes()).unwrap();
    drop(shell.stdin.take());
    let evaluated = shell.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&evaluated.stdout), hostile);
    assert!(
        !dir.join("pwned").exists(),
        "eval ran the endpoint's command"
    );
}

#[test]
fn credentials_with_control_characters_are_not_written() {
    // A line break would start a command of its own after `eval`; a C1 control (CSI) would
    // drive the terminal. Both are text XML carries (ESC and BEL are not: the SDK refuses those).
    for token in ["IQo\nexport EVIL=1", "IQo\u{9b}31m"] {
        let aws = account_issuing(token);
        let out = assume(&aws, &allowed_token(), &[]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(out.stdout, "", "nothing to eval");
        assert!(
            out.stderr.contains("MalformedCredentials")
                && out.stderr.contains("they are not written"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn assume_prints_credential_process_json() {
    let (out, _aws) = assumed("credential-process");
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["Version"], json!(1), "{}", out.stdout);
    assert_eq!(value["AccessKeyId"], ACCESS_KEY_ID);
    assert_eq!(value["SecretAccessKey"], SECRET_ACCESS_KEY);
    assert_eq!(value["SessionToken"], SESSION_TOKEN);
    assert!(
        value["Expiration"]
            .as_str()
            .is_some_and(|e| e.ends_with('Z'))
    );
}

#[test]
fn assume_prints_json_credentials() {
    let (out, _aws) = assumed("json");
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["AccessKeyId"], ACCESS_KEY_ID, "{}", out.stdout);
    assert_eq!(value["SecretAccessKey"], SECRET_ACCESS_KEY);
    assert_eq!(value["SessionToken"], SESSION_TOKEN);
    assert_eq!(value["AssumedRoleArn"], ASSUMED_ARN);
}

#[test]
fn the_web_identity_token_never_reaches_the_output() {
    let token = allowed_token();
    let aws = normal_account();
    let out = assume(&aws, &token, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains(&token), "{}", out.stderr);
    assert!(!out.stdout.contains(&token), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// --dry-run

#[test]
fn dry_run_calls_no_sts() {
    let aws = normal_account();
    let allowed = assume(&aws, &allowed_token(), &["--dry-run"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(allowed.stdout.is_empty(), "{}", allowed.stdout);
    assert!(
        allowed.stderr.contains("): allowed\n"),
        "{}",
        allowed.stderr
    );

    let denied = assume(&aws, &denied_token(), &["--dry-run"]);
    assert_eq!(denied.code, 3, "{}", denied.stderr);
    assert!(denied.stdout.is_empty(), "{}", denied.stdout);

    assert_eq!(
        aws.count("AssumeRoleWithWebIdentity"),
        0,
        "{:?}",
        aws.actions()
    );
    assert_eq!(aws.count("GetCallerIdentity"), 0, "{:?}", aws.actions());
    assert!(aws.count("GetRole") >= 2, "{:?}", aws.actions());
    assert_local_only(&aws);
}

/// `AssumeRoleWithWebIdentity` is unsigned (aws-web-identity.md §1.1): when the role cannot be
/// read (here `iam:GetRole` is denied), a role ARN still gets the real call, without a verdict.
#[test]
fn assume_by_arn_goes_on_when_the_role_cannot_be_read() {
    let aws = FakeAws::start(|request| match request.action.as_str() {
        "GetRole" => Reply::iam_error(
            403,
            "AccessDenied",
            "not authorized to perform: iam:GetRole",
        ),
        _ => normal_reply(request),
    });
    let args = [
        "assume",
        "--role",
        ROLE_ARN,
        "--token",
        "env:T",
        "--session-name",
        "ci-session",
        "--format",
        "json",
    ];
    let out = trustlens(&aws.endpoint, &args, Some(&allowed_token()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("calling STS without a local verdict"),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("AssumeRoleWithWebIdentity"), 1);
    let by_name = trustlens(
        &aws.endpoint,
        &["assume", "--role", "deploy", "--token", "env:T"],
        Some(&allowed_token()),
    );
    assert_eq!(
        by_name.code, 1,
        "a bare name cannot be called without reading the role: {}",
        by_name.stderr
    );
    assert!(
        by_name.stderr.contains("access denied for iam:GetRole"),
        "{}",
        by_name.stderr
    );
    assert_local_only(&aws);
}

// ---------------------------------------------------------------------------------------------
// Missing credentials: a clean environment with HOME at a directory written for the test

/// A home directory for one test holding `files` (paths relative to it), fresh each run.
fn home_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("aws_errors-homes")
        .join(name);
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    for (path, contents) in files {
        let path = home.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    home
}

/// The binary as a CI job without AWS credentials runs it: nothing in the environment but
/// `HOME`, a region, the endpoint, and instance metadata switched off (no network).
fn without_credentials(home: &Path, endpoint: &str) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("trustlens").unwrap();
    command
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .env("HOME", home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--endpoint-url", endpoint])
        .timeout(PATIENCE);
    command
}

/// Exit 1 with `message`, and nothing blamed on the network or instance metadata.
fn assert_credentials_failure(out: &Output, message: &str) {
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(message),
        "want {message:?} in:\n{}",
        out.stderr
    );
    for blame in ["IMDS", "network", "cannot reach AWS", "dispatch failure"] {
        assert!(!out.stderr.contains(blame), "{blame:?} in:\n{}", out.stderr);
    }
}

const NO_CREDENTIALS: &str = "no AWS credentials found (environment, profiles, SSO, web identity, \
                              instance metadata): configure some, pass --profile NAME";

#[test]
fn no_credentials_anywhere_are_named() {
    let aws = normal_account();
    let home = home_with("none", &[]);
    let out = common::run(without_credentials(&home, &aws.endpoint).arg("roles"));
    assert_credentials_failure(&out, NO_CREDENTIALS);
    assert!(aws.requests().is_empty(), "{:?}", aws.actions());
}

/// A CI runner's metadata address may answer, but not as EC2's does (here with 403 and HTML to
/// the IMDSv2 token request): that is still "no credentials", not a network problem.
#[test]
fn a_metadata_service_that_is_not_ec2s_means_no_credentials() {
    let aws = normal_account();
    let metadata = FakeAws::start(|_| Reply::raw(403, "text/html", "<html>Forbidden</html>"));
    let home = home_with("imds", &[]);
    let mut command = without_credentials(&home, &aws.endpoint);
    command
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.endpoint)
        .arg("roles");
    let out = common::run(&mut command);
    assert_credentials_failure(&out, NO_CREDENTIALS);
    assert!(
        metadata
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path == "/latest/api/token"),
        "the metadata service was asked: {:?}",
        metadata.requests()
    );
    assert!(aws.requests().is_empty(), "{:?}", aws.actions());
}

const OTHER_PROFILE: &str = "[profile other]\nregion = eu-west-1\n";

#[test]
fn a_profile_that_does_not_exist_is_named() {
    let aws = normal_account();
    let home = home_with("missing-profile", &[(".aws/config", OTHER_PROFILE)]);
    let want = "AWS profile `nosuch` not found in the AWS config files";
    let by_variable = common::run(
        without_credentials(&home, &aws.endpoint)
            .env("AWS_PROFILE", "nosuch")
            .arg("roles"),
    );
    assert_credentials_failure(&by_variable, want);
    let by_flag = common::run(without_credentials(&home, &aws.endpoint).args([
        "--profile",
        "nosuch",
        "roles",
    ]));
    assert_credentials_failure(&by_flag, want);
    assert!(by_flag.stderr.contains("aws configure list-profiles"));

    // With no AWS config file at all, aws-config cannot tell a missing profile from an empty
    // one: the message names the profile and both causes.
    let empty = home_with("no-config", &[]);
    let out = common::run(
        without_credentials(&empty, &aws.endpoint)
            .env("AWS_PROFILE", "nosuch")
            .arg("roles"),
    );
    assert_credentials_failure(
        &out,
        "no AWS credentials from profile `nosuch`: no AWS config file defines it",
    );
    assert!(aws.requests().is_empty(), "{:?}", aws.actions());
}

const SSO_CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

/// `~/.aws/sso/cache/` names a session's token file by the SHA-1 of the session's name.
const CORP_TOKEN_FILE: &str = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

const EXPIRED_SSO_TOKEN: &str = r#"{"accessToken": "expired-access-token", "expiresAt": "2020-01-01T00:00:00Z",
  "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"}"#;

/// An SSO profile whose login expired (or never happened on this machine) says how to log in.
/// Only cases aws-config decides locally: nothing reaches an SSO portal.
#[test]
fn an_expired_sso_session_says_how_to_log_in() {
    let aws = normal_account();
    let expired = home_with(
        "sso-expired",
        &[
            (".aws/config", SSO_CONFIG),
            (CORP_TOKEN_FILE, EXPIRED_SSO_TOKEN),
        ],
    );
    let never = home_with("sso-never", &[(".aws/config", SSO_CONFIG)]);
    for (home, profile) in [(&expired, "dev"), (&never, "dev"), (&never, "legacy")] {
        let out = common::run(
            without_credentials(home, &aws.endpoint)
                .env("AWS_PROFILE", profile)
                .arg("roles"),
        );
        assert_credentials_failure(
            &out,
            &format!(
                "the SSO session has expired (or was never started here): run \
                 `aws sso login --profile {profile}`"
            ),
        );
        assert!(
            !out.stderr.contains("expired-access-token"),
            "{}",
            out.stderr
        );
    }
    assert!(aws.requests().is_empty(), "{:?}", aws.actions());
}

// ---------------------------------------------------------------------------------------------
// Exit codes: 3 only for STS's refusals (4xx with an error code); AWS's own failures are 1

/// `assume` against an STS answering `reply`: exit 1, `message`, and no refusal or diagnosis.
fn assume_fails(reply: Reply, message: &str) -> FakeAws {
    let aws = account_where("AssumeRoleWithWebIdentity", reply);
    let out = assume(&aws, &allowed_token(), &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(message),
        "want {message:?} in:\n{}",
        out.stderr
    );
    for refusal in ["AWS answered:", "Diagnosis:"] {
        assert!(
            !out.stderr.contains(refusal),
            "{refusal:?} in:\n{}",
            out.stderr
        );
    }
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_local_only(&aws);
    aws
}

#[test]
fn sts_failing_on_its_side_is_not_a_refusal() {
    let aws = assume_fails(
        Reply::sts_error(500, "InternalFailure", "An internal error occurred."),
        "AWS failed sts:AssumeRoleWithWebIdentity (HTTP 500, InternalFailure: An internal error \
         occurred.) even after retries: try again later",
    );
    let attempts = aws.count("AssumeRoleWithWebIdentity");
    assert!(attempts >= 2, "a 500 is retried, saw {attempts}");
}

#[test]
fn sts_throttling_after_retries_is_not_a_refusal() {
    let aws = assume_fails(
        Reply::sts_error(400, "Throttling", "Rate exceeded"),
        "AWS throttled sts:AssumeRoleWithWebIdentity even after retries",
    );
    let attempts = aws.count("AssumeRoleWithWebIdentity");
    assert!(
        (2..=10).contains(&attempts),
        "the SDK retries throttling a few times, saw {attempts}"
    );
}

#[test]
fn unparsable_sts_replies_are_not_refusals() {
    assume_fails(
        Reply::raw(400, "text/html", "<html><body>Bad Request</body></html>"),
        "sts:AssumeRoleWithWebIdentity failed: the endpoint did not answer like AWS (HTTP 400, \
         body \"<html><body>Bad Request</body></html>\")",
    );
    // A success reply may carry credentials: its body is never shown.
    assume_fails(
        Reply::raw(
            200,
            "application/json",
            r#"{"SecretAccessKey": "wJalrXUtnFEMI"}"#,
        ),
        "the endpoint did not answer like AWS (HTTP 200, a 36-byte body, not shown as it may \
         hold credentials)",
    );
}

// ---------------------------------------------------------------------------------------------
// Replies that are not AWS's: the HTTP status and the first bytes of the body, escaped

#[test]
fn replies_that_are_not_aws_show_their_status_and_first_bytes() {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>Sign in to the proxy</title></head><body>{}</body></html>",
        "lorem ipsum ".repeat(30)
    );
    let cases = [
        (
            Reply::raw(200, "text/html", &page),
            "HTTP 200, body \"<!DOCTYPE html>\\n<html><head><title>Sign in to the proxy</title>",
        ),
        (
            Reply::raw(
                403,
                "application/json",
                r#"{"message":"Missing Authentication Token"}"#,
            ),
            "HTTP 403, body \"{\\\"message\\\":\\\"Missing Authentication Token\\\"}\"",
        ),
        (
            Reply::raw(
                200,
                "application/octet-stream",
                "\u{1b}]52;c;aGk=\u{7}\u{1b}[2Jgarbage",
            ),
            "HTTP 200, body \"\\u{1b}]52;c;aGk=\\u{7}\\u{1b}[2Jgarbage\"",
        ),
        (Reply::raw(200, "text/xml", ""), "HTTP 200, an empty body"),
    ];
    for (reply, detail) in cases {
        let aws = account_where("GetCallerIdentity", reply);
        let out = trustlens(&aws.endpoint, &["roles"], None);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let want = format!(
            "error: sts:GetCallerIdentity failed: the endpoint did not answer like AWS ({detail}"
        );
        assert!(
            out.stderr.contains(&want),
            "want {want:?} in:\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("check --endpoint-url"),
            "{}",
            out.stderr
        );
        assert!(
            !out.stderr.contains('\u{1b}'),
            "raw escape in {:?}",
            out.stderr
        );
        assert!(out.stderr.chars().count() < 600, "{}", out.stderr);
        assert_eq!(aws.count("ListRoles"), 0);
    }
}

/// A proxy's error page that echoes the request must not print the web identity token.
#[test]
fn an_echoed_token_is_masked() {
    let token = allowed_token();
    let echo = format!("<html>denied: WebIdentityToken={token}</html>");
    let aws = account_where(
        "AssumeRoleWithWebIdentity",
        Reply::raw(403, "text/html", &echo),
    );
    let out = assume(&aws, &token, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("body \"<html>denied: WebIdentityToken=<token></html>\""),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&token[..40]), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// Endless paging

#[test]
fn a_list_roles_reply_that_repeats_its_marker_stops() {
    let aws = account_where(
        "ListRoles",
        fake_aws::list_roles_page(&[role()], Some("again")),
    );
    let out = trustlens(&aws.endpoint, &["roles"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "iam:ListRoles stopped: page 2 repeated the marker of an earlier page, so the listing \
             would never end (2 roles read)"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("ListRoles"), 2);

    // A longer cycle: a → b → a.
    let cycle = FakeAws::start(|request| match request.action.as_str() {
        "ListRoles" => {
            let next = match request.param("Marker") {
                Some("a") => "b",
                _ => "a",
            };
            fake_aws::list_roles_page(&[role()], Some(next))
        }
        _ => normal_reply(request),
    });
    let out = trustlens(&cycle.endpoint, &["roles"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("page 3 repeated the marker"),
        "{}",
        out.stderr
    );
    assert_eq!(cycle.count("ListRoles"), 3);
    assert_local_only(&cycle);
}

#[test]
fn more_providers_than_iam_allows_are_refused_before_reading_them() {
    let arns: Vec<String> = (0..1_001)
        .map(|i| format!("arn:aws:iam::123456789012:oidc-provider/issuer{i}.example.com"))
        .collect();
    let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
    let aws = account_where(
        "ListOpenIDConnectProviders",
        fake_aws::list_open_id_connect_providers(&arns),
    );
    let out = trustlens(&aws.endpoint, &["providers"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "iam:ListOpenIDConnectProviders stopped: it listed 1001 providers, more than the 1000"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("GetOpenIDConnectProvider"), 0);
}

// ---------------------------------------------------------------------------------------------
// Waiting: one deadline (--timeout) for an endpoint that never answers

#[test]
fn a_silent_endpoint_meets_the_deadline() {
    let silent = Silent::start();
    let deadline = "within 2 s (the --timeout deadline): check the network, --region and \
                    --endpoint-url, or allow longer with --timeout SECONDS";
    let cases: [(&[&str], &str); 3] = [
        (&["--timeout", "2", "roles"], "sts:GetCallerIdentity"),
        (
            &[
                "--timeout",
                "2",
                "explain",
                "--role",
                "deploy",
                "--token",
                "env:T",
            ],
            "iam:",
        ),
        (
            &[
                "--timeout",
                "2",
                "assume",
                "--role",
                ROLE_ARN,
                "--token",
                "env:T",
            ],
            "sts:AssumeRoleWithWebIdentity",
        ),
    ];
    for (args, action) in cases {
        let out = trustlens(&silent.endpoint, args, Some(&allowed_token()));
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("no answer from AWS for {action}")),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(deadline), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
}

#[test]
fn the_timeout_must_be_a_positive_number_of_seconds() {
    let aws = normal_account();
    for bad in ["0", "-1", "soon"] {
        let flag = format!("--timeout={bad}");
        let out = trustlens(&aws.endpoint, &[&flag, "roles"], None);
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
        assert!(out.stderr.contains("--timeout"), "{}", out.stderr);
    }
    assert!(aws.requests().is_empty());
}
