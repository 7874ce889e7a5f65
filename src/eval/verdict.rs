//! The whole answer for one token and one role: pre-checks in STS's order, then the trust
//! policy, the STS reply the call would get, and why.

use serde::Serialize;
use serde_json::{Map, Value};

use super::advice::{self, Advice, Rejection};
use super::context::{
    ContextEntry, ContextValue, RequestContext, UnknownKey, WebIdentityInputs, accepted_audience,
};
use super::engine::{
    self, ASSUME_ACTION, Branch, PolicyDecision, PolicyTrace, Request, SET_SOURCE_IDENTITY_ACTION,
    TAG_SESSION_ACTION,
};
use super::fix::Fix;
use super::precheck::{self, Check, CheckStatus, PrecheckInputs, StsError};
use crate::account::Provider;
use crate::arn::Arn;
use crate::policy::{PolicyDocument, PolicyFinding};
use crate::token::Token;
use crate::token::rules::{SESSION_TAGS_CLAIM, SOURCE_IDENTITY_CLAIM};
use crate::token::verify::Evidence;

/// The decision STS would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Decision {
    /// STS returns credentials.
    Allowed,
    /// The trust policy does not allow the call (`explicit` when a Deny matched).
    Denied {
        /// A Deny statement matched.
        explicit: bool,
    },
    /// A pre-check failed before the trust policy was read.
    Rejected {
        /// What STS answers.
        sts_error: StsError,
    },
    /// Allowed or denied depending on values only the real request has (`aws:SourceIp`,
    /// `aws:UserAgent`, the VPC keys): the first branch allows, the others deny.
    Conditional {
        /// The outcomes and when each happens.
        branches: Vec<Branch>,
    },
}

/// What STS answers to a conditional decision: credentials if the allowing branch's
/// conditions hold, `AccessDenied` otherwise.
pub fn conditional_answer(role_arn: &str, branches: &[Branch]) -> String {
    let when = branches
        .first()
        .map(Branch::condition_text)
        .unwrap_or_default();
    format!(
        "credentials for {role_arn} if {when} (the call succeeds); otherwise {}",
        StsError::access_denied()
    )
}

/// Everything needed to explain one call.
#[derive(Debug, Clone, Copy)]
pub struct ExplainInputs<'a> {
    /// The token, or `None` for claims given directly (what-if).
    pub token: Option<&'a Token>,
    /// The claims to evaluate.
    pub claims: &'a Map<String, Value>,
    /// The role's trust policy.
    pub policy: &'a PolicyDocument,
    /// The OIDC providers in the role's account.
    pub providers: &'a [Provider],
    /// The role's ARN.
    pub role_arn: &'a str,
    /// The requested session name.
    pub session_name: &'a str,
    /// Tags on the role.
    pub role_tags: &'a [(String, String)],
    /// Keys set explicitly, over the derived context.
    pub context_overrides: &'a [(String, ContextValue)],
    /// Now, epoch seconds.
    pub now: i64,
    /// The signature checked against the issuer's keys, when keys were at hand.
    pub signature: Option<&'a Evidence>,
    /// The region of the STS endpoint called (`aws:RequestedRegion`); `None`: unknown, so a
    /// condition on it is undecided.
    pub region: Option<&'a str>,
}

/// The explanation of one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The role asked for.
    pub role_arn: String,
    /// The decision.
    pub decision: Decision,
    /// What STS answers, as a pipeline log would show it.
    pub sts_answer: String,
    /// The pre-checks, in STS's order.
    pub prechecks: Vec<Check>,
    /// The actions the trust policy must allow.
    pub required_actions: Vec<&'static str>,
    /// The federated principal the policy must trust (the provider's ARN).
    pub principal: String,
    /// The request context the policy was evaluated against.
    pub context: Vec<ContextEntry>,
    /// Keys the real request has (or may have) whose values trustlens cannot know; a condition
    /// on one is undecided unless `--context` gives the value.
    pub unknown_context: Vec<UnknownKey>,
    /// The trust policy, statement by statement (evaluated even after a pre-check failure, so
    /// the next problem is visible too).
    pub policy: PolicyTrace,
    /// Notes about the policy document itself (repeated keys, …).
    pub policy_findings: Vec<String>,
    /// Why, in plain words.
    pub why: Vec<String>,
    /// How to fix it, where the fix is mechanical; serialized twice, as `fix` (the words)
    /// and as `fixes` (the data, each with its `kind`).
    #[serde(flatten, serialize_with = "words_and_data")]
    pub fix: Vec<Fix>,
}

/// `"fix": ["…"], "fixes": [{"kind": …}]`: the words front ends print, then the data.
fn words_and_data<S: serde::Serializer>(fixes: &[Fix], serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let words: Vec<String> = fixes.iter().map(Fix::to_string).collect();
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("fix", &words)?;
    map.serialize_entry("fixes", fixes)?;
    map.end()
}

