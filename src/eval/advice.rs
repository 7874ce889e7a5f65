//! The plain-language "why" of a verdict and, where the fix is mechanical, the fix.

use super::condition::{ConditionTrace, literal_wildcards};
use super::context::RequestContext;
use super::engine::{
    ASSUME_ACTION, PolicyDecision, PolicyTrace, SET_SOURCE_IDENTITY_ACTION, StatementTrace,
    TAG_SESSION_ACTION, conditional_text,
};
use super::fix::{Fix, HostThumbprint};
use super::precheck::{Check, CheckId, NO_VERIFICATION_KEY, THUMBPRINT_MISMATCH};
use crate::account::Provider;
use crate::platforms::Platform;
use crate::policy::{Operator, OperatorKind, SetQualifier};
use crate::token::tls::{HostTrust, ServedChain};

/// Why the verdict is what it is, and how to change it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advice {
    /// Reasons, most important first.
    pub why: Vec<String>,
    /// Fixes, when they are mechanical.
    pub fix: Vec<Fix>,
}

/// What the advice for a rejected call looks at besides the failed check.
#[derive(Debug, Clone, Copy)]
pub struct Rejection<'a> {
    /// The token's `iss`.
    pub issuer: Option<&'a str>,
    /// The token's audience as STS reads it (`azp`, else `aud`).
    pub audience: Option<&'a str>,
    /// The provider the issuer matched (or the one it would need, when none did).
    pub provider: &'a Provider,
    /// The account's provider whose URL nearly equals the issuer.
    pub close_provider: Option<&'a Provider>,
    /// The role's partition.
    pub partition: &'a str,
    /// The role's account.
    pub account: &'a str,
    /// The TLS chains the issuer's hosts served while its keys were fetched (none offline).
    pub served: &'a [ServedChain],
}

/// Advice for a call rejected by a pre-check.
pub fn for_rejection(check: &Check, inputs: &Rejection<'_>) -> Advice {
    let mut advice = Advice {
        why: vec![check.detail.clone()],
        fix: Vec::new(),
    };
    let fix = match check.id {
        CheckId::SessionName => Some(Fix::SessionNameRule),
        CheckId::TokenLength => Some(Fix::WholeToken),
        CheckId::Issuer => inputs.issuer.map(|iss| Fix::CreateProvider {
            url: iss.to_owned(),
            partition: inputs.partition.to_owned(),
            account: inputs.account.to_owned(),
            client_id: inputs.audience.map(str::to_owned),
            close_provider_arn: inputs.close_provider.map(|p| p.arn.clone()),
        }),
        CheckId::Audience => inputs.audience.map(|aud| Fix::AddClientId {
            provider_arn: inputs.provider.arn.clone(),
            client_id: aud.to_owned(),
        }),
        CheckId::Expiry => Some(Fix::FreshToken),
        CheckId::RequiredClaims => Some(Fix::IssuerClaims),
        CheckId::Algorithm => Some(Fix::SigningAlgorithm),
        CheckId::RolesClaim => Some(Fix::RolesClaimRole),
        CheckId::Signature => thumbprint_fix(check, inputs),
        // The identity provider's configuration holds the claim: nothing trustlens can edit.
        CheckId::Decodable | CheckId::SessionTags | CheckId::SourceIdentity => None,
    };
    advice.fix.extend(fix);
    let no_key = check.id == CheckId::Signature
        && check
            .sts_error
            .as_ref()
            .is_some_and(|e| e.message == NO_VERIFICATION_KEY);
    if no_key && !inputs.provider.is_built_in() && inputs.served.is_empty() {
        advice.why.push(tls_trust(inputs.provider));
    }
    advice
}

/// The thumbprints that make every private-CA host trusted, as one fix. IAM allows five: when
/// they would be more, the current ones go first that match no served chain, then those that
/// match a certificate other than a chain's top, and only then a top match — oldest first
/// within each.
fn thumbprint_fix(check: &Check, inputs: &Rejection<'_>) -> Option<Fix> {
    let mismatch = check
        .sts_error
        .as_ref()
        .is_some_and(|e| e.message == THUMBPRINT_MISMATCH);
    if !mismatch {
        return None;
    }
    thumbprints_fix(inputs.provider, inputs.served)
}

