//! Colour for terminal output: on when stdout is a terminal and `NO_COLOR` is unset or empty.

const RESET: &str = "\x1b[0m";

/// Every sequence [`Style`] writes.
const SEQUENCES: [&str; 6] = [
    "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", RESET,
];

/// Whether to colour output, and the helpers that do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    /// Colour when `is_terminal` and `no_color` (the `NO_COLOR` value) is unset or empty.
    pub fn detect(is_terminal: bool, no_color: Option<&str>) -> Style {
        Style {
            color: is_terminal && no_color.is_none_or(str::is_empty),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    /// The escape sequences this style writes, so output escaping lets exactly these through
    /// (none when colour is off).
    pub fn sequences(self) -> &'static [&'static str] {
        if self.color { &SEQUENCES } else { &[] }
    }

    /// Success: green.
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Failure: red.
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Attention: yellow.
    pub fn warn(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// Headings: bold.
    pub fn strong(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Secondary text: dim.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

#[cfg(test)]
mod tests {
    use super::Style;

    #[test]
    fn no_color_and_pipes_turn_colour_off() {
        assert!(Style::detect(true, None).color);
        assert!(Style::detect(true, Some("")).color);
        assert!(!Style::detect(true, Some("1")).color);
        assert!(!Style::detect(false, None).color);
        assert_eq!(Style { color: false }.bad("✘"), "✘");
        assert_eq!(Style { color: true }.bad("✘"), "\x1b[31m✘\x1b[0m");
    }
}
