//! Condition operators: wildcards under StringEquals and StringLike without one, set operators
//! on single-valued keys and without the Null guard, IfExists and negated operators in an
//! Allow, NullIfExists, empty and repeated values, several Bool values, network conditions.

use super::Raw;
use super::facts::{Facts, StatementFacts, has_wildcard, oidc_key, push};
use super::fix::{Edit, LintFix};
use super::rules::{Rule, tl};
use crate::eval::Fix;
use crate::policy::{Condition, OperatorKind, SetQualifier};

const WILDCARD_UNDER_EQUALS: &Rule = tl(21);
const LIKE_WITHOUT_WILDCARD: &Rule = tl(22);
const FOR_ALL_SINGLE: &Rule = tl(23);
const FOR_ALL_UNGUARDED: &Rule = tl(24);
const FOR_ANY_SINGLE: &Rule = tl(25);
const IF_EXISTS: &Rule = tl(26);
const NEGATED: &Rule = tl(27);
const NULL_IF_EXISTS: &Rule = tl(28);
const EMPTY_VALUES: &Rule = tl(29);
const MULTIPLE_BOOL: &Rule = tl(30);
const NETWORK: &Rule = tl(31);
const REDUNDANT_VALUE: &Rule = tl(43);

/// Keys present only for calls through a VPC endpoint, or tied to the caller's address.
const NETWORK_KEYS: [&str; 4] = [
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:sourceip",
];

pub(super) fn check(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    for statement in &facts.statements {
        for (index, condition) in statement.statement.conditions.iter().enumerate() {
            one(statement, index, condition, out);
        }
    }
}

/// A single-valued OIDC claim key (every OIDC key but `amr`).
fn single_valued_oidc(key: &str) -> bool {
    oidc_key(key).is_some_and(|(_, claim)| !claim.eq_ignore_ascii_case("amr"))
}

/// `raw` with its comparison renamed, qualifiers kept (`ForAnyValue:StringEqualsIfExists` →
/// `ForAnyValue:StringLikeIfExists`).
fn rename(raw: &str, from: &str, to: &str) -> String {
    match raw.find(from) {
        Some(at) => format!("{}{to}{}", &raw[..at], &raw[at + from.len()..]),
        None => raw.to_owned(),
    }
}

/// A value whose wildcards are not all inside `${…}` variables.
fn literal_wildcard(value: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'{') => {
                depth += 1;
                chars.next();
            }
            '}' if depth > 0 => depth -= 1,
            '*' | '?' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

