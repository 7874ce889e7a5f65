//! The Assume screen: the call in flight, and every attempt of this session with AWS's answer —
//! credentials masked until `r` — or its error and the diagnosis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::Theme;
use crate::arn::Arn;
use crate::eval::{Decision, Verdict};
use crate::session::Refusal;
use crate::token::times::expiry_phrase;
use crate::tui::app::{App, AssumeOutcome};

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// Draws the Assume screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut lines = Vec::new();
    if let Some((_, role_arn, at, _)) = &app.assume.running {
        let spin = SPINNER[usize::try_from(app.now - at).unwrap_or(0) % SPINNER.len()];
        lines.push(Line::styled(
            format!("{spin} assuming {role_arn}… (esc cancels)"),
            theme.warn(),
        ));
        lines.push(Line::raw(""));
    }
    if app.assume.attempts.is_empty() && app.assume.running.is_none() {
        lines.push(Line::raw(
            "No attempts yet: select a role on the Roles tab and press a to assume it for real.",
        ));
    }
    for attempt in app.assume.attempts.iter().rev() {
        let arn = Arn::parse(&attempt.role_arn).ok();
        let name = arn
            .as_ref()
            .and_then(Arn::role_name)
            .unwrap_or(&attempt.role_arn);
        match &attempt.outcome {
            AssumeOutcome::Assumed(assumed) => {
                let credentials = &assumed.role.credentials;
                lines.push(Line::from(vec![
                    Span::styled(format!("✔ {name}: "), theme.good()),
                    Span::raw(assumed.role.assumed_role_arn.clone()),
                ]));
                if let Some(answer) = &attempt.refused_locally {
                    lines.push(Line::styled(
                        format!(
                            "    STS granted what the local check refused ({answer}): the local verdict was wrong — the account may have changed since it loaded (R reloads), or trustlens misjudged a rule"
                        ),
                        theme.warn(),
                    ));
                }
                lines.push(match &assumed.confirmed {
                    Ok(identity) if identity.arn == assumed.role.assumed_role_arn => {
                        Line::styled("    confirmed by GetCallerIdentity", theme.dim())
                    }
                    Ok(identity) => Line::styled(
                        format!("    GetCallerIdentity answers as {}", identity.arn),
                        theme.warn(),
                    ),
                    Err(error) => Line::styled(
                        format!("    GetCallerIdentity failed: {error}"),
                        theme.warn(),
                    ),
                });
                let expiry = time::OffsetDateTime::parse(
                    &credentials.expiration,
                    &time::format_description::well_known::Rfc3339,
                )
                .map(|at| expiry_phrase(app.now, at.unix_timestamp()))
                .unwrap_or_else(|_| credentials.expiration.clone());
                lines.push(Line::raw(format!(
                    "    session {expiry} · AccessKeyId {}",
                    credentials.access_key_id
                )));
                let (secret, session) = if app.assume.revealed {
                    (
                        credentials.secret_access_key.expose().clone(),
                        credentials.session_token.expose().clone(),
                    )
                } else {
                    ("••••••••  (r reveals)".to_owned(), "••••••••".to_owned())
                };
                lines.push(Line::raw(format!("    SecretAccessKey {secret}")));
                lines.push(Line::raw(format!("    SessionToken {session}")));
            }
            AssumeOutcome::Refused(Refusal {
                code,
                message,
                diagnosis,
            }) => {
                lines.push(Line::from(vec![
                    Span::styled(format!("✘ {name}: "), theme.bad()),
                    Span::raw(format!("AWS answered {code}: {message}")),
                ]));
                let agreement = if !diagnosis.local_verdict {
                    "no local verdict: the role could not be read"
                } else if diagnosis.agrees_with_local {
                    "as the local verdict predicted"
                } else {
                    "the local verdict did not predict this"
                };
                lines.push(Line::raw(format!(
                    "    {} ({agreement})",
                    diagnosis.summary
                )));
                for explanation in &diagnosis.explanations {
                    lines.push(Line::styled(format!("    - {explanation}"), theme.dim()));
                }
            }
            AssumeOutcome::Failed(error) => {
                lines.push(Line::from(vec![
                    Span::styled(format!("✘ {name}: "), theme.bad()),
                    Span::raw(error.clone()),
                ]));
            }
            AssumeOutcome::Cancelled => {
                lines.push(Line::styled(format!("· {name}: cancelled"), theme.dim()))
            }
        }
        lines.push(Line::raw(""));
    }
    let title = format!(
        " Assume — {} attempt{} this session ",
        app.assume.attempts.len(),
        if app.assume.attempts.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        area,
    );
}

/// The "assume for real?" question.
pub fn render_confirmation(
    role_arn: &str,
    token: usize,
    local: Option<&Verdict>,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let verdict = match local {
        Some(verdict) if verdict.decision == Decision::Allowed => Line::styled(
            "local  ✔ allowed: STS should return credentials",
            theme.good(),
        ),
        Some(verdict) => Line::styled(
            format!("local  ✘ refused: STS should answer {}", verdict.sts_answer),
            theme.bad(),
        ),
        None => Line::styled("local  no verdict for this role", theme.dim()),
    };
    let lines = vec![
        Line::styled("Call AssumeRoleWithWebIdentity for real?", theme.strong()),
        Line::raw(""),
        Line::raw(format!("role   {role_arn}")),
        Line::raw(format!("token  {token}")),
        verdict,
    ];
    super::render_confirmation_box(" Assume ", lines, frame, area);
}
