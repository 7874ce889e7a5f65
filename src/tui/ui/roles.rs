//! The Roles screen: every role with its verdict for the token, and the selected role's trust
//! policy marked condition by condition, above the explanation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, Paragraph, Wrap};

use super::Theme;
use crate::arn::Arn;
use crate::eval::{Decision, RoleScan, ScanClass, Verdict};
use crate::policy::Anchor;
use crate::tui::app::{AccountState, App, SelectedRole};

/// Draws the Roles screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let message = match (&app.account, app.token(), &app.scan) {
        (_, None, _) if app.minting => Some("Minting the demo token…".to_owned()),
        (AccountState::Loading(0), _, _) => Some("Loading the account…".to_owned()),
        (AccountState::Loading(roles), _, _) => {
            Some(format!("Loading the account… {roles} roles so far"))
        }
        (AccountState::Failed(error), _, _) => Some(format!(
            "The account could not be loaded: {error}\nPress R to retry, or type :demo to explore the embedded demo account."
        )),
        (_, None, _) => Some("No token yet: paste one, or see the Token tab.".to_owned()),
        (_, _, None) => Some("Evaluating every role…".to_owned()),
        _ => None,
    };
    if let Some(message) = message {
        frame.render_widget(
            Paragraph::new(message)
                .wrap(Wrap { trim: true })
                .block(Block::bordered()),
            area,
        );
        return;
    }
    let [list_area, detail_area] = split(area);
    render_list(app, frame, list_area, theme);
    let row = app.visible_roles().get(app.roles.selected).copied();
    let shown = row
        .and_then(|row| app.lint.get(&row.arn))
        .filter(|summary| summary.errors() + summary.warnings() > 0);
    let detail_area = match shown {
        Some(summary) => {
            let [detail, lint] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(lint_height(summary)),
            ])
            .areas(detail_area);
            render_lint(summary, frame, lint, theme);
            detail
        }
        None => detail_area,
    };
    match (&app.selected, row) {
        (Some(selected), _) => render_detail(selected, frame, detail_area, theme),
        (None, Some(row)) => render_unreadable(app, row, frame, detail_area, theme),
        (None, None) => frame.render_widget(
            Paragraph::new("No role matches.").block(Block::bordered()),
            detail_area,
        ),
    }
}

/// A role that cannot be explained — its trust policy does not parse: why, and the policy as
/// IAM returned it.
fn render_unreadable(app: &App, row: &RoleScan, frame: &mut Frame, area: Rect, theme: Theme) {
    let text = match &app.account {
        AccountState::Ready(account, _) => account
            .roles
            .iter()
            .find(|role| role.arn == row.arn)
            .map(|role| role.trust_policy.text().to_owned()),
        _ => None,
    };
    let mut lines = vec![Line::styled(
        row.blocker.clone().unwrap_or_default(),
        theme.bad(),
    )];
    lines.push(Line::raw(""));
    lines.extend(
        text.iter()
            .flat_map(|text| text.lines().map(|l| Line::raw(l.to_owned()))),
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {} ", row.name))),
        area,
    );
}

/// The list (left) and the explanation (right).
fn split(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(38), Constraint::Fill(1)]).areas(area)
}

/// The first row shown: the selection stays near the middle.
fn first_row(selected: usize, rows: usize, height: usize) -> usize {
    selected
        .saturating_sub(height / 2)
        .min(rows.saturating_sub(height))
}

/// The role row under screen cell (`column`, `row`) of the Roles screen's `body`, if any.
pub fn row_at(app: &App, body: Rect, column: u16, row: u16) -> Option<usize> {
    let [list, _] = split(body);
    let inside = column > list.x
        && column + 1 < list.x + list.width
        && row > list.y
        && row + 1 < list.y + list.height;
    if !inside {
        return None;
    }
    let height = usize::from(list.height.saturating_sub(2)).max(1);
    let rows = app.visible_roles().len();
    let index = first_row(app.roles.selected, rows, height) + usize::from(row - list.y - 1);
    (index < rows).then_some(index)
}

/// The mark and style of a class.
fn mark(class: ScanClass, theme: Theme) -> (&'static str, Style) {
    match class {
        ScanClass::Allowed => ("✔", theme.good()),
        ScanClass::NearMiss => ("~", theme.warn()),
        ScanClass::Far => ("✘", theme.bad()),
        ScanClass::Unrelated => ("·", theme.dim()),
    }
}

