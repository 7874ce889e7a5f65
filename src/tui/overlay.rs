//! What sits over the screen: help, the command line, the claim editor, the copy menu and the
//! assume confirmation. They stack (the newest on top); the top one decides how keys are read,
//! `esc` closes it, and they are drawn bottom to top — all decided here, once.

use crate::secret::Secret;

/// How keys are read right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Commands.
    Normal,
    /// Text goes to the role filter.
    Filter,
    /// Digits choose from the copy menu.
    Menu,
    /// Text goes to the claim editor or the command line.
    Edit,
}

/// A claim being edited (what-if).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimEdit {
    /// The claim.
    pub name: String,
    /// The text typed so far (a string claim's text, else JSON).
    pub input: String,
    /// Whether the claim was a string (the input is taken as text, not JSON).
    pub was_string: bool,
}

/// One entry of the copy menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyItem {
    /// What it is.
    pub label: String,
    /// The text to copy (a secret for credentials).
    pub text: Secret<String>,
}

/// One overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The key table.
    Help,
    /// The `:` command line and the text typed so far.
    CommandLine(String),
    /// The claim editor.
    Editor(ClaimEdit),
    /// The copy menu's items.
    CopyMenu(Vec<CopyItem>),
    /// "Assume this role for real?", with the role's ARN.
    ConfirmAssume(String),
    /// "Make this IAM change?" (the Setup screen's next change).
    ConfirmChange(Box<crate::setup::Change>),
}

impl Overlay {
    /// How keys are read while this overlay is on top.
    pub fn key_mode(&self) -> KeyMode {
        match self {
            Overlay::Help | Overlay::ConfirmAssume(_) | Overlay::ConfirmChange(_) => {
                KeyMode::Normal
            }
            Overlay::CommandLine(_) | Overlay::Editor(_) => KeyMode::Edit,
            Overlay::CopyMenu(_) => KeyMode::Menu,
        }
    }

    /// Whether `enter` here does something outside the process (the input guard's rules).
    pub fn is_confirmation(&self) -> bool {
        matches!(self, Overlay::ConfirmAssume(_) | Overlay::ConfirmChange(_))
    }

    /// The line being typed, for the overlays that take text.
    pub fn input_mut(&mut self) -> Option<&mut String> {
        match self {
            Overlay::CommandLine(input) => Some(input),
            Overlay::Editor(edit) => Some(&mut edit.input),
            _ => None,
        }
    }
}

/// The open overlays, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlays(Vec<Overlay>);

impl Overlays {
    /// The one on top.
    pub fn top(&self) -> Option<&Overlay> {
        self.0.last()
    }

    /// The one on top, to change it.
    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.0.last_mut()
    }

    /// Every open overlay, in drawing order (bottom first).
    pub fn iter(&self) -> impl Iterator<Item = &Overlay> {
        self.0.iter()
    }

    /// Opens `overlay` on top; an overlay of the same kind already open is replaced.
    pub fn open(&mut self, overlay: Overlay) {
        self.0
            .retain(|open| std::mem::discriminant(open) != std::mem::discriminant(&overlay));
        self.0.push(overlay);
    }

    /// Closes the top one (`esc`), and gives it back.
    pub fn close_top(&mut self) -> Option<Overlay> {
        self.0.pop()
    }

    /// Opens help, or closes it when it is open.
    pub fn toggle_help(&mut self) {
        if self.0.contains(&Overlay::Help) {
            self.0.retain(|open| *open != Overlay::Help);
        } else {
            self.0.push(Overlay::Help);
        }
    }

    /// Whether help is open.
    pub fn help_open(&self) -> bool {
        self.0.contains(&Overlay::Help)
    }

    /// How keys are read: the top overlay's way, or `base` when none is open.
    pub fn key_mode(&self, base: KeyMode) -> KeyMode {
        self.top().map_or(base, Overlay::key_mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_overlay_decides_the_key_mode_and_esc_closes_it_first() {
        let mut overlays = Overlays::default();
        assert_eq!(overlays.key_mode(KeyMode::Filter), KeyMode::Filter);
        overlays.open(Overlay::CopyMenu(Vec::new()));
        overlays.open(Overlay::CommandLine(String::new()));
        assert_eq!(overlays.key_mode(KeyMode::Normal), KeyMode::Edit);
        assert_eq!(
            overlays.close_top(),
            Some(Overlay::CommandLine(String::new()))
        );
        assert_eq!(overlays.key_mode(KeyMode::Normal), KeyMode::Menu);
    }

    #[test]
    fn opening_a_kind_again_replaces_it_and_help_toggles() {
        let mut overlays = Overlays::default();
        overlays.open(Overlay::ConfirmAssume("a".into()));
        overlays.toggle_help();
        overlays.open(Overlay::ConfirmAssume("b".into()));
        let open: Vec<&Overlay> = overlays.iter().collect();
        assert_eq!(open, [&Overlay::Help, &Overlay::ConfirmAssume("b".into())]);
        overlays.toggle_help();
        assert!(!overlays.help_open());
    }
}
