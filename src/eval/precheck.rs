//! What STS checks before it reads the trust policy, in its order, each failure with the
//! exact error STS returns (aws-web-identity.md §1.2, §2.2, §3.5, §5.8).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::context::accepted_audience;
use crate::account::Provider;
use crate::token::Token;
use crate::token::rules::{
    ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS, MAX_SESSION_TAGS, MAX_TOKEN_CHARS, REQUIRED_CLAIMS,
    ROLES_CLAIM, SESSION_TAGS_CLAIM, SOURCE_IDENTITY_CLAIM, roles_claim_arns, session_tag_problems,
    source_identity_problem,
};
use crate::token::times::{TimeClaim, expiry_phrase, human_duration};
use crate::token::tls::HostTrust;
use crate::token::verify::{Evidence, Verification};

/// How sure we are of the words of an STS error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wording {
    /// Seen verbatim in AWS documentation or real STS replies.
    Documented,
    /// Built from a documented template; the words may differ slightly.
    Inferred,
    /// STS's words for this case are not published; only the code is known.
    Unknown,
}

/// An error STS answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StsError {
    /// The error code (`InvalidIdentityToken`, `AccessDenied`, …).
    pub code: &'static str,
    /// The message, or a description of it when its words are unknown.
    pub message: String,
    /// How sure we are of `message`.
    pub wording: Wording,
}

impl StsError {
    fn new(code: &'static str, message: impl Into<String>, wording: Wording) -> Self {
        Self {
            code,
            message: message.into(),
            wording,
        }
    }

    /// `AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`.
    pub fn access_denied() -> Self {
        Self::new(
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            Wording::Documented,
        )
    }
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.wording {
            Wording::Unknown => write!(f, "{} ({})", self.code, self.message),
            _ => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// The state of one pre-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// STS would accept this.
    Passed,
    /// STS would reject the call here.
    Failed,
    /// Not checked here (no token to check, or checked by a later version).
    Skipped,
    /// trustlens could not check it (the signature: keys not at hand or not reachable).
    CouldNotCheck,
}

/// Which pre-check a [`Check`] reports, listed in the order STS runs them; serialized and
/// displayed as its stable kebab-case name (`session-name`, `roles-claim`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    /// `RoleSessionName` is 2–64 characters of `[\w+=,.@-]`.
    SessionName,
    /// The token is 4–20,000 characters.
    TokenLength,
    /// The token is a JWS whose header and claims are JSON.
    Decodable,
    /// An IAM OIDC provider's URL equals `iss`.
    Issuer,
    /// `azp`, else `aud`, is one of the provider's client IDs.
    Audience,
    /// `exp` has not passed and `iat`/`nbf` are not in the future (5 minutes of skew).
    Expiry,
    /// `iss`, `sub`, `aud`, `iat`, `exp` are present and readable.
    RequiredClaims,
    /// `alg` is one STS verifies (RS/ES 256–512).
    Algorithm,
    /// A `https://aws.amazon.com/roles` claim, when present, names the role.
    RolesClaim,
    /// Session tags (`https://aws.amazon.com/tags`), when present, keep STS's limits.
    SessionTags,
    /// A source identity (`https://aws.amazon.com/source_identity`), when present, is valid.
    SourceIdentity,
    /// The signature against the issuer's JWKS.
    Signature,
}

