//! CycloneDX BOM-Links across documents (`urn:cdx:<serial>/<version>#<bom-ref>`).
//!
//! The CycloneDX VEX reader resolves links into its own document and leaves links into other
//! BOMs verbatim. Once every file is collected, each such target is resolved against every
//! CycloneDX document of the bundle with [`resolve_bom_link`]: the target becomes the linked
//! component's purl (or stays the link when that component has none). A link that resolves
//! nowhere keeps its target as given and is `ERR_VEX_PRODUCT_UNRESOLVED`:
//! - an **error** when the linked BOM is in the bundle but holds no such `bom-ref`;
//! - a **warning** when the linked BOM is not in the bundle at all: the VEX document is valid,
//!   the evidence is only incomplete (a VEX published apart from its SBOM is common).

use crate::bundle::BundleFile;
use crate::diag::{Code, Diagnostic, Severity};
use crate::pipeline::collect::{CollectedFile, Content, FileKind, FileStatus};
use crate::vex::cyclonedx::{is_linked_bom, parse_bom_link, resolve_bom_link};
use crate::vex::VexFormat;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// A statement whose target is a link into another document.
struct Pending {
    /// Indices of the file, the document in it and the statement in that.
    at: (usize, usize, usize),
    link: String,
    /// Pointer of the statement's `ref` inside its file.
    pointer: String,
}

/// Resolves cross-document BOM-Links in place and reports the ones that resolve nowhere.
pub fn resolve_cross_links(files: &mut [CollectedFile], bundle_files: &[BundleFile]) {
    let pending = pending_links(files);
    if pending.is_empty() {
        return;
    }
    let boms = cyclonedx_values(files, bundle_files);
    for p in pending {
        let (fi, di, si) = p.at;
        let file = &mut files[fi];
        match resolve_one(&p, &file.path, &boms) {
            Ok(target) => {
                if let Content::Vex(vex) = &mut file.documents[di].content {
                    vex.statements[si].target = target;
                }
            }
            Err(diagnostic) => {
                if diagnostic.severity == Severity::Error {
                    file.status = FileStatus::Failed;
                }
                file.diagnostics.push(diagnostic);
            }
        }
    }
}

/// CycloneDX VEX statements targeting a BOM-Link the reader did not already report.
fn pending_links(files: &[CollectedFile]) -> Vec<Pending> {
    let mut out = Vec::new();
    for (fi, file) in files.iter().enumerate() {
        for (di, doc) in file.documents.iter().enumerate() {
            let Content::Vex(vex) = &doc.content else {
                continue;
            };
            if vex.format != VexFormat::CycloneDx {
                continue;
            }
            for (si, s) in vex.statements.iter().enumerate() {
                if parse_bom_link(&s.target).is_none() {
                    continue;
                }
                let ref_pointer = format!("{}{}/ref", doc.pointer, s.pointer);
                let reported = file
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::VexProductUnresolved && d.pointer == ref_pointer);
                if !reported {
                    out.push(Pending {
                        at: (fi, di, si),
                        link: s.target.clone(),
                        pointer: ref_pointer,
                    });
                }
            }
        }
    }
    out
}

/// The JSON of every CycloneDX document in the bundle (files and carried predicates).
fn cyclonedx_values(files: &[CollectedFile], bundle_files: &[BundleFile]) -> Vec<Value> {
    let bytes: HashMap<&str, &[u8]> = bundle_files
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for file in files {
        for doc in file
            .documents
            .iter()
            .filter(|d| d.kind == FileKind::Cyclonedx)
        {
            if !seen.insert((file.path.as_str(), doc.pointer.as_str())) {
                continue;
            }
            let raw = bytes.get(file.path.as_str()).copied().unwrap_or_default();
            out.extend(document_value(file, &doc.pointer, raw));
        }
    }
    out
}

/// Re-reads one document: the file itself, or the predicate of an envelope's decoded payload.
fn document_value(file: &CollectedFile, pointer: &str, bytes: &[u8]) -> Option<Value> {
    let Some(envelope) = pointer.strip_suffix("/payload/predicate") else {
        let value = crate::json::parse(bytes).ok()?;
        return crate::json::at(&value, pointer).cloned();
    };
    let payload = file.documents.iter().find_map(|d| match &d.content {
        Content::Attestation(att) if d.pointer == envelope => Some(&att.payload),
        _ => None,
    })?;
    let mut statement = crate::json::parse(payload).ok()?;
    Some(statement.get_mut("predicate")?.take())
}

/// The resolved target, or the diagnostic for a link that resolves nowhere.
fn resolve_one(p: &Pending, path: &str, boms: &[Value]) -> Result<String, Diagnostic> {
    let link = p.link.as_str();
    // Several BOMs answering differently is pathological; the smallest keeps it order-free.
    let resolved: BTreeSet<String> = boms
        .iter()
        .filter_map(|b| resolve_bom_link(link, b))
        .collect();
    if let Some(target) = resolved.into_iter().next() {
        return Ok(target);
    }
    let bom_present =
        parse_bom_link(link).is_some_and(|l| boms.iter().any(|b| is_linked_bom(&l, b)));
    let (severity, message) = if bom_present {
        (
            Severity::Error,
            format!(
                "BOM-Link {link:?}: the linked BOM is in the bundle but has no such bom-ref; \
                 kept as given"
            ),
        )
    } else {
        (
            Severity::Warning,
            format!("BOM-Link {link:?} points to a BOM that is not in the bundle; kept as given"),
        )
    };
    Err(Diagnostic::new(Code::VexProductUnresolved, path, message)
        .at(p.pointer.clone())
        .with_severity(severity))
}
