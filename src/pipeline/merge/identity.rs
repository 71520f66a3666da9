//! Content-derived ids of the VEX nodes (SPEC §2 step 5): never from paths or load order.
//!
//! A VEX document is identified by its *VEX digest*: SHA-256 of the JCS form of what the
//! readers understood — format, document id, issuer, role, timestamp and the set of statements
//! (sorted, so statement order inside the file does not matter). Timestamps are part of it:
//! for VEX they decide conflicts, unlike the volatile fields of step 3. A CycloneDX
//! `serialNumber` is left out, as in step 3.

use crate::graph::NodeId;
use crate::json::jcs::{canonical_string, sha256_hex};
use crate::vex::statement::format_timestamp;
use crate::vex::{VexDocument, VexFormat, VexStatement};
use serde_json::{json, Value};

/// What a statement says, without where it was written: vulnerability (and aliases), target,
/// status, the three texts and the timestamp.
pub fn statement_content(s: &VexStatement) -> Value {
    let mut aliases = s.aliases.clone();
    aliases.sort();
    aliases.dedup();
    json!({
        "vulnerability": s.vulnerability,
        "aliases": aliases,
        "target": s.target,
        "status": s.status.as_str(),
        "justification": s.justification,
        "impact": s.impact,
        "action": s.action,
        "timestamp": s.timestamp.as_ref().map(format_timestamp),
    })
}

/// Hex SHA-256 identifying a VEX document's content (see the module docs).
pub fn document_digest(doc: &VexDocument) -> String {
    let mut statements: Vec<Value> = doc.statements.iter().map(statement_content).collect();
    statements.sort_by_cached_key(canonical_string);
    statements.dedup();
    let id = match doc.format {
        VexFormat::CycloneDx => None,
        _ => doc.id.as_deref(),
    };
    sha256_hex(&json!({
        "format": doc.format.as_str(),
        "id": id,
        "issuer": doc.issuer,
        "issuerNamespace": doc.issuer_namespace,
        "issuerRole": doc.issuer_role,
        "timestamp": doc.timestamp.as_ref().map(format_timestamp),
        "statements": statements,
    }))
}

/// The `vex-document` node id. Wrapped so that it never equals the `sbom` node of the same
/// CycloneDX file (whose id is the file's normalised digest).
pub fn document_id(document_digest: &str) -> NodeId {
    NodeId::of(&json!({"vexDocument": format!("sha256:{document_digest}")}))
}

/// The `vex-statement` node id: SHA-256 of the JCS form of the statement's content and the
/// digest of the document that makes it.
pub fn statement_id(document_digest: &str, s: &VexStatement) -> NodeId {
    NodeId::of(&json!({
        "document": format!("sha256:{document_digest}"),
        "statement": statement_content(s),
    }))
}

/// The `vulnerability` node id of one vulnerability id (ids compare case-insensitively).
pub fn vulnerability_id(id: &str) -> NodeId {
    NodeId::of(&json!({"vulnerability": id.trim().to_lowercase()}))
}

/// The `verdict` node id of a (vulnerability group, target).
pub fn verdict_id(group: &str, target: &str) -> NodeId {
    NodeId::of(&json!({"verdict": {"vulnerability": group, "target": target}}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vex::Status;

    fn statement(vulnerability: &str, target: &str) -> VexStatement {
        VexStatement {
            vulnerability: vulnerability.into(),
            aliases: vec![],
            target: target.into(),
            product_ref: target.into(),
            status: Status::Affected,
            raw_status: None,
            justification: None,
            impact: None,
            action: None,
            timestamp: None,
            pointer: "/statements/0".into(),
        }
    }

    fn document(statements: Vec<VexStatement>) -> VexDocument {
        VexDocument {
            format: VexFormat::OpenVex,
            id: Some("doc".into()),
            issuer: Some("Acme".into()),
            issuer_namespace: None,
            issuer_role: None,
            self_declared: None,
            timestamp: None,
            statements,
        }
    }

    #[test]
    fn statement_order_and_pointers_do_not_change_the_document_digest() {
        let a = statement("CVE-1", "pkg:npm/a@1");
        let mut b = statement("CVE-2", "pkg:npm/b@1");
        let one = document_digest(&document(vec![a.clone(), b.clone()]));
        b.pointer = "/statements/7".into();
        assert_eq!(one, document_digest(&document(vec![b.clone(), a.clone()])));
        b.status = Status::Fixed;
        assert_ne!(one, document_digest(&document(vec![a, b])));
    }

    #[test]
    fn ids_of_different_kinds_never_meet() {
        let digest = "ab".repeat(32);
        let s = statement("CVE-1", "pkg:npm/a@1");
        let ids = [
            document_id(&digest),
            NodeId::from_digest_hex(&digest),
            statement_id(&digest, &s),
            vulnerability_id("CVE-1"),
            verdict_id("CVE-1", "pkg:npm/a@1"),
        ];
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert_eq!(vulnerability_id("cve-1"), vulnerability_id("CVE-1"));
    }
}
