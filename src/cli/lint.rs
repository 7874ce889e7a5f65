//! `trustlens lint`: every role of the account, or trust-policy files, CloudFormation
//! templates and Terraform plans, checked by the lint rules; text, JSON or SARIF.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::input::{load_account, report};
use super::output::write_report;
use super::style::Style;
use super::{Context, Exit, LintArgs};
use crate::account::Account;
use crate::lint::config::{self, FailOn, Suppression};
use crate::lint::results::{self, Judged, Linted, Outcome};
use crate::lint::sources::{self, Anchor, Found};
use crate::lint::{AccountFacts, LintInputs, RULES, Severity, lint, rule, sarif};
use crate::policy;
use crate::session::{Failure, Session, read_text};
use crate::token::InputKind;

/// The config file's name, looked for in the repository root and the XDG config directory.
const CONFIG_NAME: &str = "trustlens.toml";
const NEEDS_ACCOUNT: &str =
    "need the account (--demo, --snapshot, or no files for the live account)";

/// How `lint` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Grouped by role and severity, for people.
    Text,
    /// One JSON object (schema in README).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Runs `lint`: exit 0 when no finding reaches `--fail-on`, 3 when one does, 2 on bad input.
pub(super) fn run(args: &LintArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let as_json = args.json || args.format == LintFormat::Json;
    match lint_all(args, session, context) {
        Ok((linted, account, fail_on)) => {
            let format = if args.json {
                LintFormat::Json
            } else {
                args.format
            };
            let report = match format {
                LintFormat::Text => text(&linted, account.as_deref(), fail_on, context.style),
                LintFormat::Json => {
                    let mut text = serde_json::to_string_pretty(&json_report(
                        &linted,
                        account.as_deref(),
                        fail_on,
                    ))
                    .unwrap_or_default();
                    text.push('\n');
                    text
                }
                LintFormat::Sarif => {
                    let log = sarif::sarif(&linted, env!("CARGO_PKG_VERSION"));
                    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
                    text.push('\n');
                    text
                }
            };
            let failed = linted
                .iter()
                .any(|role| role.worst().is_some_and(|worst| fail_on.fails(worst)));
            match write_report(
                context.out,
                &report,
                format != LintFormat::Text,
                context.style,
            ) {
                Exit::Success if failed => Exit::Denied,
                exit => exit,
            }
        }
        Err(failure) => report(&failure, as_json, context),
    }
}

type Linting = (Vec<Linted>, Option<String>, FailOn);

fn lint_all(args: &LintArgs, session: &Session, context: &Context<'_>) -> Result<Linting, Failure> {
    let config = read_config(args, context)?;
    let mut suppressions = config.ignores;
    for id in &args.ignore {
        let Some(rule) = rule(id) else {
            return Err(Failure::bad_input(
                "unknown-rule",
                format!("--ignore {id}: no such rule (TL001–TL{:03})", RULES.len()),
            ));
        };
        suppressions.push(Suppression {
            rule: Some(rule),
            role: None,
            reason: "ignored on the command line".to_owned(),
            origin: "--ignore".to_owned(),
        });
    }
    let fail_on = match &args.fail_on {
        Some(name) => FailOn::from_name(name).ok_or_else(|| {
            Failure::bad_input(
                "bad-fail-on",
                format!("--fail-on must be error, warning, note or none, not \"{name}\""),
            )
        })?,
        None => config.fail_on.unwrap_or(FailOn::AtLeast(Severity::Warning)),
    };
    if args.files.is_empty() {
        let loaded = load_account(session)?;
        let linted = account_roles(&loaded.account, &suppressions);
        return Ok((linted, Some(loaded.description), fail_on));
    }
    let account = match session.load_offline() {
        Some(loaded) => Some(loaded?),
        None => None,
    };
    let mut linted = Vec::new();
    for path in &args.files {
        let text = read_text(path, InputKind::Policy, context.env)?;
        linted.extend(file(
            path,
            &text,
            account.as_ref().map(|a| &a.account),
            &suppressions,
        )?);
    }
    Ok((linted, account.map(|a| a.description), fail_on))
}

