//! Trust policies for a token at a chosen scope, what else they admit (the blast radius,
//! computed by the engine), and renderers: policy JSON, Terraform, CloudFormation, AWS CLI.
//!
//! The per-platform scopes and siblings are data in [`crate::platforms`]; here they are filled
//! from the token's own claims. Generated policies are the tightest correct form
//! (lint-cloudtrail-generation.md §1.2, §3): `StringEquals` for exact values, `StringLike` only
//! for a wildcard, `aud` pinned to the provider's client ID, `sub` always tested (IAM's
//! create-time guardrail for shared issuers), `sts:TagSession` / `sts:SetSourceIdentity` only
//! when the token needs them.

mod edit;
mod render;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::account::Provider;
use crate::arn::Arn;
use crate::eval::{ExplainInputs, PolicyDecision, accepted_audience, explain, required_actions};
use crate::platforms::{self, Pick, Platform, Scope};
use crate::policy::{self, PolicyDocument};

pub use edit::{DiffLine, Edit, EditError, apply, diff, diff_text, edit};
pub use render::{Format, Rendering, render};

/// Why no policy could be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The claims lack a string `iss` or `sub`.
    #[error("the token has no `{0}` string: a trust policy cannot name its provider and subject")]
    MissingClaim(&'static str),
    /// The claims lack an audience.
    #[error("the token has no `aud` (or `azp`): the policy could not pin the audience")]
    NoAudience,
    /// `--scope` names no scope of the platform.
    #[error("{platform} has no scope \"{scope}\"; its scopes: {known}")]
    UnknownScope {
        /// The platform's name.
        platform: &'static str,
        /// What was asked for.
        scope: String,
        /// The scopes there are, comma-separated.
        known: String,
    },
    /// The scope needs something the token does not have (a branch, an environment…).
    #[error(
        "the scope \"{scope}\" does not fit this token ({about}); its scopes that do: {fitting}"
    )]
    DoesNotFit {
        /// The scope asked for.
        scope: &'static str,
        /// What the scope admits.
        about: &'static str,
        /// The scopes that do fit, comma-separated.
        fitting: String,
    },
    /// No scope that may be picked by default admits the token (a pull-request job, say).
    #[error(
        "no scope admits this job without widening on its own; choose one with --scope ({fitting})"
    )]
    NoDefault {
        /// The scopes that fit, comma-separated.
        fitting: String,
    },
}

/// Where the generated role lives.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The partition (`aws`).
    pub partition: &'a str,
    /// The 12-digit account ID.
    pub account: &'a str,
    /// The role's name.
    pub role_name: &'a str,
}

/// What to generate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choice<'a> {
    /// The scope's name; `None` for the tightest scope that admits the token.
    pub scope: Option<&'a str>,
    /// A `StringLike` pattern for scopes that take one (tags).
    pub pattern: Option<&'a str>,
}

/// A generated trust policy and what it is for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generated {
    /// The token's platform (`None` for an issuer trustlens does not know).
    pub platform: Option<&'static str>,
    /// The scope's name.
    pub scope: &'static str,
    /// What the scope admits.
    pub about: &'static str,
    /// A warning to show with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<&'static str>,
    /// The provider the policy trusts, with the token's audience as its client ID.
    pub provider: Provider,
    /// The role's name.
    pub role_name: String,
    /// The role's ARN.
    pub role_arn: String,
    /// The trust policy document.
    pub policy: Value,
    /// Whether the engine admits the token itself under this policy.
    pub admits_token: bool,
}

impl Generated {
    /// The policy as pretty JSON text (what IAM receives).
    pub fn policy_text(&self) -> String {
        serde_json::to_string_pretty(&self.policy).unwrap_or_default()
    }

    /// The policy parsed by trustlens's own parser.
    pub fn document(&self) -> Result<PolicyDocument, policy::PolicyError> {
        policy::parse(&self.policy_text())
    }
}

