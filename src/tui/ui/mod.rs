//! Rendering: `render(&App, &mut Frame)` lays out the header, tabs, the current screen, the
//! footer and overlays. Render only reads the app.

mod assume;
mod events;
mod generate;
mod help;
mod providers;
mod roles;
mod setup;
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
    frame.render_widget(header_line(app, theme, header.width), header);
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
        Tab::Setup => setup::render(app, frame, body, theme),
    }
    frame.render_widget(footer_line(app, usize::from(footer.width), theme), footer);
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
        Overlay::ConfirmChange(change) => {
            setup::render_confirmation(change, frame, centered(area, 76, 9), theme);
        }
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
        Overlay::Help => help::render(&app.keymap, app.help_scroll, frame, area, theme),
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

/// The columns of the subject the header keeps before the account's source gives way.
const SUBJECT_KEPT: usize = 24;

/// The header in `width` columns. The expiry countdown, the token's number and the account ID
/// always stay; when the line is too wide, the rest gives way in this order: the subject beyond
/// its first 24 columns (its middle goes, start and end stay), the `trustlens` name, the
/// platform, the account's source, then the subject down to 12 columns.
fn header_line(app: &App, theme: Theme, width: u16) -> Line<'static> {
    let count = |text: &str| text.chars().count();
    let width = usize::from(width);
    let (account, source) = match &app.account {
        AccountState::Loading(0) => ("account: loading…".to_owned(), String::new()),
        AccountState::Loading(roles) => (
            "account: loading…".to_owned(),
            format!(" {roles} roles so far"),
        ),
        AccountState::Ready(account, source) => {
            (format!("account {}", account.id), format!(" ({source})"))
        }
        AccountState::Failed(error) => ("account:".to_owned(), format!(" {error}")),
    };
    let Some(loaded) = app.token() else {
        return Line::from(vec![
            Span::styled("trustlens ", theme.strong()),
            Span::raw(format!("{account}{source}")),
        ]);
    };
    let subject = loaded.token.subject().unwrap_or("(no sub)").to_owned();
    let platform = loaded
        .token
        .issuer()
        .and_then(crate::platforms::detect)
        .map(|p| format!(" ({})", p.name()))
        .unwrap_or_default();
    let index = format!(" · token {}/{}", app.current + 1, app.tokens.len());
    let expiry = loaded
        .token
        .claims()
        .get("exp")
        .and_then(serde_json::Value::as_i64)
        .map(|exp| {
            let style = if exp > app.now {
                theme.dim()
            } else {
                theme.bad()
            };
            (format!(" · {}", expiry_phrase(app.now, exp)), style)
        });
    let expiry_width = expiry.as_ref().map_or(0, |(text, _)| count(text));
    // Columns are handed out in the order things are kept.
    let mut room = width.saturating_sub(expiry_width + count(&index) + 2 + count(&account));
    let take = |room: &mut usize, wanted: usize| {
        let given = wanted.min(*room);
        *room -= given;
        given
    };
    let subject_core = take(&mut room, count(&subject).min(SUBJECT_KEPT));
    let source_room = take(&mut room, count(&source));
    let source = if source_room == count(&source) {
        source
    } else if source_room >= 6 {
        let kept: String = source.chars().take(source_room - 1).collect();
        format!("{kept}…")
    } else {
        room += source_room;
        String::new()
    };
    let fits = |room: &mut usize, wanted: usize| {
        let fits = wanted <= *room;
        if fits {
            *room -= wanted;
        }
        fits
    };
    let platform = if fits(&mut room, count(&platform)) {
        platform
    } else {
        String::new()
    };
    let brand = fits(&mut room, 10);
    let subject_room = subject_core + take(&mut room, count(&subject).saturating_sub(subject_core));
    let mut spans = Vec::new();
    if brand {
        spans.push(Span::styled("trustlens ", theme.strong()));
    }
    spans.push(Span::raw(format!("{account}{source}")));
    spans.push(Span::raw(format!(
        "{index}{platform}: {}",
        middle_ellipsis(&subject, subject_room.max(3))
    )));
    if let Some((text, style)) = expiry {
        spans.push(Span::styled(text, style));
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
        Tab::Setup => &[
            (&[C::Assume], "next change"),
            (&[C::Copy], "copy the snippet"),
            (&[C::Refresh], "check again"),
            (&[C::Down, C::Up], "scroll"),
            (&[C::Palette], "setup …"),
            (&[C::Help], "help"),
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

fn footer_line(app: &App, width: usize, theme: Theme) -> Line<'static> {
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
    Line::styled(app.keymap.hints(hint_entries(app.tab), width), theme.dim())
}

/// Data in a line of text (a claim, policy text), its control characters and bidi overrides
/// shown escaped; ratatui drops controls but would draw a bidi override.
fn printable(text: &str) -> String {
    crate::printable::escape(text, crate::printable::Keep::default()).into_owned()
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

/// `text` cut into lines — the first of at most `first` columns, the others of `rest` — at
/// spaces where it can be, inside a word (an ARN, a subject) where it must; nothing is lost.
fn wrap_text_in(text: &str, first: usize, rest: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let room = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for word in text.split_inclusive(' ') {
        let word_width: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        let visible = word_width.saturating_sub(usize::from(word.ends_with(' ')));
        // A word goes to the next line when it fits there; a longer one (an ARN) starts here.
        if used > 0 && used + visible > room(&lines) && visible <= rest.max(1) {
            lines.push(std::mem::take(&mut line).trim_end().to_owned());
            used = 0;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > room(&lines) && c != ' ' {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// A styled `lead` and `text` as lines of at most `width` columns; lines after the first start
/// with `indent`.
pub(super) fn wrap_styled(
    lead: Span<'static>,
    text: &str,
    style: ratatui::style::Style,
    indent: &str,
    width: usize,
) -> Vec<Line<'static>> {
    let lead_width = unicode_width::UnicodeWidthStr::width(lead.content.as_ref());
    let first_room = width.saturating_sub(lead_width);
    let rest_room = width.saturating_sub(unicode_width::UnicodeWidthStr::width(indent));
    let mut pieces = wrap_text_in(text, first_room, rest_room).into_iter();
    let head = pieces.next().unwrap_or_default();
    let mut lines = vec![Line::from(vec![lead, Span::styled(head, style)])];
    for piece in pieces {
        lines.push(Line::from(vec![
            Span::raw(indent.to_owned()),
            Span::styled(piece, style),
        ]));
    }
    lines
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

/// A confirmation overlay: `lines` (what would be done), then how to answer, in a box titled
/// `title` over whatever is below.
fn render_confirmation_box(title: &str, mut lines: Vec<Line<'_>>, frame: &mut Frame, area: Rect) {
    lines.push(Line::raw(""));
    lines.push(Line::raw("enter: yes · esc: no"));
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(ratatui::widgets::Block::bordered().title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrapping_keeps_every_character() {
        let arn = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
        let lines = super::wrap_text_in(&format!("Fix: add {arn} to it"), 20, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), format!("Fix:add{arn}toit"));
        assert_eq!(super::wrap_text_in("a b c", 3, 3), ["a b", "c"]);
        assert_eq!(super::wrap_text_in("", 3, 3), [""]);
        assert_eq!(super::wrap_text_in("abcdef", 2, 4), ["ab", "cdef"]);
    }

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
