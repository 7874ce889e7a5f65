//! The Roles screen: every role with its verdict for the token, and the selected role's trust
//! policy marked condition by condition, above the explanation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, Paragraph, Wrap};

use super::{Theme, wrap_styled};
use crate::arn::Arn;
use crate::eval::{Decision, RoleScan, ScanClass, Truth, Verdict};
use crate::policy::Anchor;
use crate::printable::counted;
use crate::tui::app::{AccountState, App, SelectedRole};
use crate::tui::keymap::Command;

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
        (Some(selected), _) => render_detail(selected, WhyView::of(app), frame, detail_area, theme),
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
        ScanClass::Conditional => ("?", theme.warn()),
        ScanClass::NearMiss => ("~", theme.warn()),
        ScanClass::Far => ("✘", theme.bad()),
        ScanClass::Unrelated => ("·", theme.dim()),
    }
}

fn render_list(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let rows = app.visible_roles();
    let filtered = app.roles.filtering || !app.roles.filter.is_empty();
    let counts: Vec<String> = app
        .shown_counts()
        .iter()
        // A conditional count shows only when some role is conditional (most accounts have none).
        .filter(|(class, n)| *class != ScanClass::Conditional || *n > 0)
        .map(|(class, n)| format!("{}{n}", mark(*class, theme).0))
        .collect();
    let title = format!(" Roles {} ", counts.join(" "));
    let status = if filtered {
        let total = app.scan.as_ref().map_or(0, Vec::len);
        format!(
            " /{} · {} of {total} · {} ",
            app.roles.filter,
            rows.len(),
            app.roles.order.label()
        )
    } else {
        format!(" {} ", app.roles.order.label())
    };
    // Names wider than the list lose their middle, so similar names stay apart.
    let room = usize::from(area.width.saturating_sub(4));
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
                // The badge takes two columns of the name's room.
                Span::raw(super::middle_ellipsis(&role.name, room.saturating_sub(2))),
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
    let block = Block::bordered()
        .title(title)
        .title_bottom(Line::from(super::tail(&status, room)).right_aligned());
    frame.render_widget(List::new(items).block(block), area);
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
                Span::raw(super::printable(&finding.message)),
            ])
        })
        .collect();
    let notes = summary.counts[2];
    let title = format!(
        " Lint: {}, {}, {} ",
        counted(summary.errors(), "error"),
        counted(summary.warnings(), "warning"),
        counted(notes, "note")
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

/// How far the Why and Fix are scrolled, and the keys that scroll them (for the hint).
pub(super) struct WhyView<'a> {
    offset: usize,
    /// Where the draw leaves how far they can be scrolled.
    max: &'a std::cell::Cell<usize>,
    down: Option<&'a str>,
    up: Option<&'a str>,
}

impl WhyView<'_> {
    /// The app's scroll and keys.
    pub(super) fn of(app: &App) -> WhyView<'_> {
        WhyView {
            offset: app.why_scroll,
            max: &app.why_scroll_max,
            down: app.keymap.key_for(Command::WhyDown),
            up: app.keymap.key_for(Command::WhyUp),
        }
    }

    /// The `shown` lines of `explanation` from the offset (clamped), with a line saying what
    /// is above or below in place of the first or last one when the box has room for it.
    fn window<'l>(&self, explanation: Vec<Line<'l>>, shown: usize, theme: Theme) -> Vec<Line<'l>> {
        let total = explanation.len();
        self.max.set(total.saturating_sub(shown));
        if total <= shown {
            return explanation;
        }
        let offset = self.offset.min(total - shown);
        let mut lines: Vec<Line<'l>> = explanation.into_iter().skip(offset).take(shown).collect();
        let below = total - offset - shown;
        if below > 0 && !lines.is_empty() {
            lines.pop();
            let how = self.down.map_or_else(
                || "a taller terminal shows them".to_owned(),
                |key| format!("{key} scrolls down"),
            );
            lines.push(Line::styled(
                format!("… {} more lines: {how}", below + 1),
                theme.dim(),
            ));
        }
        if offset > 0 && lines.len() > 2 {
            let how = self
                .up
                .map_or_else(String::new, |key| format!(": {key} scrolls up"));
            lines[0] = Line::styled(format!("… {} lines above{how}", offset + 1), theme.dim());
        }
        lines
    }
}