/// The scopes that fit a token with these claims: `(scope, fits)` for every scope of its
/// platform, in order.
pub fn scopes_for(claims: &Map<String, Value>) -> Vec<(&'static Scope, bool)> {
    let (platform, sub) = platform_and_sub(claims);
    let Some(sub) = sub else {
        return Vec::new();
    };
    let fields = platform.map(|p| platforms::subject_fields(p, sub));
    let table = platform.map_or(std::slice::from_ref(&platforms::SUBJECT), |p| {
        platforms::scopes(p, sub)
    });
    table
        .iter()
        .map(|scope| {
            let fits =
                fill_scope(scope, claims, sub, fields.as_deref().unwrap_or(&[]), None).is_some();
            (scope, fits)
        })
        .collect()
}

fn platform_and_sub(claims: &Map<String, Value>) -> (Option<Platform>, Option<&str>) {
    let platform = claims
        .get("iss")
        .and_then(Value::as_str)
        .and_then(platforms::detect);
    (platform, claims.get("sub").and_then(Value::as_str))
}

/// Generates the trust policy for the token's `claims` at `choice`, for a role in `target`.
/// `now` (epoch seconds) is only for the engine's check that the token is admitted.
pub fn generate(
    claims: &Map<String, Value>,
    choice: Choice<'_>,
    target: Target<'_>,
    now: i64,
) -> Result<Generated, GenerateError> {
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(GenerateError::MissingClaim("iss"))?;
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or(GenerateError::MissingClaim("sub"))?;
    let audience = accepted_audience(claims, &[]).ok_or(GenerateError::NoAudience)?;
    let platform = platforms::detect(issuer);
    let provider = Provider::built_in(issuer).unwrap_or_else(|| {
        Provider::new(
            target.partition,
            target.account,
            issuer,
            vec![audience.clone()],
        )
    });
    let role_arn = Arn::role(target.partition, target.account, "/", target.role_name).to_string();
    let scopes = scopes_for(claims);
    let fitting = || {
        scopes
            .iter()
            .filter(|(_, fits)| *fits)
            .map(|(scope, _)| scope.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fields = platform.map_or_else(Vec::new, |p| platforms::subject_fields(p, sub));
    let build = |scope: &'static Scope| -> Option<Generated> {
        let (subject, wildcard, extra) = fill_scope(scope, claims, sub, &fields, choice.pattern)?;
        let policy = policy_document(
            &provider, claims, &audience, &subject, wildcard, &extra, scope,
        );
        let mut generated = Generated {
            platform: platform.map(Platform::name),
            scope: scope.name,
            about: scope.about,
            caution: scope.caution,
            provider: provider.clone(),
            role_name: target.role_name.to_owned(),
            role_arn: role_arn.clone(),
            policy,
            admits_token: false,
        };
        generated.admits_token = generated.document().is_ok_and(|document| {
            admits(
                &document,
                claims,
                std::slice::from_ref(&provider),
                &role_arn,
                now,
            )
        });
        Some(generated)
    };
    match choice.scope {
        Some(name) => {
            let Some((scope, _)) = scopes.iter().find(|(scope, _)| scope.name == name) else {
                return Err(GenerateError::UnknownScope {
                    platform: platform.map_or("this issuer", Platform::name),
                    scope: name.to_owned(),
                    known: scopes
                        .iter()
                        .map(|(scope, _)| scope.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            build(scope).ok_or_else(|| GenerateError::DoesNotFit {
                scope: scope.name,
                about: scope.about,
                fitting: fitting(),
            })
        }
        None => scopes
            .iter()
            .filter(|(scope, fits)| *fits && scope.pick == Pick::Default)
            .filter_map(|(scope, _)| build(scope))
            .find(|generated| generated.admits_token)
            .ok_or_else(|| GenerateError::NoDefault { fitting: fitting() }),
    }
}

/// The trust policy: one statement trusting the provider, with `aud` and `sub` pinned.
fn policy_document(
    provider: &Provider,
    claims: &Map<String, Value>,
    audience: &str,
    subject: &str,
    wildcard: bool,
    extra: &[(String, String)],
    scope: &Scope,
) -> Value {
    let prefix = provider.key_prefix();
    let mut equals = Map::new();
    equals.insert(format!("{prefix}:aud"), json!(escape_variables(audience)));
    let mut like = Map::new();
    if wildcard {
        like.insert(format!("{prefix}:sub"), json!(subject));
    } else {
        equals.insert(format!("{prefix}:sub"), json!(subject));
    }
    for (claim, value) in extra {
        equals.insert(format!("{prefix}:{claim}"), json!(escape_variables(value)));
    }
    let mut condition = Map::new();
    condition.insert("StringEquals".to_owned(), Value::Object(equals));
    if !like.is_empty() {
        condition.insert("StringLike".to_owned(), Value::Object(like));
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": sid(scope.name),
            "Effect": "Allow",
            "Principal": {"Federated": provider.arn},
            "Action": required_actions(claims),
            "Condition": condition,
        }]
    })
}

/// `Trustlens` + the scope's name in CamelCase (Sids are alphanumeric).
fn sid(scope: &str) -> String {
    let mut sid = "Trustlens".to_owned();
    for word in scope.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            sid.push(first.to_ascii_uppercase());
            sid.extend(chars);
        }
    }
    sid
}

