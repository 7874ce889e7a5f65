//! One token against every role of an account: which it can assume, which it nearly can
//! (a single condition or pre-check in the way), which trust its issuer but are far off, and
//! which have nothing to do with it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::condition::ConditionTrace;
use super::engine::PolicyDecision;
use super::precheck::CheckStatus;
use super::verdict::{Decision, ExplainInputs, Verdict, explain};
use crate::account::{Account, Provider, Role, strip_scheme};
use crate::policy::{Effect, PolicyDocument, PrincipalSet, PrincipalType};
use crate::token::Token;

/// How a role relates to the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanClass {
    /// STS would return credentials.
    Allowed,
    /// One condition, action or pre-check stands in the way.
    NearMiss,
    /// The role trusts this token's issuer, but more than one thing stands in the way (or a
    /// Deny statement refuses it).
    Far,
    /// The role does not trust this token's issuer at all.
    Unrelated,
}

/// One role's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleScan {
    /// Role name.
    pub name: String,
    /// Role ARN.
    pub arn: String,
    /// The class.
    pub class: ScanClass,
    /// What STS would answer (for roles that trust the issuer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_answer: Option<String>,
    /// For a near miss: the one thing in the way; for a far role: the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocker: Option<String>,
}

/// What a scan needs.
#[derive(Debug, Clone, Copy)]
pub struct ScanInputs<'a> {
    /// The token, or `None` for claims given directly.
    pub token: Option<&'a Token>,
    /// Its claims.
    pub claims: &'a Map<String, Value>,
    /// The account.
    pub account: &'a Account,
    /// The session name of the calls.
    pub session_name: &'a str,
    /// Now, epoch seconds.
    pub now: i64,
}

/// Scans every role, sorted by class then name. Full explanations are computed only for the
/// roles that trust the token's issuer.
pub fn scan(inputs: &ScanInputs<'_>) -> Vec<RoleScan> {
    let issuer = inputs
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let principal = inputs
        .account
        .providers
        .iter()
        .find(|p| p.issuer() == issuer)
        .map(|p| p.arn.clone())
        .or_else(|| Provider::built_in(issuer).map(|p| p.arn))
        .unwrap_or_else(|| {
            let account = &inputs.account;
            format!(
                "arn:{}:iam::{}:oidc-provider/{}",
                account.partition,
                account.id,
                strip_scheme(issuer)
            )
        });
    let mut results: Vec<RoleScan> = inputs
        .account
        .roles
        .iter()
        .map(|role| scan_role(role, &principal, inputs))
        .collect();
    results.sort_by(|a, b| (a.class, &a.name).cmp(&(b.class, &b.name)));
    results
}

fn scan_role(role: &Role, principal: &str, inputs: &ScanInputs<'_>) -> RoleScan {
    let unrelated = |blocker: Option<String>| RoleScan {
        name: role.name.clone(),
        arn: role.arn.clone(),
        class: ScanClass::Unrelated,
        sts_answer: None,
        blocker,
    };
    let document = match role.policy() {
        Ok(document) => document,
        Err(error) => return unrelated(Some(format!("the trust policy does not parse: {error}"))),
    };
    if !trusts(document, principal) {
        return unrelated(None);
    }
    let verdict = explain(&ExplainInputs {
        token: inputs.token,
        claims: inputs.claims,
        policy: document,
        providers: &inputs.account.providers,
        role_arn: &role.arn,
        session_name: inputs.session_name,
        role_tags: &role.tag_pairs(),
        context_overrides: &[],
        now: inputs.now,
    });
    let (class, blocker) = classify(&verdict);
    RoleScan {
        name: role.name.clone(),
        arn: role.arn.clone(),
        class,
        sts_answer: Some(verdict.sts_answer),
        blocker,
    }
}

/// Does an Allow statement name `principal` as Federated?
fn trusts(document: &PolicyDocument, principal: &str) -> bool {
    document.statements.iter().any(|statement| {
        statement.effect == Effect::Allow
            && statement.principal.as_ref().is_some_and(|element| {
                !element.negated
                    && matches!(&element.set, PrincipalSet::Typed(types) if types.iter().any(|(kind, ids)| {
                        *kind == PrincipalType::Federated && ids.iter().any(|id| id == principal)
                    }))
            })
    })
}

/// Near miss when exactly one thing blocks: one pre-check (with the policy allowing), or one
/// condition or action of the closest Allow statement.
fn classify(verdict: &Verdict) -> (ScanClass, Option<String>) {
    let failed: Vec<_> = verdict
        .prechecks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .collect();
    match (&verdict.decision, failed.as_slice()) {
        (Decision::Allowed, _) => (ScanClass::Allowed, None),
        (Decision::Rejected { sts_error }, [only]) => {
            let class = if verdict.policy.decision == PolicyDecision::Allowed {
                ScanClass::NearMiss
            } else {
                ScanClass::Far
            };
            (
                class,
                Some(format!("{}: {} ({sts_error})", only.name, only.detail)),
            )
        }
        (Decision::Rejected { sts_error }, _) => (ScanClass::Far, Some(sts_error.to_string())),
        (Decision::Denied { explicit: true }, _) => {
            let statement = verdict.policy.deciding.as_ref().map_or(0, |d| d.statement) + 1;
            (
                ScanClass::Far,
                Some(format!("statement {statement} (Deny) refuses it")),
            )
        }
        (Decision::Denied { explicit: false }, _) => policy_blockers(verdict),
    }
}

fn policy_blockers(verdict: &Verdict) -> (ScanClass, Option<String>) {
    let Some(deciding) = &verdict.policy.deciding else {
        return (ScanClass::Far, None);
    };
    let Some(statement) = verdict
        .policy
        .statements
        .iter()
        .find(|s| s.index == deciding.statement)
    else {
        return (ScanClass::Far, None);
    };
    let failing_conditions: Vec<_> = statement.conditions.iter().filter(|c| !c.passed).collect();
    let failing_actions: Vec<_> = statement.actions.iter().filter(|a| !a.passed).collect();
    let blockers =
        failing_conditions.len() + failing_actions.len() + usize::from(!statement.principal.passed);
    let first = if !statement.principal.passed {
        format!("principal: {}", statement.principal.detail)
    } else if let Some(action) = failing_actions.first() {
        format!("action: {}", action.detail)
    } else if let Some(condition) = failing_conditions.first() {
        condition_blocker(condition)
    } else {
        "no statement allows it".to_owned()
    };
    let class = if blockers == 1 && statement.principal.passed {
        ScanClass::NearMiss
    } else {
        ScanClass::Far
    };
    (class, Some(first))
}

/// A failed condition in one line: where the values part, when they are strings.
fn condition_blocker(condition: &ConditionTrace) -> String {
    let (operator, key) = (&condition.operator, &condition.key);
    match &condition.difference {
        Some(difference) => {
            let tail = |text: &str| {
                let skip = difference.at.saturating_sub(12);
                let rest: String = text.chars().skip(skip).collect();
                if skip > 0 { format!("…{rest}") } else { rest }
            };
            if let Some(literal) = difference
                .missing_literal
                .as_deref()
                .filter(|l| !l.is_empty())
            {
                return format!(
                    "{operator} {key}: the pattern needs \"{literal}\" where the token has \"{}\"",
                    tail(&difference.request)
                );
            }
            format!(
                "{operator} {key}: the policy wants \"{}\", the token has \"{}\"",
                tail(&difference.policy),
                tail(&difference.request)
            )
        }
        None => format!("{operator} {key}: {}", condition.reason),
    }
}