impl CheckId {
    /// The stable kebab-case name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::SessionName => "session-name",
            CheckId::TokenLength => "token-length",
            CheckId::Decodable => "decodable",
            CheckId::Issuer => "issuer",
            CheckId::Audience => "audience",
            CheckId::Expiry => "expiry",
            CheckId::RequiredClaims => "required-claims",
            CheckId::Algorithm => "algorithm",
            CheckId::RolesClaim => "roles-claim",
            CheckId::SessionTags => "session-tags",
            CheckId::SourceIdentity => "source-identity",
            CheckId::Signature => "signature",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One pre-check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check this is (serialized as `name`, today's field).
    #[serde(rename = "name")]
    pub id: CheckId,
    /// The outcome.
    pub status: CheckStatus,
    /// What was found, in words.
    pub detail: String,
    /// For a failure: what STS answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_error: Option<StsError>,
}

/// What the pre-checks look at.
#[derive(Debug, Clone, Copy)]
pub struct PrecheckInputs<'a> {
    /// The token, or `None` when only claims were given (what-if).
    pub token: Option<&'a Token>,
    /// The claims (the token's, or the what-if claims).
    pub claims: &'a Map<String, Value>,
    /// The OIDC providers in the role's account.
    pub providers: &'a [Provider],
    /// The role being assumed.
    pub role_arn: &'a str,
    /// The requested session name.
    pub session_name: &'a str,
    /// Now, epoch seconds.
    pub now: i64,
    /// The signature checked against the issuer's keys, when keys were at hand.
    pub signature: Option<&'a Evidence>,
}

/// The checks, and the provider the issuer matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prechecks {
    /// Every check, in STS's order.
    pub checks: Vec<Check>,
    /// The provider whose URL equals the token's issuer.
    pub provider: Option<Provider>,
}

impl Prechecks {
    /// The first failure's STS error: what the call would answer.
    pub fn first_error(&self) -> Option<&StsError> {
        self.checks
            .iter()
            .find_map(|check| check.sts_error.as_ref())
    }
}

/// Runs every pre-check in STS's order (all are reported; STS stops at the first failure).
pub fn run(inputs: &PrecheckInputs<'_>) -> Prechecks {
    let issuer = issuer_check(inputs);
    let provider = issuer.1;
    let checks = vec![
        session_name_check(inputs.session_name),
        token_length_check(inputs.token),
        decodable_check(inputs.token),
        issuer.0,
        audience_check(inputs.claims, provider.as_ref()),
        expiry_check(inputs.claims, inputs.now),
        required_claims_check(inputs.claims),
        algorithm_check(inputs.token),
        roles_claim_check(inputs.claims, inputs.role_arn),
        session_tags_check(inputs.claims),
        source_identity_check(inputs.claims),
        signature_check(inputs.token, inputs.signature, provider.as_ref()),
    ];
    Prechecks { checks, provider }
}

/// Session tags against STS's limits — the rule `decode` reports with, so the two agree.
pub fn session_tags_check(claims: &Map<String, Value>) -> Check {
    const ID: CheckId = CheckId::SessionTags;
    let Some(tags) = claims.get(SESSION_TAGS_CLAIM) else {
        return passed(ID, "no session tags claim");
    };
    let problems = session_tag_problems(tags);
    if problems.is_empty() {
        let count = tags
            .get("principal_tags")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        return passed(
            ID,
            format!(
                "{} within STS's limits (at most {MAX_SESSION_TAGS}, one value each)",
                crate::printable::counted(count, "session tag")
            ),
        );
    }
    failed(
        ID,
        format!("session tags: {}", problems.join("; ")),
        StsError::new(
            "InvalidIdentityToken",
            "STS's words for session tags that break its limits are not published",
            Wording::Unknown,
        ),
    )
}

/// The source identity against STS's rule — the one `decode` reports with.
pub fn source_identity_check(claims: &Map<String, Value>) -> Check {
    const ID: CheckId = CheckId::SourceIdentity;
    let Some(value) = claims.get(SOURCE_IDENTITY_CLAIM) else {
        return passed(ID, "no source identity claim");
    };
    match source_identity_problem(value) {
        None => passed(ID, format!("source identity {value} is valid")),
        Some(problem) => failed(
            ID,
            problem,
            StsError::new(
                "InvalidIdentityToken",
                "STS's words for an invalid source identity in the token are not published",
                Wording::Unknown,
            ),
        ),
    }
}