/// `$` written so that IAM reads it literally (`${$}`), not as the start of a policy variable.
fn escape_variables(text: &str) -> String {
    text.replace('$', "${$}")
}

/// Text from a token put into a `StringLike` pattern: `*`, `?` and `$` taken literally.
fn escape_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            other => out.push(other),
        }
    }
    out
}

/// One part of a filled template: text, and whether its `*` and `?` are wildcards.
struct Part {
    text: String,
    wild: bool,
}

/// Fills `template`; `None` when it names a field or claim the token lacks.
fn fill(
    template: &str,
    claims: &Map<String, Value>,
    sub: &str,
    fields: &[(String, String)],
    pattern: Option<&str>,
) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut literal = String::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            literal.push('{');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            literal.push('}');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('{') {
            let end = after.find('}')?;
            let name = &after[..end];
            rest = &after[end + 1..];
            if !literal.is_empty() {
                parts.push(Part {
                    text: std::mem::take(&mut literal),
                    wild: true,
                });
            }
            let field = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            let (text, wild) = match name {
                "sub" => (sub.to_owned(), false),
                "pattern" => match (pattern, field("tag")) {
                    (Some(pattern), _) => (pattern.to_owned(), true),
                    (None, Some(tag)) => (tag, false),
                    (None, None) => ("*".to_owned(), true),
                },
                _ => match name.strip_prefix("claim.") {
                    Some(claim) => (claims.get(claim)?.as_str()?.to_owned(), false),
                    None => (field(name)?, false),
                },
            };
            parts.push(Part { text, wild });
        } else {
            let next = rest.find(['{', '}']).unwrap_or(rest.len()).max(1);
            let (head, tail) = rest.split_at(next.min(rest.len()));
            literal.push_str(head);
            rest = tail;
        }
    }
    if !literal.is_empty() {
        parts.push(Part {
            text: literal,
            wild: true,
        });
    }
    Some(parts)
}

/// Plain text of filled parts (for claims and sibling subjects).
fn plain(parts: &[Part]) -> String {
    parts.iter().map(|part| part.text.as_str()).collect()
}

/// A scope filled from a token: the subject, whether it needs `StringLike`, and the extra
/// `(claim, value)` conditions.
type FilledScope = (String, bool, Vec<(String, String)>);

