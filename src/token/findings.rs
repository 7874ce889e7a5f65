//! Properties of a decoded token that decide what STS does with it before reading any
//! trust policy. Every check cites the STS rule it mirrors (aws-web-identity.md §1–§3).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::Token;
use super::rules::{
    ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS, MAX_TOKEN_CHARS, REQUIRED_CLAIMS, ROLES_CLAIM,
    SESSION_TAGS_CLAIM, SOURCE_IDENTITY_CLAIM, roles_claim_arns, session_tag_problems,
    source_identity_problem,
};
use super::times::{TimeClaim, human_duration, utc};
use crate::json::kind_of;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// STS rejects the token.
    Error,
    /// STS may reject it, or roles need something extra.
    Warning,
    /// Worth knowing; STS accepts it.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// Stable names of the findings (the `code` field of `--json` output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// Longer than STS's 20,000-character limit.
    TooLong,
    /// No `alg` in the header.
    AlgMissing,
    /// `alg` is not RS256/384/512 or ES256/384/512.
    AlgUnsupported,
    /// No `kid` in the header.
    KidMissing,
    /// A required claim is absent.
    ClaimMissing,
    /// A claim has a type STS cannot use.
    ClaimInvalid,
    /// `sub` is JSON null.
    SubNull,
    /// `exp` has passed.
    Expired,
    /// `iat` or `nbf` lies in the future.
    NotYetValid,
    /// A time claim written with a fraction.
    TimestampFractional,
    /// A time claim written as a string of digits.
    TimestampString,
    /// A time claim of another type.
    TimestampInvalid,
    /// Several audiences and no `azp`.
    AudMultiple,
    /// `azp` present: it is the audience STS checks.
    AzpPresent,
    /// `iss` is not an `https://` URL.
    IssNotHttps,
    /// `iss` ends with `/`.
    IssTrailingSlash,
    /// The token carries session tags.
    SessionTags,
    /// The session tags claim breaks STS's rules.
    SessionTagsInvalid,
    /// The token carries a source identity.
    SourceIdentity,
    /// The source identity breaks STS's rules.
    SourceIdentityInvalid,
    /// The token names the roles it may assume.
    RolesClaim,
    /// A member name appears more than once.
    DuplicateMember,
}

impl FindingCode {
    /// The kebab-case name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::TooLong => "too-long",
            FindingCode::AlgMissing => "alg-missing",
            FindingCode::AlgUnsupported => "alg-unsupported",
            FindingCode::KidMissing => "kid-missing",
            FindingCode::ClaimMissing => "claim-missing",
            FindingCode::ClaimInvalid => "claim-invalid",
            FindingCode::SubNull => "sub-null",
            FindingCode::Expired => "expired",
            FindingCode::NotYetValid => "not-yet-valid",
            FindingCode::TimestampFractional => "timestamp-fractional",
            FindingCode::TimestampString => "timestamp-string",
            FindingCode::TimestampInvalid => "timestamp-invalid",
            FindingCode::AudMultiple => "aud-multiple",
            FindingCode::AzpPresent => "azp-present",
            FindingCode::IssNotHttps => "iss-not-https",
            FindingCode::IssTrailingSlash => "iss-trailing-slash",
            FindingCode::SessionTags => "session-tags",
            FindingCode::SessionTagsInvalid => "session-tags-invalid",
            FindingCode::SourceIdentity => "source-identity",
            FindingCode::SourceIdentityInvalid => "source-identity-invalid",
            FindingCode::RolesClaim => "roles-claim",
            FindingCode::DuplicateMember => "duplicate-member",
        }
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing STS will notice about the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of finding.
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// One or two sentences for a person.
    pub message: String,
}

impl Finding {
    fn new(code: FindingCode, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
        }
    }
}

/// Every finding for `token` at time `now` (epoch seconds), in STS's order of checks.
pub fn check(token: &Token, now: i64) -> Vec<Finding> {
    let mut findings = Vec::new();
    check_length(token, &mut findings);
    check_header(token, &mut findings);
    check_required_claims(token, &mut findings);
    check_times(token, now, &mut findings);
    check_audience(token, &mut findings);
    check_issuer(token, &mut findings);
    check_subject(token, &mut findings);
    check_session_tags(token, &mut findings);
    check_source_identity(token, &mut findings);
    check_roles_claim(token, &mut findings);
    check_duplicates(token, &mut findings);
    findings
}

