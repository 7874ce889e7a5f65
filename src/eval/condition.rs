//! One condition against the request context: missing-key rules, `IfExists`, set operators,
//! negation and variables, with the reason in words (aws-web-identity.md §5.3–§5.6).

use serde::Serialize;

use super::context::{ContextValue, RequestContext, UnknownKey};
use super::matching::{Piece, plain};
use super::operators::{Comparison, Difference, compare, matches, positive};
use super::variables::{Resolved, substitute};
use crate::policy::{Condition, Family, OperatorKind, SetQualifier, Version};

/// How one condition was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// Index into the statement's conditions.
    pub index: usize,
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// The policy values as written.
    pub policy_values: Vec<String>,
    /// The policy values after `${…}` substitution, when any was substituted (`None` for a
    /// variable whose key is absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_values: Option<Vec<Option<String>>>,
    /// The request's values for the key; `None` when the key is absent.
    pub context_values: Option<Vec<String>>,
    /// Whether the condition holds (false when it is undecided).
    pub passed: bool,
    /// For a key only the real request has a value for: when the condition would hold and
    /// when it would fail. The condition decides nothing by itself then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<Undecided>,
    /// Why, in words.
    pub reason: String,
    /// For a failed comparison: the closest policy value and where it parts from the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<ValueDifference>,
    /// Things worth knowing about this condition (wildcards under Equals, set operators on
    /// single-valued keys, claims AWS does not expose, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Whether a condition holds, when the request may hold values trustlens cannot know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// It holds.
    Holds,
    /// It fails.
    Fails,
    /// It turns on a value only the real request has.
    Undecided,
}

impl Truth {
    fn of(passed: bool) -> Truth {
        if passed { Truth::Holds } else { Truth::Fails }
    }
}

/// A condition on a key whose value only the real request has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undecided {
    /// When it holds, in words (`aws:SourceIp is in 192.0.2.0/24`).
    pub holds_if: String,
    /// When it fails, in words (`aws:SourceIp is not in 192.0.2.0/24`).
    pub fails_if: String,
}

impl ConditionTrace {
    /// Whether the condition holds, fails, or turns on a value only the real request has.
    pub fn truth(&self) -> Truth {
        if self.undecided.is_some() {
            Truth::Undecided
        } else {
            Truth::of(self.passed)
        }
    }
}

/// The closest policy value to a request value, and where they part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueDifference {
    /// The policy value (after substitution).
    pub policy: String,
    /// The request value.
    pub request: String,
    /// Character offset in `request` where the difference starts.
    pub at: usize,
    /// For exact comparisons: the values differ only in letter case.
    pub case_only: bool,
    /// For Like comparisons: the literal part of the pattern that did not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_literal: Option<String>,
}