/// STS's answer when it finds no key to verify with (aws-web-identity.md §2.2; the double
/// space is STS's).
pub const NO_VERIFICATION_KEY: &str = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/// STS's answer when a private-CA host's chain matches none of the provider's thumbprints
/// (aws-web-identity.md §2.2, as real STS replies quote it).
pub const THUMBPRINT_MISMATCH: &str =
    "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint";

/// The signature against the issuer's JWKS (aws-web-identity.md §3.3–3.4). The keys count only
/// when STS trusts the hosts that served them: a chain to a trusted root CA, or a private
/// chain whose top intermediate CA is among `provider`'s thumbprints. A missing key is STS's
/// documented "Couldn't retrieve verification key"; a bad signature is `InvalidIdentityToken`
/// with unpublished words.
pub fn signature_check(
    token: Option<&Token>,
    signature: Option<&Evidence>,
    provider: Option<&Provider>,
) -> Check {
    const ID: CheckId = CheckId::Signature;
    let Some(token) = token else {
        return skipped(
            ID,
            "claims were given directly: there is no signature to check",
        );
    };
    if token.is_edited() {
        return skipped(
            ID,
            "a what-if edit: the signature no longer covers the claims (STS would reject the edit itself)",
        );
    }
    let Some(evidence) = signature else {
        return Check {
            id: ID,
            status: CheckStatus::CouldNotCheck,
            detail: "not checked: no keys at hand (give --jwks FILE, or let trustlens fetch the issuer's JWKS)".to_owned(),
            sts_error: None,
        };
    };
    let thumbprints = provider.map(|p| p.thumbprints.as_slice());
    let hosts: Vec<(HostTrust, String)> = evidence
        .served
        .iter()
        .map(|chain| {
            let trust = chain.trust(thumbprints);
            let words = chain.describe(&trust);
            (trust, words)
        })
        .collect();
    if let Some((_, words)) = hosts
        .iter()
        .find(|(trust, _)| matches!(trust, HostTrust::Mismatch { .. }))
    {
        return failed(
            ID,
            format!(
                "{words}: STS does not trust the keys it fetches there (AWS's troubleshooting page gives a wrong thumbprint as a cause of \"Couldn't retrieve verification key\" too)"
            ),
            StsError::new(
                "InvalidIdentityToken",
                THUMBPRINT_MISMATCH,
                Wording::Documented,
            ),
        );
    }
    // A chain STS may or may not trust: the keys it served decide nothing yet.
    let undecided = hosts.iter().any(|(trust, _)| {
        matches!(
            trust,
            HostTrust::OtherCertificate { .. }
                | HostTrust::NoProvider { .. }
                | HostTrust::LocalOnly { .. }
        )
    });
    let verification = &evidence.verification;
    let detail = std::iter::once(verification.detail())
        .chain(hosts.into_iter().map(|(_, words)| words))
        .collect::<Vec<_>>()
        .join("; ");
    if undecided && matches!(verification, Verification::Verified { .. }) {
        return Check {
            id: ID,
            status: CheckStatus::CouldNotCheck,
            detail,
            sts_error: None,
        };
    }
    match verification {
        Verification::Verified { .. } => passed(ID, detail),
        Verification::NoKey { .. } => failed(
            ID,
            detail,
            StsError::new(
                "InvalidIdentityToken",
                NO_VERIFICATION_KEY,
                Wording::Documented,
            ),
        ),
        Verification::BadSignature { .. } => failed(
            ID,
            detail,
            StsError::new(
                "InvalidIdentityToken",
                "the token's signature is invalid (STS's words for this are not published)",
                Wording::Unknown,
            ),
        ),
        Verification::CouldNotCheck { .. } => Check {
            id: ID,
            status: CheckStatus::CouldNotCheck,
            detail,
            sts_error: None,
        },
    }
}

fn passed(id: CheckId, detail: impl Into<String>) -> Check {
    Check {
        id,
        status: CheckStatus::Passed,
        detail: detail.into(),
        sts_error: None,
    }
}

