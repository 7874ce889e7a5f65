//! `trustlens decode` end to end: the real binary, real tokens signed with a test key,
//! snapshots of its text and JSON output at a fixed `--now`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assert_cmd::Command;
use common::{NOW, NOW_RFC3339, fixture, run, signed_es256, signed_rs256, temp_file};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The binary with an empty environment, so no CI variable of the machine leaks in.
fn trustlens() -> Command {
    let mut command = Command::cargo_bin("trustlens").unwrap();
    command.env_clear().env("TRUSTLENS_NO_FETCH", "1");
    command
}

/// Semaphore: push to main of acme/web (ci-providers.md §2.6), issued a minute ago, 24 h life.
fn semaphore_token() -> String {
    let project = "936a5312-a3b8-4921-8b3f-2cec8baac574";
    signed_rs256(
        "2023-03-14T08:11:57Z",
        &json!({
            "iss": "https://acme.semaphoreci.com",
            "aud": "https://acme.semaphoreci.com",
            "sub": format!("org:acme:project:{project}:repo:web:ref_type:branch:ref:refs/heads/main"),
            "exp": NOW - 60 + 86_400, "iat": NOW - 60, "nbf": NOW - 60,
            "jti": "2s557dchalv2mv76kk000el1",
            "org": "acme", "prj_id": project, "repo": "web", "repo_slug": "acme/web",
            "branch": "main", "ref": "refs/heads/main", "ref_type": "branch",
            "job_type": "pipeline_job", "trg": "h:f-i:f",
        }),
    )
}

/// GitHub Actions: environment job, audience for configure-aws-credentials (§3.2, §3.7).
fn github_token() -> String {
    signed_rs256(
        "38826b17-6a30-5f9b-b169-8beb8202f723",
        &json!({
            "jti": "example-id",
            "sub": "repo:octo-org/octo-repo:environment:prod",
            "environment": "prod",
            "aud": "sts.amazonaws.com",
            "ref": "refs/heads/main", "sha": "example-sha",
            "repository": "octo-org/octo-repo", "repository_owner": "octo-org",
            "actor_id": "12", "repository_id": "74", "repository_owner_id": "65",
            "run_id": "example-run-id", "run_number": "10", "run_attempt": "2",
            "runner_environment": "github-hosted", "actor": "octocat",
            "workflow": "example-workflow", "event_name": "workflow_dispatch", "ref_type": "branch",
            "job_workflow_ref": "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main",
            "iss": "https://token.actions.githubusercontent.com",
            "nbf": NOW - 20, "exp": NOW + 280, "iat": NOW - 20,
        }),
    )
}

/// GitLab.com: `id_tokens:` with aud https://gitlab.com, job timeout 1 h (§4.3).
fn gitlab_token() -> String {
    signed_rs256(
        "kewiQq9jiC84CvSsJYOB-N6A8WFLSV20Mb-y7IlWDSQ",
        &json!({
            "namespace_id": "72", "namespace_path": "my-group",
            "project_id": "20", "project_path": "my-group/my-project",
            "user_id": "1", "user_login": "sample-user",
            "pipeline_id": "574", "pipeline_source": "push", "job_id": "302",
            "ref": "main", "ref_type": "branch", "ref_path": "refs/heads/main", "ref_protected": "true",
            "runner_environment": "gitlab-hosted",
            "jti": "235b3a54-b797-45c7-ae9a-f72d7bc6ef5b",
            "iss": "https://gitlab.com",
            "iat": NOW - 600, "nbf": NOW - 605, "exp": NOW + 3000,
            "sub": "project_path:my-group/my-project:ref_type:branch:ref:main",
            "aud": "https://gitlab.com",
        }),
    )
}

/// EKS IRSA projected service-account token (§9.2): `aud` is an array.
fn eks_token() -> String {
    signed_rs256(
        "a6b2c3d4e5f6",
        &json!({
            "aud": ["sts.amazonaws.com"],
            "exp": NOW + 86_000, "iat": NOW - 400, "nbf": NOW - 400,
            "iss": "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E",
            "kubernetes.io": {
                "namespace": "default",
                "pod": { "name": "projection-test", "uid": "900f80ed-bafe-49f0-9ae2-c5f0a3ac2cbe" },
                "serviceaccount": { "name": "mytestaccount", "uid": "a709ef71-30e2-489a-bd19-ade97031b9db" }
            },
            "sub": "system:serviceaccount:default:mytestaccount",
        }),
    )
}

