//! `trustlens trail`: failed `AssumeRoleWithWebIdentity` calls from CloudTrail explained
//! without the token — from a file, standard input or live `LookupEvents`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::input::report;
use super::output::{table, write_report};
use super::style::Style;
use super::{Context, Exit, TrailArgs};
use crate::aws::LookupWindow;
use crate::eval::{CheckStatus, Decision};
use crate::session::{self, Failure, Session};
use crate::trail::{Attempt, Explanation, Filters, TrailReport};

/// The look-back when neither `--since` nor `--start` is given.
const DEFAULT_SINCE_SECONDS: i64 = 3_600;

/// Runs `trail`.
pub(super) fn run(args: &TrailArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    match gather(args, session, context) {
        Ok((trail_report, source)) => {
            let text = if args.json {
                let mut value = serde_json::to_value(&trail_report).unwrap_or(Value::Null);
                if let Value::Object(object) = &mut value {
                    object.insert("source".to_owned(), json!(source.words));
                    object.insert("regions".to_owned(), json!(source.regions));
                    object.insert("truncated".to_owned(), json!(source.truncated));
                }
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                text
            } else {
                render(&trail_report, &source, context.style)
            };
            match write_report(context.out, &text, args.json, context.style) {
                Exit::Success if trail_report.attempts.is_empty() => Exit::Success,
                Exit::Success => Exit::Denied,
                other => other,
            }
        }
        Err(failure) => report(&failure, args.json, context),
    }
}

/// Where the events came from.
struct Source {
    words: String,
    regions: Vec<String>,
    truncated: bool,
}

fn gather(
    args: &TrailArgs,
    session: &Session,
    context: &Context<'_>,
) -> Result<(TrailReport, Source), Failure> {
    let filters = Filters {
        role: args.role.clone(),
        subject: args.subject.clone(),
        failed_only: args.failed,
    };
    let (parsed, source) = match &args.file {
        Some(path) => {
            let parsed = session::read_trail(path, context.env)?;
            let words = if path.as_os_str() == "-" {
                "standard input".to_owned()
            } else {
                path.display().to_string()
            };
            (
                parsed,
                Source {
                    words,
                    regions: Vec::new(),
                    truncated: false,
                },
            )
        }
        None => {
            let window = window(args, context.now.unix_timestamp())?;
            let looked = session::block_on(session.recent_trail(&window, &|_| {}))??;
            let words = if session.is_live() {
                format!(
                    "LookupEvents from {} to {}",
                    crate::token::times::utc(window.start),
                    crate::token::times::utc(window.end)
                )
            } else {
                looked.description
            };
            (
                looked.parsed,
                Source {
                    words,
                    regions: looked.regions,
                    truncated: looked.truncated,
                },
            )
        }
    };
    let report = session::block_on(session.explain_trail(&parsed, &filters))??;
    Ok((report, source))
}

/// The live time window: `--start`/`--end`, else the last `--since` (default an hour).
fn window(args: &TrailArgs, now: i64) -> Result<LookupWindow, Failure> {
    let end = args.end.map_or(now, time::OffsetDateTime::unix_timestamp);
    let start = match (args.start, args.since) {
        (Some(start), _) => start.unix_timestamp(),
        (None, Some(since)) => end.saturating_sub(since),
        (None, None) => end.saturating_sub(DEFAULT_SINCE_SECONDS),
    };
    if start >= end {
        return Err(Failure::bad_input(
            "bad-window",
            "the time window is empty: --start must come before --end",
        ));
    }
    Ok(LookupWindow {
        start,
        end,
        max_events: usize::try_from(args.max_events).unwrap_or(usize::MAX),
    })
}

/// Reads `30m`, `2h`, `7d`, `90s` (at most CloudTrail's 90 days) as seconds.
pub(super) fn parse_duration(text: &str) -> Result<i64, String> {
    const MAX: i64 = 90 * 86_400;
    let bad = || format!("expected a duration such as 30m, 2h or 7d (at most 90d), got {text:?}");
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let count: i64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    match count.checked_mul(scale) {
        Some(seconds) if seconds > 0 && seconds <= MAX => Ok(seconds),
        _ => Err(bad()),
    }
}

