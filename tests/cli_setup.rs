//! `trustlens setup` against real local endpoints: moto's IAM and STS for the plan, `--apply`
//! and the verification, the tests' fake AWS endpoint for what moto lacks
//! (`AddClientIDToOpenIDConnectProvider`) and for IAM's refusals (a denied `CreateRole`, the
//! shared-issuer guardrail). The `--format` renderings pass python-hcl2, cfn-lint and the AWS CLI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/fake_aws.rs"]
mod fake_aws;
#[path = "support/moto.rs"]
mod moto;

use std::process::Command as Process;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{signed_rs256, temp_file};
use fake_aws::{FakeAws, Reply};
use moto::Moto;
use serde_json::{Value, json};

const PROJECT: &str = "936a5312-a3b8-4921-8b3f-2cec8baac574";
const INSTALL_HINT: &str =
    "run scripts/test.sh, which installs python-hcl2, cfn-lint and the AWS CLI (pip)";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap()
}

/// `setup --platform semaphore` for acme/web on main, with `extra` flags.
fn semaphore_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "setup",
        "--platform",
        "semaphore",
        "--org",
        "acme",
        "--project",
        PROJECT,
        "--repo",
        "web",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn run(endpoint: &str, args: &[String], env: &[(&str, &str)]) -> common::Output {
    let mut command = common::against_aws(endpoint);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    common::run(&mut command)
}

fn json_of(output: &common::Output) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}{}", output.stdout, output.stderr))
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

