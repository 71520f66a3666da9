//! VEX: reading OpenVEX, CycloneDX VEX and CSAF 2.0 documents into one statement model, and
//! resolving competing statements with the source-precedence lattice (SPEC §3).
//!
//! Everything here is a pure function over already-parsed [`serde_json::Value`]s; bundles,
//! graph and UI are the callers' business. Parsers return `(Option<VexDocument>, diagnostics)`
//! with an empty diagnostic `file` for the caller to fill in.
//!
//! - [`lattice`]: [`Authority`] and the bounded lattice over it.
//! - [`statement`]: [`Status`] and its mapping tables, [`VexStatement`], [`VexDocument`].
//! - [`openvex`], [`cyclonedx`], [`csaf`]: the three readers.
//! - [`target`]: product-id normalisation (purls, digests).
//! - [`merge`]: resolution per target and vulnerability alias groups.

#![warn(missing_docs)]

pub mod csaf;
pub mod cyclonedx;
mod fields;
pub mod lattice;
pub mod merge;
pub mod openvex;
pub mod statement;
pub mod target;

pub use lattice::{Authority, AuthorityClaim, AuthoritySource, SourcePrecedenceLattice};
pub use merge::{
    group_vulnerabilities, resolve, resolve_all, Candidate, Decision, Rule, TargetDecision,
    VulnerabilityGroups,
};
pub use statement::{Status, VexDocument, VexFormat, VexStatement};

use crate::diag::Diagnostic;
use serde_json::Value;

/// Recognises a VEX document's format from its shape: CycloneDX `bomFormat`, CSAF
/// `document.csaf_version`/`document.category`, OpenVEX `@context` or `statements`.
pub fn detect(value: &Value) -> Option<VexFormat> {
    let root = value.as_object()?;
    if root.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Some(VexFormat::CycloneDx);
    }
    let document = root.get("document").and_then(Value::as_object);
    if document.is_some_and(|d| d.contains_key("csaf_version") || d.contains_key("category")) {
        return Some(VexFormat::Csaf);
    }
    let context = root.get("@context").and_then(Value::as_str).unwrap_or("");
    if context.starts_with("https://openvex.dev/ns")
        || root.get("statements").is_some_and(Value::is_array)
    {
        return Some(VexFormat::OpenVex);
    }
    None
}

/// Reads `value` with the reader for `format`.
pub fn parse(format: VexFormat, value: &Value) -> (Option<VexDocument>, Vec<Diagnostic>) {
    match format {
        VexFormat::OpenVex => openvex::parse(value),
        VexFormat::CycloneDx => cyclonedx::parse(value),
        VexFormat::Csaf => csaf::parse(value),
    }
}
