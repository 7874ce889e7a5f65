//! Who may assume the role: shared issuers and their tenant keys (IAM's guardrail table),
//! principals without conditions, subjects open to all or wildcarded in the owner, pull
//! requests beside branches, name-based and immutable GitHub subjects, built-in providers.

use super::Raw;
use super::facts::{
    Facts, StatementFacts, Trusted, has_wildcard, oidc_key, pins, push, push_admits,
};
use super::fix::{Edit, LintFix};
use super::rules::{Rule, tl};
use crate::eval::exposed_claims;
use crate::platforms::{Platform, detect};
use crate::policy::Condition;

const SHARED_WITHOUT_TENANT: &Rule = tl(9);
const NO_CONDITIONS: &Rule = tl(10);
const OPEN_TO_ALL: &Rule = tl(11);
const OWNER_WILDCARD: &Rule = tl(12);
const BROAD: &Rule = tl(13);
const PULL_REQUESTS: &Rule = tl(14);
const NAME_BASED: &Rule = tl(15);
const ID_WILDCARD: &Rule = tl(16);
const DEPRECATED_ISSUER: &Rule = tl(17);
const BUILT_IN_UNPINNED: &Rule = tl(18);
const USER_CONTROLLABLE: &Rule = tl(19);
const PROVIDER_KEYS_ONLY: &Rule = tl(20);

/// Shared issuers and the key IAM requires their trust policies to evaluate
/// (lint-cloudtrail-generation.md §1.2, IAM's "Identity-provider controls for shared OIDC
/// providers"). Built-in providers are [`BUILT_IN_UNPINNED`]'s.
const SHARED_ISSUERS: [(&str, &str); 15] = [
    ("token.actions.githubusercontent.com", "sub"),
    ("vstoken.actions.githubusercontent.com", "sub"),
    ("oidc-configuration.audit-log.githubusercontent.com", "sub"),
    ("gitlab.com", "sub"),
    ("app.terraform.io", "sub"),
    ("agent.buildkite.com", "sub"),
    ("oidc.codefresh.io", "sub"),
    ("studio.datachain.ai/api", "sub"),
    ("scalr.io", "sub"),
    ("tokens.cloud.shisho.dev", "sub"),
    ("proidc.upbound.io", "sub"),
    (
        "oidc.op1.openshiftapps.com/2f785sojlpb85i7402pk3qogugim5nfb",
        "sub",
    ),
    ("oidc.vercel.com", "aud"),
    ("api.pulumi.com/oidc", "aud"),
    ("sandboxes.cloud", "aud"),
];

/// Azure Sentinel's shared issuer: the tenant is the session name.
const SESSION_NAME_ISSUER: &str = "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d";

/// Claims any repository can choose, which must not lead a subject (Checkov's
/// `gh_abusable_claims`).
const USER_CHOSEN: [&str; 6] = [
    "workflow:",
    "environment:",
    "ref:",
    "context:",
    "head_ref:",
    "base_ref:",
];

/// Built-in providers and the claims that pin their application.
const BUILT_IN_PINS: [(&str, &[&str]); 4] = [
    (
        "accounts.google.com",
        &["aud", "oaud", "google/organization_number"],
    ),
    ("cognito-identity.amazonaws.com", &["aud"]),
    ("graph.facebook.com", &["app_id"]),
    ("www.amazon.com", &["app_id"]),
];

pub(super) fn check(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    for statement in facts.statements.iter().filter(|s| s.allows()) {
        for trusted in statement.oidc() {
            principal(statement, trusted, out);
        }
        subjects(statement, out);
    }
    pull_requests(facts, out);
}

fn is_github(url: &str) -> bool {
    detect(url) == Some(Platform::GitHubActions)
        || url.starts_with("vstoken.actions.githubusercontent.com")
}

/// Who can assume a role that trusts the shared issuer at `url` without its tenant key.
fn tenants(url: &str) -> String {
    match detect(url) {
        _ if is_github(url) => "any repository on GitHub".to_owned(),
        Some(Platform::GitLab) => "any project on GitLab.com".to_owned(),
        Some(Platform::HcpTerraform) => "any HCP Terraform workspace".to_owned(),
        Some(Platform::Buildkite) => "any Buildkite pipeline".to_owned(),
        _ => format!("any customer of {url}"),
    }
}

