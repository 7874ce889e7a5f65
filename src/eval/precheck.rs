//! What STS checks before it reads the trust policy, in its order, each failure with the
//! exact error STS returns (aws-web-identity.md §1.2, §2.2, §3.5, §5.8).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::context::accepted_audience;
use crate::account::Provider;
use crate::token::Token;
use crate::token::rules::{
    ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS, MAX_TOKEN_CHARS, REQUIRED_CLAIMS, ROLES_CLAIM,
    roles_claim_arns,
};
use crate::token::times::{TimeClaim, expiry_phrase, human_duration};

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
    /// Not verified (the signature).
    NotVerified,
}

/// One pre-check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name: `session-name`, `token-length`, `decodable`, `issuer`, `audience`,
    /// `expiry`, `required-claims`, `algorithm`, `roles-claim`, `signature`.
    pub name: &'static str,
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
        Check {
            name: "signature",
            status: CheckStatus::NotVerified,
            detail: "the signature is not verified against the issuer's keys (JWKS) yet".to_owned(),
            sts_error: None,
        },
    ];
    Prechecks { checks, provider }
}

fn passed(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        status: CheckStatus::Passed,
        detail: detail.into(),
        sts_error: None,
    }
}

fn skipped(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        status: CheckStatus::Skipped,
        detail: detail.into(),
        sts_error: None,
    }
}

fn failed(name: &'static str, detail: impl Into<String>, error: StsError) -> Check {
    Check {
        name,
        status: CheckStatus::Failed,
        detail: detail.into(),
        sts_error: Some(error),
    }
}

/// `RoleSessionName`: 2–64 characters of `[\w+=,.@-]` (STS API model).
fn session_name_check(name: &str) -> Check {
    const NAME: &str = "session-name";
    let length = name.chars().count();
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    let prefix = "1 validation error detected: Value";
    if !valid_chars {
        failed(
            NAME,
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
            NAME,
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
            NAME,
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
        passed(NAME, format!("session name \"{name}\" is valid"))
    }
}

fn token_length_check(token: Option<&Token>) -> Check {
    const NAME: &str = "token-length";
    let Some(token) = token else {
        return skipped(
            NAME,
            "claims were given directly: there is no token to measure",
        );
    };
    let length = token.char_count();
    let constraint = |bound: &str| {
        StsError::new(
            "ValidationError",
            format!(
                "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length {bound}"
            ),
            if bound.contains("greater") {
                Wording::Documented
            } else {
                Wording::Inferred
            },
        )
    };
    if length > MAX_TOKEN_CHARS {
        failed(
            NAME,
            format!("the token is {length} characters; STS accepts at most {MAX_TOKEN_CHARS}"),
            constraint("less than or equal to 20000"),
        )
    } else if length < 4 {
        failed(
            NAME,
            format!("the token is {length} characters; STS needs at least 4"),
            constraint("greater than or equal to 4"),
        )
    } else {
        passed(
            NAME,
            format!("{length} characters, within STS's 4–{MAX_TOKEN_CHARS}"),
        )
    }
}

fn decodable_check(token: Option<&Token>) -> Check {
    match token {
        Some(_) => passed(
            "decodable",
            "a signed JWT (JWS) with a JSON header and JSON claims",
        ),
        None => skipped(
            "decodable",
            "claims were given directly (what-if): nothing to decode",
        ),
    }
}

fn issuer_check(inputs: &PrecheckInputs<'_>) -> (Check, Option<Provider>) {
    const NAME: &str = "issuer";
    let Some(iss) = inputs.claims.get("iss").and_then(Value::as_str) else {
        let error = StsError::new(
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account",
            Wording::Documented,
        );
        return (
            failed(
                NAME,
                "the token has no `iss` string, so no provider can match",
                error,
            ),
            None,
        );
    };
    if let Some(provider) = inputs.providers.iter().find(|p| p.issuer() == iss) {
        return (
            passed(NAME, format!("issuer {iss} → provider {}", provider.arn)),
            Some(provider.clone()),
        );
    }
    if let Some(provider) = Provider::built_in(iss) {
        let detail = format!(
            "issuer {iss} is IAM's built-in provider {} (no IAM provider object needed)",
            provider.url
        );
        return (passed(NAME, detail), Some(provider));
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
    (failed(NAME, detail, error), None)
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
    const NAME: &str = "audience";
    let Some(provider) = provider else {
        return skipped(
            NAME,
            "no provider matched the issuer, so there are no client IDs to check",
        );
    };
    if provider.is_built_in() {
        return skipped(
            NAME,
            format!(
                "built-in provider: the trust policy checks the audience through {}:aud",
                provider.url
            ),
        );
    }
    if claims.get("azp").is_none() && claims.get("aud").is_none() {
        return failed(
            NAME,
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
            NAME,
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
                NAME,
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
    const NAME: &str = "expiry";
    let seconds = |name: &str| {
        claims
            .get(name)
            .map(TimeClaim::read)
            .and_then(|t| t.seconds())
    };
    let Some(exp) = seconds("exp") else {
        return skipped(NAME, "no usable `exp` (see required claims)");
    };
    if now >= exp + CLOCK_SKEW_SECONDS {
        return failed(
            NAME,
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
                NAME,
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
        NAME,
        format!("not expired: {}{skew_note}", expiry_phrase(now, exp)),
    )
}

fn required_claims_check(claims: &Map<String, Value>) -> Check {
    const NAME: &str = "required-claims";
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
            NAME,
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
                    NAME,
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
                    NAME,
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
            NAME,
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
            NAME,
            format!("`aud` has {} values and there is no `azp`", values.len()),
            StsError::new(
                "InvalidIdentityToken",
                "STS's words for several audiences without azp are not published",
                Wording::Unknown,
            ),
        );
    }
    passed(NAME, "iss, sub, aud, iat and exp are present and readable")
}

fn algorithm_check(token: Option<&Token>) -> Check {
    const NAME: &str = "algorithm";
    let Some(token) = token else {
        return skipped(NAME, "claims were given directly: there is no header");
    };
    match token.algorithm() {
        Some(alg) if ACCEPTED_ALGORITHMS.contains(&alg) => {
            passed(NAME, format!("{alg} is an algorithm STS verifies"))
        }
        other => failed(
            NAME,
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

/// The name of the one check that depends on the role: [`roles_claim_check`].
pub const ROLES_CLAIM_CHECK: &str = "roles-claim";

/// Does the token's `roles` claim, when it has one, name `role_arn`? The only pre-check that
/// depends on the role, so a scan runs the others once.
pub fn roles_claim_check(claims: &Map<String, Value>, role_arn: &str) -> Check {
    const NAME: &str = ROLES_CLAIM_CHECK;
    let Some(value) = claims.get(ROLES_CLAIM) else {
        return passed(NAME, "no roles claim: any role may be asked for");
    };
    let error = StsError::new(
        "InvalidIdentityToken",
        "STS's words for a roles claim that does not name the role are not published (observed behaviour)",
        Wording::Unknown,
    );
    match roles_claim_arns(value) {
        Ok(arns) if arns.iter().any(|arn| arn == role_arn) => {
            passed(NAME, format!("the roles claim names {role_arn}"))
        }
        Ok(arns) => failed(
            NAME,
            format!("the roles claim names {}, not {role_arn}", arns.join(", ")),
            error,
        ),
        Err(problem) => failed(
            NAME,
            format!("the roles claim can match no role: {problem}"),
            error,
        ),
    }
}