/// Explains what STS would do with this call.
pub fn explain(inputs: &ExplainInputs<'_>) -> Verdict {
    let prechecks = precheck::run(&PrecheckInputs {
        token: inputs.token,
        claims: inputs.claims,
        providers: inputs.providers,
        role_arn: inputs.role_arn,
        session_name: inputs.session_name,
        now: inputs.now,
        signature: inputs.signature,
    });
    let issuer = inputs.claims.get("iss").and_then(Value::as_str);
    let role = Arn::parse(inputs.role_arn).ok();
    let partition = role.as_ref().map_or("aws", Arn::partition);
    let account = role.as_ref().map_or("", Arn::account);
    let provider = prechecks.provider.clone().unwrap_or_else(|| {
        // No provider matched: evaluate as if one existed for the issuer, to show the policy's part.
        Provider::new(partition, account, issuer.unwrap_or_default(), Vec::new())
    });
    let mut context = RequestContext::for_web_identity(WebIdentityInputs {
        claims: inputs.claims,
        provider: &provider,
        role_arn: inputs.role_arn,
        session_name: inputs.session_name,
        role_tags: inputs.role_tags,
        now: inputs.now,
        region: inputs.region,
    });
    for (key, value) in inputs.context_overrides {
        context.insert(key, value.clone());
    }
    let required_actions = required_actions(inputs.claims);
    let request = Request {
        principal: provider.arn.clone(),
        actions: required_actions.clone(),
    };
    let policy = engine::evaluate(inputs.policy, &context, &request);

    let failures: Vec<&Check> = prechecks
        .checks
        .iter()
        .filter(|check| check.status == CheckStatus::Failed)
        .collect();
    let (decision, advice) = match failures.as_slice() {
        [check, others @ ..] => {
            let audience = accepted_audience(inputs.claims, &provider.client_ids);
            let error = check
                .sts_error
                .clone()
                .unwrap_or_else(StsError::access_denied);
            let close_provider =
                issuer.and_then(|iss| precheck::close_provider(iss, inputs.providers));
            let mut advice = advice::for_rejection(
                check,
                &Rejection {
                    issuer,
                    audience: audience.as_deref(),
                    provider: &provider,
                    close_provider,
                    partition,
                    account,
                    served: inputs.signature.map_or(&[], |evidence| &evidence.served),
                },
            );
            if !others.is_empty() {
                let names: Vec<&str> = others.iter().map(|other| other.id.as_str()).collect();
                advice.why.push(format!(
                    "{} also fail{}; STS's order of checks is not documented, so it may report one of them first",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "" }
                ));
            }
            (Decision::Rejected { sts_error: error }, advice)
        }
        [] => {
            let decision = match &policy.decision {
                PolicyDecision::Allowed => Decision::Allowed,
                PolicyDecision::ExplicitDeny { .. } => Decision::Denied { explicit: true },
                PolicyDecision::ImplicitDeny { .. } => Decision::Denied { explicit: false },
                PolicyDecision::Conditional { branches } => Decision::Conditional {
                    branches: branches.clone(),
                },
            };
            (
                decision,
                advice::for_policy(&policy, &context, &provider.arn),
            )
        }
    };
    let Advice { why, fix } = advice;
    let sts_answer = match &decision {
        Decision::Allowed => format!("credentials for {} (the call succeeds)", inputs.role_arn),
        Decision::Denied { .. } => StsError::access_denied().to_string(),
        Decision::Rejected { sts_error } => sts_error.to_string(),
        Decision::Conditional { branches } => conditional_answer(inputs.role_arn, branches),
    };
    Verdict {
        role_arn: inputs.role_arn.to_owned(),
        decision,
        sts_answer,
        prechecks: prechecks.checks,
        required_actions,
        principal: provider.arn,
        context: context.entries().cloned().collect(),
        unknown_context: context.unknown_keys().cloned().collect(),
        policy,
        policy_findings: inputs
            .policy
            .findings
            .iter()
            .map(|PolicyFinding { message, .. }| message.clone())
            .collect(),
        why,
        fix,
    }
}

/// `sts:AssumeRoleWithWebIdentity`, plus `sts:TagSession` / `sts:SetSourceIdentity` when the
/// token carries session tags / a source identity (aws-web-identity.md §1.4).
pub fn required_actions(claims: &Map<String, Value>) -> Vec<&'static str> {
    let mut actions = vec![ASSUME_ACTION];
    if claims.contains_key(SESSION_TAGS_CLAIM) {
        actions.push(TAG_SESSION_ACTION);
    }
    if claims.contains_key(SOURCE_IDENTITY_CLAIM) {
        actions.push(SET_SOURCE_IDENTITY_ACTION);
    }
    actions
}
