//! The Generate screen: a trust policy for the token at a scope, in a format; what else it
//! admits (the blast radius, by the engine); and the edit of the selected role's policy as a
//! diff.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::Theme;
use crate::generate::{DiffLine, Format, diff};
use crate::tui::app::{App, GeneratedPolicy};

const NO_TOKEN: &str = "No token: paste one, or load one with o (a file) or p (the clipboard).";
const NO_ROLE: &str =
    "Select a role on the Roles screen (2) to see its policy edited to admit this token.";
/// Lines of context around each change in the diff pane.
const CONTEXT: usize = 2;
const ALREADY: &str =
    "Its policy admits this token already, and all the scope admits: nothing to edit.";
const CUT: &str = "more lines: y copies it all, :write FILE writes it";

/// Draws the Generate screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(view) = app.generate_view() else {
        frame.render_widget(Paragraph::new(NO_TOKEN).block(Block::bordered()), area);
        return;
    };
    let [choices, body] =
        Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(area);
    let chosen = view.result.as_ref().ok().map(|p| p.generated.scope);
    let mut scope_spans = vec![Span::styled("scope  ", theme.strong())];
    for (name, fits) in &view.scopes {
        let style = if Some(*name) == chosen {
            theme.strong().patch(theme.selected())
        } else if *fits {
            ratatui::style::Style::default()
        } else {
            theme.dim()
        };
        let label = if *fits {
            format!(" {name} ")
        } else {
            format!(" ({name}) ")
        };
        scope_spans.push(Span::styled(label, style));
    }
    let mut format_spans = vec![Span::styled("format ", theme.strong())];
    for format in Format::ALL {
        let style = if format == view.format {
            theme.strong().patch(theme.selected())
        } else {
            theme.dim()
        };
        format_spans.push(Span::styled(format!(" {} ", format.name()), style));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(scope_spans), Line::from(format_spans)]),
        choices,
    );
    let policy = match &view.result {
        Ok(policy) => policy,
        Err(error) => {
            frame.render_widget(
                Paragraph::new(Line::styled(error, theme.warn()))
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(" No policy ")),
                body,
            );
            return;
        }
    };
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(body);
    render_policy(policy, view.format, frame, left, theme);
    let [radius_area, diff_area] = Layout::vertical([
        Constraint::Length(radius_height(policy)),
        Constraint::Fill(1),
    ])
    .areas(right);
    render_radius(policy, frame, radius_area, theme);
    render_diff(policy, frame, diff_area, theme);
}

fn render_policy(
    policy: &GeneratedPolicy,
    format: Format,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let generated = &policy.generated;
    let mut lines = vec![Line::styled(generated.about.to_owned(), theme.dim())];
    if let Some(caution) = generated.caution {
        lines.push(Line::styled(format!("caution: {caution}"), theme.warn()));
    }
    lines.extend(
        policy
            .rendered
            .lines()
            .map(|line| Line::raw(line.to_owned())),
    );
    // Wrapped, indentation kept, so a long value (a provider ARN, a Semaphore `sub`) is read
    // whole; what is below the box is said, with where to get it all.
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let needed = paragraph.line_count(area.width.saturating_sub(2)) + 2;
    let mut block = Block::bordered().title(format!(" {} · {} ", generated.scope, format.name()));
    if let Some(cut) = needed
        .checked_sub(usize::from(area.height))
        .filter(|cut| *cut > 0)
    {
        block = block.title_bottom(Line::styled(format!(" … {cut} {CUT} "), theme.dim()));
    }
    frame.render_widget(paragraph.block(block), area);
}

fn radius_height(policy: &GeneratedPolicy) -> u16 {
    u16::try_from(policy.radius.len())
        .unwrap_or(10)
        .saturating_add(3)
}

/// The blast radius of the generated policy and, when a role is selected and its policy
/// edited, of that policy now and after the edit.
fn render_radius(policy: &GeneratedPolicy, frame: &mut Frame, area: Rect, theme: Theme) {
    let edit = match &policy.edit {
        Some((_, Ok(edit))) if !edit.fixes.is_empty() => Some(edit),
        _ => None,
    };
    let mark = |admitted: bool| {
        if admitted {
            Span::styled("✔", theme.good())
        } else {
            Span::styled("✘", theme.dim())
        }
    };
    let rows: Vec<Row> = policy
        .radius
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let verdict = if row.admitted {
                Span::styled("✔ admitted", theme.good())
            } else {
                Span::styled("✘ refused", theme.dim())
            };
            let mut cells = vec![verdict, Span::raw(row.identity)];
            if let Some(edit) = edit {
                let at = |rows: &[crate::generate::Admission]| {
                    rows.get(index).is_some_and(|row| row.admitted)
                };
                cells.extend([mark(at(&edit.before)), mark(at(&edit.after))]);
            }
            Row::new(cells)
        })
        .collect();
    let admitted = policy.radius.iter().skip(1).filter(|r| r.admitted).count();
    let title = format!(
        " Also admits {admitted} of {} (by the engine) ",
        policy.radius.len().saturating_sub(1)
    );
    let table = match edit {
        Some(_) => Table::new(
            rows,
            [
                Constraint::Length(11),
                Constraint::Fill(1),
                Constraint::Length(8),
                Constraint::Length(6),
            ],
        )
        .header(Row::new(["generated", "", "role now", "edited"]).style(theme.dim())),
        None => Table::new(rows, [Constraint::Length(11), Constraint::Fill(1)]),
    };
    frame.render_widget(table.block(Block::bordered().title(title)), area);
}

fn render_diff(policy: &GeneratedPolicy, frame: &mut Frame, area: Rect, theme: Theme) {
    let (title, lines) = match &policy.edit {
        None => (
            " Diff ".to_owned(),
            vec![Line::styled(NO_ROLE, theme.dim())],
        ),
        Some((name, Err(error))) => (
            format!(" {name} "),
            vec![Line::styled(error.clone(), theme.warn())],
        ),
        Some((name, Ok(edit))) if edit.fixes.is_empty() => (
            format!(" {name} "),
            vec![Line::styled(ALREADY, theme.good())],
        ),
        Some((name, Ok(edit))) => {
            let mut lines: Vec<Line> = edit
                .fixes
                .iter()
                .map(|fix| Line::styled(format!("edit: {fix}"), theme.strong()))
                .collect();
            lines.extend(with_context(&diff(&edit.old_text, &edit.new_text), theme));
            (format!(" {name}: its policy edited "), lines)
        }
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        area,
    );
}

/// The changed lines with [`CONTEXT`] lines around each, `…` for what is left out: the change
/// is what fits on screen.
fn with_context(all: &[DiffLine<'_>], theme: Theme) -> Vec<Line<'static>> {
    let changed = |index: usize| {
        all.get(index)
            .is_some_and(|line| !matches!(line, DiffLine::Same(_)))
    };
    let near = |index: usize| (index.saturating_sub(CONTEXT)..=index + CONTEXT).any(changed);
    let mut lines = Vec::new();
    let mut skipped = false;
    for (index, line) in all.iter().enumerate() {
        if !near(index) {
            if !skipped {
                lines.push(Line::styled("  …", theme.dim()));
            }
            skipped = true;
            continue;
        }
        skipped = false;
        lines.push(match line {
            DiffLine::Same(text) => Line::styled(format!("  {text}"), theme.dim()),
            DiffLine::Removed(text) => Line::styled(format!("- {text}"), theme.bad()),
            DiffLine::Added(text) => Line::styled(format!("+ {text}"), theme.good()),
        });
    }
    lines
}
