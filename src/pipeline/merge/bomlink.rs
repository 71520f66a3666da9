//! CycloneDX BOM-Links across documents (`urn:cdx:<serial>/<version>#<bom-ref>`).
//!
//! The CycloneDX VEX reader resolves links into its own document and leaves links into other
//! BOMs verbatim. Once every file is collected, each such target is resolved against every
//! CycloneDX document of the bundle with [`resolve_bom_links`]: the target becomes the linked
//! component's purl (or stays the link when that component has none). A link that resolves
//! nowhere keeps its target as given and is `ERR_VEX_PRODUCT_UNRESOLVED`:
//! - an **error** when the linked BOM is in the bundle but holds no such `bom-ref`;
//! - a **warning** when the linked BOM is not in the bundle at all: the VEX document is valid,
//!   the evidence is only incomplete (a VEX published apart from its SBOM is common).

use crate::bundle::Bundle;
use crate::diag::{Code, Diagnostic, Severity};
use crate::pipeline::collect::{CollectedFile, Content, FileKind, FileStatus};
use crate::vex::cyclonedx::{is_linked_bom, parse_bom_link, resolve_bom_links, BomLink};
use crate::vex::VexFormat;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

/// A statement whose target is a link into another document.
struct Pending {
    /// Indices of the file, the document in it and the statement in that.
    at: (usize, usize, usize),
    link: String,
    parsed: BomLink,
    /// Pointer of the statement's `ref` inside its file.
    pointer: String,
}

/// What the bundle's BOMs say about one pending link.
#[derive(Default)]
struct Outcome {
    /// Targets it resolves to (several BOMs answering differently is pathological; the
    /// smallest keeps the result order-free).
    targets: BTreeSet<String>,
    /// Whether the linked BOM (serial number and version) is in the bundle at all.
    bom_present: bool,
}

/// Resolves cross-document BOM-Links in place and reports the ones that resolve nowhere.
pub fn resolve_cross_links(files: &mut [CollectedFile], bundle: &Bundle) {
    let pending = pending_links(files);
    if pending.is_empty() {
        return;
    }
    let boms = cyclonedx_values(files, bundle);
    let outcomes = outcomes(&pending, &boms);
    for (p, outcome) in pending.iter().zip(outcomes) {
        let (fi, di, si) = p.at;
        let file = &mut files[fi];
        match outcome.targets.into_iter().next() {
            Some(target) => {
                if let Content::Vex(vex) = &mut file.documents[di].content {
                    if let Some(s) = vex.statements.get_mut(si) {
                        s.target = target;
                    }
                }
            }
            None => {
                let diagnostic = unresolved(p, &file.path, outcome.bom_present);
                if diagnostic.severity == Severity::Error {
                    file.status = FileStatus::Failed;
                }
                file.diagnostics.push(diagnostic);
            }
        }
    }
}

/// Resolves every pending link against every BOM, indexing each BOM once.
fn outcomes(pending: &[Pending], boms: &[Value]) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = pending.iter().map(|_| Outcome::default()).collect();
    for bom in boms {
        let linked: Vec<usize> = (0..pending.len())
            .filter(|&i| is_linked_bom(&pending[i].parsed, bom))
            .collect();
        if linked.is_empty() {
            continue;
        }
        let links = linked.iter().map(|&i| pending[i].link.as_str());
        for (&i, target) in linked.iter().zip(resolve_bom_links(links, bom)) {
            out[i].bom_present = true;
            out[i].targets.extend(target);
        }
    }
    out
}

/// CycloneDX VEX statements targeting a BOM-Link the reader did not already report.
fn pending_links(files: &[CollectedFile]) -> Vec<Pending> {
    let mut out = Vec::new();
    for (fi, file) in files.iter().enumerate() {
        let reported: HashSet<&str> = file
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::VexProductUnresolved)
            .map(|d| d.pointer.as_str())
            .collect();
        for (di, doc) in file.documents.iter().enumerate() {
            let Content::Vex(vex) = &doc.content else {
                continue;
            };
            if vex.format != VexFormat::CycloneDx {
                continue;
            }
            for (si, s) in vex.statements.iter().enumerate() {
                let Some(parsed) = parse_bom_link(&s.target) else {
                    continue;
                };
                let pointer = format!("{}{}/ref", doc.pointer, s.pointer);
                if !reported.contains(pointer.as_str()) {
                    out.push(Pending {
                        at: (fi, di, si),
                        link: s.target.clone(),
                        parsed,
                        pointer,
                    });
                }
            }
        }
    }
    out
}

/// The JSON of every CycloneDX document in the bundle (files and carried predicates). Files
/// whose bytes were released are read again from the source, all in one pass.
fn cyclonedx_values(files: &[CollectedFile], bundle: &Bundle) -> Vec<Value> {
    let is_cyclonedx =
        |f: &&CollectedFile| f.documents.iter().any(|d| d.kind == FileKind::Cyclonedx);
    let bytes = bundle.get_many(files.iter().filter(is_cyclonedx).map(|f| f.path.as_str()));
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
            let raw = bytes
                .get(file.path.as_str())
                .map(|b| &**b)
                .unwrap_or_default();
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

/// `ERR_VEX_PRODUCT_UNRESOLVED` for a link that resolves nowhere (see the module docs).
fn unresolved(p: &Pending, path: &str, bom_present: bool) -> Diagnostic {
    let link = p.link.as_str();
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
    Diagnostic::new(Code::VexProductUnresolved, path, message)
        .at(p.pointer.clone())
        .with_severity(severity)
}
