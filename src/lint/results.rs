//! Lint results for many roles: each finding with its position in the file it came from and
//! the suppression that accepts it, if any; what JSON, SARIF and text output are made from.

use serde::Serialize;

use super::config::Suppression;
use super::sources::Anchor;
use super::{Finding, Report, Severity};
use crate::json::{JsonPath, Position};

/// One role (or policy file) and what lint found.
#[derive(Debug, Clone, PartialEq)]
pub struct Linted {
    /// The role name, the template's logical ID, the plan's address, or the file name.
    pub name: String,
    /// The role's ARN, for account roles.
    pub arn: Option<String>,
    /// The file, for file inputs.
    pub file: Option<String>,
    /// The result.
    pub outcome: Outcome,
}

/// What came of linting one role.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Linted: the findings, suppressed ones included.
    Findings(Vec<Judged>),
    /// The policy uses values known only at deploy time.
    CannotEvaluate {
        /// Why.
        reason: String,
        /// Where the role is in its file.
        position: Option<Position>,
    },
    /// The policy is not a valid policy document.
    Invalid {
        /// The parse error, with line, column and path.
        error: String,
    },
}

/// A finding, where it is in the file, and whether it is accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The finding.
    pub finding: Finding,
    /// Its position in the input file (for an account role, in the policy text).
    pub file_position: Option<Position>,
    /// The suppression that accepts it.
    pub suppressed: Option<Suppression>,
}

impl Linted {
    /// The findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Judged> {
        let findings: &[Judged] = match &self.outcome {
            Outcome::Findings(findings) => findings,
            _ => &[],
        };
        findings.iter().filter(|j| j.suppressed.is_none())
    }

    /// The worst severity among the findings that are not suppressed.
    pub fn worst(&self) -> Option<Severity> {
        self.active().map(|j| j.finding.severity).max()
    }
}

/// Judges a report: positions in the file (`file_text` with `anchor`) and suppressions.
pub fn judge(
    name: &str,
    report: Report,
    anchor: &Anchor,
    file_text: Option<&str>,
    suppressions: &[Suppression],
) -> Vec<Judged> {
    report
        .findings
        .into_iter()
        .map(|finding| {
            let file_position = anchor.place(&finding.path, finding.position, file_text);
            let suppressed = suppressions
                .iter()
                .find(|s| s.covers(name, &finding))
                .cloned();
            Judged {
                finding,
                file_position,
                suppressed,
            }
        })
        .collect()
}

/// Counts of active findings by severity, and of suppressed ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Notes.
    pub note: usize,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Roles that cannot be evaluated.
    pub cannot_evaluate: usize,
}

/// Counts over every role.
pub fn counts(linted: &[Linted]) -> Counts {
    let mut counts = Counts::default();
    for role in linted {
        match &role.outcome {
            Outcome::Findings(findings) => {
                for judged in findings {
                    match (&judged.suppressed, judged.finding.severity) {
                        (Some(_), _) => counts.suppressed += 1,
                        (None, Severity::Error) => counts.error += 1,
                        (None, Severity::Warning) => counts.warning += 1,
                        (None, Severity::Note) => counts.note += 1,
                    }
                }
            }
            Outcome::CannotEvaluate { .. } | Outcome::Invalid { .. } => counts.cannot_evaluate += 1,
        }
    }
    counts
}

/// The JSON path of a finding inside its file, for logical locations.
pub fn qualified(name: &str, path: &JsonPath) -> String {
    if name.is_empty() {
        path.to_string()
    } else if path.is_root() {
        name.to_owned()
    } else {
        format!("{name}/{path}")
    }
}
