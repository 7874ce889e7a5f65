//! `trustlens roles` and `trustlens providers`: the account's roles and OIDC providers.

use serde_json::{Value, json};

use super::input::{load_account, report};
use super::output::table;
use super::output::write_report;
use super::{Context, Exit};
use crate::account::{Account, Role};
use crate::arn::Arn;
use crate::policy::PrincipalType;
use crate::printable::counted;
use crate::session::Session;

/// Runs `roles`.
pub(super) fn run_roles(json_output: bool, session: &Session, context: &mut Context<'_>) -> Exit {
    let account = match load_account(session) {
        Ok(loaded) => loaded.account,
        Err(failure) => return report(&failure, json_output, context),
    };
    let report = if json_output {
        let roles: Vec<Value> = account
            .roles
            .iter()
            .map(|role| {
                let mut value = serde_json::to_value(role).unwrap_or(Value::Null);
                value["trusts"] = json!(trusted(role));
                value
            })
            .collect();
        format!("{:#}\n", Value::Array(roles))
    } else {
        let rows: Vec<Vec<String>> = account
            .roles
            .iter()
            .map(|role| {
                vec![
                    role.name.clone(),
                    role.path.clone(),
                    trusted(role).join(", "),
                    role.description.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(&["NAME", "PATH", "TRUSTS", "DESCRIPTION"], &rows)
    };
    write_report(context.out, &report, json_output, context.style)
}

/// Runs `providers`.
pub(super) fn run_providers(
    json_output: bool,
    session: &Session,
    context: &mut Context<'_>,
) -> Exit {
    let account = match load_account(session) {
        Ok(loaded) => loaded.account,
        Err(failure) => return report(&failure, json_output, context),
    };
    let users = |arn: &str| -> Vec<String> {
        account
            .roles
            .iter()
            .filter(|role| role_trusts(role, arn))
            .map(|role| role.name.clone())
            .collect()
    };
    let report = if json_output {
        let providers: Vec<Value> = account
            .providers
            .iter()
            .map(|provider| {
                let mut value = serde_json::to_value(provider).unwrap_or(Value::Null);
                value["roles"] = json!(users(&provider.arn));
                value
            })
            .collect();
        format!("{:#}\n", Value::Array(providers))
    } else {
        let rows: Vec<Vec<String>> = account
            .providers
            .iter()
            .map(|provider| {
                let roles = users(&provider.arn);
                vec![
                    provider.issuer(),
                    provider.client_ids.join(", "),
                    if roles.is_empty() {
                        "none".to_owned()
                    } else {
                        roles.len().to_string()
                    },
                    provider.create_date.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(
            &["URL", "CLIENT IDS (AUDIENCES)", "ROLES", "CREATED"],
            &rows,
        )
    };
    write_report(context.out, &report, json_output, context.style)
}

/// The principals a role's trust policy names, short: provider URLs for OIDC providers.
fn trusted(role: &Role) -> Vec<String> {
    let Ok(document) = role.policy() else {
        return vec!["(invalid trust policy)".to_owned()];
    };
    let mut names = Vec::new();
    for principal in document.principals() {
        let short = match principal {
            None => "*".to_owned(),
            Some((PrincipalType::Federated, id)) => Arn::parse(id)
                .ok()
                .as_ref()
                .and_then(Arn::oidc_provider_url)
                .unwrap_or(id)
                .to_owned(),
            Some((other, id)) => format!("{}: {id}", other.as_str()),
        };
        if !names.contains(&short) {
            names.push(short);
        }
    }
    names
}

/// Does any statement name `arn` as a Federated principal?
fn role_trusts(role: &Role, arn: &str) -> bool {
    role.policy()
        .is_ok_and(|document| document.federated().any(|id| id == arn))
}

/// The account's providers and roles count, for headers.
pub(super) fn summary(account: &Account) -> String {
    format!(
        "account {} · {} · {}",
        account.id,
        counted(account.providers.len(), "OIDC provider"),
        counted(account.roles.len(), "role")
    )
}
