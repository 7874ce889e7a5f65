//! Every rule has a policy it fires on and a close one it stays quiet on; each case is
//! named after the rule and its documented behaviour (see the rule's `source`).

use super::*;
use crate::policy;

const ACCOUNT: &str = "123456789012";
const GH: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const AUD: &str = r#""token.actions.githubusercontent.com:aud": "sts.amazonaws.com""#;
const SUB: &str =
    r#""token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main""#;
const ID: &str = r#""token.actions.githubusercontent.com:repository_id": "4242""#;

fn providers() -> Vec<Provider> {
    vec![
        Provider::new(
            "aws",
            ACCOUNT,
            "https://token.actions.githubusercontent.com",
            vec!["sts.amazonaws.com".to_owned()],
        ),
        Provider::new(
            "aws",
            ACCOUNT,
            "https://acme.semaphoreci.com",
            vec!["https://acme.semaphoreci.com".to_owned()],
        ),
    ]
}

/// One Allow statement trusting `principal` with `action` and `condition`.
fn statement(principal: &str, action: &str, condition: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal}, "Action": {action}, "Condition": {condition}}}]}}"#
    )
}

/// The GitHub provider with the web-identity action and `condition`.
fn github(condition: &str) -> String {
    statement(
        &format!(r#"{{"Federated": "{GH}"}}"#),
        r#""sts:AssumeRoleWithWebIdentity""#,
        condition,
    )
}

/// A tight GitHub policy with one more StringEquals key.
fn github_equals(extra: &str) -> String {
    github(&format!(
        r#"{{"StringEquals": {{{AUD}, {SUB}, {ID}{extra}}}}}"#
    ))
}

/// The rule ids found in `text`, with or without the account.
fn ids(text: &str, with_account: bool) -> Vec<&'static str> {
    let document = match policy::parse(text) {
        Ok(document) => document,
        Err(error) => unreachable!("test policy must parse: {error}\n{text}"),
    };
    let providers = providers();
    let account = with_account.then_some(AccountFacts {
        account_id: ACCOUNT,
        providers: &providers,
    });
    lint(&LintInputs {
        text,
        document: &document,
        account,
    })
    .findings
    .iter()
    .map(|finding| finding.rule.id)
    .collect()
}

macro_rules! case {
    ($name:ident, $id:literal, account = $account:literal, fires: $fires:expr, quiet: $quiet:expr) => {
        #[test]
        fn $name() {
            let fires: String = $fires.into();
            let quiet: String = $quiet.into();
            let found = ids(&fires, $account);
            assert!(found.contains(&$id), "{} must fire on {fires}: {found:?}", $id);
            let found = ids(&quiet, $account);
            assert!(!found.contains(&$id), "{} must stay quiet on {quiet}: {found:?}", $id);
        }
    };
    ($name:ident, $id:literal, fires: $fires:expr, quiet: $quiet:expr) => {
        case!($name, $id, account = false, fires: $fires, quiet: $quiet);
    };
}

fn tight() -> String {
    github_equals("")
}

case!(tl001_wildcard_principal, "TL001",
    fires: statement(r#""*""#, r#""sts:AssumeRoleWithWebIdentity""#, "{}"),
    quiet: tight());
case!(tl002_not_principal, "TL002",
    fires: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}"#,
    quiet: tight());
