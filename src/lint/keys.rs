//! Condition keys: repeated JSON members, keys that differ only by case, claims STS never
//! turns into keys, prefixes that are not the trusted provider's, and the audience (missing,
//! not registered, not what the platform sends).

use super::Raw;
use super::facts::{Facts, StatementFacts, has_wildcard, oidc_key, pins, push};
use super::fix::{Edit, LintFix};
use super::rules::{Rule, tl};
use crate::eval::{Fix, GENERIC_CLAIMS, exposed_claims};
use crate::platforms::{Platform, detect};
use crate::policy::SetQualifier;

const REPEATED_MEMBER: &Rule = tl(32);
const CASE_DUPLICATE: &Rule = tl(33);
const NEVER_POPULATED: &Rule = tl(34);
const PREFIX_MISMATCH: &Rule = tl(35);
const AUDIENCE_UNCHECKED: &Rule = tl(36);
const AUDIENCE_UNREGISTERED: &Rule = tl(37);
const AUDIENCE_NOT_DEFAULT: &Rule = tl(38);

/// Claims of the built-in providers that AWS documents beyond the generic ones
/// (aws-web-identity.md §4.4); `azp` and `oaud` are listed by older or uncertain sources and
/// are never flagged.
const BUILT_IN_CLAIMS: [(&str, &[&str]); 2] = [
    ("graph.facebook.com", &["app_id", "id"]),
    ("www.amazon.com", &["app_id", "user_id"]),
];
const UNCERTAIN_CLAIMS: [&str; 2] = ["azp", "oaud"];

pub(super) fn check(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    for finding in &facts.document.findings {
        push(
            out,
            REPEATED_MEMBER,
            finding.message.clone(),
            finding.path.clone(),
            LintFix::Edit(Edit::RemoveElement {
                path: finding.path.to_string(),
            }),
        );
    }
    for statement in &facts.statements {
        case_duplicates(statement, out);
        claims(statement, out);
        audience(facts, statement, out);
    }
}

fn case_duplicates(statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let conditions = &statement.statement.conditions;
    for (index, condition) in conditions.iter().enumerate() {
        let earlier = conditions[..index].iter().find(|c| {
            c.key != condition.key
                && c.key.eq_ignore_ascii_case(&condition.key)
                && c.operator.raw == condition.operator.raw
        });
        if let Some(earlier) = earlier {
            push(
                out,
                CASE_DUPLICATE,
                format!(
                    "`{}` and `{}` are one key to IAM",
                    earlier.key, condition.key
                ),
                statement.condition_path(condition),
                LintFix::Edit(Edit::RemoveElement {
                    path: statement.condition_path(condition).to_string(),
                }),
            );
        }
    }
}

fn claims(statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let urls: Vec<&str> = statement.oidc().filter_map(|t| t.url).collect();
    if urls.is_empty() {
        return;
    }
    let exposed: Vec<_> = urls.iter().map(|url| exposed_claims(url)).collect();
    for (index, condition) in statement.statement.conditions.iter().enumerate() {
        let Some((prefix, claim)) = oidc_key(&condition.key) else {
            continue;
        };
        let Some(at) = urls.iter().position(|url| url.eq_ignore_ascii_case(prefix)) else {
            let url = urls[0];
            push(
                out,
                PREFIX_MISMATCH,
                format!(
                    "`{}` is not a key of the trusted provider {url}: its keys are `{url}:…`",
                    condition.key
                ),
                statement.condition_path(condition),
                LintFix::Edit(Edit::RenameKey {
                    statement: statement.statement.index,
                    operator: condition.operator.raw.clone(),
                    from: condition.key.clone(),
                    to: format!("{url}:{claim}"),
                }),
            );
            continue;
        };
        let url = &urls[at];
        let exposed = &exposed[at];
        let lower = claim.to_ascii_lowercase();
        let built_in = BUILT_IN_CLAIMS
            .iter()
            .find(|(host, _)| host.eq_ignore_ascii_case(url))
            .map_or(&[][..], |(_, claims)| *claims);
        let known = GENERIC_CLAIMS.contains(&lower.as_str())
            || UNCERTAIN_CLAIMS.contains(&lower.as_str())
            || exposed.extra.iter().any(|c| c.eq_ignore_ascii_case(claim))
            || built_in.iter().any(|c| c.eq_ignore_ascii_case(claim));
        if known {
            continue;
        }
        let operator = &condition.operator;
        let vacuous = operator.kind.is_negated()
            || operator.if_exists
            || operator.set == Some(SetQualifier::ForAllValues)
            || operator.kind == crate::policy::OperatorKind::Null;
        let effect = if vacuous {
            "always met (the key is always missing)"
        } else {
            "never met: the statement can never match"
        };
        push(
            out,
            NEVER_POPULATED,
            format!(
                "STS never sets `{}` for {url}: this {} condition is {effect}",
                condition.key, operator.raw
            ),
            statement.condition_path(condition),
            LintFix::Engine(Fix::UseSubInstead {
                statement: statement.statement.index,
                condition: index,
                key: condition.key.clone(),
                prefix: (*url).to_owned(),
            }),
        );
    }
}

