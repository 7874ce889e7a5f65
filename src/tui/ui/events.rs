//! The Events screen: recent `AssumeRoleWithWebIdentity` calls from CloudTrail — failed
//! attempts first, then successful calls — and the selected attempt explained like a token:
//! what the event tells, how sure the verdict is, and the trust policy marked line by line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, Paragraph, Wrap};

use super::Theme;
use crate::arn::Arn;
use crate::trail::{Explanation, TrailReport};
use crate::tui::app::{App, EventRow, EventsState};

/// Draws the Events screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let (report, source) = match &app.events.state {
        EventsState::Ready(report, source) => (report, source),
        other => {
            let message = match other {
                EventsState::Loading(0) | EventsState::Idle => {
                    "Reading CloudTrail events…".to_owned()
                }
                EventsState::Loading(count) => {
                    format!("Reading CloudTrail events… {count} so far")
                }
                EventsState::Failed(error) => format!(
                    "The events could not be read: {error}\nPress R to retry, or type :events FILE to read a CloudTrail file."
                ),
                EventsState::Ready(..) => String::new(),
            };
            frame.render_widget(
                Paragraph::new(message)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered()),
                area,
            );
            return;
        }
    };
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Fill(1)]).areas(area);
    render_list(app, report, source, frame, list_area, theme);
    match app.events.selected_row() {
        Some(EventRow::Attempt(index)) => render_attempt(app, report, index, frame, detail_area, theme),
        Some(EventRow::Success(index)) => render_success(report, index, frame, detail_area, theme),
        None => frame.render_widget(
            Paragraph::new(format!(
                "No AssumeRoleWithWebIdentity call in {source}.\nCloudTrail delivers events within about 15 minutes: R reads them again."
            ))
            .wrap(Wrap { trim: true })
            .block(Block::bordered()),
            detail_area,
        ),
    }
}

/// A role ARN's name, for short rows.
fn role_name(arn: Option<&str>) -> String {
    match arn {
        Some(arn) => Arn::parse(arn)
            .ok()
            .and_then(|parsed| parsed.role_name().map(str::to_owned))
            .unwrap_or_else(|| arn.to_owned()),
        None => "(no role)".to_owned(),
    }
}

fn render_list(
    app: &App,
    report: &TrailReport,
    source: &str,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let rows = app.events.rows();
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let first = app
        .events
        .selected
        .saturating_sub(height / 2)
        .min(rows.len().saturating_sub(height));
    let items: Vec<ListItem> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .filter_map(|(index, row)| {
            let line = match *row {
                EventRow::Attempt(n) => {
                    let attempt = report.attempts.get(n)?;
                    let count = if attempt.count > 1 {
                        format!("×{} ", attempt.count)
                    } else {
                        String::new()
                    };
                    Line::from(vec![
                        Span::styled("✘ ", theme.bad()),
                        Span::raw(format!(
                            "{count}{} {}",
                            role_name(attempt.event.role_arn.as_deref()),
                            attempt.event.subject.as_deref().unwrap_or("?")
                        )),
                    ])
                }
                EventRow::Success(n) => {
                    let success = report.successes.get(n)?;
                    Line::from(vec![
                        Span::styled("✔ ", theme.good()),
                        Span::raw(format!(
                            "×{} {} {}",
                            success.count,
                            role_name(success.role_arn.as_deref()),
                            success.subject.as_deref().unwrap_or("?")
                        )),
                    ])
                }
            };
            let item = ListItem::new(line);
            Some(if index == app.events.selected {
                item.style(theme.selected())
            } else {
                item
            })
        })
        .collect();
    let counts = format!(
        " Events ✘{} ✔{} · ",
        report.attempts.len(),
        report.successes.iter().map(|s| s.count).sum::<usize>()
    );
    // A long path keeps its end, the file's name, in view.
    let room = usize::from(area.width.saturating_sub(3)).saturating_sub(counts.chars().count());
    let title = format!("{counts}{} ", super::tail(source, room));
    frame.render_widget(List::new(items).block(Block::bordered().title(title)), area);
}

