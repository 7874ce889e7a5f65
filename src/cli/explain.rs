//! `trustlens explain`: one token (or claims) against one trust policy, condition by condition.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::input::{load_role, read_token, report, verify};
use super::output::write_report;
use super::style::Style;
use super::{Context, Exit, ExplainArgs};
use crate::account::Provider;
use crate::arn::Arn;
use crate::eval::{
    Check, CheckStatus, ConditionTrace, ContextValue, Decision, ExplainInputs, StatementTrace,
    ValueDifference, Verdict, audience_candidates, explain,
};
use crate::generate::{Admission, blast_radius};
use crate::policy::{self, PolicyDocument};
use crate::session::{Failure, Session, default_session_name, read_json_object, read_text};
use crate::token::rules::{MAX_TOKEN_CHARS, token_chars_for};
use crate::token::{InputKind, Token};

/// Runs `explain`.
pub(super) fn run(args: &ExplainArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    match prepare_and_explain(args, session, context) {
        Ok((verdict, notes, radius)) => {
            let report = if args.json {
                let mut value = serde_json::to_value(&verdict).unwrap_or_default();
                if let (Some(radius), Some(object)) = (&radius, value.as_object_mut()) {
                    object.insert("blast_radius".to_owned(), json!(radius));
                }
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                text
            } else {
                let mut text = render(&verdict, &notes, context.style);
                if let Some(radius) = &radius {
                    let _ = writeln!(text, "\n{}", context.style.strong(ADMITS_TITLE));
                    text.push_str(&super::policy::admits_table(radius));
                }
                text
            };
            match (
                write_report(context.out, &report, args.json, context.style),
                &verdict.decision,
            ) {
                (Exit::Success, Decision::Allowed) => Exit::Success,
                (Exit::Success, _) => Exit::Denied,
                (other, _) => other,
            }
        }
        Err(failure) => report(&failure, args.json, context),
    }
}

const CONDITIONAL_HINT: &str = "  (these values only the real call has; give them with --context FILE, \
     e.g. {\"aws:SourceIp\": \"192.0.2.10\"}, to decide)";

const NO_REGION_NOTE: &str =
    "no region given (--region, AWS_REGION): a condition on aws:RequestedRegion is undecided";

const ADMITS_TITLE: &str = "What else the policy admits (sibling identities, by the engine)";

/// What `prepare_and_explain` gives: the verdict, notes on what was assumed, and with
/// `--admits` the blast radius.
type Explained = (Verdict, Vec<String>, Option<Vec<Admission>>);

/// Reads `--claims FILE`: a JSON object no larger than a token STS accepts could carry.
pub(super) fn read_claims(
    path: &std::path::Path,
    context: &Context<'_>,
) -> Result<Map<String, Value>, Failure> {
    let claims = read_json_object(path, InputKind::Claims, context.env)?;
    let chars = token_chars_for(&claims);
    if chars > MAX_TOKEN_CHARS {
        return Err(Failure::bad_input(
            "claims-too-large",
            format!(
                "the claims file {} would make a token of at least {chars} characters; \
                 STS accepts at most {MAX_TOKEN_CHARS}, so no real token carries these claims",
                path.display()
            ),
        ));
    }
    Ok(claims)
}

