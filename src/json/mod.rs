//! Strict JSON for hostile input: duplicate keys rejected, depth bounded, encodings checked,
//! and every failure located by JSON pointer and line:column.

pub mod jcs;
mod locate;
pub mod tape;

pub use locate::locate;

use crate::diag::{escape_pointer_token, Code, Diagnostic};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Deepest nesting of arrays/objects accepted (SPEC §2: deeper is `ERR_JSON_PARSE`).
pub const MAX_DEPTH: usize = 128;

/// Why a byte string is not acceptable JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub code: Code,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl JsonError {
    /// Turns the error into a diagnostic about `file`.
    pub fn into_diagnostic(self, file: &str) -> Diagnostic {
        let d = Diagnostic::new(self.code, file, self.message).at(self.pointer);
        if self.line > 0 {
            d.at_line(self.line, self.column)
        } else {
            d
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} ({}:{}): {}",
            self.code, self.pointer, self.line, self.column, self.message
        )
    }
}

/// Strips a UTF-8 byte-order mark and rejects UTF-16/UTF-32 input.
pub fn strip_bom(bytes: &[u8]) -> Result<&[u8], JsonError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(rest);
    }
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let utf16_no_bom = bytes.len() >= 2 && (bytes[0] == 0 || bytes[1] == 0);
    if utf16 || utf16_no_bom {
        return Err(JsonError {
            code: Code::JsonParse,
            pointer: String::new(),
            line: 1,
            column: 1,
            message: "document is UTF-16 or UTF-32 encoded; JSON must be UTF-8 (RFC 8259 §8.1)"
                .into(),
        });
    }
    Ok(bytes)
}

/// Parses one JSON document strictly.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let bytes = strip_bom(bytes)?;
    let path = RefCell::new(Vec::<String>::new());
    let dup = RefCell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Depth is bounded by `StrictSeed::check_depth` (at exactly MAX_DEPTH) instead.
    de.disable_recursion_limit();
    let seed = StrictSeed {
        path: &path,
        dup: &dup,
        depth: 0,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|_| v));
    result.map_err(|e| {
        // Recorded innermost first (see `visit_seq`).
        let pointer: String = path
            .borrow()
            .iter()
            .rev()
            .map(|t| format!("/{}", escape_pointer_token(t)))
            .collect();
        let code = if *dup.borrow() {
            Code::JsonDuplicateKey
        } else {
            Code::JsonParse
        };
        let message = strip_position_suffix(&e.to_string());
        JsonError {
            code,
            pointer,
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Parses one JSON document strictly into a [`tape::Tape`] (what [`parse`] accepts, without
/// building a `Value` tree). A document that is not acceptable gets [`parse`]'s located error.
pub fn parse_doc(bytes: &[u8]) -> Result<tape::Tape<'_>, JsonError> {
    let body = strip_bom(bytes)?;
    tape::parse_tape(body).map_err(|fast| match parse(bytes) {
        Err(located) => located,
        // The two readers agree on what is acceptable (tested); should they ever not, the
        // document is still refused, with the fast reader's reason.
        Ok(_) => JsonError {
            code: Code::JsonParse,
            pointer: String::new(),
            line: fast.line(),
            column: fast.column(),
            message: strip_position_suffix(&fast.to_string()),
        },
    })
}

/// Parses newline-delimited JSON: one result per non-blank line, with its 1-based line number.
pub fn parse_ndjson(bytes: &[u8]) -> Vec<(usize, Result<Value, JsonError>)> {
    let body = match strip_bom(bytes) {
        Ok(b) => b,
        Err(e) => return vec![(1, Err(e))],
    };
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.iter().any(|b| !b.is_ascii_whitespace()))
        .map(|(i, line)| {
            let parsed = parse(line).map_err(|mut e| {
                e.line = i + 1;
                e
            });
            (i + 1, parsed)
        })
        .collect()
}

fn strip_position_suffix(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

struct StrictSeed<'a> {
    path: &'a RefCell<Vec<String>>,
    dup: &'a RefCell<bool>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
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

    // The error pointer is recorded only when an error unwinds through a container: each
    // frame adds its own key or index on the way out (innermost first), so the happy path
    // allocates nothing for it.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut out = Vec::new();
        loop {
            match seq.next_element_seed(self.child()) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => {
                    self.path.borrow_mut().push(out.len().to_string());
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => slot,
                serde_json::map::Entry::Occupied(taken) => {
                    *self.dup.borrow_mut() = true;
                    let key = taken.key().clone();
                    let message = format!(
                        "duplicate key {key:?} (rejected: neither first nor last value wins)"
                    );
                    self.path.borrow_mut().push(key);
                    return Err(de::Error::custom(message));
                }
            };
            match map.next_value_seed(self.child()) {
                Ok(value) => {
                    slot.insert(value);
                }
                Err(e) => {
                    self.path.borrow_mut().push(slot.key().clone());
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

impl StrictSeed<'_> {
    fn child(&self) -> Self {
        StrictSeed {
            path: self.path,
            dup: self.dup,
            depth: self.depth + 1,
        }
    }

    fn check_depth<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            Err(E::custom(format!("nesting deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(())
        }
    }
}

/// The JSON type name of a value, for messages ("a string", "an object", …).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads `value` at an RFC 6901 pointer (a thin, documented alias of serde_json's).
pub fn at<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_json_and_bom() {
        assert_eq!(parse(b"{\"a\":[1,2]}").unwrap()["a"][1], 2);
        assert_eq!(parse(b"\xEF\xBB\xBF{\"a\":1}").unwrap()["a"], 1);
    }

    #[test]
    fn duplicate_key_is_its_own_code_with_pointer() {
        let e = parse(b"{\"a\":{\"b\":1,\n\"b\":2}}").unwrap_err();
        assert_eq!(e.code, Code::JsonDuplicateKey);
        assert_eq!(e.pointer, "/a/b");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn syntax_error_has_line_column_and_pointer() {
        let e = parse(b"{\"a\": [1,\n 2,, 3]}").unwrap_err();
        assert_eq!(e.code, Code::JsonParse);
        assert_eq!(e.pointer, "/a/2");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn depth_is_bounded_at_128() {
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let e = parse(deep.as_bytes()).unwrap_err();
        assert_eq!(e.code, Code::JsonParse);
        let hostile = "[".repeat(100_000);
        assert_eq!(parse(hostile.as_bytes()).unwrap_err().code, Code::JsonParse);
    }

    #[test]
    fn utf16_and_invalid_utf8_are_parse_errors() {
        assert_eq!(
            parse(b"\xFF\xFE{\x00}\x00").unwrap_err().code,
            Code::JsonParse
        );
        assert_eq!(
            parse(b"{\"a\":\"\xC3\x28\"}").unwrap_err().code,
            Code::JsonParse
        );
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        assert_eq!(parse(b"{} {}").unwrap_err().code, Code::JsonParse);
    }

    #[test]
    fn ndjson_reports_bad_lines_by_number() {
        let out = parse_ndjson(b"{\"a\":1}\n\n{bad}\n{\"b\":2}\n");
        assert_eq!(out.len(), 3);
        assert!(out[0].1.is_ok());
        assert_eq!(out[1].0, 3);
        assert_eq!(out[1].1.as_ref().unwrap_err().line, 3);
        assert!(out[2].1.is_ok());
    }
}
