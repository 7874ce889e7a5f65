//! Keys as data: key name → command → action. Help is generated from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Tab};
use super::line;
use super::overlay::KeyMode;

/// A verb a key can be bound to. Its name in keymap files, its default keys (space-separated)
/// and its words in help are written once, here, beside it; the variants are in help order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumMessage,
    strum::EnumProperty,
)]
pub enum Command {
    /// The Token tab.
    #[strum(serialize = "token_tab", message = "Token tab", props(keys = "1"))]
    TokenTab,
    /// The Roles tab.
    #[strum(serialize = "roles_tab", message = "Roles tab", props(keys = "2"))]
    RolesTab,
    /// The Providers tab.
    #[strum(
        serialize = "providers_tab",
        message = "Providers tab",
        props(keys = "3")
    )]
    ProvidersTab,
    /// The Assume tab.
    #[strum(serialize = "assume_tab", message = "Assume tab", props(keys = "4"))]
    AssumeTab,
    /// The Generate tab.
    #[strum(
        serialize = "generate_tab",
        message = "Generate tab",
        props(keys = "5")
    )]
    GenerateTab,
    /// The Events tab.
    #[strum(
        serialize = "events_tab",
        message = "Events tab (CloudTrail)",
        props(keys = "6")
    )]
    EventsTab,
    /// The Setup tab.
    #[strum(
        serialize = "setup_tab",
        message = "Setup tab (:setup PLATFORM …)",
        props(keys = "7")
    )]
    SetupTab,
    /// Next tab.
    #[strum(serialize = "next_tab", message = "next tab", props(keys = "tab"))]
    NextTab,
    /// Previous tab.
    #[strum(
        serialize = "previous_tab",
        message = "previous tab",
        props(keys = "shift-tab")
    )]
    PreviousTab,
    /// One row up.
    #[strum(serialize = "up", message = "up", props(keys = "k up"))]
    Up,
    /// One row down.
    #[strum(serialize = "down", message = "down", props(keys = "j down"))]
    Down,
    /// Half a page up.
    #[strum(
        serialize = "page_up",
        message = "half a page up",
        props(keys = "ctrl-u pageup")
    )]
    PageUp,
    /// Half a page down.
    #[strum(
        serialize = "page_down",
        message = "half a page down",
        props(keys = "ctrl-d pagedown")
    )]
    PageDown,
    /// First row.
    #[strum(serialize = "top", message = "first row", props(keys = "g home"))]
    Top,
    /// Last row.
    #[strum(serialize = "bottom", message = "last row", props(keys = "G end"))]
    Bottom,
    /// Scroll a role's Why and Fix down, when they are taller than their box.
    #[strum(
        serialize = "why_down",
        message = "scroll the why and fix down",
        props(keys = "J")
    )]
    WhyDown,
    /// Scroll a role's Why and Fix up.
    #[strum(
        serialize = "why_up",
        message = "scroll the why and fix up",
        props(keys = "K")
    )]
    WhyUp,
    /// Filter the roles.
    #[strum(serialize = "filter", message = "filter roles", props(keys = "/"))]
    Filter,
    /// Sort roles by verdict or name.
    #[strum(
        serialize = "sort",
        message = "sort by verdict / name",
        props(keys = "s")
    )]
    Sort,
    /// Next loaded token.
    #[strum(
        serialize = "next_token",
        message = "next loaded token",
        props(keys = "t")
    )]
    NextToken,
    /// Assume the selected role for real.
    #[strum(
        serialize = "assume",
        message = "assume the selected role for real; Setup: the next change",
        props(keys = "a")
    )]
    Assume,
    /// Yes, in a confirmation.
    #[strum(
        serialize = "confirm",
        message = "yes (in a confirmation)",
        props(keys = "enter")
    )]
    Confirm,
    /// Show or mask credentials.
    #[strum(
        serialize = "reveal",
        message = "show / mask secrets",
        props(keys = "r")
    )]
    Reveal,
    /// The copy menu.
    #[strum(
        serialize = "copy",
        message = "copy menu (digits choose)",
        props(keys = "y")
    )]
    Copy,
    /// The Generate view's next scope.
    #[strum(serialize = "next_scope", message = "next scope", props(keys = "]"))]
    NextScope,
    /// The Generate view's previous scope.
    #[strum(
        serialize = "previous_scope",
        message = "previous scope",
        props(keys = "[")
    )]
    PreviousScope,
    /// The Generate view's next format.
    #[strum(serialize = "next_format", message = "next format", props(keys = "f"))]
    NextFormat,
    /// The Generate view's previous format.
    #[strum(
        serialize = "previous_format",
        message = "previous format",
        props(keys = "F")
    )]
    PreviousFormat,
    /// Write the generated policy to a file (the command line, prefilled).
    #[strum(
        serialize = "write_policy",
        message = "write policy to a file",
        props(keys = "w")
    )]
    WritePolicy,
    /// Edit the selected claim (what-if).
    #[strum(
        serialize = "edit",
        message = "edit the selected claim (what-if)",
        props(keys = "e")
    )]
    Edit,
    /// The command line.
    #[strum(
        serialize = "command_line",
        message = "command line (:role NAME, :token SRC, :reload)",
        props(keys = ":")
    )]
    Palette,
    /// Load a token from a file (the command line, prefilled).
    #[strum(
        serialize = "open_file",
        message = "load a token from a file",
        props(keys = "o")
    )]
    OpenFile,
    /// Load a token from the system clipboard.
    #[strum(
        serialize = "paste_clipboard",
        message = "load a token from the clipboard",
        props(keys = "p")
    )]
    PasteClipboard,
    /// Reload the account.
    #[strum(
        serialize = "refresh",
        message = "reload the account (on Events: the events)",
        props(keys = "R")
    )]
    Refresh,
    /// Help.
    #[strum(serialize = "help", message = "this help", props(keys = "?"))]
    Help,
    /// Close the overlay, clear the filter.
    #[strum(
        serialize = "back",
        message = "close / clear the filter",
        props(keys = "esc")
    )]
    Back,
    /// Leave.
    #[strum(serialize = "quit", message = "quit", props(keys = "q ctrl-c"))]
    Quit,
}

