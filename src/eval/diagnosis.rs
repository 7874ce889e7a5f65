//! What an STS error reply means, reconciled with the local verdict (aws-web-identity.md §2,
//! §8): AWS's words plus what to look at, and what the local evaluation adds.

use serde::Serialize;

use serde_json::{Map, Value};

use super::context::audience_candidates;
use super::precheck::{CheckId, CheckStatus};
use super::verdict::{Decision, Verdict};

/// The explanation of an STS reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// One line: what the reply means.
    pub summary: String,
    /// Whether the local verdict predicted the reply.
    pub agrees_with_local: bool,
    /// Whether there was a local verdict at all (the role could be read).
    pub local_verdict: bool,
    /// Causes to check, most likely first.
    pub explanations: Vec<String>,
}

/// Diagnoses the reply `code: message` to the call `verdict` explains (`None` when the role
/// could not be read, so there is no local verdict to reconcile with).
pub fn diagnose(code: &str, message: &str, verdict: Option<&Verdict>) -> Diagnosis {
    let checks = verdict.map_or(&[][..], |v| v.prechecks.as_slice());
    let decision = verdict.map(|v| &v.decision);
    let check = |id: CheckId| checks.iter().find(|c| c.id == id);
    // A local check's finding when it failed; else why AWS may see what this machine did not.
    let local_view = |id: CheckId, otherwise: &str| match check(id) {
        Some(c) if c.status == CheckStatus::Failed => c.detail.clone(),
        _ => otherwise.to_owned(),
    };
    let locally_rejected_by =
        |id: CheckId| check(id).is_some_and(|c| c.status == CheckStatus::Failed);
    let mut explanations = Vec::new();
    let (summary, agrees) = match code {
        "AccessDenied" => {
            let local_denies = matches!(decision, Some(Decision::Denied { .. }));
            if let (true, Some(verdict)) = (local_denies, verdict) {
                explanations.extend(verdict.why.iter().cloned());
                explanations.extend(verdict.fix.iter().map(|fix| format!("fix: {fix}")));
            } else {
                explanations.extend([
                    "the trust policy or the provider changed moments ago: IAM is eventually consistent, retry in a minute".to_owned(),
                    "an organization resource control policy (RCP) or SCP denies sts:AssumeRoleWithWebIdentity".to_owned(),
                    "the role ARN names another account, or a role that does not exist (STS answers AccessDenied for both)".to_owned(),
                    "the account's copy of the trust policy differs from the one evaluated here (re-read it, or use a fresh snapshot)".to_owned(),
                ]);
            }
            (
                "the trust policy did not allow the call".to_owned(),
                local_denies,
            )
        }
        "InvalidIdentityToken" if message.contains("No OpenIDConnect provider found") => {
            explanations.push(local_view(
                CheckId::Issuer,
                "locally the issuer matches a provider: the role ARN may name another account, or the provider was deleted since the account was read",
            ));
            explanations.push(
                "create the IAM OIDC provider with the token's exact iss, in the role's account"
                    .to_owned(),
            );
            (
                "no IAM OIDC provider in the role's account has the token's issuer as its URL"
                    .to_owned(),
                locally_rejected_by(CheckId::Issuer),
            )
        }
        "InvalidIdentityToken" if message.contains("Incorrect token audience") => {
            explanations.push(local_view(
                CheckId::Audience,
                "locally the audience is a client ID: the provider's client IDs may have changed since the account was read, or the role is in another account",
            ));
            explanations.push("add the token's audience to the provider's client IDs, or have the job request a listed audience".to_owned());
            (
                "the token's audience (azp, else aud) is not a client ID of the provider"
                    .to_owned(),
                locally_rejected_by(CheckId::Audience),
            )
        }
        "InvalidIdentityToken" if message.contains("Missing a required claim") => {
            explanations.push(local_view(
                CheckId::RequiredClaims,
                "locally every required claim is present: compare the token sent with the one checked",
            ));
            (
                "the token lacks a claim STS requires".to_owned(),
                locally_rejected_by(CheckId::RequiredClaims)
                    || locally_rejected_by(CheckId::Audience),
            )
        }
        "InvalidIdentityToken" if message.contains("Couldn't retrieve verification key") => {
            explanations.extend([
                "the issuer's /.well-known/openid-configuration or its jwks_uri is not publicly reachable over HTTPS (firewall, allow-list, private network)".to_owned(),
                "the issuer answered slower than about 5 seconds, or rate-limited STS".to_owned(),
                "the token's kid is not in the JWKS, keys lack kid/alg, or the JWKS holds over 100 keys of a type".to_owned(),
                "a private-CA issuer whose thumbprint in IAM is stale".to_owned(),
            ]);
            (
                "STS could not fetch the issuer's signing keys".to_owned(),
                false,
            )
        }
        "InvalidIdentityToken" if message.contains("thumbprint") => {
            explanations.push("the issuer's certificate changed: update the provider's thumbprints (only private-CA issuers still need them)".to_owned());
            (
                "the issuer's HTTPS certificate does not match the provider's thumbprints"
                    .to_owned(),
                false,
            )
        }
        "InvalidIdentityToken" => {
            explanations.extend(
                checks
                    .iter()
                    .filter(|c| c.status == CheckStatus::Failed)
                    .map(|c| c.detail.clone()),
            );
            explanations.push(
                "the signature, algorithm, a roles claim, or a malformed claim can cause this too"
                    .to_owned(),
            );
            let local = matches!(decision, Some(Decision::Rejected { .. }));
            ("STS could not validate the token".to_owned(), local)
        }
        "ExpiredTokenException" => {
            explanations.push(local_view(
                CheckId::Expiry,
                "locally the token is still valid: this machine's clock and AWS's differ, or the token sent is older than the one checked",
            ));
            explanations.push("the job reused a cached token, or a clock is off by more than 5 minutes: request a fresh token right before the call".to_owned());
            (
                "the token expired (STS allows 5 minutes of clock skew)".to_owned(),
                locally_rejected_by(CheckId::Expiry),
            )
        }
        "IDPCommunicationError" => {
            explanations.push(
                "a transient failure reaching the identity provider: retry a few times".to_owned(),
            );
            (
                "STS could not reach the identity provider".to_owned(),
                false,
            )
        }
        "IDPRejectedClaim" => {
            explanations.push(
                "for OAuth access tokens (Amazon, Facebook) the provider rejected the token"
                    .to_owned(),
            );
            ("the identity provider rejected the token".to_owned(), false)
        }
        "ValidationError" if message.contains("DurationSeconds") => {
            explanations.push("ask for at most the role's MaxSessionDuration (trustlens roles --json shows it), or raise it".to_owned());
            (
                "the requested session is longer than the role allows".to_owned(),
                false,
            )
        }
        "ValidationError" => {
            for id in [CheckId::SessionName, CheckId::TokenLength] {
                if locally_rejected_by(id) {
                    explanations.push(local_view(id, ""));
                }
            }
            (
                "a parameter breaks STS's constraints".to_owned(),
                locally_rejected_by(CheckId::SessionName)
                    || locally_rejected_by(CheckId::TokenLength),
            )
        }
        "RegionDisabledException" => {
            explanations.push("activate STS in this region (IAM console, Account settings), or call another region's endpoint".to_owned());
            (
                "STS is not activated in this region for the account".to_owned(),
                false,
            )
        }
        "PackedPolicyTooLarge" => {
            explanations.push("the token's session tags (and any session policy) are too large once packed: send fewer or shorter tags".to_owned());
            (
                "session tags and policies exceed the packed size limit".to_owned(),
                false,
            )
        }
        "MalformedPolicyDocument" => {
            explanations.push(
                "the session policy passed with the call is not valid JSON or grammar".to_owned(),
            );
            ("the session policy is malformed".to_owned(), false)
        }
        "Throttling" | "ThrottlingException" => {
            explanations.push("too many calls: back off and retry".to_owned());
            ("STS throttled the call".to_owned(), false)
        }
        "InternalFailure" => {
            explanations.push("observed for tokens whose sub is null".to_owned());
            (
                "STS failed internally".to_owned(),
                locally_rejected_by(CheckId::RequiredClaims),
            )
        }
        _ => ("an error trustlens has no diagnosis for".to_owned(), false),
    };
    explanations.retain(|text| !text.is_empty());
    Diagnosis {
        summary,
        agrees_with_local: agrees,
        local_verdict: verdict.is_some(),
        explanations,
    }
}