fn skipped(id: CheckId, detail: impl Into<String>) -> Check {
    Check {
        id,
        status: CheckStatus::Skipped,
        detail: detail.into(),
        sts_error: None,
    }
}

fn failed(id: CheckId, detail: impl Into<String>, error: StsError) -> Check {
    Check {
        id,
        status: CheckStatus::Failed,
        detail: detail.into(),
        sts_error: Some(error),
    }
}

/// `RoleSessionName`: 2–64 characters of `[\w+=,.@-]` (STS API model).
fn session_name_check(name: &str) -> Check {
    const ID: CheckId = CheckId::SessionName;
    let length = name.chars().count();
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    let prefix = "1 validation error detected: Value";
    if !valid_chars {
        failed(
            ID,
            format!("the session name \"{name}\" has characters outside [\\w+=,.@-]"),
            StsError::new(
                "ValidationError",
                format!(
                    "{prefix} '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
                ),
                Wording::Documented,
            ),
        )
    } else if length > 64 {
        failed(
            ID,
            format!("the session name is {length} characters; STS allows 64"),
            StsError::new(
                "ValidationError",
                format!(
                    "{prefix} '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"
                ),
                Wording::Documented,
            ),
        )
    } else if length < 2 {
        failed(
            ID,
            format!("the session name is {length} character(s); STS needs at least 2"),
            StsError::new(
                "ValidationError",
                format!(
                    "{prefix} '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
                ),
                Wording::Inferred,
            ),
        )
    } else {
        passed(ID, format!("session name \"{name}\" is valid"))
    }
}

fn token_length_check(token: Option<&Token>) -> Check {
    const ID: CheckId = CheckId::TokenLength;
    let Some(token) = token else {
        return skipped(
            ID,
            "claims were given directly: there is no token to measure",
        );
    };
    let length = token.char_count();
    match token_length_error(length) {
        Some(error) if length > MAX_TOKEN_CHARS => failed(
            ID,
            format!("the token is {length} characters; STS accepts at most {MAX_TOKEN_CHARS}"),
            error,
        ),
        Some(error) => failed(
            ID,
            format!("the token is {length} characters; STS needs at least {MIN_TOKEN_CHARS}"),
            error,
        ),
        None => passed(
            ID,
            format!("{length} characters, within STS's {MIN_TOKEN_CHARS}–{MAX_TOKEN_CHARS}"),
        ),
    }
}

/// The fewest characters STS takes as a token (STS API model).
pub const MIN_TOKEN_CHARS: usize = 4;

/// STS's `ValidationError` for a token of `chars` characters, checked before anything else
/// (STS API model: 4–20,000), or `None` when the length is within bounds. A text too short to
/// be a token at all gets it too.
pub fn token_length_error(chars: usize) -> Option<StsError> {
    let constraint = |bound: &str, wording| {
        StsError::new(
            "ValidationError",
            format!(
                "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length {bound}"
            ),
            wording,
        )
    };
    if chars > MAX_TOKEN_CHARS {
        Some(constraint("less than or equal to 20000", Wording::Inferred))
    } else if chars < MIN_TOKEN_CHARS {
        Some(constraint(
            "greater than or equal to 4",
            Wording::Documented,
        ))
    } else {
        None
    }
}

fn decodable_check(token: Option<&Token>) -> Check {
    match token {
        Some(_) => passed(
            CheckId::Decodable,
            "a signed JWT (JWS) with a JSON header and JSON claims",
        ),
        None => skipped(
            CheckId::Decodable,
            "claims were given directly (what-if): nothing to decode",
        ),
    }
}