#[test]
fn semaphore_token_found_in_its_ci_variable() {
    let out = run(trustlens()
        .args(["decode", "--now", NOW_RFC3339])
        .env("SEMAPHORE_OIDC_TOKEN", semaphore_token()));
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn semaphore_token_as_json() {
    let out = run(trustlens()
        .args(["decode", "env:TOKEN", "--json", "--now", NOW_RFC3339])
        .env("TOKEN", semaphore_token()));
    assert_eq!(out.code, 0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    insta::assert_json_snapshot!(report);
}

#[test]
fn github_token_from_stdin_as_json() {
    let out = run(trustlens()
        .args(["decode", "-", "--json", "--now", NOW_RFC3339])
        .write_stdin(format!("{}\n", github_token())));
    assert_eq!(out.code, 0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["source"], "standard input");
    assert_eq!(report["findings"], json!([]));
    insta::assert_json_snapshot!(report);
}

#[test]
fn gitlab_token_pasted_into_a_file_with_its_wrapping() {
    let pasted = format!("export GITLAB_OIDC_TOKEN=\"Bearer {}\"\n", gitlab_token());
    let path = temp_file("cli_decode", "gitlab.txt", &pasted);
    let out = run(trustlens().args(["decode", &format!("@{path}"), "--now", NOW_RFC3339]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout.replace(&path, "<FILE>");
    insta::assert_snapshot!(text);
}

#[test]
fn eks_token_found_through_aws_web_identity_token_file() {
    let path = temp_file("cli_decode", "eks-token", eks_token());
    let out = run(trustlens()
        .args(["decode", "--now", NOW_RFC3339])
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &path));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout.replace(&path, "<FILE>");
    insta::assert_snapshot!(text);
}

#[test]
fn expired_token_with_findings_still_decodes() {
    let token = common::token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"iss": "http://ci.example.com/", "aud": ["a", "b"], "sub": null,
                "exp": NOW - 3 * 3600 - 120, "iat": 1_700_000_000.5}),
    );
    let out = run(trustlens()
        .args(["decode", "env:T", "--now", NOW_RFC3339])
        .env("T", token));
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn a_literal_token_warns_about_shell_history() {
    let out = run(trustlens().args(["decode", &github_token(), "--now", NOW_RFC3339]));
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("now in your shell history"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("Token from the command line"));
}

#[test]
fn reveal_shows_the_signature() {
    let token = github_token();
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let hidden = run(trustlens()
        .args(["decode", "-", "--now", NOW_RFC3339])
        .write_stdin(token.clone()));
    assert!(!hidden.stdout.contains(&signature));
    assert!(
        hidden
            .stdout
            .contains("256 bytes, not verified (--reveal shows them)")
    );
    let shown = run(trustlens()
        .args(["decode", "-", "--reveal"])
        .write_stdin(token.clone()));
    assert!(shown.stdout.contains(&signature));
    let json = run(trustlens()
        .args(["decode", "-", "--reveal", "--json"])
        .write_stdin(token));
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["signature"]["base64url"], signature.as_str());
}

#[test]
fn invalid_input_exits_2_with_a_precise_message() {
    let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d";
    let out = run(trustlens().args(["decode", "-"]).write_stdin(jwe));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: cannot decode the token from standard input: this looks like an encrypted JWE \
         (5 segments); STS needs a signed ID token (a JWS: header.payload.signature)\n"
    );
    assert_eq!(out.stdout, "");

    let json = run(trustlens().args(["decode", "-", "--json"]).write_stdin(jwe));
    assert_eq!(json.code, 2);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["error"]["code"], "encrypted-jwe");
    assert_eq!(report["source"], "standard input");
}