/// The fix that makes `provider` trust every private-CA chain of `served` whose top
/// intermediate CA it does not list (see [`thumbprint_fix`]); `None` when none needs it.
pub fn thumbprints_fix(provider: &Provider, served: &[ServedChain]) -> Option<Fix> {
    let current = &provider.thumbprints;
    let mut added: Vec<HostThumbprint> = Vec::new();
    for chain in served {
        if let HostTrust::Mismatch { top } = chain.trust(Some(current))
            && added.iter().all(|a| a.thumbprint != top)
        {
            added.push(HostThumbprint {
                host: chain.host.clone(),
                thumbprint: top,
            });
        }
    }
    if added.is_empty() {
        return None;
    }
    // 0: needed by no chain, 1: matches a certificate below a chain's top, 2: a chain's top.
    let need = |thumbprint: &String| {
        let same = |t: &String| t.eq_ignore_ascii_case(thumbprint);
        served
            .iter()
            .map(|chain| match chain.thumbprints.iter().position(same) {
                Some(at) if at + 1 == chain.thumbprints.len() => 2,
                Some(_) => 1,
                None => 0,
            })
            .max()
            .unwrap_or(0)
    };
    let over = (current.len() + added.len()).saturating_sub(MAX_THUMBPRINTS);
    let mut order: Vec<usize> = (0..current.len()).collect();
    order.sort_by_key(|&index| (need(&current[index]), index));
    let dropped_at: Vec<usize> = order.into_iter().take(over).collect();
    let dropped: Vec<String> = (0..current.len())
        .filter(|index| dropped_at.contains(index))
        .map(|index| current[index].clone())
        .collect();
    let mut list: Vec<String> = (0..current.len())
        .filter(|index| !dropped_at.contains(index))
        .map(|index| current[index].clone())
        .collect();
    list.extend(added.iter().map(|a| a.thumbprint.clone()));
    Some(Fix::AddThumbprint {
        provider_arn: provider.arn.clone(),
        added,
        dropped,
        list,
    })
}

/// Thumbprints an IAM OIDC provider holds at most (aws-web-identity.md §3.3).
const MAX_THUMBPRINTS: usize = 5;

/// What decides whether STS trusts the JWKS host's TLS certificate (aws-web-identity.md §3.3):
/// AWS's library of trusted CAs, else the provider's thumbprints. Used when trustlens did not
/// see the issuer's chains (keys from a file, or not fetched): it says which case would need
/// what instead of guessing. Seen chains are described by the signature check itself.
fn tls_trust(provider: &Provider) -> String {
    let host = provider.url.split('/').next().unwrap_or_default();
    let unseen = format!(
        "trustlens does not see the chain, so it cannot tell which case applies \
         (`openssl s_client -showcerts -connect {host}:443` shows it; the thumbprint is the SHA-1 \
         of the last certificate listed)"
    );
    match provider.thumbprints.as_slice() {
        [] => format!(
            "when the JWKS host's certificate is signed by a CA in AWS's trusted library, STS \
             needs no thumbprint; for a private CA (or when AWS cannot retrieve the certificate) \
             it falls back to the provider's thumbprints, and this provider has none; {unseen}"
        ),
        thumbprints => format!(
            "when the JWKS host's certificate is signed by a CA in AWS's trusted library, STS \
             ignores the provider's thumbprints ({}); for a private CA (or when AWS cannot \
             retrieve the certificate) one of them must be the SHA-1 of the top intermediate CA \
             of the JWKS host's chain; {unseen}",
            thumbprints.join(", ")
        ),
    }
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
        (PolicyDecision::Conditional { branches }, _) => {
            let mut keys: Vec<&str> = Vec::new();
            for assumption in branches.iter().flat_map(|b| b.when.iter().flatten()) {
                let key = trace
                    .statements
                    .iter()
                    .find(|s| s.index == assumption.statement)
                    .and_then(|s| s.conditions.get(assumption.condition))
                    .map(|c| c.key.as_str());
                if let Some(key) = key.filter(|key| !keys.contains(key)) {
                    keys.push(key);
                }
            }
            advice.why.push(format!(
                "the decision turns on {}, whose value only the real call has: {}",
                keys.join(" and "),
                conditional_text(branches)
            ));
        }
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
            advice.fix.push(Fix::TrustProvider {
                statement: statement.index,
                provider_arn: principal.to_owned(),
            });
        }
        (PolicyDecision::ImplicitDeny { missing_actions }, "action") => {
            action_advice(statement, missing_actions, &mut advice);
        }
        (_, _) => {
            if let Some(condition) = deciding.condition.and_then(|c| statement.conditions.get(c)) {
                condition_advice(statement.index, condition, context, &mut advice);
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
                advice.fix.push(Fix::AddAction {
                    statement: statement.index,
                    action: TAG_SESSION_ACTION.to_owned(),
                });
            }
            SET_SOURCE_IDENTITY_ACTION => {
                advice.why.push(
                    "the token sets a source identity, so STS also needs sts:SetSourceIdentity"
                        .to_owned(),
                );
                advice.fix.push(Fix::AddAction {
                    statement: statement.index,
                    action: SET_SOURCE_IDENTITY_ACTION.to_owned(),
                });
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
                let fix = match statement
                    .action_patterns
                    .iter()
                    .find(|p| p.eq_ignore_ascii_case("sts:AssumeRole"))
                {
                    Some(written) => Fix::ReplaceAction {
                        statement: statement.index,
                        from: written.clone(),
                        to: ASSUME_ACTION.to_owned(),
                    },
                    None => Fix::AddAction {
                        statement: statement.index,
                        action: ASSUME_ACTION.to_owned(),
                    },
                };
                advice.fix.push(fix);
            }
            _ => {}
        }
    }
}

