//! Overlays: the help, generated from the keymap, and the copy menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::Theme;
use crate::tui::app::CopyItem;
use crate::tui::keymap;

/// Draws the key list in `area`.
pub fn render(frame: &mut Frame, area: Rect, theme: Theme) {
    let lines: Vec<Line> = keymap::help()
        .into_iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{keys:<22}"), theme.strong()),
                Span::raw(what),
            ])
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
