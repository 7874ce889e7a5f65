//! Where each node of a YAML document starts, by the JSON path the node has once the document
//! is read as JSON (`sources::from_yaml`): so a finding in a trust policy written in a YAML
//! CloudFormation template points at its own line, as it does in JSON.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::json::{JsonPath, PathSegment, Position};

/// The start of every node of one YAML document: a mapping member at its key, a sequence item
/// at the item, the document at its first node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Positions(Vec<(JsonPath, Position)>);

impl Positions {
    /// The positions in the first document of `text` (a leading byte-order mark skipped);
    /// none when it does not parse.
    pub fn of(text: &str) -> Positions {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut walker = Walker::default();
        match Parser::new_from_str(text).load(&mut walker, false) {
            Ok(()) => Positions(walker.found),
            Err(_) => Positions::default(),
        }
    }

    /// Where `path` starts, when it is there.
    pub fn get(&self, path: &JsonPath) -> Option<Position> {
        self.0
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, position)| *position)
    }

    /// Where `path` starts, else where the nearest enclosing node that is there starts.
    pub fn nearest(&self, path: &JsonPath) -> Option<Position> {
        let mut segments = path.segments().to_vec();
        loop {
            let candidate = segments.iter().fold(JsonPath::root(), |p, s| match s {
                PathSegment::Key(key) => p.key(key),
                PathSegment::Index(index) => p.index(*index),
            });
            if let Some(position) = self.get(&candidate) {
                return Some(position);
            }
            segments.pop()?;
        }
    }
}

/// An open mapping or sequence.
enum Frame {
    /// A mapping at `path`, and the key whose value comes next (`None`: a key comes next).
    Mapping {
        path: JsonPath,
        key: Option<String>,
        /// Where in `found` the mapping itself was recorded, until its first key is seen: a
        /// block mapping's start is reported after its first key, so that key's place wins.
        recorded: Option<usize>,
    },
    /// A sequence at `path`, and the index of the next item.
    Sequence { path: JsonPath, next: usize },
}

#[derive(Default)]
struct Walker {
    open: Vec<Frame>,
    found: Vec<(JsonPath, Position)>,
}

/// Where the contents of a key that is itself a mapping or a sequence go: a path no JSON key
/// of the document can name (`from_yaml` turns such a key into text).
fn complex_key() -> JsonPath {
    JsonPath::root().key("\u{0}complex key")
}

impl Walker {
    /// The path of the node starting at `mark`, recorded unless it is a mapping's key (whose
    /// scalar text is returned instead, for the value that follows).
    fn node(&mut self, mark: Marker, key_text: Option<&str>) -> Option<JsonPath> {
        let position = Position {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match self.open.last_mut() {
            None => {
                self.found.push((JsonPath::root(), position));
                Some(JsonPath::root())
            }
            Some(Frame::Sequence { path, next }) => {
                let item = path.index(*next);
                *next += 1;
                self.found.push((item.clone(), position));
                Some(item)
            }
            Some(Frame::Mapping {
                path,
                key,
                recorded,
            }) => match key.take() {
                // A key: its member is found at the key.
                None => {
                    if let Some(entry) = recorded.take().and_then(|at| self.found.get_mut(at))
                        && (position.line, position.column) < (entry.1.line, entry.1.column)
                    {
                        entry.1 = position;
                    }
                    let name = key_text.unwrap_or_default().to_owned();
                    self.found.push((path.key(&name), position));
                    *key = Some(name);
                    None
                }
                Some(name) => Some(path.key(&name)),
            },
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, ..) => {
                self.node(mark, Some(&text));
            }
            Event::Alias(_) => {
                self.node(mark, None);
            }
            Event::MappingStart(..) => {
                let before = self.found.len();
                let path = self.node(mark, None);
                // Recorded as a node of its own (the document, a sequence item), not as a
                // member found at its key.
                let recorded = (self.found.len() > before
                    && path.as_ref() == self.found.last().map(|(p, _)| p))
                .then(|| self.found.len() - 1);
                self.open.push(Frame::Mapping {
                    path: path.unwrap_or_else(complex_key),
                    key: None,
                    recorded,
                });
            }
            Event::SequenceStart(..) => {
                let path = self.node(mark, None).unwrap_or_else(complex_key);
                self.open.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.open.pop();
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "Resources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {Federated: arn:aws:iam::123456789012:oidc-provider/gitlab.com}\n            Action: [sts:AssumeRoleWithWebIdentity]\n            Condition:\n              StringLike:\n                \"gitlab.com:sub\": project_path:*\n";

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn members_are_found_at_their_keys_and_items_at_themselves() {
        let positions = Positions::of(TEMPLATE);
        let policy = JsonPath::root()
            .key("Resources")
            .key("Deploy")
            .key("Properties")
            .key("AssumeRolePolicyDocument");
        let statement = policy.key("Statement").index(0);
        assert_eq!(positions.nearest(&policy.key("Version")), at(6, 9));
        assert_eq!(positions.nearest(&statement), at(8, 13));
        assert_eq!(positions.nearest(&statement.key("Effect")), at(8, 13));
        // Flow style: a member inside `{…}`, an item inside `[…]`.
        assert_eq!(
            positions.nearest(&statement.key("Principal").key("Federated")),
            at(9, 25)
        );
        assert_eq!(
            positions.nearest(&statement.key("Action").index(0)),
            at(10, 22)
        );
        // A quoted key is found by its text.
        assert_eq!(
            positions.nearest(
                &statement
                    .key("Condition")
                    .key("StringLike")
                    .key("gitlab.com:sub")
            ),
            at(13, 17)
        );
        // What is not there: the nearest enclosing node that is.
        assert_eq!(
            positions.nearest(&statement.key("Condition").key("StringEquals")),
            at(11, 13)
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_key() {
        let positions = Positions::of("\u{feff}Resources:\n  Role:\n    Type: x\n");
        assert_eq!(
            positions.get(&JsonPath::root().key("Resources").key("Role")),
            at(2, 3)
        );
    }

    #[test]
    fn text_that_does_not_parse_has_no_positions() {
        let positions = Positions::of("a: [unclosed\n");
        assert_eq!(positions.nearest(&JsonPath::root().key("a")), None);
        assert_eq!(Positions::of("").nearest(&JsonPath::root()), None);
    }
}