/// The audience a platform's tokens carry by default, for the provider at `url`.
fn platform_audience(url: &str) -> Option<(String, &'static str)> {
    match detect(url)? {
        Platform::GitHubActions => Some((
            "sts.amazonaws.com".to_owned(),
            "GitHub's configure-aws-credentials requests",
        )),
        Platform::Eks => Some((
            "sts.amazonaws.com".to_owned(),
            "EKS service-account tokens carry",
        )),
        Platform::Semaphore => Some((format!("https://{url}"), "Semaphore's tokens carry")),
        Platform::CircleCi => url.rsplit('/').next().map(|org| {
            (
                org.to_owned(),
                "CircleCI's tokens carry (the organization ID)",
            )
        }),
        _ => None,
    }
}

fn audience(facts: &Facts<'_>, statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    if !statement.allows() {
        return;
    }
    for trusted in statement.oidc().filter(|t| !t.is_built_in()) {
        let Some(url) = trusted.url else { continue };
        let conditions: Vec<_> = statement.conditions_on(url, "aud").collect();
        let default = platform_audience(url);
        if conditions.is_empty() {
            let (value, template) = match &default {
                Some((value, _)) => (value.clone(), false),
                None => ("AUDIENCE".to_owned(), true),
            };
            push(
                out,
                AUDIENCE_UNCHECKED,
                format!("no condition on `{url}:aud`"),
                statement.principal_path(trusted),
                LintFix::Edit(Edit::AddCondition {
                    statement: statement.statement.index,
                    operator: "StringEquals".to_owned(),
                    key: format!("{url}:aud"),
                    value,
                    template,
                }),
            );
            continue;
        }
        let provider = facts
            .inputs
            .account
            .and_then(|account| account.providers.iter().find(|p| p.arn == trusted.raw));
        for (index, condition) in conditions {
            if !pins(condition) || condition.operator.kind.is_negated() {
                continue;
            }
            let exact: Vec<&String> = condition
                .values
                .iter()
                .filter(|v| !has_wildcard(v))
                .collect();
            if let Some(provider) = provider {
                for value in &exact {
                    if !provider.client_ids.iter().any(|id| id == *value) {
                        push(
                            out,
                            AUDIENCE_UNREGISTERED,
                            format!(
                                "\"{value}\" is not among the client IDs of {}",
                                provider.arn
                            ),
                            statement.condition_path(condition),
                            LintFix::Engine(Fix::AddClientId {
                                provider_arn: provider.arn.clone(),
                                client_id: (*value).clone(),
                            }),
                        );
                    }
                }
            }
            if let Some((expected, who)) = &default
                && !exact.is_empty()
                && exact.len() == condition.values.len()
                && !exact
                    .iter()
                    .any(|v| *v == expected || v.starts_with("https://github.com/"))
            {
                push(
                    out,
                    AUDIENCE_NOT_DEFAULT,
                    format!(
                        "{who} \"{expected}\", not {}: jobs are refused unless they request this audience",
                        exact
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    statement.condition_path(condition),
                    LintFix::Engine(Fix::AddConditionValue {
                        statement: statement.statement.index,
                        condition: index,
                        operator: condition.operator.raw.clone(),
                        key: condition.key.clone(),
                        value: expected.clone(),
                    }),
                );
            }
        }
    }
}
