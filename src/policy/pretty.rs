//! Renders a policy as indented JSON and remembers which line holds which element, so front
//! ends can mark each statement, condition and value with its verdict.

use serde_json::Value;

use super::model::{Condition, PolicyDocument, PrincipalSet, Statement, Version};

/// An element of a policy that a front end may want to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The opening line of statement `n`.
    Statement(usize),
    /// The principal line of statement `n`.
    Principal(usize),
    /// The action line of statement `n`.
    Action(usize),
    /// Condition `c` (index into `Statement::conditions`) of statement `s`: the key's line.
    Condition(usize, usize),
    /// Value `v` of condition `c` of statement `s`.
    Value(usize, usize, usize),
}

/// The rendered lines and the line (0-based) of every anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrettyPolicy {
    /// The text, one entry per line.
    pub lines: Vec<String>,
    anchors: Vec<(Anchor, usize)>,
}

impl PrettyPolicy {
    /// The 0-based line of an element.
    pub fn line_of(&self, anchor: Anchor) -> Option<usize> {
        self.anchors
            .iter()
            .find(|(a, _)| *a == anchor)
            .map(|&(_, line)| line)
    }

    /// The whole text.
    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

/// Renders `document` (2-space indent; one value as a string, several as an array).
pub fn pretty(document: &PolicyDocument) -> PrettyPolicy {
    let mut out = Writer::default();
    out.line(0, "{".to_owned());
    match document.version {
        Version::V2012 => out.line(1, "\"Version\": \"2012-10-17\",".to_owned()),
        Version::V2008 => out.line(1, "\"Version\": \"2008-10-17\",".to_owned()),
        Version::Absent => {}
    }
    if let Some(id) = &document.id {
        out.line(1, format!("\"Id\": {},", quote(id)));
    }
    out.line(1, "\"Statement\": [".to_owned());
    let count = document.statements.len();
    for (position, statement) in document.statements.iter().enumerate() {
        statement_lines(&mut out, statement, position + 1 < count);
    }
    out.line(1, "]".to_owned());
    out.line(0, "}".to_owned());
    PrettyPolicy {
        lines: out.lines,
        anchors: out.anchors,
    }
}

#[derive(Default)]
struct Writer {
    lines: Vec<String>,
    anchors: Vec<(Anchor, usize)>,
}

impl Writer {
    fn line(&mut self, depth: usize, text: String) {
        self.lines.push(format!("{}{text}", "  ".repeat(depth)));
    }

    fn anchor(&mut self, anchor: Anchor) {
        self.anchors.push((anchor, self.lines.len()));
    }

