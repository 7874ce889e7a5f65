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

/// Draws the key list over `screen`: as many columns of whole entries as the width holds (one
/// at 80 columns, three at 220), the box as wide as they are, and scrolled by `scroll` rows
/// (`j`/`k`) when they are taller than the screen.
pub fn render(keymap: &Keymap, scroll: usize, frame: &mut Frame, screen: Rect, theme: Theme) {
    let entries = keymap.help();
    let key_width = entries.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let what_width = entries.iter().map(|(_, w)| width(w)).max().unwrap_or(0);
    let cell = key_width + 2 + what_width;
    let room = usize::from(screen.width.saturating_sub(4)).max(1);
    let columns = ((room + 2) / (cell + 2))
        .clamp(1, 3)
        .min(entries.len().max(1));
    let per_column = entries.len().div_ceil(columns);
    // The box may cover all but one line of the screen (the header or the footer).
    let visible = usize::from(screen.height.saturating_sub(3)).max(1);
    let rows = per_column.min(visible);
    let scroll = scroll.min(per_column - rows);
    let cell = cell.min(room);
    let text = |(keys, what): &(String, &str)| {
        let line = format!("{keys:<key_width$}  {what}");
        let cut = if width(&line) > cell {
            let kept: String = line.chars().take(cell.saturating_sub(1)).collect();
            format!("{kept}…")
        } else {
            line
        };
        format!("{cut:<cell$}")
    };
    let lines: Vec<Line> = (scroll..scroll + rows)
        .map(|row| {
            let spans: Vec<Span> = (0..columns)
                .filter_map(|column| entries.get(column * per_column + row))
                .flat_map(|entry| [Span::styled(text(entry), theme.strong()), Span::raw("  ")])
                .collect();
            Line::from(spans)
        })
        .collect();
    let box_width = u16::try_from(columns * cell + (columns - 1) * 2 + 2).unwrap_or(u16::MAX);
    let box_height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let area = super::centered(screen, box_width, box_height);
    let title = if per_column > rows {
        format!(
            " Keys {}–{} of {per_column} (j/k scroll, esc closes) ",
            scroll + 1,
            scroll + rows
        )
    } else {
        " Keys (esc closes) ".to_owned()
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

/// Terminal columns of `text`.
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
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