/// `--config`, else `trustlens.toml` in the current directory or a parent up to the
/// repository root (the first with `.git`), else `$XDG_CONFIG_HOME/trustlens/trustlens.toml`.
fn read_config(args: &LintArgs, context: &Context<'_>) -> Result<config::Config, Failure> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None if args.no_config => None,
        None => find_config(context),
    };
    let Some(path) = path else {
        return Ok(config::Config::default());
    };
    let text = read_text(&path, InputKind::Policy, context.env)?;
    config::parse(&text, &path.display().to_string())
        .map_err(|message| Failure::bad_input("bad-config", message))
}

fn find_config(context: &Context<'_>) -> Option<PathBuf> {
    if let Ok(start) = std::env::current_dir() {
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
    }
    let config_home = context
        .env
        .var("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            context
                .env
                .var("HOME")
                .map(|home| Path::new(&home).join(".config"))
        })?;
    let candidate = config_home.join("trustlens").join(CONFIG_NAME);
    candidate.is_file().then_some(candidate)
}

fn account_roles(account: &Account, suppressions: &[Suppression]) -> Vec<Linted> {
    let facts = AccountFacts {
        account_id: &account.id,
        providers: &account.providers,
    };
    account
        .roles
        .iter()
        .map(|role| {
            let outcome = match role.policy() {
                Ok(document) => {
                    let report = lint(&LintInputs {
                        text: role.trust_policy.text(),
                        document,
                        account: Some(facts),
                    });
                    Outcome::Findings(results::judge(
                        &role.name,
                        report,
                        &Anchor::Whole,
                        None,
                        suppressions,
                    ))
                }
                Err(error) => Outcome::Invalid {
                    error: error.to_string(),
                },
            };
            Linted {
                name: role.name.clone(),
                arn: Some(role.arn.clone()),
                file: None,
                outcome,
            }
        })
        .collect()
}

fn file(
    path: &Path,
    text: &str,
    account: Option<&Account>,
    suppressions: &[Suppression],
) -> Result<Vec<Linted>, Failure> {
    let shown = path.display().to_string();
    let (kind, found) = sources::extract(text)
        .map_err(|problem| Failure::bad_input("bad-lint-input", format!("{shown}: {problem}")))?;
    let facts = account.map(|account| AccountFacts {
        account_id: &account.id,
        providers: &account.providers,
    });
    let mut linted = Vec::new();
    for found in found {
        match found {
            Found::Policy {
                name,
                text: policy_text,
                anchor,
            } => {
                let document = policy::parse(&policy_text).map_err(|error| {
                    let role = if name.is_empty() {
                        String::new()
                    } else {
                        format!(" (role {name})")
                    };
                    Failure::bad_input(
                        "bad-policy",
                        format!(
                            "{shown}{role}: the {} holds no valid trust policy: {error}",
                            kind.noun()
                        ),
                    )
                })?;
                let report = lint(&LintInputs {
                    text: &policy_text,
                    document: &document,
                    account: facts,
                });
                let display = if name.is_empty() { shown.clone() } else { name };
                let file_text = matches!(anchor, Anchor::Member(_)).then_some(text);
                let judged = results::judge(&display, report, &anchor, file_text, suppressions);
                linted.push(Linted {
                    name: display,
                    arn: None,
                    file: Some(shown.clone()),
                    outcome: Outcome::Findings(judged),
                });
            }
            Found::CannotEvaluate {
                name,
                reason,
                position,
            } => linted.push(Linted {
                name,
                arn: None,
                file: Some(shown.clone()),
                outcome: Outcome::CannotEvaluate { reason, position },
            }),
        }
    }
    Ok(linted)
}

fn needs_account(account: Option<&str>) -> Vec<&'static str> {
    if account.is_some() {
        Vec::new()
    } else {
        crate::lint::needing_account().map(|rule| rule.id).collect()
    }
}

fn json_finding(judged: &Judged) -> Value {
    let finding = &judged.finding;
    json!({
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity.name(),
        "message": finding.message,
        "path": finding.path.to_string(),
        "position": finding.position,
        "file_position": judged.file_position,
        "why": finding.rule.why,
        "source": finding.rule.source,
        "fix": finding.fix,
        "fix_text": finding.fix.to_string(),
        "admits": finding.admits,
        "suppressed": judged.suppressed.as_ref().map(|s| json!({"reason": s.reason, "origin": s.origin})),
    })
}