/// What the token alone tells about the job, for a refusal without a local verdict: who issued
/// it, for whom, and the kind of run its `sub` reveals (a pull request, a tag, an environment).
pub fn token_facts(claims: &Map<String, Value>) -> Vec<String> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let mut facts = Vec::new();
    if let Some(iss) = text("iss") {
        let platform = crate::platforms::detect(iss)
            .map(|p| format!(" ({})", p.name()))
            .unwrap_or_default();
        facts.push(format!("the token was issued by {iss}{platform}"));
    }
    let audiences = audience_candidates(claims);
    if !audiences.is_empty() {
        facts.push(format!(
            "its audience is {}: the provider must list it as a client ID",
            audiences.join(", ")
        ));
    }
    let Some(sub) = text("sub") else {
        return facts;
    };
    facts.push(format!("its subject is {sub}"));
    if let Some(number) = sub
        .split_once(":ref_type:pull-request:")
        .and_then(|(_, rest)| rest.split("refs/pull/").nth(1))
        .and_then(|rest| rest.split('/').next())
    {
        facts.push(format!(
            "this job ran for pull request #{number}: a role that trusts only branch jobs refuses it"
        ));
    } else if sub.ends_with(":pull_request") {
        facts.push(
            "this job ran for a pull_request event: a role that trusts only branch refs refuses it"
                .to_owned(),
        );
    } else if let Some(environment) = sub.split(":environment:").nth(1) {
        facts.push(format!(
            "this job uses the environment \"{environment}\": its sub carries the environment, not the branch"
        ));
    } else if sub.contains(":ref_type:tag:") || sub.contains(":ref:refs/tags/") {
        facts
            .push("this job ran for a tag: a role that trusts only branches refuses it".to_owned());
    }
    facts
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn without_a_local_verdict_the_token_still_tells_the_kind_of_job() {
        let pr = claims(json!({
            "iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
            "sub": "org:acme:project:p:repo:web:ref_type:pull-request:ref:refs/pull/42/merge",
        }));
        let facts = token_facts(&pr);
        assert_eq!(
            facts[0],
            "the token was issued by https://acme.semaphoreci.com (Semaphore)"
        );
        assert!(
            facts
                .iter()
                .any(|f| f.starts_with("this job ran for pull request #42"))
        );
        let environment = claims(json!({"sub": "repo:octo-org/octo-repo:environment:prod"}));
        assert!(
            token_facts(&environment)
                .iter()
                .any(|f| f.contains("environment \"prod\""))
        );
        assert!(token_facts(&Map::new()).is_empty());
    }

    #[test]
    fn a_diagnosis_says_whether_there_was_a_local_verdict() {
        let without = diagnose("AccessDenied", "Not authorized", None);
        assert!(!without.local_verdict && !without.agrees_with_local);
    }
}
