//! Rendering: `render(&App, &mut Frame)` lays out the header, tabs, the current screen, the
//! footer and overlays. Render only reads the app.

mod assume;
mod events;
mod generate;
mod help;
mod providers;
mod roles;
mod theme;
mod token;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Wrap};

pub use theme::Theme;

use super::action::{Action, Tab};
use super::app::{AccountState, App};
use super::keymap::Command;
use super::overlay::Overlay;
use crate::token::times::expiry_phrase;

/// The smallest terminal the layout fits.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole app.
pub fn render(app: &App, frame: &mut Frame, theme: Theme) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "The terminal is too small: trustlens needs {}×{} (it is {}×{}). Enlarge it, or press q to quit.",
            MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, tabs, body, footer] = regions(area);
    frame.render_widget(header_line(app, theme), header);
    let titles: Vec<&str> = Tab::ALL.iter().map(|tab| tab.title()).collect();
    let selected = Tab::ALL.iter().position(|tab| *tab == app.tab);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(theme.strong().patch(theme.selected())),
        tabs,
    );
    match app.tab {
        Tab::Token => token::render(app, frame, body, theme),
        Tab::Roles => roles::render(app, frame, body, theme),
        Tab::Providers => providers::render(app, frame, body, theme),
        Tab::Assume => assume::render(app, frame, body, theme),
        Tab::Generate => generate::render(app, frame, body, theme),
        Tab::Events => events::render(app, frame, body, theme),
    }
    frame.render_widget(footer_line(app, theme), footer);
    for overlay in app.overlays.iter() {
        render_overlay(app, overlay, frame, theme);
    }
}

/// Draws one overlay, centred over the screen.
fn render_overlay(app: &App, overlay: &Overlay, frame: &mut Frame, theme: Theme) {
    let area = frame.area();
    match overlay {
        Overlay::ConfirmAssume(role_arn) => assume::render_confirmation(
            role_arn,
            app.current + 1,
            app.selected
                .as_ref()
                .filter(|selected| selected.arn == *role_arn)
                .map(|selected| &selected.verdict),
            frame,
            centered(area, 76, 10),
            theme,
        ),
        Overlay::CommandLine(input) => {
            help::render_palette(input, frame, centered(area, 76, 4), theme);
        }
        Overlay::Editor(edit) => help::render_editor(edit, frame, centered(area, 76, 5), theme),
        Overlay::CopyMenu(items) => help::render_copy_menu(
            items,
            frame,
            centered(area, 70, u16::try_from(items.len()).unwrap_or(9) + 4),
            theme,
        ),
        Overlay::Help => help::render(&app.keymap, frame, centered(area, 78, 26), theme),
    }
}

/// Header, tabs, body and footer.
fn regions(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The action of a left click at (`column`, `row`) on a screen of `size`: a tab, or a role row.
pub fn click(app: &App, size: Rect, column: u16, row: u16) -> Option<Action> {
    let [_, tabs, body, _] = regions(size);
    if row == tabs.y {
        // Tabs draw " Title " with a one-cell divider between them.
        let mut x = tabs.x;
        for tab in Tab::ALL {
            let width = u16::try_from(tab.title().chars().count()).unwrap_or(0) + 2;
            if column >= x && column < x + width {
                return Some(Action::ShowTab(tab));
            }
            x += width + 1;
        }
        return None;
    }
    if app.tab == Tab::Roles {
        return roles::row_at(app, body, column, row).map(Action::SelectRow);
    }
    None
}

fn header_line(app: &App, theme: Theme) -> Line<'static> {
    let account = match &app.account {
        AccountState::Loading(0) => "account: loading…".to_owned(),
        AccountState::Loading(roles) => format!("account: loading… {roles} roles so far"),
        AccountState::Ready(account, source) => format!("account {} ({source})", account.id),
        AccountState::Failed(error) => format!("account: {error}"),
    };
    let mut spans = vec![
        Span::styled("trustlens ", theme.strong()),
        Span::raw(account),
    ];
    if let Some(loaded) = app.token() {
        let subject = loaded.token.subject().unwrap_or("(no sub)").to_owned();
        let platform = loaded
            .token
            .issuer()
            .and_then(crate::platforms::detect)
            .map(|p| format!(" ({})", p.name()))
            .unwrap_or_default();
        spans.push(Span::raw(format!(
            " · token {}/{}{platform}: {subject}",
            app.current + 1,
            app.tokens.len()
        )));
        if let Some(exp) = loaded
            .token
            .claims()
            .get("exp")
            .and_then(serde_json::Value::as_i64)
        {
            let phrase = expiry_phrase(app.now, exp);
            let style = if exp > app.now {
                theme.dim()
            } else {
                theme.bad()
            };
            spans.push(Span::styled(format!(" · {phrase}"), style));
        }
    }
    Line::from(spans)
}

