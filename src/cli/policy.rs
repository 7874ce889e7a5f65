//! `trustlens policy`: a ready-made trust policy for a token at a chosen scope, rendered as
//! policy JSON, Terraform, CloudFormation or AWS CLI, with what else it admits.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::input::{load_account, load_role, read_token, report};
use super::output::{table, write_report};
use super::{Context, Exit, PolicyArgs};
use crate::account::{Account, Provider, Role};
use crate::arn::Arn;
use crate::generate::{
    self, Admission, Choice, Edit, Format, GenerateError, Generated, Rendering, Target,
    blast_radius,
};
use crate::platforms::{self, SCOPED_PLATFORMS};
use crate::session::{Failure, Session, read_json_object};
use crate::token::InputKind;

const NO_ACCOUNT_HINT: &str = "pass --account-id ID to generate without reading the account";
const ADMITS_HINT: &str = "see --admits for the whole table";
const ADMITTED: &str = "admitted";
const ALREADY_ADMITS: &str =
    "the role's policy admits this job already, and all the scope admits: no edit";
const REFUSED: &str = "refused";
const ROLE_EXISTS_EDITED: &str =
    "its trust policy is edited, not replaced (all it admitted stays admitted)";

/// The `--scope` help: every platform's scopes.
pub(super) fn scope_help() -> String {
    let mut help = String::from(
        "The scope, in the platform's words (default: the tightest scope that admits the token; \
         pull-request and wider scopes only when named). A subject in a customised format has \
         only `subject`.\n",
    );
    for platform in SCOPED_PLATFORMS {
        let _ = write!(
            help,
            "\n{}: {}",
            platform.name(),
            platforms::scope_names(platform).join(", ")
        );
    }
    help
}

/// `--format` values.
pub(super) fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// Runs `policy`: exit 0 with the policy, 2 for bad input, 3 when no scope admits the job
/// without widening (a pull request: name the scope).
pub(super) fn run(args: &PolicyArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    match prepare(args, session, context) {
        Ok(result) => {
            let out = if args.json {
                json_report(&result, args.format)
            } else if args.admits {
                admits_table(&result.radius)
            } else if let (true, Some(edit)) = (args.diff, &result.edit) {
                summary(&result, args, context);
                generate::diff_text(&edit.old_text, &edit.new_text)
            } else {
                summary(&result, args, context);
                generate::render(args.format, &result.rendering())
            };
            write_report(context.out, &out, args.json, context.style)
        }
        Err(failure) => report(&failure, args.json, context),
    }
}

/// A generated policy with its blast radius.
struct Outcome {
    generated: Generated,
    /// With --role: the edit of the role's policy (`generated.policy` is then the new policy).
    edit: Option<Edit>,
    radius: Vec<Admission>,
    scopes: Vec<(&'static str, &'static str, bool)>,
    provider_exists: bool,
}

impl Outcome {
    fn rendering(&self) -> Rendering<'_> {
        Rendering {
            policy: &self.generated.policy,
            provider: &self.generated.provider,
            role_name: &self.generated.role_name,
            provider_exists: self.provider_exists,
            role_exists: self.edit.is_some(),
        }
    }
}

fn prepare(
    args: &PolicyArgs,
    session: &Session,
    context: &mut Context<'_>,
) -> Result<Outcome, Failure> {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let claims: Map<String, Value> = match &args.claims {
        Some(path) => read_json_object(path, InputKind::Claims, context.env)?,
        None => {
            let read = read_token(args.token.as_deref(), session, now, context)?;
            read.token.claims().clone()
        }
    };
    if let Some(name) = &args.role {
        let loaded = load_role(name, session)?;
        return prepare_edit(&loaded.role, loaded.providers, args, &claims, now);
    }
    let account: Option<Account> = match &args.account_id {
        Some(id) if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) => None,
        Some(id) => {
            return Err(Failure::bad_input(
                "bad-account-id",
                format!("--account-id {id:?} is not a 12-digit account ID"),
            ));
        }
        None => Some(
            load_account(session)
                .map_err(|failure| Failure {
                    message: format!("{} ({NO_ACCOUNT_HINT})", failure.message),
                    ..failure
                })?
                .account,
        ),
    };
    let (partition, account_id) = match (&account, &args.account_id) {
        (Some(account), _) => (account.partition.clone(), account.id.clone()),
        (None, Some(id)) => ("aws".to_owned(), id.clone()),
        (None, None) => ("aws".to_owned(), String::new()),
    };
    let generated = generate::generate(
        &claims,
        Choice {
            scope: args.scope.as_deref(),
            pattern: args.pattern.as_deref(),
        },
        Target {
            partition: &partition,
            account: &account_id,
            role_name: &args.role_name,
        },
        now,
    )
    .map_err(generate_failure)?;
    if let Some((role, account)) = account
        .as_ref()
        .and_then(|account| Some((account.role(&generated.role_arn)?, account)))
    {
        // The role exists: its policy is edited, never replaced.
        return prepare_edit(role, account.providers.clone(), args, &claims, now);
    }
    let document = generated.document().map_err(|e| {
        Failure::failed(
            "generated-policy-unparsable",
            format!("the generated policy does not parse: {e}"),
        )
    })?;
    let radius = blast_radius(
        &document,
        &claims,
        std::slice::from_ref(&generated.provider),
        &generated.role_arn,
        now,
    );
    let provider_exists = account.as_ref().is_some_and(|account| {
        account
            .providers
            .iter()
            .any(|provider| provider.arn == generated.provider.arn)
    });
    Ok(Outcome {
        generated,
        edit: None,
        radius,
        scopes: scopes(&claims),
        provider_exists,
    })
}