#[test]
fn unreadable_or_missing_sources_exit_2() {
    let missing = run(trustlens().args(["decode", "@/nonexistent/token.jwt"]));
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("error: cannot read the token file /nonexistent/token.jwt")
    );

    let nothing = run(trustlens().args(["decode"]));
    assert_eq!(nothing.code, 2);
    assert!(
        nothing
            .stderr
            .contains("SEMAPHORE_OIDC_TOKEN, CIRCLE_OIDC_TOKEN_V2"),
        "{}",
        nothing.stderr
    );

    let unset = run(trustlens().args(["decode", "env:NOT_SET", "--json"]));
    assert_eq!(unset.code, 2);
    let report: Value = serde_json::from_str(&unset.stdout).unwrap();
    assert_eq!(
        report["error"],
        json!({"code": "env-unset", "message": "environment variable NOT_SET is not set"})
    );

    let bad_now = run(trustlens().args(["decode", "-", "--now", "yesterday"]));
    assert_eq!(bad_now.code, 2);
    assert!(bad_now.stderr.contains("expected an RFC 3339 time"));
}

#[test]
fn a_token_file_or_stdin_over_1_mib_is_too_large() {
    let huge = temp_file("cli_decode", "huge.jwt", vec![b'a'; 1024 * 1024 + 1]);
    let file = run(trustlens().args(["decode", &format!("@{huge}")]));
    assert_eq!(file.code, 2);
    assert_eq!(
        file.stderr,
        format!(
            "error: the input from file {huge} is larger than 1 MiB; a token is at most 20,000 characters\n"
        )
    );
    let stdin = run(trustlens()
        .args(["decode", "-", "--json"])
        .write_stdin(vec![b'a'; 1024 * 1024 + 1]));
    assert_eq!(stdin.code, 2);
    let report: Value = serde_json::from_str(&stdin.stdout).unwrap();
    assert_eq!(report["error"]["code"], "input-too-large");
}

#[test]
fn a_scanned_variable_is_named() {
    let out = run(trustlens()
        .args(["decode"])
        .env("SOME_TOKEN", github_token())
        .env("HOME", "/root"));
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with(
        "Token from environment variable SOME_TOKEN (found by scanning the environment)"
    ));
}

#[test]
fn without_a_terminal_the_explorer_points_to_the_subcommands() {
    for args in [vec!["--demo"], vec![]] {
        let out = run(trustlens().args(&args));
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr.contains("the explorer needs a terminal"),
            "{}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    let demo = run(trustlens().args(["--demo", "decode"]));
    assert_eq!(demo.code, 0);
    assert!(demo.stdout.starts_with("Token from the embedded demo"));
}

/// A token whose claims try to drive the terminal: OSC 52 (clipboard), a title change, a bidi
/// override, C1 CSI and DEL in `sub` (issue 9, item 1).
fn hostile_token() -> String {
    common::token(
        &json!({"alg": "RS256", "kid": "k"}),
        &json!({
            "iss": "https://acme.semaphoreci.com",
            "aud": "https://acme.semaphoreci.com",
            "sub": "org:acme:\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}]0;owned\u{7}\u{202e}x\u{9b}2J\u{7f}",
            // Valid for ten years: `assume` judges it by the clock.
            "exp": NOW + 3_650 * 86_400, "iat": NOW - 60,
        }),
    )
}

/// Runs the binary (no colour) and asserts that none of the hostile characters reached its
/// output raw; gives the run and its stdout and stderr together.
fn escaped_output<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(
    args: &[S],
) -> (common::Output, String) {
    let out = run(trustlens().args(args).env("NO_COLOR", "1"));
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        !all.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}', '\u{7f}']),
        "{args:?} printed a raw control character:\n{all:?}"
    );
    (out, all)
}

/// No control character of the claims reaches the terminal raw, whatever the command.
#[test]
fn hostile_claims_are_escaped_in_every_text_output() {
    let file = temp_file("hostile", "token.jwt", hostile_token());
    let token = format!("@{file}");
    let now = ["--now", NOW_RFC3339];
    for args in [
        vec!["--demo", "decode", &token, now[0], now[1]],
        vec!["--demo", "scan", "--all", "--token", &token, now[0], now[1]],
        vec![
            "--demo",
            "explain",
            "--role",
            "semaphore-web-deploy",
            "--token",
            &token,
            now[0],
            now[1],
        ],
        vec![
            "--demo",
            "assume",
            "--role",
            "semaphore-web-deploy",
            "--dry-run",
            "--token",
            &token,
        ],
    ] {
        let (_, all) = escaped_output(&args);
        assert!(
            all.contains("\\x1b]52;c;") || all.contains("\\u001b]52;c;"),
            "{args:?} shows the escape: {all}"
        );
    }
}

