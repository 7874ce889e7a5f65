//! Reading policy text (JSON, or IAM's URL-encoded form) into a [`PolicyDocument`].

use std::fmt;

use std::borrow::Cow;

use thiserror::Error;

use super::model::{
    ActionElement, Condition, Effect, Operator, PolicyDocument, PolicyFinding, PrincipalElement,
    PrincipalSet, PrincipalType, Statement, Version,
};
use crate::json::{self, JsonPath, Node, Place, Position};

/// Why a policy document cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct PolicyError {
    /// Line and column in the (decoded) text, when known.
    pub position: Option<Position>,
    /// The element at fault, e.g. `Statement[1].Condition.StringEquals`.
    pub path: JsonPath,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.position, self.path.is_root()) {
            (Some(position), true) => {
                write!(f, "line {}, column {}: ", position.line, position.column)?
            }
            (Some(position), false) => write!(
                f,
                "line {}, column {} ({}): ",
                position.line, position.column, self.path
            )?,
            (None, false) => write!(f, "{}: ", self.path)?,
            (None, true) => {}
        }
        f.write_str(&self.problem)
    }
}

/// Parses a policy document: JSON as IAM stores it, or URL-encoded as IAM's API returns it.
pub fn parse(text: &str) -> Result<PolicyDocument> {
    let trimmed = text.trim();
    let was_url_encoded = trimmed
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("%7B"));
    let decoded;
    let text = if was_url_encoded {
        decoded = url_decode(trimmed)?;
        decoded.as_str()
    } else {
        text
    };
    let parsed = json::parse_node(text).map_err(|error| PolicyError {
        position: Some(Position {
            line: error.line(),
            column: error.column(),
        }),
        path: JsonPath::root(),
        problem: format!("not valid JSON: {}", json::error_message(&error)),
    })?;
    let locate = |path: JsonPath, problem: String| PolicyError {
        position: json::locate(text.as_bytes(), &path),
        path,
        problem,
    };
    let mut document = Reader { fail: &locate }.document(&parsed.value)?;
    document.was_url_encoded = was_url_encoded;
    document.findings.extend(parsed.duplicates.into_iter().map(|duplicate| PolicyFinding {
        message: format!(
            "`{}` appears {} times in one object; IAM keeps only one of them (trustlens, like \
             JSON parsers, keeps the last) and silently drops the others",
            duplicate.path, duplicate.occurrences
        ),
        path: duplicate.path,
    }));
    Ok(document)
}

/// Decodes IAM's URL-encoded policy form: `%XX` escapes (RFC 3986; `+` stays `+`).
pub fn url_decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let hex = bytes
                .get(at + 1..at + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok());
            let Some(value) = hex else {
                return Err(PolicyError {
                    position: Some(json::position_of(bytes, at)),
                    path: JsonPath::root(),
                    problem: "the URL-encoded policy has a `%` not followed by two hex digits"
                        .to_owned(),
                });
            };
            out.push(value);
            at += 3;
        } else {
            out.push(byte);
            at += 1;
        }
    }
    String::from_utf8(out).map_err(|error| PolicyError {
        position: None,
        path: JsonPath::root(),
        problem: format!(
            "the URL-encoded policy decodes to bytes that are not UTF-8 (at byte {})",
            error.utf8_error().valid_up_to()
        ),
    })
}

/// Collects `len` results into a vector of exactly that capacity (a parsed policy is kept for
/// every role of an account, so spare capacity is memory times thousands), stopping at the
/// first error.
fn exact<T>(len: usize, items: impl Iterator<Item = Result<T>>) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(len);
    for item in items {
        out.push(item?);
    }
    Ok(out)
}

/// An object's members, in source order.
type Members<'a> = [(Cow<'a, str>, Node<'a>)];

/// The member called `name`.
fn member<'m, 'a>(members: &'m Members<'a>, name: &str) -> Option<&'m Node<'a>> {
    members
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// Walks the JSON value, building the model; `fail` turns a path and problem into an error.
struct Reader<'a> {
    fail: &'a dyn Fn(JsonPath, String) -> PolicyError,
}

