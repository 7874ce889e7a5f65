//! One token against every role of an account: which it can assume, which it nearly can
//! (a single condition or pre-check in the way), which trust its issuer but are far off, and
//! which have nothing to do with it.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use super::condition::ConditionTrace;
use super::context::{RequestContext, WebIdentityInputs, is_role_key};
use super::engine::{
    Blockers, PolicyDecision, Request, closest_allow_blockers, conditional_text, decide,
};
use super::precheck::{self, Check, CheckId, CheckStatus, PrecheckInputs, Prechecks, StsError};
use super::verdict::{
    Decision, ExplainInputs, Verdict, conditional_answer, explain, required_actions,
};
use crate::account::{Account, Provider, Role};
use crate::arn::Arn;
use crate::arn::ArnParts;
use crate::policy::{Effect, PolicyDocument, PrincipalSet, PrincipalType};
use crate::token::Token;
use crate::token::verify::Evidence;

/// How a role relates to the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanClass {
    /// STS would return credentials.
    Allowed,
    /// STS would return credentials or refuse depending on values only the real request has
    /// (`aws:SourceIp`, …).
    Conditional,
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
    /// For a near miss: the one thing in the way; for a far role: the first; for a
    /// conditional one: when it is allowed and what happens otherwise.
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
    /// The signature checked against the issuer's keys, when keys were at hand.
    pub signature: Option<&'a Evidence>,
    /// The region of the STS endpoint called (`aws:RequestedRegion`), when known.
    pub region: Option<&'a str>,
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
            Arn::oidc_provider(&account.partition, &account.id, issuer).to_string()
        });
    let call = Call::new(inputs);
    let mut results: Vec<RoleScan> = inputs
        .account
        .roles
        .iter()
        .map(|role| scan_role(role, &principal, &call, inputs))
        .collect();
    results.sort_by(|a, b| (a.class, &a.name).cmp(&(b.class, &b.name)));
    results
}

/// What [`explain`] would compute alike for every role of the account, computed once: the
/// pre-checks but the roles claim's, the request (the provider and the required actions) and
/// the request context but the role's own keys.
struct Call {
    prechecks: Prechecks,
    /// Partition and account the provider was made up for, when none matched the issuer
    /// (`explain` takes them from the role's ARN).
    assumed_for: Option<(String, String)>,
    request: Request,
    context: RequestContext,
}

impl Call {
    fn new(inputs: &ScanInputs<'_>) -> Call {
        let prechecks = precheck::run(&PrecheckInputs {
            token: inputs.token,
            claims: inputs.claims,
            providers: &inputs.account.providers,
            role_arn: "",
            session_name: inputs.session_name,
            now: inputs.now,
            signature: inputs.signature,
        });
        let account = inputs.account;
        let (provider, assumed_for) = match &prechecks.provider {
            Some(provider) => (provider.clone(), None),
            None => {
                let issuer = inputs.claims.get("iss").and_then(Value::as_str);
                let provider = Provider::new(
                    &account.partition,
                    &account.id,
                    issuer.unwrap_or_default(),
                    Vec::new(),
                );
                (
                    provider,
                    Some((account.partition.clone(), account.id.clone())),
                )
            }
        };
        let context = RequestContext::for_web_identity(WebIdentityInputs {
            claims: inputs.claims,
            provider: &provider,
            role_arn: "",
            session_name: inputs.session_name,
            role_tags: &[],
            now: inputs.now,
            region: inputs.region,
        });
        let request = Request {
            principal: provider.arn.clone(),
            actions: required_actions(inputs.claims),
        };
        Call {
            prechecks,
            assumed_for,
            request,
            context,
        }
    }

    /// Whether [`explain`] would make up the same provider for this role.
    fn fits(&self, role_arn: &str) -> bool {
        self.assumed_for
            .as_ref()
            .is_none_or(|(partition, account)| {
                let (role_partition, role_account) = ArnParts::parse(role_arn)
                    .map_or(("aws", ""), |arn| (arn.partition, arn.account));
                role_partition == partition && role_account == account
            })
    }
}

fn scan_role(role: &Role, principal: &str, call: &Call, inputs: &ScanInputs<'_>) -> RoleScan {
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
    let (class, sts_answer, blocker) = if call.fits(&role.arn) {
        decided(role, document, call, inputs)
    } else {
        explained(role, document, inputs)
    };
    RoleScan {
        name: role.name.clone(),
        arn: role.arn.clone(),
        class,
        sts_answer: Some(sts_answer),
        blocker,
    }
}

