//! Step 5 — emit: turn collected documents into graph nodes and edges. Every id comes from
//! content (normalised digests, purls, subject digests), never from paths or load order.
//! The VEX part (documents, statements, vulnerabilities, verdicts) is in [`vex`].

pub mod vex;

use super::collect::{
    first_indices, Attestation, CollectedFile, Component, Content, Document, Sbom, SbomFormat,
};
use super::index::{ArtifactIndex, DigestKey};
use crate::graph::{
    EdgeType, Fields, FieldsWriter, GraphBuilder, Location, NodeId, NodeKind, Span, TextArena,
};
use crate::json::jcs::write_string;
use crate::verify::export::ExportResult;
use crate::verify::keyring::KeyTrust;
use crate::verify::report::{TrustSummary, VerificationReport};
use crate::verify::signatures::{short, SignatureOutcome};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// What the SBOMs of one file become as soon as the file is collected (see [`take_sboms`]).
#[derive(Debug, Default)]
pub struct SbomPart {
    /// The SBOM, component and artifact nodes and their edges.
    pub graph: GraphBuilder,
    /// Artifacts the SBOMs describe. They are emitted by [`emit_described_artifacts`] once
    /// the whole bundle is indexed: whether one is in the bundle depends on every file.
    pub artifacts: Vec<DescribedArtifact>,
}

/// An artifact an SBOM describes: a digest of its described component.
#[derive(Debug)]
pub struct DescribedArtifact {
    sbom: NodeId,
    digest: DigestKey,
    name: String,
    location: Option<Location>,
}

/// Adds the artifacts the SBOMs of `part` describe, with their `describes` edges, to `builder`.
pub fn emit_described_artifacts(
    builder: &mut GraphBuilder,
    artifacts: Vec<DescribedArtifact>,
    index: &ArtifactIndex,
) {
    for a in artifacts {
        let aid = emit_artifact(builder, &a.digest, Some(&a.name), index, a.location);
        builder.add_edge(&a.sbom, &aid, EdgeType::Describes);
    }
}

/// Emits the SBOMs of a file just collected into their own graph part, then releases their
/// components: nothing after this reads them, and a bundle's components are most of its
/// memory. The emptied [`Sbom`]s stay, so that later steps still see the documents.
pub fn take_sboms(file: &mut CollectedFile) -> SbomPart {
    let mut part = SbomPart::default();
    for doc in &file.documents {
        if let Content::Sbom(sbom) = &doc.content {
            emit_sbom(&mut part, doc, sbom);
        }
    }
    part.graph.seal();
    for doc in &mut file.documents {
        if let Content::Sbom(sbom) = &mut doc.content {
            sbom.components = Vec::new();
            sbom.dependencies = Vec::new();
            sbom.includes = Vec::new();
        }
    }
    part
}

/// Adds every collected document of every file to the graph, except SBOMs, which
/// [`take_sboms`] emitted already. Groups of files are emitted into partial graphs in parallel,
/// which the builder merges when it finishes (the same graph as adding everything here one file
/// after the other).
pub fn emit_documents(builder: &mut GraphBuilder, files: &[CollectedFile], index: &ArtifactIndex) {
    const FILES_PER_PART: usize = 8;
    let parts: Vec<GraphBuilder> = files
        .par_chunks(FILES_PER_PART)
        .map(|files| {
            let mut part = GraphBuilder::new();
            for file in files {
                emit_file(&mut part, file, index);
            }
            part
        })
        .collect();
    for part in parts {
        builder.absorb(part);
    }
}

fn emit_file(builder: &mut GraphBuilder, file: &CollectedFile, index: &ArtifactIndex) {
    let mut attestation: Option<(NodeId, String)> = None;
    for doc in &file.documents {
        let id = match &doc.content {
            // Emitted by `take_sboms`; its id is still the end of a `carries` edge.
            Content::Sbom(_) => Some(NodeId::from_digest_hex(&doc.normalised_digest)),
            Content::Attestation(att) => {
                let id = emit_attestation(builder, doc, att, index);
                attestation = Some((id, format!("{}/payload/predicate", doc.pointer)));
                Some(id)
            }
            // The node itself comes from step 4's merge; here only a `carries` edge.
            Content::Vex(v) => attestation
                .as_ref()
                .filter(|(_, carried_at)| *carried_at == doc.pointer)
                .map(|_| vex_document_id(v)),
            Content::TrustPolicy(_) | Content::Opaque => None,
        };
        if let (Some(id), Some((att_id, carried_at))) = (&id, &attestation) {
            if doc.pointer == *carried_at {
                builder.add_edge(att_id, id, EdgeType::Carries);
            }
        }
    }
}