/// Reads every input, then explains. `notes` tell what was assumed.
fn prepare_and_explain(
    args: &ExplainArgs,
    session: &Session,
    context: &mut Context<'_>,
) -> Result<Explained, Failure> {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let mut notes = Vec::new();
    let mut signature = None;
    let (token, claims): (Option<Token>, Map<String, Value>) = match &args.claims {
        Some(path) => {
            notes.push(format!(
                "claims from {} (what-if: not a signed token)",
                path.display()
            ));
            let claims = read_claims(path, context)?;
            (None, claims)
        }
        None => {
            let read = read_token(args.token.as_deref(), session, now, context)?;
            signature = verify(&read, session)?;
            let (text, token) = (read.text, read.token);
            notes.push(format!("token from {}", text.origin));
            let claims = token.claims().clone();
            (Some(token), claims)
        }
    };
    let overrides = match &args.context {
        Some(path) => context_overrides(
            path,
            &read_json_object(path, InputKind::Context, context.env)?,
        )?,
        None => Vec::new(),
    };
    let target = match (&args.role, &args.policy) {
        (Some(role), _) => target_from_account(role, session, &mut notes)?,
        (None, Some(path)) => target_from_policy(path, args, &claims, context, &mut notes)?,
        (None, None) => {
            return Err(Failure::bad_input(
                "no-policy",
                "pass --role NAME|ARN or --policy FILE",
            ));
        }
    };
    let region = session.requested_region();
    let session_name = args
        .session_name
        .clone()
        .unwrap_or_else(|| default_session_name(context.env, now));
    let verdict = explain(&ExplainInputs {
        token: token.as_ref(),
        claims: &claims,
        policy: &target.document,
        providers: &target.providers,
        role_arn: &target.role_arn,
        session_name: &session_name,
        role_tags: &target.role_tags,
        context_overrides: &overrides,
        now,
        signature: signature.as_ref(),
        region: region.as_deref(),
    });
    let reads_region = verdict
        .policy
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .any(|c| c.key.eq_ignore_ascii_case("aws:RequestedRegion"));
    if reads_region {
        notes.push(match &region {
            Some(region) => format!("aws:RequestedRegion taken as {region} (--region, AWS_REGION)"),
            None => NO_REGION_NOTE.to_owned(),
        });
    }
    let radius = args.admits.then(|| {
        blast_radius(
            &target.document,
            &claims,
            &target.providers,
            &target.role_arn,
            now,
        )
    });
    Ok((verdict, notes, radius))
}

/// The role being explained: its trust policy, account providers, ARN and tags.
struct Target {
    document: PolicyDocument,
    providers: Vec<Provider>,
    role_arn: String,
    role_tags: Vec<(String, String)>,
}

/// `--role`: everything comes from the account.
fn target_from_account(
    name: &str,
    session: &Session,
    notes: &mut Vec<String>,
) -> Result<Target, Failure> {
    let loaded = load_role(name, session)?;
    let (role, providers, source) = (loaded.role, loaded.providers, loaded.description);
    let document = role.policy().cloned().map_err(|e| {
        Failure::bad_input(
            "bad-policy",
            format!(
                "the trust policy of {} is not a valid policy: {e}",
                role.arn
            ),
        )
    })?;
    notes.push(format!("role {} from {source}", role.arn));
    Ok(Target {
        document,
        role_tags: role.tag_pairs(),
        role_arn: role.arn,
        providers,
    })
}

