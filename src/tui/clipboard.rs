//! Copying out: the system clipboard (arboard) when a display server is there, else the OSC 52
//! escape sequence, which terminals — also over SSH — turn into a clipboard write.

use std::io::{self, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// How a copy reached the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyPath {
    /// The X11 or Wayland clipboard.
    System,
    /// The OSC 52 escape sequence, written to the terminal.
    Osc52,
}

impl CopyPath {
    /// For the toast.
    pub fn describe(self) -> &'static str {
        match self {
            CopyPath::System => "to the system clipboard",
            CopyPath::Osc52 => "through the terminal (OSC 52; the terminal must allow it)",
        }
    }
}

/// The clipboard for the explorer's lifetime (X11 serves a copy only while its owner lives).
pub struct Clipboard {
    system: Option<arboard::Clipboard>,
}

impl Clipboard {
    /// Connects to the system clipboard when a display server is named in the environment.
    pub fn new() -> Clipboard {
        let named = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
        let has_display = named("DISPLAY") || named("WAYLAND_DISPLAY");
        Clipboard {
            system: has_display
                .then(|| arboard::Clipboard::new().ok())
                .flatten(),
        }
    }

    /// The system clipboard's text.
    pub fn read(&mut self) -> Result<String, String> {
        match &mut self.system {
            Some(system) => system
                .get_text()
                .map_err(|e| format!("cannot read the clipboard: {e}")),
            None => Err(
                "no display server to read a clipboard from: paste with the terminal instead"
                    .to_owned(),
            ),
        }
    }

    /// Copies `text`; falls back to OSC 52 on `terminal` when the system clipboard is not there.
    pub fn copy(&mut self, text: &str, terminal: &mut impl Write) -> io::Result<CopyPath> {
        if let Some(system) = &mut self.system
            && system.set_text(text).is_ok()
        {
            return Ok(CopyPath::System);
        }
        write!(terminal, "\x1b]52;c;{}\x07", STANDARD.encode(text))?;
        terminal.flush()?;
        Ok(CopyPath::Osc52)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        let mut clipboard = Clipboard { system: None };
        let mut terminal = Vec::new();
        let path = clipboard
            .copy("export A=1", &mut terminal)
            .map_err(|e| e.to_string());
        assert_eq!(path, Ok(CopyPath::Osc52));
        assert_eq!(terminal, b"\x1b]52;c;ZXhwb3J0IEE9MQ==\x07");
    }
}
