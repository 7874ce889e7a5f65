//! Text that is safe to print on a terminal and in a CI log: control characters from data
//! trustlens did not write are shown escaped, and JWT-shaped values are never printed whole.

use std::borrow::Cow;

/// Bidirectional-text controls that reorder what a reader sees (U+202E "RIGHT-TO-LEFT
/// OVERRIDE" and its kin).
const BIDI_CONTROLS: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// Whether `c` must not reach a terminal raw: C0 and C1 controls, DEL, bidi controls.
fn is_unsafe(c: char) -> bool {
    c.is_control() || BIDI_CONTROLS.contains(&c)
}

/// What [`escape`] lets through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keep<'a> {
    /// Line breaks and tabs (a whole report) or not (one value on one line).
    pub line_breaks: bool,
    /// Exact escape sequences trustlens itself writes (its colours), let through as they are.
    pub sequences: &'a [&'a str],
}

/// `text` with every unsafe character written as an escape (`\x1b`, `\u{202e}`), except what
/// `keep` names. Text without such characters is returned as it is.
pub fn escape<'t>(text: &'t str, keep: Keep<'_>) -> Cow<'t, str> {
    let allowed = |c: char| keep.line_breaks && (c == '\n' || c == '\t');
    if !text.chars().any(|c| is_unsafe(c) && !allowed(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(sequence) = keep.sequences.iter().find(|s| rest.starts_with(**s)) {
            out.push_str(sequence);
            rest = &rest[sequence.len()..];
            continue;
        }
        if !is_unsafe(c) || allowed(c) {
            out.push(c);
        } else if u32::from(c) < 0x80 {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// `text` with every JWT- or JWE-shaped value (base64url segments joined by dots, the first
/// starting `eyJ`, as a JSON header does) replaced by `eyJ…(a token of N characters, hidden)`.
pub fn mask_tokens(text: &str) -> Cow<'_, str> {
    let is_part = |c: char| c.is_ascii_alphanumeric() || "-_.=".contains(c);
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find("eyJ") {
        let start = at + found;
        let joined_before = text[..start].chars().next_back().is_some_and(is_part);
        let length = text[start..]
            .find(|c: char| !is_part(c))
            .unwrap_or(text.len() - start);
        let candidate = &text[start..start + length];
        let segments: Vec<&str> = candidate.split('.').collect();
        let token_shaped = !joined_before
            && (segments.len() == 3 || segments.len() == 5)
            && segments.iter().take(2).all(|s| s.len() >= 2)
            && length >= 16;
        if token_shaped {
            out.push_str(&text[copied..start]);
            out.push_str(&format!(
                "eyJ…(a token of {} characters, hidden)",
                candidate.chars().count()
            ));
            copied = start + length;
        }
        at = start + length.max(3);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// `count` and `noun`, the noun in the plural unless there is one: `1 error`, `2 errors`,
/// `0 warnings` (for nouns that take an `s`).
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counted_nouns_take_the_plural_unless_one() {
        assert_eq!(super::counted(1, "error"), "1 error");
        assert_eq!(super::counted(0, "warning"), "0 warnings");
        assert_eq!(super::counted(3, "change"), "3 changes");
    }

    use super::*;

    const LINE: Keep<'static> = Keep {
        line_breaks: false,
        sequences: &[],
    };

    #[test]
    fn controls_bidi_and_del_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape("plain · ✔ text", LINE), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\x1b]52;c;Zm9v\x07b", LINE),
            "a\\x1b]52;c;Zm9v\\x07b"
        );
        assert_eq!(
            escape("x\u{202e}y\u{7f}z\u{9b}", LINE),
            "x\\u{202e}y\\x7fz\\u{9b}"
        );
        assert_eq!(escape("two\nlines", LINE), "two\\x0alines");
    }

    #[test]
    fn a_report_keeps_its_line_breaks_and_our_own_colours_only() {
        let keep = Keep {
            line_breaks: true,
            sequences: &["\x1b[31m", "\x1b[0m"],
        };
        assert_eq!(
            escape("\x1b[31mred\x1b[0m\n\x1b[2J", keep),
            "\x1b[31mred\x1b[0m\n\\x1b[2J"
        );
    }

    #[test]
    fn tokens_are_masked_wherever_they_stand() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3gifQ.c2lnbmF0dXJl";
        let message = format!("unexpected argument '{jwt}' found");
        assert_eq!(
            mask_tokens(&message),
            "unexpected argument 'eyJ…(a token of 60 characters, hidden)' found"
        );
        assert_eq!(mask_tokens(jwt), "eyJ…(a token of 60 characters, hidden)");
        let plain = "no role named eyJ-deploy in the account";
        assert!(matches!(mask_tokens(plain), Cow::Borrowed(_)));
        assert!(matches!(mask_tokens("keyJa.b.c"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        /// Any text: nothing unsafe is left, and masking never panics or grows a token back.
        #[test]
        fn any_text_comes_out_printable(text in "\\PC*|[\\x00-\\x{9f}\\x{202a}-\\x{202e}eyJ.a-z]*") {
            let safe = escape(&text, LINE);
            proptest::prop_assert!(!safe.chars().any(is_unsafe));
            let _ = mask_tokens(&safe);
        }
    }
}
