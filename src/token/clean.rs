//! Turns a token as people paste it (quoted, prefixed, wrapped over lines) into the compact form.

use std::fmt;

/// One clean-up step that changed the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleanup {
    /// Removed an `export ` shell prefix.
    ExportPrefix,
    /// Removed a `NAME=` prefix copied from an environment dump.
    VariablePrefix(String),
    /// Removed surrounding quotes.
    Quotes,
    /// Removed an `Authorization:` header name.
    AuthorizationHeader,
    /// Removed a `Bearer ` (or GitHub's `token `) scheme.
    BearerPrefix,
    /// Removed whitespace or line breaks inside the token.
    InnerWhitespace,
}

impl fmt::Display for Cleanup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cleanup::ExportPrefix => f.write_str("removed an `export ` prefix"),
            Cleanup::VariablePrefix(name) => write!(f, "removed the `{name}=` prefix"),
            Cleanup::Quotes => f.write_str("removed surrounding quotes"),
            Cleanup::AuthorizationHeader => f.write_str("removed an `Authorization:` header name"),
            Cleanup::BearerPrefix => f.write_str("removed a `Bearer ` (or `token `) prefix"),
            Cleanup::InnerWhitespace => {
                f.write_str("removed whitespace and line breaks inside the token")
            }
        }
    }
}

/// The compact token text and the clean-up steps that produced it.
#[derive(Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// The input without its wrappers but with its inner whitespace (to recognise other
    /// documents, such as PEM blocks, whose spaces matter).
    pub unwrapped: String,
    /// The token with every clean-up applied.
    pub text: String,
    /// What was removed, in the order it was removed.
    pub steps: Vec<Cleanup>,
}

impl fmt::Debug for Cleaned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cleaned")
            .field("text", &"<redacted>")
            .field("steps", &self.steps)
            .finish()
    }
}

/// Strips what surrounds a pasted token — outer whitespace, `export NAME=`, quotes,
/// `Authorization: Bearer ` (or GitHub's `token ` scheme) in any nesting — and then
/// whitespace or line breaks inside it.
pub fn clean(input: &str) -> Cleaned {
    let mut steps = Vec::new();
    let mut text = input.trim();
    // Each wrapper comes off at most once, outermost first, in whatever order they nest.
    while let Some((step, rest)) = unwrap_once(text, &steps) {
        steps.push(step);
        text = rest.trim();
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != text.len() {
        steps.push(Cleanup::InnerWhitespace);
    }
    Cleaned {
        unwrapped: text.to_owned(),
        text: compact,
        steps,
    }
}

/// The outermost wrapper around `text` not removed yet, and what is inside it.
fn unwrap_once<'a>(text: &'a str, done: &[Cleanup]) -> Option<(Cleanup, &'a str)> {
    let is_done = |wanted: fn(&Cleanup) -> bool| done.iter().any(wanted);
    if !is_done(|s| matches!(s, Cleanup::ExportPrefix))
        && let Some(rest) = text.strip_prefix("export ")
    {
        return Some((Cleanup::ExportPrefix, rest));
    }
    if !is_done(|s| matches!(s, Cleanup::VariablePrefix(_)))
        && let Some((name, rest)) = split_variable_prefix(text)
    {
        return Some((Cleanup::VariablePrefix(name.to_owned()), rest));
    }
    if !is_done(|s| matches!(s, Cleanup::Quotes))
        && let Some(inner) = strip_quotes(text)
    {
        return Some((Cleanup::Quotes, inner));
    }
    if !is_done(|s| matches!(s, Cleanup::AuthorizationHeader))
        && let Some(rest) = strip_prefix_ignore_case(text, "authorization:")
    {
        return Some((Cleanup::AuthorizationHeader, rest));
    }
    if !is_done(|s| matches!(s, Cleanup::BearerPrefix)) {
        for scheme in ["bearer", "token"] {
            if let Some(rest) = strip_prefix_ignore_case(text, scheme)
                && (rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                return Some((Cleanup::BearerPrefix, rest));
            }
        }
    }
    None
}