fn json_report(linted: &[Linted], account: Option<&str>, fail_on: FailOn) -> Value {
    let roles: Vec<Value> = linted
        .iter()
        .map(|role| {
            let mut value = json!({
                "name": role.name,
                "arn": role.arn,
                "file": role.file,
            });
            match &role.outcome {
                Outcome::Findings(findings) => {
                    value["status"] = json!("linted");
                    value["findings"] = findings.iter().map(json_finding).collect();
                }
                Outcome::CannotEvaluate { reason, position } => {
                    value["status"] = json!("cannot-evaluate");
                    value["reason"] = json!(reason);
                    value["file_position"] = json!(position);
                    value["findings"] = json!([]);
                }
                Outcome::Invalid { error } => {
                    value["status"] = json!("invalid");
                    value["reason"] = json!(error);
                    value["findings"] = json!([]);
                }
            }
            value
        })
        .collect();
    json!({
        "account": account,
        "fail_on": fail_on.name(),
        "counts": results::counts(linted),
        "not_run": needs_account(account),
        "roles": roles,
    })
}

fn badge(severity: Severity, style: Style) -> String {
    match severity {
        Severity::Error => style.bad("error  "),
        Severity::Warning => style.warn("warning"),
        Severity::Note => style.dim("note   "),
    }
}

fn text(linted: &[Linted], account: Option<&str>, fail_on: FailOn, style: Style) -> String {
    let mut out = String::new();
    let mut clean = 0;
    for role in linted {
        let where_ = role.arn.as_deref().or(role.file.as_deref()).unwrap_or("");
        match &role.outcome {
            Outcome::Findings(findings) => {
                let mut active: Vec<&Judged> =
                    findings.iter().filter(|j| j.suppressed.is_none()).collect();
                let suppressed = findings.len() - active.len();
                if active.is_empty() {
                    clean += 1;
                    continue;
                }
                active.sort_by_key(|j| std::cmp::Reverse(j.finding.severity));
                let _ = writeln!(out, "{}  {}", style.strong(&role.name), style.dim(where_));
                for judged in active {
                    let finding = &judged.finding;
                    let position = judged
                        .file_position
                        .map(|p| format!("{}:{}", p.line, p.column))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {} {}  {}  {}",
                        badge(finding.severity, style),
                        finding.rule.id,
                        position,
                        style.dim(&finding.path.to_string())
                    );
                    let _ = writeln!(out, "      {}", finding.message);
                    let _ = writeln!(
                        out,
                        "      {} {} ({})",
                        style.dim("why:"),
                        finding.rule.why,
                        finding.rule.source
                    );
                    let _ = writeln!(out, "      {} {}", style.dim("fix:"), finding.fix);
                }
                if suppressed > 0 {
                    let _ = writeln!(out, "  {}", style.dim(&format!("{suppressed} suppressed")));
                }
                out.push('\n');
            }
            Outcome::CannotEvaluate { reason, position } => {
                let at = position.map(|p| format!(":{}", p.line)).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{}  {}{at}\n  {} {reason}\n",
                    style.strong(&role.name),
                    style.dim(where_),
                    style.warn("?")
                );
            }
            Outcome::Invalid { error } => {
                let _ = writeln!(
                    out,
                    "{}  {}\n  {} not a valid policy: {error}\n",
                    style.strong(&role.name),
                    style.dim(where_),
                    style.bad("✘")
                );
            }
        }
    }
    let counts = results::counts(linted);
    if clean > 0 {
        let _ = writeln!(out, "{} {clean} without findings", style.good("✔"));
    }
    let not_run = needs_account(account);
    if !not_run.is_empty() {
        let _ = writeln!(
            out,
            "{} {} {NEEDS_ACCOUNT}",
            style.dim("not run:"),
            not_run.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} note(s), {} suppressed, {} cannot be evaluated · fails on {}",
        counts.error,
        counts.warning,
        counts.note,
        counts.suppressed,
        counts.cannot_evaluate,
        fail_on.name()
    );
    out
}
