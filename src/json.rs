//! JSON parsing that keeps member order and reports repeated member names.
//!
//! AWS keeps the **last** of several members with the same name (in JWT payloads and in
//! policy documents), silently. We do the same, but record every repetition so the user
//! hears about the member that was lost.

use std::cell::RefCell;
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
        path: JsonPath::root(),
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(Parsed {
        value,
        duplicates: duplicates.into_inner(),
    })
}

struct ValueSeed<'a> {
    path: JsonPath,
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
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
                path: self.path.index(items.len()),
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
        let mut repeated: Vec<(String, usize)> = Vec::new();
        while let Some(key) = access.next_key::<String>()? {
            let seed = ValueSeed {
                path: self.path.key(&key),
                duplicates: self.duplicates,
            };
            let value = access.next_value_seed(seed)?;
            if map.insert(key.clone(), value).is_some() {
                match repeated.iter_mut().find(|(name, _)| *name == key) {
                    Some((_, count)) => *count += 1,
                    None => repeated.push((key, 2)),
                }
            }
        }
        self.duplicates
            .borrow_mut()
            .extend(repeated.into_iter().map(|(key, occurrences)| DuplicateKey {
                path: self.path.key(&key),
                occurrences,
            }));
        Ok(Value::Object(map))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// Skips a string starting at the cursor and returns its decoded text.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        while let Some(byte) = self.peek() {
            self.at += if byte == b'\\' { 2 } else { 1 };
            if byte == b'"' {
                return serde_json::from_slice(self.bytes.get(start..self.at)?).ok();
            }
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        self.whitespace();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
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
            let key = self.string()?;
            self.expect(b':')?;
            self.whitespace();
            if key == wanted {
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

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(parse(text.as_bytes()).is_err());
    }
}