type Result<T> = std::result::Result<T, PolicyError>;

impl Reader<'_> {
    fn error<T>(&self, place: &Place<'_>, problem: impl Into<String>) -> Result<T> {
        Err((self.fail)(place.path(), problem.into()))
    }

    fn document(&self, value: &Node<'_>) -> Result<PolicyDocument> {
        let root = Place::Root;
        let Node::Object(members) = value else {
            return self.error(
                &root,
                format!("a policy must be a JSON object, found {}", value.kind()),
            );
        };
        self.known_members(&root, members, &["Version", "Id", "Statement"])?;
        let version = match member(members, "Version") {
            None => Version::Absent,
            Some(Node::String(v)) if v == "2012-10-17" => Version::V2012,
            Some(Node::String(v)) if v == "2008-10-17" => Version::V2008,
            Some(other) => {
                return self.error(
                    &root.key("Version"),
                    format!("Version must be \"2012-10-17\" or \"2008-10-17\", found {other}"),
                );
            }
        };
        let id = self.optional_string(&root, members, "Id")?;
        let statements = match member(members, "Statement") {
            None => return self.error(&root, "the policy has no Statement"),
            Some(Node::Array(items)) if items.is_empty() => {
                return self.error(&root.key("Statement"), "Statement is an empty array");
            }
            Some(Node::Array(items)) => exact(
                items.len(),
                items.iter().enumerate().map(|(index, item)| {
                    self.statement(index, &root.key("Statement").index(index), item)
                }),
            )?,
            Some(single @ Node::Object(_)) => {
                vec![self.statement(0, &root.key("Statement"), single)?]
            }
            Some(other) => {
                return self.error(
                    &root.key("Statement"),
                    format!(
                        "Statement must be an object or an array of objects, found {}",
                        other.kind()
                    ),
                );
            }
        };
        Ok(PolicyDocument {
            version,
            id,
            statements,
            findings: Vec::new(),
            was_url_encoded: false,
        })
    }

    fn known_members(&self, path: &Place<'_>, members: &Members<'_>, known: &[&str]) -> Result<()> {
        for (name, _) in members {
            let name = name.as_ref();
            if !known.contains(&name) {
                let hint = known
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(name))
                    .map(|k| format!(" (IAM element names are case-sensitive: `{k}`)"))
                    .unwrap_or_else(|| format!("; expected one of {}", known.join(", ")));
                return self.error(&path.key(name), format!("unknown element `{name}`{hint}"));
            }
        }
        Ok(())
    }

    fn optional_string(
        &self,
        path: &Place<'_>,
        members: &Members<'_>,
        name: &str,
    ) -> Result<Option<String>> {
        match member(members, name) {
            None => Ok(None),
            Some(Node::String(text)) => Ok(Some(text.as_ref().to_owned())),
            Some(other) => self.error(
                &path.key(name),
                format!("{name} must be a string, found {}", other.kind()),
            ),
        }
    }

    fn statement(&self, index: usize, path: &Place<'_>, value: &Node<'_>) -> Result<Statement> {
        let Node::Object(members) = value else {
            return self.error(
                path,
                format!("a statement must be a JSON object, found {}", value.kind()),
            );
        };
        self.known_members(
            path,
            members,
            &[
                "Sid",
                "Effect",
                "Principal",
                "NotPrincipal",
                "Action",
                "NotAction",
                "Resource",
                "NotResource",
                "Condition",
            ],
        )?;
        let sid = self.optional_string(path, members, "Sid")?;
        let effect = match member(members, "Effect") {
            Some(Node::String(e)) if e == "Allow" => Effect::Allow,
            Some(Node::String(e)) if e == "Deny" => Effect::Deny,
            Some(other) => {
                return self.error(
                    &path.key("Effect"),
                    format!("Effect must be \"Allow\" or \"Deny\", found {other}"),
                );
            }
            None => return self.error(path, "the statement has no Effect"),
        };
        let principal = match (
            member(members, "Principal"),
            member(members, "NotPrincipal"),
        ) {
            (Some(_), Some(_)) => {
                return self.error(
                    path,
                    "a statement cannot have both Principal and NotPrincipal",
                );
            }
            (Some(value), None) => Some(PrincipalElement {
                negated: false,
                set: self.principal_set(&path.key("Principal"), value)?,
            }),
            (None, Some(value)) => Some(PrincipalElement {
                negated: true,
                set: self.principal_set(&path.key("NotPrincipal"), value)?,
            }),
            (None, None) => None,
        };
        let actions = match (member(members, "Action"), member(members, "NotAction")) {
            (Some(_), Some(_)) => {
                return self.error(path, "a statement cannot have both Action and NotAction");
            }
            (Some(value), None) => ActionElement {
                negated: false,
                patterns: self.strings(&path.key("Action"), value)?,
            },
            (None, Some(value)) => ActionElement {
                negated: true,
                patterns: self.strings(&path.key("NotAction"), value)?,
            },
            (None, None) => return self.error(path, "the statement has no Action or NotAction"),
        };
        let has_resource =
            member(members, "Resource").is_some() || member(members, "NotResource").is_some();
        let conditions = match member(members, "Condition") {
            None => Vec::new(),
            Some(value) => self.conditions(&path.key("Condition"), value)?,
        };
        Ok(Statement {
            index,
            sid,
            effect,
            principal,
            actions,
            has_resource,
            conditions,
        })
    }

    fn principal_set(&self, path: &Place<'_>, value: &Node<'_>) -> Result<PrincipalSet> {
        match value {
            Node::String(star) if star == "*" => Ok(PrincipalSet::Anyone),
            Node::Object(members) => exact(members.len(), members
                .iter()
                .map(|(name, ids)| {
                    let kind = match name.as_ref() {
                        "Federated" => PrincipalType::Federated,
                        "AWS" => PrincipalType::Aws,
                        "Service" => PrincipalType::Service,
                        "CanonicalUser" => PrincipalType::CanonicalUser,
                        other => {
                            return self.error(
                                &path.key(other),
                                format!("unknown principal type `{other}`; expected Federated, AWS, Service or CanonicalUser"),
                            );
                        }
                    };
                    Ok((kind, self.strings(&path.key(name), ids)?))
                }))
                .map(PrincipalSet::Typed),
            other => self.error(path, format!("a principal must be \"*\" or an object, found {other}")),
        }
    }

    /// A string or an array of strings.
    fn strings(&self, path: &Place<'_>, value: &Node<'_>) -> Result<Vec<String>> {
        match value {
            Node::String(text) => Ok(vec![text.as_ref().to_owned()]),
            Node::Array(items) => exact(
                items.len(),
                items.iter().enumerate().map(|(index, item)| match item {
                    Node::String(text) => Ok(text.as_ref().to_owned()),
                    other => self.error(
                        &path.index(index),
                        format!("expected a string, found {}", other.kind()),
                    ),
                }),
            ),
            other => self.error(
                path,
                format!(
                    "expected a string or an array of strings, found {}",
                    other.kind()
                ),
            ),
        }
    }

    fn conditions(&self, path: &Place<'_>, value: &Node<'_>) -> Result<Vec<Condition>> {
        let Node::Object(blocks) = value else {
            return self.error(
                path,
                format!("Condition must be an object, found {}", value.kind()),
            );
        };
        let keys = blocks
            .iter()
            .map(|(_, block)| match block {
                Node::Object(keys) => keys.len(),
                _ => 0,
            })
            .sum();
        let mut conditions = Vec::with_capacity(keys);
        for (name, block) in blocks {
            let block_path = path.key(name);
            let Some(operator) = Operator::parse(name) else {
                return self.error(&block_path, format!("unknown condition operator `{name}`"));
            };
            let Node::Object(keys) = block else {
                return self.error(
                    &block_path,
                    format!(
                        "the `{name}` block must map condition keys to values, found {}",
                        block.kind()
                    ),
                );
            };
            for (key, values) in keys {
                let key_path = block_path.key(key);
                conditions.push(Condition {
                    operator: operator.clone(),
                    key: key.as_ref().to_owned(),
                    values: self.condition_values(&key_path, values)?,
                });
            }
        }
        Ok(conditions)
    }

    /// Strings, booleans and numbers, alone or in an array, all as strings.
    fn condition_values(&self, path: &Place<'_>, value: &Node<'_>) -> Result<Vec<String>> {
        let scalar = |path: &Place<'_>, value: &Node<'_>| match value {
            Node::String(text) => Ok(text.as_ref().to_owned()),
            Node::Bool(flag) => Ok(flag.to_string()),
            Node::Number(number) => Ok(number.to_string()),
            other => self.error(
                path,
                format!(
                    "a condition value must be a string, boolean or number, found {}",
                    other.kind()
                ),
            ),
        };
        match value {
            Node::Array(items) => exact(
                items.len(),
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| scalar(&path.index(i), item)),
            ),
            other => Ok(vec![scalar(path, other)?]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match parse(text) {
            Ok(_) => unreachable!("must not parse: {text}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn reads_every_stored_form() {
        let doc = parse(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"Federated": ["a", "b"]},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"Bool": {"k": true}, "NumericLessThan": {"n": [1, 2.5]}}}}"#,
        );
        let doc = doc.map_err(|e| e.to_string());
        let statement = doc.as_ref().map(|d| d.statements[0].clone());
        assert_eq!(doc.as_ref().map(|d| d.version), Ok(Version::Absent));
        let conditions = statement.map(|s| {
            s.conditions
                .iter()
                .map(|c| c.values.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            conditions,
            Ok(vec![
                vec!["true".to_owned()],
                vec!["1".to_owned(), "2.5".to_owned()]
            ])
        );
    }

    #[test]
    fn decodes_the_iam_api_form() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22a%2Bb%22%7D%7D%5D%7D";
        let doc = parse(encoded).map_err(|e| e.to_string());
        assert_eq!(doc.as_ref().map(|d| d.was_url_encoded), Ok(true));
        assert_eq!(
            doc.map(|d| d.statements[0].principal.clone()),
            Ok(Some(PrincipalElement {
                negated: false,
                set: PrincipalSet::Typed(vec![(PrincipalType::Federated, vec!["a+b".to_owned()])])
            }))
        );
        assert!(error_of("%7B%2").contains("`%` not followed by two hex digits"));
    }

    #[test]
    fn errors_name_line_column_and_path() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"x\"},\n    {\"Effect\": \"allow\", \"Action\": \"x\"}\n  ]\n}";
        assert_eq!(
            error_of(text),
            "line 5, column 16 (Statement[1].Effect): Effect must be \"Allow\" or \"Deny\", found \"allow\""
        );
        assert_eq!(
            error_of("{\"Statement\": [}"),
            "line 1, column 16: not valid JSON: expected value"
        );
        assert!(error_of(r#"{"statement": []}"#).contains("case-sensitive: `Statement`"));
        assert!(error_of(r#"{"Statement": {"Effect": "Allow", "Action": "a", "Condition": {"StringEqual": {}}}}"#)
            .contains("(Statement.Condition.StringEqual): unknown condition operator `StringEqual`"));
    }

    #[test]
    fn text_starting_with_a_wide_character_is_an_error_not_a_panic() {
        assert!(error_of("\u{d4809}{}").contains("not valid JSON"));
    }

    #[test]
    fn repeated_operator_blocks_are_reported() {
        let doc = parse(
            r#"{"Statement": [{"Effect": "Allow", "Action": "a", "Condition": {
                "StringEquals": {"x:sub": "one"}, "StringEquals": {"x:aud": "two"}}}]}"#,
        );
        let findings = doc.map(|d| {
            d.findings
                .iter()
                .map(|f| f.path.to_string())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            findings,
            Ok(vec!["Statement[0].Condition.StringEquals".to_owned()])
        );
    }
}