fn render(report: &TrailReport, source: &Source, style: Style) -> String {
    let mut out = String::new();
    let regions = if source.regions.is_empty() {
        String::new()
    } else {
        format!(" in {}", source.regions.join(" and "))
    };
    let _ = writeln!(
        out,
        "{}",
        style.strong(&format!(
            "CloudTrail, {}{regions}: {} AssumeRoleWithWebIdentity event{} ({} other skipped)",
            source.words,
            report.events,
            plural(report.events),
            report.skipped
        ))
    );
    if source.truncated {
        let _ = writeln!(
            out,
            "{}",
            style.warn("  ! --max-events stopped the lookup: older events were not read")
        );
    }
    let _ = writeln!(
        out,
        "  {} failed attempt{} ({} event{}), {} successful call{}",
        report.attempts.len(),
        plural(report.attempts.len()),
        report.failed_events(),
        plural(report.failed_events()),
        report.successes.iter().map(|s| s.count).sum::<usize>(),
        plural(report.successes.iter().map(|s| s.count).sum::<usize>()),
    );
    if report.events == 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim("  (CloudTrail delivers events within about 15 minutes: a call just made may not be there yet)")
        );
    }
    for attempt in &report.attempts {
        render_attempt(&mut out, attempt, style);
    }
    if !report.successes.is_empty() {
        let _ = writeln!(out, "\n{}", style.strong("Successful calls"));
        let rows: Vec<Vec<String>> = report
            .successes
            .iter()
            .map(|s| {
                vec![
                    s.subject.clone().unwrap_or_else(|| "?".into()),
                    s.role_arn.clone().unwrap_or_else(|| "?".into()),
                    s.source_ip.clone().unwrap_or_else(|| "?".into()),
                    s.verification_method.clone().unwrap_or_else(|| "-".into()),
                    s.count.to_string(),
                    s.last_time.clone().unwrap_or_default(),
                ]
            })
            .collect();
        for line in table(
            &["SUBJECT", "ROLE", "FROM", "VERIFIED BY", "CALLS", "LAST"],
            &rows,
        )
        .lines()
        {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !report.attempts.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.strong("What a CloudTrail event cannot tell")
        );
        for line in &report.cannot_tell {
            let _ = writeln!(out, "  - {line}");
        }
    }
    out
}

fn render_attempt(out: &mut String, attempt: &Attempt, style: Style) {
    let event = &attempt.event;
    let retries = if attempt.count > 1 {
        format!(
            "  ×{} (retries until {})",
            attempt.count,
            attempt.last_time.as_deref().unwrap_or("?")
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n{} {}  {}{retries}",
        style.bad("✘"),
        style.strong(event.error_code.as_deref().unwrap_or("?")),
        event.time.as_deref().unwrap_or("(no time)")
    );
    let _ = writeln!(out, "  {}", style.strong("What the event tells"));
    for (label, value) in event.facts() {
        let _ = writeln!(out, "    {label:<11} {value}");
    }
    match &attempt.explanation {
        Explanation::NotEvaluated { reason } => {
            let _ = writeln!(out, "  {} {reason}", style.warn("Not evaluated:"));
        }
        Explanation::Evaluated {
            verdict,
            certainty,
            agreement,
        } => {
            let label = match verdict.decision {
                Decision::Allowed => style.good("✔ ALLOWED"),
                Decision::Denied { .. } => style.bad("✘ DENIED"),
                Decision::Rejected { .. } => style.bad("✘ REJECTED"),
                Decision::Conditional { .. } => style.warn("? CONDITIONAL"),
            };
            let _ = writeln!(
                out,
                "  {} {label} — {agreement}",
                style.strong("On these claims the trust policy says")
            );
            let words = if certainty.certain {
                style.good(&certainty.words)
            } else {
                style.warn(&certainty.words)
            };
            let _ = writeln!(out, "    {words}");
            // The checks the event cannot show, on one line instead of one each.
            let mut shown = (**verdict).clone();
            let (unseen, seen): (Vec<_>, Vec<_>) = shown
                .prechecks
                .into_iter()
                .partition(|check| check.status == CheckStatus::CouldNotCheck);
            shown.prechecks = seen;
            if !unseen.is_empty() {
                let names: Vec<&str> = unseen.iter().map(|check| check.id.as_str()).collect();
                let passed = matches!(event.error_code.as_deref(), None | Some("AccessDenied"));
                let _ = writeln!(
                    out,
                    "    {} not in the event: {}{}",
                    style.warn("?"),
                    names.join(", "),
                    if passed {
                        " (STS passed them then: it went on to the trust policy)"
                    } else {
                        ""
                    }
                );
            }
            for line in super::explain::render(&shown, &[], style).lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1_800));
        assert_eq!(parse_duration("2h"), Ok(7_200));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert!(parse_duration("91d").is_err());
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("2w").is_err());
        assert!(parse_duration("99999999999999999d").is_err());
    }
}