fn render_attempt(
    app: &App,
    report: &TrailReport,
    index: usize,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let Some(attempt) = report.attempts.get(index) else {
        return;
    };
    let event = &attempt.event;
    // The verdict's standing first, so it stays in view when the facts are cut.
    let mut lines: Vec<Line> = match &attempt.explanation {
        Explanation::Evaluated {
            certainty,
            agreement,
            ..
        } => {
            let style = if certainty.certain {
                theme.good()
            } else {
                theme.warn()
            };
            vec![
                Line::styled(certainty.words.clone(), style),
                Line::styled(agreement.clone(), theme.dim()),
            ]
        }
        Explanation::NotEvaluated { reason } => {
            vec![Line::styled(
                format!("not evaluated: {reason}"),
                theme.warn(),
            )]
        }
    };
    if attempt.count > 1 {
        lines.push(Line::styled(
            format!(
                "retried: {} events until {}",
                attempt.count,
                attempt.last_time.as_deref().unwrap_or("?")
            ),
            theme.warn(),
        ));
    }
    lines.extend(
        event
            .facts()
            .into_iter()
            .filter(|(label, _)| *label != "event ID")
            .map(|(label, value)| {
                Line::from(vec![
                    Span::styled(format!("{label:<11} "), theme.dim()),
                    Span::raw(value),
                ])
            }),
    );
    lines.push(Line::styled(
        "the event cannot tell the token's other claims, its expiry or signature, or whether an SCP/RCP took part",
        theme.dim(),
    ));
    let mut facts = Paragraph::new(lines).wrap(Wrap { trim: true });
    // As wrapped: the box is as tall as its lines need, leaving the verdict its rows.
    let needed =
        u16::try_from(facts.line_count(area.width.saturating_sub(2)) + 2).unwrap_or(u16::MAX);
    let selected = app.selected_event_role();
    let [facts_area, verdict_area] = if selected.is_some() {
        let room = area
            .height
            .saturating_sub(VERDICT_ROWS)
            .max(area.height / 3);
        Layout::vertical([Constraint::Length(needed.min(room)), Constraint::Fill(1)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    let mut block = Block::bordered().title(format!(
        " What the event tells · {} ",
        event.time.as_deref().unwrap_or("no time")
    ));
    if needed > facts_area.height {
        block = block.title_bottom(Line::styled(
            format!(
                " … {} more lines: y copies the event as JSON ",
                needed - facts_area.height
            ),
            theme.dim(),
        ));
    }
    facts = facts.block(block);
    frame.render_widget(facts, facts_area);
    if let Some(selected) = selected {
        super::roles::render_detail(
            &selected,
            super::roles::WhyView::of(app),
            frame,
            verdict_area,
            theme,
        );
    }
}

/// Rows the selected role's verdict keeps below the facts: its answer, some of the policy, and
/// its Why.
const VERDICT_ROWS: u16 = 14;

fn render_success(report: &TrailReport, index: usize, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(success) = report.successes.get(index) else {
        return;
    };
    let field = |label: &str, value: Option<&str>| {
        Line::from(vec![
            Span::styled(format!("{label:<11} "), theme.dim()),
            Span::raw(value.unwrap_or("?").to_owned()),
        ])
    };
    let calls = success.count.to_string();
    let lines = vec![
        Line::styled("✔ the calls succeeded", theme.good()),
        field("subject", success.subject.as_deref()),
        field("role", success.role_arn.as_deref()),
        field("issuer", success.issuer.as_deref()),
        field("from", success.source_ip.as_deref()),
        field("verified by", success.verification_method.as_deref()),
        field("calls", Some(&calls)),
        field("last", success.last_time.as_deref()),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Successful calls ")),
        area,
    );
}
