//! The plain-language "why" of a verdict and, where the fix is mechanical, the fix.

use super::condition::ConditionTrace;
use super::context::RequestContext;
use super::engine::{
    ASSUME_ACTION, PolicyDecision, PolicyTrace, SET_SOURCE_IDENTITY_ACTION, StatementTrace,
    TAG_SESSION_ACTION,
};
use super::precheck::{Check, CheckId};

/// Why the verdict is what it is, and how to change it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advice {
    /// Reasons, most important first.
    pub why: Vec<String>,
    /// Fixes, when they are mechanical.
    pub fix: Vec<String>,
}

/// Advice for a call rejected by a pre-check.
pub fn for_rejection(check: &Check, issuer: Option<&str>, audience: Option<&str>) -> Advice {
    let mut advice = Advice {
        why: vec![check.detail.clone()],
        fix: Vec::new(),
    };
    let fix = match check.id {
        CheckId::SessionName => Some("use a session name of 2–64 characters from letters, digits and _+=,.@-".to_owned()),
        CheckId::TokenLength => Some("pass the whole ID token (STS accepts 4–20,000 characters)".to_owned()),
        CheckId::Issuer => issuer.map(|iss| {
            if check.detail.contains("is close") {
                format!("register the provider with exactly {iss} (or fix the issuer), then trust it in the role")
            } else {
                format!("create an IAM OIDC provider with URL {iss} in the role's account (same account as the role)")
            }
        }),
        CheckId::Audience => audience.map(|aud| {
            format!("add \"{aud}\" to the provider's audiences (client IDs), or have the job request an audience the provider lists")
        }),
        CheckId::Expiry => Some("use a fresh token: request it right before the call, and check this machine's and the issuer's clocks".to_owned()),
        CheckId::RequiredClaims => Some("the issuer must send iss, sub, aud, iat and exp as strings and whole seconds".to_owned()),
        CheckId::Algorithm => Some("the issuer must sign with RS256/384/512 or ES256/384/512".to_owned()),
        CheckId::RolesClaim => Some("assume a role the token's roles claim names, or have the issuer name this role".to_owned()),
        CheckId::Decodable | CheckId::Signature => None,
    };
    advice.fix.extend(fix);
    advice
}

/// Advice for the trust policy's decision.
pub fn for_policy(trace: &PolicyTrace, context: &RequestContext, principal: &str) -> Advice {
    let mut advice = Advice::default();
    let Some(deciding) = &trace.deciding else {
        if let Some(statement) = trace
            .statements
            .iter()
            .find(|s| s.effect == "Allow" && !s.applies_to.is_empty())
        {
            advice.why.push(format!(
                "statement {} allows {}",
                statement.index + 1,
                statement.applies_to.join(" and ")
            ));
        }
        return advice;
    };
    let Some(statement) = trace
        .statements
        .iter()
        .find(|s| s.index == deciding.statement)
    else {
        return advice;
    };
    let number = statement.index + 1;
    match (&trace.decision, deciding.element) {
        (PolicyDecision::ExplicitDeny { .. }, _) => {
            let sid = statement
                .sid
                .as_ref()
                .map(|sid| format!(" \"{sid}\""))
                .unwrap_or_default();
            let reasons: Vec<String> = statement
                .conditions
                .iter()
                .map(|c| format!("{} {}: {}", c.operator, c.key, c.reason))
                .collect();
            let because = if reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", reasons.join("; "))
            };
            advice.why.push(format!(
                "statement {number} (Deny{sid}) matches this request{because}, and an explicit Deny overrides every Allow"
            ));
        }
        (_, "principal") => {
            advice.why.push(format!(
                "no statement trusts this token's provider: {}",
                statement.principal.detail
            ));
            advice.fix.push(format!(
                "trust it: \"Principal\": {{\"Federated\": \"{principal}\"}}"
            ));
        }
        (PolicyDecision::ImplicitDeny { missing_actions }, "action") => {
            action_advice(statement, missing_actions, &mut advice);
        }
        (_, _) => {
            if let Some(condition) = deciding.condition.and_then(|c| statement.conditions.get(c)) {
                condition_advice(number, condition, context, &mut advice);
            }
        }
    }
    advice
}