/// The scope's subject (and whether it needs `StringLike`) and its extra conditions; `None`
/// when the scope does not fit the token.
fn fill_scope(
    scope: &Scope,
    claims: &Map<String, Value>,
    sub: &str,
    fields: &[(String, String)],
    pattern: Option<&str>,
) -> Option<FilledScope> {
    if !platforms::meets(scope.requires, fields) {
        return None;
    }
    let parts = fill(scope.subject, claims, sub, fields, pattern)?;
    let wildcard = parts
        .iter()
        .any(|part| part.wild && part.text.contains(['*', '?']));
    let subject = if wildcard {
        parts
            .iter()
            .map(|part| {
                if part.wild {
                    part.text.replace('$', "${$}")
                } else {
                    escape_pattern(&part.text)
                }
            })
            .collect()
    } else {
        escape_variables(&plain(&parts))
    };
    let extra = scope
        .extra
        .iter()
        .map(|(claim, template)| {
            fill(template, claims, sub, fields, None)
                .map(|parts| ((*claim).to_owned(), plain(&parts)))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((subject, wildcard, extra))
}

/// Whether the trust policy admits a job with `claims`: the engine's decision on the policy
/// (the token's own pre-checks, such as expiry, are not the policy's doing).
fn admits(
    document: &PolicyDocument,
    claims: &Map<String, Value>,
    providers: &[Provider],
    role_arn: &str,
    now: i64,
) -> bool {
    let verdict = explain(&ExplainInputs {
        token: None,
        claims,
        policy: document,
        providers,
        role_arn,
        session_name: "trustlens",
        role_tags: &[],
        context_overrides: &[],
        region: None,
        signature: None,
        now,
    });
    // A verdict that turns on values only the real call has (the caller's IP, …) may admit.
    matches!(
        verdict.policy.decision,
        PolicyDecision::Allowed | PolicyDecision::Conditional { .. }
    )
}

/// One row of a blast radius: a job identity and whether the policy admits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admission {
    /// Who it is (`this job`, `a pull request`, …).
    pub identity: &'static str,
    /// Its `sub`.
    pub sub: String,
    /// The claims it carries that differ from the token's (`null`: it has no such claim).
    pub changed: Map<String, Value>,
    /// Whether the trust policy admits it (by the engine).
    pub admitted: bool,
}

/// Label of the token's own row.
pub const THIS_JOB: &str = "this job";

/// What else `document` admits: the token's own job, then sibling identities derived from its
/// claims (other branches, pull requests, tags, repositories…), each evaluated by the engine
/// with the token's claims changed as that job's would be.
pub fn blast_radius(
    document: &PolicyDocument,
    claims: &Map<String, Value>,
    providers: &[Provider],
    role_arn: &str,
    now: i64,
) -> Vec<Admission> {
    let (platform, sub) = platform_and_sub(claims);
    let sub = sub.unwrap_or_default();
    let mut rows = vec![Admission {
        identity: THIS_JOB,
        sub: sub.to_owned(),
        changed: Map::new(),
        admitted: admits(document, claims, providers, role_arn, now),
    }];
    let Some(platform) = platform else {
        return rows;
    };
    let fields = platforms::subject_fields(platform, sub);
    if fields.is_empty() {
        return rows;
    }
    for sibling in platforms::siblings(platform) {
        if !platforms::meets(sibling.requires, &fields) {
            continue;
        }
        let Some(sibling_sub) =
            fill(sibling.subject, claims, sub, &fields, None).map(|p| plain(&p))
        else {
            continue;
        };
        if sibling_sub == sub {
            continue;
        }
        let mut changed = Map::new();
        changed.insert("sub".to_owned(), json!(sibling_sub));
        let mut complete = true;
        for (claim, template) in sibling.claims {
            match template {
                Some(template) => match fill(template, claims, sub, &fields, None) {
                    Some(parts) => {
                        changed.insert((*claim).to_owned(), json!(plain(&parts)));
                    }
                    None => complete = false,
                },
                None if claims.contains_key(*claim) => {
                    changed.insert((*claim).to_owned(), Value::Null);
                }
                None => {}
            }
        }
        if !complete {
            continue;
        }
        let sibling_claims = with_changes(claims, &changed);
        rows.push(Admission {
            identity: sibling.label,
            sub: sibling_sub,
            admitted: admits(document, &sibling_claims, providers, role_arn, now),
            changed,
        });
    }
    rows
}

/// `claims` as a sibling job's: each of `changed` set, or removed where it is `null`.
fn with_changes(claims: &Map<String, Value>, changed: &Map<String, Value>) -> Map<String, Value> {
    let mut sibling = claims.clone();
    for (claim, value) in changed {
        match value {
            Value::Null => {
                sibling.remove(claim);
            }
            value => {
                sibling.insert(claim.clone(), value.clone());
            }
        }
    }
    sibling
}

#[cfg(test)]
mod tests;
