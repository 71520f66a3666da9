//! A node's fields, held as one canonical (JCS) JSON object text instead of a tree of values:
//! a million-node graph then costs one allocation per node's fields, equal fields compare as
//! bytes, and the root digest writes them as they are.

use super::text::Text;
use crate::json::jcs::{write_canonical, write_string, Verbatim};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The kind-specific fields of a node: a JSON object in RFC 8785 form.
#[derive(Clone, PartialEq, Eq)]
pub struct Fields(Text);

impl Default for Fields {
    fn default() -> Self {
        Fields("{}".into())
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<BTreeMap<String, Value>> for Fields {
    fn from(map: BTreeMap<String, Value>) -> Self {
        Fields::from_object(map.into_iter().collect())
    }
}

impl Fields {
    /// The fields of a JSON object's members.
    pub fn from_object(map: Map<String, Value>) -> Self {
        let mut out = Vec::new();
        write_canonical(&Value::Object(map), &mut Verbatim, &mut out);
        Fields(String::from_utf8(out).unwrap_or_default().into())
    }

    /// Fields already written in canonical form (by a [`FieldsWriter`], then copied).
    pub fn from_canonical(text: Text) -> Self {
        Fields(text)
    }

    /// The canonical JSON text, `{…}`.
    pub fn as_json(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        &*self.0 == "{}"
    }

    /// The fields as a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }

    /// `(key, canonical value text)` of every member, in key order.
    pub fn members(&self) -> Members<'_> {
        Members {
            rest: self.0.strip_prefix('{').unwrap_or(""),
        }
    }

    /// The text of one member's value, if present.
    pub fn get_raw(&self, key: &str) -> Option<&str> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// A string field, if present (unescaped only when it holds an escape).
    pub fn get_str(&self, key: &str) -> Option<Cow<'_, str>> {
        let raw = self.get_raw(key)?;
        let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
        if inner.contains('\\') {
            serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(inner))
        }
    }

    /// Merges `other` in, order-independently: equal fields stay as they are; otherwise each
    /// key is merged by [`super::builder::merge_values`].
    pub fn merge(&mut self, other: &Fields) {
        if self == other || other.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = other.clone();
            return;
        }
        let mut mine = self.to_map();
        for (k, v) in other.to_map() {
            let merged = match mine.get(&k) {
                Some(old) => super::builder::merge_values(old, &v),
                None => v,
            };
            mine.insert(k, merged);
        }
        *self = Fields::from_object(mine);
    }
}

/// The members of a canonical object text, split at its top-level commas.
pub struct Members<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.rest;
        let bytes = text.as_bytes();
        if bytes.first() != Some(&b'"') {
            return None;
        }
        let key_end = string_end(bytes, 0)?;
        let value_start = key_end + 2; // past `":`
        let mut depth = 0usize;
        let mut i = value_start;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => i = string_end(bytes, i)?,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b'}' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let member = (&text[1..key_end], text.get(value_start..i)?);
        self.rest = text.get(i + 1..).unwrap_or("");
        Some(member)
    }
}

/// The index of the closing quote of the string opening at `start` (found a word at a time:
/// the root digest walks the fields of a million nodes).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        let found = i + memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[found] == b'"' {
            return Some(found);
        }
        i = found + 2;
    }
}

/// Writes fields straight into canonical text, without building values. Members must be given
/// in JCS key order (every key here is ASCII, so byte order).
#[derive(Default)]
pub struct FieldsWriter {
    out: Vec<u8>,
    last_key: &'static str,
}

impl FieldsWriter {
    pub fn new() -> Self {
        FieldsWriter {
            out: b"{".to_vec(),
            last_key: "",
        }
    }

    fn key(&mut self, key: &'static str) {
        debug_assert!(self.last_key < key, "keys out of order: {key}");
        self.last_key = key;
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        write_string(key, &mut self.out);
        self.out.push(b':');
    }

    /// A string member.
    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.key(key);
        write_string(value, &mut self.out);
        self
    }

    /// A string member when present; nothing when absent.
    pub fn opt_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// A string member, `null` when absent.
    pub fn str_or_null(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.str(key, value),
            None => {
                self.key(key);
                self.out.extend_from_slice(b"null");
                self
            }
        }
    }

    /// An array of strings, as given (callers sort when order is not meaningful).
    pub fn strs<S: AsRef<str>>(&mut self, key: &'static str, values: &[S]) -> &mut Self {
        self.key(key);
        self.out.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_string(v.as_ref(), &mut self.out);
        }
        self.out.push(b']');
        self
    }

    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    pub fn finish(&mut self) -> Fields {
        self.finish_bytes();
        let text = String::from_utf8(std::mem::take(&mut self.out)).unwrap_or_default();
        Fields(text.into())
    }

    /// Closes the object and returns its text, leaving the writer ready for the next one.
    pub fn finish_bytes(&mut self) -> &[u8] {
        self.out.push(b'}');
        &self.out
    }

    /// Starts a new object, reusing the buffer.
    pub fn restart(&mut self) -> &mut Self {
        self.out.clear();
        self.out.push(b'{');
        self.last_key = "";
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(v: Value) -> Fields {
        match v {
            Value::Object(m) => Fields::from_object(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn members_split_at_top_level_commas_only() {
        let f = of(json!({"a": [1, {"x": "y,}"}], "b": "q\"uo,te", "c": null, "d": {"e": [2]}}));
        let members: Vec<_> = f.members().collect();
        assert_eq!(
            members,
            [
                ("a", r#"[1,{"x":"y,}"}]"#),
                ("b", r#""q\"uo,te""#),
                ("c", "null"),
                ("d", r#"{"e":[2]}"#)
            ]
        );
        assert_eq!(f.get_str("b").as_deref(), Some("q\"uo,te"));
        assert_eq!(f.get_str("c"), None);
        assert_eq!(Fields::default().members().count(), 0);
    }

    #[test]
    fn writer_matches_canonical_form_of_the_same_object() {
        let written = FieldsWriter::new()
            .str_or_null("group", None)
            .strs("hashes", &["sha256:ab"])
            .strs::<&str>("licenses", &[])
            .str("name", "zlib \u{1}")
            .bool("x", true)
            .finish();
        let expected = of(json!({
            "group": null, "hashes": ["sha256:ab"], "licenses": [], "name": "zlib \u{1}", "x": true
        }));
        assert_eq!(written, expected);
        assert_eq!(
            Value::Object(written.to_map()),
            json!({"group": null, "hashes": ["sha256:ab"], "licenses": [], "name": "zlib \u{1}", "x": true})
        );
    }

    #[test]
    fn merge_unites_arrays_and_keeps_the_smaller_scalar_in_any_order() {
        let a = of(json!({"h": ["2"], "s": "b", "n": null}));
        let b = of(json!({"h": ["1", "2"], "s": "a", "n": "x", "only": true}));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(
            Value::Object(ab.to_map()),
            json!({"h": ["1", "2"], "s": "a", "n": "x", "only": true})
        );
    }
}