fn issuer_check(inputs: &PrecheckInputs<'_>) -> (Check, Option<Provider>) {
    const ID: CheckId = CheckId::Issuer;
    let Some(iss) = inputs.claims.get("iss").and_then(Value::as_str) else {
        let error = StsError::new(
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account",
            Wording::Documented,
        );
        return (
            failed(
                ID,
                "the token has no `iss` string, so no provider can match",
                error,
            ),
            None,
        );
    };
    if let Some(provider) = inputs.providers.iter().find(|p| p.issuer() == iss) {
        return (
            passed(ID, format!("issuer {iss} → provider {}", provider.arn)),
            Some(provider.clone()),
        );
    }
    if let Some(provider) = Provider::built_in(iss) {
        let detail = format!(
            "issuer {iss} is IAM's built-in provider {} (no IAM provider object needed)",
            provider.url
        );
        return (passed(ID, detail), Some(provider));
    }
    let near: Vec<String> = inputs
        .providers
        .iter()
        .filter_map(|p| issuer_near_miss(iss, p))
        .collect();
    let detail = match near.as_slice() {
        [] if inputs.providers.is_empty() => {
            format!("the role's account has no OIDC provider; none matches {iss}")
        }
        [] => format!(
            "no provider's URL equals {iss} (the account has {})",
            inputs
                .providers
                .iter()
                .map(Provider::issuer)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        misses => format!(
            "no provider's URL equals {iss} exactly: {}",
            misses.join("; ")
        ),
    };
    let error = StsError::new(
        "InvalidIdentityToken",
        format!("No OpenIDConnect provider found in your account for {iss}"),
        Wording::Documented,
    );
    (failed(ID, detail, error), None)
}

/// The account's provider whose URL nearly equals `iss` (a trailing slash, letter case, a
/// scheme, or the same host), as the issuer check names it.
pub(super) fn close_provider<'a>(iss: &str, providers: &'a [Provider]) -> Option<&'a Provider> {
    providers
        .iter()
        .find(|provider| issuer_near_miss(iss, provider).is_some())
}