fn vex_document_id(v: &crate::vex::VexDocument) -> NodeId {
    super::merge::identity::document_id(&super::merge::identity::document_digest(v))
}

fn location(doc: &Document, pointer: &str) -> Option<Location> {
    located(&Arc::from(doc.file.as_str()), doc, pointer)
}

/// [`location`] with the file's name shared (`file` is `doc.file`).
fn located(file: &Arc<str>, doc: &Document, pointer: &str) -> Option<Location> {
    Some(Location {
        file: Arc::clone(file),
        pointer: format!("{}{}", doc.pointer, pointer).into(),
    })
}

fn fields(v: Value) -> BTreeMap<String, Value> {
    match v {
        Value::Object(m) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => BTreeMap::new(),
    }
}

fn emit_sbom(part: &mut SbomPart, doc: &Document, sbom: &Sbom) -> NodeId {
    let b = &mut part.graph;
    let id = NodeId::from_digest_hex(&doc.normalised_digest);
    let format = match sbom.format {
        SbomFormat::Cyclonedx => "CycloneDX",
        SbomFormat::Spdx => "SPDX",
    };
    let label = format!(
        "{} ({format} {})",
        sbom.name.as_deref().unwrap_or("unnamed"),
        sbom.spec_version
    );
    let f = json!({
        "format": format, "specVersion": sbom.spec_version, "name": sbom.name,
        "componentCount": sbom.components.len(), "normalisedDigest": format!("sha256:{}", doc.normalised_digest),
    });
    let file: Arc<str> = Arc::from(doc.file.as_str());
    b.add_node(
        id,
        NodeKind::Sbom,
        label,
        fields(f),
        located(&file, doc, ""),
    );

    let ids = emit_components(b, &file, doc, &sbom.components);
    // A ref stands for the first component that has it.
    let first = first_indices(&sbom.components);
    let described: HashSet<&str> = sbom.described.iter().map(String::as_str).collect();
    for (i, c) in sbom.components.iter().enumerate() {
        let cid = &ids[first.get(c.local_ref.as_str()).map_or(i, |&f| f as usize)];
        if described.contains(c.local_ref.as_str()) {
            b.add_edge(&id, cid, EdgeType::Describes);
            part.artifacts
                .extend(
                    c.artifact_digests()
                        .into_iter()
                        .map(|digest| DescribedArtifact {
                            sbom: id,
                            digest,
                            name: c.name.clone(),
                            location: located(&file, doc, &c.pointer),
                        }),
                );
        } else {
            b.add_edge(&id, cid, EdgeType::Contains);
        }
    }
    link_pairs(b, &ids, &sbom.dependencies, EdgeType::DependsOn);
    link_pairs(b, &ids, &sbom.includes, EdgeType::Includes);
    id
}

fn link_pairs(b: &mut GraphBuilder, ids: &[NodeId], pairs: &[(u32, u32)], kind: EdgeType) {
    for &(from, to) in pairs {
        if let (Some(f), Some(t)) = (ids.get(from as usize), ids.get(to as usize)) {
            if f != t {
                b.add_edge(f, t, kind);
            }
        }
    }
}

/// A component's identity: its normalised purl, else group/name/version (the id of the JCS
/// form of `{"purl": …}` or `{"group": …, "name": …, "version": …}`, written directly).
pub fn component_id(c: &Component) -> NodeId {
    let mut identity = Vec::with_capacity(96);
    match &c.purl {
        Some(purl) => {
            identity.extend_from_slice(b"{\"purl\":");
            write_string(purl, &mut identity);
        }
        None => {
            identity.extend_from_slice(b"{\"group\":");
            write_opt_string(c.group.as_deref(), &mut identity);
            identity.extend_from_slice(b",\"name\":");
            write_string(&c.name, &mut identity);
            identity.extend_from_slice(b",\"version\":");
            write_opt_string(c.version.as_deref(), &mut identity);
        }
    }
    identity.push(b'}');
    NodeId::of_canonical(&identity)
}

fn write_opt_string(s: Option<&str>, out: &mut Vec<u8>) {
    match s {
        Some(s) => write_string(s, out),
        None => out.extend_from_slice(b"null"),
    }
}

