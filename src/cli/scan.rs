//! `trustlens scan`: the token against every role of the account.

use std::fmt::Write as _;

use serde::Serialize;

use super::input::{load_account, read_token, report, verify};
use super::output::write_report;
use super::roles::summary;
use super::style::Style;
use super::{Context, Exit, ScanArgs};
use crate::eval::{RoleScan, ScanClass, ScanInputs, scan};
use crate::session::{Session, default_session_name};

/// Runs `scan`: exit 0 when the token can assume at least one role, 3 when none (a
/// conditional role does not count: it may not be assumable).
pub(super) fn run(args: &ScanArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let (account, account_source) = match load_account(session) {
        Ok(loaded) => (loaded.account, loaded.description),
        Err(failure) => return report(&failure, args.json, context),
    };
    let (origin, token, claims, signature) = match &args.claims {
        Some(path) => match super::explain::read_claims(path, context) {
            Ok(claims) => (
                format!(
                    "claims from {} (what-if: not a signed token)",
                    path.display()
                ),
                None,
                claims,
                None,
            ),
            Err(failure) => return report(&failure, args.json, context),
        },
        None => match read_token(args.token.as_deref(), session, now, context)
            .and_then(|read| verify(&read, session).map(|signature| (read, signature)))
        {
            Ok((read, signature)) => {
                let claims = read.token.claims().clone();
                (
                    format!("token from {}", read.text.origin),
                    Some(read.token),
                    claims,
                    signature,
                )
            }
            Err(failure) => return report(&failure, args.json, context),
        },
    };
    let region = session.requested_region();
    let session_name = args
        .session_name
        .clone()
        .unwrap_or_else(|| default_session_name(context.env, now));
    let results = scan(&ScanInputs {
        token: token.as_ref(),
        claims: &claims,
        account: &account,
        session_name: &session_name,
        now,
        signature: signature.as_ref(),
        region: region.as_deref(),
    });
    let dangerous = dangerous(&results, &account);
    let count = |class: ScanClass| results.iter().filter(|r| r.class == class).count();
    let report = if args.json {
        let report = JsonReport {
            source: origin
                .strip_prefix("token from ")
                .unwrap_or(&origin)
                .to_owned(),
            account: &account_source,
            counts: Counts {
                allowed: count(ScanClass::Allowed),
                conditional: count(ScanClass::Conditional),
                near_miss: count(ScanClass::NearMiss),
                far: count(ScanClass::Far),
                unrelated: count(ScanClass::Unrelated),
            },
            roles: &results,
            dangerous: &dangerous,
        };
        // Written straight from the results: no JSON value tree for thousands of roles.
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    } else {
        let mut out = String::new();
        let text_claim = |name: &str| claims.get(name).and_then(serde_json::Value::as_str);
        let subject = text_claim("sub").unwrap_or("(no sub)");
        let issuer = text_claim("iss").unwrap_or("(no iss)");
        let _ = writeln!(
            out,
            "{}{} · iss {issuer} · sub {subject}",
            origin[..1].to_uppercase(),
            &origin[1..]
        );
        let _ = writeln!(out, "Account: {account_source} ({})", summary(&account));
        render(&mut out, &results, &dangerous, args.all, context.style);
        out
    };
    // The process ends with this command: the OS takes the account back at once, where
    // freeing thousands of roles one allocation at a time costs as much as a tenth of the scan.
    std::mem::forget(account);
    match (
        write_report(context.out, &report, args.json, context.style),
        count(ScanClass::Allowed),
    ) {
        (Exit::Success, 0) => Exit::Denied,
        (exit, _) => exit,
    }
}

/// `scan --json`: the members in this order.
#[derive(Serialize)]
struct JsonReport<'a> {
    source: String,
    account: &'a str,
    counts: Counts,
    roles: &'a [RoleScan],
    dangerous: &'a [Dangerous],
}

/// An allowed role whose trust policy admits far more than this job (lint's findings).
#[derive(Serialize)]
struct Dangerous {
    role: String,
    arn: String,
    rule: &'static str,
    admits: String,
}