/// Names how a provider URL almost matches the issuer.
fn issuer_near_miss(iss: &str, provider: &Provider) -> Option<String> {
    let registered = provider.issuer();
    let url = &provider.url;
    let why = if registered.trim_end_matches('/') == iss.trim_end_matches('/') {
        "they differ by a trailing slash"
    } else if registered.eq_ignore_ascii_case(iss) {
        "they differ in letter case (provider URLs are case-sensitive)"
    } else if iss
        .strip_prefix("http://")
        .is_some_and(|rest| rest == url.as_str())
    {
        "the token's issuer uses http://, the provider https://"
    } else if !iss.contains("://") && iss == url.as_str() {
        "the token's issuer has no https:// scheme"
    } else if host_of(&registered) == host_of(iss) {
        "same host, another path"
    } else {
        return None;
    };
    Some(format!("provider {registered} is close — {why}"))
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

fn audience_check(claims: &Map<String, Value>, provider: Option<&Provider>) -> Check {
    const ID: CheckId = CheckId::Audience;
    let Some(provider) = provider else {
        return skipped(
            ID,
            "no provider matched the issuer, so there are no client IDs to check",
        );
    };
    if provider.is_built_in() {
        return skipped(
            ID,
            format!(
                "built-in provider: the trust policy checks the audience through {}:aud",
                provider.url
            ),
        );
    }
    if claims.get("azp").is_none() && claims.get("aud").is_none() {
        return failed(
            ID,
            "the token has no `aud` claim",
            StsError::new(
                "InvalidIdentityToken",
                "Missing a required claim: aud",
                Wording::Documented,
            ),
        );
    }
    let (label, audience) = match claims.get("azp").and_then(Value::as_str) {
        Some(azp) => ("azp", Some(azp.to_owned())),
        None => ("aud", accepted_audience(claims, &provider.client_ids)),
    };
    let ids = &provider.client_ids;
    match audience {
        Some(audience) if ids.contains(&audience) => passed(
            ID,
            format!("{label} \"{audience}\" is one of the provider's client IDs"),
        ),
        audience => {
            let shown = audience.unwrap_or_default();
            let close = ids
                .iter()
                .find(|id| {
                    id.eq_ignore_ascii_case(&shown)
                        || id.trim_end_matches('/') == shown.trim_end_matches('/')
                })
                .map(|id| format!(" (\"{id}\" is close: a case or trailing-slash difference)"))
                .unwrap_or_default();
            let registered = if ids.is_empty() {
                "the provider has no client IDs".to_owned()
            } else {
                format!(
                    "the provider's client IDs are {}",
                    ids.iter()
                        .map(|id| format!("\"{id}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            failed(
                ID,
                format!(
                    "{label} \"{shown}\" is not a client ID of the provider; {registered}{close}"
                ),
                StsError::new(
                    "InvalidIdentityToken",
                    "Incorrect token audience",
                    Wording::Documented,
                ),
            )
        }
    }
}

fn expiry_check(claims: &Map<String, Value>, now: i64) -> Check {
    const ID: CheckId = CheckId::Expiry;
    let seconds = |name: &str| {
        claims
            .get(name)
            .map(TimeClaim::read)
            .and_then(|t| t.seconds())
    };
    let Some(exp) = seconds("exp") else {
        return skipped(ID, "no usable `exp` (see required claims)");
    };
    if now >= exp + CLOCK_SKEW_SECONDS {
        return failed(
            ID,
            format!(
                "{} — beyond STS's {} minutes of clock skew",
                expiry_phrase(now, exp),
                CLOCK_SKEW_SECONDS / 60
            ),
            StsError::new(
                "ExpiredTokenException",
                format!(
                    "Token expired: current date/time {now} must be before the expiration date/time {exp}"
                ),
                Wording::Documented,
            ),
        );
    }
    for name in ["iat", "nbf"] {
        if let Some(at) = seconds(name)
            && at > now + CLOCK_SKEW_SECONDS
        {
            return failed(
                ID,
                format!(
                    "`{name}` is {} in the future, beyond STS's 5 minutes of clock skew",
                    human_duration(at.abs_diff(now))
                ),
                StsError::new(
                    "InvalidIdentityToken",
                    "STS's words for a token issued in the future are not published",
                    Wording::Unknown,
                ),
            );
        }
    }
    let skew_note = if now >= exp {
        " (past exp, within the 5-minute clock skew)"
    } else {
        ""
    };
    passed(
        ID,
        format!("not expired: {}{skew_note}", expiry_phrase(now, exp)),
    )
}

fn required_claims_check(claims: &Map<String, Value>) -> Check {
    const ID: CheckId = CheckId::RequiredClaims;
    if let Some(missing) = REQUIRED_CLAIMS
        .iter()
        .find(|name| !claims.contains_key(**name))
    {
        let wording = if *missing == "aud" {
            Wording::Documented
        } else {
            Wording::Inferred
        };
        return failed(
            ID,
            format!(
                "the token has no `{missing}`; STS requires {}",
                REQUIRED_CLAIMS.join(", ")
            ),
            StsError::new(
                "InvalidIdentityToken",
                format!("Missing a required claim: {missing}"),
                wording,
            ),
        );
    }
    for name in ["exp", "iat", "nbf"] {
        match claims.get(name).map(TimeClaim::read) {
            Some(TimeClaim::Fractional(value)) => {
                return failed(
                    ID,
                    format!("`{name}` is {value:?}, not whole seconds"),
                    StsError::new(
                        "InvalidIdentityToken",
                        "STS's words for a fractional timestamp are not published",
                        Wording::Unknown,
                    ),
                );
            }
            Some(TimeClaim::Invalid(found)) => {
                return failed(
                    ID,
                    format!("`{name}` is {found}, not seconds since 1970"),
                    StsError::new(
                        "InvalidIdentityToken",
                        "STS's words for an unreadable timestamp are not published",
                        Wording::Unknown,
                    ),
                );
            }
            _ => {}
        }
    }
    if claims.get("sub") == Some(&Value::Null) {
        return failed(
            ID,
            "`sub` is null",
            StsError::new(
                "InternalFailure",
                "observed for a null `sub`; no message is published",
                Wording::Unknown,
            ),
        );
    }
    if let Some(Value::Array(values)) = claims.get("aud")
        && values.len() > 1
        && !claims.contains_key("azp")
    {
        return failed(
            ID,
            format!("`aud` has {} values and there is no `azp`", values.len()),
            StsError::new(
                "InvalidIdentityToken",
                "STS's words for several audiences without azp are not published",
                Wording::Unknown,
            ),
        );
    }
    passed(ID, "iss, sub, aud, iat and exp are present and readable")
}

fn algorithm_check(token: Option<&Token>) -> Check {
    const ID: CheckId = CheckId::Algorithm;
    let Some(token) = token else {
        return skipped(ID, "claims were given directly: there is no header");
    };
    match token.algorithm() {
        Some(alg) if ACCEPTED_ALGORITHMS.contains(&alg) => {
            passed(ID, format!("{alg} is an algorithm STS verifies"))
        }
        other => failed(
            ID,
            format!(
                "alg {} is not one of {}",
                other.unwrap_or("(none)"),
                ACCEPTED_ALGORITHMS.join(", ")
            ),
            StsError::new(
                "InvalidIdentityToken",
                "STS's words for an unsupported algorithm are not published",
                Wording::Unknown,
            ),
        ),
    }
}

/// Does the token's `roles` claim, when it has one, name `role_arn`? The only pre-check that
/// depends on the role, so a scan runs the others once.
pub fn roles_claim_check(claims: &Map<String, Value>, role_arn: &str) -> Check {
    const ID: CheckId = CheckId::RolesClaim;
    let Some(value) = claims.get(ROLES_CLAIM) else {
        return passed(ID, "no roles claim: any role may be asked for");
    };
    let error = StsError::new(
        "InvalidIdentityToken",
        "STS's words for a roles claim that does not name the role are not published (observed behaviour)",
        Wording::Unknown,
    );
    match roles_claim_arns(value) {
        Ok(arns) if arns.iter().any(|arn| arn == role_arn) => {
            passed(ID, format!("the roles claim names {role_arn}"))
        }
        Ok(arns) => failed(
            ID,
            format!("the roles claim names {}, not {role_arn}", arns.join(", ")),
            error,
        ),
        Err(problem) => failed(
            ID,
            format!("the roles claim can match no role: {problem}"),
            error,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_keep_their_kebab_names_in_text_and_json() {
        let ids = [
            (CheckId::SessionName, "session-name"),
            (CheckId::TokenLength, "token-length"),
            (CheckId::Decodable, "decodable"),
            (CheckId::Issuer, "issuer"),
            (CheckId::Audience, "audience"),
            (CheckId::Expiry, "expiry"),
            (CheckId::RequiredClaims, "required-claims"),
            (CheckId::Algorithm, "algorithm"),
            (CheckId::RolesClaim, "roles-claim"),
            (CheckId::SessionTags, "session-tags"),
            (CheckId::SourceIdentity, "source-identity"),
            (CheckId::Signature, "signature"),
        ];
        for (id, name) in ids {
            assert_eq!(id.as_str(), name);
            assert_eq!(id.to_string(), name);
            assert_eq!(serde_json::to_value(id).unwrap(), Value::from(name));
        }
    }

    #[test]
    fn a_check_serializes_its_id_under_name() {
        let claims = Map::new();
        let prechecks = run(&PrecheckInputs {
            token: None,
            claims: &claims,
            providers: &[],
            role_arn: "arn:aws:iam::123456789012:role/deploy",
            session_name: "ci",
            now: 0,
            signature: None,
        });
        let ids: Vec<CheckId> = prechecks.checks.iter().map(|c| c.id).collect();
        assert_eq!(ids.first(), Some(&CheckId::SessionName));
        assert_eq!(ids.last(), Some(&CheckId::Signature));
        let json = serde_json::to_value(&prechecks.checks[3]).unwrap();
        assert_eq!(json["name"], "issuer");
        assert!(json.get("id").is_none());
    }
}
