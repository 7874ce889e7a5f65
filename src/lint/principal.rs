//! Principals and actions: wildcards, NotPrincipal, Resource, the action a federated principal
//! needs, malformed or missing providers, and `sts:TagSession` for session tags (tested, or
//! sent by a platform that can send them).

use super::Raw;
use super::facts::{Facts, StatementFacts, push, push_admits};
use super::fix::{Edit, LintFix};
use super::rules::{Rule, tl};
use crate::arn::Arn;
use crate::eval::{ASSUME_ACTION, Fix, TAG_SESSION_ACTION};
use crate::platforms::{Platform, detect};
use crate::policy::{PrincipalSet, PrincipalType};

const PRINCIPAL_WILDCARD: &Rule = tl(1);
const NOT_PRINCIPAL: &Rule = tl(2);
const RESOURCE: &Rule = tl(3);
const FEDERATED_ASSUME_ROLE: &Rule = tl(4);
const MALFORMED_FEDERATED: &Rule = tl(5);
const OTHER_ACCOUNT: &Rule = tl(6);
const PROVIDER_MISSING: &Rule = tl(7);
const TAG_SESSION: &Rule = tl(8);
const TAGGING_PLATFORM: &Rule = tl(44);

/// Session-tag condition keys (aws-web-identity.md §4.6).
const TAG_KEYS: [&str; 3] = ["aws:requesttag/", "aws:tagkeys", "sts:transitivetagkeys"];

pub(super) fn check(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    for statement in &facts.statements {
        wildcard(statement, out);
        not_principal_and_resource(facts, statement, out);
        actions(statement, out);
        federated(facts, statement, out);
    }
}

fn wildcard(statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let Some(principal) = &statement.statement.principal else {
        return;
    };
    if !statement.allows() || principal.negated {
        return;
    }
    let path = statement.path.key("Principal");
    match &principal.set {
        PrincipalSet::Anyone => push_admits(
            out,
            PRINCIPAL_WILDCARD,
            "`\"Principal\": \"*\"` trusts everyone".to_owned(),
            path.clone(),
            LintFix::Edit(Edit::SetPrincipal {
                statement: statement.statement.index,
                replaces: "*".to_owned(),
                value: "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER".to_owned(),
                template: true,
            }),
            "anyone".to_owned(),
        ),
        PrincipalSet::Typed(types) => {
            for (kind, ids) in types {
                for (index, id) in ids.iter().enumerate() {
                    if id == "*" {
                        push_admits(
                            out,
                            PRINCIPAL_WILDCARD,
                            format!(
                                "`{}: \"*\"` trusts every principal of that type",
                                kind.as_str()
                            ),
                            path.key(kind.as_str()).index(index),
                            LintFix::Edit(Edit::SetPrincipal {
                                statement: statement.statement.index,
                                replaces: "*".to_owned(),
                                value: "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER".to_owned(),
                                template: true,
                            }),
                            "anyone".to_owned(),
                        );
                    }
                }
            }
        }
    }
}

fn not_principal_and_resource(
    facts: &Facts<'_>,
    statement: &StatementFacts<'_>,
    out: &mut Vec<Raw>,
) {
    if statement
        .statement
        .principal
        .as_ref()
        .is_some_and(|p| p.negated)
    {
        let path = statement.path.key("NotPrincipal");
        push(
            out,
            NOT_PRINCIPAL,
            "NotPrincipal is not allowed in a trust policy".to_owned(),
            path.clone(),
            LintFix::Edit(Edit::RemoveElement {
                path: path.to_string(),
            }),
        );
    }
    if statement.statement.has_resource {
        let resource = statement.path.key("Resource");
        let path = if crate::json::locate(facts.inputs.text.as_bytes(), &resource).is_some() {
            resource
        } else {
            statement.path.key("NotResource")
        };
        push(
            out,
            RESOURCE,
            "a trust policy names no Resource: the role itself is the resource".to_owned(),
            path.clone(),
            LintFix::Edit(Edit::RemoveElement {
                path: path.to_string(),
            }),
        );
    }
}

