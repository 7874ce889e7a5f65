//! What an STS error reply means, reconciled with the local verdict (aws-web-identity.md §2,
//! §8): AWS's words plus what to look at, and what the local evaluation adds.

use serde::Serialize;

use super::precheck::{CheckId, CheckStatus};
use super::verdict::{Decision, Verdict};

/// The explanation of an STS reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// One line: what the reply means.
    pub summary: String,
    /// Whether the local verdict predicted the reply.
    pub agrees_with_local: bool,
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
        explanations,
    }
}