fn one(statement: &StatementFacts<'_>, index: usize, condition: &Condition, out: &mut Vec<Raw>) {
    let operator = &condition.operator;
    let raw = operator.raw.as_str();
    let path = || statement.condition_path(condition);
    let at = statement.statement.index;
    let change = |from: &str, to: String| {
        LintFix::Engine(Fix::ChangeOperator {
            statement: at,
            condition: index,
            key: condition.key.clone(),
            from: from.to_owned(),
            to,
        })
    };
    let kind = operator.kind;
    let equals = matches!(
        kind,
        OperatorKind::StringEquals
            | OperatorKind::StringNotEquals
            | OperatorKind::StringEqualsIgnoreCase
            | OperatorKind::StringNotEqualsIgnoreCase
    );
    if equals && let Some(value) = condition.values.iter().find(|v| literal_wildcard(v)) {
        let like = if kind.is_negated() {
            "StringNotLike"
        } else {
            "StringLike"
        };
        push(
            out,
            WILDCARD_UNDER_EQUALS,
            format!("{raw} compares \"{value}\" literally: `*` and `?` are not wildcards here"),
            path(),
            change(raw, rename(raw, kind.name(), like)),
        );
    }
    if matches!(kind, OperatorKind::StringLike | OperatorKind::StringNotLike)
        && !condition.values.is_empty()
        && !condition.values.iter().any(|v| has_wildcard(v))
    {
        let equals = if kind.is_negated() {
            "StringNotEquals"
        } else {
            "StringEquals"
        };
        push(
            out,
            LIKE_WITHOUT_WILDCARD,
            format!("{raw} on `{}` has no wildcard in its values", condition.key),
            path(),
            change(raw, rename(raw, kind.name(), equals)),
        );
    }
    let plain = raw.split_once(':').map_or(raw, |(_, rest)| rest);
    match operator.set {
        Some(SetQualifier::ForAllValues) if single_valued_oidc(&condition.key) => push(
            out,
            FOR_ALL_SINGLE,
            format!(
                "`{}` is single-valued: ForAllValues is also true when it is missing",
                condition.key
            ),
            path(),
            change(raw, plain.to_owned()),
        ),
        Some(SetQualifier::ForAllValues) if statement.allows() => {
            let guarded = statement.statement.conditions.iter().any(|c| {
                c.operator.kind == OperatorKind::Null
                    && c.key.eq_ignore_ascii_case(&condition.key)
                    && c.values.iter().all(|v| v.eq_ignore_ascii_case("false"))
            });
            if !guarded {
                push(
                    out,
                    FOR_ALL_UNGUARDED,
                    format!(
                        "ForAllValues on `{}` is true when the request has no such values; add `Null: {{\"{}\": \"false\"}}`",
                        condition.key, condition.key
                    ),
                    path(),
                    LintFix::Edit(Edit::AddCondition {
                        statement: at,
                        operator: "Null".to_owned(),
                        key: condition.key.clone(),
                        value: "false".to_owned(),
                        template: false,
                    }),
                );
            }
        }
        Some(SetQualifier::ForAnyValue) if single_valued_oidc(&condition.key) => push(
            out,
            FOR_ANY_SINGLE,
            format!(
                "`{}` is single-valued: ForAnyValue adds nothing",
                condition.key
            ),
            path(),
            change(raw, plain.to_owned()),
        ),
        _ => {}
    }
    let oidc = oidc_key(&condition.key).is_some();
    if kind == OperatorKind::Null && operator.if_exists {
        push(
            out,
            NULL_IF_EXISTS,
            format!("{raw} is not an operator IAM accepts"),
            path(),
            change(raw, rename(raw, "IfExists", "")),
        );
    } else if operator.if_exists && oidc && statement.allows() {
        push(
            out,
            IF_EXISTS,
            format!(
                "{raw} on `{}` is true for a token without that claim",
                condition.key
            ),
            path(),
            change(raw, rename(raw, "IfExists", "")),
        );
    }
    if kind.is_negated() && oidc && statement.allows() {
        push(
            out,
            NEGATED,
            format!(
                "{raw} on `{}` admits every other value, and tokens without the claim",
                condition.key
            ),
            path(),
            LintFix::Edit(Edit::AddCondition {
                statement: at,
                operator: "StringEquals".to_owned(),
                key: condition.key.clone(),
                value: "VALUE_TO_ADMIT".to_owned(),
                template: true,
            }),
        );
    }
    if condition.values.is_empty() {
        push(
            out,
            EMPTY_VALUES,
            format!("{raw} on `{}` has no values", condition.key),
            path(),
            LintFix::Edit(Edit::RemoveElement {
                path: path().to_string(),
            }),
        );
    }
    if kind == OperatorKind::Bool && condition.values.len() > 1 {
        push(
            out,
            MULTIPLE_BOOL,
            format!(
                "Bool on `{}` has {} values",
                condition.key,
                condition.values.len()
            ),
            path(),
            LintFix::Edit(Edit::RemoveValue {
                statement: at,
                operator: raw.to_owned(),
                key: condition.key.clone(),
                value: condition.values[1..].join(", "),
            }),
        );
    }
    let lower = condition.key.to_ascii_lowercase();
    if statement.allows() && !kind.is_negated() && NETWORK_KEYS.contains(&lower.as_str()) {
        push(
            out,
            NETWORK,
            format!(
                "`{}` is never met by hosted CI runners calling STS over the internet",
                condition.key
            ),
            path(),
            LintFix::Edit(Edit::RemoveElement {
                path: path().to_string(),
            }),
        );
    }
    for (position, value) in condition.values.iter().enumerate() {
        if condition.values[..position].contains(value) {
            push(
                out,
                REDUNDANT_VALUE,
                format!(
                    "\"{value}\" appears more than once in {raw} `{}`",
                    condition.key
                ),
                path().index(position),
                LintFix::Edit(Edit::RemoveValue {
                    statement: at,
                    operator: raw.to_owned(),
                    key: condition.key.clone(),
                    value: value.clone(),
                }),
            );
            break;
        }
    }
}