/// `--json` stays exact: the claim is the JSON string it was, escaped by JSON's own rules.
#[test]
fn json_output_keeps_hostile_values_exact() {
    let file = temp_file("hostile", "token-json.jwt", hostile_token());
    let out = run(trustlens().args([
        "decode",
        &format!("@{file}"),
        "--json",
        "--now",
        NOW_RFC3339,
    ]));
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        report["claims"]["sub"]
            .as_str()
            .unwrap()
            .contains("\u{1b}]52;c;")
    );
}

/// A token in the wrong place of the command line is named by its shape, never printed.
#[test]
fn argument_errors_never_print_a_token() {
    let jwt = semaphore_token();
    for args in [
        vec!["--demo", "scan", &jwt],
        vec!["decode", "--now", &jwt],
        vec!["--demo", "assume", "--role", "x", "--duration", &jwt],
        vec!["--demo", "assume", "--role", "x", "--format", &jwt],
        vec!["--demo", "explain", "--role", &jwt],
        vec!["--demo", "decode", &format!("demo:{jwt}")],
    ] {
        let out = run(trustlens().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !all.contains(&jwt[..60]),
            "{args:?} printed the token:\n{all}"
        );
        assert!(all.contains("hidden)"), "{args:?}: {all}");
    }
}

/// `--token @<a token>` (the token typed where its file's name goes): the JSON error names
/// the source by its shape too, in `source` as in `message`.
#[test]
fn a_token_given_as_a_file_name_is_masked_in_json_errors() {
    let jwt = semaphore_token();
    let token = format!("@{jwt}");
    for args in [
        vec!["--demo", "scan", "--json", "--token", &token],
        vec!["--demo", "decode", "--json", &token],
    ] {
        let out = run(trustlens().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !all.contains(&jwt[..60]),
            "{args:?} printed the token:\n{all}"
        );
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(report.get("source").is_some(), "{report:#}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The real binary, any bytes on stdin: exit 0 or 2, one JSON object on stdout, no panic.
    #[test]
    fn binary_json_path_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let out = trustlens().args(["decode", "-", "--json"]).write_stdin(bytes).output().unwrap();
        let code = out.status.code();
        prop_assert!(code == Some(0) || code == Some(2), "exit {:?}", code);
        let report: Result<Value, _> = serde_json::from_slice(&out.stdout);
        prop_assert!(report.is_ok_and(|r| r.is_object()));
        prop_assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

/// `--jwks FILE` checks the signature offline: the test keys' JWKS (kids `test-rsa`, `test-ec`).
#[test]
fn jwks_file_verifies_offline_and_names_what_fails() {
    let claims = json!({"iss": "https://acme.semaphoreci.com", "sub": "x", "aud": "a", "iat": NOW, "exp": NOW + 60});
    let jwks = fixture("jwks.json");
    let decode = |token: &str, extra: &[&str]| {
        run(trustlens()
            .args(["decode", "--json", "--now", NOW_RFC3339, "--jwks", &jwks])
            .args(extra)
            .arg(token))
    };
    for token in [
        signed_rs256("test-rsa", &claims),
        signed_es256("test-ec", &claims),
    ] {
        let out = decode(&token, &[]);
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(report["signature"]["status"], "passed", "{}", out.stdout);
        assert_eq!(report["signature"]["verified"], true);
    }
    let out = decode(&signed_rs256("rotated-away", &claims), &[]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["signature"]["status"], "failed");
    assert!(
        report["signature"]["sts_error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Couldn't retrieve verification key from your identity provider,  please")
    );
    // The RSA token's kid pointing at the EC key: the key type disagrees with `alg`.
    let out = decode(&signed_rs256("test-ec", &claims), &[]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["signature"]["status"], "failed");
    assert_eq!(
        report["signature"]["sts_error"]["code"],
        "InvalidIdentityToken"
    );
    // Text output says it too.
    let out = run(trustlens()
        .args(["decode", "--now", NOW_RFC3339, "--jwks", &jwks])
        .arg(signed_rs256("test-rsa", &claims)));
    assert!(
        out.stdout
            .contains("✔ the signature verifies with the issuer's key \"test-rsa\""),
        "{}",
        out.stdout
    );
}

#[test]
fn a_bad_jwks_file_exits_2_naming_it() {
    let token = signed_rs256("test-rsa", &json!({"iss": "https://x", "sub": "x"}));
    let html = temp_file("jwks", "page.html", "<html>not keys</html>");
    for (path, words) in [
        (html.as_str(), "cannot be used: not JSON"),
        (
            "/nonexistent/jwks.json",
            "cannot read the JWKS file /nonexistent/jwks.json",
        ),
    ] {
        let out = run(trustlens().args(["decode", "--jwks", path]).arg(&token));
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(words), "{}", out.stderr);
        assert!(!out.stderr.contains(&token));
    }
}

/// STS's length check comes first: under 4 characters it answers `ValidationError`
/// (aws-web-identity.md §2.2, the `webIdentityToken` constraint message).
#[test]
fn a_token_under_4_characters_gets_stss_validation_error() {
    let out = run(trustlens().args(["decode", "abc"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("STS answers ValidationError: 1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4"),
        "{}",
        out.stderr
    );
    let out = run(trustlens().args(["decode", "abcd.x"]));
    assert!(!out.stderr.contains("ValidationError"), "{}", out.stderr);
}

/// `decode demo:NAME --raw` prints the demo token, which the other commands then read; a real
/// token is refused (exit 2), as it is a credential.
#[test]
fn raw_prints_a_demo_token_only() {
    let out = run(trustlens().args(["decode", "demo:semaphore-main", "--raw"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let token = out.stdout.trim();
    assert_eq!(token.split('.').count(), 3, "{token}");
    let again = run(trustlens()
        .args(["decode", "-", "--json"])
        .write_stdin(token));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let json: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(json["claims"]["iss"], "https://acme.semaphoreci.com");

    let real = run(trustlens()
        .args(["decode", "-", "--raw"])
        .write_stdin(semaphore_token()));
    assert_eq!(real.code, 2);
    assert!(
        real.stderr.contains("--raw prints demo tokens only"),
        "{}",
        real.stderr
    );
    assert!(real.stdout.is_empty());
}

/// `--strict` exits 3 when STS would reject the token, 0 when it would not; without it the
/// findings do not change the exit code.
#[test]
fn strict_exits_3_when_sts_would_reject_the_token() {
    let expired = run(trustlens().args(["decode", "demo:semaphore-expired", "--strict"]));
    assert_eq!(expired.code, 3, "{}", expired.stdout);
    assert!(expired.stdout.contains("STS will reject this token"));
    let lenient = run(trustlens().args(["decode", "demo:semaphore-expired"]));
    assert_eq!(lenient.code, 0);
    let fine = run(trustlens().args(["decode", "demo:semaphore-main", "--strict", "--json"]));
    assert_eq!(fine.code, 0, "{}", fine.stdout);
}

/// Completion scripts for each shell, and a man page, generated from the arguments.
#[test]
fn completions_and_the_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef trustlens"),
        ("fish", "complete -c trustlens"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(trustlens().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("decode"), "{shell}");
    }
    assert_eq!(run(trustlens().args(["completions", "tcsh"])).code, 2);
    let man = run(trustlens().arg("man"));
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH trustlens 1"), "{}", man.stdout);
    assert!(man.stdout.contains("completions"));
    // A subcommand's own page carries its flags.
    let explain = run(trustlens().args(["man", "explain"]));
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        explain.stdout.contains(".TH trustlens-explain 1"),
        "{}",
        explain.stdout
    );
    assert!(explain.stdout.contains(r"\-\-policy"), "{}", explain.stdout);
    let unknown = run(trustlens().args(["man", "nope"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("one of decode, explain"),
        "{}",
        unknown.stderr
    );
}

/// `--color` and the colour variables: `always` and `CLICOLOR_FORCE` colour a pipe, `never`
/// and `NO_COLOR` do not.
#[test]
fn color_follows_the_flag_and_the_conventions() {
    let coloured = |out: &common::Output| out.stdout.contains("\x1b[");
    let scan = ["--demo", "scan"];
    assert!(!coloured(&run(trustlens().args(scan))));
    assert!(coloured(&run(trustlens().args(scan).arg("--color=always"))));
    assert!(coloured(&run(trustlens()
        .args(scan)
        .env("CLICOLOR_FORCE", "1"))));
    assert!(!coloured(&run(trustlens()
        .args(scan)
        .env("CLICOLOR_FORCE", "1")
        .arg("--color")
        .arg("never"))));
    assert_eq!(run(trustlens().args(scan).arg("--color=sometimes")).code, 2);
}

/// The help texts say what the README says: `decode` takes `demo:NAME`, `explain --role`
/// works live, `explain` without a role names `--policy`, and a session name STS would refuse
/// is bad input (exit 2).
#[test]
fn help_texts_and_argument_errors_agree_with_the_readme() {
    let decode = run(trustlens().args(["decode", "--help"]));
    assert!(decode.stdout.contains("demo:NAME"), "{}", decode.stdout);
    let explain = run(trustlens().args(["explain", "--help"]));
    assert!(
        explain.stdout.contains("live AWS, --demo or --snapshot"),
        "{}",
        explain.stdout
    );
    let missing = run(trustlens().args(["--demo", "explain"]));
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("--policy"), "{}", missing.stderr);
    for bad in ["x", "has space", &"n".repeat(65)] {
        let out = run(trustlens().args(["--demo", "scan", "--session-name", bad]));
        assert_eq!(out.code, 2, "{bad}: {}", out.stdout);
        assert!(out.stderr.contains("--session-name"), "{}", out.stderr);
    }
}

/// An account whose IAM data holds C0/C1 controls, a bidi override and DEL: in a provider's
/// client ID, a role's description and tags, a trust policy's condition value, and a
/// CloudTrail event's fields.
fn hostile_snapshot() -> String {
    let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}]0;owned\u{7}\u{202e}x\u{9b}2J\u{7f}";
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
            "acme.semaphoreci.com:sub": format!("org:acme:{evil}*")}}}]});
    let snapshot = json!({
        "format": "trustlens-snapshot", "version": 1, "captured_at": "2026-11-20T09:00:00Z",
        "account_id": "123456789012", "partition": "aws",
        "providers": [{"arn": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com",
            "url": "acme.semaphoreci.com", "client_ids": ["https://acme.semaphoreci.com", evil],
            "thumbprints": []}],
        "roles": [{"name": "deploy", "arn": "arn:aws:iam::123456789012:role/deploy", "path": "/",
            "description": evil, "tags": [{"key": "team", "value": evil}],
            "max_session_duration": 3600, "trust_policy": policy.to_string()}],
    });
    temp_file("hostile", "account.json", snapshot.to_string())
}

