//! A finding's fix as data: one of the engine's [`Fix`] edits (change an operator, add an
//! action, add a client ID…) or an edit only lint needs (add a tighter condition, remove an
//! element, rename a key). Statement and condition numbers are 0-based, as in [`Fix`];
//! `template` values hold UPPER-CASE parts (`OWNER`, `REPO`) for the user to fill in.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::eval::Fix;

/// How to fix one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LintFix {
    /// An edit the engine's fixes already describe.
    Engine(Fix),
    /// An edit of lint's own.
    Edit(Edit),
}

/// Edits of a trust policy that only lint proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Edit {
    /// Add a condition to the statement (a tighter one: the tenant key, a Null guard, the
    /// audience).
    AddCondition {
        /// The statement to edit.
        statement: usize,
        /// The operator (`StringEquals`, `Null`).
        operator: String,
        /// The key.
        key: String,
        /// The value, or a template to fill in.
        value: String,
        /// Whether `value` is a template (UPPER-CASE parts to fill in).
        template: bool,
    },
    /// Replace a condition value by a tighter one.
    ReplaceValue {
        /// The statement holding the condition.
        statement: usize,
        /// The operator as written.
        operator: String,
        /// The key as written.
        key: String,
        /// The value as written.
        replaces: String,
        /// The value to write, or a template to fill in.
        value: String,
        /// Whether `value` is a template.
        template: bool,
    },
    /// Remove one value from a condition (a repeated one).
    RemoveValue {
        /// The statement holding the condition.
        statement: usize,
        /// The operator as written.
        operator: String,
        /// The key as written.
        key: String,
        /// The value to remove.
        value: String,
    },
    /// Rename a condition key (to the trusted provider's prefix).
    RenameKey {
        /// The statement holding the condition.
        statement: usize,
        /// The operator as written.
        operator: String,
        /// The key as written.
        from: String,
        /// The key to write.
        to: String,
    },
    /// Remove the element at `path` (a `NotPrincipal`, a `Resource`, a condition).
    RemoveElement {
        /// The JSON path of the element.
        path: String,
    },
    /// Put `value` at `path` (the `Version`).
    SetElement {
        /// The JSON path of the element.
        path: String,
        /// The JSON value to write.
        value: serde_json::Value,
    },
    /// Write the trusted provider as its ARN in the role's account.
    SetPrincipal {
        /// The statement to edit.
        statement: usize,
        /// The principal as written.
        replaces: String,
        /// The principal to write (or a template).
        value: String,
        /// Whether `value` is a template.
        template: bool,
    },
    /// Make the policy shorter: split the role, or merge statements that differ in one value.
    Shorten {
        /// Non-whitespace characters now.
        size: usize,
        /// The default quota.
        quota: usize,
    },
}

impl Serialize for LintFix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LintFix::Engine(fix) => fix.serialize(serializer),
            LintFix::Edit(edit) => edit.serialize(serializer),
        }
    }
}

impl fmt::Display for LintFix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LintFix::Engine(fix) => fix.fmt(f),
            LintFix::Edit(edit) => edit.fmt(f),
        }
    }
}

impl fmt::Display for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fill = |template: bool| {
            if template {
                " (fill in the UPPER-CASE parts)"
            } else {
                ""
            }
        };
        match self {
            Edit::AddCondition {
                statement,
                operator,
                key,
                value,
                template,
            } => write!(
                f,
                "add to statement {}: \"{operator}\": {{\"{key}\": \"{value}\"}}{}",
                statement + 1,
                fill(*template)
            ),
            Edit::ReplaceValue {
                operator,
                key,
                replaces,
                value,
                template,
                ..
            } => write!(
                f,
                "in {operator} {key}, write \"{value}\" instead of \"{replaces}\"{}",
                fill(*template)
            ),
            Edit::RemoveValue {
                operator,
                key,
                value,
                ..
            } => write!(f, "remove \"{value}\" from {operator} {key}"),
            Edit::RenameKey { from, to, .. } => write!(f, "write the key as {to} (not {from})"),
            Edit::RemoveElement { path } => write!(f, "remove {path}"),
            Edit::SetElement { path, value } => write!(f, "set {path} to {value}"),
            Edit::SetPrincipal {
                replaces,
                value,
                template,
                ..
            } => write!(
                f,
                "trust \"{value}\" instead of \"{replaces}\"{}",
                fill(*template)
            ),
            Edit::Shorten { size, quota } => write!(
                f,
                "shorten the policy ({size} of {quota} characters): merge statements that differ in one value, or split the role; the quota can be raised to 4,096"
            ),
        }
    }
}
