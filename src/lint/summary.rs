//! One role's lint result in brief, for lists: the worst severity, how many findings of each,
//! and who can assume the role when a finding widens that (for "✔ allowed — any repository
//! on GitHub can assume this role").

use super::{AccountFacts, Finding, LintInputs, Severity, lint};
use crate::account::{Account, Role};

/// A role's findings and what they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The findings, worst first.
    pub findings: Vec<Finding>,
    /// Errors, warnings and notes.
    pub counts: [usize; 3],
    /// Who can assume the role, from the worst finding that widens it.
    pub admits: Option<String>,
}

impl Summary {
    /// Errors.
    pub fn errors(&self) -> usize {
        self.counts[0]
    }

    /// Warnings.
    pub fn warnings(&self) -> usize {
        self.counts[1]
    }
}

/// `role` linted with `account`'s facts; `None` when its policy does not parse.
pub fn summarize(role: &Role, account: &Account) -> Option<Summary> {
    let document = role.policy().ok()?;
    let mut findings = lint(&LintInputs {
        text: role.trust_policy.text(),
        document,
        account: Some(AccountFacts {
            account_id: &account.id,
            providers: &account.providers,
        }),
    })
    .findings;
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let counts = [
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    ];
    let admits = findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .find_map(|f| f.admits.clone());
    Some(Summary {
        findings,
        counts,
        admits,
    })
}
