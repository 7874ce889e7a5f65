//! The document itself: `Version`, policy variables, size against the trust-policy quota,
//! placeholder values left from a template, and statements that repeat one another.

use super::Raw;
use super::facts::{Facts, push};
use super::fix::{Edit, LintFix};
use super::rules::{Rule, tl};
use crate::json::JsonPath;
use crate::policy::{PrincipalSet, Version};

const MISSING_VERSION: &Rule = tl(39);
const VARIABLES_WITHOUT_2012: &Rule = tl(40);
const SIZE: &Rule = tl(41);
const PLACEHOLDER: &Rule = tl(42);
const REDUNDANT_STATEMENT: &Rule = tl(45);
const VARIABLE_OPERATOR: &Rule = tl(46);

/// IAM's default trust-policy quota, in non-whitespace characters (aws-web-identity.md §6.1).
pub(super) const QUOTA: usize = 2_048;
/// Findings start at this share of the quota (per cent).
const NEAR: usize = 90;

/// Text that marks a value nobody filled in (compared in lower case).
const PLACEHOLDERS: [&str; 8] = [
    "your_",
    "your-",
    "changeme",
    "change_me",
    "replace_me",
    "replaceme",
    "{{",
    "xxxx",
];

pub(super) fn check(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    let set_version = || {
        LintFix::Edit(Edit::SetElement {
            path: "Version".to_owned(),
            value: serde_json::Value::String("2012-10-17".to_owned()),
        })
    };
    if facts.document.version == Version::Absent {
        push(
            out,
            MISSING_VERSION,
            "the policy has no Version: IAM reads it as 2008-10-17".to_owned(),
            JsonPath::root(),
            set_version(),
        );
    }
    // A statement equal to an earlier one but for its position and Sid.
    let plain = |statement: &crate::policy::Statement| crate::policy::Statement {
        index: 0,
        sid: None,
        ..statement.clone()
    };
    for (at, statement) in facts.statements.iter().enumerate() {
        let this = plain(statement.statement);
        if let Some(earlier) = facts.statements[..at]
            .iter()
            .find(|earlier| plain(earlier.statement) == this)
        {
            push(
                out,
                REDUNDANT_STATEMENT,
                format!(
                    "statement {} repeats statement {}",
                    statement.statement.index + 1,
                    earlier.statement.index + 1
                ),
                statement.path.clone(),
                LintFix::Edit(Edit::RemoveElement {
                    path: statement.path.to_string(),
                }),
            );
        }
    }
    for statement in &facts.statements {
        for condition in &statement.statement.conditions {
            let path = || statement.condition_path(condition);
            let kind = condition.operator.kind;
            if !kind.allows_variables()
                && kind != crate::policy::OperatorKind::Null
                && let Some(value) = condition.values.iter().find(|v| has_variable(v))
            {
                push(
                    out,
                    VARIABLE_OPERATOR,
                    format!(
                        "\"{value}\" in {} `{}`: variables work only in String and ARN comparisons",
                        condition.operator.raw, condition.key
                    ),
                    path(),
                    LintFix::Edit(Edit::ReplaceValue {
                        statement: statement.statement.index,
                        operator: condition.operator.raw.clone(),
                        key: condition.key.clone(),
                        replaces: value.clone(),
                        value: "LITERAL_VALUE".to_owned(),
                        template: true,
                    }),
                );
            }
            if !facts.document.version.substitutes_variables()
                && condition.operator.kind.allows_variables()
                && condition.values.iter().any(|v| has_variable(v))
            {
                push(
                    out,
                    VARIABLES_WITHOUT_2012,
                    format!(
                        "`{}` uses a ${{…}} variable, compared literally without Version 2012-10-17",
                        condition.key
                    ),
                    path(),
                    set_version(),
                );
            }
            for (position, value) in condition.values.iter().enumerate() {
                if is_placeholder(value) {
                    push(
                        out,
                        PLACEHOLDER,
                        format!(
                            "\"{value}\" in `{}` looks like a value nobody filled in",
                            condition.key
                        ),
                        path().index(position),
                        LintFix::Edit(Edit::ReplaceValue {
                            statement: statement.statement.index,
                            operator: condition.operator.raw.clone(),
                            key: condition.key.clone(),
                            replaces: value.clone(),
                            value: "VALUE".to_owned(),
                            template: true,
                        }),
                    );
                }
            }
        }
        if let Some(PrincipalSet::Typed(types)) =
            statement.statement.principal.as_ref().map(|p| &p.set)
        {
            for (kind, ids) in types {
                for (index, id) in ids.iter().enumerate() {
                    if is_placeholder(id) {
                        push(
                            out,
                            PLACEHOLDER,
                            format!("the principal \"{id}\" looks like a value nobody filled in"),
                            statement
                                .path
                                .key("Principal")
                                .key(kind.as_str())
                                .index(index),
                            LintFix::Edit(Edit::SetPrincipal {
                                statement: statement.statement.index,
                                replaces: id.clone(),
                                value: "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER".to_owned(),
                                template: true,
                            }),
                        );
                    }
                }
            }
        }
    }
    let size = non_whitespace_characters(facts.inputs.text);
    if size * 100 >= QUOTA * NEAR {
        push(
            out,
            SIZE,
            format!("{size} non-whitespace characters: the default trust-policy quota is {QUOTA}"),
            JsonPath::root(),
            LintFix::Edit(Edit::Shorten { size, quota: QUOTA }),
        );
    }
}

/// Characters that are not whitespace, as the quota counts them; a byte count when the text is
/// ASCII, as IAM's texts nearly always are.
fn non_whitespace_characters(text: &str) -> usize {
    if text.is_ascii() {
        text.bytes()
            .filter(|&b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
            .count()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }
}

/// A `${…}` policy variable other than the escapes `${*}`, `${?}`, `${$}`.
fn has_variable(value: &str) -> bool {
    value.match_indices("${").any(|(at, _)| {
        let rest = &value[at + 2..];
        !(rest.starts_with("*}") || rest.starts_with("?}") || rest.starts_with("$}"))
            && rest.contains('}')
    })
}

/// Empty, a bare field name (`repo:`), `<ORG>`, `YOUR_ORG`, `CHANGEME`, `${{ … }}`…
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.trim().is_empty()
        || (value.ends_with(':') && !value[..value.len() - 1].contains(':'))
        || (value.contains('<') && value.contains('>'))
        || PLACEHOLDERS.iter().any(|marker| lower.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::non_whitespace_characters;

    /// The ASCII shortcut counts as `char::is_whitespace` does, vertical tab and form feed
    /// included.
    #[test]
    fn the_ascii_count_agrees_with_the_unicode_one() {
        let ascii: String = (0u8..128).map(char::from).collect();
        let unicode = format!("{ascii}\u{a0}é\u{2003}");
        for text in [ascii.as_str(), unicode.as_str(), "", " \t\n\u{b}\u{c}\r"] {
            assert_eq!(
                non_whitespace_characters(text),
                text.chars().filter(|c| !c.is_whitespace()).count(),
                "{text:?}"
            );
        }
    }
}
