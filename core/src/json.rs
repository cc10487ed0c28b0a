//! JSON text read into values, one way for every input that arrives as text (catalogs, options,
//! wallets): a key given twice in one object is refused, never resolved.
//!
//! serde_json keeps the last of two equal keys, a host's own parser may keep either, and an
//! event's `data` used to keep the first: `{"n": 5, "n": 700}` priced differently by face. A
//! price is no place to guess which value was meant, so the reader says `duplicate_key` with
//! the path of the second one. (Events are read by their own visitors, `event.rs`, which
//! refuse duplicates the same way.)

use crate::issue::{Code, Error, ErrorKind};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// Reads JSON text into a value, refusing input that is not JSON, nests too deeply (serde_json
/// stops at 128 levels), or gives a key twice in one object.
pub fn parse_json(text: &str) -> Result<Value, Error> {
    let trail = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let read = ValueSeed { trail: &trail }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    read.map_err(|e| {
        let places = trail.take();
        if let Some(key) = e.to_string().strip_prefix(DUPLICATE) {
            let key = key.split(" at line").next().unwrap_or(key);
            return Error::one(
                ErrorKind::InvalidJson,
                &path_of(&places),
                Code::DuplicateKey,
                format!("the key {key} is given twice in one object; ratecard will not guess which value was meant"),
            );
        }
        not_json(text, &e)
    })
}

/// The error for text that is not JSON, with a hint when it looks like a file's name.
fn not_json(text: &str, e: &serde_json::Error) -> Error {
    // A file's name passed where its contents belong is the commonest way to get here.
    let t = text.trim();
    let file_name = !t.is_empty()
        && t.len() <= 4096
        && !t.contains(['\n', '{', '[', '"'])
        && t.contains(['.', '/', '\\']);
    let hint = match file_name {
        true => " (this looks like a file name, not JSON text: pass the file's contents, or a path object where the face accepts one)",
        false => "",
    };
    Error::one(
        ErrorKind::InvalidJson,
        "",
        Code::InvalidJson,
        format!("not valid JSON: {e}{hint}"),
    )
}

const DUPLICATE: &str = "duplicate key ";

/// A path from places collected innermost first: `products[0].prices[1].name`.
fn path_of(places: &[Place]) -> String {
    let mut out = String::new();
    for place in places.iter().rev() {
        match place {
            Place::Index(i) => out.push_str(&format!("[{i}]")),
            Place::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

enum Place {
    Key(String),
    Index(usize),
}

/// Reads any JSON value; as an error leaves a container, the place it left from is recorded.
#[derive(Clone, Copy)]
struct ValueSeed<'t> {
    trail: &'t RefCell<Vec<Place>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
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
        let mut out = Vec::new();
        loop {
            let i = out.len();
            match seq.next_element_seed(self) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => {
                    self.trail.borrow_mut().push(Place::Index(i));
                    return Err(e);
                }
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = match map.next_value_seed(self) {
                Ok(v) => v,
                Err(e) => {
                    self.trail.borrow_mut().push(Place::Key(key));
                    return Err(e);
                }
            };
            if out.contains_key(&key) {
                let message = format!("{DUPLICATE}{key:?}");
                self.trail.borrow_mut().push(Place::Key(key));
                return Err(de::Error::custom(message));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_at_its_path() {
        let e = parse_json(r#"{"assets": [{"code": "A"}, {"code": "B", "rate": 1, "rate": 2}]}"#)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidJson);
        assert_eq!(e.issues[0].path, "assets[1].rate");
        assert_eq!(e.issues[0].code, Code::DuplicateKey);
        assert!(
            e.issues[0].message.contains("\"rate\""),
            "{}",
            e.issues[0].message
        );
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text =
            r#"{"a": [1, -2, 3.5, 1e400, "x", true, null, {}], "b": {"c": 18446744073709551615}}"#;
        let ours = parse_json(&text.replace("1e400", "1e300")).unwrap();
        let theirs: Value = serde_json::from_str(&text.replace("1e400", "1e300")).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(
            parse_json("[1,]").unwrap_err().issues[0].code,
            Code::InvalidJson
        );
        assert_eq!(
            parse_json(&"[".repeat(200)).unwrap_err().issues[0].code,
            Code::InvalidJson
        );
    }

    #[test]
    fn a_file_name_is_named_as_one() {
        for name in [
            "examples/catalog.json",
            "catalog.json",
            r"C:\pricing\catalog.json",
        ] {
            let e = parse_json(name).unwrap_err();
            assert!(
                e.issues[0].message.contains("looks like a file name"),
                "{name}: {e}"
            );
        }
        for text in ["", "{\"a\": }", "nope"] {
            let e = parse_json(text).unwrap_err();
            assert!(!e.issues[0].message.contains("file name"), "{text}: {e}");
        }
    }
}
