//! Overlays: the help, generated from the keymap, and the copy menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::Theme;
use crate::tui::app::{ClaimEdit, CopyItem};
use crate::tui::keymap::Keymap;

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
    let kind = if edit.was_string { "text" } else { "JSON" };
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("{}: ", edit.name), theme.strong()),
            Span::raw(format!("{}▏", edit.input)),
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
pub fn render_palette(input: &str, frame: &mut Frame, area: Rect, theme: Theme) {
    let lines = vec![
        Line::from(vec![
            Span::styled(":", theme.strong()),
            Span::raw(format!("{input}▏")),
        ]),
        Line::styled(
            "role NAME · token @FILE|env:NAME|demo:NAME|TOKEN · reload · help · quit",
            theme.dim(),
        ),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Command (enter runs, esc closes) ")),
        area,
    );
}