/// issue 9 §1: no text output prints IAM's or CloudTrail's data raw — roles, providers, lint,
/// scan, explain, policy, setup and trail alike.
#[test]
fn hostile_account_data_is_escaped_in_every_text_command() {
    let snapshot = hostile_snapshot();
    let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{202e}x\u{9b}2J\u{7f}";
    let event = json!({"eventVersion": "1.08", "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoleWithWebIdentity", "eventTime": "2026-11-25T17:00:00Z",
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "userAgent": evil,
        "errorCode": "AccessDenied", "errorMessage": evil,
        "userIdentity": {"type": "WebIdentityUser",
            "principalId": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com:https://acme.semaphoreci.com:org:acme",
            "userName": format!("org:acme:{evil}"), "identityProvider": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
        "requestParameters": {"roleArn": "arn:aws:iam::123456789012:role/deploy", "roleSessionName": "s"},
        "responseElements": null});
    let trail = temp_file("hostile", "event.json", event.to_string());
    let token = "demo:semaphore-main";
    let with = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--snapshot".to_owned(), snapshot.clone()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all
    };
    for args in [
        with(&["roles"]),
        with(&["providers"]),
        with(&["lint"]),
        with(&["scan", "--all", "--token", token]),
        with(&["explain", "--role", "deploy", "--token", token]),
        with(&["policy", "--role", "deploy", "--token", token, "--diff"]),
        with(&[
            "setup",
            "--platform",
            "semaphore",
            "--org",
            "acme",
            "--project",
            "936a5312-a3b8-4921-8b3f-2cec8baac574",
            "--repo",
            "web",
            "--role-name",
            "deploy",
        ]),
        with(&["trail", &trail]),
    ] {
        let (out, all) = escaped_output(&args);
        assert!(
            all.contains("\\x1b") || all.contains("\\u{9b}") || all.contains("\\u{202e}"),
            "{args:?} shows none of the data escaped (exit {}): {all}",
            out.code
        );
    }
}