fn actions(statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let actions = &statement.statement.actions;
    if actions.negated || statement.oidc().next().is_none() {
        return;
    }
    let covers = |wanted: &str| {
        actions.patterns.iter().any(|pattern| {
            super::facts::glob(&pattern.to_ascii_lowercase(), &wanted.to_ascii_lowercase())
        })
    };
    let wrong = actions.patterns.iter().enumerate().find(|(_, p)| {
        p.eq_ignore_ascii_case("sts:AssumeRole") || p.eq_ignore_ascii_case("sts:AssumeRoleWithSAML")
    });
    if let Some((index, wrong)) = wrong
        && !covers(ASSUME_ACTION)
    {
        let path = if actions.patterns.len() == 1 {
            statement.path.key("Action")
        } else {
            statement.path.key("Action").index(index)
        };
        push(
            out,
            FEDERATED_ASSUME_ROLE,
            format!("the OIDC principal is allowed `{wrong}`, but its jobs call {ASSUME_ACTION}"),
            path,
            LintFix::Engine(Fix::ReplaceAction {
                statement: statement.statement.index,
                from: wrong.clone(),
                to: ASSUME_ACTION.to_owned(),
            }),
        );
    }
    let tags = statement.statement.conditions.iter().find(|c| {
        let key = c.key.to_ascii_lowercase();
        TAG_KEYS.iter().any(|tag| key.starts_with(tag))
    });
    let tagging = statement
        .oidc()
        .filter_map(|trusted| trusted.url.and_then(detect))
        .find(|platform| matches!(platform, Platform::Semaphore | Platform::Buildkite));
    if let (None, Some(platform)) = (tags, tagging)
        && statement.allows()
        && !covers(TAG_SESSION_ACTION)
    {
        push(
            out,
            TAGGING_PLATFORM,
            format!(
                "{} tokens carry session tags once the organization turns them on; this statement does not allow {TAG_SESSION_ACTION}, so they would then be denied",
                platform.name()
            ),
            statement.path.key("Action"),
            LintFix::Engine(Fix::AddAction {
                statement: statement.statement.index,
                action: TAG_SESSION_ACTION.to_owned(),
            }),
        );
    }
    if let Some(condition) = tags
        && statement.allows()
        && !covers(TAG_SESSION_ACTION)
    {
        push(
            out,
            TAG_SESSION,
            format!(
                "`{}` tests session tags, but the statement does not allow {TAG_SESSION_ACTION}",
                condition.key
            ),
            statement.condition_path(condition),
            LintFix::Engine(Fix::AddAction {
                statement: statement.statement.index,
                action: TAG_SESSION_ACTION.to_owned(),
            }),
        );
    }
}

fn federated(facts: &Facts<'_>, statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let Some(PrincipalSet::Typed(types)) = statement.statement.principal.as_ref().map(|p| &p.set)
    else {
        return;
    };
    let has_federated = types
        .iter()
        .any(|(kind, _)| *kind == PrincipalType::Federated);
    if !has_federated {
        return;
    }
    for trusted in &statement.trusted {
        let path = statement.principal_path(trusted);
        if trusted.raw == "*" {
            continue;
        }
        if !trusted.is_oidc() && !trusted.saml {
            let host = crate::account::strip_scheme(trusted.raw);
            let value = if Arn::parse(trusted.raw).is_ok() {
                "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER".to_owned()
            } else {
                format!("arn:aws:iam::ACCOUNT:oidc-provider/{host}")
            };
            push(
                out,
                MALFORMED_FEDERATED,
                format!(
                    "`{}` is neither an OIDC provider ARN nor a provider built into IAM",
                    trusted.raw
                ),
                path,
                LintFix::Edit(Edit::SetPrincipal {
                    statement: statement.statement.index,
                    replaces: trusted.raw.to_owned(),
                    value,
                    template: true,
                }),
            );
            continue;
        }
        let (Some(account), Some(url), Some(provider_account)) =
            (facts.inputs.account, trusted.url, trusted.account)
        else {
            continue;
        };
        if provider_account != account.account_id {
            push(
                out,
                OTHER_ACCOUNT,
                format!(
                    "the provider is in account {provider_account}, the role in {}",
                    account.account_id
                ),
                path,
                LintFix::Engine(Fix::TrustProvider {
                    statement: statement.statement.index,
                    provider_arn: trusted
                        .raw
                        .replacen(provider_account, account.account_id, 1),
                }),
            );
        } else if !account.providers.iter().any(|p| p.arn == trusted.raw) {
            push(
                out,
                PROVIDER_MISSING,
                format!("the account has no OIDC provider {}", trusted.raw),
                path,
                LintFix::Engine(Fix::CreateProvider {
                    url: format!("https://{url}"),
                    partition: Arn::parse(trusted.raw)
                        .map(|arn| arn.partition().to_owned())
                        .unwrap_or_else(|_| "aws".to_owned()),
                    account: account.account_id.to_owned(),
                    client_id: None,
                    close_provider_arn: account
                        .providers
                        .iter()
                        .find(|p| {
                            p.url.eq_ignore_ascii_case(url)
                                || p.url.trim_end_matches('/') == url.trim_end_matches('/')
                        })
                        .map(|p| p.arn.clone()),
                }),
            );
        }
    }
}
