//! The conformance suite: every case in `tests/conformance/*.json` pins one AWS rule (cited in
//! the case) and the verdict `trustlens::eval::explain` must reach.
//!
//! A case is an object:
//! - `name` (unique), `cite` (the AWS rule and its source), optional `note`;
//! - the policy: `policy` (a JSON policy), `policy_text` (raw text, e.g. IAM's URL-encoded
//!   form), or `conditions` (a Condition block, wrapped in one Allow statement trusting the
//!   provider for `sts:AssumeRoleWithWebIdentity`, Version `version` or 2012-10-17);
//! - the token: `claims` (default: a fresh token of `https://idp.example.com` for
//!   `sts.amazonaws.com`, subject `subject`), plus optional `header` to build a real (unsigned)
//!   token so header and length checks apply;
//! - the account: `providers` (`[{url, client_ids}]`, default: one for the claims' `iss` and
//!   accepted audience), `role_arn` (default `arn:aws:iam::123456789012:role/test-role`),
//!   `session_name` (default `trustlens`), `role_tags` (`{key: value}`), `now` (default
//!   2026-11-25T18:00:00Z), `context` (keys set over the derived context: string or array),
//!   `region` (the STS endpoint's region, `aws:RequestedRegion`; default: none given, so a
//!   condition on it is undecided);
//! - or, for STS's length check on a text too short to decode as a token, `token_chars` (the
//!   text's length) with `expect.sts_error` (or `null`: within bounds);
//! - `expect`: `decision` (`allowed`, `denied`, `explicit-deny`, `rejected`, `conditional`:
//!   decided by a value only the real request has, the why naming both branches), and optionally
//!   `sts_error` (the STS answer as printed), `deciding` (`{statement, element, condition}`),
//!   `why_contains`, `fix_contains`, `reason_contains` (in the deciding condition's reason).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::{Map, Value, json};
use trustlens::account::Provider;
use trustlens::arn::Arn;
use trustlens::eval::{
    ContextValue, Decision, ExplainInputs, Verdict, accepted_audience, explain, token_length_error,
};
use trustlens::policy;
use trustlens::token::Token;

const DEFAULT_ROLE: &str = "arn:aws:iam::123456789012:role/test-role";

fn default_claims(now: i64) -> Value {
    json!({
        "iss": "https://idp.example.com",
        "aud": "sts.amazonaws.com",
        "sub": "subject",
        "iat": now - 60,
        "exp": now + 300,
    })
}

fn load_cases() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .flat_map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let cases: Vec<Value> = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not a JSON array of cases: {e}", path.display()));
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            cases.into_iter().map(move |case| (file.clone(), case))
        })
        .collect()
}

