//! JSON parsing that keeps member order and reports repeated member names.
//!
//! AWS keeps the **last** of several members with the same name (in JWT payloads and in
//! policy documents), silently. We do the same, but record every repetition so the user
//! hears about the member that was lost.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The place of a value inside a JSON document, e.g. `Statement[1].Condition.StringEquals`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(Vec<PathSegment>);

/// One step of a [`JsonPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A member of an object.
    Key(String),
    /// An element of an array (0-based).
    Index(usize),
}

impl JsonPath {
    /// The path of the document itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by an object member.
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        Self(segments)
    }

    /// This path extended by an array element.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        Self(segments)
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// True for the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for JsonPath {
    /// `a.b[0]`; members whose names are not plain identifiers print as `["https://x/y"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Index(index) => write!(f, "[{index}]")?,
                PathSegment::Key(key) if is_plain(key) => {
                    if position > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathSegment::Key(key) => {
                    write!(f, "[{}]", Value::String(key.clone()))?;
                }
            }
        }
        Ok(())
    }
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
}

/// A member name that appeared more than once in the same object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Path of the member (the value kept is the last one).
    pub path: JsonPath,
    /// How many times the name appeared.
    pub occurrences: usize,
}

/// A parsed document and the repeated member names found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document, objects in source order, repeated members resolved to their last value.
    pub value: Value,
    /// Every repeated member name, in document order.
    pub duplicates: Vec<DuplicateKey>,
}

/// Parses one JSON document (trailing whitespace allowed, nothing else).
pub fn parse(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = ValueSeed {
        at: Place::Root,
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(Parsed {
        value,
        duplicates: duplicates.into_inner(),
    })
}

/// Where a value sits while it is read: a chain of borrowed steps, turned into a [`JsonPath`]
/// only when one is needed (an error, a repeated name), so reading allocates no path per value.
#[derive(Debug, Clone, Copy)]
pub enum Place<'p> {
    /// The document itself.
    Root,
    /// A member of the object at the parent place.
    Member(&'p Place<'p>, &'p str),
    /// An element of the array at the parent place.
    Element(&'p Place<'p>, usize),
}

impl<'p> Place<'p> {
    /// The member `key` of the object here.
    pub fn key(&'p self, key: &'p str) -> Place<'p> {
        Place::Member(self, key)
    }

    /// Element `index` of the array here.
    pub fn index(&'p self, index: usize) -> Place<'p> {
        Place::Element(self, index)
    }

    /// The path of this place.
    pub fn path(&self) -> JsonPath {
        let mut segments = Vec::with_capacity(self.depth());
        self.push_segments(&mut segments);
        JsonPath(segments)
    }

    fn depth(&self) -> usize {
        match self {
            Place::Root => 0,
            Place::Member(parent, _) | Place::Element(parent, _) => parent.depth() + 1,
        }
    }

    fn push_segments(&self, segments: &mut Vec<PathSegment>) {
        match self {
            Place::Root => {}
            Place::Member(parent, key) => {
                parent.push_segments(segments);
                segments.push(PathSegment::Key((*key).to_owned()));
            }
            Place::Element(parent, index) => {
                parent.push_segments(segments);
                segments.push(PathSegment::Index(*index));
            }
        }
    }
}

/// Counts repeated names of one object, in the order they first repeat; a name is found by
/// hashing, so many repeated names stay linear.
#[derive(Default)]
struct Repeats {
    counts: Vec<(String, usize)>,
    index: HashMap<String, usize>,
}

impl Repeats {
    fn add(&mut self, key: &str) {
        match self.index.get(key) {
            Some(&at) => self.counts[at].1 += 1,
            None => {
                self.index.insert(key.to_owned(), self.counts.len());
                self.counts.push((key.to_owned(), 2));
            }
        }
    }

    fn report(self, at: &Place<'_>, duplicates: &RefCell<Vec<DuplicateKey>>) {
        if self.counts.is_empty() {
            return;
        }
        let path = at.path();
        duplicates
            .borrow_mut()
            .extend(
                self.counts
                    .into_iter()
                    .map(|(key, occurrences)| DuplicateKey {
                        path: path.key(&key),
                        occurrences,
                    }),
            );
    }
}

struct ValueSeed<'a, 'p> {
    at: Place<'p>,
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = ValueSeed {
                at: Place::Element(&self.at, items.len()),
                duplicates: self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let mut repeats = Repeats::default();
        while let Some(key) = access.next_key::<String>()? {
            let seed = ValueSeed {
                at: Place::Member(&self.at, &key),
                duplicates: self.duplicates,
            };
            let value = access.next_value_seed(seed)?;
            if map.contains_key(&key) {
                repeats.add(&key);
            }
            map.insert(key, value);
        }
        repeats.report(&self.at, self.duplicates);
        Ok(Value::Object(map))
    }
}

/// A JSON value that borrows its strings from the text where it can, with objects as lists in
/// source order (a repeated name keeps its first place and its last value, as [`parse`] does):
/// what reading a policy needs, without serde_json's hashed maps.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object's members in source order, each name once.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl Node<'_> {
    /// The value as a serde_json [`Value`] (for messages that quote it).
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(flag) => Value::Bool(*flag),
            Node::Number(number) => Value::Number(number.clone()),
            Node::String(text) => Value::String(text.as_ref().to_owned()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, value)| (key.as_ref().to_owned(), value.to_value()))
                    .collect(),
            ),
        }
    }

    /// Describes the kind for messages, as [`kind_of`] does.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