/// `NAME=rest` where NAME is a shell variable name and `rest` is not more base64url
/// padding (a padded header such as `eyJ…fQ==.eyJ…` must not lose its first segment).
fn split_variable_prefix(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    let is_name = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let is_padding = rest.starts_with(['=', '.']);
    (is_name && !is_padding && !name.starts_with("eyJ")).then_some((name, rest))
}

fn strip_quotes(text: &str) -> Option<&str> {
    ['"', '\'', '`'].iter().find_map(|&quote| {
        text.strip_prefix(quote)
            .and_then(|inner| inner.strip_suffix(quote))
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

    #[test]
    fn leaves_a_clean_token_alone() {
        let cleaned = clean(JWT);
        assert_eq!(cleaned.text, JWT);
        assert!(cleaned.steps.is_empty());
    }

    #[test]
    fn strips_every_honest_wrapper() {
        let cases = [
            (format!("  {JWT}\n"), vec![]),
            (format!("\"{JWT}\""), vec![Cleanup::Quotes]),
            (format!("'{JWT}'"), vec![Cleanup::Quotes]),
            (format!("Bearer {JWT}"), vec![Cleanup::BearerPrefix]),
            (format!("bearer\t{JWT}"), vec![Cleanup::BearerPrefix]),
            (
                format!("Authorization: Bearer {JWT}"),
                vec![Cleanup::AuthorizationHeader, Cleanup::BearerPrefix],
            ),
            (
                format!("SEMAPHORE_OIDC_TOKEN={JWT}"),
                vec![Cleanup::VariablePrefix("SEMAPHORE_OIDC_TOKEN".into())],
            ),
            (
                format!("export TOKEN=\"{JWT}\""),
                vec![
                    Cleanup::ExportPrefix,
                    Cleanup::VariablePrefix("TOKEN".into()),
                    Cleanup::Quotes,
                ],
            ),
            (
                "eyJhbGciOiJSUzI1NiJ9.\neyJzdWIiOiJ4In0\r\n.c2ln".to_owned(),
                vec![Cleanup::InnerWhitespace],
            ),
        ];
        for (input, steps) in cases {
            let cleaned = clean(&input);
            assert_eq!(cleaned.text, JWT, "input {input:?}");
            assert_eq!(cleaned.steps, steps, "input {input:?}");
        }
    }

    #[test]
    fn padded_header_is_not_mistaken_for_a_variable() {
        let padded = "eyJhbGciOiJSUzI1NiJ9==.eyJzdWIiOiJ4In0.c2ln";
        assert_eq!(clean(padded).text, padded);
        let padded_one = "abc=.def.ghi";
        assert_eq!(clean(padded_one).text, padded_one);
    }

    #[test]
    fn bearer_needs_a_separator() {
        assert_eq!(clean("Bearerish").text, "Bearerish");
        assert_eq!(clean("tokenize").text, "tokenize");
    }

    #[test]
    fn wrappers_nest_in_any_order() {
        for input in [
            format!("\"TOKEN={JWT}\""),
            format!("'Authorization: Bearer {JWT}'"),
            format!("TOKEN='Bearer {JWT}'"),
        ] {
            assert_eq!(clean(&input).text, JWT, "input {input:?}");
        }
    }

    #[test]
    fn a_wrapper_around_nothing_leaves_nothing() {
        for input in [
            "Authorization: Bearer ",
            "\"Bearer \"",
            "Bearer",
            "export AWS_WEB_IDENTITY_TOKEN=",
        ] {
            assert_eq!(clean(input).text, "", "input {input:?}");
        }
    }

    #[test]
    fn debug_hides_the_text() {
        assert!(!format!("{:?}", clean(JWT)).contains("eyJ"));
    }
}
