//! Audit-pack profile detection (SPEC §5) from the bundle's root `manifest.json` only:
//! 1. `spec_version` equal to `"1.0"` → `portable-v1`;
//! 2. else `manifestVersion` present → `legacy`;
//! 3. else, or without a manifest → `unknown`, which fails closed with
//!    `ERR_MANIFEST_PROFILE_UNKNOWN`.
//!
//! A portable manifest that also has `manifestVersion` stays portable: the legacy field is
//! reported in a note, never reinterpreted.

use super::report::Profile;
use crate::bundle::Bundle;
use crate::json;
use serde_json::Value;

/// The manifest's bundle-relative path. Manifests deeper in the bundle are not profiles.
pub const MANIFEST_PATH: &str = "manifest.json";
/// The `spec_version` of the portable audit-pack profile.
pub const PORTABLE_SPEC_VERSION: &str = "1.0";

/// The detected profile and what it was detected from.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub profile: Profile,
    /// The parsed root manifest, when there is one that parses.
    pub manifest: Option<Value>,
    /// Why the profile is what it is (the message of a failing `profile` check).
    pub reason: String,
    /// Remarks that are not failures.
    pub notes: Vec<String>,
}

/// Detects the profile of a loaded bundle.
pub fn detect(bundle: &Bundle) -> Detection {
    let Some(bytes) = bundle.get(MANIFEST_PATH) else {
        return unknown(None, "the bundle has no root manifest.json".into());
    };
    match json::parse(&bytes) {
        Ok(manifest) => detect_value(manifest),
        Err(e) => unknown(
            None,
            format!(
                "manifest.json is not valid JSON ({}: {}); its profile cannot be told",
                e.code, e.message
            ),
        ),
    }
}

/// Detects the profile of a parsed manifest.
pub fn detect_value(manifest: Value) -> Detection {
    let spec_version = manifest.get("spec_version");
    let legacy_version = manifest.get("manifestVersion");
    if spec_version.and_then(Value::as_str) == Some(PORTABLE_SPEC_VERSION) {
        let notes = legacy_version
            .map(|v| {
                format!(
                    "manifest.json also has manifestVersion {v}: reported, not interpreted \
                     (spec_version \"1.0\" selects portable-v1)"
                )
            })
            .into_iter()
            .collect();
        return Detection {
            profile: Profile::PortableV1,
            manifest: Some(manifest),
            reason: "spec_version is \"1.0\"".into(),
            notes,
        };
    }
    if legacy_version.is_some() {
        return Detection {
            profile: Profile::Legacy,
            manifest: Some(manifest),
            reason: "manifestVersion is present".into(),
            notes: Vec::new(),
        };
    }
    let reason = match spec_version {
        Some(v) => format!(
            "manifest.json has spec_version {v}, not \"1.0\", and no manifestVersion: \
             unknown profile, failing closed"
        ),
        None => "manifest.json has neither spec_version nor manifestVersion: unknown profile, \
                 failing closed"
            .into(),
    };
    unknown(Some(manifest), reason)
}

fn unknown(manifest: Option<Value>, reason: String) -> Detection {
    Detection {
        profile: Profile::Unknown,
        manifest,
        reason,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile(v: Value) -> Profile {
        detect_value(v).profile
    }

    #[test]
    fn precedence_of_the_markers() {
        assert_eq!(profile(json!({"spec_version": "1.0"})), Profile::PortableV1);
        assert_eq!(profile(json!({"manifestVersion": 1})), Profile::Legacy);
        assert_eq!(profile(json!({"spec_version": "2.0"})), Profile::Unknown);
        assert_eq!(profile(json!({"spec_version": 1.0})), Profile::Unknown);
        assert_eq!(profile(json!({"name": "x"})), Profile::Unknown);
        assert_eq!(profile(json!([])), Profile::Unknown);
        // Rule 2 applies whenever rule 1 does not, whatever spec_version says.
        assert_eq!(
            profile(json!({"spec_version": "2.0", "manifestVersion": "1"})),
            Profile::Legacy
        );
    }

    #[test]
    fn a_portable_manifest_with_a_legacy_field_stays_portable_and_says_so() {
        let d = detect_value(json!({"spec_version": "1.0", "manifestVersion": "3"}));
        assert_eq!(d.profile, Profile::PortableV1);
        assert_eq!(d.notes.len(), 1);
        assert!(
            d.notes[0].contains("manifestVersion \"3\""),
            "{}",
            d.notes[0]
        );
    }

    #[test]
    fn the_reason_names_what_was_found() {
        assert!(detect_value(json!({"spec_version": "2.0"}))
            .reason
            .contains("spec_version \"2.0\""));
        assert!(detect_value(json!({})).reason.contains("neither"));
    }
}