case!(tl003_resource, "TL003",
    fires: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
    quiet: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#);
case!(tl004_federated_with_assume_role, "TL004",
    fires: statement(&format!(r#"{{"Federated": "{GH}"}}"#), r#""sts:AssumeRole""#, &format!(r#"{{"StringEquals": {{{AUD}, {SUB}}}}}"#)),
    quiet: tight());
case!(tl005_malformed_federated, "TL005",
    fires: statement(r#"{"Federated": "https://token.actions.githubusercontent.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, &format!(r#"{{"StringEquals": {{{SUB}}}}}"#)),
    quiet: tight());
case!(tl006_provider_in_other_account, "TL006", account = true,
    fires: tight().replace("123456789012:oidc", "999999999999:oidc"),
    quiet: tight());
case!(tl007_provider_missing, "TL007", account = true,
    fires: statement(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"StringEquals": {"gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:main", "gitlab.com:aud": "https://gitlab.com"}}"#),
    quiet: tight());
case!(tl008_tags_without_tag_session, "TL008",
    fires: github_equals(r#", "aws:RequestTag/team": "platform""#),
    quiet: statement(&format!(r#"{{"Federated": "{GH}"}}"#), r#"["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#, &format!(r#"{{"StringEquals": {{{AUD}, {SUB}, {ID}, "aws:RequestTag/team": "platform"}}}}"#)));
case!(tl044_tagging_platform_without_tag_session, "TL044",
    fires: statement(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com", "acme.semaphoreci.com:sub": "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:branch:ref:refs/heads/main"}}"#),
    quiet: statement(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"}"#, r#"["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#, r#"{"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com", "acme.semaphoreci.com:sub": "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:branch:ref:refs/heads/main"}}"#));
case!(tl044_is_not_said_for_platforms_without_session_tags, "TL044",
    fires: statement(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/agent.buildkite.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"StringEquals": {"agent.buildkite.com:aud": "sts.amazonaws.com", "agent.buildkite.com:sub": "organization:acme:pipeline:deploy:ref:refs/heads/main:commit:1da177e4c3f41524e886b7f1b8a0c1fc7321cac2:step:build"}}"#),
    quiet: tight());
case!(tl045_redundant_statement, "TL045",
    fires: {
        let policy: serde_json::Value = serde_json::from_str(&tight()).unwrap();
        let mut copy = policy["Statement"][0].clone();
        copy["Sid"] = serde_json::json!("Again");
        let mut twice = policy.clone();
        twice["Statement"].as_array_mut().unwrap().push(copy);
        twice.to_string()
    },
    quiet: tight());
case!(tl046_variable_with_non_string_operator, "TL046",
    fires: github_equals(r#"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:EpochTime}""#),
    quiet: github_equals(r#"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600""#));
case!(tl009_shared_issuer_without_sub, "TL009",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}}}"#)),
    quiet: tight());
case!(tl009_shared_issuer_sub_star_is_no_tenant, "TL009",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "*"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:job_workflow_ref": "acme/wf/.github/workflows/deploy.yml@refs/heads/main"}}}}"#)));
case!(tl010_oidc_without_conditions, "TL010",
    fires: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}"#,
    quiet: statement(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"}}"#));
case!(tl011_subject_open_to_all, "TL011",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:*"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}}"#)));
case!(tl012_wildcard_in_owner, "TL012",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme*/app:*"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}}"#)));
case!(tl013_broad_subject, "TL013",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}}"#)),
    quiet: tight());
case!(tl014_pull_requests_and_branches, "TL014",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, "token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:pull_request"]}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}, "token.actions.githubusercontent.com:sub": "repo:acme/app:pull_request"}}}}"#)));
case!(tl015_name_based_subject, "TL015",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {SUB}}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}, "token.actions.githubusercontent.com:sub": "repo:acme@11/app@22:ref:refs/heads/main"}}}}"#)));
case!(tl016_wildcard_across_immutable_id, "TL016",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme@*/app@22:*"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme@11/app@22:*"}}}}"#)));
case!(tl017_deprecated_github_issuer, "TL017",
    fires: tight().replace("/token.actions", "/vstoken.actions").replace("\"token.actions", "\"vstoken.actions"),
    quiet: tight());
case!(tl018_built_in_provider_without_pin, "TL018",
    fires: statement(r#"{"Federated": "cognito-identity.amazonaws.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}"#),
    quiet: statement(r#"{"Federated": "cognito-identity.amazonaws.com"}"#, r#""sts:AssumeRoleWithWebIdentity""#, r#"{"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1111"}, "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}"#));
case!(tl019_user_controllable_claim_first, "TL019",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, "token.actions.githubusercontent.com:sub": "environment:production"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}, "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production"}}}}"#)));
case!(tl020_provider_keys_instead_of_subject, "TL020",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}}}}}"#)),
    quiet: tight());
case!(tl021_wildcard_under_string_equals, "TL021",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}, "token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}}"#)),
    quiet: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}}"#)));
case!(tl022_string_like_without_wildcard, "TL022",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}}}, "StringLike": {{{SUB}}}}}"#)),
    quiet: tight());
case!(tl023_for_all_values_on_single_valued, "TL023",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}}}, "ForAllValues:StringEquals": {{{SUB}}}}}"#)),
    quiet: tight());