/// Rows a page step moves.
const HALF_PAGE: isize = 10;

impl Command {
    /// The command named `name` in a keymap file.
    pub fn by_name(name: &str) -> Option<Command> {
        name.parse().ok()
    }

    /// Its name in keymap files.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The keys bound to it by default.
    pub fn default_keys(self) -> impl Iterator<Item = &'static str> {
        use strum::EnumProperty;
        self.get_str("keys").unwrap_or_default().split(' ')
    }

    /// Every command, in help order.
    pub fn all() -> impl Iterator<Item = Command> {
        <Command as strum::IntoEnumIterator>::iter()
    }

    /// The action the command performs.
    pub fn action(self) -> Action {
        match self {
            Command::Quit => Action::Quit,
            Command::NextTab => Action::NextTab,
            Command::PreviousTab => Action::PreviousTab,
            Command::TokenTab => Action::ShowTab(Tab::Token),
            Command::RolesTab => Action::ShowTab(Tab::Roles),
            Command::ProvidersTab => Action::ShowTab(Tab::Providers),
            Command::AssumeTab => Action::ShowTab(Tab::Assume),
            Command::GenerateTab => Action::ShowTab(Tab::Generate),
            Command::NextScope => Action::CycleScope(1),
            Command::PreviousScope => Action::CycleScope(-1),
            Command::NextFormat => Action::CycleFormat(1),
            Command::PreviousFormat => Action::CycleFormat(-1),
            Command::WritePolicy => Action::OpenPalette("write ".to_owned()),
            Command::EventsTab => Action::ShowTab(Tab::Events),
            Command::SetupTab => Action::ShowTab(Tab::Setup),
            Command::Assume => Action::AskAssume,
            Command::Confirm => Action::Confirm,
            Command::Reveal => Action::ToggleReveal,
            Command::Copy => Action::OpenCopyMenu,
            Command::Edit => Action::EditClaim,
            Command::Palette => Action::OpenPalette(String::new()),
            Command::OpenFile => Action::OpenPalette("token @".to_owned()),
            Command::PasteClipboard => Action::PasteFromClipboard,
            Command::Up => Action::Move(-1),
            Command::Down => Action::Move(1),
            Command::PageUp => Action::Move(-HALF_PAGE),
            Command::PageDown => Action::Move(HALF_PAGE),
            Command::Top => Action::Top,
            Command::Bottom => Action::Bottom,
            Command::WhyDown => Action::ScrollWhy(1),
            Command::WhyUp => Action::ScrollWhy(-1),
            Command::Help => Action::ToggleHelp,
            Command::Back => Action::Back,
            Command::Filter => Action::StartFilter,
            Command::Sort => Action::ToggleSort,
            Command::Refresh => Action::Refresh,
            Command::NextToken => Action::NextToken,
        }
    }

    /// What the command does, for help.
    pub fn describe(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_default()
    }
}