fn check_length(token: &Token, findings: &mut Vec<Finding>) {
    let length = token.char_count();
    if length > MAX_TOKEN_CHARS {
        findings.push(Finding::new(
            FindingCode::TooLong,
            Severity::Error,
            format!(
                "the token is {length} characters long; STS accepts at most {MAX_TOKEN_CHARS} \
                 (ValidationError on webIdentityToken)"
            ),
        ));
    }
}

fn check_header(token: &Token, findings: &mut Vec<Finding>) {
    let accepted = ACCEPTED_ALGORITHMS.join(", ");
    match token.header().get("alg") {
        None => findings.push(Finding::new(
            FindingCode::AlgMissing,
            Severity::Error,
            format!("the header has no `alg`; STS accepts tokens signed with {accepted}"),
        )),
        Some(Value::String(alg)) if ACCEPTED_ALGORITHMS.contains(&alg.as_str()) => {}
        Some(Value::String(alg)) => findings.push(Finding::new(
            FindingCode::AlgUnsupported,
            Severity::Error,
            format!("{}; STS accepts only {accepted}", algorithm_problem(alg)),
        )),
        Some(other) => findings.push(Finding::new(
            FindingCode::AlgUnsupported,
            Severity::Error,
            format!(
                "`alg` is {}, not a string; STS accepts only {accepted}",
                kind_of(other)
            ),
        )),
    }
    if token.header().get("kid").is_none() {
        findings.push(Finding::new(
            FindingCode::KidMissing,
            Severity::Warning,
            "the header has no `kid`: STS can pick the verification key only if the issuer's \
             JWKS publishes exactly one key (otherwise: Couldn't retrieve verification key)",
        ));
    }
}

fn algorithm_problem(alg: &str) -> String {
    let upper = alg.to_ascii_uppercase();
    if upper == "NONE" {
        format!("`alg` is \"{alg}\": the token is unsigned")
    } else if upper.starts_with("HS") {
        format!(
            "`alg` is {alg}, an HMAC (shared-secret) algorithm, which STS cannot verify with \
             the issuer's published public keys"
        )
    } else if upper.starts_with("PS") {
        format!(
            "`alg` is {alg} (RSA-PSS), which STS does not accept; the issuer must sign with RS256/384/512"
        )
    } else if upper == "EDDSA" || upper == "ED25519" {
        format!("`alg` is {alg} (Edwards curve), which STS does not accept")
    } else {
        format!("`alg` is {alg}, which STS does not accept")
    }
}

fn check_required_claims(token: &Token, findings: &mut Vec<Finding>) {
    for name in REQUIRED_CLAIMS {
        if token.claims().get(name).is_none() {
            let message = if name == "aud" {
                "the token has no `aud` claim; STS rejects it (InvalidIdentityToken: Missing a \
                 required claim: aud)"
                    .to_owned()
            } else {
                format!(
                    "the token has no `{name}` claim; STS requires {}",
                    REQUIRED_CLAIMS.map(|c| format!("`{c}`")).join(", ")
                )
            };
            findings.push(Finding::new(
                FindingCode::ClaimMissing,
                Severity::Error,
                message,
            ));
        }
    }
}

fn check_times(token: &Token, now: i64, findings: &mut Vec<Finding>) {
    for name in ["exp", "iat", "nbf"] {
        let Some(value) = token.claims().get(name) else {
            continue;
        };
        match TimeClaim::read(value) {
            TimeClaim::Seconds(at) => check_time_value(name, at, now, findings),
            TimeClaim::SecondsString(at) => {
                findings.push(Finding::new(
                    FindingCode::TimestampString,
                    Severity::Info,
                    format!(
                        "`{name}` is the string {value}; STS accepts whole seconds written as a \
                         string, but many other verifiers do not"
                    ),
                ));
                check_time_value(name, at, now, findings);
            }
            TimeClaim::Fractional(at) => findings.push(Finding::new(
                FindingCode::TimestampFractional,
                Severity::Error,
                format!("`{name}` is {at:?}, not whole seconds; STS rejects fractional timestamps"),
            )),
            TimeClaim::Invalid(found) => findings.push(Finding::new(
                FindingCode::TimestampInvalid,
                Severity::Error,
                format!("`{name}` is {found}; STS needs whole seconds since 1970"),
            )),
        }
    }
}