fn scopes(claims: &Map<String, Value>) -> Vec<(&'static str, &'static str, bool)> {
    generate::scopes_for(claims)
        .into_iter()
        .map(|(scope, fits)| (scope.name, scope.about, fits))
        .collect()
}

/// `--role`, or a `--role-name` the account has: the role's policy edited to admit the job at
/// the scope.
fn prepare_edit(
    role: &Role,
    providers: Vec<Provider>,
    args: &PolicyArgs,
    claims: &Map<String, Value>,
    now: i64,
) -> Result<Outcome, Failure> {
    let arn = Arn::parse(&role.arn).map_err(|e| {
        Failure::bad_input("bad-role-arn", format!("the role's ARN {}: {e}", role.arn))
    })?;
    let mut generated = generate::generate(
        claims,
        Choice {
            scope: args.scope.as_deref(),
            pattern: args.pattern.as_deref(),
        },
        Target {
            partition: arn.partition(),
            account: arn.account(),
            role_name: &role.name,
        },
        now,
    )
    .map_err(generate_failure)?;
    generated.role_arn = role.arn.clone();
    let provider_exists = providers
        .iter()
        .any(|provider| provider.arn == generated.provider.arn);
    let evaluated_with: Vec<Provider> = if provider_exists {
        providers
    } else {
        vec![generated.provider.clone()]
    };
    let edit = generate::edit(&role.trust_policy, &generated, claims, &evaluated_with, now)
        .map_err(|error| Failure::bad_input("cannot-edit", error.to_string()))?;
    generated.policy = edit.new_policy.clone();
    generated.admits_token = true;
    Ok(Outcome {
        radius: edit.after.clone(),
        generated,
        edit: Some(edit),
        scopes: scopes(claims),
        provider_exists,
    })
}

/// A generation error as a failure: exit 3 when only a widening scope would do, else 2.
fn generate_failure(error: GenerateError) -> Failure {
    {
        let code = match error {
            GenerateError::NoDefault { .. } => "no-default-scope",
            GenerateError::UnknownScope { .. } => "unknown-scope",
            GenerateError::DoesNotFit { .. } => "scope-does-not-fit",
            GenerateError::MissingClaim(_) | GenerateError::NoAudience => "unusable-claims",
        };
        let failure = Failure::bad_input(code, error.to_string());
        match error {
            GenerateError::NoDefault { .. } => Failure {
                exit: Exit::Denied,
                ..failure
            },
            _ => failure,
        }
    }
}

/// One line on standard error: the scope and what else it admits (standard output stays the
/// policy alone, for redirection).
fn summary(outcome: &Outcome, args: &PolicyArgs, context: &mut Context<'_>) {
    let generated = &outcome.generated;
    let others: Vec<&Admission> = outcome.radius.iter().skip(1).collect();
    let admitted: Vec<&str> = others
        .iter()
        .filter(|row| row.admitted)
        .map(|row| row.identity)
        .collect();
    let _ = writeln!(
        context.err,
        "scope {}: {} · also admits {} of {} sibling identities{} ({ADMITS_HINT})",
        generated.scope,
        generated.about,
        admitted.len(),
        others.len(),
        if admitted.is_empty() {
            String::new()
        } else {
            format!(": {}", admitted.join(", "))
        }
    );
    if let Some(edit) = &outcome.edit {
        if args.role.is_none() {
            let _ = writeln!(
                context.err,
                "the account has the role {} already: {ROLE_EXISTS_EDITED}",
                generated.role_arn
            );
        }
        if edit.fixes.is_empty() {
            let _ = writeln!(context.err, "{ALREADY_ADMITS}");
        }
        for fix in &edit.fixes {
            let _ = writeln!(context.err, "edit: {fix}");
        }
    }
    if let Some(caution) = generated.caution {
        let _ = writeln!(context.err, "caution: {caution}");
    }
    if !generated.admits_token {
        let _ = writeln!(
            context.err,
            "note: this policy does not admit this job itself"
        );
    }
}

/// The blast-radius table (also `explain --admits`'s).
pub(super) fn admits_table(radius: &[Admission]) -> String {
    let rows: Vec<Vec<String>> = radius
        .iter()
        .map(|row| {
            vec![
                if row.admitted { ADMITTED } else { REFUSED }.to_owned(),
                row.identity.to_owned(),
                row.sub.clone(),
            ]
        })
        .collect();
    table(&["VERDICT", "IDENTITY", "SUB"], &rows)
}

fn json_report(outcome: &Outcome, format: Format) -> String {
    let generated = &outcome.generated;
    let value = json!({
        "platform": generated.platform,
        "scope": generated.scope,
        "about": generated.about,
        "caution": generated.caution,
        "provider": {
            "arn": generated.provider.arn,
            "url": generated.provider.issuer(),
            "client_ids": generated.provider.client_ids,
            "exists": outcome.provider_exists,
        },
        "role": {"name": generated.role_name, "arn": generated.role_arn, "exists": outcome.edit.is_some()},
        "policy": generated.policy,
        "admits_token": generated.admits_token,
        "blast_radius": outcome.radius,
        "scopes": outcome.scopes.iter().map(|(name, about, fits)| json!({
            "name": name, "about": about, "fits": fits,
        })).collect::<Vec<_>>(),
        "edit": outcome.edit.as_ref().map(|edit| json!({
            "fixes": edit.fixes,
            "words": edit.fixes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "old_policy": serde_json::from_str::<Value>(&edit.old_text).unwrap_or(Value::Null),
            "diff": generate::diff_text(&edit.old_text, &edit.new_text),
            "blast_radius_before": edit.before,
        })),
        "format": format,
        "rendered": generate::render(format, &outcome.rendering()),
    });
    format!("{value:#}\n")
}
