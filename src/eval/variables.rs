//! Policy variables: `${key}`, `${key, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`
//! (aws-web-identity.md §5.6). Substituted only in policies of version 2012-10-17.

use super::context::{ContextValue, RequestContext};
use super::matching::Piece;

/// A policy value after substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The value, split into policy text and substituted literals.
    Pieces(Vec<Piece>),
    /// A variable named a key the request does not have (and gave no default): the value
    /// matches nothing with positive operators and everything with negated ones.
    Null {
        /// The missing key.
        key: String,
    },
}

/// Substitutes the variables in `value`.
pub fn substitute(value: &str, context: &RequestContext) -> Resolved {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        text.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + length];
        rest = &rest[start + length + 1..];
        let literal = match inner {
            "*" | "?" | "$" => inner.to_owned(),
            _ => {
                let (key, default) = split_default(inner);
                let found = context.get(key).and_then(|entry| match &entry.value {
                    ContextValue::Single(value) => Some(value.clone()),
                    ContextValue::Multi(_) => None,
                });
                match found.or(default) {
                    Some(value) => value,
                    None => {
                        return Resolved::Null {
                            key: key.to_owned(),
                        };
                    }
                }
            }
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Literal(literal));
    }
    text.push_str(rest);
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Resolved::Pieces(pieces)
}

/// `key, 'default'` → (`key`, Some(`default`)); a plain key → (`key`, None).
fn split_default(inner: &str) -> (&str, Option<String>) {
    match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let unquoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key.trim(), Some(unquoted.to_owned()))
        }
        None => (inner.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> RequestContext {
        let mut context = RequestContext::new();
        context.insert(
            "acme.semaphoreci.com:sub",
            ContextValue::Single("org:acme".into()),
        );
        context.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        context
    }

    #[test]
    fn substitutes_keys_case_insensitively() {
        assert_eq!(
            substitute("ci-${ACME.semaphoreci.com:sub}-*", &context()),
            Resolved::Pieces(vec![
                Piece::Text("ci-".into()),
                Piece::Literal("org:acme".into()),
                Piece::Text("-*".into()),
            ])
        );
    }

    #[test]
    fn defaults_escapes_and_missing_keys() {
        assert_eq!(
            substitute("${aws:PrincipalTag/team, 'company-wide'}", &context()),
            Resolved::Pieces(vec![Piece::Literal("company-wide".into())])
        );
        assert_eq!(
            substitute("a${*}b${?}${$}", &context()),
            Resolved::Pieces(vec![
                Piece::Text("a".into()),
                Piece::Literal("*".into()),
                Piece::Text("b".into()),
                Piece::Literal("?".into()),
                Piece::Literal("$".into()),
            ])
        );
        assert_eq!(
            substitute("${nope:key}", &context()),
            Resolved::Null {
                key: "nope:key".into()
            }
        );
        assert_eq!(
            substitute("${aws:TagKeys}", &context()),
            Resolved::Null {
                key: "aws:TagKeys".into()
            }
        );
        assert_eq!(
            substitute("plain ${unterminated", &context()),
            Resolved::Pieces(vec![Piece::Text("plain ${unterminated".into())])
        );
        assert_eq!(
            substitute("", &context()),
            Resolved::Pieces(vec![Piece::Text(String::new())])
        );
    }
}