case!(tl024_for_all_values_without_null_guard, "TL024",
    fires: github_equals("").replace(r#""StringEquals""#, r#""ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "StringEquals""#),
    quiet: github_equals(r#"}, "Null": {"aws:TagKeys": "false""#).replace(r#""StringEquals""#, r#""ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "StringEquals""#));
case!(tl025_for_any_value_on_single_valued, "TL025",
    fires: github(&format!(r#"{{"StringEquals": {{{SUB}, {ID}}}, "ForAnyValue:StringEquals": {{{AUD}}}}}"#)),
    quiet: tight());
case!(tl026_if_exists_in_allow, "TL026",
    fires: github_equals(r#"}, "StringEqualsIfExists": {"token.actions.githubusercontent.com:environment": "prod""#),
    quiet: github_equals(r#", "token.actions.githubusercontent.com:environment": "prod""#));
case!(tl027_negated_operator_in_allow, "TL027",
    fires: github_equals(r#"}, "StringNotEquals": {"token.actions.githubusercontent.com:actor": "mallory""#),
    quiet: tight());
case!(tl028_null_if_exists, "TL028",
    fires: github_equals(r#"}, "NullIfExists": {"aws:RequestTag/team": "false""#),
    quiet: tight());
case!(tl029_empty_condition_values, "TL029",
    fires: github_equals(r#", "token.actions.githubusercontent.com:actor": []"#),
    quiet: tight());
case!(tl030_multiple_bool_values, "TL030",
    fires: github_equals(r#"}, "Bool": {"aws:SecureTransport": ["true", "false"]"#),
    quiet: github_equals(r#"}, "Bool": {"aws:SecureTransport": "true""#));
case!(tl031_source_network_condition, "TL031",
    fires: github_equals(r#", "aws:SourceVpc": "vpc-1234""#),
    quiet: tight());
case!(tl032_repeated_json_key, "TL032",
    fires: github(&format!(r#"{{"StringEquals": {{{AUD}, {ID}}}, "StringEquals": {{{SUB}}}}}"#)),
    quiet: tight());
case!(tl033_keys_differ_only_by_case, "TL033",
    fires: github_equals(r#", "Token.Actions.GithubUserContent.com:sub": "repo:acme/other:ref:refs/heads/main""#),
    quiet: tight());
case!(tl034_key_never_populated, "TL034",
    fires: github_equals(r#", "token.actions.githubusercontent.com:repository_owner": "acme""#),
    quiet: github_equals(r#", "token.actions.githubusercontent.com:repository_owner_id": "77""#));
case!(tl035_key_prefix_not_principal, "TL035",
    fires: github_equals(r#", "token.actions.githubuser.content.com:aud": "sts.amazonaws.com""#),
    quiet: tight());
case!(tl036_audience_not_checked, "TL036",
    fires: github(&format!(r#"{{"StringEquals": {{{SUB}, {ID}}}}}"#)),
    quiet: tight());
case!(tl037_audience_not_registered, "TL037", account = true,
    fires: tight().replace(r#":aud": "sts.amazonaws.com""#, r#":aud": "https://github.com/acme""#),
    quiet: tight());
case!(tl038_audience_not_platform_default, "TL038",
    fires: tight().replace(r#":aud": "sts.amazonaws.com""#, r#":aud": "sts.amazonaws.com.cn""#),
    quiet: tight());
case!(tl039_missing_version, "TL039",
    fires: tight().replace(r#""Version": "2012-10-17", "#, ""),
    quiet: tight());
case!(tl040_variables_without_2012_version, "TL040",
    fires: github_equals(r#"}, "StringLike": {"sts:RoleSessionName": "${token.actions.githubusercontent.com:actor}""#).replace("2012-10-17", "2008-10-17"),
    quiet: github_equals(r#"}, "StringLike": {"sts:RoleSessionName": "${token.actions.githubusercontent.com:actor}""#));
case!(tl041_size_near_quota, "TL041",
    fires: github_equals(&format!(r#", "token.actions.githubusercontent.com:actor": [{}]"#, (0..150).map(|n| format!(r#""user{n:04}""#)).collect::<Vec<_>>().join(", "))),
    quiet: tight());
case!(tl042_placeholder_value, "TL042",
    fires: tight().replace("repo:acme/app:ref:refs/heads/main", "repo:<ORG>/<REPO>:ref:refs/heads/main"),
    quiet: tight());
case!(tl043_redundant_condition_value, "TL043",
    fires: tight().replace(r#""repo:acme/app:ref:refs/heads/main""#, r#"["repo:acme/app:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main"]"#),
    quiet: tight());

#[test]
fn rule_ids_are_sequential_and_unique() {
    for (index, rule) in RULES.iter().enumerate() {
        assert_eq!(rule.id, format!("TL{:03}", index + 1));
        assert!(!rule.why.is_empty() && !rule.source.is_empty());
    }
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), RULES.len());
    assert!(RULES.len() >= 30);
}

#[test]
fn a_tight_policy_has_no_findings_at_all() {
    assert_eq!(ids(&tight(), true), Vec::<&str>::new());
}

#[test]
fn findings_name_line_column_and_path() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Principal\": \"*\",\n    \"Action\": \"sts:AssumeRoleWithWebIdentity\"\n  }\n}";
    let document = policy::parse(text).map_err(|e| e.to_string());
    let Ok(document) = document else {
        unreachable!("parses")
    };
    let report = lint(&LintInputs {
        text,
        document: &document,
        account: None,
    });
    let first = &report.findings[0];
    assert_eq!(first.rule.id, "TL001");
    assert_eq!(first.path.to_string(), "Statement.Principal");
    assert_eq!(
        first.position,
        Some(Position {
            line: 5,
            column: 18
        })
    );
    assert_eq!(
        needing_account().map(|r| r.id).collect::<Vec<_>>(),
        ["TL006", "TL007", "TL037"]
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    const OPERATORS: [&str; 10] = [
        "StringEquals",
        "StringLike",
        "StringNotLike",
        "ForAllValues:StringEquals",
        "ForAnyValue:StringLikeIfExists",
        "NullIfExists",
        "Null",
        "Bool",
        "StringEqualsIgnoreCase",
        "NumericLessThan",
    ];
    const KEYS: [&str; 8] = [
        "token.actions.githubusercontent.com:sub",
        "token.actions.githubusercontent.com:aud",
        "Token.actions.githubusercontent.com:SUB",
        "gitlab.com:sub",
        "aws:RequestTag/x",
        "sts:RoleSessionName",
        "x.y:",
        ":",
    ];
    const PRINCIPALS: [&str; 6] = [
        r#""*""#,
        r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#,
        r#"{"Federated": ["accounts.google.com", "arn:aws:iam::1:saml-provider/x"]}"#,
        r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/"}"#,
        r#"{"AWS": "*"}"#,
        r#"{"Federated": "https://x"}"#,
    ];

    proptest! {
        /// Any policy these pieces make is linted without a panic, and every finding names a
        /// path inside the document.
        #[test]
        fn any_policy_lints_without_panicking(
            principal in 0..PRINCIPALS.len(),
            conditions in proptest::collection::vec(
                (0..OPERATORS.len(), 0..KEYS.len(), proptest::collection::vec("[a-z:/*?@${}<>]{0,12}", 0..3)),
                0..5,
            ),
            version in proptest::option::of(prop_oneof![Just("2012-10-17"), Just("2008-10-17")]),
        ) {
            let mut blocks = serde_json::Map::new();
            for (operator, key, values) in conditions {
                let block = blocks
                    .entry(OPERATORS[operator])
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if let serde_json::Value::Object(block) = block {
                    block.insert(KEYS[key].to_owned(), serde_json::json!(values));
                }
            }
            let version = version.map(|v| format!(r#""Version": "{v}", "#)).unwrap_or_default();
            let text = format!(
                r#"{{{version}"Statement": {{"Effect": "Allow", "Principal": {}, "Action": ["sts:AssumeRole*"], "Condition": {}}}}}"#,
                PRINCIPALS[principal],
                serde_json::Value::Object(blocks)
            );
            if let Ok(document) = policy::parse(&text) {
                let providers = providers();
                let report = lint(&LintInputs {
                    text: &text,
                    document: &document,
                    account: Some(AccountFacts { account_id: ACCOUNT, providers: &providers }),
                });
                for finding in report.findings {
                    prop_assert!(finding.position.is_some(), "{} has no position in {text}", finding.rule.id);
                }
            }
        }

        /// Any text given as a file is read or refused, never a panic.
        #[test]
        fn any_file_is_read_or_refused(text in "\\PC{0,200}") {
            let _ = sources::extract(&text);
        }
    }
}