fn check_time_value(name: &str, at: i64, now: i64, findings: &mut Vec<Finding>) {
    let skew = format!("{} minutes", CLOCK_SKEW_SECONDS / 60);
    if name == "exp" {
        let overdue = now.saturating_sub(at);
        if overdue >= CLOCK_SKEW_SECONDS {
            findings.push(Finding::new(
                FindingCode::Expired,
                Severity::Error,
                format!(
                    "the token expired {} ago (at {}); STS allows only {skew} of clock skew \
                     (ExpiredTokenException)",
                    human_duration(overdue.unsigned_abs()),
                    utc(at)
                ),
            ));
        } else if overdue >= 0 {
            findings.push(Finding::new(
                FindingCode::Expired,
                Severity::Warning,
                format!(
                    "the token expired {} ago (at {}); STS still accepts it for {} more ({skew} of clock skew)",
                    human_duration(overdue.unsigned_abs()),
                    utc(at),
                    human_duration((CLOCK_SKEW_SECONDS - overdue).unsigned_abs())
                ),
            ));
        }
        return;
    }
    let ahead = at.saturating_sub(now);
    if ahead > CLOCK_SKEW_SECONDS {
        findings.push(Finding::new(
            FindingCode::NotYetValid,
            Severity::Error,
            format!(
                "`{name}` is {} in the future (at {}); STS tolerates only {skew} of clock skew — \
                 check the issuer's clock and this machine's",
                human_duration(ahead.unsigned_abs()),
                utc(at)
            ),
        ));
    } else if ahead > 0 {
        findings.push(Finding::new(
            FindingCode::NotYetValid,
            Severity::Info,
            format!(
                "`{name}` is {} in the future, within the {skew} of clock skew STS tolerates",
                human_duration(ahead.unsigned_abs())
            ),
        ));
    }
}

fn check_audience(token: &Token, findings: &mut Vec<Finding>) {
    let azp = token.claims().get("azp");
    match token.claims().get("aud") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(values)) if values.is_empty() => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Error,
            "`aud` is an empty array; STS needs at least one audience",
        )),
        Some(Value::Array(values)) if !values.iter().all(Value::is_string) => {
            findings.push(Finding::new(
                FindingCode::ClaimInvalid,
                Severity::Error,
                "`aud` holds values that are not strings; audiences must be strings",
            ))
        }
        Some(Value::Array(values)) if values.len() > 1 && azp.is_none() => {
            findings.push(Finding::new(
                FindingCode::AudMultiple,
                Severity::Error,
                format!(
                    "`aud` has {} values and there is no `azp`; STS rejects several audiences \
                     unless `azp` names the one to check",
                    values.len()
                ),
            ))
        }
        Some(Value::Array(_)) => {}
        Some(other) => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Error,
            format!(
                "`aud` is {}; it must be a string or an array of strings",
                kind_of(other)
            ),
        )),
    }
    match azp {
        None => {}
        Some(Value::String(azp)) => findings.push(Finding::new(
            FindingCode::AzpPresent,
            Severity::Info,
            format!(
                "`azp` is present (\"{azp}\"): STS checks `azp`, not `aud`, against the \
                 provider's client IDs, and the `<provider>:aud` condition key holds `azp`"
            ),
        )),
        Some(other) => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Error,
            format!("`azp` is {}; it must be a string", kind_of(other)),
        )),
    }
}