/// A subject to fill in for the platform at `url`.
fn subject_template(url: &str) -> (&'static str, &'static str) {
    match detect(url) {
        Some(Platform::GitHubActions) => ("StringEquals", "repo:OWNER/REPO:ref:refs/heads/BRANCH"),
        Some(Platform::GitLab) => (
            "StringEquals",
            "project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH",
        ),
        Some(Platform::HcpTerraform) => (
            "StringLike",
            "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:*",
        ),
        Some(Platform::Buildkite) => (
            "StringLike",
            "organization:ORG:pipeline:PIPELINE:ref:refs/heads/BRANCH:*",
        ),
        Some(Platform::Semaphore) => (
            "StringEquals",
            "org:ORG:project:PROJECT_ID:repo:REPO:ref_type:branch:ref:refs/heads/BRANCH",
        ),
        Some(Platform::Eks) => (
            "StringEquals",
            "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT",
        ),
        _ => ("StringEquals", "SUBJECT"),
    }
}

fn principal(statement: &StatementFacts<'_>, trusted: &Trusted<'_>, out: &mut Vec<Raw>) {
    let Some(url) = trusted.url else { return };
    let lower = url.to_ascii_lowercase();
    let index = statement.statement.index;
    let path = || statement.principal_path(trusted);
    if lower.starts_with("vstoken.actions.githubusercontent.com") {
        push(
            out,
            DEPRECATED_ISSUER,
            format!(
                "`{url}` is GitHub's old issuer; github.com tokens come from token.actions.githubusercontent.com"
            ),
            path(),
            LintFix::Edit(Edit::SetPrincipal {
                statement: index,
                replaces: trusted.raw.to_owned(),
                value: trusted.raw.replacen(
                    "vstoken.actions.githubusercontent.com",
                    "token.actions.githubusercontent.com",
                    1,
                ),
                template: false,
            }),
        );
    }
    if let Some((_, claims)) = BUILT_IN_PINS.iter().find(|(host, _)| *host == lower) {
        let pinned = claims.iter().any(|claim| {
            statement.conditions_on(url, claim).any(|(_, c)| {
                pins(c) || c.operator.kind == crate::policy::OperatorKind::NumericEquals
            })
        });
        if !pinned {
            push_admits(
                out,
                BUILT_IN_UNPINNED,
                format!(
                    "{url} is trusted without a condition on `{url}:{}`",
                    claims[0]
                ),
                path(),
                LintFix::Edit(Edit::AddCondition {
                    statement: index,
                    operator: "StringEquals".to_owned(),
                    key: format!("{url}:{}", claims[0]),
                    value: "APPLICATION_ID".to_owned(),
                    template: true,
                }),
                format!("any application of {url}"),
            );
        }
        return;
    }
    let shared = SHARED_ISSUERS
        .iter()
        .find(|(host, _)| *host == lower)
        .map(|(_, claim)| *claim)
        .or((lower == SESSION_NAME_ISSUER).then_some("sts:RoleSessionName"));
    let own: Vec<&Condition> = statement.conditions_of(url).map(|(_, c)| c).collect();
    if let Some(claim) = shared {
        let github = is_github(url);
        let tenant_key = |c: &Condition| {
            if claim.starts_with("sts:") {
                c.key.eq_ignore_ascii_case(claim)
            } else {
                oidc_key(&c.key).is_some_and(|(prefix, found)| {
                    prefix.eq_ignore_ascii_case(url)
                        && (found.eq_ignore_ascii_case(claim)
                            || (github && found.eq_ignore_ascii_case("job_workflow_ref")))
                })
            }
        };
        let pinned = statement
            .statement
            .conditions
            .iter()
            .any(|c| tenant_key(c) && pins(c) && c.values.iter().any(|v| v != "*"));
        if pinned {
            return;
        }
        let provider_keys = exposed_claims(url);
        let only_provider_keys = github
            && own.iter().any(|c| {
                oidc_key(&c.key).is_some_and(|(_, found)| provider_keys.extra.contains(&found))
            });
        let key = if claim.starts_with("sts:") {
            claim.to_owned()
        } else {
            format!("{url}:{claim}")
        };
        let (operator, value) = match claim {
            "sub" => subject_template(url),
            "aud" => ("StringEquals", "TENANT_AUDIENCE"),
            _ => ("StringEquals", "TENANT_SESSION_NAME"),
        };
        let fix = LintFix::Edit(Edit::AddCondition {
            statement: index,
            operator: operator.to_owned(),
            key: key.clone(),
            value: value.to_owned(),
            template: true,
        });
        if only_provider_keys {
            push(
                out,
                PROVIDER_KEYS_ONLY,
                format!(
                    "{url} is constrained only by provider-specific keys; IAM requires `{url}:sub` or `{url}:job_workflow_ref`"
                ),
                path(),
                fix,
            );
        } else {
            push_admits(
                out,
                SHARED_WITHOUT_TENANT,
                format!(
                    "{url} is a shared issuer, trusted without a condition on `{key}`: every one of its customers can assume the role"
                ),
                path(),
                fix,
                tenants(url),
            );
        }
        return;
    }
    if own.is_empty() {
        let (operator, value) = subject_template(url);
        push_admits(
            out,
            NO_CONDITIONS,
            format!(
                "{url} is trusted with no condition on its keys: every token it issues is admitted"
            ),
            path(),
            LintFix::Edit(Edit::AddCondition {
                statement: index,
                operator: operator.to_owned(),
                key: format!("{url}:sub"),
                value: value.to_owned(),
                template: true,
            }),
            format!("every job of {url}"),
        );
    }
}