/// Between two footer hints.
const HINT_GAP: &str = " · ";

/// The name of a key press as the table writes it: `q`, `G`, `ctrl-c`, `shift-tab`, `up`.
pub fn key_name(key: KeyEvent) -> Option<String> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let name = match key.code {
        KeyCode::Char(c) if ctrl => format!("ctrl-{}", c.to_ascii_lowercase()),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "tab".to_owned(),
        KeyCode::BackTab => "shift-tab".to_owned(),
        KeyCode::Up => "up".to_owned(),
        KeyCode::Down => "down".to_owned(),
        KeyCode::PageUp => "pageup".to_owned(),
        KeyCode::PageDown => "pagedown".to_owned(),
        KeyCode::Home => "home".to_owned(),
        KeyCode::End => "end".to_owned(),
        KeyCode::Esc => "esc".to_owned(),
        KeyCode::Enter => "enter".to_owned(),
        KeyCode::Backspace => "backspace".to_owned(),
        _ => return None,
    };
    Some(name)
}

/// Names of the keys a binding may use besides single characters and `ctrl-<char>`.
const SPECIAL_KEYS: [&str; 11] = [
    "tab",
    "shift-tab",
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
    "esc",
    "enter",
    "backspace",
];

/// The active bindings: the defaults, overlaid by the user's keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(String, Command)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: Command::all()
                .flat_map(|command| {
                    command
                        .default_keys()
                        .map(move |key| (key.to_owned(), command))
                })
                .collect(),
        }
    }
}

/// A problem in a keymap file, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct KeymapError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Keymap {
    /// The defaults overlaid by `text`: lines `KEY = COMMAND` (`none` unbinds the key), `#`
    /// comments and blank lines.
    pub fn with_overlay(text: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let fail = |message: String| KeymapError {
                line: index + 1,
                message,
            };
            let Some((key, name)) = line.split_once('=') else {
                return Err(fail(format!("expected `KEY = COMMAND`, found {line:?}")));
            };
            let (key, name) = (key.trim(), name.trim());
            if !is_key_name(key) {
                return Err(fail(format!(
                    "unknown key {key:?}: use a character, ctrl-<char>, or one of {}",
                    SPECIAL_KEYS.join(", ")
                )));
            }
            keymap.bindings.retain(|(bound, _)| bound != key);
            if name == "none" {
                continue;
            }
            let command = Command::by_name(name).ok_or_else(|| {
                let names: Vec<&str> = Command::all().map(Command::name).collect();
                fail(format!(
                    "unknown command {name:?}: one of {}, or none",
                    names.join(", ")
                ))
            })?;
            keymap.bindings.push((key.to_owned(), command));
        }
        Ok(keymap)
    }

    /// The action for a key press in `mode`: commands, text for a line input, or a menu choice.
    pub fn action_for(&self, key: KeyEvent, mode: KeyMode) -> Option<Action> {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        match mode {
            _ if ctrl_c => Some(Action::Quit),
            KeyMode::Menu => match key.code {
                KeyCode::Char(digit @ '1'..='9') => digit
                    .to_digit(10)
                    .map(|d| Action::CopyChoice(d as usize - 1)),
                KeyCode::Esc | KeyCode::Char('q') => Some(Action::Back),
                _ => None,
            },
            KeyMode::Edit => match key.code {
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Enter => Some(Action::Confirm),
                KeyCode::Tab => Some(Action::Complete),
                _ => line::request_for(key).map(Action::EditLine),
            },
            KeyMode::Filter => match key.code {
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Enter => Some(Action::ConfirmFilter),
                KeyCode::Up | KeyCode::Down => self.command(&key_name(key)?).map(Command::action),
                _ => line::request_for(key).map(Action::FilterLine),
            },
            KeyMode::Normal => self.command(&key_name(key)?).map(Command::action),
        }
    }

    fn command(&self, name: &str) -> Option<Command> {
        self.bindings
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, command)| *command)
    }

    /// The first key bound to `command`, if any (for hints).
    pub fn key_for(&self, command: Command) -> Option<&str> {
        self.bindings
            .iter()
            .find(|(_, bound)| *bound == command)
            .map(|(key, _)| key.as_str())
    }

    /// A footer hint of at most `width` columns: each entry's commands' first keys (joined by
    /// `/`) and its words; entries whose commands are all unbound are left out.
    pub fn hints(&self, entries: &[(&[Command], &str)], width: usize) -> String {
        // Each bound hint, marked when it is the closing help or quit.
        let mut parts: Vec<(bool, String)> = entries
            .iter()
            .filter_map(|(commands, words)| {
                let keys: Vec<&str> = commands.iter().filter_map(|c| self.key_for(*c)).collect();
                // `:` leads a typed command (`:events FILE`), so no space follows it.
                let gap = if keys.last() == Some(&":") { "" } else { " " };
                let closing = matches!(commands, [Command::Help] | [Command::Quit]);
                (!keys.is_empty()).then(|| (closing, format!("{}{gap}{words}", keys.join("/"))))
            })
            .collect();
        let joined = |parts: &[(bool, String)]| {
            parts
                .iter()
                .map(|(_, part)| part.as_str())
                .collect::<Vec<_>>()
                .join(HINT_GAP)
        };
        // Too wide: whole hints give way from the end of the screen's own, so the first one
        // and the closing help and quit stay, and none is cut mid-word.
        let kept_at_end = parts
            .iter()
            .rev()
            .take_while(|(closing, _)| *closing)
            .count();
        while unicode_width::UnicodeWidthStr::width(joined(&parts).as_str()) > width
            && parts.len() > kept_at_end + 1
        {
            parts.remove(parts.len() - kept_at_end - 1);
        }
        joined(&parts)
    }

    /// Help lines: the keys of each command, in binding order.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        let mut lines: Vec<(String, Command)> = Vec::new();
        for (key, command) in &self.bindings {
            match lines.iter_mut().find(|(_, c)| c == command) {
                Some((keys, _)) => {
                    keys.push_str(", ");
                    keys.push_str(key);
                }
                None => lines.push((key.clone(), *command)),
            }
        }
        lines
            .into_iter()
            .map(|(keys, command)| (keys, command.describe()))
            .collect()
    }
}

