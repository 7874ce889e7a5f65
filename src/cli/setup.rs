//! `trustlens setup`: the three onboarding steps with their live checks, the changes they need
//! as a plan, made with `--apply` (each confirmed, or `--yes`), or written as Terraform,
//! CloudFormation or AWS CLI commands with `--format`; then a real assume with a token at hand.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Value, json};

use super::input::{read_token, report};
use super::output::{write_out, write_report, write_text};
use super::{Context, Exit, SetupArgs, Style};
use crate::printable::mask_tokens;
use crate::secret::Secret;
use crate::session::{self, AssumeResult, Confirm, Failure, Session, SetupAccount};
use crate::setup::{self, Applied, Change, Format, Outcome, Plan, Request, Status};
use crate::token::Token;

const NEEDS_YES: &str = "standard input is not a terminal, so the changes cannot be confirmed one by one: add --yes to make them all";
const PROMPT: &str = "Make this change? [y/N] ";
const NOTHING_TO_DO: &str = "Nothing to change: every step is done.";
const APPLY_HINT: &str = "Run again with --apply to make them (each confirmed; --yes for all), or with --format terraform|cloudformation|cli for the same as code.";
const POLICY_HEADING: &str = "trust policy:";
const DIFF_HEADING: &str = "the trust policy, old → new:";
const SNIPPET_HEADING: &str = "pipeline:";
const PROPAGATING: &str = "assuming the role with the token at hand (IAM changes can take some seconds to reach STS: a refusal is tried again for a while)…";
const VERIFY_SKIPPED: &str = "not verified: changes remain, so the role cannot be assumed yet";

/// `--format` values.
pub(super) fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// The `--platform` help: every platform and what its inputs mean.
pub(super) fn platform_help() -> String {
    let mut help = String::from("The platform whose jobs assume the role. Its inputs:\n");
    for entry in crate::platforms::ONBOARDING {
        let _ = write!(help, "\n{} ({}):", entry.name, entry.platform.name());
        for input in entry.inputs {
            let _ = write!(help, "\n  --{}: {}", input.flag, input.meaning);
        }
        if entry.issuer.is_none() {
            let _ = write!(help, "\n  --issuer: the cluster's OIDC issuer URL");
        }
        if entry.audience.is_none() {
            let _ = write!(help, "\n  --audience: {}", entry.audience_hint);
        }
    }
    help
}

/// Runs `setup`: exit 0 when every step is done (or the plan or code was printed), 1 when a
/// change failed for want of an answer, 2 for bad input, 3 when AWS refused a change, one was
/// declined, or the real assume was refused.
pub(super) fn run(args: &SetupArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    match execute(args, session, context) {
        Ok(exit) => exit,
        Err(failure) => report(&failure, args.json, context),
    }
}

fn request(args: &SetupArgs) -> Request {
    Request {
        platform: args.platform.clone(),
        org: args.org.clone(),
        project: args.project.clone(),
        repo: args.repo.clone(),
        branch: args.branch.clone(),
        issuer: args.issuer.clone(),
        audience: args.audience.clone(),
        scope: args.scope.clone(),
        pattern: args.pattern.clone(),
        role_name: args.role_name.clone(),
        permissions_policy: args.permissions_policy.clone(),
    }
}