fn check_issuer(token: &Token, findings: &mut Vec<Finding>) {
    match token.claims().get("iss") {
        None => {}
        Some(Value::String(iss)) => {
            if !iss.starts_with("https://") {
                findings.push(Finding::new(
                    FindingCode::IssNotHttps,
                    Severity::Error,
                    format!(
                        "`iss` \"{iss}\" is not an https:// URL; STS accepts only https issuers"
                    ),
                ));
            }
            if iss.ends_with('/') {
                findings.push(Finding::new(
                    FindingCode::IssTrailingSlash,
                    Severity::Info,
                    format!(
                        "`iss` \"{iss}\" ends with '/': STS matches the IAM OIDC provider URL \
                         exactly, so the provider must be registered with the slash too"
                    ),
                ));
            }
        }
        Some(other) => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Error,
            format!(
                "`iss` is {}; it must be an https:// URL string",
                kind_of(other)
            ),
        )),
    }
}

fn check_subject(token: &Token, findings: &mut Vec<Finding>) {
    match token.claims().get("sub") {
        None | Some(Value::String(_)) => {}
        Some(Value::Null) => findings.push(Finding::new(
            FindingCode::SubNull,
            Severity::Error,
            "`sub` is null; STS fails such tokens (observed: InternalFailure)",
        )),
        Some(Value::Number(number)) => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Info,
            format!("`sub` is the number {number}; STS accepts it and compares it as the string \"{number}\""),
        )),
        Some(other) => findings.push(Finding::new(
            FindingCode::ClaimInvalid,
            Severity::Error,
            format!("`sub` is {}; it must be a string", kind_of(other)),
        )),
    }
}

fn check_session_tags(token: &Token, findings: &mut Vec<Finding>) {
    let Some(tags) = token.claims().get(SESSION_TAGS_CLAIM) else {
        return;
    };
    if let Some(principal) = tags.get("principal_tags").and_then(Value::as_object) {
        findings.push(Finding::new(
            FindingCode::SessionTags,
            Severity::Warning,
            format!(
                "the token carries {} ({SESSION_TAGS_CLAIM}); every role it assumes must \
                 also allow sts:TagSession in its trust policy",
                crate::printable::counted(principal.len(), "session tag")
            ),
        ));
    }
    for problem in session_tag_problems(tags) {
        findings.push(Finding::new(
            FindingCode::SessionTagsInvalid,
            Severity::Error,
            format!("session tags: {problem}"),
        ));
    }
}

fn check_source_identity(token: &Token, findings: &mut Vec<Finding>) {
    let Some(value) = token.claims().get(SOURCE_IDENTITY_CLAIM) else {
        return;
    };
    findings.push(Finding::new(
        FindingCode::SourceIdentity,
        Severity::Warning,
        format!(
            "the token sets a source identity ({SOURCE_IDENTITY_CLAIM}); every role it assumes \
             must also allow sts:SetSourceIdentity in its trust policy"
        ),
    ));
    if let Some(problem) = source_identity_problem(value) {
        findings.push(Finding::new(
            FindingCode::SourceIdentityInvalid,
            Severity::Error,
            problem,
        ));
    }
}

fn check_roles_claim(token: &Token, findings: &mut Vec<Finding>) {
    let Some(value) = token.claims().get(ROLES_CLAIM) else {
        return;
    };
    let finding = match roles_claim_arns(value) {
        Ok(arns) => Finding::new(
            FindingCode::RolesClaim,
            Severity::Info,
            format!(
                "the token names the {} it may assume ({ROLES_CLAIM}); STS rejects it for any \
                 other role with InvalidIdentityToken (observed behaviour, thinly documented)",
                crate::printable::counted(arns.len(), "role")
            ),
        ),
        Err(problem) => Finding::new(
            FindingCode::RolesClaim,
            Severity::Error,
            format!(
                "the roles claim ({ROLES_CLAIM}) can match no role: {problem}; STS rejects the \
                 token with InvalidIdentityToken (observed behaviour, thinly documented)"
            ),
        ),
    };
    findings.push(finding);
}

fn check_duplicates(token: &Token, findings: &mut Vec<Finding>) {
    for duplicate in token.duplicates() {
        findings.push(Finding::new(
            FindingCode::DuplicateMember,
            Severity::Warning,
            format!(
                "{} member `{}` appears {} times; AWS uses the last one and ignores the others",
                duplicate.segment, duplicate.path, duplicate.occurrences
            ),
        ));
    }
}