impl fmt::Display for Node<'_> {
    /// Compact JSON, as serde_json prints a [`Value`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

/// A document read as a [`Node`], and the repeated member names found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNode<'a> {
    /// The document.
    pub value: Node<'a>,
    /// Every repeated member name, in the order [`parse`] reports them.
    pub duplicates: Vec<DuplicateKey>,
}

/// Parses one JSON document as [`parse`] does, into a [`Node`] borrowing from `text`.
pub fn parse_node(text: &str) -> Result<ParsedNode<'_>, serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = NodeSeed {
        at: Place::Root,
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(ParsedNode {
        value,
        duplicates: duplicates.into_inner(),
    })
}

/// Objects up to this many members find a repeated name by comparing; larger ones by hashing.
const SCANNED_MEMBERS: usize = 16;

struct NodeSeed<'a, 'p> {
    at: Place<'p>,
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = NodeSeed {
                at: Place::Element(&self.at, items.len()),
                duplicates: self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Node::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Node<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        let mut index: Option<HashMap<String, usize>> = None;
        let mut repeats = Repeats::default();
        while let Some(key) = access.next_key_seed(KeySeed)? {
            let seed = NodeSeed {
                at: Place::Member(&self.at, &key),
                duplicates: self.duplicates,
            };
            let value = access.next_value_seed(seed)?;
            let earlier = match &index {
                Some(index) => index.get(key.as_ref()).copied(),
                None => members.iter().position(|(name, _)| *name == key),
            };
            match earlier {
                Some(at) => {
                    repeats.add(&key);
                    members[at].1 = value;
                }
                None => {
                    if let Some(index) = &mut index {
                        index.insert(key.as_ref().to_owned(), members.len());
                    }
                    members.push((key, value));
                    if index.is_none() && members.len() > SCANNED_MEMBERS {
                        index = Some(
                            members
                                .iter()
                                .enumerate()
                                .map(|(at, (name, _))| (name.as_ref().to_owned(), at))
                                .collect(),
                        );
                    }
                }
            }
        }
        repeats.report(&self.at, self.duplicates);
        Ok(Node::Object(members))
    }
}

/// A member name, borrowed from the text when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// serde_json's message without its trailing ` at line L column C` (callers show the position).
pub fn error_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(position) => text[..position].to_owned(),
        None => text,
    }
}