/// The allowed roles that lint finds dangerously broad, and who can assume them.
fn dangerous(results: &[RoleScan], account: &crate::account::Account) -> Vec<Dangerous> {
    results
        .iter()
        .filter(|r| r.class == ScanClass::Allowed)
        .filter_map(|r| {
            let role = account.roles.iter().find(|role| role.arn == r.arn)?;
            let summary = crate::lint::summarize(role, account)?;
            let finding = summary
                .findings
                .iter()
                .find(|f| f.admits.is_some() && f.severity >= crate::lint::Severity::Warning)?;
            Some(Dangerous {
                role: r.name.clone(),
                arn: r.arn.clone(),
                rule: finding.rule.id,
                admits: finding.admits.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// How many roles fall in each class.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Counts {
    allowed: usize,
    conditional: usize,
    near_miss: usize,
    far: usize,
    unrelated: usize,
}

/// The one blocker every role trusting the issuer shares (an expired token, a bad session
/// name…), when there are two roles or more: said once, not per role.
fn shared_blocker(results: &[RoleScan]) -> Option<&str> {
    let mut trusting = results
        .iter()
        .filter(|r| matches!(r.class, ScanClass::NearMiss | ScanClass::Far));
    let first = trusting.next()?.blocker.as_deref()?;
    let mut others = trusting.peekable();
    others.peek()?;
    others
        .all(|r| r.blocker.as_deref() == Some(first))
        .then_some(first)
}

fn render(
    out: &mut String,
    results: &[RoleScan],
    dangerous: &[Dangerous],
    all: bool,
    style: Style,
) {
    let sections = [
        (ScanClass::Allowed, style.good("✔ Allowed"), "no role"),
        (
            ScanClass::Conditional,
            style.warn("? Conditional: decided by values only the real call has"),
            "",
        ),
        (
            ScanClass::NearMiss,
            style.warn("~ Near misses: one thing in the way"),
            "none",
        ),
        (
            ScanClass::Far,
            style.bad("✘ Trusting this issuer, but far off"),
            "none",
        ),
    ];
    let shared = shared_blocker(results);
    if let Some(blocker) = shared {
        let _ = writeln!(
            out,
            "\n{} {blocker}",
            style.bad(
                "✘ In the way of every role that trusts the issuer (the token, not a policy):"
            )
        );
    }
    for (class, title, empty) in sections {
        let group: Vec<&RoleScan> = results.iter().filter(|r| r.class == class).collect();
        if class == ScanClass::Conditional && group.is_empty() {
            // Shown only when a role is conditional: most accounts have none.
            continue;
        }
        let _ = writeln!(out, "\n{title} ({})", group.len());
        if group.is_empty() {
            let _ = writeln!(out, "  {}", style.dim(empty));
        }
        let width = group
            .iter()
            .map(|r| super::output::width(&r.name))
            .max()
            .unwrap_or(0);
        for role in group {
            let detail = match role.blocker.as_deref() {
                Some(blocker) if Some(blocker) != shared => blocker,
                _ => &role.arn,
            };
            let _ = writeln!(out, "  {}  {detail}", super::output::pad(&role.name, width));
            if let Some(danger) = dangerous.iter().find(|d| d.arn == role.arn) {
                let _ = writeln!(
                    out,
                    "  {}  {}",
                    super::output::pad("", width),
                    style.warn(&format!(
                        "⚠ allowed — {} can assume this role ({}; see trustlens lint)",
                        danger.admits, danger.rule
                    ))
                );
            }
        }
    }
    let unrelated: Vec<&RoleScan> = results
        .iter()
        .filter(|r| r.class == ScanClass::Unrelated)
        .collect();
    let hint = if all || unrelated.is_empty() {
        ""
    } else {
        " (--all lists them)"
    };
    let _ = writeln!(
        out,
        "\n{} ({}){hint}",
        style.dim("· Not trusting this token's issuer"),
        unrelated.len()
    );
    if all {
        for role in unrelated {
            let note = role.blocker.as_deref().unwrap_or(&role.arn);
            let _ = writeln!(out, "  {}  {}", role.name, style.dim(note));
        }
    }
}