/// The selected role's answer, trust policy marked line by line, and why/fix (the Events
/// screen draws an event's verdict with it too).
pub(super) fn render_detail(
    selected: &SelectedRole,
    why: WhyView<'_>,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let verdict = &selected.verdict;
    let (label, style) = match &verdict.decision {
        Decision::Allowed => ("✔ ALLOWED", theme.good()),
        Decision::Denied { explicit: true } => ("✘ DENIED (explicit Deny)", theme.bad()),
        Decision::Denied { explicit: false } => ("✘ DENIED", theme.bad()),
        Decision::Rejected { .. } => ("✘ REJECTED", theme.bad()),
        Decision::Conditional { .. } => ("? CONDITIONAL", theme.warn()),
    };
    let arn = Arn::parse(&selected.arn).ok();
    let name = arn
        .as_ref()
        .and_then(Arn::role_name)
        .unwrap_or(&selected.arn);
    // Every box's text is wrapped here, to the box's width, so its height is known and no
    // verdict, value or fix is cut off at the edge.
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let mut answer = wrap_styled(
        Span::styled(label, style),
        &format!("  STS would answer: {}", verdict.sts_answer),
        Style::default(),
        "  ",
        inner,
    );
    let verdict_lines = answer.len();
    for about in &selected.about {
        answer.extend(wrap_styled(
            Span::raw(""),
            about,
            theme.dim(),
            "      ",
            inner,
        ));
    }
    let mut explanation = explanation_lines(verdict, inner, theme);
    let total = usize::from(area.height);
    let answer_rows = (answer.len() + 2).min(total / 3).max(3);
    // What of the role (ARN, path, description, tags) does not fit under the answer goes below
    // the Why and Fix, where J scrolls to it: their box grows by the line that says so.
    let shown = answer_rows.saturating_sub(2).max(verdict_lines);
    let moved = if answer.len() > shown {
        answer.split_off(shown)
    } else {
        Vec::new()
    };
    let wanted = explanation.len() + 2 + usize::from(!moved.is_empty());
    // The why and fix come before the policy's context: the policy keeps at least 3 lines.
    let why_rows = wanted.min(total.saturating_sub(answer_rows + 5).max(3));
    if !moved.is_empty() {
        explanation.push(Line::raw(""));
        explanation.extend(moved);
    }
    let [answer_area, policy_area, why_area] = Layout::vertical([
        Constraint::Length(u16::try_from(answer_rows).unwrap_or(3)),
        Constraint::Fill(1),
        Constraint::Length(u16::try_from(why_rows).unwrap_or(3)),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(cut_to(answer, answer_rows.saturating_sub(2)))
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
    // Long lines (a provider ARN, a Semaphore subject) wrap, so every value can be read; the
    // view starts a little above the first failure (or undecided condition).
    let lines: Vec<Line> = lines
        .into_iter()
        .flat_map(|line| wrap_line(line, inner))
        .collect();
    let first_failure = lines.iter().position(|line| {
        line.spans
            .first()
            .is_some_and(|s| s.content.starts_with(['✘', '?']))
    });
    let height = usize::from(policy_area.height.saturating_sub(2));
    // From a little above the first failure, and far enough down that its notes are in view.
    let scroll = first_failure.map_or(0, |line| {
        let notes_end = lines
            .iter()
            .enumerate()
            .skip(line + 1)
            .take_while(|(_, l)| {
                let note = l
                    .spans
                    .iter()
                    .take(2)
                    .any(|s| s.content.starts_with("    ↳"));
                let continued = l
                    .spans
                    .first()
                    .is_some_and(|s| !s.content.is_empty() && s.content.trim().is_empty());
                note || continued
            })
            .last()
            .map_or(line, |(index, _)| index);
        // When the failed line and its notes are taller than the box, the notes win: they
        // show the end of each value, where the two part.
        let start = line.saturating_sub(height / 3);
        let start = start.max((notes_end + 1).saturating_sub(height));
        start.min(lines.len().saturating_sub(height))
    });
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(Block::bordered().title(" Trust policy ")),
        policy_area,
    );

    let explanation = why.window(explanation, why_rows.saturating_sub(2), theme);
    frame.render_widget(
        Paragraph::new(explanation).block(Block::bordered()),
        why_area,
    );
}

/// The why and fix lines, wrapped to `width`: the box grows to them.
fn explanation_lines(verdict: &Verdict, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let whys = verdict.why.iter().map(|why| ("Why: ", why.clone()));
    let fixes = verdict.fix.iter().map(|fix| ("Fix: ", fix.to_string()));
    whys.chain(fixes)
        .flat_map(|(lead, text)| {
            wrap_styled(
                Span::styled(lead, theme.strong()),
                &text,
                Style::default(),
                "     ",
                width,
            )
        })
        .collect()
}

/// The first `rows` of `lines`.
fn cut_to(mut lines: Vec<Line<'static>>, rows: usize) -> Vec<Line<'static>> {
    lines.truncate(rows);
    lines
}

/// One policy line wrapped to `width`: its mark, then the text; continuation lines indented
/// under the text.
fn wrap_line(line: Line<'_>, width: usize) -> Vec<Line<'static>> {
    let mut spans = line.spans.into_iter();
    let Some(first) = spans.next() else {
        return vec![Line::raw("")];
    };
    let rest: Vec<Span> = spans.collect();
    let (lead, text, style) = match rest.as_slice() {
        [] => (
            Span::raw(""),
            first.content.into_owned(),
            first.style.patch(line.style),
        ),
        [body, ..] => (
            Span::styled(first.content.into_owned(), first.style),
            rest.iter().map(|s| s.content.as_ref()).collect::<String>(),
            body.style,
        ),
    };
    let depth = text.chars().take_while(|c| *c == ' ').count();
    let indent = " ".repeat((depth + 2).min(width / 2));
    wrap_styled(lead, &text, style, &indent, width)
}

/// The pretty-printed trust policy, each principal, action and condition line marked ✔ or ✘,
/// and under a failed condition the request's value.
fn policy_lines<'a>(
    verdict: &Verdict,
    policy: &'a crate::policy::PrettyPolicy,
    theme: Theme,
) -> Vec<Line<'a>> {
    let mut marks: Vec<Option<(Truth, Option<Vec<String>>)>> = vec![None; policy.lines.len()];
    for statement in &verdict.policy.statements {
        let s = statement.index;
        let mut set = |anchor, truth: Truth, note: Option<Vec<String>>| {
            if let Some(slot) = policy.line_of(anchor).and_then(|line| marks.get_mut(line)) {
                *slot = Some((truth, note));
            }
        };
        let of = |passed: bool| if passed { Truth::Holds } else { Truth::Fails };
        set(Anchor::Principal(s), of(statement.principal.passed), None);
        set(
            Anchor::Action(s),
            of(statement.actions.iter().all(|a| a.passed)),
            None,
        );
        for condition in &statement.conditions {
            let note = (!condition.passed).then(|| {
                match (
                    &condition.undecided,
                    &condition.difference,
                    &condition.context_values,
                ) {
                    (Some(undecided), _, _) => vec![
                        format!("holds if {}", undecided.holds_if),
                        format!("fails if {}", undecided.fails_if),
                    ],
                    (None, Some(difference), _) => {
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
                    (None, None, Some(values)) => vec![format!("token: {}", values.join(", "))],
                    (None, None, None) => vec![condition.reason.clone()],
                }
            });
            set(
                Anchor::Condition(s, condition.index),
                condition.truth(),
                note,
            );
        }
    }
    let mut lines = Vec::new();
    for (text, mark) in policy.lines.iter().zip(marks) {
        match mark {
            Some((Truth::Holds, _)) => lines.push(Line::from(vec![
                Span::styled("✔ ", theme.good()),
                Span::raw(text.as_str()),
            ])),
            Some((Truth::Undecided, note)) => {
                lines.push(Line::from(vec![
                    Span::styled("? ", theme.warn()),
                    Span::styled(text.as_str(), theme.warn()),
                ]));
                for note in note.into_iter().flatten() {
                    lines.push(Line::styled(format!("    ↳ {note}"), theme.warn()));
                }
            }
            Some((Truth::Fails, note)) => {
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