/// Describes a JSON value's kind for messages: `an array`, `a string`, …
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A 1-based line and column in a text (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where the value at `path` starts in `text`, a document [`parse`] accepted. For a repeated
/// member name, the last occurrence (the one kept). `None` when the path is not there.
pub fn locate(text: &[u8], path: &JsonPath) -> Option<Position> {
    let mut scanner = Scanner { bytes: text, at: 0 };
    scanner.whitespace();
    for segment in path.segments() {
        match segment {
            PathSegment::Key(wanted) => scanner.enter_member(wanted)?,
            PathSegment::Index(wanted) => scanner.enter_element(*wanted)?,
        }
    }
    Some(position_of(text, scanner.at))
}

/// The position of byte offset `at` in `text`.
pub fn position_of(text: &[u8], at: usize) -> Position {
    let before = &text[..at.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Position {
        line: before.iter().filter(|&&b| b == b'\n').count() + 1,
        column: String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1,
    }
}

/// A cursor over a valid JSON text that can skip values without building them.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.whitespace();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// Skips a string starting at the cursor and returns it as written, quotes included.
    fn skip_string(&mut self) -> Option<&[u8]> {
        let start = self.at;
        self.at += 1;
        loop {
            let rest = self.bytes.get(self.at..)?;
            self.at += memchr::memchr2(b'"', b'\\', rest)?;
            if self.peek()? == b'"' {
                self.at += 1;
                return self.bytes.get(start..self.at);
            }
            self.at += 2;
        }
    }

    /// Skips a member name at the cursor and tells whether it is `wanted` (decoded only when
    /// it holds an escape).
    fn member_name_is(&mut self, wanted: &str) -> Option<bool> {
        let raw = self.skip_string()?;
        let inner = raw.get(1..raw.len() - 1)?;
        if !inner.contains(&b'\\') {
            return Some(inner == wanted.as_bytes());
        }
        let key: String = serde_json::from_slice(raw).ok()?;
        Some(key == wanted)
    }

    fn skip_value(&mut self) -> Option<()> {
        self.whitespace();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.skip_string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.at += 1;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.at += 1;
                }
                b',' | b'}' | b']' if depth == 0 => return Some(()),
                _ => self.at += 1,
            }
            if depth == 0 {
                self.whitespace();
                if matches!(self.peek(), None | Some(b',' | b'}' | b']')) {
                    return Some(());
                }
            }
        }
    }

    /// Moves into the member `wanted` of the object at the cursor (its last occurrence).
    fn enter_member(&mut self, wanted: &str) -> Option<()> {
        self.expect(b'{')?;
        let mut found = None;
        loop {
            self.whitespace();
            if self.peek()? == b'}' {
                break;
            }
            let is_wanted = self.member_name_is(wanted)?;
            self.expect(b':')?;
            self.whitespace();
            if is_wanted {
                found = Some(self.at);
            }
            self.skip_value()?;
            self.whitespace();
            if self.peek()? == b',' {
                self.at += 1;
            }
        }
        self.at = found?;
        Some(())
    }

    /// Moves into element `wanted` of the array at the cursor.
    fn enter_element(&mut self, wanted: usize) -> Option<()> {
        self.expect(b'[')?;
        for index in 0.. {
            self.whitespace();
            if self.peek()? == b']' {
                return None;
            }
            if index == wanted {
                return Some(());
            }
            self.skip_value()?;
            self.expect(b',')?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Parsed {
        match parse(text.as_bytes()) {
            Ok(parsed) => parsed,
            Err(error) => unreachable!("test document must parse: {error}"),
        }
    }

    #[test]
    fn keeps_member_order() {
        let doc = parsed(r#"{"z": 1, "a": 2, "m": 3}"#);
        let keys: Vec<&String> = doc
            .value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert!(doc.duplicates.is_empty());
    }

    /// 45,000 names each repeated: every one reported once, counted, in first-repeat order —
    /// found by hashing (this took seconds when each was looked up in a list).
    #[test]
    fn many_repeated_names_are_counted_in_linear_time() {
        let members: Vec<String> = (0..45_000)
            .flat_map(|i| [format!("\"k{i}\": 1"), format!("\"k{i}\": 2")])
            .collect();
        let text = format!("{{{}}}", members.join(","));
        for duplicates in [
            parse(text.as_bytes()).map(|doc| doc.duplicates),
            parse_node(&text).map(|doc| doc.duplicates),
        ] {
            let duplicates = duplicates.unwrap_or_default();
            assert_eq!(duplicates.len(), 45_000);
            assert!(duplicates.iter().all(|d| d.occurrences == 2));
            assert_eq!(duplicates[44_999].path.to_string(), "k44999");
        }
    }

    #[test]
    fn repeated_member_keeps_last_value_and_is_reported() {
        let doc = parsed(r#"{"sub": "first", "x": {"k": 1, "k": 2, "k": 3}, "sub": "last"}"#);
        assert_eq!(doc.value["sub"], "last");
        assert_eq!(doc.value["x"]["k"], 3);
        assert_eq!(
            doc.duplicates,
            vec![
                DuplicateKey {
                    path: JsonPath::root().key("x").key("k"),
                    occurrences: 3
                },
                DuplicateKey {
                    path: JsonPath::root().key("sub"),
                    occurrences: 2
                },
            ]
        );
    }

    #[test]
    fn duplicates_inside_arrays_carry_the_index() {
        let doc = parsed(
            r#"{"Statement": [{}, {"Condition": {"StringEquals": {}, "StringEquals": {}}}]}"#,
        );
        assert_eq!(
            doc.duplicates[0].path.to_string(),
            "Statement[1].Condition.StringEquals"
        );
    }

    #[test]
    fn path_quotes_names_that_are_not_identifiers() {
        let path = JsonPath::root()
            .key("https://aws.amazon.com/tags")
            .key("principal_tags")
            .index(0);
        assert_eq!(
            path.to_string(),
            r#"["https://aws.amazon.com/tags"].principal_tags[0]"#
        );
    }

    #[test]
    fn rejects_trailing_content_and_reports_position() {
        let error = parse(b"{\"a\": 1}\n  x").err();
        assert_eq!(error.map(|e| (e.line(), e.column())), Some((2, 3)));
    }

    #[test]
    fn locates_values_by_path() {
        let text = b"{\n  \"Statement\": [\n    {\"Effect\": \"Allow\"},\n    {\"Effect\": \"allow\", \"x\": [1, {\"a\": \"}\"}], \"Effect\": \"Deny\"}\n  ]\n}";
        let path = JsonPath::root().key("Statement").index(1).key("Effect");
        assert_eq!(
            locate(text, &path),
            Some(Position {
                line: 4,
                column: 57
            })
        );
        let first = JsonPath::root().key("Statement").index(0).key("Effect");
        assert_eq!(
            locate(text, &first),
            Some(Position {
                line: 3,
                column: 16
            })
        );
        assert_eq!(locate(text, &JsonPath::root().key("Nope")), None);
        assert_eq!(
            locate(text, &JsonPath::root().key("Statement").index(5)),
            None
        );
        assert_eq!(
            locate(text, &JsonPath::root()),
            Some(Position { line: 1, column: 1 })
        );
    }

    /// Names are compared as decoded (an escaped name is the same member), and escaped quotes
    /// and backslashes inside strings do not end them.
    #[test]
    fn locates_through_escapes() {
        let text = br#"{"a\"}": "x\\", "S\u0074atement": [{"k": "q\"]}\\\""}, {"E": 1}]}"#;
        let path = JsonPath::root().key("Statement").index(1).key("E");
        assert_eq!(
            locate(text, &path),
            Some(Position {
                line: 1,
                column: 62
            })
        );
        assert_eq!(
            locate(text, &JsonPath::root().key("a\"}")),
            Some(Position {
                line: 1,
                column: 10
            })
        );
        assert_eq!(
            locate(br#"{"unterminated"#, &JsonPath::root().key("x")),
            None
        );
    }

    /// `parse_node` must read every document as `parse` does.
    fn same_as_parse(text: &str) {
        let value = parse(text.as_bytes()).map(|p| (p.value, p.duplicates));
        let node = parse_node(text).map(|p| (p.value.to_value(), p.duplicates));
        match (value, node) {
            (Ok(value), Ok(node)) => assert_eq!(value, node, "{text}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
            (a, b) => unreachable!("{text}: {a:?} but {b:?}"),
        }
    }

    #[test]
    fn nodes_read_as_values_do() {
        let many: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 25)).collect();
        for text in [
            r#"{"sub": "first", "x": {"k": 1, "k": 2, "k": 3}, "sub": "last"}"#,
            r#"{"Statement": [{}, {"Condition": {"StringEquals": {}, "StringEquals": {}}}]}"#,
            r#"{"a\"b": "\u00e9\n", "a\"b": [1, -2, 2.5, 1e400, true, null]}"#,
            &format!("{{{}}}", many.join(", ")),
            "[1, 2",
            "{\"a\": 1} x",
            "\"\\ud800\"",
        ] {
            same_as_parse(text);
        }
        let node = parse_node(r#"{"b": 1, "a": {"k": "v"}, "b": 2}"#).map(|p| p.value);
        assert_eq!(
            node.map(|n| n.to_string()).ok().as_deref(),
            Some(r#"{"b":2,"a":{"k":"v"}}"#)
        );
    }

    proptest::proptest! {
        #[test]
        fn nodes_read_any_text_as_values_do(text in r#"[\[\]{}",:a-c0-9 .e\\-]{0,40}"#) {
            same_as_parse(&text);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(parse(text.as_bytes()).is_err());
    }
}
