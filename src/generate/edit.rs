//! Edits of an existing trust policy so that it also admits a token at a chosen scope: a value
//! added to a condition, or a statement of its own — never a value replaced or a condition
//! removed, so everything the policy admitted before it still admits. Edits are
//! [`Fix`] values applied to the policy's JSON text; the result is checked by the engine.

use serde_json::{Map, Value};

use super::{Admission, Generated, admits, blast_radius};
use crate::account::{Provider, TrustPolicy};
use crate::eval::Fix;
use crate::json;
use crate::policy::{self, PolicyDocument};

/// Why an existing policy cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The policy is not valid JSON or not a policy.
    #[error("the role's trust policy is not a valid policy: {0}")]
    Invalid(String),
    /// The policy repeats a key: editing its JSON would silently drop one of them.
    #[error(
        "the role's trust policy repeats the key at {0}; an edit would drop one of them — fix it by hand first"
    )]
    RepeatedKey(String),
    /// After the edit the engine still refuses the token (a Deny statement, say).
    #[error(
        "even with the edit the policy would not admit this job (a Deny statement or another condition refuses it)"
    )]
    StillRefused,
}

/// An edit of an existing trust policy and what it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The edits, in order (none when the policy admits the job already).
    pub fixes: Vec<Fix>,
    /// The policy before, as pretty JSON.
    pub old_text: String,
    /// The policy after, as pretty JSON.
    pub new_text: String,
    /// The policy after.
    pub new_policy: Value,
    /// The blast radius before.
    pub before: Vec<Admission>,
    /// The blast radius after.
    pub after: Vec<Admission>,
}

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffLine<'a> {
    /// In both.
    Same(&'a str),
    /// Only in the old text.
    Removed(&'a str),
    /// Only in the new text.
    Added(&'a str),
}

/// The edit of `existing` (a role's trust policy, parsed when the role was loaded) that makes
/// it admit the token of `claims` at `generated`'s scope.
pub fn edit(
    existing: &TrustPolicy,
    generated: &Generated,
    claims: &Map<String, Value>,
    providers: &[Provider],
    now: i64,
) -> Result<Edit, EditError> {
    // The JSON tree, to edit; the document was parsed with the role.
    let parsed =
        json::parse(existing.text().as_bytes()).map_err(|e| EditError::Invalid(e.to_string()))?;
    if let Some(repeated) = parsed.duplicates.first() {
        return Err(EditError::RepeatedKey(repeated.path.to_string()));
    }
    let document = existing
        .parsed()
        .map_err(|e| EditError::Invalid(e.to_string()))?;
    let old = parsed.value;
    let old_text = pretty(&old);
    let role_arn = &generated.role_arn;
    let before = blast_radius(document, claims, providers, role_arn, now);
    // What the scope admits: the job, and at a wider scope its siblings too.
    let wanted = generated
        .document()
        .map(|scope| blast_radius(&scope, claims, providers, role_arn, now))
        .map_err(|e| EditError::Invalid(e.to_string()))?;
    let admitted = admits(document, claims, providers, role_arn, now);
    let mut fixes = if admitted && covers(&before, &wanted) {
        Vec::new()
    } else {
        vec![choose(
            &old, document, generated, &wanted, claims, providers, now,
        )]
    };
    let mut new_policy = fixes
        .iter()
        .fold(old.clone(), |policy, fix| apply(&policy, fix));
    let new_document = parse_value(&new_policy)?;
    if !admits(&new_document, claims, providers, role_arn, now) {
        return Err(EditError::StillRefused);
    }
    let mut after = blast_radius(&new_document, claims, providers, role_arn, now);
    // An edit that admits nothing more (a Deny refuses what the scope would add) is no edit:
    // run again, it would add the same statement again.
    if admitted && same_admissions(&before, &after) {
        fixes.clear();
        new_policy = old;
        after = before.clone();
    }
    Ok(Edit {
        fixes,
        old_text,
        new_text: pretty(&new_policy),
        new_policy,
        before,
        after,
    })
}

/// Whether a policy with blast radius `has` admits every identity of `wanted` that is admitted
/// (both are derived from the same claims, so their rows match one to one).
fn covers(has: &[Admission], wanted: &[Admission]) -> bool {
    has.iter()
        .zip(wanted)
        .all(|(has, wanted)| has.admitted || !wanted.admitted)
}

/// Whether two blast radii of the same claims admit the same identities.
fn same_admissions(a: &[Admission], b: &[Admission]) -> bool {
    a.iter().zip(b).all(|(a, b)| a.admitted == b.admitted)
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn parse_value(value: &Value) -> Result<PolicyDocument, EditError> {
    policy::parse(&pretty(value)).map_err(|e| EditError::Invalid(e.to_string()))
}

/// A value added to an exact `sub` condition when that alone admits what the scope admits
/// (`wanted`); else the generated statement, with a `Sid` of its own.
fn choose(
    old: &Value,
    document: &PolicyDocument,
    generated: &Generated,
    wanted: &[Admission],
    claims: &Map<String, Value>,
    providers: &[Provider],
    now: i64,
) -> Fix {
    let generated_statement = generated.policy["Statement"][0].clone();
    let sub_key = format!("{}:sub", generated.provider.key_prefix());
    let exact = generated_statement["Condition"]["StringEquals"][&sub_key].as_str();
    if let Some(value) = exact {
        // The engine decides whether the value alone admits the job (the statement trusts the
        // provider, allows the actions, and its other conditions hold).
        for statement in &document.statements {
            for (index, condition) in statement.conditions.iter().enumerate() {
                if condition.operator.raw != "StringEquals" || condition.key != sub_key {
                    continue;
                }
                let fix = Fix::AddConditionValue {
                    statement: statement.index,
                    condition: index,
                    operator: condition.operator.raw.clone(),
                    key: condition.key.clone(),
                    value: value.to_owned(),
                };
                let role_arn = &generated.role_arn;
                let admitted = parse_value(&apply(old, &fix)).is_ok_and(|new| {
                    admits(&new, claims, providers, role_arn, now)
                        && covers(
                            &blast_radius(&new, claims, providers, role_arn, now),
                            wanted,
                        )
                });
                if admitted {
                    return fix;
                }
            }
        }
    }
    let taken: Vec<&str> = document
        .statements
        .iter()
        .filter_map(|statement| statement.sid.as_deref())
        .collect();
    let base = generated_statement["Sid"]
        .as_str()
        .unwrap_or("Trustlens")
        .to_owned();
    let mut sid = base.clone();
    let mut counter = 2;
    while taken.contains(&sid.as_str()) {
        sid = format!("{base}{counter}");
        counter += 1;
    }
    let mut statement = generated_statement;
    statement["Sid"] = Value::String(sid.clone());
    Fix::AddStatement { sid, statement }
}

/// `fix` applied to `policy` (policy edits only; other fixes leave it as it is).
pub fn apply(policy: &Value, fix: &Fix) -> Value {
    let mut policy = policy.clone();
    match fix {
        Fix::AddStatement { statement, .. } => {
            let statements = match policy.get_mut("Statement") {
                Some(Value::Array(items)) => items,
                Some(other) => {
                    let single = other.take();
                    *other = Value::Array(vec![single]);
                    match other {
                        Value::Array(items) => items,
                        _ => return policy,
                    }
                }
                None => return policy,
            };
            statements.push(statement.clone());
        }
        Fix::AddConditionValue {
            statement,
            operator,
            key,
            value,
            ..
        } => {
            let target = match policy.get_mut("Statement") {
                Some(Value::Array(items)) => items.get_mut(*statement),
                Some(single) if *statement == 0 => Some(single),
                _ => None,
            };
            if let Some(values) = target
                .and_then(|s| s.get_mut("Condition"))
                .and_then(|c| c.get_mut(operator.as_str()))
                .and_then(|o| o.get_mut(key.as_str()))
            {
                match values {
                    Value::Array(items) => items.push(Value::String(value.clone())),
                    other => {
                        let single = other.take();
                        *other = Value::Array(vec![single, Value::String(value.clone())]);
                    }
                }
            }
        }
        _ => {}
    }
    policy
}

/// The lines of `old` and `new` as a diff (longest common subsequence; policies are small).
pub fn diff<'a>(old: &'a str, new: &'a str) -> Vec<DiffLine<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::new();
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            lines.push(DiffLine::Same(a[i]));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            lines.push(DiffLine::Removed(a[i]));
            i += 1;
        } else {
            lines.push(DiffLine::Added(b[j]));
            j += 1;
        }
    }
    lines.extend(a[i..].iter().map(|line| DiffLine::Removed(line)));
    lines.extend(b[j..].iter().map(|line| DiffLine::Added(line)));
    lines
}

/// The diff as text: `  `, `- ` or `+ ` before each line.
pub fn diff_text(old: &str, new: &str) -> String {
    diff(old, new)
        .into_iter()
        .map(|line| match line {
            DiffLine::Same(text) => format!("  {text}\n"),
            DiffLine::Removed(text) => format!("- {text}\n"),
            DiffLine::Added(text) => format!("+ {text}\n"),
        })
        .collect()
}
