//! A line being typed — the role filter, the command line, the claim editor — with tui-input's
//! editing: cursor left/right, home/end, word jumps, `ctrl-u`/`ctrl-w`/`ctrl-k`, `ctrl-y`
//! (yank) and paste.

use std::fmt;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

/// A line of text and its cursor.
#[derive(Debug, Clone, Default)]
pub struct LineInput(Input);

impl LineInput {
    /// `text`, the cursor after it.
    pub fn new(text: impl Into<String>) -> LineInput {
        LineInput(Input::new(text.into()))
    }

    /// The text.
    pub fn value(&self) -> &str {
        self.0.value()
    }

    /// How many characters are before the cursor.
    pub fn cursor(&self) -> usize {
        self.0.cursor()
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.0.value().is_empty()
    }

    /// Applies one editing request; true when the text changed.
    pub fn apply(&mut self, request: InputRequest) -> bool {
        self.0.handle(request).is_some_and(|changed| changed.value)
    }

    /// Inserts `text` at the cursor (a paste); line breaks and tabs become spaces.
    pub fn insert(&mut self, text: &str) {
        for c in text.trim_end_matches(['\r', '\n']).chars() {
            let c = if c.is_control() { ' ' } else { c };
            self.0.handle(InputRequest::InsertChar(c));
        }
    }

    /// Replaces the text, the cursor after it.
    pub fn set(&mut self, text: impl Into<String>) {
        self.0 = Input::new(text.into());
    }

    /// Empties the line.
    pub fn clear(&mut self) {
        self.0.reset();
    }
}

impl PartialEq for LineInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor()
    }
}

impl Eq for LineInput {}

impl PartialEq<&str> for LineInput {
    fn eq(&self, other: &&str) -> bool {
        self.value() == *other
    }
}

impl fmt::Display for LineInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

/// The editing a key asks for on a line: tui-input's bindings, plus `alt-b`/`alt-f`/`alt-d`
/// and `alt-left`/`alt-right` as terminals send them (alt, where tui-input reads meta).
pub fn request_for(key: KeyEvent) -> Option<InputRequest> {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('b') | KeyCode::Left if alt => Some(InputRequest::GoToPrevWord),
        KeyCode::Char('f') | KeyCode::Right if alt => Some(InputRequest::GoToNextWord),
        KeyCode::Char('d') if alt => Some(InputRequest::DeleteNextWord),
        _ => to_input_request(&Event::Key(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(line: &mut LineInput, code: KeyCode, modifiers: KeyModifiers) {
        if let Some(request) = request_for(KeyEvent::new(code, modifiers)) {
            line.apply(request);
        }
    }

    #[test]
    fn a_line_edits_as_a_shell_line_does() {
        let (none, ctrl, alt) = (KeyModifiers::NONE, KeyModifiers::CONTROL, KeyModifiers::ALT);
        let mut line = LineInput::new("role deploy-prod");
        press(&mut line, KeyCode::Home, none);
        assert_eq!(line.cursor(), 0);
        press(&mut line, KeyCode::Right, ctrl);
        press(&mut line, KeyCode::Char('x'), none);
        assert_eq!(line.value(), "role xdeploy-prod");
        press(&mut line, KeyCode::Backspace, none);
        press(&mut line, KeyCode::Char('k'), ctrl);
        assert_eq!(line.value(), "role ");
        press(&mut line, KeyCode::Char('y'), ctrl);
        assert_eq!(
            line.value(),
            "role deploy-prod",
            "ctrl-y yanks what ctrl-k cut"
        );
        press(&mut line, KeyCode::Char('w'), ctrl);
        assert_eq!(line.value(), "role deploy-");
        press(&mut line, KeyCode::Char('b'), alt);
        press(&mut line, KeyCode::Left, none);
        press(&mut line, KeyCode::End, none);
        assert_eq!(line.cursor(), "role deploy-".chars().count());
        press(&mut line, KeyCode::Char('u'), ctrl);
        assert!(line.is_empty(), "ctrl-u empties the line, it types no u");
        line.insert("pasted\ntext\n");
        assert_eq!(line, "pasted text");
    }
}