fn execute(
    args: &SetupArgs,
    session: &Session,
    context: &mut Context<'_>,
) -> Result<Exit, Failure> {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let interactive = args.apply && !args.yes;
    if interactive && !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input("cannot-confirm", NEEDS_YES));
    }
    let token = match &args.token {
        Some(source) => Some(read_token(Some(source), session, now, context)?.token),
        None => session::read_token(
            None,
            session::TokenChoice::Detect,
            session::Stdin::Terminal,
            context.env,
            now,
        )
        .ok()
        .map(|read| read.token),
    };
    let request = request(args);
    let (plan, account) =
        session::block_on(session.setup_plan(&request, token.as_ref().map(Token::claims), now))??;
    if let Some(format) = args.format {
        return Ok(write_text(
            context.out,
            &setup::render(format, &plan),
            context.style,
        ));
    }
    let mut text = plan_text(&plan, &account, context.style);
    if !args.apply {
        text.push_str(if plan.is_done() {
            NOTHING_TO_DO
        } else {
            APPLY_HINT
        });
        text.push('\n');
    }
    if !args.json && write_text(context.out, &text, context.style) != Exit::Success {
        return Ok(Exit::Failure);
    }
    let applied = if args.apply && !plan.is_done() {
        let mut confirm = |change: &Change| {
            if args.yes {
                Confirm::Yes
            } else {
                ask(change, context.err)
            }
        };
        session::block_on(session.apply_plan(&plan, &mut confirm))?
    } else {
        Vec::new()
    };
    let complete = applied.iter().all(|a| a.outcome == Outcome::Made);
    let verification = match &token {
        Some(token) if complete && (args.apply || plan.is_done()) && session.is_live() => {
            let secret = Secret::new(token.raw().expose().clone());
            let fresh = applied.iter().any(|a| a.outcome == Outcome::Made);
            if fresh && !args.json {
                let _ = writeln!(context.err, "{PROPAGATING}");
            }
            Some(session::block_on(
                session.verify_setup(&plan, secret, fresh),
            )?)
        }
        _ => None,
    };
    let exit = exit_of(&applied, verification.as_ref());
    if args.json {
        let value = json!({
            "account": {"id": account.account_id, "source": account.description},
            "plan": plan,
            "applied": applied,
            "verification": verification.as_ref().map(verification_json),
        });
        return Ok(match write_out(context.out, &format!("{value:#}\n")) {
            Exit::Success => exit,
            other => other,
        });
    }
    let mut text = String::new();
    if args.apply {
        text.push_str(&results_text(&applied, context.style));
    }
    match (&verification, &token) {
        (Some(result), _) => text.push_str(&verification_text(result, context.style)),
        (None, Some(_)) if args.apply && !complete => {
            let _ = writeln!(text, "{VERIFY_SKIPPED}");
        }
        _ => {}
    }
    Ok(
        match write_report(context.out, &text, false, context.style) {
            Exit::Success => exit,
            other => other,
        },
    )
}

/// Asks on standard error, reads one line of standard input: only `y` or `yes` is a yes.
fn ask(change: &Change, err: &mut dyn Write) -> Confirm {
    let _ = write!(err, "{} ({})\n{PROMPT}", change.summary(), change.action());
    let _ = err.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(_) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Confirm::Yes,
        _ => Confirm::No,
    }
}

fn exit_of(applied: &[Applied], verification: Option<&AssumeResult>) -> Exit {
    for entry in applied {
        match &entry.outcome {
            Outcome::Made | Outcome::NotAttempted => {}
            Outcome::Declined => return Exit::Denied,
            Outcome::Failed { code, .. } if code.is_empty() => return Exit::Failure,
            Outcome::Failed { .. } => return Exit::Denied,
        }
    }
    match verification {
        Some(AssumeResult::Refused(_)) => Exit::Denied,
        Some(AssumeResult::Failed(failure)) => failure.exit,
        _ => Exit::Success,
    }
}

fn mark(status: Status, style: Style) -> String {
    match status {
        Status::Done => style.good(status.mark()),
        Status::Todo => style.bad(status.mark()),
        Status::Warn => style.warn(status.mark()),
        Status::Info => style.dim(status.mark()),
    }
}

fn indented(text: &str, pad: &str) -> String {
    text.lines().map(|line| format!("{pad}{line}\n")).collect()
}