    /// Writes `"name": value` or `"name": [ … ]`, anchoring each value.
    fn member(
        &mut self,
        depth: usize,
        name: &str,
        values: &[String],
        comma: bool,
        value_anchor: impl Fn(usize) -> Option<Anchor>,
    ) {
        let end = if comma { "," } else { "" };
        match values {
            [single] => {
                if let Some(anchor) = value_anchor(0) {
                    self.anchor(anchor);
                }
                self.line(depth, format!("{}: {}{end}", quote(name), quote(single)));
            }
            _ => {
                self.line(depth, format!("{}: [", quote(name)));
                for (index, value) in values.iter().enumerate() {
                    if let Some(anchor) = value_anchor(index) {
                        self.anchor(anchor);
                    }
                    let sep = if index + 1 < values.len() { "," } else { "" };
                    self.line(depth + 1, format!("{}{sep}", quote(value)));
                }
                self.line(depth, format!("]{end}"));
            }
        }
    }
}

fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn statement_lines(out: &mut Writer, statement: &Statement, comma: bool) {
    let s = statement.index;
    out.anchor(Anchor::Statement(s));
    out.line(2, "{".to_owned());
    let mut members: Vec<&str> = Vec::new();
    if statement.sid.is_some() {
        members.push("Sid");
    }
    members.push("Effect");
    if statement.principal.is_some() {
        members.push("Principal");
    }
    members.push("Action");
    if !statement.conditions.is_empty() {
        members.push("Condition");
    }
    for (position, member) in members.iter().enumerate() {
        let comma = position + 1 < members.len();
        let end = if comma { "," } else { "" };
        match *member {
            "Sid" => out.line(
                3,
                format!(
                    "\"Sid\": {}{end}",
                    quote(statement.sid.as_deref().unwrap_or_default())
                ),
            ),
            "Effect" => out.line(3, format!("\"Effect\": \"{}\"{end}", statement.effect)),
            "Principal" => principal_lines(out, statement, end),
            "Action" => {
                let name = if statement.actions.negated {
                    "NotAction"
                } else {
                    "Action"
                };
                out.anchor(Anchor::Action(s));
                out.member(3, name, &statement.actions.patterns, comma, |_| None);
            }
            _ => condition_lines(out, s, &statement.conditions, end),
        }
    }
    out.line(2, format!("}}{}", if comma { "," } else { "" }));
}

fn principal_lines(out: &mut Writer, statement: &Statement, end: &str) {
    let Some(principal) = &statement.principal else {
        return;
    };
    let name = if principal.negated {
        "NotPrincipal"
    } else {
        "Principal"
    };
    out.anchor(Anchor::Principal(statement.index));
    match &principal.set {
        PrincipalSet::Anyone => out.line(3, format!("\"{name}\": \"*\"{end}")),
        PrincipalSet::Typed(types) => {
            out.line(3, format!("\"{name}\": {{"));
            for (position, (kind, ids)) in types.iter().enumerate() {
                out.member(4, kind.as_str(), ids, position + 1 < types.len(), |_| None);
            }
            out.line(3, format!("}}{end}"));
        }
    }
}

fn condition_lines(out: &mut Writer, s: usize, conditions: &[Condition], end: &str) {
    out.line(3, "\"Condition\": {".to_owned());
    let mut blocks: Vec<(&str, Vec<(usize, &Condition)>)> = Vec::new();
    for (index, condition) in conditions.iter().enumerate() {
        match blocks.last_mut() {
            Some((raw, members)) if *raw == condition.operator.raw => {
                members.push((index, condition))
            }
            _ => blocks.push((&condition.operator.raw, vec![(index, condition)])),
        }
    }
    for (block_position, (raw, members)) in blocks.iter().enumerate() {
        out.line(4, format!("{}: {{", quote(raw)));
        for (position, (c, condition)) in members.iter().enumerate() {
            out.anchor(Anchor::Condition(s, *c));
            let c = *c;
            out.member(
                5,
                &condition.key,
                &condition.values,
                position + 1 < members.len(),
                |v| Some(Anchor::Value(s, c, v)),
            );
        }
        out.line(
            4,
            format!(
                "}}{}",
                if block_position + 1 < blocks.len() {
                    ","
                } else {
                    ""
                }
            ),
        );
    }
    out.line(3, format!("}}{end}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse;

    #[test]
    fn renders_and_maps_every_condition_value() {
        let doc = parse(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                              "StringLike": {"acme.semaphoreci.com:sub": ["a:*", "b:*"]}}}}"#,
        );
        let pretty = doc.map(|d| pretty(&d)).map_err(|e| e.to_string());
        let pretty = match pretty {
            Ok(p) => p,
            Err(e) => unreachable!("{e}"),
        };
        let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"
        },
        "StringLike": {
          "acme.semaphoreci.com:sub": [
            "a:*",
            "b:*"
          ]
        }
      }
    }
  ]
}
"#;
        assert_eq!(pretty.text(), expected);
        assert_eq!(pretty.line_of(Anchor::Statement(0)), Some(3));
        assert_eq!(pretty.line_of(Anchor::Principal(0)), Some(5));
        assert_eq!(pretty.line_of(Anchor::Action(0)), Some(8));
        assert_eq!(pretty.line_of(Anchor::Value(0, 0, 0)), Some(11));
        assert_eq!(pretty.line_of(Anchor::Condition(0, 1)), Some(14));
        assert_eq!(pretty.line_of(Anchor::Value(0, 1, 1)), Some(16));
        assert!(serde_json::from_str::<Value>(&pretty.text()).is_ok());
    }
}