/// Where a component's strings were written in its SBOM's [`TextArena`].
struct ComponentTexts {
    label: Span,
    fields: Span,
    pointer: Span,
}

/// Adds an SBOM's components (`file` is `doc.file`, shared) and returns their ids in order.
/// Their labels, fields and pointers are written into one block for the whole SBOM.
fn emit_components(
    b: &mut GraphBuilder,
    file: &Arc<str>,
    doc: &Document,
    components: &[Component],
) -> Vec<NodeId> {
    let mut arena = TextArena::new();
    let mut writer = FieldsWriter::new();
    let texts: Vec<ComponentTexts> = components
        .iter()
        .map(|c| write_component_texts(&mut arena, &mut writer, doc, c))
        .collect();
    let block = arena.freeze();
    components
        .iter()
        .zip(texts)
        .map(|(c, t)| {
            let location = Location {
                file: Arc::clone(file),
                pointer: block.text(t.pointer),
            };
            b.add_node(
                component_id(c),
                NodeKind::Component,
                block.text(t.label),
                Fields::from_canonical(block.text(t.fields)),
                Some(location),
            )
        })
        .collect()
}

fn write_component_texts(
    arena: &mut TextArena,
    writer: &mut FieldsWriter,
    doc: &Document,
    c: &Component,
) -> ComponentTexts {
    let label = match &c.version {
        Some(v) => arena.push(&[&c.name, "@", v]),
        None => arena.push(&[&c.name]),
    };
    // Absent fields are left out, except `purl`: components always carry it (null when unknown).
    let fields = writer
        .restart()
        .opt_str("group", c.group.as_deref())
        .strs("hashes", &c.hashes)
        .strs("licenses", &c.licenses)
        .str("name", &c.name)
        .str_or_null("purl", c.purl.as_deref())
        .opt_str("supplier", c.supplier.as_deref())
        .opt_str("type", c.component_type.as_deref())
        .opt_str("version", c.version.as_deref())
        .finish_bytes();
    let fields = arena.push_utf8(fields);
    let pointer = arena.push(&[&doc.pointer, &c.pointer]);
    ComponentTexts {
        label,
        fields,
        pointer,
    }
}

/// An artifact node: its id is the sha256 digest itself when there is one.
fn emit_artifact(
    b: &mut GraphBuilder,
    digest: &DigestKey,
    name: Option<&str>,
    index: &ArtifactIndex,
    loc: Option<Location>,
) -> NodeId {
    let id = match digest.algorithm {
        super::index::DigestAlgorithm::Sha256 => NodeId::from_digest_hex(&digest.hex),
        _ => NodeId::of(&json!({"artifact": digest.to_string()})),
    };
    let digest_text = digest.to_string();
    let label = name.map_or_else(|| digest_text.clone(), str::to_string);
    let fields = FieldsWriter::new()
        .strs("digests", &[digest_text])
        .bool("inBundle", index.contains(digest))
        .strs("names", name.as_slice())
        .finish();
    b.add_node(id, NodeKind::Artifact, label, fields, loc)
}

fn emit_attestation(
    b: &mut GraphBuilder,
    doc: &Document,
    att: &Attestation,
    index: &ArtifactIndex,
) -> NodeId {
    let id = NodeId::from_digest_hex(&doc.normalised_digest);
    let label = att
        .predicate_type
        .clone()
        .or_else(|| att.statement_type.clone())
        .or_else(|| att.payload_type.clone())
        .unwrap_or_else(|| "attestation".into());
    let subjects: Vec<Value> = att
        .subjects
        .iter()
        .map(|s| json!({"name": s.name, "digests": s.digests.iter().map(ToString::to_string).collect::<Vec<_>>()}))
        .collect();
    let f = json!({
        "payloadType": att.payload_type, "statementType": att.statement_type, "predicateType": att.predicate_type,
        "subjects": subjects, "enveloped": att.enveloped,
        "keyids": att.signatures.iter().filter_map(|s| s.keyid.clone()).collect::<Vec<_>>(),
        "normalisedDigest": format!("sha256:{}", doc.normalised_digest),
    });
    b.add_node(
        id,
        NodeKind::Attestation,
        label,
        fields(f),
        location(doc, ""),
    );
    for (i, s) in att.subjects.iter().enumerate() {
        // One artifact per subject: prefer sha256 so ids meet the SBOM side.
        if let Some(d) = s.digests.iter().min_by_key(|d| d.algorithm) {
            let pointer = format!("/payload/subject/{i}");
            let aid = emit_artifact(b, d, s.name.as_deref(), index, location(doc, &pointer));
            b.add_edge(&id, &aid, EdgeType::Attests);
        }
    }
    id
}

