//! Generation, blast radius and renderers on the demo tokens' claims.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value};

use super::*;
use crate::account::demo;

const NOW: i64 = 1_795_629_600;

fn claims(name: &str) -> Map<String, Value> {
    demo::claims(name, NOW)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn target() -> Target<'static> {
    Target {
        partition: "aws",
        account: "123456789012",
        role_name: "ci",
    }
}

fn make(name: &str, scope: Option<&str>) -> Generated {
    generate(
        &claims(name),
        Choice {
            scope,
            pattern: None,
        },
        target(),
        NOW,
    )
    .unwrap()
}

#[test]
fn semaphore_main_defaults_to_the_exact_ref_with_string_equals() {
    let generated = make("semaphore-main", None);
    assert_eq!(generated.scope, "ref");
    assert!(generated.admits_token);
    let condition = &generated.policy["Statement"][0]["Condition"];
    assert_eq!(
        condition["StringEquals"]["acme.semaphoreci.com:sub"],
        format!(
            "org:acme:project:{}:repo:web:ref_type:branch:ref:refs/heads/main",
            demo::SEMAPHORE_PROJECT_ID
        )
    );
    assert_eq!(
        condition["StringEquals"]["acme.semaphoreci.com:aud"],
        "https://acme.semaphoreci.com"
    );
    assert!(condition.get("StringLike").is_none());
    assert_eq!(
        generated.policy["Statement"][0]["Action"],
        serde_json::json!(["sts:AssumeRoleWithWebIdentity"])
    );
}

#[test]
fn a_pull_request_job_gets_no_default_and_needs_the_explicit_scope() {
    let error = generate(&claims("semaphore-pr"), Choice::default(), target(), NOW).unwrap_err();
    assert!(matches!(error, GenerateError::NoDefault { .. }), "{error}");
    let generated = make("semaphore-pr", Some("pull-request"));
    assert!(generated.admits_token);
    assert!(generated.caution.is_some());
    assert_eq!(
        generated.policy["Statement"][0]["Condition"]["StringLike"]["acme.semaphoreci.com:sub"],
        format!(
            "org:acme:project:{}:repo:web:ref_type:pull-request:ref:*",
            demo::SEMAPHORE_PROJECT_ID
        )
    );
}

#[test]
fn session_tags_add_tag_session() {
    let generated = make("semaphore-tagged", None);
    assert_eq!(
        generated.policy["Statement"][0]["Action"],
        serde_json::json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
    );
    assert!(generated.admits_token);
}

#[test]
fn every_demo_token_gets_an_admitting_default_and_every_fitting_scope_parses() {
    for token in demo::TOKENS {
        if token.name == "semaphore-pr" || token.name == "github-pr" {
            continue;
        }
        let claims = claims(token.name);
        let generated = generate(&claims, Choice::default(), target(), NOW)
            .unwrap_or_else(|e| panic!("{}: {e}", token.name));
        assert!(generated.admits_token, "{}", token.name);
        for (scope, fits) in scopes_for(&claims) {
            if !fits {
                continue;
            }
            let generated = generate(
                &claims,
                Choice {
                    scope: Some(scope.name),
                    pattern: None,
                },
                target(),
                NOW,
            )
            .unwrap();
            let document = generated.document().unwrap();
            let prefix = generated.provider.key_prefix().to_owned();
            let keys: Vec<&str> = document.statements[0]
                .conditions
                .iter()
                .map(|c| c.key.as_str())
                .collect();
            assert!(keys.contains(&format!("{prefix}:sub").as_str()), "{keys:?}");
            assert!(keys.contains(&format!("{prefix}:aud").as_str()), "{keys:?}");
            for condition in &document.statements[0].conditions {
                let wild = condition.values.iter().any(|v| v.contains('*'));
                if condition.operator.raw == "StringEquals" {
                    assert!(!wild, "{}: {:?}", token.name, condition.values);
                }
            }
        }
    }
}

#[test]
fn the_blast_radius_of_a_main_only_policy_refuses_every_sibling() {
    let generated = make("semaphore-main", None);
    let rows = blast_radius(
        &generated.document().unwrap(),
        &claims("semaphore-main"),
        std::slice::from_ref(&generated.provider),
        &generated.role_arn,
        NOW,
    );
    assert_eq!(rows[0].identity, THIS_JOB);
    assert!(rows[0].admitted);
    assert!(rows.len() >= 4, "{rows:?}");
    assert!(rows[1..].iter().all(|row| !row.admitted), "{rows:?}");
}