fn render_list(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let rows = app.visible_roles();
    let counts: Vec<String> = app
        .counts()
        .iter()
        .map(|(class, n)| format!("{}{n}", mark(*class, theme).0))
        .collect();
    let filter = if app.roles.filtering || !app.roles.filter.is_empty() {
        format!(" /{}", app.roles.filter)
    } else {
        String::new()
    };
    let title = format!(" Roles {}{filter} ", counts.join(" "));
    // Only the rows that fit are built, so thousands of roles scroll smoothly.
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let first = first_row(app.roles.selected, rows.len(), height);
    let items: Vec<ListItem> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, role)| {
            let (symbol, style) = mark(role.class, theme);
            let (badge, admits) = lint_badge(app, role, theme);
            let mut spans = vec![
                Span::styled(format!("{symbol} "), style),
                badge,
                Span::raw(role.name.clone()),
            ];
            spans.extend(admits);
            let line = Line::from(spans);
            let item = ListItem::new(line);
            if index == app.roles.selected {
                item.style(theme.selected())
            } else {
                item
            }
        })
        .collect();
    frame.render_widget(List::new(items).block(Block::bordered().title(title)), area);
}

/// The lint mark before a role's name (`!` red for errors, yellow for warnings, blank
/// otherwise), and for an allowed role whose policy admits far more than this job, who can
/// assume it.
fn lint_badge(app: &App, role: &RoleScan, theme: Theme) -> (Span<'static>, Option<Span<'static>>) {
    let Some(summary) = app.lint.get(&role.arn) else {
        return (Span::raw("  "), None);
    };
    let badge = if summary.errors() > 0 {
        Span::styled("! ", theme.bad())
    } else if summary.warnings() > 0 {
        Span::styled("! ", theme.warn())
    } else {
        Span::raw("  ")
    };
    let admits = match (role.class, &summary.admits) {
        (ScanClass::Allowed, Some(admits)) => {
            Some(Span::styled(format!(" — {admits}"), theme.warn()))
        }
        _ => None,
    };
    (badge, admits)
}

/// Policy text in a message, with control characters shown escaped.
fn printable(text: &str) -> String {
    crate::printable::escape(text, crate::printable::Keep::default()).into_owned()
}

/// Rows the Lint box needs: a line per error or warning (at most 6), its borders.
fn lint_height(summary: &crate::lint::Summary) -> u16 {
    let shown = summary.errors() + summary.warnings();
    u16::try_from(shown.clamp(1, 6)).unwrap_or(6) + 2
}

/// The selected role's lint findings: errors and warnings, worst first (notes are counted in
/// the title; `trustlens lint` lists them).
fn render_lint(summary: &crate::lint::Summary, frame: &mut Frame, area: Rect, theme: Theme) {
    let lines: Vec<Line> = summary
        .findings
        .iter()
        .filter(|f| f.severity > crate::lint::Severity::Note)
        .map(|finding| {
            let style = if finding.severity == crate::lint::Severity::Error {
                theme.bad()
            } else {
                theme.warn()
            };
            Line::from(vec![
                Span::styled(format!("{} ", finding.rule.id), style),
                Span::raw(printable(&finding.message)),
            ])
        })
        .collect();
    let notes = summary.counts[2];
    let title = format!(
        " Lint: {} error(s), {} warning(s), {notes} note(s) ",
        summary.errors(),
        summary.warnings()
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

/// The selected role's answer, trust policy marked line by line, and why/fix (the Events
/// screen draws an event's verdict with it too).
pub(super) fn render_detail(selected: &SelectedRole, frame: &mut Frame, area: Rect, theme: Theme) {
    let verdict = &selected.verdict;
    let (label, style) = match &verdict.decision {
        Decision::Allowed => ("✔ ALLOWED", theme.good()),
        Decision::Denied { explicit: true } => ("✘ DENIED (explicit Deny)", theme.bad()),
        Decision::Denied { explicit: false } => ("✘ DENIED", theme.bad()),
        Decision::Rejected { .. } => ("✘ REJECTED", theme.bad()),
    };
    let arn = Arn::parse(&selected.arn).ok();
    let name = arn
        .as_ref()
        .and_then(Arn::role_name)
        .unwrap_or(&selected.arn);
    let [answer_area, policy_area, why_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(explanation_height(verdict, area.width)),
    ])
    .areas(area);

    let answer = Line::from(vec![
        Span::styled(label, style),
        Span::raw(format!("  STS would answer: {}", verdict.sts_answer)),
    ]);
    frame.render_widget(
        Paragraph::new(answer)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(format!(" {name} "))),
        answer_area,
    );

    let mut lines: Vec<Line> = verdict
        .prechecks
        .iter()
        .filter(|c| c.sts_error.is_some())
        .map(|check| Line::styled(format!("✘ {}: {}", check.id, check.detail), theme.bad()))
        .collect();
    if let Some(policy) = &selected.policy {
        lines.extend(policy_lines(verdict, policy, theme));
    }
    // Long lines are cut, not wrapped, so the first failure can be scrolled into view.
    let first_failure = lines.iter().position(|line| {
        line.spans
            .first()
            .is_some_and(|s| s.content.starts_with('✘'))
    });
    let height = usize::from(policy_area.height.saturating_sub(2));
    let scroll = first_failure.map_or(0, |line| line.saturating_sub(height / 3));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(Block::bordered().title(" Trust policy ")),
        policy_area,
    );

    let mut explanation = Vec::new();
    for why in &verdict.why {
        explanation.push(Line::from(vec![
            Span::styled("Why: ", theme.strong()),
            Span::raw(why.clone()),
        ]));
    }
    for fix in &verdict.fix {
        explanation.push(Line::from(vec![
            Span::styled("Fix: ", theme.strong()),
            Span::raw(fix.to_string()),
        ]));
    }
    frame.render_widget(
        Paragraph::new(explanation)
            .wrap(Wrap { trim: true })
            .block(Block::bordered()),
        why_area,
    );
}