/// `repo:*`, `*`, `repo:*/*`: wildcards and separators only after an optional field name.
fn open_to_all(value: &str) -> bool {
    let rest = value
        .split_once(':')
        .filter(|(head, _)| head.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .map_or(value, |(_, rest)| rest);
    has_wildcard(value) && rest.chars().all(|c| matches!(c, '*' | '?' | '/' | ':'))
}

/// The owner part of a subject (between the first `:` and the first `/` after it).
fn owner_part(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once(':')?;
    rest.split_once('/').map(|(owner, _)| owner)
}

fn subjects(statement: &StatementFacts<'_>, out: &mut Vec<Raw>) {
    let index = statement.statement.index;
    let urls: Vec<&str> = statement.oidc().filter_map(|t| t.url).collect();
    for url in urls {
        let github = is_github(url);
        let has_ids = statement
            .conditions_on(url, "repository_id")
            .next()
            .is_some()
            || statement
                .conditions_on(url, "repository_owner_id")
                .next()
                .is_some();
        for (_, condition) in statement.conditions_on(url, "sub") {
            if condition.operator.kind.is_negated() {
                continue;
            }
            let like = condition.operator.kind == crate::policy::OperatorKind::StringLike;
            let path = || statement.condition_path(condition);
            let replace = |value: &str, template: &str| {
                LintFix::Edit(Edit::ReplaceValue {
                    statement: index,
                    operator: condition.operator.raw.clone(),
                    key: condition.key.clone(),
                    replaces: value.to_owned(),
                    value: template.to_owned(),
                    template: true,
                })
            };
            let (_, template) = subject_template(url);
            let mut named = false;
            for value in &condition.values {
                let wild = like && has_wildcard(value);
                if wild && open_to_all(value) {
                    push_admits(
                        out,
                        OPEN_TO_ALL,
                        format!(
                            "`{}` = \"{value}\" admits every subject of {url}",
                            condition.key
                        ),
                        path(),
                        replace(value, template),
                        tenants(url),
                    );
                } else if wild && github && (value.contains("@*") || value.contains("@?")) {
                    push_admits(
                        out,
                        ID_WILDCARD,
                        format!("\"{value}\" has a wildcard over an immutable `@ID`"),
                        path(),
                        replace(value, template),
                        format!(
                            "any owner whose name matches \"{}\"",
                            owner_part(value).unwrap_or_default()
                        ),
                    );
                } else if wild && owner_part(value).is_some_and(has_wildcard) {
                    push_admits(
                        out,
                        OWNER_WILDCARD,
                        format!(
                            "\"{value}\" has a wildcard in the owner: anyone can register an owner that matches"
                        ),
                        path(),
                        replace(value, template),
                        "any owner that takes the name".to_owned(),
                    );
                } else if wild {
                    push(
                        out,
                        BROAD,
                        format!(
                            "\"{value}\" has a wildcard: it admits every subject it matches, not one job"
                        ),
                        path(),
                        replace(value, template),
                    );
                }
                if github && USER_CHOSEN.iter().any(|claim| value.starts_with(claim)) {
                    push_admits(
                        out,
                        USER_CONTROLLABLE,
                        format!("\"{value}\" starts with a claim any repository can choose"),
                        path(),
                        replace(value, "repo:OWNER/REPO:environment:ENVIRONMENT"),
                        "any repository that chooses the same name".to_owned(),
                    );
                }
                if github
                    && !has_ids
                    && value.starts_with("repo:")
                    && !owner_part(value).is_some_and(|owner| owner.contains('@'))
                    && !open_to_all(value)
                {
                    named = true;
                }
            }
            if named {
                push(
                    out,
                    NAME_BASED,
                    format!(
                        "`{}` trusts repositories by name; tokens of repositories created or renamed after 2026-06-18 carry `repo:OWNER@ID/REPO@ID:…`",
                        condition.key
                    ),
                    path(),
                    LintFix::Edit(Edit::AddCondition {
                        statement: index,
                        operator: "StringEquals".to_owned(),
                        key: format!("{url}:repository_id"),
                        value: "REPOSITORY_ID".to_owned(),
                        template: true,
                    }),
                );
            }
        }
    }
}

/// Markers of pull-request and of branch subjects (GitHub, Semaphore, GitLab-style).
const PR_MARKERS: [&str; 3] = [":pull_request", "ref_type:pull-request", "refs/pull/"];
const BRANCH_MARKERS: [&str; 2] = [":ref:refs/heads/", "ref_type:branch"];

fn pull_requests(facts: &Facts<'_>, out: &mut Vec<Raw>) {
    let mut pull_request = None;
    let mut branch = false;
    for statement in facts.statements.iter().filter(|s| s.allows()) {
        // Only these platforms' subjects tell pull-request jobs from branch jobs.
        let tells = |url: &&str| {
            matches!(
                detect(url),
                Some(Platform::GitHubActions | Platform::Semaphore)
            )
        };
        for url in statement.oidc().filter_map(|t| t.url).filter(tells) {
            for (_, condition) in statement.conditions_on(url, "sub") {
                if condition.operator.kind.is_negated() {
                    continue;
                }
                let like = condition.operator.kind == crate::policy::OperatorKind::StringLike;
                for value in &condition.values {
                    // A trailing wildcard where the context (ref, environment, event) goes.
                    let trailing = like
                        && value.ends_with('*')
                        && !["ref_type:", ":ref:", ":environment:"]
                            .iter()
                            .any(|m| value.contains(m));
                    let pr = PR_MARKERS.iter().any(|m| value.contains(m));
                    if (pr || trailing) && pull_request.is_none() {
                        pull_request = Some((statement, condition, value));
                    }
                    branch |= trailing || BRANCH_MARKERS.iter().any(|m| value.contains(m));
                }
            }
        }
    }
    if let (Some((statement, condition, value)), true) = (pull_request, branch) {
        push(
            out,
            PULL_REQUESTS,
            format!("\"{value}\" admits pull-request jobs, and the role also admits branch jobs"),
            statement.condition_path(condition),
            LintFix::Edit(Edit::RemoveValue {
                statement: statement.statement.index,
                operator: condition.operator.raw.clone(),
                key: condition.key.clone(),
                value: value.clone(),
            }),
        );
    }
}