fn action_advice(statement: &StatementTrace, missing: &[&'static str], advice: &mut Advice) {
    let number = statement.index + 1;
    for action in missing {
        match *action {
            TAG_SESSION_ACTION => {
                advice.why.push("the token carries session tags (https://aws.amazon.com/tags), so STS also needs sts:TagSession".to_owned());
                advice.fix.push(format!(
                    "add \"sts:TagSession\" to the Action of statement {number}"
                ));
            }
            SET_SOURCE_IDENTITY_ACTION => {
                advice.why.push(
                    "the token sets a source identity, so STS also needs sts:SetSourceIdentity"
                        .to_owned(),
                );
                advice.fix.push(format!(
                    "add \"sts:SetSourceIdentity\" to the Action of statement {number}"
                ));
            }
            ASSUME_ACTION => {
                let detail = statement
                    .actions
                    .iter()
                    .find(|a| a.action == ASSUME_ACTION)
                    .map(|a| a.detail.clone());
                advice.why.push(format!(
                    "statement {number} does not allow {ASSUME_ACTION}: {}",
                    detail.unwrap_or_default()
                ));
                let fix = if statement
                    .action_patterns
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case("sts:AssumeRole"))
                {
                    "sts:AssumeRole is for IAM principals; web identities need \"sts:AssumeRoleWithWebIdentity\"".to_owned()
                } else {
                    format!("add \"{ASSUME_ACTION}\" to the Action of statement {number}")
                };
                advice.fix.push(fix);
            }
            _ => {}
        }
    }
}

fn condition_advice(
    number: usize,
    condition: &ConditionTrace,
    context: &RequestContext,
    advice: &mut Advice,
) {
    let (operator, key) = (&condition.operator, &condition.key);
    let before = advice.why.len();
    specific_condition_advice(condition, context, advice);
    if advice.why.len() == before {
        advice.why.insert(
            before,
            format!(
                "statement {number}: {operator} {key} fails — {}",
                condition.reason
            ),
        );
    }
}

/// Reasons and fixes that name a known cause (a claim AWS does not expose, a wildcard under
/// Equals, a case or slash difference, a PR or environment job against a branch policy).
fn specific_condition_advice(
    condition: &ConditionTrace,
    context: &RequestContext,
    advice: &mut Advice,
) {
    let (operator, key) = (&condition.operator, &condition.key);
    if condition.context_values.is_none() {
        if let Some(why) = context.why_absent(key)
            && why.contains("does not expose")
        {
            advice.why.push(format!("{key}: {why}"));
            let prefix = key
                .rsplit_once(':')
                .map_or(key.as_str(), |(prefix, _)| prefix);
            advice.fix.push(format!(
                "AWS cannot test this claim; express the restriction through `{prefix}:sub` (StringLike on its pattern) instead"
            ));
        }
        return;
    }
    if condition
        .notes
        .iter()
        .any(|n| n.contains("are literal characters"))
    {
        advice.why.push(format!(
            "under {operator}, `*` and `?` in the policy value are ordinary characters, not wildcards"
        ));
        advice.fix.push(format!(
            "change {operator} to StringLike: under {operator} `*` and `?` are ordinary characters"
        ));
        return;
    }
    let Some(difference) = &condition.difference else {
        return;
    };
    let (policy, request) = (&difference.policy, &difference.request);
    if difference.case_only {
        advice.why.push(
            "the values differ only in letter case, and String operators are case-sensitive"
                .to_owned(),
        );
        advice
            .fix
            .push(format!("write \"{request}\" in the policy"));
    } else if policy.trim_end_matches('/') == request.trim_end_matches('/') {
        advice
            .why
            .push("the values differ only by a trailing slash".to_owned());
        advice
            .fix
            .push(format!("write \"{request}\" in the policy"));
    } else if policy.contains(":ref_type:pr:") && request.contains(":ref_type:pull-request:") {
        advice.why.push(
            "Semaphore writes pull requests as ref_type:pull-request, not ref_type:pr".to_owned(),
        );
        advice.fix.push(format!(
            "write \"{}\" in the policy",
            policy.replace(":ref_type:pr:", ":ref_type:pull-request:")
        ));
    } else if request.contains(":ref_type:pull-request:") && policy.contains(":ref_type:branch:") {
        let pr = request
            .split("refs/pull/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|n| format!(" #{n}"))
            .unwrap_or_default();
        advice.why.push(format!(
            "this job ran for pull request{pr}; Semaphore gives PR jobs ref_type \"pull-request\", and the role trusts only branch jobs"
        ));
        advice.fix.push("run from the trusted branch, or (caution: lets unreviewed PR code in) add a separate, less privileged role for PR jobs".to_owned());
    } else if request.ends_with(":pull_request") && policy.contains(":ref:") {
        advice.why.push("this job ran for a pull_request event; GitHub then sends `…:pull_request` in sub instead of the branch ref".to_owned());
        advice.fix.push("run from the trusted branch, or (caution: lets unreviewed PR code in) add a separate role trusting `…:pull_request`".to_owned());
    } else if let Some(environment) = request.split(":environment:").nth(1)
        && policy.contains(":ref:")
    {
        advice.why.push(format!(
            "the job uses the GitHub environment \"{environment}\"; GitHub then puts `environment:{environment}` in sub instead of the ref"
        ));
        let repo = request.split(":environment:").next().unwrap_or_default();
        advice.fix.push(format!(
            "trust \"{repo}:environment:{environment}\" (and protect that environment)"
        ));
    } else if request.contains(":ref_type:tag:") && policy.contains(":ref_type:branch:") {
        advice
            .why
            .push("this job ran for a tag, and the role trusts only branch jobs".to_owned());
    }
}
