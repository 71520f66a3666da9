//! Step 3 — normalise: each document's *normalised digest*, SHA-256 of its RFC 8785 form after
//! removing volatile fields and normalising URIs and package URLs.

pub mod purl;
pub mod uri;

pub use purl::{has_purl_scheme, normalise_if_purl, normalise_purl};
pub use uri::normalise_uri;

use crate::json::jcs;
use crate::json::tape::J;
use serde_json::Value;
use std::borrow::Cow;

/// Keys removed at any depth: they change from run to run without changing the evidence.
const VOLATILE_KEYS: [&str; 3] = ["timestamp", "created", "modified"];

/// Which volatile-field rules apply to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// CycloneDX: also the top-level `serialNumber` (and `metadata.timestamp`, by the key rule).
    CycloneDx,
    /// SPDX: `creationInfo.created` (by the key rule).
    Spdx,
    /// Any other JSON document.
    Generic,
}

/// The normalised form of a document (a new value; the input is untouched).
pub fn normalised_value(doc: &Value, profile: Profile) -> Value {
    let mut v = doc.clone();
    if profile == Profile::CycloneDx {
        if let Some(obj) = v.as_object_mut() {
            obj.remove("serialNumber");
        }
    }
    normalise_in_place(&mut v);
    v
}

/// Hex SHA-256 of the JCS form of [`normalised_value`], computed in one pass over `doc`: the
/// normalised value is never built, and the canonical bytes go straight into the hash.
pub fn normalised_digest(doc: &Value, profile: Profile) -> String {
    let mut rewrite = Normaliser { profile };
    let mut out = jcs::HashOut::default();
    jcs::write_canonical(doc, &mut rewrite, &mut out);
    out.finish_hex()
}

/// [`normalised_digest`] of a parsed [`Tape`](crate::json::tape::Tape) value.
pub fn normalised_digest_of(doc: J<'_, '_>, profile: Profile) -> String {
    let mut rewrite = Normaliser { profile };
    let mut out = jcs::HashOut::default();
    jcs::write_canonical_tape(doc, &mut rewrite, &mut out);
    out.finish_hex()
}

/// [`normalised_value`]'s rules as a streaming rewrite. (Purls recur within a document and
/// across documents; [`normalise_purl`] remembers them.)
struct Normaliser {
    profile: Profile,
}

impl jcs::Rewrite for Normaliser {
    fn keep(&self, depth: usize, key: &str) -> bool {
        !(VOLATILE_KEYS.contains(&key)
            || depth == 0 && self.profile == Profile::CycloneDx && key == "serialNumber")
    }

    fn string<'s>(&mut self, s: &'s str) -> Cow<'s, str> {
        match normalise_string(s) {
            Some(n) => Cow::Owned(n),
            None => Cow::Borrowed(s),
        }
    }
}

fn normalise_in_place(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !VOLATILE_KEYS.contains(&k.as_str()));
            map.values_mut().for_each(normalise_in_place);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_in_place),
        Value::String(s) => {
            if let Some(n) = normalise_string(s) {
                *s = n;
            }
        }
        _ => {}
    }
}

/// The normalised spelling of a string value if it is a URI or a purl.
pub fn normalise_string(s: &str) -> Option<String> {
    if has_purl_scheme(s) {
        return purl::changed_purl_spelling(s);
    }
    normalise_uri(s).filter(|n| n != s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_fields_and_uri_case_do_not_change_the_digest() {
        let a = json!({"bomFormat": "CycloneDX", "serialNumber": "urn:uuid:1", "metadata": {"timestamp": "2020-01-01T00:00:00Z"},
                       "externalReferences": [{"url": "https://Example.com/x"}], "components": [{"purl": "pkg:NPM/a@1"}]});
        let b = json!({"components": [{"purl": "pkg:npm/a@1"}], "bomFormat": "CycloneDX", "serialNumber": "urn:uuid:2",
                       "metadata": {"timestamp": "2024-01-01T00:00:00Z"}, "externalReferences": [{"url": "https://example.com/x"}]});
        assert_eq!(
            normalised_digest(&a, Profile::CycloneDx),
            normalised_digest(&b, Profile::CycloneDx)
        );
    }

    #[test]
    fn content_changes_do_change_the_digest() {
        let a = json!({"components": [{"version": "1.0"}]});
        let b = json!({"components": [{"version": "1.1"}]});
        assert_ne!(
            normalised_digest(&a, Profile::Generic),
            normalised_digest(&b, Profile::Generic)
        );
    }

    #[test]
    fn streamed_digest_equals_the_digest_of_the_normalised_value() {
        let doc = json!({"serialNumber": "urn:uuid:1", "timestamp": "x",
            "metadata": {"timestamp": "t", "component": {"purl": "pkg:NPM/a@1", "bom-ref": "pkg:NPM/a@1"}},
            "components": [{"purl": "pkg:NPM/a@1", "url": "HTTPS://Example.com", "created": 1,
                            "inner": {"serialNumber": "kept below the top level"}}],
            "dependencies": [{"ref": "pkg:NPM/a@1", "dependsOn": ["pkg:pypi/Foo_Bar@2", "pkg:NPM/a@1"]}]});
        for profile in [Profile::CycloneDx, Profile::Spdx, Profile::Generic] {
            assert_eq!(
                normalised_digest(&doc, profile),
                crate::json::jcs::sha256_hex(&normalised_value(&doc, profile)),
                "{profile:?}"
            );
            let text = doc.to_string();
            let tape = crate::json::tape::parse_tape(text.as_bytes()).unwrap();
            assert_eq!(
                normalised_digest_of(tape.root(), profile),
                normalised_digest(&doc, profile),
                "{profile:?}"
            );
        }
    }

    #[test]
    fn serial_number_is_only_volatile_in_cyclonedx() {
        let a = json!({"serialNumber": "1"});
        let b = json!({"serialNumber": "2"});
        assert_ne!(
            normalised_digest(&a, Profile::Generic),
            normalised_digest(&b, Profile::Generic)
        );
    }
}