/// What the footer says while the filter is typed (its keys are not rebindable).
const FILTER_HINT: &str =
    "type to filter (space-separated terms) · ctrl-u clear · enter keep · esc cancel";

/// The footer's hints for `tab`: commands and their words; the keys come from the active keymap.
fn hint_entries(tab: Tab) -> &'static [(&'static [Command], &'static str)] {
    use Command as C;
    match tab {
        Tab::Roles => &[
            (&[C::Down, C::Up], "move"),
            (&[C::Filter], "filter"),
            (&[C::Sort], "sort"),
            (&[C::Assume], "assume"),
            (&[C::NextToken], "next token"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ],
        Tab::Assume => &[
            (&[C::Reveal], "show/mask credentials"),
            (&[C::Back], "cancel"),
            (&[C::NextTab], "next screen"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ],
        Tab::Generate => &[
            (&[C::NextScope, C::PreviousScope], "scope"),
            (&[C::NextFormat, C::PreviousFormat], "format"),
            (&[C::Copy], "copy"),
            (&[C::WritePolicy], "write to a file"),
            (&[C::RolesTab], "pick a role to diff"),
            (&[C::Help], "help"),
        ],
        Tab::Events => &[
            (&[C::Down, C::Up], "move"),
            (&[C::Copy], "copy"),
            (&[C::Refresh], "read again"),
            (&[C::Palette], "events FILE"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ],
        Tab::Token => &[
            (&[C::Down, C::Up], "choose a claim"),
            (&[C::Edit], "edit it (what-if)"),
            (&[C::Copy], "copy"),
            (&[C::NextToken], "next token"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ],
        _ => &[
            (&[C::NextTab], "next screen"),
            (&[C::PasteClipboard], "paste a token"),
            (&[C::NextToken], "next token"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ],
    }
}

fn footer_line(app: &App, theme: Theme) -> Line<'static> {
    if let Some(toast) = &app.toast {
        return if toast.is_error() {
            Line::styled(format!("{} (esc dismisses)", toast.text), theme.bad())
        } else {
            Line::styled(toast.text.clone(), theme.warn())
        };
    }
    if app.roles.filtering {
        return Line::styled(FILTER_HINT, theme.dim());
    }
    Line::styled(app.keymap.hints(hint_entries(app.tab)), theme.dim())
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// `text` in at most `room` columns: when it is wider, its middle gives way to `…`, so both its
/// start and its end (where similar names differ) stay in view.
pub(super) fn middle_ellipsis(text: &str, room: usize) -> String {
    let count = text.chars().count();
    if count <= room || room < 3 {
        return text.to_owned();
    }
    let end = (room - 1) / 2;
    let start = room - 1 - end;
    let head: String = text.chars().take(start).collect();
    let tail: String = text.chars().skip(count - end).collect();
    format!("{head}…{tail}")
}

/// The end of `text` that fits in `room` columns, led by `…` when the start is cut, so what is
/// being typed stays in view.
pub(super) fn tail(text: &str, room: usize) -> String {
    let count = text.chars().count();
    if count <= room {
        return text.to_owned();
    }
    let kept: String = text.chars().skip(count + 1 - room.max(1)).collect();
    format!("…{kept}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_names_lose_their_middle_not_their_end() {
        let a = super::middle_ellipsis("semaphore-web-deploy-audience-typo", 20);
        let b = super::middle_ellipsis("semaphore-web-deploy-assumerole", 20);
        assert_eq!(a, "semaphore-…ence-typo");
        assert_eq!(b, "semaphore-…ssumerole");
        assert_ne!(a, b);
        assert_eq!(super::middle_ellipsis("short", 20), "short");
    }
}
