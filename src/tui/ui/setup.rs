//! The Setup screen: `trustlens setup`'s three steps with their live checks, the changes left,
//! what was made, and step 3's snippet; and the confirmation asked before each change.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::Theme;
use crate::setup::{Change, Outcome, Plan, Status};
use crate::tui::app::{App, SetupState};

const INTRO: [&str; 6] = [
    "Set a CI platform's jobs up to assume a role — the seed guide's three steps, checked live:",
    "  1 the IAM OIDC provider · 2 the role and a trust policy admitting the intended jobs and nothing more · 3 the pipeline snippet",
    "",
    "  :setup semaphore --org ORG --project ID --repo NAME [--role-name NAME] [--branch B] [--scope S]",
    "  platforms: semaphore, github, gitlab, circleci, bitbucket, buildkite, hcp-terraform, eks, spacelift, google",
    "Then a asks before each change and makes it on enter; y copies the snippet. Nothing changes otherwise.",
];

/// Draws the Setup screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let lines: Vec<Line> = match &app.setup.state {
        SetupState::Idle => INTRO.iter().map(|line| Line::raw(*line)).collect(),
        SetupState::Planning => vec![Line::styled("Reading the account…", theme.dim())],
        SetupState::Failed(error) => vec![
            Line::styled(format!("No plan: {error}"), theme.bad()),
            Line::raw(""),
            Line::styled(
                "Fix the :setup command (: opens it) and try again.",
                theme.dim(),
            ),
        ],
        SetupState::Ready(plan, source) => plan_lines(app, plan, source, theme),
    };
    let scroll = u16::try_from(app.setup.scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(Block::bordered().title(" Setup ")),
        area,
    );
}

fn mark(status: Status, theme: Theme) -> Span<'static> {
    let style: Style = match status {
        Status::Done => theme.good(),
        Status::Todo => theme.bad(),
        Status::Warn => theme.warn(),
        Status::Info => theme.dim(),
    };
    Span::styled(status.mark(), style)
}

fn plan_lines<'a>(app: &App, plan: &Plan, source: &str, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::styled(format!("{} · {source}", plan.platform), theme.strong()),
        Line::raw(format!(
            "issuer {} · audience {} · role {} · scope {}",
            plan.issuer, plan.audience, plan.role_name, plan.scope
        )),
    ];
    let left = plan.changes().len();
    lines.push(match (left, &app.setup.applying) {
        (_, Some(change)) => Line::styled(format!("making: {}…", change.summary()), theme.warn()),
        (0, None) => Line::styled("✔ every step is done: nothing to change", theme.good()),
        (count, None) => Line::styled(
            format!(
                "{} left — a asks before the next one",
                crate::printable::counted(count, "change")
            ),
            theme.warn(),
        ),
    });
    for applied in &app.setup.applied {
        let (text, style) = match &applied.outcome {
            Outcome::Made => (
                format!("✔ made: {}", applied.change.summary()),
                theme.good(),
            ),
            Outcome::Failed { explanation, .. } => (
                format!("✘ failed: {}: {explanation}", applied.change.summary()),
                theme.bad(),
            ),
            Outcome::Declined | Outcome::NotAttempted => {
                (format!("– {}", applied.change.summary()), theme.dim())
            }
        };
        lines.push(Line::styled(text, style));
    }
    for step in &plan.steps {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Step {} · {}", step.number, step.title),
            theme.strong(),
        ));
        for check in &step.checks {
            lines.push(Line::from(vec![
                Span::raw("  "),
                mark(check.status, theme),
                Span::raw(format!(" {}", check.text)),
            ]));
        }
        for change in &step.changes {
            if let Change::CreateRole { policy, .. } = change {
                let text = serde_json::to_string_pretty(policy).unwrap_or_default();
                for line in text.lines() {
                    lines.push(Line::styled(format!("    {line}"), theme.dim()));
                }
            }
            if let Change::UpdateTrustPolicy { diff, .. } = change {
                for line in diff.lines().filter(|l| !l.starts_with("  ")) {
                    let style = if line.starts_with('+') {
                        theme.good()
                    } else {
                        theme.bad()
                    };
                    lines.push(Line::styled(format!("    {line}"), style));
                }
            }
            lines.push(Line::styled(
                format!("  → {} ({})", change.summary(), change.action()),
                theme.warn(),
            ));
        }
        if step.number == 3 {
            let shorter = plan.trustlens_snippet.as_deref().unwrap_or_default();
            for line in plan.snippet.lines().chain(shorter.lines()) {
                lines.push(Line::raw(format!("    {line}")));
            }
        }
    }
    lines
}

/// "Make this change?" over the screen.
pub fn render_confirmation(change: &Change, frame: &mut Frame, area: Rect, theme: Theme) {
    let lines = vec![
        Line::styled("Make this IAM change for real?", theme.strong()),
        Line::raw(""),
        Line::raw(change.summary()),
        Line::styled(format!("call {}", change.action()), theme.dim()),
    ];
    super::render_confirmation_box(" Setup ", lines, frame, area);
}
