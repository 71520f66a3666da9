//! Field-by-field shape checks for manifests and export records: each missing or mistyped field
//! becomes one diagnostic with its JSON pointer and the reader's code.

use crate::diag::{Code, Diagnostic};
use crate::json::type_name;
use serde_json::{Map, Value};

/// Reads required and optional fields of one JSON document, collecting problems.
#[derive(Debug)]
pub struct SchemaReader<'a> {
    root: &'a Value,
    code: Code,
    file: String,
    /// Problems found so far, in the order found.
    pub problems: Vec<Diagnostic>,
}

impl<'a> SchemaReader<'a> {
    /// A reader reporting problems in `file` with `code`.
    pub fn new(root: &'a Value, code: Code, file: &str) -> Self {
        SchemaReader {
            root,
            code,
            file: file.to_string(),
            problems: Vec::new(),
        }
    }

    /// Records a problem at `pointer`.
    pub fn report(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems
            .push(Diagnostic::new(self.code, &self.file, message).at(pointer));
    }

    /// A required value; reports it when missing or `null`.
    pub fn required(&mut self, pointer: &str) -> Option<&'a Value> {
        match self.root.pointer(pointer) {
            None | Some(Value::Null) => {
                self.report(
                    pointer,
                    format!("required field `{}` is missing", dotted(pointer)),
                );
                None
            }
            found => found,
        }
    }

    /// A required non-empty string.
    pub fn string(&mut self, pointer: &str) -> Option<&'a str> {
        let v = self.required(pointer)?;
        self.as_string(pointer, v)
    }

    /// An optional string: `None` when absent, reported when present with another type.
    pub fn optional_string(&mut self, pointer: &str) -> Option<&'a str> {
        match self.root.pointer(pointer) {
            None | Some(Value::Null) => None,
            Some(v) => self.as_string(pointer, v),
        }
    }

    fn as_string(&mut self, pointer: &str, v: &'a Value) -> Option<&'a str> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            Value::String(_) => {
                self.report(pointer, format!("`{}` is empty", dotted(pointer)));
                None
            }
            other => {
                self.mistyped(pointer, "a string", other);
                None
            }
        }
    }

    /// A required RFC 3339 date-time string.
    pub fn timestamp(&mut self, pointer: &str) -> Option<&'a str> {
        let s = self.string(pointer)?;
        self.check_timestamp(pointer, s)
    }

    /// Checks that `s` is an RFC 3339 date-time.
    pub fn check_timestamp(&mut self, pointer: &str, s: &'a str) -> Option<&'a str> {
        if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
            Some(s)
        } else {
            self.report(
                pointer,
                format!("`{}` is not an RFC 3339 date-time: {s:?}", dotted(pointer)),
            );
            None
        }
    }

    /// A required 64-character lowercase hex digest without prefix.
    pub fn hex64(&mut self, pointer: &str) -> Option<&'a str> {
        let s = self.string(pointer)?;
        if is_hex64_lower(s) {
            Some(s)
        } else {
            self.report(
                pointer,
                format!(
                    "`{}` must be 64 lowercase hex digits without prefix, found {s:?}",
                    dotted(pointer)
                ),
            );
            None
        }
    }

    /// A required object.
    pub fn object(&mut self, pointer: &str) -> Option<&'a Map<String, Value>> {
        match self.required(pointer)? {
            Value::Object(m) => Some(m),
            other => {
                self.mistyped(pointer, "an object", other);
                None
            }
        }
    }

    /// A required array.
    pub fn array(&mut self, pointer: &str) -> Option<&'a Vec<Value>> {
        match self.required(pointer)? {
            Value::Array(items) => Some(items),
            other => {
                self.mistyped(pointer, "an array", other);
                None
            }
        }
    }

    /// A required non-negative integer.
    pub fn size(&mut self, pointer: &str) -> Option<u64> {
        let v = self.required(pointer)?;
        let n = v.as_u64();
        if n.is_none() {
            self.mistyped(pointer, "a non-negative integer", v);
        }
        n
    }

    fn mistyped(&mut self, pointer: &str, expected: &str, found: &Value) {
        self.report(
            pointer,
            format!(
                "`{}` must be {expected}, found {}",
                dotted(pointer),
                type_name(found)
            ),
        );
    }

    /// Whether nothing was reported.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// For each path that equals an earlier one once case is folded: its position and the earlier
/// path. A manifest listing `a.json` and `A.json` (or `a.json` twice) vouches for two files that
/// a case-insensitive file system holds as one, so one entry could shadow the other.
pub fn case_duplicates<'a>(
    paths: impl IntoIterator<Item = &'a str>,
) -> Vec<(usize, &'a str, &'a str)> {
    let mut seen: std::collections::HashMap<String, &'a str> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (i, path) in paths.into_iter().enumerate() {
        match seen.entry(path.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(first) => out.push((i, path, *first.get())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(path);
            }
        }
    }
    out
}

/// `/rekor/tile_refs/0` → `rekor.tile_refs[0]`, for messages (`~1` and `~0` unescaped).
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if token.contains(['.', '/']) {
            out.push_str(&format!("[{token:?}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// 64 lowercase hex digits.
pub fn is_hex64_lower(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn problems_carry_pointer_code_and_readable_field_names() {
        let doc = json!({"a": {"b": 1, "h": "ABC"}, "files": {"x.json": {}}});
        let mut r = SchemaReader::new(&doc, Code::ManifestSchema, "manifest.json");
        assert_eq!(r.string("/a/b"), None);
        assert_eq!(r.hex64("/a/h"), None);
        assert_eq!(r.object("/missing"), None);
        assert_eq!(r.size("/files/x.json/size"), None);
        let messages: Vec<&str> = r.problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`a.b` must be a string, found a number",
                "`a.h` must be 64 lowercase hex digits without prefix, found \"ABC\"",
                "required field `missing` is missing",
                "required field `files[\"x.json\"].size` is missing",
            ]
        );
        assert!(r.problems.iter().all(|d| d.code == Code::ManifestSchema));
        assert_eq!(r.problems[0].pointer, "/a/b");
    }

    #[test]
    fn case_duplicates_fold_case_and_keep_the_first() {
        let paths = ["a.json", "b/C.json", "A.JSON", "b/c.json", "d", "a.json"];
        assert_eq!(
            case_duplicates(paths),
            [
                (2, "A.JSON", "a.json"),
                (3, "b/c.json", "b/C.json"),
                (5, "a.json", "a.json")
            ]
        );
        assert!(case_duplicates(["x", "y"]).is_empty());
    }

    #[test]
    fn hex64_is_lowercase_only() {
        assert!(is_hex64_lower(&"ab".repeat(32)));
        assert!(!is_hex64_lower(&"AB".repeat(32)));
        assert!(!is_hex64_lower(&format!("sha256:{}", "ab".repeat(32))));
    }
}