/// Evaluates `condition` (index `index`) against `context`.
pub fn evaluate(
    index: usize,
    condition: &Condition,
    context: &RequestContext,
    version: Version,
) -> ConditionTrace {
    let operator = &condition.operator;
    let kind = operator.kind;
    let substitutes = version.substitutes_variables() && kind.allows_variables();
    let resolved: Vec<Resolved> = condition
        .values
        .iter()
        .map(|value| {
            if substitutes {
                substitute(value, context)
            } else {
                Resolved::Pieces(vec![Piece::Text(value.clone())])
            }
        })
        .collect();
    let entry = context.get(&condition.key);
    let context_values = entry.map(|e| {
        e.value
            .values()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let mut trace = ConditionTrace {
        index,
        operator: operator.raw.clone(),
        key: condition.key.clone(),
        policy_values: condition.values.clone(),
        resolved_values: substitutes
            .then(|| resolved_texts(&resolved))
            .filter(|texts| {
                texts
                    .iter()
                    .zip(&condition.values)
                    .any(|(t, v)| t.as_deref() != Some(v))
            }),
        context_values: context_values.clone(),
        passed: false,
        undecided: None,
        reason: String::new(),
        difference: None,
        notes: notes(condition, entry.map(|e| &e.value), version),
    };

    let unknown = context.unknown(&condition.key);
    if kind == OperatorKind::Null {
        let wants_absent: Vec<bool> = condition
            .values
            .iter()
            .map(|v| v.eq_ignore_ascii_case("true"))
            .collect();
        let one_reading = wants_absent.contains(&true) != wants_absent.contains(&false);
        if let Some(unknown) = unknown.filter(|u| u.maybe_absent && one_reading) {
            let key = &unknown.key;
            let (present, absent) = (format!("{key} is present"), format!("{key} is absent"));
            let (holds_if, fails_if) = if wants_absent.contains(&true) {
                (absent, present)
            } else {
                (present, absent)
            };
            trace.reason = undecided_reason(unknown, &holds_if);
            trace.undecided = Some(Undecided { holds_if, fails_if });
            return trace;
        }
        let absent = entry.is_none() && unknown.is_none();
        trace.passed = wants_absent.contains(&absent);
        trace.reason = match (absent, trace.passed) {
            (true, true) => "the key is absent, as Null \"true\" requires".to_owned(),
            (true, false) => "the key is absent, but Null \"false\" requires it present".to_owned(),
            (false, true) => "the key is present, as Null \"false\" requires".to_owned(),
            (false, false) => "the key is present, but Null \"true\" requires it absent".to_owned(),
        };
        return trace;
    }

    if let Some(unknown) = unknown {
        let absent_holds = absent_rule(operator.set, operator.if_exists, kind.is_negated());
        let (mut holds_if, mut fails_if) = (
            describe(condition, &resolved, true),
            describe(condition, &resolved, false),
        );
        if unknown.maybe_absent {
            let absent = if absent_holds {
                &mut holds_if
            } else {
                &mut fails_if
            };
            absent.push_str(" or is absent");
        }
        trace.reason = undecided_reason(unknown, &holds_if);
        trace.undecided = Some(Undecided { holds_if, fails_if });
        return trace;
    }

    let Some(entry) = entry else {
        let why = context
            .why_absent(&condition.key)
            .map(|why| format!(" ({why})"))
            .unwrap_or_default();
        (trace.passed, trace.reason) = match (operator.set, operator.if_exists, kind.is_negated()) {
            (_, true, _) => (
                true,
                format!("the key is absent{why}, so {} holds", operator.raw),
            ),
            (Some(SetQualifier::ForAllValues), _, _) => (
                true,
                format!(
                    "the key is absent{why}; ForAllValues holds for an absent key (an empty set), so \
                     an Allow admits requests without it"
                ),
            ),
            (Some(SetQualifier::ForAnyValue), _, _) => (
                false,
                format!("the key is absent{why}; ForAnyValue needs at least one value"),
            ),
            (None, false, true) => (
                true,
                format!("the key is absent{why}; a negated operator holds for an absent key"),
            ),
            (None, false, false) => (
                false,
                format!("the key is absent{why}, so no value can match"),
            ),
        };
        return trace;
    };

    if let Some(set) = operator.set.filter(|_| entry.value.is_empty_set()) {
        trace.passed = set == SetQualifier::ForAllValues;
        trace.reason = format!(
            "`{}` resolves to an empty set (no values, or only empty strings); {}",
            condition.key,
            if trace.passed {
                "ForAllValues holds for an empty set, so an Allow admits it"
            } else {
                "ForAnyValue needs at least one value"
            }
        );
        return trace;
    }
    let request_values = entry.value.values();
    let base = positive(kind);
    let negated = kind.is_negated();
    // Per request value: does any policy value match it (with the positive operator)?
    let mut invalid = None;
    let mut closest: Option<ValueDifference> = None;
    let matches_any =
        |request: &str, closest: &mut Option<ValueDifference>, invalid: &mut Option<String>| {
            let mut matched = None;
            for (value, written) in resolved.iter().zip(&condition.values) {
                let Resolved::Pieces(pieces) = value else {
                    continue;
                };
                match compare(base, pieces, request) {
                    Comparison::Match => {
                        matched = Some(written.clone());
                        break;
                    }
                    Comparison::NoMatch(Some(difference)) => {
                        keep_closest(closest, plain(pieces), request, difference)
                    }
                    Comparison::NoMatch(None) => {}
                    Comparison::Invalid(problem) => *invalid = Some(problem),
                }
            }
            matched
        };
    let outcomes: Vec<(&str, Option<String>)> = request_values
        .iter()
        .map(|request| (*request, matches_any(request, &mut closest, &mut invalid)))
        .collect();
    // A request value satisfies the operator when it matches (positive) or matches none (negated).
    let satisfied = |(_, matched): &(&str, Option<String>)| matched.is_some() != negated;
    let set = operator.set;
    let bare_on_set =
        set.is_none() && matches!(entry.value, ContextValue::Multi(ref v) if v.len() != 1);
    trace.passed = match set {
        Some(SetQualifier::ForAllValues) => outcomes.iter().all(satisfied),
        Some(SetQualifier::ForAnyValue) => outcomes.iter().any(satisfied),
        None if bare_on_set => false,
        None => outcomes.first().is_some_and(satisfied),
    };
    trace.reason = if bare_on_set {
        format!(
            "`{}` holds {} values and {} has no ForAnyValue/ForAllValues: no match, negated operators included",
            condition.key,
            outcomes.len(),
            operator.raw
        )
    } else {
        reason(operator.raw.as_str(), negated, set, &outcomes, trace.passed)
    };
    if let Some(problem) = invalid {
        trace
            .notes
            .push(format!("{problem}; such a comparison is false"));
    }
    if !trace.passed && !negated {
        trace.difference = closest;
    }
    trace
}

/// Whether `condition` holds: the rules of [`evaluate`] without building its trace (what
/// scanning thousands of roles needs). A property test keeps the two equal.
pub fn truth(condition: &Condition, context: &RequestContext, version: Version) -> Truth {
    let operator = &condition.operator;
    let kind = operator.kind;
    let entry = context.get(&condition.key);
    let unknown = context.unknown(&condition.key);
    if kind == OperatorKind::Null {
        let wants = |absent: bool| {
            condition
                .values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("true") == absent)
        };
        return match unknown {
            Some(u) if u.maybe_absent && wants(true) != wants(false) => Truth::Undecided,
            Some(_) => Truth::of(wants(false)),
            None => Truth::of(wants(entry.is_none())),
        };
    }
    if unknown.is_some() {
        return Truth::Undecided;
    }
    let Some(entry) = entry else {
        return Truth::of(absent_rule(
            operator.set,
            operator.if_exists,
            kind.is_negated(),
        ));
    };
    if let Some(set) = operator.set.filter(|_| entry.value.is_empty_set()) {
        return Truth::of(set == SetQualifier::ForAllValues);
    }
    let substitutes = version.substitutes_variables() && kind.allows_variables();
    let base = positive(kind);
    let negated = kind.is_negated();
    let satisfied = |request: &str| {
        let matched = condition.values.iter().any(|value| {
            if substitutes && value.contains("${") {
                match substitute(value, context) {
                    Resolved::Pieces(pieces) => {
                        compare(base, &pieces, request) == Comparison::Match
                    }
                    Resolved::Null { .. } => false,
                }
            } else {
                matches(base, value, request)
            }
        });
        matched != negated
    };
    Truth::of(match (&entry.value, operator.set) {
        (ContextValue::Single(value), None) => satisfied(value),
        (ContextValue::Single(value), Some(_)) => satisfied(value),
        (ContextValue::Multi(values), Some(SetQualifier::ForAllValues)) => {
            values.iter().all(|v| satisfied(v))
        }
        (ContextValue::Multi(values), Some(SetQualifier::ForAnyValue)) => {
            values.iter().any(|v| satisfied(v))
        }
        (ContextValue::Multi(values), None) => match values.as_slice() {
            [only] => satisfied(only),
            _ => false,
        },
    })
}

/// Whether a condition holds for an absent key: `IfExists` and `ForAllValues` hold,
/// `ForAnyValue` fails, otherwise negated operators hold and positive ones fail.
fn absent_rule(set: Option<SetQualifier>, if_exists: bool, negated: bool) -> bool {
    match (set, if_exists) {
        (_, true) | (Some(SetQualifier::ForAllValues), _) => true,
        (Some(SetQualifier::ForAnyValue), _) => false,
        (None, false) => negated,
    }
}

/// Why a condition on a key of unknown value is undecided.
fn undecided_reason(unknown: &UnknownKey, holds_if: &str) -> String {
    format!(
        "`{}` ({}) has a value only the real call has: the condition holds if {holds_if}",
        unknown.key, unknown.what
    )
}

/// The condition as a statement about the request's value, holding or failing
/// (`aws:SourceIp is in 192.0.2.0/24`, `aws:UserAgent does not match "aws-cli/*"`).
fn describe(condition: &Condition, resolved: &[Resolved], holds: bool) -> String {
    let kind = condition.operator.kind;
    let base = positive(kind);
    let values: Vec<String> = resolved
        .iter()
        .zip(&condition.values)
        .map(|(value, written)| match value {
            Resolved::Pieces(pieces) => plain(pieces),
            Resolved::Null { .. } => written.clone(),
        })
        .collect();
    let quoted = |values: &[String]| -> String {
        let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        quoted.join(", ")
    };
    let many = values.len() > 1;
    let (yes, no, shown) = match base {
        OperatorKind::IpAddress => ("is in", "is not in", values.join(", ")),
        OperatorKind::StringEquals | OperatorKind::StringEqualsIgnoreCase => {
            ("is", "is not", quoted(&values))
        }
        OperatorKind::StringLike => ("matches", "does not match", quoted(&values)),
        other => {
            let shown = format!("{} {}", other.name(), quoted(&values));
            ("satisfies", "does not satisfy", shown)
        }
    };
    // A positive operator holds when the value matches one policy value; a negated one when
    // it matches none.
    let matches = holds != kind.is_negated();
    let phrase = match (matches, many) {
        (true, false) => yes.to_owned(),
        (true, true) => format!("{yes} one of"),
        (false, false) => no.to_owned(),
        (false, true) => format!("{yes} none of"),
    };
    let case = if base == OperatorKind::StringEqualsIgnoreCase {
        " (ignoring case)"
    } else {
        ""
    };
    format!("{} {phrase} {shown}{case}", condition.key)
}

fn resolved_texts(resolved: &[Resolved]) -> Vec<Option<String>> {
    resolved
        .iter()
        .map(|value| match value {
            Resolved::Pieces(pieces) => Some(plain(pieces)),
            Resolved::Null { .. } => None,
        })
        .collect()
}

fn keep_closest(
    closest: &mut Option<ValueDifference>,
    policy: String,
    request: &str,
    difference: Difference,
) {
    let candidate = match difference {
        Difference::Text { at, case_only } => ValueDifference {
            policy,
            request: request.to_owned(),
            at,
            case_only,
            missing_literal: None,
        },
        Difference::Pattern(miss) => ValueDifference {
            policy,
            request: request.to_owned(),
            at: miss.at,
            case_only: false,
            missing_literal: Some(miss.literal),
        },
    };
    let better = closest.as_ref().is_none_or(|current| {
        (candidate.case_only, candidate.at) > (current.case_only, current.at)
    });
    if better {
        *closest = Some(candidate);
    }
}

fn reason(
    operator: &str,
    negated: bool,
    set: Option<SetQualifier>,
    outcomes: &[(&str, Option<String>)],
    passed: bool,
) -> String {
    let describe = |(request, matched): &(&str, Option<String>)| match matched {
        Some(policy) if *request == policy => format!("\"{request}\" equals the policy value"),
        Some(policy) => format!("\"{request}\" matches \"{policy}\""),
        None => format!("\"{request}\" matches no policy value"),
    };
    let verdict = if passed { "holds" } else { "fails" };
    match (set, outcomes) {
        (None, [single]) => {
            let negation = if negated {
                format!(", and {operator} needs it to match none")
            } else {
                String::new()
            };
            format!("{}{negation}: {verdict}", describe(single))
        }
        (Some(SetQualifier::ForAllValues), [])
        | (Some(SetQualifier::ForAnyValue), [])
        | (None, []) => {
            format!("the key has no values: {operator} {verdict}")
        }
        (set, many) => {
            let quantifier = match set {
                Some(SetQualifier::ForAllValues) => "every request value must satisfy it",
                _ => "at least one request value must satisfy it",
            };
            let parts: Vec<String> = many.iter().map(describe).collect();
            format!("{} ({quantifier}): {verdict}", parts.join("; "))
        }
    }
}

/// Observations about a condition that explain surprising results.
/// True when an exact string operator (`StringEquals`, its negation and case-insensitive forms)
/// meets a policy value holding `*` or `?` outside a `${…}` variable: it compares them as
/// ordinary characters, though the author most likely meant wildcards.
pub(super) fn literal_wildcards(kind: OperatorKind, values: &[String]) -> bool {
    let exact_string = matches!(
        kind,
        OperatorKind::StringEquals
            | OperatorKind::StringNotEquals
            | OperatorKind::StringEqualsIgnoreCase
            | OperatorKind::StringNotEqualsIgnoreCase
    );
    exact_string
        && values
            .iter()
            .any(|v| v.contains(['*', '?']) && !v.contains("${"))
}

fn notes(condition: &Condition, value: Option<&ContextValue>, version: Version) -> Vec<String> {
    let operator = &condition.operator;
    let kind = operator.kind;
    let mut notes = Vec::new();
    if literal_wildcards(kind, &condition.values) {
        notes.push(format!(
            "`*` and `?` are literal characters under {}; wildcards need StringLike",
            kind.name()
        ));
    }
    match (operator.set, value) {
        (Some(set), Some(ContextValue::Single(_))) => notes.push(format!(
            "{} is meant for multivalued keys; `{}` is single-valued (Access Analyzer: \"ForAllValues \
             with single valued key\")",
            if set == SetQualifier::ForAllValues { "ForAllValues" } else { "ForAnyValue" },
            condition.key
        )),
        (Some(SetQualifier::ForAllValues), None) => notes.push(
            "ForAllValues on an absent key holds: pair it with a Null \"false\" condition".to_owned(),
        ),
        (None, Some(ContextValue::Multi(_))) if kind != OperatorKind::Null => notes.push(format!(
            "`{}` is multivalued but the operator has no ForAnyValue/ForAllValues: AWS documents \
             only that such keys need a set operator, and Access Analyzer flags the construct; \
             with several (or no) values it matches nothing, negated operators included \
             (iam-simulate's strict mode; boogy/iam-policy-validator#161 observed on AWS); with \
             one value it is compared as a single value (uncertain)",
            condition.key
        )),
        _ => {}
    }
    if condition.values.iter().any(|v| v.contains("${")) {
        if !version.substitutes_variables() {
            notes
                .push("the policy Version is not 2012-10-17, so `${…}` is literal text".to_owned());
        } else if !kind.allows_variables() {
            notes.push(format!(
                "{} does not substitute policy variables; `${{…}}` is literal text",
                kind.name()
            ));
        }
    }
    if kind == OperatorKind::Null && operator.if_exists {
        notes.push(
            "Null with IfExists is invalid (Access Analyzer: \"Null with if exists\")".to_owned(),
        );
    }
    if kind.family() == Family::Bool && condition.values.len() > 1 {
        notes.push("several values under Bool are invalid (Access Analyzer)".to_owned());
    }
    notes
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::policy::{Operator, OperatorKind};

    fn condition(operator: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Operator::parse(operator).unwrap_or_else(|| unreachable!("{operator}")),
            key: key.to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    fn unknown_context() -> RequestContext {
        let mut context = RequestContext::new();
        context.insert_unknown("aws:SourceIp", "the caller's IP address", true);
        context.insert_unknown("aws:UserAgent", "the caller's User-Agent", false);
        context
    }

    #[test]
    fn a_key_of_unknown_value_leaves_the_condition_undecided_with_both_readings() {
        let context = unknown_context();
        let ip = evaluate(
            0,
            &condition("NotIpAddress", "aws:SourceIp", &["192.0.2.0/24"]),
            &context,
            Version::V2012,
        );
        assert_eq!(ip.truth(), Truth::Undecided);
        assert_eq!(
            ip.undecided,
            Some(Undecided {
                holds_if: "aws:SourceIp is not in 192.0.2.0/24 or is absent".to_owned(),
                fails_if: "aws:SourceIp is in 192.0.2.0/24".to_owned(),
            })
        );
        let agent = evaluate(
            0,
            &condition("StringEqualsIgnoreCase", "aws:UserAgent", &["a", "b"]),
            &context,
            Version::V2012,
        );
        assert_eq!(
            agent.undecided.map(|u| (u.holds_if, u.fails_if)),
            Some((
                "aws:UserAgent is one of \"a\", \"b\" (ignoring case)".to_owned(),
                "aws:UserAgent is none of \"a\", \"b\" (ignoring case)".to_owned()
            ))
        );
    }

    #[test]
    fn null_decides_a_key_that_is_always_present() {
        let context = unknown_context();
        let present = condition("Null", "aws:UserAgent", &["false"]);
        assert_eq!(
            truth(&present, &context, Version::V2012),
            Truth::Holds,
            "aws:UserAgent is in every request"
        );
        let maybe = condition("Null", "aws:SourceIp", &["true"]);
        assert_eq!(truth(&maybe, &context, Version::V2012), Truth::Undecided);
        let mut given = unknown_context();
        given.insert("AWS:SOURCEIP", ContextValue::Single("192.0.2.1".to_owned()));
        assert_eq!(
            truth(&maybe, &given, Version::V2012),
            Truth::Fails,
            "a value given (any case) makes the key known"
        );
    }

    fn value_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("repo:o/r:ref:refs/heads/main".to_owned()),
            Just("repo:o/*".to_owned()),
            Just("REPO:o/r:ref:refs/heads/main".to_owned()),
            Just("${idp.example.com:sub}".to_owned()),
            Just("${missing:key, 'fallback'}".to_owned()),
            Just("${missing:key}".to_owned()),
            Just("a${*}b".to_owned()),
            Just("10".to_owned()),
            Just("2026-11-25T18:00:00Z".to_owned()),
            Just("true".to_owned()),
            Just("203.0.113.0/24".to_owned()),
            Just("arn:aws:iam::*:role/ci-*".to_owned()),
            "[a-c*?:/]{0,6}",
        ]
    }

    fn context_strategy() -> impl Strategy<Value = Option<ContextValue>> {
        let single = prop_oneof![
            Just("repo:o/r:ref:refs/heads/main".to_owned()),
            Just("9.5".to_owned()),
            Just("1795629600".to_owned()),
            Just("True".to_owned()),
            Just("203.0.113.9".to_owned()),
            Just("arn:aws:iam::123456789012:role/ci-web".to_owned()),
            "[a-c*?:/]{0,6}",
        ];
        prop_oneof![
            Just(None),
            single.clone().prop_map(|v| Some(ContextValue::Single(v))),
            proptest::collection::vec(single, 0..3).prop_map(|v| Some(ContextValue::Multi(v))),
        ]
    }

    fn operator_strategy() -> impl Strategy<Value = Operator> {
        let kinds = proptest::sample::select(OperatorKind::ALL.to_vec());
        let sets = proptest::sample::select(vec!["", "ForAllValues:", "ForAnyValue:"]);
        (kinds, sets, any::<bool>()).prop_filter_map("valid operator", |(kind, set, if_exists)| {
            let suffix = if if_exists { "IfExists" } else { "" };
            Operator::parse(&format!("{set}{}{suffix}", kind.name()))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The fast path decides exactly as the traced path does.
        #[test]
        fn holds_agrees_with_evaluate(
            operator in operator_strategy(),
            values in proptest::collection::vec(value_strategy(), 1..3),
            request in context_strategy(),
            version in proptest::sample::select(vec![Version::V2012, Version::V2008, Version::Absent]),
            unknown in proptest::option::of(any::<bool>()),
        ) {
            let key = "idp.example.com:sub";
            let mut context = RequestContext::new();
            if let Some(value) = request {
                context.insert(key, value);
            }
            // A key only the real request has a value for (possibly absent from it).
            if let Some(maybe_absent) = unknown {
                context.insert_unknown(key, "a value only the real call has", maybe_absent);
            }
            let condition = Condition {
                operator,
                key: key.to_owned(),
                values,
            };
            let traced = evaluate(0, &condition, &context, version);
            prop_assert_eq!(truth(&condition, &context, version), traced.truth(), "{:?}", traced);
        }
    }
}
