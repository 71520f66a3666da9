//! Typed reads of JSON fields that report what is wrong, by pointer, instead of failing.

use crate::diag::{pointer_join, Code, Diagnostic, Severity};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::statement::parse_timestamp;

/// Collects diagnostics for one document (the `file` is left empty for the caller).
#[derive(Debug, Default)]
pub(crate) struct Diags(pub Vec<Diagnostic>);

impl Diags {
    pub fn push(&mut self, code: Code, pointer: &str, message: impl Into<String>) {
        self.0.push(Diagnostic::new(code, "", message).at(pointer));
    }

    pub fn push_with(&mut self, code: Code, severity: Severity, pointer: &str, message: String) {
        self.0.push(
            Diagnostic::new(code, "", message)
                .at(pointer)
                .with_severity(severity),
        );
    }

    pub fn schema(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Code::DocSchema, pointer, message);
    }

    /// The members of a statement-level `value` (a `what` such as "statement"), or `None` with
    /// `ERR_VEX_STATEMENT` "… is not an object; skipped": the other statements still merge.
    pub fn statement_object<'v>(
        &mut self,
        value: &'v Value,
        base: &str,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        let members = value.as_object();
        if members.is_none() {
            let message = format!("{what} is not an object; skipped");
            self.push(Code::VexStatement, base, message);
        }
        members
    }
}

/// Whether a field must be present (and, for strings, non-empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Optional,
    Required,
    /// Required and, being a string, at least one character (JSON Schema `minLength: 1`).
    NonEmpty,
}

/// A string field. Missing-but-required, mistyped and empty-but-`NonEmpty` are `ERR_DOC_SCHEMA`.
pub(crate) fn string<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    base: &str,
    need: Need,
    diags: &mut Diags,
) -> Option<&'a str> {
    let pointer = pointer_join(base, key);
    match map.get(key) {
        None if need == Need::Optional => None,
        None => {
            diags.schema(&pointer, format!("required field `{key}` is missing"));
            None
        }
        Some(Value::String(s)) if need == Need::NonEmpty && s.trim().is_empty() => {
            diags.schema(&pointer, format!("`{key}` must not be empty"));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            diags.schema(&pointer, format!("`{key}` must be a string"));
            None
        }
    }
}

/// An object field, reported like [`string`].
pub(crate) fn object<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    base: &str,
    need: Need,
    diags: &mut Diags,
) -> Option<&'a Map<String, Value>> {
    match map.get(key) {
        None if need == Need::Optional => None,
        None => {
            let message = format!("required field `{key}` is missing");
            diags.schema(&pointer_join(base, key), message);
            None
        }
        Some(Value::Object(o)) => Some(o),
        Some(_) => {
            let message = format!("`{key}` must be an object");
            diags.schema(&pointer_join(base, key), message);
            None
        }
    }
}

/// An array field, reported like [`string`]; `NonEmpty` also rejects `[]` (`minItems: 1`).
pub(crate) fn array<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    base: &str,
    need: Need,
    diags: &mut Diags,
) -> Option<&'a Vec<Value>> {
    let pointer = pointer_join(base, key);
    match map.get(key) {
        None if need == Need::Optional => None,
        None => {
            diags.schema(&pointer, format!("required field `{key}` is missing"));
            None
        }
        Some(Value::Array(a)) if need == Need::NonEmpty && a.is_empty() => {
            diags.schema(&pointer, format!("`{key}` must not be empty"));
            Some(a)
        }
        Some(Value::Array(a)) => Some(a),
        Some(_) => {
            diags.schema(&pointer, format!("`{key}` must be an array"));
            None
        }
    }
}

/// An RFC 3339 date-time field; present but unparsable is `ERR_DOC_SCHEMA`.
pub(crate) fn timestamp(
    map: &Map<String, Value>,
    key: &str,
    base: &str,
    need: Need,
    diags: &mut Diags,
) -> Option<DateTime<Utc>> {
    let text = string(map, key, base, need, diags)?;
    let parsed = parse_timestamp(text);
    if parsed.is_none() {
        let message = format!("`{key}` is not an RFC 3339 date-time: {text:?}");
        diags.schema(&pointer_join(base, key), message);
    }
    parsed
}

/// Reports every key of `map` that is not in `allowed` (JSON Schema `additionalProperties: false`).
pub(crate) fn no_extra_keys(
    map: &Map<String, Value>,
    allowed: &[&str],
    base: &str,
    what: &str,
    diags: &mut Diags,
) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let message = format!("`{key}` is not a field of {what}");
        diags.schema(&pointer_join(base, key), message);
    }
}

/// A non-empty, trimmed string value, or `None`.
pub(crate) fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
