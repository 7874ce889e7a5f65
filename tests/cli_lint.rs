//! `trustlens lint` end to end: the demo account, policy files, CloudFormation (JSON, YAML with
//! tags) and Terraform plans; text, JSON and SARIF — the SARIF validated against the OASIS
//! SARIF 2.1.0 schema with Python's `jsonschema`; exit codes, `--fail-on`, `--ignore` and the
//! config file. Proof fixtures: a policy for each Access Analyzer check and Checkov
//! CKV_AWS_358/393 failure that trustlens flags too (checkov is run on them), and tight
//! policies per platform with no warning or error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command as Process;

use assert_cmd::Command;
use common::{Output, fixture, run, temp_file};
use serde_json::Value;

const INSTALL_HINT: &str =
    "run scripts/test.sh, which installs jsonschema (pip) and checkov (in target/validators)";

fn lint(args: &[&str]) -> Output {
    run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .arg("lint")
        .arg("--no-config")
        .args(args))
}

fn lint_json(args: &[&str]) -> (i32, Value) {
    let output = lint(&[args, &["--json"]].concat());
    let value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", output.stdout, output.stderr));
    (output.code, value)
}

/// Every (role, rule) pair of a JSON report.
fn found(report: &Value) -> Vec<(String, String)> {
    report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|role| {
            role["findings"].as_array().unwrap().iter().map(move |f| {
                (
                    role["name"].as_str().unwrap().to_owned(),
                    f["rule"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn lints_every_role_of_the_demo_account() {
    let (code, report) = lint_json(&["--demo"]);
    assert_eq!(code, 3, "errors in the demo's broken roles fail the run");
    let pairs = found(&report);
    for (role, rule) in [
        ("github-actions-no-sub", "TL009"),
        ("semaphore-web-deploy-assumerole", "TL004"),
        ("semaphore-web-branches-stringequals", "TL021"),
        ("github-octo-org-owner-claim", "TL034"),
        ("github-octo-repo-other-account", "TL006"),
        ("legacy-ci-deploy", "TL007"),
        ("semaphore-web-deploy-audience-typo", "TL037"),
    ] {
        assert!(
            pairs.contains(&(role.to_owned(), rule.to_owned())),
            "{role} {rule}: {pairs:?}"
        );
    }
    // The tight deploy role has only the note that it would deny tokens with session tags.
    let deploy: Vec<&str> = pairs
        .iter()
        .filter(|(role, _)| role == "semaphore-web-deploy")
        .map(|(_, rule)| rule.as_str())
        .collect();
    assert_eq!(deploy, ["TL044"], "{pairs:?}");
    assert_eq!(report["not_run"], serde_json::json!([]));
    assert_eq!(report["account"], "the embedded demo account");
    let finding = &report["roles"].as_array().unwrap()[0];
    assert!(
        finding["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:iam::")
    );
}

#[test]
fn text_is_grouped_by_role_and_worst_first_without_colour_off_a_terminal() {
    let output = lint(&["--demo"]);
    assert_eq!(output.code, 3);
    assert!(!output.stdout.contains('\x1b'), "no colour when piped");
    let block = output
        .stdout
        .split("\n\n")
        .find(|b| b.starts_with("semaphore-web-deploy-slash-key"))
        .unwrap();
    let severities: Vec<&str> = block
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| matches!(*w, "error" | "warning" | "note"))
        .collect();
    assert_eq!(
        severities,
        ["error", "error", "warning", "note", "note"],
        "{block}"
    );
    assert!(block.contains("why: ") && block.contains("fix: write the key as"));
    assert!(output.stdout.contains("without findings"));
}

#[test]
fn fail_on_and_ignore_decide_the_exit_code() {
    let file = fixture("lint/peers/aa-specific-github-repo-and-branch-recommended.json");
    assert_eq!(lint(&[&file]).code, 3, "a warning fails by default");
    assert_eq!(lint(&["--fail-on", "error", &file]).code, 0);
    assert_eq!(lint(&["--fail-on", "none", &file]).code, 0);
    assert_eq!(lint(&["--ignore", "TL014", &file]).code, 0);
    let (_, report) = lint_json(&["--ignore", "TL014", &file]);
    assert_eq!(report["counts"]["suppressed"], 1);
    let bad = lint(&["--ignore", "TL999", &file]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("TL999"), "{}", bad.stderr);
    assert_eq!(lint(&["--fail-on", "loud", &file]).code, 2);
}

#[test]
fn the_config_file_ignores_by_rule_and_role_with_reasons() {
    let file = fixture("lint/peers/aa-specific-github-repo-and-branch-recommended.json");
    let config = temp_file(
        "lint-config",
        "trustlens.toml",
        format!(
            "[[lint.ignore]]\nrole = \"{file}\"\nrule = \"TL014\"\nreason = \"read-only role\"\n"
        ),
    );
    let output = run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .args(["lint", "--json", "--config", &config, &file]));
    assert_eq!(output.code, 0, "{}", output.stdout);
    assert!(output.stdout.contains("read-only role"));
    let unreasoned = temp_file(
        "lint-config",
        "no-reason.toml",
        "[[lint.ignore]]\nrule = \"TL014\"\n",
    );
    let output = run(Command::cargo_bin("trustlens").unwrap().env_clear().args([
        "lint",
        "--config",
        &unreasoned,
        &file,
    ]));
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("has no reason"), "{}", output.stderr);
    // Found in XDG_CONFIG_HOME when no repository holds one.
    let home = std::path::Path::new(&config).parent().unwrap().join("xdg");
    std::fs::create_dir_all(home.join("trustlens")).unwrap();
    std::fs::write(
        home.join("trustlens/trustlens.toml"),
        "[lint]\nfail-on = \"none\"\n",
    )
    .unwrap();
    let output = run(Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .env("XDG_CONFIG_HOME", &home)
        .current_dir("/")
        .args(["lint", &file]));
    assert_eq!(
        output.code, 0,
        "fail-on none from the XDG config: {}",
        output.stdout
    );
}

#[test]
fn reads_cloudformation_and_terraform_and_never_guesses_intrinsics() {
    let (code, report) = lint_json(&[
        &fixture("lint/inputs/template.yaml"),
        &fixture("lint/inputs/template.json"),
        &fixture("lint/peers/checkov-393-no-sub.plan.json"),
    ]);
    assert_eq!(code, 3);
    let roles = report["roles"].as_array().unwrap();
    let status = |name: &str, file: &str| {
        roles
            .iter()
            .find(|r| r["name"] == name && r["file"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{name} in {file}: {report}"))
    };
    let open = status("OpenRole", "template.yaml");
    assert_eq!(open["findings"][0]["rule"], "TL009");
    // At its own line of the YAML template (`Federated:`), not the role's.
    assert_eq!(open["findings"][0]["file_position"]["line"], 13);
    let sub = status("SubRole", "template.yaml");
    assert_eq!(sub["status"], "cannot-evaluate");
    assert!(sub["reason"].as_str().unwrap().contains("Fn::Sub"));
    assert_eq!(
        sub["file_position"]["line"], 26,
        "at the !Sub itself: {sub}"
    );
    let json_open = status("OpenRole", "template.json");
    assert_eq!(json_open["findings"][0]["file_position"]["line"], 13);
    assert_eq!(
        status("RefRole", "template.json")["status"],
        "cannot-evaluate"
    );
    let plan = status("aws_iam_role.ci", "checkov-393-no-sub.plan.json");
    assert_eq!(plan["findings"][0]["rule"], "TL009");
    assert_eq!(report["counts"]["cannot_evaluate"], 2);
    assert_eq!(
        report["not_run"],
        serde_json::json!(["TL006", "TL007", "TL037"]),
        "account rules say they need the account"
    );
}

#[test]
fn bad_files_are_bad_input_naming_the_file() {
    let broken = temp_file("lint-bad", "broken.json", "{\"Statement\": [");
    let output = lint(&[&broken]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("broken.json"), "{}", output.stderr);
    let other = temp_file("lint-bad", "other.json", "{\"hello\": 1}");
    let output = lint(&[&other]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("neither a trust policy"),
        "{}",
        output.stderr
    );
    let bytes = temp_file("lint-bad", "bytes.bin", [0xff_u8, 0xfe, 0x00]);
    assert_eq!(lint(&[&bytes]).code, 2);
    assert_eq!(lint(&["/nonexistent/policy.json"]).code, 2);
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let schema = fixture("sarif-schema-2.1.0.json");
    for args in [
        vec!["--demo".to_owned()],
        vec![
            fixture("lint/inputs/template.yaml"),
            fixture("lint/peers/checkov-393-no-sub.plan.json"),
            "--ignore".to_owned(),
            "TL036".to_owned(),
        ],
    ] {
        let mut all: Vec<&str> = vec!["--format", "sarif"];
        all.extend(args.iter().map(String::as_str));
        let output = lint(&all);
        assert_eq!(output.code, 3, "{}", output.stderr);
        let path = temp_file("lint-sarif", "out.sarif", &output.stdout);
        let checked = Process::new("python3")
            .args([
                "-c",
                "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1]))); print('valid')",
                &schema,
                &path,
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e}): {INSTALL_HINT}"));
        assert!(
            checked.status.success(),
            "SARIF invalid or jsonschema missing ({INSTALL_HINT}): {}",
            String::from_utf8_lossy(&checked.stderr)
        );
        let log: Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        assert!(
            log["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len()
                >= 30
        );
    }
}

#[test]
fn sarif_results_point_at_the_file_and_line() {
    let output = lint(&["--format", "sarif", &fixture("lint/inputs/template.yaml")]);
    let log: Value = serde_json::from_str(&output.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "TL009");
    assert_eq!(result["level"], "error");
    let physical = &result["locations"][0]["physicalLocation"];
    assert!(
        physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("template.yaml")
    );
    assert_eq!(physical["region"]["startLine"], 13);
}

#[test]
fn access_analyzer_and_checkov_findings_are_flagged_too() {
    let expected: serde_json::Map<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(fixture("lint/peers/expected.json")).unwrap(),
    )
    .unwrap();
    assert!(expected.len() >= 25);
    for (file, rule) in &expected {
        let (_, report) = lint_json(&[&fixture(&format!("lint/peers/{file}"))]);
        let rules: Vec<String> = found(&report).into_iter().map(|(_, r)| r).collect();
        assert!(
            rules.contains(&rule.as_str().unwrap().to_owned()),
            "{file}: {rules:?}"
        );
    }
}

#[test]
fn checkov_flags_the_checkov_fixtures() {
    let dir = fixture("lint/peers");
    let checkov = {
        let venv = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/validators/bin/checkov");
        if venv.exists() {
            venv.display().to_string()
        } else {
            "checkov".to_owned()
        }
    };
    let plans: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".plan.json"))
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(plans.len(), 4);
    let mut command = Process::new(&checkov);
    for plan in &plans {
        command.args(["-f", plan]);
    }
    let checked = command
        .args([
            "--framework",
            "terraform_plan",
            "-c",
            "CKV_AWS_393",
            "-o",
            "json",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run checkov ({e}): {INSTALL_HINT}"));
    let text = String::from_utf8_lossy(&checked.stdout);
    let results: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("checkov printed no JSON: {text} ({INSTALL_HINT})"));
    let failed = results["results"]["failed_checks"].as_array().unwrap();
    assert_eq!(failed.len(), 4, "CKV_AWS_393 fails each plan: {text}");
    let checked = Process::new(&checkov)
        .args([
            "-d",
            &format!("{dir}/checkov-358"),
            "--framework",
            "terraform",
        ])
        .args(["-c", "CKV_AWS_358", "-o", "json", "--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&checked.stdout);
    let results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        results["results"]["failed_checks"][0]["check_id"], "CKV_AWS_358",
        "{text}"
    );
}

#[test]
fn tight_policies_of_every_platform_raise_no_warning_or_error() {
    let dir = fixture("lint/tight");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (code, report) = lint_json(&args);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["counts"]["error"], 0);
    assert_eq!(report["counts"]["warning"], 0);
}

#[test]
fn scan_marks_allowed_roles_that_anyone_on_the_issuer_can_assume() {
    let scan = |json: bool| {
        run(Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .args([
                "--demo",
                "scan",
                "--token",
                "demo:github-main",
                "--now",
                common::NOW_RFC3339,
            ])
            .args(json.then_some("--json")))
    };
    let text = scan(false);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let line = text
        .stdout
        .lines()
        .skip_while(|l| !l.contains("github-actions-no-sub"))
        .nth(1)
        .unwrap();
    assert!(
        line.contains("⚠ allowed — any repository on GitHub can assume this role (TL009"),
        "{}",
        text.stdout
    );
    let report: Value = serde_json::from_str(&scan(true).stdout).unwrap();
    let dangerous = report["dangerous"].as_array().unwrap();
    assert!(
        dangerous
            .iter()
            .any(|d| d["role"] == "github-actions-no-sub"
                && d["rule"] == "TL009"
                && d["admits"] == "any repository on GitHub"),
        "{dangerous:?}"
    );
    assert!(
        !dangerous
            .iter()
            .any(|d| d["role"] == "github-octo-repo-deploy"),
        "a tight role is not dangerous"
    );
}

#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for rule in trustlens::lint::RULES {
        let row = format!(
            "| `{}` | `{}` | {}",
            rule.id,
            rule.name,
            rule.severity.name()
        );
        assert!(readme.contains(&row), "README's rule table lacks {row}");
    }
}

/// The config file is looked up from the working directory up to the repository's root (the
/// directory with `.git`), and no further.
#[test]
fn the_config_file_is_found_up_to_the_repository_root() {
    let file = fixture("lint/peers/aa-specific-github-repo-and-branch-recommended.json");
    let outside = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lint-repo");
    let repo = outside.join("repo");
    let deep = repo.join("infra/roles");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let lint_in = |dir: &std::path::Path| {
        run(Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .env("HOME", "/nonexistent")
            .current_dir(dir)
            .args(["lint", &file]))
        .code
    };
    // Above the repository's root: not read.
    std::fs::write(
        outside.join("trustlens.toml"),
        "[lint]\nfail-on = \"none\"\n",
    )
    .unwrap();
    let _ = std::fs::remove_file(repo.join("trustlens.toml"));
    assert_eq!(lint_in(&deep), 3, "a config beyond .git was read");
    // At the root: read from a directory deep inside.
    std::fs::write(repo.join("trustlens.toml"), "[lint]\nfail-on = \"none\"\n").unwrap();
    assert_eq!(lint_in(&deep), 0, "the repository's config was not read");
}

/// `--color` and `CLICOLOR_FORCE` colour lint's text even into a pipe; `never` wins.
#[test]
fn lint_colour_follows_color_and_clicolor_force() {
    let coloured = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = Command::cargo_bin("trustlens").unwrap();
        command.env_clear().envs(env.iter().copied());
        run(command.args(args).args(["lint", "--no-config", "--demo"]))
            .stdout
            .contains('\x1b')
    };
    assert!(!coloured(&[], &[]));
    assert!(coloured(&[], &["--color", "always"]));
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "0")], &[]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
}

/// `--snapshot FILE` lints the snapshot's account as `--demo` lints the demo's: the demo
/// written out as a snapshot gives the same findings.
#[test]
fn a_snapshot_is_linted_like_the_account_it_holds() {
    let file = common::demo_snapshot("lint-demo-snapshot.json");
    let (demo_code, demo) = lint_json(&["--demo"]);
    let (code, snapshot) = lint_json(&["--snapshot", &file]);
    assert_eq!(code, demo_code);
    assert_eq!(found(&snapshot), found(&demo));
    assert!(!found(&snapshot).is_empty());
}