/// The plan as text: a heading, then each step's checks and changes; step 3's snippet.
pub(super) fn plan_text(plan: &Plan, account: &SetupAccount, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} for {}\nissuer {} · audience {} · role {} · scope {} ({})\n",
        style.strong(&format!("Setting up {}", plan.platform)),
        account.description,
        plan.issuer,
        plan.audience,
        plan.role_name,
        plan.scope,
        plan.about
    );
    for step in &plan.steps {
        let _ = writeln!(
            out,
            "{}",
            style.strong(&format!("Step {} · {}", step.number, step.title))
        );
        for check in &step.checks {
            let _ = writeln!(out, "  {} {}", mark(check.status, style), check.text);
        }
        for change in &step.changes {
            match change {
                Change::CreateRole { .. } => {
                    let _ = writeln!(out, "  {POLICY_HEADING}");
                    out.push_str(&indented(&change.policy_text().unwrap_or_default(), "    "));
                }
                Change::UpdateTrustPolicy { diff, .. } => {
                    let _ = writeln!(out, "  {DIFF_HEADING}");
                    out.push_str(&indented(diff, "    "));
                }
                _ => {}
            }
            let _ = writeln!(
                out,
                "  → {} ({})",
                style.warn(&change.summary()),
                change.action()
            );
        }
        if step.number == 3 {
            let _ = writeln!(out, "  {SNIPPET_HEADING}");
            out.push_str(&indented(&plan.snippet, "    "));
            if let Some(shorter) = &plan.trustlens_snippet {
                out.push('\n');
                out.push_str(&indented(shorter, "    "));
            }
        }
        out.push('\n');
    }
    let count = plan.changes().len();
    if count > 0 {
        let _ = writeln!(
            out,
            "{count} change{} to make.",
            if count == 1 { "" } else { "s" }
        );
    }
    out
}

/// What `--apply` did and did not do.
fn results_text(applied: &[Applied], style: Style) -> String {
    let mut out = String::new();
    let made = applied
        .iter()
        .filter(|a| a.outcome == Outcome::Made)
        .count();
    for entry in applied {
        let summary = entry.change.summary();
        let line = match &entry.outcome {
            Outcome::Made => format!("{} made: {summary}", style.good("✔")),
            Outcome::Failed { explanation, .. } => format!(
                "{} failed: {summary} ({}): {explanation}",
                style.bad("✘"),
                entry.change.action()
            ),
            Outcome::Declined => format!("{} declined: {summary}", style.warn("–")),
            Outcome::NotAttempted => format!("{} not attempted: {summary}", style.dim("–")),
        };
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "{made} of {} change{} made{}",
        applied.len(),
        if applied.len() == 1 { "" } else { "s" },
        if made == applied.len() {
            "."
        } else {
            "; the rest were not: run setup again once the cause is fixed (what was made stays, and is checked)."
        }
    );
    out
}

fn verification_text(result: &AssumeResult, style: Style) -> String {
    match result {
        AssumeResult::Assumed(assumed) => format!(
            "{} verified: the token at hand assumed {}{}\n",
            style.good("✔"),
            assumed.role.assumed_role_arn,
            match &assumed.confirmed {
                Ok(identity) => format!(" (confirmed by GetCallerIdentity as {})", identity.arn),
                Err(error) => format!(" (GetCallerIdentity failed: {error})"),
            }
        ),
        AssumeResult::Refused(refusal) => {
            let mut out = format!(
                "{} not verified: STS refused the token at hand: {}: {}\n  {}\n",
                style.bad("✘"),
                refusal.code,
                refusal.message,
                refusal.diagnosis.summary
            );
            for line in &refusal.diagnosis.explanations {
                let _ = writeln!(out, "  - {line}");
            }
            out
        }
        AssumeResult::Failed(failure) => {
            format!("{} not verified: {}\n", style.bad("✘"), failure.message)
        }
    }
}

fn verification_json(result: &AssumeResult) -> Value {
    match result {
        AssumeResult::Assumed(assumed) => json!({
            "assumed": true,
            "assumed_role_arn": assumed.role.assumed_role_arn,
            "confirmed_as": assumed.confirmed.as_ref().ok().map(|identity| &identity.arn),
        }),
        AssumeResult::Refused(refusal) => json!({
            "assumed": false,
            "code": refusal.code,
            "message": refusal.message,
            "diagnosis": refusal.diagnosis.summary,
        }),
        AssumeResult::Failed(failure) => json!({
            "assumed": false,
            "error": {"code": failure.code, "message": mask_tokens(&failure.message)},
        }),
    }
}