/// Adds a `key` node for every key that verified a DSSE envelope or a valid export, and a
/// `signed-by` edge from what it verified to the key.
pub fn emit_signatures(b: &mut GraphBuilder, report: &VerificationReport) {
    for envelope in &report.signatures {
        link_signers(b, &envelope.node, &envelope.signatures, &report.trust);
    }
    for export in report.exports.iter().filter(|e| e.ok()) {
        if let Some(record) = &export.record {
            link_signers(b, &export_id(record), &export.signatures, &report.trust);
        }
    }
}

fn link_signers(
    b: &mut GraphBuilder,
    signed: &NodeId,
    signatures: &[SignatureOutcome],
    trust: &TrustSummary,
) {
    for s in signatures {
        if let Some(fingerprint) = &s.key {
            let key = emit_key(b, fingerprint, s.keyid.as_deref(), trust);
            b.add_edge(signed, &key, EdgeType::SignedBy);
        }
    }
}

/// A key node: id `sha256:<hex of SHA-256 of the raw key>`. Its `keyids` are the names the
/// trust policy and manifest declare and the `keyid` hints of the signatures it verified —
/// never a file name, so that renaming files cannot change the graph.
fn emit_key(
    b: &mut GraphBuilder,
    fingerprint: &str,
    hint: Option<&str>,
    trust: &TrustSummary,
) -> NodeId {
    let summary = trust.key(fingerprint);
    let mut keyids: Vec<String> = summary.map(|k| k.keyids.clone()).unwrap_or_default();
    keyids.extend(hint.map(str::to_string));
    keyids.sort();
    keyids.dedup();
    let label = keyids
        .first()
        .cloned()
        .unwrap_or_else(|| short(fingerprint));
    let f = json!({
        "algorithm": summary.map(|k| k.algorithm),
        "keyids": keyids,
        "trust": summary.map(|k| k.trust.as_str()),
    });
    let id = b.add_node(
        NodeId::from_text(fingerprint),
        NodeKind::Key,
        label.clone(),
        fields(f),
        None,
    );
    let origins = summary.map_or(&[][..], |k| k.origins.as_slice());
    for o in origins.iter().filter(|o| o.trust != KeyTrust::Pinned) {
        let location = Location {
            file: o.file.as_str().into(),
            pointer: o.pointer.as_str().into(),
        };
        b.add_node(
            id,
            NodeKind::Key,
            label.clone(),
            BTreeMap::new(),
            Some(location),
        );
    }
    id
}

/// An export node's id: the SHA-256 of the record's JCS form.
fn export_id(record: &Value) -> NodeId {
    NodeId::of(record)
}

/// Fields an export node carries, when the record has them.
const EXPORT_FIELDS: [&str; 12] = [
    "runId",
    "jobType",
    "status",
    "startedAt",
    "completedAt",
    "artifactHash",
    "policyHash",
    "tenantId",
    "environment",
    "idempotencyKey",
    "manifestPath",
    "logsPath",
];

/// Adds every valid export as an `export` node with an `exports` edge to its artifact (the
/// `sha256:<hex>` id the SBOM and attestation side use for the same digest).
pub fn emit_exports(b: &mut GraphBuilder, exports: &[ExportResult], index: &ArtifactIndex) {
    for export in exports.iter().filter(|e| e.ok()) {
        let Some(record) = &export.record else {
            continue;
        };
        let field = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or("");
        let label = format!(
            "{} {} ({})",
            match field("jobType") {
                "" => "export",
                job => job,
            },
            field("runId"),
            field("status")
        );
        let f: BTreeMap<String, Value> = EXPORT_FIELDS
            .iter()
            .filter_map(|k| record.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        let location = Location {
            file: export.file.as_str().into(),
            pointer: export
                .line
                .map(|l| format!("line {l}"))
                .unwrap_or_default()
                .into(),
        };
        let id = b.add_node(
            export_id(record),
            NodeKind::Export,
            label,
            f,
            Some(location.clone()),
        );
        if let Ok(digest) = DigestKey::parse(field("artifactHash")) {
            let artifact = emit_artifact(b, &digest, None, index, Some(location));
            b.add_edge(&id, &artifact, EdgeType::Exports);
        }
    }
}
