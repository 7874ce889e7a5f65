//! Property tests: the policy parser, the evaluation engine and the CloudTrail reader never
//! panic, whatever the document, claims, context or event (bad input gets an error or a
//! verdict, never a crash).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use trustlens::account::Provider;
use trustlens::eval::{ContextValue, ExplainInputs, explain};
use trustlens::policy;

const NOW: i64 = 1_795_629_600;

/// Arbitrary JSON values, a few levels deep, with policy-ish keys and values mixed in.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[a-zA-Z0-9:/*?${}' ,._-]{0,24}".prop_map(Value::String),
        proptest::sample::select(vec![
            "Allow",
            "Deny",
            "*",
            "sts:AssumeRoleWithWebIdentity",
            "2012-10-17",
            "${idp.example.com:sub}",
            "arn:aws:iam::123456789012:oidc-provider/idp.example.com",
            "true",
            "10",
            "203.0.113.0/24",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = proptest::sample::select(vec![
            "Version",
            "Statement",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Federated",
            "AWS",
            "Action",
            "NotAction",
            "Condition",
            "StringEquals",
            "StringLike",
            "ForAllValues:StringNotLike",
            "NumericLessThanIfExists",
            "DateGreaterThan",
            "Bool",
            "Null",
            "IpAddress",
            "ArnLike",
            "idp.example.com:sub",
            "aws:TagKeys",
            "Sid",
            "Resource",
        ]);
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((keys, inner), 0..5).prop_map(|members| Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            )),
        ]
    })
}

fn run(policy_text: &str, claims: Map<String, Value>, overrides: Vec<(String, ContextValue)>) {
    let Ok(document) = policy::parse(policy_text) else {
        return;
    };
    let provider = Provider::new(
        "aws",
        "123456789012",
        "https://idp.example.com",
        vec!["sts.amazonaws.com".into()],
    );
    let verdict = explain(&ExplainInputs {
        token: None,
        claims: &claims,
        policy: &document,
        providers: &[provider],
        role_arn: "arn:aws:iam::123456789012:role/r",
        session_name: "s",
        role_tags: &[],
        context_overrides: &overrides,
        region: None,
        now: NOW,
        signature: None,
    });
    assert!(!verdict.sts_answer.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Any text at all: an error with a position or a document, never a panic.
    #[test]
    fn parser_survives_any_text(text in ".{0,200}") {
        let _ = policy::parse(&text);
    }

    /// Any JSON shaped roughly like a policy, with any claims: a verdict, never a panic.
    #[test]
    fn engine_survives_any_document_and_claims(
        document in json_value(),
        claims in proptest::collection::vec(("[a-z:/.]{1,12}|iss|sub|aud|azp|exp|iat|nbf|amr|https://aws.amazon.com/tags", json_value()), 0..8),
        overrides in proptest::collection::vec(("[a-zA-Z:/.]{1,16}", proptest::collection::vec("[a-z*]{0,6}", 0..3)), 0..3),
    ) {
        let claims: Map<String, Value> = claims.into_iter().collect();
        let overrides = overrides
            .into_iter()
            .map(|(key, values)| (key, ContextValue::Multi(values)))
            .collect();
        run(&document.to_string(), claims, overrides);
    }

    /// Well-formed policies with random conditions: always a verdict.
    #[test]
    fn engine_survives_random_conditions(condition in json_value(), sub in ".{0,40}") {
        let policy = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/idp.example.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }]});
        let claims = json!({"iss": "https://idp.example.com", "aud": "sts.amazonaws.com", "sub": sub,
                            "iat": NOW - 1, "exp": NOW + 100});
        run(&policy.to_string(), claims.as_object().cloned().unwrap(), Vec::new());
    }

    /// Any bytes as a CloudTrail file: events or an error naming the place.
    #[test]
    fn trail_reader_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Err(error) = trustlens::trail::parse_input(&bytes) {
            prop_assert!(!error.place.is_empty());
        }
    }

    /// Event-shaped JSON with random fields, plain and gzip: parsed, then explained against a
    /// policy, without a panic.
    #[test]
    fn trail_events_with_random_fields_are_read_and_explained(
        identity in json_value(), request in json_value(), resources in json_value(),
        principal in ".{0,60}", gzip in any::<bool>(),
    ) {
        let event = json!({"Records": [{
            "eventName": "AssumeRoleWithWebIdentity",
            "eventTime": "2026-11-30T10:00:00Z",
            "userIdentity": identity,
            "requestParameters": request,
            "resources": resources,
        }, {
            "eventName": "AssumeRoleWithWebIdentity",
            "userIdentity": {"principalId": principal, "userName": "x",
                             "identityProvider": "arn:aws:iam::123456789012:oidc-provider/idp.example.com"},
            "requestParameters": {"roleArn": "arn:aws:iam::123456789012:role/r"},
        }]});
        let text = event.to_string();
        let bytes = if gzip {
            use std::io::Write;
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(text.as_bytes()).unwrap();
            encoder.finish().unwrap()
        } else {
            text.into_bytes()
        };
        let Ok(parsed) = trustlens::trail::parse_input(&bytes) else { return Ok(()) };
        let policy = policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/idp.example.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"idp.example.com:sub": "*", "idp.example.com:ref": "main"}}}]}"#).unwrap();
        let target = trustlens::trail::RoleTarget {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            policy,
            providers: vec![Provider::new("aws", "123456789012", "https://idp.example.com", vec!["sts.amazonaws.com".into()])],
            role_tags: Vec::new(),
        };
        for event in &parsed.events {
            let _ = trustlens::trail::explain_event(event, &target);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text as a snapshot or a keymap file: loaded or refused with a message, never a panic.
    #[test]
    fn snapshots_and_keymaps_survive_any_text(text in ".{0,300}") {
        let _ = trustlens::account::Snapshot::load(&text);
        let _ = trustlens::tui::keymap::Keymap::with_overlay(&text);
    }

    /// Snapshot-shaped JSON with arbitrary values in its fields: never a panic.
    #[test]
    fn snapshot_fields_survive_any_values(value in json_value()) {
        let text = serde_json::json!({"format": "trustlens-snapshot", "version": 1,
            "captured_at": value, "account_id": value, "partition": value,
            "providers": [value], "roles": [value]}).to_string();
        let _ = trustlens::account::Snapshot::load(&text);
    }
}