fn is_key_name(key: &str) -> bool {
    let mut chars = key.chars();
    let single = matches!((chars.next(), chars.next()), (Some(c), None) if !c.is_whitespace());
    let ctrl = key
        .strip_prefix("ctrl-")
        .is_some_and(|rest| rest.chars().count() == 1);
    single || ctrl || SPECIAL_KEYS.contains(&key)
}

/// Where the user's keymap file lives: `$XDG_CONFIG_HOME/trustlens/keymap`, else
/// `$HOME/.config/trustlens/keymap`.
pub fn config_path(env: &dyn crate::token::Environment) -> Option<std::path::PathBuf> {
    let base = env
        .var("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            env.var("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| std::path::PathBuf::from(home).join(".config"))
        })?;
    Some(base.join("trustlens").join("keymap"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::InputRequest;

    fn action_for(key: KeyEvent, mode: KeyMode) -> Option<Action> {
        Keymap::default().action_for(key, mode)
    }

    fn help() -> Vec<(String, &'static str)> {
        Keymap::default().help()
    }

    fn command(name: &str) -> Option<Command> {
        Keymap::default().command(name)
    }

    #[test]
    fn hints_give_way_whole_and_keep_help_and_quit() {
        use Command as C;
        let entries: &[(&[Command], &str)] = &[
            (&[C::Down, C::Up], "move"),
            (&[C::Filter], "filter"),
            (&[C::Sort], "sort"),
            (&[C::Help], "help"),
            (&[C::Quit], "quit"),
        ];
        let keymap = Keymap::default();
        let all = "j/k move · / filter · s sort · ? help · q quit";
        assert_eq!(keymap.hints(entries, 80), all);
        assert_eq!(
            keymap.hints(entries, all.chars().count() - 1),
            "j/k move · / filter · ? help · q quit"
        );
        assert_eq!(keymap.hints(entries, 10), "j/k move · ? help · q quit");
        // With quit unbound, help alone closes the line and still stays.
        let Ok(unbound) = Keymap::with_overlay("q = none\nctrl-c = none\n") else {
            unreachable!("a valid keymap")
        };
        assert_eq!(unbound.hints(entries, 10), "j/k move · ? help");
    }

    #[test]
    fn a_keymap_file_overlays_the_defaults() {
        let keymap =
            Keymap::with_overlay("# mine\nx = quit\nq = none\nctrl-n = next_tab  # comment\n");
        let keymap = keymap.map_err(|e| e.to_string());
        let press = |code| {
            keymap.as_ref().ok().and_then(|k| {
                k.action_for(KeyEvent::new(code, KeyModifiers::NONE), KeyMode::Normal)
            })
        };
        assert_eq!(press(KeyCode::Char('x')), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char('q')), None, "q was unbound");
        let ctrl_n = keymap.as_ref().ok().and_then(|k| {
            k.action_for(
                KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL),
                KeyMode::Normal,
            )
        });
        assert_eq!(ctrl_n, Some(Action::NextTab));
        let help = keymap.map(|k| k.help()).unwrap_or_default();
        assert!(
            help.iter()
                .any(|(keys, what)| keys == "ctrl-c, x" && *what == "quit"),
            "{help:?}"
        );
    }

    #[test]
    fn keymap_file_errors_name_the_line() {
        let error = |text: &str| {
            Keymap::with_overlay(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error("\nx quit"),
            "line 2: expected `KEY = COMMAND`, found \"x quit\""
        );
        assert!(error("x = frobnicate").starts_with("line 1: unknown command \"frobnicate\""));
        assert!(error("meta-x = quit").starts_with("line 1: unknown key \"meta-x\""));
    }

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn vim_keys_arrows_and_control_keys() {
        assert_eq!(
            action_for(key(KeyCode::Char('j'), KeyModifiers::NONE), KeyMode::Normal),
            Some(Action::Move(1))
        );
        assert_eq!(
            action_for(key(KeyCode::Up, KeyModifiers::NONE), KeyMode::Normal),
            Some(Action::Move(-1))
        );
        assert_eq!(
            action_for(
                key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                KeyMode::Normal
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            action_for(
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                KeyMode::Normal
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(
                key(KeyCode::Char('d'), KeyModifiers::CONTROL),
                KeyMode::Normal
            ),
            Some(Action::Move(10))
        );
        assert_eq!(
            action_for(key(KeyCode::BackTab, KeyModifiers::SHIFT), KeyMode::Normal),
            Some(Action::PreviousTab)
        );
    }

    #[test]
    fn the_filter_takes_text() {
        assert_eq!(
            action_for(key(KeyCode::Char('q'), KeyModifiers::NONE), KeyMode::Filter),
            Some(Action::FilterLine(InputRequest::InsertChar('q')))
        );
        assert_eq!(
            action_for(
                key(KeyCode::Char('u'), KeyModifiers::CONTROL),
                KeyMode::Edit
            ),
            Some(Action::EditLine(InputRequest::DeleteLine)),
            "ctrl-u deletes the line, it types no u"
        );
        assert_eq!(
            action_for(key(KeyCode::Left, KeyModifiers::NONE), KeyMode::Edit),
            Some(Action::EditLine(InputRequest::GoToPrevChar))
        );
        assert_eq!(
            action_for(key(KeyCode::Tab, KeyModifiers::NONE), KeyMode::Edit),
            Some(Action::Complete)
        );
        assert_eq!(
            action_for(key(KeyCode::Esc, KeyModifiers::NONE), KeyMode::Filter),
            Some(Action::Back)
        );
        assert_eq!(
            action_for(key(KeyCode::Enter, KeyModifiers::NONE), KeyMode::Filter),
            Some(Action::ConfirmFilter)
        );
    }

    #[test]
    fn the_readme_names_every_command() {
        let readme = include_str!("../../README.md");
        for command in Command::all() {
            assert!(
                readme.contains(&format!("`{}`", command.name())),
                "README.md does not name {}",
                command.name()
            );
        }
    }

    #[test]
    fn every_key_is_bound_once_and_every_command_has_a_key() {
        let keys: Vec<String> = Keymap::default()
            .bindings
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for (index, name) in keys.iter().enumerate() {
            assert!(is_key_name(name), "{name} is not a key name");
            assert!(!keys[index + 1..].contains(name), "{name} is bound twice");
        }
        for command in Command::all() {
            assert!(!command.describe().is_empty(), "{command:?} has no words");
            assert_eq!(Command::by_name(command.name()), Some(command));
        }
        assert_eq!(help().len(), 37);
        assert_eq!(command("y"), Some(Command::Copy));
        assert_eq!(command("5"), Some(Command::GenerateTab));
        assert_eq!(command("6"), Some(Command::EventsTab));
        assert_eq!(command("7"), Some(Command::SetupTab));
        assert_eq!(command("J"), Some(Command::WhyDown));
        assert_eq!(command("K"), Some(Command::WhyUp));
        assert_eq!(help()[7], ("tab".to_owned(), "next tab"));
        assert_eq!(help().last(), Some(&("q, ctrl-c".to_owned(), "quit")));
    }
}