fn actions(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|step| step["changes"].as_array().unwrap().clone())
        .map(|change| change["action"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_empty_account_gets_the_provider_and_role_then_a_second_run_changes_nothing() {
    let moto = Moto::start();
    let planned = run(&moto.endpoint, &semaphore_args(&["--json"]), &[]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let report = json_of(&planned);
    assert_eq!(actions(&report["plan"]), ["create-provider", "create-role"]);
    assert_eq!(report["applied"], json!([]), "no --apply: nothing made");

    let applied = run(&moto.endpoint, &semaphore_args(&["--apply", "--yes"]), &[]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied
            .stdout
            .contains("✔ made: create the OIDC provider https://acme.semaphoreci.com"),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stdout.contains("✔ made: create the role ci-oidc"),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stdout.contains("2 of 2 changes made."),
        "{}",
        applied.stdout
    );

    let providers = run(&moto.endpoint, &["providers".into(), "--json".into()], &[]);
    let providers = json_of(&providers);
    assert_eq!(providers[0]["url"], "acme.semaphoreci.com");
    assert_eq!(
        providers[0]["client_ids"],
        json!(["https://acme.semaphoreci.com"])
    );
    assert_eq!(providers[0]["roles"], json!(["ci-oidc"]));

    let again = run(
        &moto.endpoint,
        &semaphore_args(&["--apply", "--yes", "--json"]),
        &[],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = json_of(&again);
    assert_eq!(actions(&again["plan"]), Vec::<String>::new(), "idempotent");
    assert_eq!(again["applied"], json!([]));
    let todo: Vec<&Value> = again["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|step| step["checks"].as_array().unwrap())
        .filter(|check| check["status"] == "todo")
        .collect();
    assert!(todo.is_empty(), "{todo:?}");
    let text = run(&moto.endpoint, &semaphore_args(&[]), &[]);
    assert!(
        text.stdout
            .contains("Nothing to change: every step is done."),
        "{}",
        text.stdout
    );
}

#[test]
fn a_token_for_the_org_assumes_the_new_role_through_motos_sts() {
    let moto = Moto::start();
    let token = semaphore_token("branch", "refs/heads/main");
    let applied = run(
        &moto.endpoint,
        &semaphore_args(&["--apply", "--yes", "--token", "env:JOB_TOKEN", "--json"]),
        &[("JOB_TOKEN", &token)],
    );
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let report = json_of(&applied);
    assert_eq!(report["verification"]["assumed"], true, "{report:#}");
    assert!(
        report["verification"]["assumed_role_arn"]
            .as_str()
            .unwrap()
            .contains("assumed-role/ci-oidc/trustlens-setup"),
        "{report:#}"
    );
    let step3 = report["plan"]["steps"][2]["checks"].to_string();
    assert!(step3.contains("is admitted by the trust policy"), "{step3}");

    // The snippet's shorter form, as the pipeline would run it (the CI variable is found).
    let mut assume = common::against_aws(&moto.endpoint);
    assume
        .args(["assume", "--role", "arn:aws:iam::123456789012:role/ci-oidc"])
        .env("SEMAPHORE_OIDC_TOKEN", &token);
    let assumed = common::run(&mut assume);
    assert_eq!(assumed.code, 0, "{}", assumed.stderr);
    assert!(assumed.stdout.contains("export AWS_SESSION_TOKEN="));

    // A second run verifies without changing anything.
    let again = run(
        &moto.endpoint,
        &semaphore_args(&["--token", "env:JOB_TOKEN"]),
        &[("JOB_TOKEN", &token)],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("✔ verified: the token at hand assumed"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_too_wide_trust_policy_gets_the_diff_and_is_narrowed() {
    let moto = Moto::start();
    let wide = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                "StringLike": {"acme.semaphoreci.com:sub": "org:acme:*"},
            }
        }]
    });
    moto.create_provider_and_role(
        "https://acme.semaphoreci.com",
        "https://acme.semaphoreci.com",
        "ci-oidc",
        &wide.to_string(),
    );
    let planned = run(&moto.endpoint, &semaphore_args(&[]), &[]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(
        planned
            .stdout
            .contains("✘ its trust policy is wider than intended: it also admits"),
        "{}",
        planned.stdout
    );
    assert!(
        planned.stdout.contains("the trust policy, old → new:"),
        "{}",
        planned.stdout
    );
    assert!(
        planned
            .stdout
            .contains("-           \"acme.semaphoreci.com:sub\": \"org:acme:*\""),
        "{}",
        planned.stdout
    );
    assert!(
        planned
            .stdout
            .contains("→ replace the trust policy of ci-oidc"),
        "{}",
        planned.stdout
    );

    let applied = run(&moto.endpoint, &semaphore_args(&["--apply", "--yes"]), &[]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let roles = json_of(&run(
        &moto.endpoint,
        &["roles".into(), "--json".into()],
        &[],
    ));
    let stored: Value = serde_json::from_str(roles[0]["trust_policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        stored["Statement"][0]["Condition"]["StringEquals"]["acme.semaphoreci.com:sub"],
        format!("org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main")
    );
    let pr = semaphore_token("pull-request", "refs/pull/7/merge");
    let mut explain = common::against_aws(&moto.endpoint);
    explain
        .args(["assume", "--role", "ci-oidc", "--dry-run"])
        .env("SEMAPHORE_OIDC_TOKEN", &pr);
    assert_eq!(
        common::run(&mut explain).code,
        3,
        "pull requests are refused now"
    );
    let again = json_of(&run(&moto.endpoint, &semaphore_args(&["--json"]), &[]));
    assert_eq!(actions(&again["plan"]), Vec::<String>::new());
}

#[test]
fn every_platform_is_set_up_from_empty_its_job_assumes_and_a_rerun_is_a_no_op() {
    let moto = Moto::start();
    let cases: [(&str, &[&str]); 10] = [
        (
            "semaphore",
            &["--org", "acme", "--project", PROJECT, "--repo", "web"],
        ),
        ("github", &["--org", "octo", "--project", "web"]),
        ("gitlab", &["--org", "group/sub", "--project", "web"]),
        (
            "circleci",
            &[
                "--org",
                "9f3c1b0e-1234-4d2a-9e8f-1a2b3c4d5e6f",
                "--project",
                "0b1c2d3e-1234-4d2a-9e8f-1a2b3c4d5e6f",
            ],
        ),
        (
            "bitbucket",
            &[
                "--org",
                "acme",
                "--project",
                "{e4403a47-6010-4a36-b477-117db9680f45}",
                "--audience",
                "ari:cloud:bitbucket::workspace/bd5ab8df-e1b9-4a2c-8d9d-156e32704c99",
            ],
        ),
        ("buildkite", &["--org", "acme", "--project", "deploy"]),
        (
            "hcp-terraform",
            &[
                "--org",
                "acme",
                "--project",
                "Default Project",
                "--repo",
                "prod",
            ],
        ),
        (
            "eks",
            &[
                "--project",
                "payments",
                "--repo",
                "api",
                "--issuer",
                "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E",
            ],
        ),
        (
            "spacelift",
            &["--org", "acme", "--project", "root", "--repo", "infra"],
        ),
        ("google", &["--project", "112233445566778899001"]),
    ];
    for (platform, inputs) in cases {
        let role = format!("ci-{platform}");
        let mut args: Vec<String> = ["setup", "--platform", platform, "--role-name", &role]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        args.extend(inputs.iter().map(|s| (*s).to_owned()));
        let mut apply = args.clone();
        apply.extend(["--apply", "--yes", "--json"].map(str::to_owned));
        let first = run(&moto.endpoint, &apply, &[]);
        assert_eq!(
            first.code, 0,
            "{platform}: {}{}",
            first.stdout, first.stderr
        );
        let first = json_of(&first);
        let made: Vec<&Value> = first["applied"].as_array().unwrap().iter().collect();
        assert!(
            made.iter().all(|entry| entry["outcome"] == "made"),
            "{platform}: {made:?}"
        );
        assert!(
            made.iter().any(|entry| entry["action"] == "create-role"),
            "{platform}: {made:?}"
        );
        let snippet = first["plan"]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains(&format!("arn:aws:iam::123456789012:role/{role}")),
            "{platform}: {snippet}"
        );
        let second = run(&moto.endpoint, &apply, &[]);
        assert_eq!(second.code, 0, "{platform}: {}", second.stderr);
        assert_eq!(
            json_of(&second)["applied"],
            json!([]),
            "{platform}: a no-op"
        );
        // A working provider and role: the plan's typical job, as a token, assumes the role
        // through moto's STS (the local verdict first, as in a pipeline).
        let mut job = first["plan"]["job"].clone();
        let issued = now() - 60;
        job["iat"] = json!(issued);
        job["exp"] = json!(issued + 3_600);
        let mut assume = common::against_aws(&moto.endpoint);
        assume
            .args(["assume", "--role", &role, "--token", "env:JOB_TOKEN"])
            .env("JOB_TOKEN", signed_rs256("k1", &job));
        let assumed = common::run(&mut assume);
        assert_eq!(assumed.code, 0, "{platform}: {}", assumed.stderr);
        assert!(
            assumed.stderr.contains(&format!("assumed-role/{role}/")),
            "{platform}: {}",
            assumed.stderr
        );
    }
    let roles = json_of(&run(
        &moto.endpoint,
        &["roles".into(), "--json".into()],
        &[],
    ));
    assert_eq!(roles.as_array().unwrap().len(), 10);
}

/// A fake IAM with no provider and no role, whose answer to `CreateRole` is `refusal`.
fn refusing(refusal: Reply) -> FakeAws {
    FakeAws::start(move |request| match request.action.as_str() {
        "GetCallerIdentity" => fake_aws::get_caller_identity(
            "arn:aws:iam::123456789012:user/ops",
            "AIDAEXAMPLE",
            "123456789012",
        ),
        "ListOpenIDConnectProviders" => fake_aws::list_open_id_connect_providers(&[]),
        "GetRole" => Reply::iam_error(
            404,
            "NoSuchEntity",
            "The role with name ci-oidc cannot be found.",
        ),
        "CreateOpenIDConnectProvider" => Reply::ok(format!(
            "<CreateOpenIDConnectProviderResponse xmlns=\"{}\"><CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com</OpenIDConnectProviderArn></CreateOpenIDConnectProviderResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></CreateOpenIDConnectProviderResponse>",
            fake_aws::IAM_NS
        )),
        "CreateRole" => refusal.clone(),
        other => panic!("unexpected {other}"),
    })
}

#[test]
fn a_denied_create_role_leaves_a_clear_report_of_what_was_and_was_not_done() {
    let fake = refusing(Reply::iam_error(
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/ci-oidc",
    ));
    let args = semaphore_args(&[
        "--apply",
        "--yes",
        "--permissions-policy",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    let out = run(&fake.endpoint, &args, &[]);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("✔ made: create the OIDC provider https://acme.semaphoreci.com"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("✘ failed: create the role ci-oidc with the planned trust policy (iam:CreateRole): the credentials may not call iam:CreateRole"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("– not attempted: attach arn:aws:iam::aws:policy/ReadOnlyAccess to ci-oidc"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("1 of 3 changes made; the rest were not"),
        "{}",
        out.stdout
    );
    assert_eq!(fake.count("CreateRole"), 1);
    assert_eq!(
        fake.count("AttachRolePolicy"),
        0,
        "stopped at the first failure"
    );
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.action == "CreateOpenIDConnectProvider")
        .unwrap();
    assert_eq!(create.param("Url"), Some("https://acme.semaphoreci.com"));
    assert_eq!(
        create.param("ClientIDList.member.1"),
        Some("https://acme.semaphoreci.com")
    );
    assert_eq!(
        create.param("ThumbprintList.member.1"),
        None,
        "IAM takes the issuer's own"
    );
}

#[test]
fn the_shared_issuer_guardrail_and_a_taken_name_are_explained() {
    let fake = refusing(Reply::iam_error(
        400,
        "MalformedPolicyDocument",
        "Trust policy with trusted principal arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com must evaluate, using StringEquals, StringLike or StringEqualsIgnoreCase, token.actions.githubusercontent.com:sub or token.actions.githubusercontent.com:job_workflow_ref which is not scoped to all.",
    ));
    let out = run(
        &fake.endpoint,
        &semaphore_args(&["--apply", "--yes", "--json"]),
        &[],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    let report = json_of(&out);
    let failed = &report["applied"][1];
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["code"], "MalformedPolicyDocument");
    assert!(
        failed["explanation"]
            .as_str()
            .unwrap()
            .contains("IAM requires the policy to test the tenant's claim (sub)"),
        "{failed}"
    );

    let fake = refusing(Reply::iam_error(
        409,
        "EntityAlreadyExists",
        "Role with name ci-oidc already exists.",
    ));
    let out = run(&fake.endpoint, &semaphore_args(&["--apply", "--yes"]), &[]);
    assert_eq!(out.code, 3);
    assert!(
        out.stdout.contains("the name ci-oidc is taken"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_missing_audience_is_added_through_the_fake_endpoint() {
    let provider = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
    let fake = FakeAws::start(move |request| match request.action.as_str() {
        "GetCallerIdentity" => fake_aws::get_caller_identity(
            "arn:aws:iam::123456789012:user/ops",
            "AIDAEXAMPLE",
            "123456789012",
        ),
        "ListOpenIDConnectProviders" => fake_aws::list_open_id_connect_providers(&[provider]),
        "GetOpenIDConnectProvider" => {
            fake_aws::get_open_id_connect_provider("acme.semaphoreci.com", &["sts.amazonaws.com"])
        }
        "GetRole" => Reply::iam_error(
            404,
            "NoSuchEntity",
            "The role with name ci-oidc cannot be found.",
        ),
        "AddClientIDToOpenIDConnectProvider" | "CreateRole" => Reply::ok(format!(
            "<{0}Response xmlns=\"{1}\"><{0}Result><Role><Path>/</Path><RoleName>ci-oidc</RoleName><RoleId>AROA</RoleId><Arn>arn:aws:iam::123456789012:role/ci-oidc</Arn><CreateDate>2026-05-08T23:34:01Z</CreateDate></Role></{0}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{0}Response>",
            request.action,
            fake_aws::IAM_NS
        )),
        other => panic!("unexpected {other}"),
    });
    let out = run(&fake.endpoint, &semaphore_args(&["--apply", "--yes"]), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("✘ its audiences (sts.amazonaws.com) lack https://acme.semaphoreci.com"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("✔ made: add the audience https://acme.semaphoreci.com to"),
        "{}",
        out.stdout
    );
    let add = fake
        .requests()
        .into_iter()
        .find(|r| r.action == "AddClientIDToOpenIDConnectProvider")
        .unwrap();
    assert_eq!(add.param("OpenIDConnectProviderArn"), Some(provider));
    assert_eq!(add.param("ClientID"), Some("https://acme.semaphoreci.com"));
    assert_eq!(
        fake.actions()
            .iter()
            .filter(|a| a.starts_with("Create") || a.starts_with("Add"))
            .collect::<Vec<_>>(),
        ["AddClientIDToOpenIDConnectProvider", "CreateRole"],
        "in order"
    );
}

#[test]
fn apply_without_a_terminal_needs_yes_and_offline_accounts_are_not_changed() {
    let moto = Moto::start();
    let out = run(&moto.endpoint, &semaphore_args(&["--apply"]), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("add --yes to make them all"),
        "{}",
        out.stderr
    );
    let mut demo = assert_cmd::Command::cargo_bin("trustlens").unwrap();
    demo.env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .arg("--demo");
    demo.args(semaphore_args(&[
        "--role-name",
        "new-role",
        "--apply",
        "--yes",
    ]));
    let out = common::run(&mut demo);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the demo and snapshot accounts cannot be changed"),
        "{}",
        out.stdout
    );
    let out = run(
        &moto.endpoint,
        &[
            "setup".into(),
            "--platform".into(),
            "semaphore".into(),
            "--org".into(),
            "acme".into(),
        ],
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("Semaphore needs --project"),
        "{}",
        out.stderr
    );
}

const CREATE_PERMISSIONS: &str = r#"aws iam create-policy --policy-name ci-permissions --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}'"#;

fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Process::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program} ({error}): {INSTALL_HINT}"))
}

#[test]
fn the_changes_as_code_pass_hcl2_and_cfn_lint_and_the_cli_commands_run_against_moto() {
    let moto = Moto::start();
    // moto loads no AWS-managed policies: the jobs' permissions are a policy of the account.
    let policy = [
        "--permissions-policy",
        "arn:aws:iam::123456789012:policy/ci-permissions",
    ];
    let code = |format: &str| {
        let mut extra = vec!["--format", format];
        extra.extend(policy);
        let out = run(&moto.endpoint, &semaphore_args(&extra), &[]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        out.stdout
    };
    let terraform = code("terraform");
    let file = temp_file("setup-terraform", "main.tf", &terraform);
    let parsed = tool(
        "python3",
        &[
            "-c",
            "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))",
            &file,
        ],
    );
    assert!(
        parsed.status.success(),
        "python-hcl2: {} ({INSTALL_HINT})",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let tree: Value = serde_json::from_slice(&parsed.stdout).unwrap();
    let kinds: Vec<String> = tree["resource"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r.as_object()
                .unwrap()
                .keys()
                .map(|k| k.trim_matches('"').to_owned())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "aws_iam_openid_connect_provider",
            "aws_iam_role",
            "aws_iam_role_policy_attachment"
        ]
    );
    let yaml = temp_file(
        "setup-cloudformation",
        "template.yaml",
        code("cloudformation"),
    );
    let linted = tool("cfn-lint", &[&yaml]);
    assert!(
        linted.status.success(),
        "cfn-lint: {}{} ({INSTALL_HINT})",
        String::from_utf8_lossy(&linted.stdout),
        String::from_utf8_lossy(&linted.stderr)
    );
    let script = code("cli");
    let ran = moto.run_aws_script("setup-cli", &format!("{CREATE_PERMISSIONS}\n{script}"));
    assert!(
        ran.status.success(),
        "the aws CLI failed ({INSTALL_HINT}): {}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    let mut with_policy = semaphore_args(&["--json"]);
    with_policy.extend(policy.map(str::to_owned));
    let after = json_of(&run(&moto.endpoint, &with_policy, &[]));
    assert_eq!(
        actions(&after["plan"]),
        Vec::<String>::new(),
        "the commands made every change"
    );
}

/// Right after the role is made, STS may not know it yet (IAM is eventually consistent): the
/// verification tries again, and the second answer is the one reported.
#[test]
fn the_verification_waits_for_iam_changes_to_reach_sts() {
    let assumes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&assumes);
    let fake = FakeAws::start(move |request| match request.action.as_str() {
        "GetCallerIdentity" => fake_aws::get_caller_identity(
            "arn:aws:iam::123456789012:user/ops",
            "AIDAEXAMPLE",
            "123456789012",
        ),
        "ListOpenIDConnectProviders" => fake_aws::list_open_id_connect_providers(&[
            "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com",
        ]),
        "GetOpenIDConnectProvider" => fake_aws::get_open_id_connect_provider(
            "acme.semaphoreci.com",
            &["https://acme.semaphoreci.com"],
        ),
        "GetRole" => Reply::iam_error(
            404,
            "NoSuchEntity",
            "The role with name ci-oidc cannot be found.",
        ),
        "CreateRole" => Reply::ok(format!(
            "<CreateRoleResponse xmlns=\"{}\"><CreateRoleResult><Role><Path>/</Path><RoleName>ci-oidc</RoleName><RoleId>AROA</RoleId><Arn>arn:aws:iam::123456789012:role/ci-oidc</Arn><CreateDate>2026-05-08T23:34:01Z</CreateDate></Role></CreateRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></CreateRoleResponse>",
            fake_aws::IAM_NS
        )),
        "AssumeRoleWithWebIdentity" => {
            if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Reply::sts_error(
                    403,
                    "AccessDenied",
                    "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                )
            } else {
                fake_aws::assume_role_with_web_identity(
                    &fake_aws::FakeCredentials {
                        access_key_id: "ASIAEXAMPLE".into(),
                        secret_access_key: "secret".into(),
                        session_token: "session".into(),
                        expiration: "2030-01-01T00:00:00Z".into(),
                    },
                    "arn:aws:sts::123456789012:assumed-role/ci-oidc/trustlens-setup",
                    "org:acme",
                    "https://acme.semaphoreci.com",
                    "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com",
                )
            }
        }
        other => panic!("unexpected {other}"),
    });
    let token = semaphore_token("branch", "refs/heads/main");
    let out = run(
        &fake.endpoint,
        &semaphore_args(&["--apply", "--yes", "--token", "env:JOB_TOKEN"]),
        &[("JOB_TOKEN", &token)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("IAM changes can take some seconds to reach STS"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("✔ verified: the token at hand assumed arn:aws:sts::123456789012:assumed-role/ci-oidc/trustlens-setup"),
        "{}",
        out.stdout
    );
    assert_eq!(assumes.load(std::sync::atomic::Ordering::SeqCst), 2);
}