/// Rows the why/fix box needs at `width` (at most 8).
fn explanation_height(verdict: &Verdict, width: u16) -> u16 {
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let fixes = verdict.fix.iter().map(ToString::to_string);
    let rows: usize = verdict
        .why
        .iter()
        .cloned()
        .chain(fixes)
        .map(|text| (text.chars().count() + 5) / inner + 1)
        .sum();
    u16::try_from(rows.clamp(1, 8)).unwrap_or(8) + 2
}

/// The pretty-printed trust policy, each principal, action and condition line marked ✔ or ✘,
/// and under a failed condition the request's value.
fn policy_lines<'a>(
    verdict: &Verdict,
    policy: &'a crate::policy::PrettyPolicy,
    theme: Theme,
) -> Vec<Line<'a>> {
    let mut marks: Vec<Option<(bool, Option<Vec<String>>)>> = vec![None; policy.lines.len()];
    for statement in &verdict.policy.statements {
        let s = statement.index;
        let mut set = |anchor, passed: bool, note: Option<Vec<String>>| {
            if let Some(slot) = policy.line_of(anchor).and_then(|line| marks.get_mut(line)) {
                *slot = Some((passed, note));
            }
        };
        set(Anchor::Principal(s), statement.principal.passed, None);
        set(
            Anchor::Action(s),
            statement.actions.iter().all(|a| a.passed),
            None,
        );
        for condition in &statement.conditions {
            let note = (!condition.passed).then(|| {
                match (&condition.difference, &condition.context_values) {
                    (Some(difference), _) => {
                        // Both values from a little before where they part.
                        let skip = difference.at.saturating_sub(12);
                        let tail = |text: &str| {
                            let rest: String = text.chars().skip(skip).collect();
                            if skip > 0 { format!("…{rest}") } else { rest }
                        };
                        vec![
                            format!("policy: {}", tail(&difference.policy)),
                            format!("token:  {}", tail(&difference.request)),
                        ]
                    }
                    (None, Some(values)) => vec![format!("token: {}", values.join(", "))],
                    (None, None) => vec![condition.reason.clone()],
                }
            });
            set(
                Anchor::Condition(s, condition.index),
                condition.passed,
                note,
            );
        }
    }
    let mut lines = Vec::new();
    for (text, mark) in policy.lines.iter().zip(marks) {
        match mark {
            Some((true, _)) => lines.push(Line::from(vec![
                Span::styled("✔ ", theme.good()),
                Span::raw(text.as_str()),
            ])),
            Some((false, note)) => {
                lines.push(Line::from(vec![
                    Span::styled("✘ ", theme.bad()),
                    Span::styled(text.as_str(), theme.bad()),
                ]));
                for note in note.into_iter().flatten() {
                    lines.push(Line::styled(format!("    ↳ {note}"), theme.warn()));
                }
            }
            None => lines.push(Line::raw(format!("  {text}"))),
        }
    }
    lines
}
