//! Overlays: the help, generated from the keymap, the copy menu, the command line and the claim
//! editor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Theme, tail};
use crate::tui::keymap::Keymap;
use crate::tui::line::LineInput;
use crate::tui::overlay::{ClaimEdit, CopyItem};

/// Draws the key list in `area`, in two columns when one does not fit.
pub fn render(keymap: &Keymap, frame: &mut Frame, area: Rect, theme: Theme) {
    let entries = keymap.help();
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let columns = if entries.len() > rows { 2 } else { 1 };
    let per_column = entries.len().div_ceil(columns);
    let width = usize::from(area.width.saturating_sub(2)) / columns;
    let cell = |(keys, what): &(String, &str)| {
        let text = format!("{keys:<16} {what}");
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut:<width$}")
    };
    let lines: Vec<Line> = (0..per_column)
        .map(|row| {
            let spans: Vec<Span> = (0..columns)
                .filter_map(|column| entries.get(column * per_column + row))
                .map(|entry| Span::styled(cell(entry), theme.strong()))
                .collect();
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys (esc closes) ")),
        area,
    );
}

/// Draws the copy menu: numbered items (never their text, which may be secret).
pub fn render_copy_menu(items: &[CopyItem], frame: &mut Frame, area: Rect, theme: Theme) {
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Line::from(vec![
                Span::styled(format!("{}  ", index + 1), theme.strong()),
                Span::raw(item.label.clone()),
            ])
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Copy (digit chooses, esc closes) ")),
        area,
    );
}

/// Draws the one-line claim editor.
pub fn render_editor(edit: &ClaimEdit, frame: &mut Frame, area: Rect, theme: Theme) {
    let kind = edit.kind.hint();
    let label = format!("{}: ", edit.name);
    let room = input_room(area, &label);
    let lines = vec![
        Line::from(vec![
            Span::styled(label, theme.strong()),
            Span::raw(with_cursor(&edit.input, room)),
        ]),
        Line::styled(
            format!("{kind} · enter applies as a new, unsigned what-if token · esc cancels"),
            theme.dim(),
        ),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Edit claim ")),
        area,
    );
}

/// Draws the command line.
pub fn render_palette(input: &LineInput, frame: &mut Frame, area: Rect, theme: Theme) {
    let room = input_room(area, ":");
    let masked = mask_token_argument(input.value());
    let shown = if masked == input.value() {
        with_cursor(input, room)
    } else {
        format!("{}▏", tail(&masked, room))
    };
    let lines = vec![
        Line::from(vec![Span::styled(":", theme.strong()), Span::raw(shown)]),
        Line::styled(
            "role NAME · token @FILE|env:NAME|demo:NAME|TOKEN · write [FILE] · reload · demo · quit · tab completes",
            theme.dim(),
        ),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Command (enter runs, esc closes) ")),
        area,
    );
}

/// The typed text with the cursor (`▏`) where it is, cut to `room` columns so the cursor and
/// what is around it stay in view (the end, while typing at the end).
fn with_cursor(input: &LineInput, room: usize) -> String {
    let before: String = input.value().chars().take(input.cursor()).collect();
    let after: String = input.value().chars().skip(input.cursor()).collect();
    let after_room = after.chars().count().min(room / 3);
    let before = tail(&before, room - after_room);
    let left = room.saturating_sub(before.chars().count());
    let after = if after.chars().count() > left {
        let kept: String = after.chars().take(left.saturating_sub(1)).collect();
        format!("{kept}…")
    } else {
        after
    };
    format!("{before}▏{after}")
}

/// Columns left for the typed text on an input line: the box less its borders, the label and
/// the cursor.
fn input_room(area: Rect, label: &str) -> usize {
    usize::from(area.width.saturating_sub(3)).saturating_sub(label.chars().count())
}

/// `token TOKEN` typed on the command line shows the token masked; sources that are not the
/// token itself (`@FILE`, `env:NAME`, `demo:NAME`) show as typed.
fn mask_token_argument(input: &str) -> String {
    match input.strip_prefix("token ") {
        Some(source)
            if !source.is_empty()
                && !["@", "env:", "demo:"]
                    .iter()
                    .any(|prefix| source.starts_with(prefix)) =>
        {
            format!("token •••••••• ({} characters)", source.chars().count())
        }
        _ => input.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_shows_where_it_is_and_stays_in_view() {
        let mut line = LineInput::new("role deploy");
        assert_eq!(with_cursor(&line, 20), "role deploy▏");
        line.apply(tui_input::InputRequest::GoToPrevWord);
        assert_eq!(with_cursor(&line, 20), "role ▏deploy");
        let long = LineInput::new("x".repeat(40));
        assert_eq!(with_cursor(&long, 10), format!("…{}▏", "x".repeat(9)));
        let mut long = long;
        long.apply(tui_input::InputRequest::GoToStart);
        assert_eq!(with_cursor(&long, 10), format!("▏{}…", "x".repeat(9)));
    }

    #[test]
    fn long_input_keeps_its_end_in_view() {
        assert_eq!(tail("abc", 3), "abc");
        assert_eq!(tail("abcdef", 4), "…def");
        assert_eq!(tail("abcdef", 0), "…");
    }

    #[test]
    fn a_token_typed_on_the_command_line_is_masked() {
        assert_eq!(
            mask_token_argument("token eyJhbGciOi.x.y"),
            "token •••••••• (14 characters)"
        );
        assert_eq!(mask_token_argument("token @ci.jwt"), "token @ci.jwt");
        assert_eq!(mask_token_argument("token env:TOKEN"), "token env:TOKEN");
        assert_eq!(mask_token_argument("role deploy"), "role deploy");
    }
}