/// Runs one case; `Err` describes every way it differs from its expectation.
fn run_case(case: &Value) -> Result<(), String> {
    if let Some(chars) = case.get("token_chars").and_then(Value::as_u64) {
        let got = usize::try_from(chars)
            .ok()
            .and_then(token_length_error)
            .map(|error| error.to_string());
        let expected = case["expect"]["sts_error"].as_str().map(str::to_owned);
        return if got == expected {
            Ok(())
        } else {
            Err(format!("sts_error: expected {expected:?}, got {got:?}"))
        };
    }
    let now = case
        .get("now")
        .and_then(Value::as_i64)
        .unwrap_or(common::NOW);
    let claims_value = case
        .get("claims")
        .cloned()
        .unwrap_or_else(|| default_claims(now));
    let claims: Map<String, Value> = claims_value
        .as_object()
        .cloned()
        .ok_or("claims must be an object")?;
    let role_arn = case
        .get("role_arn")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_ROLE);
    let role = Arn::parse(role_arn).map_err(|e| format!("role_arn {role_arn:?}: {e}"))?;
    let account = role.account();
    let providers: Vec<Provider> = match case.get("providers") {
        Some(list) => list
            .as_array()
            .ok_or("providers must be an array")?
            .iter()
            .map(|p| {
                let ids = p["client_ids"]
                    .as_array()
                    .map(|ids| {
                        ids.iter()
                            .filter_map(|i| i.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                Provider::new("aws", account, p["url"].as_str().unwrap_or_default(), ids)
            })
            .collect(),
        None => {
            let iss = claims
                .get("iss")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let aud = accepted_audience(&claims, &[]).into_iter().collect();
            vec![Provider::new("aws", account, iss, aud)]
        }
    };
    let provider_arn = providers.first().map(|p| p.arn.clone()).unwrap_or_default();
    let policy_text = match (
        case.get("policy"),
        case.get("policy_text"),
        case.get("conditions"),
    ) {
        (Some(policy), _, _) => policy.to_string(),
        (_, Some(text), _) => text
            .as_str()
            .ok_or("policy_text must be a string")?
            .to_owned(),
        (_, _, Some(conditions)) => json!({
            "Version": case.get("version").and_then(Value::as_str).unwrap_or("2012-10-17"),
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }],
        })
        .to_string(),
        _ => return Err("the case has no policy, policy_text or conditions".to_owned()),
    };
    let document =
        policy::parse(&policy_text).map_err(|e| format!("policy does not parse: {e}"))?;
    let token = match case.get("header") {
        Some(header) => Some(
            Token::decode(&common::token(header, &claims_value))
                .map_err(|e| format!("token does not decode: {e}"))?,
        ),
        None => None,
    };
    let role_tags: Vec<(String, String)> = case
        .get("role_tags")
        .and_then(Value::as_object)
        .map(|tags| {
            tags.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let overrides: Vec<(String, ContextValue)> = case
        .get("context")
        .and_then(Value::as_object)
        .map(|keys| {
            keys.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Value::Array(items) => ContextValue::Multi(
                            items
                                .iter()
                                .map(|i| i.as_str().unwrap_or_default().to_owned())
                                .collect(),
                        ),
                        other => ContextValue::Single(
                            other
                                .as_str()
                                .map_or_else(|| other.to_string(), str::to_owned),
                        ),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    let verdict = explain(&ExplainInputs {
        token: token.as_ref(),
        claims: &claims,
        policy: &document,
        providers: &providers,
        role_arn,
        session_name: case
            .get("session_name")
            .and_then(Value::as_str)
            .unwrap_or("trustlens"),
        role_tags: &role_tags,
        context_overrides: &overrides,
        now,
        signature: None,
        region: case.get("region").and_then(Value::as_str),
    });
    check_expectations(&case["expect"], &verdict)
}

fn check_expectations(expect: &Value, verdict: &Verdict) -> Result<(), String> {
    let mut problems = Vec::new();
    let decision = match &verdict.decision {
        Decision::Allowed => "allowed",
        Decision::Denied { explicit: false } => "denied",
        Decision::Denied { explicit: true } => "explicit-deny",
        Decision::Rejected { .. } => "rejected",
        Decision::Conditional { .. } => "conditional",
    };
    if expect["decision"].as_str() != Some(decision) {
        problems.push(format!(
            "decision: expected {}, got {decision} ({})",
            expect["decision"], verdict.sts_answer
        ));
    }
    if let Some(error) = expect.get("sts_error").and_then(Value::as_str)
        && verdict.sts_answer != error
    {
        problems.push(format!(
            "sts_error: expected {error:?}, got {:?}",
            verdict.sts_answer
        ));
    }
    if let Some(deciding) = expect.get("deciding") {
        let got = serde_json::to_value(&verdict.policy.deciding).unwrap();
        let matches = deciding
            .as_object()
            .into_iter()
            .flatten()
            .all(|(k, v)| got.get(k) == Some(v));
        if !matches {
            problems.push(format!("deciding: expected {deciding}, got {got}"));
        }
    }
    let fixes: Vec<String> = verdict.fix.iter().map(ToString::to_string).collect();
    for (field, texts) in [("why_contains", &verdict.why), ("fix_contains", &fixes)] {
        if let Some(wanted) = expect.get(field).and_then(Value::as_str)
            && !texts.iter().any(|t| t.contains(wanted))
        {
            problems.push(format!("{field}: {wanted:?} not in {texts:?}"));
        }
    }
    if let Some(wanted) = expect.get("reason_contains").and_then(Value::as_str) {
        let reason = verdict.policy.deciding.as_ref().and_then(|d| {
            let statement = verdict
                .policy
                .statements
                .iter()
                .find(|s| s.index == d.statement)?;
            statement
                .conditions
                .get(d.condition?)
                .map(|c| c.reason.clone())
        });
        if !reason.as_deref().is_some_and(|r| r.contains(wanted)) {
            problems.push(format!("reason_contains: {wanted:?} not in {reason:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n    "))
    }
}

#[test]
fn conformance_suite() {
    let cases = load_cases();
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let name = case["name"].as_str().unwrap_or("<unnamed>").to_owned();
        if !names.insert(name.clone()) {
            failures.push(format!("{file}: duplicate case name {name}"));
        }
        if case["cite"].as_str().is_none_or(str::is_empty) {
            failures.push(format!("{file}: {name}: no `cite`"));
        }
        if let Err(problem) = run_case(case) {
            failures.push(format!("{file}: {name}:\n    {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(
        cases.len() >= 150,
        "the suite must hold at least 150 cases, found {}",
        cases.len()
    );
}
