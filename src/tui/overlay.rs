//! What sits over the screen: help, the command line, the claim editor, the copy menu and the
//! assume confirmation. They stack (the newest on top); the top one decides how keys are read,
//! `esc` closes it, and they are drawn bottom to top — all decided here, once.

use super::line::LineInput;
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
    /// The text typed so far, in the claim's own form.
    pub input: LineInput,
    /// The claim's kind, which says how the input is read.
    pub kind: ClaimKind,
}

/// How a claim is edited: in its own form, JSON always accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimKind {
    /// A string: the text as typed.
    Text,
    /// A number, typed as one.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array of strings: comma-separated values (or a JSON array).
    List,
    /// Anything else (an object, null, a mixed array): JSON.
    Json,
}

impl ClaimKind {
    /// The kind of `value`, and the text it is edited as.
    pub fn of(value: &serde_json::Value) -> (ClaimKind, String) {
        use serde_json::Value;
        match value {
            Value::String(text) => (ClaimKind::Text, text.clone()),
            Value::Number(number) => (ClaimKind::Number, number.to_string()),
            Value::Bool(flag) => (ClaimKind::Boolean, flag.to_string()),
            Value::Array(items) if items.iter().all(Value::is_string) => (
                ClaimKind::List,
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            other => (ClaimKind::Json, other.to_string()),
        }
    }

    /// How the input is read, for the editor's hint.
    pub fn hint(self) -> &'static str {
        match self {
            ClaimKind::Text => "text",
            ClaimKind::Number => "a number (or JSON)",
            ClaimKind::Boolean => "true or false (or JSON)",
            ClaimKind::List => "values separated by commas (or a JSON array)",
            ClaimKind::Json => "JSON",
        }
    }

    /// The value `input` stands for, or why it does not read.
    pub fn read(self, input: &str) -> Result<serde_json::Value, String> {
        use serde_json::Value;
        if self == ClaimKind::Text {
            return Ok(Value::String(input.to_owned()));
        }
        let json = crate::json::parse(input.trim().as_bytes())
            .map(|parsed| parsed.value)
            .map_err(|error| crate::json::error_message(&error));
        // Any JSON value is taken as typed, so a claim can change its type (`"…"` in quotes
        // makes `aud` a string); only a list reads bare words, as its items.
        match (self, json) {
            (ClaimKind::List, Ok(value @ (Value::Array(_) | Value::String(_)))) => Ok(value),
            (ClaimKind::List, _) => Ok(Value::Array(
                input
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            )),
            (_, Ok(value)) => Ok(value),
            (ClaimKind::Number, Err(_)) => Err(format!("{:?} is not a number", input.trim())),
            (ClaimKind::Boolean, Err(_)) => Err(format!("{:?} is not true or false", input.trim())),
            (_, Err(error)) => Err(format!("not JSON ({error})")),
        }
    }
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
    CommandLine(LineInput),
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
    pub fn input_mut(&mut self) -> Option<&mut LineInput> {
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
        overlays.open(Overlay::CommandLine(LineInput::default()));
        assert_eq!(overlays.key_mode(KeyMode::Normal), KeyMode::Edit);
        assert_eq!(
            overlays.close_top(),
            Some(Overlay::CommandLine(LineInput::default()))
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

    #[test]
    fn claims_are_edited_in_their_own_form_and_json_still_reads() {
        use serde_json::json;
        let (kind, text) = ClaimKind::of(&json!(["a", "b"]));
        assert_eq!((kind, text.as_str()), (ClaimKind::List, "a, b"));
        assert_eq!(kind.read("a, b ,c"), Ok(json!(["a", "b", "c"])));
        assert_eq!(kind.read(r#"["x,y"]"#), Ok(json!(["x,y"])));
        let (kind, text) = ClaimKind::of(&json!(42));
        assert_eq!((kind, text.as_str()), (ClaimKind::Number, "42"));
        assert_eq!(kind.read(" 7 "), Ok(json!(7)));
        assert!(
            kind.read("seven")
                .is_err_and(|e| e.contains("not a number"))
        );
        let (kind, _) = ClaimKind::of(&json!(true));
        assert_eq!(kind.read("false"), Ok(json!(false)));
        assert!(kind.read("nope").is_err());
        // JSON of another type changes the claim's type; a string claim takes its text as is.
        assert_eq!(kind.read("null"), Ok(json!(null)));
        assert_eq!(
            ClaimKind::List.read(r#""sts.amazonaws.com""#),
            Ok(json!("sts.amazonaws.com"))
        );
        assert_eq!(ClaimKind::Number.read(r#""42""#), Ok(json!("42")));
        assert_eq!(ClaimKind::of(&json!("x")).0.read("{}"), Ok(json!("{}")));
        let (kind, text) = ClaimKind::of(&json!({"k": 1}));
        assert_eq!((kind, text.as_str()), (ClaimKind::Json, r#"{"k":1}"#));
        assert!(kind.read("{").is_err_and(|e| e.starts_with("not JSON")));
    }
}