/// `--policy`: the provider comes from the flags or the token, the role ARN from the flags or
/// the policy's provider ARN.
fn target_from_policy(
    path: &Path,
    args: &ExplainArgs,
    claims: &Map<String, Value>,
    context: &Context<'_>,
    notes: &mut Vec<String>,
) -> Result<Target, Failure> {
    let policy_text = read_text(path, InputKind::Policy, context.env)?;
    let document = policy::parse(&policy_text).map_err(|e| {
        Failure::bad_input(
            "bad-policy",
            format!(
                "the policy file {} is not a valid policy: {e}",
                path.display()
            ),
        )
    })?;
    let provider_url = match (
        &args.provider_url,
        claims.get("iss").and_then(Value::as_str),
    ) {
        (Some(url), _) => url.clone(),
        (None, Some(iss)) => iss.to_owned(),
        (None, None) => {
            return Err(Failure::bad_input(
                "no-provider-url",
                "the token has no `iss` string; pass --provider-url URL",
            ));
        }
    };
    let client_ids = if args.client_ids.is_empty() {
        audience_candidates(claims)
    } else {
        args.client_ids.clone()
    };
    let (role_arn, partition, account) = match &args.role_arn {
        Some(arn) => {
            let (partition, account) = parse_role_arn(arn)?;
            (arn.clone(), partition, account)
        }
        None => {
            let (partition, account) = account_from_policy(&document, &provider_url);
            let name = path
                .file_stem()
                .map_or("role".into(), |s| s.to_string_lossy().into_owned());
            let arn = Arn::role(&partition, &account, "/", &name).to_string();
            notes.push(format!(
                "role {arn} (assumed: pass --role-arn to name the real one)"
            ));
            (arn, partition, account)
        }
    };
    // Google, Cognito, Amazon and Facebook are built into IAM: no provider object, no
    // client ID list.
    let provider = match Provider::built_in(&provider_url) {
        Some(built_in) => {
            notes.push(format!("IAM's built-in provider {}", built_in.url));
            built_in
        }
        None => {
            let provider = Provider::new(&partition, &account, &provider_url, client_ids);
            notes.push(format!(
                "provider {} with client IDs {}",
                provider.issuer(),
                provider
                    .client_ids
                    .iter()
                    .map(|id| format!("\"{id}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            provider
        }
    };
    Ok(Target {
        document,
        providers: vec![provider],
        role_arn,
        role_tags: Vec::new(),
    })
}

fn context_overrides(
    path: &Path,
    object: &Map<String, Value>,
) -> Result<Vec<(String, ContextValue)>, Failure> {
    object
        .iter()
        .map(|(key, value)| {
            let too_long = match value {
                Value::String(text) => text.chars().count() > MAX_TOKEN_CHARS,
                Value::Array(items) => {
                    items.iter().filter_map(Value::as_str).map(|item| item.chars().count()).sum::<usize>()
                        > MAX_TOKEN_CHARS
                }
                _ => false,
            };
            if too_long {
                return Err(Failure::bad_input(
                    "context-too-large",
                    format!(
                        "the context file {}: key \"{key}\" holds more than {MAX_TOKEN_CHARS} characters, more than any request can carry",
                        path.display()
                    ),
                ));
            }
            let value = match value {
                Value::String(text) => ContextValue::Single(text.clone()),
                Value::Array(items) => ContextValue::Multi(
                    items
                        .iter()
                        .map(|item| item.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| bad_context(path, key))?,
                ),
                _ => return Err(bad_context(path, key)),
            };
            Ok((key.clone(), value))
        })
        .collect()
}

fn bad_context(path: &Path, key: &str) -> Failure {
    Failure::bad_input(
        "bad-context",
        format!(
            "the context file {}: key \"{key}\" must map to a string or an array of strings",
            path.display()
        ),
    )
}

/// `arn:<partition>:iam::<account>:role/<name>` → (partition, account).
fn parse_role_arn(arn: &str) -> Result<(String, String), Failure> {
    match Arn::parse(arn) {
        Ok(parsed)
            if parsed.is_role()
                && parsed.region().is_empty()
                && parsed.account().len() == 12
                && parsed.account().chars().all(|c| c.is_ascii_digit()) =>
        {
            Ok((parsed.partition().to_owned(), parsed.account().to_owned()))
        }
        _ => Err(Failure::bad_input(
            "bad-role-arn",
            format!("--role-arn {arn:?} is not a role ARN (arn:aws:iam::123456789012:role/NAME)"),
        )),
    }
}

/// The partition and account of the policy's Federated provider ARN for `provider_url`
/// (else of any provider ARN; else the documentation account 123456789012).
fn account_from_policy(document: &PolicyDocument, provider_url: &str) -> (String, String) {
    let host = crate::account::strip_scheme(provider_url);
    let arns: Vec<Arn> = document
        .federated()
        .filter_map(|id| Arn::parse(id).ok())
        .filter(|arn| arn.oidc_provider_url().is_some())
        .collect();
    let best = arns
        .iter()
        .find(|arn| arn.oidc_provider_url() == Some(host))
        .or(arns.first());
    best.map_or_else(
        || ("aws".to_owned(), "123456789012".to_owned()),
        |arn| (arn.partition().to_owned(), arn.account().to_owned()),
    )
}

/// The human-readable explanation (PRODUCT.md, "The heart").
pub(super) fn render(verdict: &Verdict, notes: &[String], style: Style) -> String {
    let mut out = String::new();
    let role_arn = Arn::parse(&verdict.role_arn).ok();
    let role = role_arn
        .as_ref()
        .and_then(Arn::role_name)
        .unwrap_or(&verdict.role_arn);
    let label = match &verdict.decision {
        Decision::Allowed => style.good("✔ ALLOWED"),
        Decision::Denied { explicit: true } => style.bad("✘ DENIED (explicit Deny)"),
        Decision::Denied { explicit: false } => style.bad("✘ DENIED"),
        Decision::Rejected { .. } => style.bad("✘ REJECTED"),
        Decision::Conditional { .. } => style.warn("? CONDITIONAL"),
    };
    let _ = writeln!(
        out,
        "{}  {label}   STS would answer: {}",
        style.strong(role),
        verdict.sts_answer
    );
    if let Decision::Conditional { branches } = &verdict.decision {
        for (index, branch) in branches.iter().enumerate() {
            let lead = if index == 0 || branches.len() > 2 {
                ""
            } else {
                "otherwise "
            };
            let when = if lead.is_empty() {
                format!(" if {}", branch.condition_text())
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} {lead}{}{when}",
                style.warn("→"),
                branch.decision.outcome_text()
            );
        }
        let _ = writeln!(out, "{}", style.dim(CONDITIONAL_HINT));
    }
    for note in notes {
        let _ = writeln!(out, "{}", style.dim(&format!("  {note}")));
    }

    let _ = writeln!(
        out,
        "\n{}",
        style.strong("Token checks (before the trust policy is read)")
    );
    for check in &verdict.prechecks {
        render_check(&mut out, check, style);
    }

    let _ = writeln!(
        out,
        "{}",
        style.strong(&format!(
            "Trust policy (the call needs {})",
            verdict.required_actions.join(" and ")
        ))
    );
    if matches!(verdict.decision, Decision::Rejected { .. }) {
        let _ = writeln!(
            out,
            "{}",
            style.dim(
                "  (STS stops at the failed check above; the policy is shown for the next step)"
            )
        );
    }
    for statement in &verdict.policy.statements {
        render_statement(&mut out, statement, verdict, style);
    }
    for finding in &verdict.policy_findings {
        let _ = writeln!(out, "  {} {finding}", style.warn("!"));
    }
    for why in &verdict.why {
        let _ = writeln!(out, "{} {why}", style.strong("Why:"));
    }
    for fix in &verdict.fix {
        let _ = writeln!(out, "{} {fix}", style.strong("Fix:"));
    }
    out
}

fn render_check(out: &mut String, check: &Check, style: Style) {
    let mark = match check.status {
        CheckStatus::Passed => style.good("✔"),
        CheckStatus::Failed => style.bad("✘"),
        CheckStatus::Skipped => style.dim("·"),
        CheckStatus::CouldNotCheck => style.warn("?"),
    };
    let _ = writeln!(out, "  {mark} {}: {}", check.id, check.detail);
    if let Some(error) = &check.sts_error {
        let _ = writeln!(out, "      STS answers {}", style.bad(&error.to_string()));
    }
}

fn render_statement(out: &mut String, statement: &StatementTrace, verdict: &Verdict, style: Style) {
    let mark = |passed: bool| {
        if passed {
            style.good("✔")
        } else {
            style.bad("✘")
        }
    };
    let sid = statement
        .sid
        .as_ref()
        .map(|sid| format!(", Sid \"{sid}\""))
        .unwrap_or_default();
    let undecided = statement.principal.passed
        && statement.actions.iter().any(|a| a.passed)
        && statement
            .conditions
            .iter()
            .all(|c| c.passed || c.undecided.is_some())
        && statement.conditions.iter().any(|c| c.undecided.is_some());
    let applies = if statement.applies_to.is_empty() && undecided {
        style.warn("may match: it turns on values only the real call has")
    } else if statement.applies_to.is_empty() {
        style.dim("does not match")
    } else {
        format!("matches {}", statement.applies_to.join(", "))
    };
    let _ = writeln!(
        out,
        "  statement {} ({}{sid}): {applies}",
        statement.index + 1,
        statement.effect
    );
    let _ = writeln!(
        out,
        "    {} Principal: {}",
        mark(statement.principal.passed),
        statement.principal.detail
    );
    for action in &statement.actions {
        let _ = writeln!(out, "    {} Action: {}", mark(action.passed), action.detail);
    }
    for condition in &statement.conditions {
        render_condition(out, condition, verdict, style);
    }
    for note in &statement.notes {
        let _ = writeln!(out, "    {} {note}", style.warn("!"));
    }
}

fn render_condition(out: &mut String, condition: &ConditionTrace, verdict: &Verdict, style: Style) {
    let mark = if condition.passed {
        style.good("✔")
    } else if condition.undecided.is_some() {
        style.warn("?")
    } else {
        style.bad("✘")
    };
    let values = match condition.policy_values.as_slice() {
        [single] => json!(single).to_string(),
        many => json!(many).to_string(),
    };
    let _ = writeln!(
        out,
        "    {mark} {} {} {values}",
        condition.operator, condition.key
    );
    let absent = condition.context_values.is_none();
    let shows_difference = condition.difference.is_some();
    if let Some(difference) = &condition.difference {
        let principal = Arn::parse(&verdict.principal).ok();
        let from_token = principal
            .as_ref()
            .and_then(Arn::oidc_provider_url)
            .is_some_and(|url| {
                condition
                    .key
                    .to_lowercase()
                    .starts_with(&format!("{}:", url.to_lowercase()))
            });
        render_difference(
            out,
            difference,
            if from_token { "token" } else { "request" },
            style,
        );
    }
    if (!condition.passed && !shows_difference) || absent {
        let _ = writeln!(out, "        {}", style.dim(&condition.reason));
    }
    for note in &condition.notes {
        let _ = writeln!(out, "        {} {note}", style.warn("!"));
    }
}

/// Both values aligned, long common prefixes elided, a caret where they part.
fn render_difference(
    out: &mut String,
    difference: &ValueDifference,
    request_label: &str,
    style: Style,
) {
    const KEEP: usize = 12;
    let request: Vec<char> = difference.request.chars().collect();
    let policy: Vec<char> = difference.policy.chars().collect();
    let at = difference.at.min(request.len());
    let skip = if at > KEEP * 2 { at - KEEP } else { 0 };
    let shown = |chars: &[char]| -> String {
        let tail: String = chars.iter().skip(skip).collect();
        if skip > 0 { format!("…{tail}") } else { tail }
    };
    let lead = usize::from(skip > 0);
    let _ = writeln!(out, "        policy   {}", shown(&policy));
    let _ = writeln!(out, "        {request_label:<8} {}", shown(&request));
    let caret_column = 17 + lead + at - skip;
    let message = match &difference.missing_literal {
        Some(literal) if literal.is_empty() => "the pattern ends before the value does".to_owned(),
        Some(literal) => format!("\"{literal}\" is not found from here"),
        None if difference.case_only => "differs in letter case from here".to_owned(),
        None => "differs from here".to_owned(),
    };
    let _ = writeln!(
        out,
        "{}{}",
        " ".repeat(caret_column),
        style.warn(&format!("^ {message}"))
    );
}
