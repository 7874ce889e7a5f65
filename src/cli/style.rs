//! Colour for terminal output: `--color auto|always|never`; `auto` follows the conventions
//! (`CLICOLOR_FORCE` forces colour, `NO_COLOR` or `CLICOLOR=0` turns it off, else a terminal
//! gets it). The sequences are anstyle's.

use anstyle::{AnsiColor, Effects};

use super::ColorWhen;

/// Every style [`Style`] paints with.
const STYLES: [anstyle::Style; 5] = [
    AnsiColor::Green.on_default(),
    AnsiColor::Red.on_default(),
    AnsiColor::Yellow.on_default(),
    anstyle::Style::new().effects(Effects::BOLD),
    anstyle::Style::new().effects(Effects::DIMMED),
];

/// Every sequence those styles write, the reset included, so output escaping lets exactly
/// these through (`sequences_are_those_anstyle_writes` checks them).
const SEQUENCES: [&str; 6] = [
    "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m",
];

/// Whether to colour output, and the helpers that do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    /// Colour as `when` says; for `auto`: `CLICOLOR_FORCE` set (not `0`) forces it, `NO_COLOR`
    /// set (not empty) or `CLICOLOR=0` turns it off, else `is_terminal` decides. `var` reads
    /// an environment variable.
    pub fn detect(
        when: ColorWhen,
        is_terminal: bool,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Style {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        let color = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorWhen::Auto if set("NO_COLOR").is_some() => false,
            ColorWhen::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
            ColorWhen::Auto => is_terminal && var("TERM").is_none_or(|term| term != "dumb"),
        };
        Style { color }
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
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
        self.paint(STYLES[0], text)
    }

    /// Failure: red.
    pub fn bad(self, text: &str) -> String {
        self.paint(STYLES[1], text)
    }

    /// Attention: yellow.
    pub fn warn(self, text: &str) -> String {
        self.paint(STYLES[2], text)
    }

    /// Headings: bold.
    pub fn strong(self, text: &str) -> String {
        self.paint(STYLES[3], text)
    }

    /// Secondary text: dim.
    pub fn dim(self, text: &str) -> String {
        self.paint(STYLES[4], text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(when: ColorWhen, terminal: bool, env: &[(&str, &str)]) -> bool {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Style::detect(when, terminal, &|name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .color
    }

    #[test]
    fn auto_follows_no_color_clicolor_and_the_terminal() {
        assert!(detect(ColorWhen::Auto, true, &[]));
        assert!(detect(ColorWhen::Auto, true, &[("NO_COLOR", "")]));
        assert!(!detect(ColorWhen::Auto, true, &[("NO_COLOR", "1")]));
        assert!(!detect(ColorWhen::Auto, true, &[("CLICOLOR", "0")]));
        assert!(!detect(ColorWhen::Auto, true, &[("TERM", "dumb")]));
        assert!(!detect(ColorWhen::Auto, false, &[]));
        assert!(detect(ColorWhen::Auto, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!detect(ColorWhen::Auto, false, &[("CLICOLOR_FORCE", "0")]));
        assert!(detect(
            ColorWhen::Auto,
            false,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
        ));
    }

    #[test]
    fn always_and_never_override_the_environment() {
        assert!(detect(ColorWhen::Always, false, &[("NO_COLOR", "1")]));
        assert!(!detect(ColorWhen::Never, true, &[("CLICOLOR_FORCE", "1")]));
        assert_eq!(Style { color: false }.bad("✘"), "✘");
        assert_eq!(Style { color: true }.bad("✘"), "\x1b[31m✘\x1b[0m");
    }

    #[test]
    fn sequences_are_those_anstyle_writes() {
        for style in STYLES {
            let (on, off) = (style.render().to_string(), style.render_reset().to_string());
            assert!(SEQUENCES.contains(&on.as_str()), "{on:?}");
            assert!(SEQUENCES.contains(&off.as_str()), "{off:?}");
        }
    }
}