fn condition_advice(
    statement: usize,
    condition: &ConditionTrace,
    context: &RequestContext,
    advice: &mut Advice,
) {
    let (operator, key) = (&condition.operator, &condition.key);
    let number = statement + 1;
    let before = advice.why.len();
    specific_condition_advice(statement, condition, context, advice);
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
    statement: usize,
    condition: &ConditionTrace,
    context: &RequestContext,
    advice: &mut Advice,
) {
    let (operator, key) = (&condition.operator, &condition.key);
    let at = condition.index;
    let set_value = |value: String, policy: &str| Fix::SetConditionValue {
        statement,
        condition: at,
        operator: operator.clone(),
        key: key.clone(),
        replaces: written_value(condition, policy),
        value,
    };
    if condition.context_values.is_none() {
        if context.claim_not_exposed(key)
            && let Some(why) = context.why_absent(key)
        {
            advice.why.push(format!("{key}: {why}"));
            let prefix = key
                .rsplit_once(':')
                .map_or(key.as_str(), |(prefix, _)| prefix);
            advice.fix.push(Fix::UseSubInstead {
                statement,
                condition: at,
                key: key.clone(),
                prefix: prefix.to_owned(),
            });
        }
        return;
    }
    if let Some(like) = Operator::parse(operator)
        .filter(|parsed| literal_wildcards(parsed.kind, &condition.policy_values))
        .and_then(|parsed| like_operator(&parsed))
    {
        advice.why.push(format!(
            "under {operator}, `*` and `?` in the policy value are ordinary characters, not wildcards"
        ));
        advice.fix.push(Fix::ChangeOperator {
            statement,
            condition: at,
            key: key.clone(),
            from: operator.clone(),
            to: like,
        });
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
        advice.fix.push(set_value(request.clone(), policy));
    } else if policy.trim_end_matches('/') == request.trim_end_matches('/') {
        advice
            .why
            .push("the values differ only by a trailing slash".to_owned());
        advice.fix.push(set_value(request.clone(), policy));
    } else if policy.contains(":ref_type:pr:") && request.contains(":ref_type:pull-request:") {
        advice.why.push(
            "Semaphore writes pull requests as ref_type:pull-request, not ref_type:pr".to_owned(),
        );
        advice.fix.push(set_value(
            policy.replace(":ref_type:pr:", ":ref_type:pull-request:"),
            policy,
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
        advice.fix.push(Fix::RunFromTrustedRef {
            statement,
            condition: at,
            platform: Platform::Semaphore,
            subject: request.clone(),
        });
    } else if request.ends_with(":pull_request") && policy.contains(":ref:") {
        advice.why.push("this job ran for a pull_request event; GitHub then sends `…:pull_request` in sub instead of the branch ref".to_owned());
        advice.fix.push(Fix::RunFromTrustedRef {
            statement,
            condition: at,
            platform: Platform::GitHubActions,
            subject: request.clone(),
        });
    } else if let Some(environment) = request.split(":environment:").nth(1)
        && policy.contains(":ref:")
    {
        advice.why.push(format!(
            "the job uses the GitHub environment \"{environment}\"; GitHub then puts `environment:{environment}` in sub instead of the ref"
        ));
        let repo = request.split(":environment:").next().unwrap_or_default();
        advice.fix.push(Fix::TrustEnvironment {
            statement,
            condition: at,
            subject: format!("{repo}:environment:{environment}"),
        });
    } else if request.contains(":ref_type:tag:") && policy.contains(":ref_type:branch:") {
        advice
            .why
            .push("this job ran for a tag, and the role trusts only branch jobs".to_owned());
    }
}

/// The Like operator that reads `*` and `?` as wildcards in place of an exact string operator,
/// keeping its set qualifier, negation and `IfExists` (`ForAnyValue:StringNotEqualsIfExists` →
/// `ForAnyValue:StringNotLikeIfExists`). There is no case-insensitive Like: `…IgnoreCase`
/// becomes case-sensitive.
fn like_operator(operator: &Operator) -> Option<String> {
    let like = match operator.kind {
        OperatorKind::StringEquals | OperatorKind::StringEqualsIgnoreCase => "StringLike",
        OperatorKind::StringNotEquals | OperatorKind::StringNotEqualsIgnoreCase => "StringNotLike",
        _ => return None,
    };
    let set = match operator.set {
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    };
    let if_exists = if operator.if_exists { "IfExists" } else { "" };
    Some(format!("{set}{like}{if_exists}"))
}

/// The policy value as written whose substituted text is `resolved` (the text itself when no
/// value resolves to it).
fn written_value(condition: &ConditionTrace, resolved: &str) -> String {
    let position = match &condition.resolved_values {
        Some(values) => values.iter().position(|v| v.as_deref() == Some(resolved)),
        None => condition.policy_values.iter().position(|v| v == resolved),
    };
    position
        .and_then(|index| condition.policy_values.get(index))
        .map_or_else(|| resolved.to_owned(), Clone::clone)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::eval::verdict::{ExplainInputs, Verdict, explain};
    use crate::policy;

    /// Claims, statements, the fixes expected and their words.
    type Case = (Value, Vec<Value>, Vec<Fix>, Vec<String>);

    const NOW: i64 = 1_800_000_000;
    const GITHUB: &str = "token.actions.githubusercontent.com";
    const GITHUB_ARN: &str =
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

    fn claims(iss: &str, sub: &str, extra: Value) -> Value {
        let mut claims = json!({"iss": iss, "sub": sub, "aud": "sts.amazonaws.com",
                                "iat": NOW - 60, "exp": NOW + 240});
        if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
            claims.extend(extra);
        }
        claims
    }

    /// The signature pre-check failed with STS's `message`.
    fn failed_signature(message: &str) -> Check {
        Check {
            id: CheckId::Signature,
            status: crate::eval::CheckStatus::Failed,
            detail: "failed".to_owned(),
            sts_error: Some(crate::eval::StsError {
                code: "InvalidIdentityToken",
                message: message.to_owned(),
                wording: crate::eval::Wording::Documented,
            }),
        }
    }

    #[test]
    fn a_missing_verification_key_says_what_the_tls_chain_would_need() {
        let check = failed_signature(NO_VERIFICATION_KEY);
        let mut provider = Provider::new("aws", "123456789012", "gitlab.example.com/ci", vec![]);
        let rejection = |provider: &Provider| {
            for_rejection(
                &check,
                &Rejection {
                    issuer: Some("https://gitlab.example.com/ci"),
                    audience: None,
                    provider,
                    close_provider: None,
                    partition: "aws",
                    account: "123456789012",
                    served: &[],
                },
            )
            .why
        };
        let none = rejection(&provider);
        assert!(
            none.iter().any(|w| w.contains("this provider has none")
                && w.contains("openssl s_client -showcerts -connect gitlab.example.com:443")),
            "{none:?}"
        );
        provider.thumbprints = vec!["9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned()];
        let listed = rejection(&provider);
        assert!(
            listed.iter().any(|w| w.contains(
                "ignores the provider's thumbprints (9e99a48a9960b14926bb7f3b02e22da2b0ab7280)"
            ) && w.contains("cannot tell which case applies")),
            "{listed:?}"
        );
    }

    /// aws-web-identity.md §3.3: a provider holds at most five thumbprints and
    /// `UpdateOpenIDConnectProviderThumbprint` replaces the list, so the fix keeps the newest
    /// four and adds the top intermediate CA's.
    #[test]
    fn a_thumbprint_mismatch_fixes_the_whole_list_within_five_keeping_what_matches() {
        let check = failed_signature(THUMBPRINT_MISMATCH);
        let mut provider = Provider::new("aws", "123456789012", "idp.example", vec![]);
        provider.thumbprints = (1..=5).map(|n| n.to_string().repeat(40)).collect();
        let private = |host: &str, thumbprints: [String; 2]| ServedChain {
            host: host.to_owned(),
            trusted: false,
            locally_trusted: false,
            thumbprints: thumbprints.to_vec(),
        };
        // The discovery host serves 2 (its own certificate) under 1 (its top intermediate CA);
        // the JWKS host matches none. 1 and 2 stay, 3 (the oldest no chain needs) makes room.
        let served = [
            private("idp.example", ["2".repeat(40), "1".repeat(40)]),
            private("keys.idp.example", ["b".repeat(40), "f".repeat(40)]),
        ];
        let advice = for_rejection(
            &check,
            &Rejection {
                issuer: Some("https://idp.example"),
                audience: None,
                provider: &provider,
                close_provider: None,
                partition: "aws",
                account: "123456789012",
                served: &served,
            },
        );
        let list: Vec<String> = [1, 2, 4, 5]
            .iter()
            .map(|n| n.to_string().repeat(40))
            .chain(["f".repeat(40)])
            .collect();
        assert_eq!(
            advice.fix,
            vec![Fix::AddThumbprint {
                provider_arn: provider.arn.clone(),
                added: vec![HostThumbprint {
                    host: "keys.idp.example".to_owned(),
                    thumbprint: "f".repeat(40),
                }],
                dropped: vec!["3".repeat(40)],
                list,
            }]
        );
        assert!(
            advice.fix[0].to_string().contains(&format!(
                "dropping {} (IAM allows at most five",
                "3".repeat(40)
            )),
            "{}",
            advice.fix[0]
        );
        assert!(
            !advice.why.iter().any(|w| w.contains("cannot tell")),
            "the chain was seen: {:?}",
            advice.why
        );
    }

    fn github(sub: &str) -> Value {
        claims(&format!("https://{GITHUB}"), sub, json!({}))
    }

    fn allow(condition: Value) -> Value {
        json!({"Effect": "Allow", "Principal": {"Federated": GITHUB_ARN},
               "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
    }

    fn run(claims: &Value, statements: &[Value], providers: &[Provider], session: &str) -> Verdict {
        let document =
            policy::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())
                .unwrap();
        explain(&ExplainInputs {
            token: None,
            claims: claims.as_object().unwrap(),
            policy: &document,
            providers,
            role_arn: ROLE,
            session_name: session,
            role_tags: &[],
            context_overrides: &[],
            region: None,
            now: NOW,
            signature: None,
        })
    }

    fn providers() -> Vec<Provider> {
        vec![Provider::new(
            "aws",
            "123456789012",
            GITHUB,
            vec!["sts.amazonaws.com".to_owned()],
        )]
    }

    /// The fixes of one call, each with its words.
    fn fixes(claims: &Value, statements: &[Value]) -> Vec<(Fix, String)> {
        let verdict = run(claims, statements, &providers(), "ci");
        verdict
            .fix
            .into_iter()
            .map(|fix| {
                let words = fix.to_string();
                (fix, words)
            })
            .collect()
    }

    #[test]
    fn condition_fixes_name_the_statement_condition_and_values() {
        let main = "repo:octo/web:ref:refs/heads/main";
        let sub_key = format!("{GITHUB}:sub");
        let cases: Vec<(Value, Vec<Value>, Fix, &str)> = vec![
            (
                github(main),
                vec![allow(
                    json!({"StringEquals": {(sub_key.clone()): "repo:Octo/web:ref:refs/heads/main"}}),
                )],
                Fix::SetConditionValue {
                    statement: 0,
                    condition: 0,
                    operator: "StringEquals".into(),
                    key: sub_key.clone(),
                    replaces: "repo:Octo/web:ref:refs/heads/main".into(),
                    value: main.into(),
                },
                "write \"repo:octo/web:ref:refs/heads/main\" in the policy",
            ),
            (
                github(main),
                vec![allow(
                    json!({"StringEquals": {(sub_key.clone()): "repo:octo/web:*"}}),
                )],
                Fix::ChangeOperator {
                    statement: 0,
                    condition: 0,
                    key: sub_key.clone(),
                    from: "StringEquals".into(),
                    to: "StringLike".into(),
                },
                "change StringEquals to StringLike: under StringEquals `*` and `?` are ordinary characters",
            ),
            (
                github("repo:octo/web:pull_request"),
                vec![allow(json!({"StringEquals": {(sub_key.clone()): main}}))],
                Fix::RunFromTrustedRef {
                    statement: 0,
                    condition: 0,
                    platform: Platform::GitHubActions,
                    subject: "repo:octo/web:pull_request".into(),
                },
                "run from the trusted branch, or (caution: lets unreviewed PR code in) add a separate role trusting `…:pull_request`",
            ),
            (
                github("repo:octo/web:environment:prod"),
                vec![allow(json!({"StringEquals": {(sub_key.clone()): main}}))],
                Fix::TrustEnvironment {
                    statement: 0,
                    condition: 0,
                    subject: "repo:octo/web:environment:prod".into(),
                },
                "trust \"repo:octo/web:environment:prod\" (and protect that environment)",
            ),
            (
                claims(&format!("https://{GITHUB}"), main, json!({"run_id": "42"})),
                vec![allow(json!({
                    "StringEquals": {(sub_key.clone()): main, (format!("{GITHUB}:run_id")): "42"}
                }))],
                Fix::UseSubInstead {
                    statement: 0,
                    condition: 1,
                    key: format!("{GITHUB}:run_id"),
                    prefix: GITHUB.into(),
                },
                "AWS cannot test this claim; express the restriction through `token.actions.githubusercontent.com:sub` (StringLike on its pattern) instead",
            ),
        ];
        for (claims, statements, fix, words) in cases {
            assert_eq!(fixes(&claims, &statements), vec![(fix, words.to_owned())]);
        }
    }

    #[test]
    fn semaphore_fixes_know_its_pull_request_spelling() {
        let iss = "https://acme.semaphoreci.com";
        let arn = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
        let key = "acme.semaphoreci.com:sub";
        let pr = "org:acme:project:p1:repo:web:ref_type:pull-request:ref:refs/pull/42/merge";
        let providers = vec![Provider::new(
            "aws",
            "123456789012",
            iss,
            vec![iss.to_owned()],
        )];
        let mut claims = claims(iss, pr, json!({}));
        claims["aud"] = json!(iss);
        let statement = |value: &str| {
            json!({"Effect": "Allow", "Principal": {"Federated": arn},
                   "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {(key): value}}})
        };
        let verdict = run(
            &claims,
            &[statement("org:acme:project:p1:repo:web:ref_type:pr:ref:*")],
            &providers,
            "ci",
        );
        assert_eq!(
            verdict.fix,
            vec![Fix::SetConditionValue {
                statement: 0,
                condition: 0,
                operator: "StringLike".into(),
                key: key.into(),
                replaces: "org:acme:project:p1:repo:web:ref_type:pr:ref:*".into(),
                value: "org:acme:project:p1:repo:web:ref_type:pull-request:ref:*".into(),
            }]
        );
        let verdict = run(
            &claims,
            &[statement(
                "org:acme:project:p1:repo:web:ref_type:branch:ref:refs/heads/main",
            )],
            &providers,
            "ci",
        );
        assert_eq!(
            verdict.fix,
            vec![Fix::RunFromTrustedRef {
                statement: 0,
                condition: 0,
                platform: Platform::Semaphore,
                subject: pr.into(),
            }]
        );
        assert!(
            verdict.fix[0]
                .to_string()
                .ends_with("a separate, less privileged role for PR jobs")
        );
    }

    #[test]
    fn principal_and_action_fixes_name_the_statement() {
        let main = "repo:octo/web:ref:refs/heads/main";
        let other = json!({"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
            "Action": "sts:AssumeRoleWithWebIdentity"});
        let with_action = |action: &str| json!({"Effect": "Allow", "Principal": {"Federated": GITHUB_ARN}, "Action": action});
        let tagged = claims(
            &format!("https://{GITHUB}"),
            main,
            json!({"https://aws.amazon.com/tags": {"principal_tags": {"env": ["prod"]}},
                   "https://aws.amazon.com/source_identity": "octocat"}),
        );
        let cases: Vec<Case> = vec![
            (
                github(main),
                vec![other],
                vec![Fix::TrustProvider {
                    statement: 0,
                    provider_arn: GITHUB_ARN.into(),
                }],
                vec![format!(
                    "trust it: \"Principal\": {{\"Federated\": \"{GITHUB_ARN}\"}}"
                )],
            ),
            (
                github(main),
                vec![with_action("sts:AssumeRole")],
                vec![Fix::ReplaceAction {
                    statement: 0,
                    from: "sts:AssumeRole".into(),
                    to: "sts:AssumeRoleWithWebIdentity".into(),
                }],
                vec!["sts:AssumeRole is for IAM principals; web identities need \"sts:AssumeRoleWithWebIdentity\"".into()],
            ),
            (
                github(main),
                vec![with_action("sts:TagSession")],
                vec![Fix::AddAction {
                    statement: 0,
                    action: "sts:AssumeRoleWithWebIdentity".into(),
                }],
                vec!["add \"sts:AssumeRoleWithWebIdentity\" to the Action of statement 1".into()],
            ),
            (
                tagged,
                vec![with_action("sts:AssumeRoleWithWebIdentity")],
                vec![
                    Fix::AddAction {
                        statement: 0,
                        action: "sts:TagSession".into(),
                    },
                    Fix::AddAction {
                        statement: 0,
                        action: "sts:SetSourceIdentity".into(),
                    },
                ],
                vec![
                    "add \"sts:TagSession\" to the Action of statement 1".into(),
                    "add \"sts:SetSourceIdentity\" to the Action of statement 1".into(),
                ],
            ),
        ];
        for (claims, statements, want, words) in cases {
            let got = fixes(&claims, &statements);
            let (got, got_words): (Vec<Fix>, Vec<String>) = got.into_iter().unzip();
            assert_eq!((got, got_words), (want, words));
        }
    }

    #[test]
    fn rejection_fixes_carry_the_provider_or_account_to_change() {
        let main = "repo:octo/web:ref:refs/heads/main";
        let ok = [allow(json!({}))];
        let fix_of = |claims: &Value, providers: &[Provider], session: &str| {
            run(claims, &ok, providers, session).fix
        };
        let mut wrong_audience = github(main);
        wrong_audience["aud"] = json!("my-app");
        assert_eq!(
            fix_of(&wrong_audience, &providers(), "ci"),
            vec![Fix::AddClientId {
                provider_arn: GITHUB_ARN.into(),
                client_id: "my-app".into(),
            }]
        );
        let create = Fix::CreateProvider {
            url: format!("https://{GITHUB}"),
            partition: "aws".into(),
            account: "123456789012".into(),
            client_id: Some("sts.amazonaws.com".into()),
            close_provider_arn: None,
        };
        assert_eq!(fix_of(&github(main), &[], "ci"), vec![create.clone()]);
        assert_eq!(
            create.to_string(),
            "create an IAM OIDC provider with URL https://token.actions.githubusercontent.com in the role's account (same account as the role)"
        );
        let slash = vec![Provider::new(
            "aws",
            "123456789012",
            &format!("{GITHUB}/"),
            vec!["sts.amazonaws.com".to_owned()],
        )];
        let close = fix_of(&github(main), &slash, "ci");
        assert_eq!(
            close,
            vec![Fix::CreateProvider {
                url: format!("https://{GITHUB}"),
                partition: "aws".into(),
                account: "123456789012".into(),
                client_id: Some("sts.amazonaws.com".into()),
                close_provider_arn: Some(format!("{GITHUB_ARN}/")),
            }]
        );
        assert_eq!(
            close[0].to_string(),
            "register the provider with exactly https://token.actions.githubusercontent.com (or fix the issuer), then trust it in the role"
        );
        assert_eq!(
            fix_of(&github(main), &providers(), "x"),
            vec![Fix::SessionNameRule]
        );
        let mut expired = github(main);
        expired["exp"] = json!(NOW - 3600);
        assert_eq!(fix_of(&expired, &providers(), "ci"), vec![Fix::FreshToken]);
        let mut no_sub = github(main);
        no_sub.as_object_mut().unwrap().remove("sub");
        assert_eq!(fix_of(&no_sub, &providers(), "ci"), vec![Fix::IssuerClaims]);
        let mut roles = github(main);
        roles["https://aws.amazon.com/roles"] = json!(["arn:aws:iam::123456789012:role/other"]);
        assert_eq!(
            fix_of(&roles, &providers(), "ci"),
            vec![Fix::RolesClaimRole]
        );
    }

    #[test]
    fn the_like_operator_keeps_negation_qualifier_and_if_exists() {
        let like = |raw: &str| Operator::parse(raw).and_then(|op| like_operator(&op));
        assert_eq!(like("StringEquals").as_deref(), Some("StringLike"));
        assert_eq!(like("StringNotEquals").as_deref(), Some("StringNotLike"));
        assert_eq!(
            like("StringEqualsIgnoreCase").as_deref(),
            Some("StringLike")
        );
        assert_eq!(
            like("ForAnyValue:StringEqualsIfExists").as_deref(),
            Some("ForAnyValue:StringLikeIfExists")
        );
        assert_eq!(
            like("ForAllValues:StringNotEqualsIgnoreCase").as_deref(),
            Some("ForAllValues:StringNotLike")
        );
        assert_eq!(like("StringLike"), None);

        let sub_key = format!("{GITHUB}:sub");
        let verdict = run(
            &github("repo:octo/*"),
            &[allow(
                json!({"StringNotEquals": {(sub_key.clone()): "repo:octo/*"}}),
            )],
            &providers(),
            "ci",
        );
        assert_eq!(
            verdict.fix,
            vec![Fix::ChangeOperator {
                statement: 0,
                condition: 0,
                key: sub_key,
                from: "StringNotEquals".into(),
                to: "StringNotLike".into(),
            }]
        );
    }

    #[test]
    fn token_fixes_ask_for_the_whole_token_and_a_supported_algorithm() {
        use base64::Engine as _;
        let encode = |value: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
        };
        let fix_for = |header: Value, claims: &Value| {
            let raw = format!("{}.{}.c2ln", encode(&header), encode(claims));
            let token = crate::token::Token::decode(&raw).unwrap();
            let document = policy::parse(
                &json!({"Version": "2012-10-17", "Statement": [allow(json!({}))]}).to_string(),
            )
            .unwrap();
            explain(&ExplainInputs {
                token: Some(&token),
                claims: token.claims(),
                policy: &document,
                providers: &providers(),
                role_arn: ROLE,
                session_name: "ci",
                role_tags: &[],
                context_overrides: &[],
                region: None,
                now: NOW,
                signature: None,
            })
            .fix
        };
        let main = github("repo:octo/web:ref:refs/heads/main");
        assert_eq!(
            fix_for(json!({"alg": "HS256", "typ": "JWT"}), &main),
            vec![Fix::SigningAlgorithm]
        );
        let mut long = main.clone();
        long["padding"] = json!("x".repeat(20_000));
        assert_eq!(
            fix_for(json!({"alg": "RS256", "typ": "JWT"}), &long),
            vec![Fix::WholeToken]
        );
    }

    /// The data is ready to apply: it names the statement and condition the trace says decided.
    #[test]
    fn fixes_name_the_statement_and_condition_the_trace_names_as_deciding() {
        let main = "repo:octo/web:ref:refs/heads/main";
        let sub_key = format!("{GITHUB}:sub");
        let statements = vec![
            json!({"Effect": "Allow", "Principal": {"Federated": GITHUB_ARN},
                   "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"aws:RequestTag/team": "web"}}}),
            allow(json!({
                "StringEquals": {(format!("{GITHUB}:aud")): "sts.amazonaws.com",
                                 (sub_key.clone()): ["repo:octo/api:ref:refs/heads/main",
                                                     "repo:octo/web:ref:refs/heads/main/"]}
            })),
        ];
        let verdict = run(&github(main), &statements, &providers(), "ci");
        let deciding = verdict.policy.deciding.clone().unwrap();
        let [
            Fix::SetConditionValue {
                statement,
                condition,
                key,
                replaces,
                ..
            },
        ] = verdict.fix.as_slice()
        else {
            panic!("one SetConditionValue expected: {:?}", verdict.fix);
        };
        assert_eq!(deciding.statement, 1, "the closer statement decides");
        assert_eq!(
            (*statement, Some(*condition)),
            (deciding.statement, deciding.condition)
        );
        let trace = &verdict.policy.statements[*statement].conditions[*condition];
        assert_eq!(
            (&trace.key, replaces),
            (key, &"repo:octo/web:ref:refs/heads/main/".to_owned())
        );
        assert!(trace.policy_values.contains(replaces));
    }
}