#[test]
fn the_blast_radius_of_a_project_policy_admits_pull_requests() {
    let generated = make("semaphore-main", Some("project"));
    let rows = blast_radius(
        &generated.document().unwrap(),
        &claims("semaphore-main"),
        std::slice::from_ref(&generated.provider),
        &generated.role_arn,
        NOW,
    );
    let pr = rows
        .iter()
        .find(|row| row.identity.starts_with("a pull request"))
        .unwrap();
    assert!(pr.admitted);
    let other = rows
        .iter()
        .find(|row| row.identity.starts_with("another project"))
        .unwrap();
    assert!(!other.admitted);
}

#[test]
fn token_text_in_a_pattern_is_escaped() {
    let mut claims = claims("github-main");
    claims.insert(
        "sub".into(),
        "repo:octo-org/we*ird$:ref:refs/heads/main".into(),
    );
    let generated = generate(
        &claims,
        Choice {
            scope: Some("any-ref"),
            pattern: None,
        },
        target(),
        NOW,
    )
    .unwrap();
    assert_eq!(
        generated.policy["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:octo-org/we${*}ird${$}:ref:*"
    );
    assert!(generated.admits_token);
}

#[test]
fn github_immutable_subjects_and_custom_templates() {
    let mut claims = claims("github-main");
    claims.insert(
        "sub".into(),
        "repo:octo-org@65/octo-repo@74:ref:refs/heads/main".into(),
    );
    let generated = generate(
        &claims,
        Choice {
            scope: Some("organization"),
            pattern: None,
        },
        target(),
        NOW,
    )
    .unwrap();
    assert_eq!(
        generated.policy["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:octo-org@65/*"
    );
    claims.insert(
        "sub".into(),
        "repository_owner:octo-org:job_workflow_ref:x".into(),
    );
    let generated = generate(&claims, Choice::default(), target(), NOW).unwrap();
    assert_eq!(generated.scope, "subject");
    assert!(generated.admits_token);
}

#[test]
fn unknown_and_unfitting_scopes_are_named() {
    let claims = claims("github-main");
    let unknown = generate(
        &claims,
        Choice {
            scope: Some("nope"),
            pattern: None,
        },
        target(),
        NOW,
    )
    .unwrap_err();
    assert!(
        unknown.to_string().contains("branch, environment"),
        "{unknown}"
    );
    let unfitting = generate(
        &claims,
        Choice {
            scope: Some("environment"),
            pattern: None,
        },
        target(),
        NOW,
    )
    .unwrap_err();
    assert!(matches!(unfitting, GenerateError::DoesNotFit { .. }));
}

#[test]
fn tag_patterns_use_string_like() {
    let generated = generate(
        &claims("semaphore-tag"),
        Choice {
            scope: Some("tag"),
            pattern: Some("v1.*"),
        },
        target(),
        NOW,
    )
    .unwrap();
    assert!(generated.admits_token);
    let exact = make("semaphore-tag", Some("tag"));
    assert!(
        exact.policy["Statement"][0]["Condition"]
            .get("StringLike")
            .is_none()
    );
}

#[test]
fn renderers_name_the_provider_and_role() {
    let generated = make("github-main", None);
    let rendering = Rendering {
        policy: &generated.policy,
        provider: &generated.provider,
        role_name: "ci",
        provider_exists: false,
        role_exists: false,
    };
    let terraform = render(Format::Terraform, &rendering);
    assert!(
        terraform.contains("aws_iam_openid_connect_provider.ci.arn"),
        "{terraform}"
    );
    let yaml = render(Format::Cloudformation, &rendering);
    assert!(
        yaml.contains("Federated: !GetAtt OidcProvider.Arn"),
        "{yaml}"
    );
    let cli = render(Format::Cli, &rendering);
    assert!(cli.contains("--client-id-list sts.amazonaws.com"), "{cli}");
    assert!(cli.contains("aws iam create-role --role-name ci"), "{cli}");
}

#[test]
fn editing_a_main_only_role_for_a_tag_adds_a_value_and_keeps_main() {
    let account = demo::account().unwrap();
    let role = account
        .roles
        .iter()
        .find(|role| {
            role.trust_policy.text().contains("refs/heads/main")
                && role
                    .trust_policy
                    .text()
                    .contains("acme.semaphoreci.com:sub")
                && role.trust_policy.text().contains("StringEquals")
        })
        .unwrap()
        .clone();
    let claims = claims("semaphore-tag");
    let generated = make("semaphore-tag", Some("ref"));
    let edit = edit(
        &role.trust_policy,
        &generated,
        &claims,
        &account.providers,
        NOW,
    )
    .unwrap();
    assert_eq!(edit.fixes.len(), 1, "{:?}", edit.fixes);
    assert!(
        matches!(edit.fixes[0], crate::eval::Fix::AddConditionValue { .. }),
        "{:?}",
        edit.fixes
    );
    assert!(edit.new_text.contains("refs/heads/main"));
    assert!(edit.new_text.contains("refs/tags/v1.4.0"));
    let text = diff_text(&edit.old_text, &edit.new_text);
    assert!(text.lines().any(|l| l.starts_with("+ ")), "{text}");
    // The old value is kept, now the first of a list.
    assert!(
        text.lines()
            .any(|l| l.starts_with("+ ") && l.contains("refs/heads/main")),
        "{text}"
    );
    // Everything admitted before stays admitted.
    for (before, after) in edit.before.iter().zip(&edit.after) {
        assert!(!before.admitted || after.admitted, "{before:?} {after:?}");
    }
}

#[test]
fn a_pattern_goes_in_a_statement_of_its_own() {
    let account = demo::account().unwrap();
    let role = account
        .roles
        .iter()
        .find(|role| role.trust_policy.text().contains("refs/heads/main"))
        .unwrap()
        .clone();
    let generated = make("semaphore-main", Some("any-branch"));
    let claims = claims("semaphore-main");
    let mut other_branch = claims.clone();
    other_branch.insert(
        "sub".into(),
        generated.policy["Statement"][0]["Condition"]["StringLike"]["acme.semaphoreci.com:sub"]
            .as_str()
            .unwrap()
            .replace('*', "feature")
            .into(),
    );
    let edit = edit(
        &role.trust_policy,
        &generated,
        &other_branch,
        &account.providers,
        NOW,
    )
    .unwrap();
    assert!(
        matches!(&edit.fixes[..], [crate::eval::Fix::AddStatement { .. }]),
        "{:?}",
        edit.fixes
    );
}

#[test]
fn a_wider_scope_is_added_even_when_the_job_itself_is_admitted_already() {
    let account = demo::account().unwrap();
    let role = account.role("semaphore-web-deploy").unwrap().clone();
    let claims = claims("semaphore-main");
    // The role admits main only; asking for any branch must add it, not say "no edit".
    let widened = edit(
        &role.trust_policy,
        &make("semaphore-main", Some("any-branch")),
        &claims,
        &account.providers,
        NOW,
    )
    .unwrap();
    assert!(
        matches!(&widened.fixes[..], [crate::eval::Fix::AddStatement { .. }]),
        "{:?}",
        widened.fixes
    );
    let other_branch = |radius: &[Admission]| {
        radius
            .iter()
            .find(|row| row.identity == "another branch")
            .map(|row| row.admitted)
    };
    assert_eq!(other_branch(&widened.before), Some(false));
    assert_eq!(other_branch(&widened.after), Some(true));
    // At the job's own scope there is nothing to add.
    let same = edit(
        &role.trust_policy,
        &make("semaphore-main", Some("ref")),
        &claims,
        &account.providers,
        NOW,
    )
    .unwrap();
    assert!(same.fixes.is_empty(), "{:?}", same.fixes);
}

#[test]
fn a_wider_scope_a_deny_refuses_is_no_edit_and_a_second_run_adds_nothing() {
    let account = demo::account().unwrap();
    let main_only = account
        .role("semaphore-web-deploy")
        .unwrap()
        .trust_policy
        .text()
        .to_owned();
    let mut policy: serde_json::Value = serde_json::from_str(&main_only).unwrap();
    // Any branch allowed already, and every other branch denied: `any-branch` can add nothing.
    let deny = serde_json::json!({"Effect": "Deny",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringNotLike": {"acme.semaphoreci.com:sub": "*:ref:refs/heads/main"}}});
    policy["Statement"].as_array_mut().unwrap().push(deny);
    let edit = edit(
        &crate::account::TrustPolicy::new(policy.to_string()),
        &make("semaphore-main", Some("any-branch")),
        &claims("semaphore-main"),
        &account.providers,
        NOW,
    )
    .unwrap();
    assert!(edit.fixes.is_empty(), "{:?}", edit.fixes);
    assert_eq!(edit.new_text, edit.old_text);
}

#[test]
fn a_policy_with_a_repeated_key_is_not_edited() {
    let generated = make("semaphore-main", None);
    let repeated = r#"{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}"#;
    let error = edit(
        &crate::account::TrustPolicy::new(repeated),
        &generated,
        &claims("semaphore-main"),
        &[],
        NOW,
    )
    .unwrap_err();
    assert!(matches!(error, EditError::RepeatedKey(_)), "{error}");
}

#[test]
fn diffs_mark_added_and_removed_lines() {
    assert_eq!(diff_text("a\nb\nc", "a\nc\nd"), "  a\n- b\n  c\n+ d\n");
}
