//! `trustlens scan`: the token against every role of the account.

use std::fmt::Write as _;

use serde::Serialize;

use super::input::{load_account, read_token, report, verify};
use super::output::write_report;
use super::roles::summary;
use super::style::Style;
use super::{Context, Exit, ScanArgs};
use crate::eval::{RoleScan, ScanClass, ScanInputs, scan};
use crate::session::Session;

/// Runs `scan`: exit 0 when the token can assume at least one role, 3 when none (a
/// conditional role does not count: it may not be assumable).
pub(super) fn run(args: &ScanArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let (account, account_source) = match load_account(session) {
        Ok(loaded) => (loaded.account, loaded.description),
        Err(failure) => return report(&failure, args.json, context),
    };
    let (text, token, signature) = match read_token(args.token.as_deref(), session, now, context)
        .and_then(|read| verify(&read, session).map(|signature| (read, signature)))
    {
        Ok((read, signature)) => (read.text, read.token, signature),
        Err(failure) => return report(&failure, args.json, context),
    };
    let region = session.requested_region();
    let results = scan(&ScanInputs {
        token: Some(&token),
        claims: token.claims(),
        account: &account,
        session_name: &args.session_name,
        now,
        signature: signature.as_ref(),
        region: region.as_deref(),
    });
    let count = |class: ScanClass| results.iter().filter(|r| r.class == class).count();
    let report = if args.json {
        let report = JsonReport {
            source: text.origin.to_string(),
            account: &account_source,
            counts: Counts {
                allowed: count(ScanClass::Allowed),
                conditional: count(ScanClass::Conditional),
                near_miss: count(ScanClass::NearMiss),
                far: count(ScanClass::Far),
                unrelated: count(ScanClass::Unrelated),
            },
            roles: &results,
        };
        // Written straight from the results: no JSON value tree for thousands of roles.
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    } else {
        let mut out = String::new();
        let subject = token.subject().unwrap_or("(no sub)");
        let issuer = token.issuer().unwrap_or("(no iss)");
        let _ = writeln!(
            out,
            "Token from {} · iss {issuer} · sub {subject}",
            text.origin
        );
        let _ = writeln!(out, "Account: {account_source} ({})", summary(&account));
        render(&mut out, &results, args.all, context.style);
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

fn render(out: &mut String, results: &[RoleScan], all: bool, style: Style) {
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
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0);
        for role in group {
            let detail = role.blocker.as_deref().unwrap_or(&role.arn);
            let _ = writeln!(out, "  {:<width$}  {detail}", role.name);
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
