//! Runs the data-file corpus of malformed and tricky token inputs (`tests/corpus/decode.json`)
//! through `Token::decode` and checks each case's expected error or findings.
//!
//! Every case says what real-life situation it mimics (`why`). A case expects either an
//! error (its `DecodeError::code()` and a substring of its message) or a decoded token
//! whose `findings` at [`common::NOW`] have exactly the listed codes, in order. All
//! mismatches are collected and reported together, so one run shows every broken case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Deserialize;
use trustlens::token::Token;

const CORPUS: &str = include_str!("corpus/decode.json");

/// Every `DecodeError::code()` the corpus must exercise. `not-utf8` cannot be written in a
/// JSON string, so it is checked by `decode_bytes` tests instead.
const ERROR_CODES: [&str; 8] = [
    "empty-input",
    "not-a-jwt",
    "encrypted-jwe",
    "segment-count",
    "empty-segment",
    "bad-base64url",
    "not-json",
    "not-object",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    why: String,
    input: String,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Error {
        error: String,
        message_contains: String,
    },
    Ok {
        ok: bool,
        findings: Vec<String>,
    },
}

impl Expect {
    fn describe(&self) -> String {
        match self {
            Expect::Error {
                error,
                message_contains,
            } => format!("error {error} with a message containing {message_contains:?}"),
            Expect::Ok { findings, .. } => format!("ok with findings {findings:?}"),
        }
    }
}

/// What decoding a case's input produced.
enum Outcome {
    Error { code: String, message: String },
    Ok { findings: Vec<String> },
    Panic(String),
}

impl Outcome {
    fn of(input: &str) -> Outcome {
        let run = catch_unwind(AssertUnwindSafe(|| {
            Token::decode(input).map(|token| {
                token
                    .findings(common::NOW)
                    .iter()
                    .map(|finding| finding.code.as_str().to_owned())
                    .collect::<Vec<_>>()
            })
        }));
        match run {
            Ok(Ok(findings)) => Outcome::Ok { findings },
            Ok(Err(error)) => Outcome::Error {
                code: error.code().to_owned(),
                message: error.to_string(),
            },
            Err(payload) => Outcome::Panic(
                payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string panic payload>".to_owned()),
            ),
        }
    }

    fn describe(&self) -> String {
        match self {
            Outcome::Error { code, message } => format!("error {code}: {message}"),
            Outcome::Ok { findings } => format!("ok with findings {findings:?}"),
            Outcome::Panic(message) => format!("PANIC: {message}"),
        }
    }

    fn matches(&self, expect: &Expect) -> bool {
        match (self, expect) {
            (
                Outcome::Error { code, message },
                Expect::Error {
                    error,
                    message_contains,
                },
            ) => code == error && message.contains(message_contains.as_str()),
            (Outcome::Ok { findings }, Expect::Ok { findings: want, .. }) => findings == want,
            _ => false,
        }
    }
}

fn corpus() -> Vec<Case> {
    serde_json::from_str(CORPUS).expect("tests/corpus/decode.json is a JSON array of cases")
}

#[test]
fn corpus_is_well_formed() {
    let cases = corpus();
    assert!(
        cases.len() >= 30,
        "the corpus must hold at least 30 cases, it has {}",
        cases.len()
    );

    let mut seen = BTreeSet::new();
    let repeated: Vec<&str> = cases
        .iter()
        .filter(|case| !seen.insert(case.name.as_str()))
        .map(|case| case.name.as_str())
        .collect();
    assert!(
        repeated.is_empty(),
        "case names must be unique: {repeated:?}"
    );

    let mut problems = Vec::new();
    for case in &cases {
        if case.name.trim().is_empty() || case.why.trim().is_empty() {
            problems.push(format!("{:?}: needs a name and a `why`", case.name));
        }
        match &case.expect {
            Expect::Ok { ok: false, .. } => {
                problems.push(format!("{}: `ok` must be true when present", case.name));
            }
            Expect::Error {
                error,
                message_contains,
            } => {
                if !ERROR_CODES.contains(&error.as_str()) {
                    problems.push(format!("{}: unknown error code {error:?}", case.name));
                }
                if message_contains.is_empty() {
                    problems.push(format!("{}: `message_contains` is empty", case.name));
                }
            }
            Expect::Ok { .. } => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let covered: BTreeSet<&str> = cases
        .iter()
        .filter_map(|case| match &case.expect {
            Expect::Error { error, .. } => Some(error.as_str()),
            Expect::Ok { .. } => None,
        })
        .collect();
    let uncovered: Vec<&str> = ERROR_CODES
        .into_iter()
        .filter(|code| !covered.contains(code))
        .collect();
    assert!(
        uncovered.is_empty(),
        "no corpus case expects these error codes: {uncovered:?}"
    );
}

#[test]
fn every_case_decodes_as_expected() {
    let cases = corpus();
    let mut report = String::new();
    let mut failures = 0;
    for case in &cases {
        let outcome = Outcome::of(&case.input);
        if !outcome.matches(&case.expect) {
            failures += 1;
            let _ = writeln!(
                report,
                "\n- {}\n    why:      {}\n    expected: {}\n    got:      {}",
                case.name,
                case.why,
                case.expect.describe(),
                outcome.describe()
            );
        }
    }
    assert!(
        failures == 0,
        "{failures} of {} corpus cases did not decode as expected:{report}",
        cases.len()
    );
}
