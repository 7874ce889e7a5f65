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
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(parse(text.as_bytes()).is_err());
    }
}