/// Class, STS answer and blocker from the full explanation of one role.
fn explained(
    role: &Role,
    document: &PolicyDocument,
    inputs: &ScanInputs<'_>,
) -> (ScanClass, String, Option<String>) {
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
        signature: inputs.signature,
        region: inputs.region,
    });
    let (class, blocker) = classify(&verdict);
    (class, verdict.sts_answer, blocker)
}

/// What [`explained`] gives, from the call's shared parts, the fast decision, and — for an
/// implicit deny — what stands in the way in the deciding statement, traced alone.
fn decided(
    role: &Role,
    document: &PolicyDocument,
    call: &Call,
    inputs: &ScanInputs<'_>,
) -> (ScanClass, String, Option<String>) {
    let roles_claim = precheck::roles_claim_check(inputs.claims, &role.arn);
    let failed: Vec<&Check> = call
        .prechecks
        .checks
        .iter()
        .map(|check| {
            if check.id == CheckId::RolesClaim {
                &roles_claim
            } else {
                check
            }
        })
        .filter(|check| check.status == CheckStatus::Failed)
        .collect();
    let context = if reads_role_keys(document) {
        call.context
            .for_role(inputs.claims, &role.arn, &role.tag_pairs())
    } else {
        Cow::Borrowed(&call.context)
    };
    let policy = decide(document, &context, &call.request);
    if let [first, ..] = failed.as_slice() {
        let sts_error = first
            .sts_error
            .clone()
            .unwrap_or_else(StsError::access_denied);
        let (class, blocker) = rejected(&failed, &sts_error, &policy);
        return (class, sts_error.to_string(), blocker);
    }
    let denied = || StsError::access_denied().to_string();
    match policy {
        PolicyDecision::Allowed => (
            ScanClass::Allowed,
            format!("credentials for {} (the call succeeds)", role.arn),
            None,
        ),
        PolicyDecision::ExplicitDeny { statement } => {
            (ScanClass::Far, denied(), Some(explicit_deny(statement)))
        }
        PolicyDecision::ImplicitDeny { missing_actions } => {
            let blockers =
                closest_allow_blockers(document, &context, &call.request, &missing_actions);
            let (class, blocker) = policy_blockers(blockers.as_ref());
            (class, denied(), blocker)
        }
        PolicyDecision::Conditional { branches } => (
            ScanClass::Conditional,
            conditional_answer(&role.arn, &branches),
            Some(conditional_text(&branches)),
        ),
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
    let failed: Vec<&Check> = verdict
        .prechecks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .collect();
    match &verdict.decision {
        Decision::Allowed => (ScanClass::Allowed, None),
        Decision::Conditional { branches } => {
            (ScanClass::Conditional, Some(conditional_text(branches)))
        }
        Decision::Rejected { sts_error } => rejected(&failed, sts_error, &verdict.policy.decision),
        Decision::Denied { explicit: true } => (
            ScanClass::Far,
            Some(explicit_deny(
                verdict.policy.deciding.as_ref().map_or(0, |d| d.statement),
            )),
        ),
        Decision::Denied { explicit: false } => {
            let blockers = verdict.policy.deciding.as_ref().and_then(|deciding| {
                verdict
                    .policy
                    .statements
                    .iter()
                    .find(|s| s.index == deciding.statement)
                    .map(Blockers::of)
            });
            policy_blockers(blockers.as_ref())
        }
    }
}

/// Whether the policy reads a key the role sets, by name or through a policy variable (the
/// engine reads the context only through condition keys and variables).
fn reads_role_keys(document: &PolicyDocument) -> bool {
    document
        .statements
        .iter()
        .flat_map(|statement| &statement.conditions)
        .any(|condition| {
            is_role_key(&condition.key) || condition.values.iter().any(|v| v.contains("${"))
        })
}

/// A pre-check failed: a near miss when it is the only thing in the way.
fn rejected(
    failed: &[&Check],
    sts_error: &StsError,
    policy: &PolicyDecision,
) -> (ScanClass, Option<String>) {
    match failed {
        [only] => {
            let allows = matches!(
                policy,
                PolicyDecision::Allowed | PolicyDecision::Conditional { .. }
            );
            let class = if allows {
                ScanClass::NearMiss
            } else {
                ScanClass::Far
            };
            (
                class,
                Some(format!("{}: {} ({sts_error})", only.id, only.detail)),
            )
        }
        _ => (ScanClass::Far, Some(sts_error.to_string())),
    }
}

/// The blocker of a Deny statement that matched (`statement` is 0-based).
fn explicit_deny(statement: usize) -> String {
    format!("statement {} (Deny) refuses it", statement + 1)
}

/// The blockers of an implicit deny, in the statement that came nearest.
fn policy_blockers(statement: Option<&Blockers>) -> (ScanClass, Option<String>) {
    let Some(statement) = statement else {
        return (ScanClass::Far, None);
    };
    let blockers = statement.failing_conditions
        + statement.failing_actions.len()
        + usize::from(!statement.principal.passed);
    let first = if !statement.principal.passed {
        format!("principal: {}", statement.principal.detail)
    } else if let Some(action) = statement.failing_actions.first() {
        format!("action: {}", action.detail)
    } else if let Some(condition) = &statement.first_failing_condition {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::account::{Tag, TrustPolicy, demo};

    const NOW: i64 = 1_795_629_600;

    /// For every role, the shared path answers exactly as the full explanation.
    fn agree(account: &Account, token: Option<&Token>, claims: &Map<String, Value>) {
        let inputs = ScanInputs {
            token,
            claims,
            account,
            session_name: "ci",
            now: NOW,
            signature: None,
            region: Some("eu-west-1"),
        };
        let call = Call::new(&inputs);
        for role in &account.roles {
            let Ok(document) = role.policy() else {
                continue;
            };
            assert!(call.fits(&role.arn), "{}", role.arn);
            assert_eq!(
                decided(role, document, &call, &inputs),
                explained(role, document, &inputs),
                "{} with {claims:?}",
                role.name
            );
        }
    }

    /// The demo account, its roles tagged, and roles whose policies read the role's own keys.
    fn accounts() -> Vec<Account> {
        let plain = demo::account().expect("the demo account loads");
        let mut tagged = plain.clone();
        for (index, role) in tagged.roles.iter_mut().enumerate() {
            role.tags = vec![Tag {
                key: "team".into(),
                value: if index % 2 == 0 { "web" } else { "data" }.into(),
            }];
        }
        let semaphore = format!(
            "arn:aws:iam::{}:oidc-provider/acme.semaphoreci.com",
            plain.id
        );
        let reads_role_keys = [
            json!({"StringEquals": {"aws:ResourceTag/team": "web"}}),
            json!({"StringEquals": {"iam:ResourceTag/Team": "data"}}),
            json!({"Bool": {"sts:RoleAuthorizedByIdp": "true"}}),
            json!({"StringLike": {"acme.semaphoreci.com:sub": "*${aws:ResourceTag/team}*"}}),
        ];
        for (index, condition) in reads_role_keys.into_iter().enumerate() {
            let mut role = tagged.roles[index].clone();
            role.name = format!("reads-role-keys-{index}");
            role.arn = format!("arn:aws:iam::{}:role/{}", plain.id, role.name);
            role.trust_policy = TrustPolicy::new(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Federated": semaphore}, "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition}]})
                .to_string(),
            );
            tagged.roles.push(role);
        }
        vec![plain, tagged]
    }

    #[test]
    fn the_shared_path_answers_as_the_full_explanation() {
        for account in accounts() {
            for demo_token in demo::TOKENS {
                let token = demo::token(demo_token.name, NOW)
                    .ok()
                    .and_then(|text| text.decode().ok());
                let Some(token) = token else {
                    unreachable!("demo token {} decodes", demo_token.name)
                };
                agree(&account, Some(&token), token.claims());
                // What-if claims: no token; a roles claim naming one role; an unknown issuer.
                let mut claims = token.claims().clone();
                agree(&account, None, &claims);
                claims.insert(
                    "https://aws.amazon.com/tags".into(),
                    json!({"principal_tags": {"job_type": ["pipeline_job"]}}),
                );
                claims.insert(
                    crate::token::rules::ROLES_CLAIM.into(),
                    json!([account.roles[0].arn]),
                );
                agree(&account, None, &claims);
                claims.insert("iss".into(), json!("https://unknown.example"));
                agree(&account, None, &claims);
            }
        }
    }
}
