//! `trustlens lint`: broken and dangerous trust policies, each finding with a stable rule id
//! (`TL001`…), a severity, where (line:column and JSON path in the policy as IAM stores it),
//! why (with its source) and a structured fix.
//!
//! Rules come in families, one file each: principals and actions ([`principal`]), who may
//! assume the role ([`tenancy`]), condition operators ([`operators`]), condition keys
//! ([`keys`]) and the document itself ([`document`]). Rules that need the account (its
//! providers and their client IDs) run only when one is given; the report says which did not.

pub mod config;
mod document;
mod facts;
mod fix;
mod keys;
mod operators;
mod principal;
pub mod results;
mod rules;
pub mod sarif;
pub mod sources;
mod summary;
mod tenancy;
#[cfg(test)]
mod tests;
mod yaml;

use serde::Serialize;

pub use fix::{Edit, LintFix};
pub use rules::{RULES, Rule, rule};
pub use summary::{Summary, summarize};

use crate::account::Provider;
use crate::json::{self, JsonPath, Position};
use crate::policy::PolicyDocument;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice.
    Note,
    /// Dangerous: the role admits more than it should.
    Warning,
    /// STS will refuse, IAM will reject the policy, or the policy cannot work as written.
    Error,
}

impl Severity {
    /// The name as written in flags, JSON and text (`error`, `warning`, `note`).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Reads `error`, `warning` or `note`.
    pub fn from_name(name: &str) -> Option<Severity> {
        match name {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

/// The account facts some rules need: where the role lives and the account's providers.
#[derive(Debug, Clone, Copy)]
pub struct AccountFacts<'a> {
    /// The role's account ID.
    pub account_id: &'a str,
    /// The account's IAM OIDC providers.
    pub providers: &'a [Provider],
}

/// What one policy is linted with.
#[derive(Debug, Clone, Copy)]
pub struct LintInputs<'a> {
    /// The policy text as IAM stores it (positions are counted in it).
    pub text: &'a str,
    /// That text, parsed.
    pub document: &'a PolicyDocument,
    /// The account, when one is given.
    pub account: Option<AccountFacts<'a>>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule.
    #[serde(serialize_with = "rule_id")]
    pub rule: &'static Rule,
    /// Its severity (the rule's).
    pub severity: Severity,
    /// What is wrong here, naming the element.
    pub message: String,
    /// The element at fault.
    #[serde(serialize_with = "path_text")]
    pub path: JsonPath,
    /// Where that element starts in the policy text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// The mechanical fix.
    pub fix: LintFix,
    /// Who can assume the role because of it (`any repository on GitHub`), for findings
    /// that widen who is admitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admits: Option<String>,
}

fn rule_id<S: serde::Serializer>(rule: &&'static Rule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.id)
}

fn path_text<S: serde::Serializer>(path: &JsonPath, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(path)
}

/// The findings for one policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Findings in document order within each family.
    pub findings: Vec<Finding>,
}

/// The rules that run only when the account is given (the report says they did not run
/// without it).
pub fn needing_account() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().filter(|rule| rule.needs_account)
}

/// A finding before its position is found.
struct Raw {
    rule: &'static Rule,
    message: String,
    path: JsonPath,
    fix: LintFix,
    admits: Option<String>,
}

/// Lints one policy with every rule.
pub fn lint(inputs: &LintInputs<'_>) -> Report {
    let facts = facts::Facts::new(inputs);
    let mut raw = Vec::new();
    principal::check(&facts, &mut raw);
    tenancy::check(&facts, &mut raw);
    operators::check(&facts, &mut raw);
    keys::check(&facts, &mut raw);
    document::check(&facts, &mut raw);
    // Findings often share an element: each path is located once.
    let mut located: Vec<(JsonPath, Option<Position>)> = Vec::new();
    let findings = raw
        .into_iter()
        .map(|finding| Finding {
            rule: finding.rule,
            severity: finding.rule.severity,
            position: match located.iter().find(|(path, _)| *path == finding.path) {
                Some((_, position)) => *position,
                None => {
                    let position = locate(inputs.text, &finding.path);
                    located.push((finding.path.clone(), position));
                    position
                }
            },
            message: finding.message,
            path: finding.path,
            fix: finding.fix,
            admits: finding.admits,
        })
        .collect();
    Report { findings }
}

/// The position of `path`, else of the nearest enclosing element that is there.
fn locate(text: &str, path: &JsonPath) -> Option<Position> {
    let mut segments = path.segments().to_vec();
    loop {
        let candidate = segments.iter().fold(JsonPath::root(), |p, s| match s {
            json::PathSegment::Key(key) => p.key(key),
            json::PathSegment::Index(index) => p.index(*index),
        });
        if let Some(position) = json::locate(text.as_bytes(), &candidate) {
            return Some(position);
        }
        segments.pop()?;
    }
}
