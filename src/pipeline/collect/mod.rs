//! Step 2 — collect: parse each recognised file into format-neutral evidence (SBOMs with
//! components and edges, attestations with subjects). A file that fails becomes diagnostics;
//! the rest of the bundle still loads.

pub mod cyclonedx;
pub mod dsse;
pub mod sniff;
pub mod spdx;
pub mod vex;

use crate::diag::{Code, Diagnostic, Severity};
use crate::json::tape::{Items, Kind, J};
use crate::pipeline::index::DigestKey;
use crate::pipeline::normalise::{self, Profile};
use crate::trust::TrustPolicy;
use crate::verify::keyring::VerifiedKey;
use crate::vex::{VexDocument, VexFormat};
use serde::Serialize;
pub use sniff::{sniff, FileKind, Sniffed};

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Failed to parse or failed its schema; listed first in the Imports view.
    Failed,
    /// Skipped by the bundle reader (unsafe entry or over a limit).
    Skipped,
    Parsed,
    Unrecognised,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Failed => "failed",
            FileStatus::Skipped => "skipped",
            FileStatus::Parsed => "parsed",
            FileStatus::Unrecognised => "unrecognised",
        }
    }
}

/// An SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SbomFormat {
    Cyclonedx,
    Spdx,
}

/// A component as an SBOM lists it. `local_ref` (bom-ref, SPDXID or a pointer) only has meaning
/// inside its document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Component {
    pub local_ref: String,
    pub name: String,
    pub version: Option<String>,
    pub group: Option<String>,
    pub purl: Option<String>,
    pub component_type: Option<String>,
    /// `alg:hex`, algorithm lowercased (`sha256`, `sha1`, `md5`, `sha3-256`, …).
    pub hashes: Vec<String>,
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
    pub pointer: String,
}

impl Component {
    /// Digests usable as artifact ids (sha256/384/512).
    pub fn artifact_digests(&self) -> Vec<DigestKey> {
        self.hashes
            .iter()
            .filter_map(|h| DigestKey::parse(h).ok())
            .collect()
    }
}

/// An SBOM reduced to what the graph needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Sbom {
    pub format: SbomFormat,
    pub spec_version: String,
    pub name: Option<String>,
    pub components: Vec<Component>,
    /// Local refs of the components the document describes (CycloneDX `metadata.component`,
    /// SPDX `documentDescribes` / `DESCRIBES`).
    pub described: Vec<String>,
    /// `(from, to)` component indices: `from` depends on `to`. A reference names the first
    /// component with that `local_ref`; references to no component are left out.
    pub dependencies: Vec<(u32, u32)>,
    /// `(parent, child)` component indices, as `dependencies`: nesting (CycloneDX
    /// sub-components, SPDX `CONTAINS`).
    pub includes: Vec<(u32, u32)>,
}

/// Component index by local ref (the refs come from the document itself: a fast, seeded hasher).
pub type RefIndex<'a> = std::collections::HashMap<&'a str, u32, foldhash::fast::RandomState>;

/// The index of the first component with each `local_ref`.
pub fn first_indices(components: &[Component]) -> RefIndex<'_> {
    let mut first = RefIndex::with_capacity_and_hasher(components.len(), Default::default());
    for (i, c) in components.iter().enumerate() {
        first.entry(c.local_ref.as_str()).or_insert(i as u32);
    }
    first
}

/// One in-toto subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub name: Option<String>,
    pub digests: Vec<DigestKey>,
}

/// One DSSE signature as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub keyid: Option<String>,
    pub sig: String,
}

/// A DSSE envelope (or a bare in-toto statement) reduced to what graph and verifier need.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    pub payload_type: Option<String>,
    /// The decoded payload bytes (needed again for signature checks).
    pub payload: Vec<u8>,
    pub statement_type: Option<String>,
    pub predicate_type: Option<String>,
    pub subjects: Vec<Subject>,
    pub signatures: Vec<Signature>,
    /// `false` for a bare statement outside any envelope.
    pub enveloped: bool,
    /// The keys that verified at least one of the envelope's signatures, sorted by fingerprint.
    /// Empty until the pipeline's signature step ([`crate::verify::signatures`]) has run, and
    /// for an envelope nothing verifies.
    pub verified_by: Vec<VerifiedKey>,
}

impl Attestation {
    /// The *verified signing key ids* of SPEC §3 rule 1, for matching trust-policy issuer rules
    /// (`{"match": {"keyid": …}}`): for every **pinned** key that verified a signature of this
    /// envelope, the `keyid`s the `--trust` policy lists it under and its fingerprint
    /// `sha256:<hex of SHA-256 of the raw key>`. Sorted, unique.
    ///
    /// Keys that are only bundle-supplied or self-asserted contribute nothing: a name a bundle
    /// gives its own key must never match a rule the user wrote. The self-asserted names are in
    /// [`Attestation::self_asserted_keyids`]; every verifying key, with its trust, is in
    /// [`Attestation::verified_by`].
    pub fn verified_keyids(&self) -> Vec<String> {
        Self::keyids_of(&self.verified_by, |k| &k.pinned_keyids)
    }

    /// Like [`Attestation::verified_keyids`], for keys a bundle-root `trust.json` names
    /// (self-asserted; issuer rules of that file may match them, marked self-asserted).
    pub fn self_asserted_keyids(&self) -> Vec<String> {
        Self::keyids_of(&self.verified_by, |k| &k.self_asserted_keyids)
    }

    /// Fingerprint and names of every key that a source names (policy keys always have names).
    fn keyids_of(
        keys: &[VerifiedKey],
        names: impl Fn(&VerifiedKey) -> &Vec<String>,
    ) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for key in keys {
            let named = names(key);
            if !named.is_empty() {
                ids.push(key.fingerprint.clone());
                ids.extend(named.iter().cloned());
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether some signature verified with some available key (of any trust).
    pub fn is_verified(&self) -> bool {
        !self.verified_by.is_empty()
    }
}

/// The evidence a document carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Sbom(Sbom),
    Attestation(Attestation),
    /// VEX statements (OpenVEX, CSAF, CycloneDX `vulnerabilities[].analysis`).
    Vex(VexDocument),
    /// The bundle-root `trust.json`: applied, but self-asserted (SPEC §4).
    TrustPolicy(TrustPolicy),
    /// Recognised and parsed, but not (yet) part of the graph.
    Opaque,
}

/// One document: a file, or a document carried inside one (a DSSE predicate).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub file: String,
    /// Empty for the whole file; `/payload/predicate` for a carried document.
    pub pointer: String,
    pub kind: FileKind,
    /// Hex SHA-256 of the normalised (step 3) form.
    pub normalised_digest: String,
    pub content: Content,
}

/// Everything collected from one file.
#[derive(Debug, Clone)]
pub struct CollectedFile {
    pub path: String,
    pub sha256: DigestKey,
    pub size: u64,
    pub kind: FileKind,
    pub status: FileStatus,
    pub diagnostics: Vec<Diagnostic>,
    pub documents: Vec<Document>,
}

/// Collects one file: sniff, parse, normalise.
pub fn collect_file(path: &str, bytes: &[u8], sha256: DigestKey) -> CollectedFile {
    let sniffed = sniff(path, bytes);
    let mut out = CollectedFile {
        path: path.to_string(),
        sha256,
        size: bytes.len() as u64,
        kind: sniffed.kind,
        status: FileStatus::Parsed,
        diagnostics: Vec::new(),
        documents: Vec::new(),
    };
    if let Some(err) = sniffed.error {
        out.diagnostics.push(err.into_diagnostic(path));
    } else if let Some(value) = sniffed.json {
        let mut ctx = Ctx::new(path);
        out.documents = collect_document(&mut ctx, sniffed.kind, value.root(), "");
        out.diagnostics = ctx.diagnostics;
    } else if sniffed.kind == FileKind::Unrecognised {
        out.status = FileStatus::Unrecognised;
    }
    if out
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        out.status = FileStatus::Failed;
    }
    out
}

/// Collects a parsed JSON document of a known kind. `pointer` locates it inside its file.
/// A CycloneDX BOM that is both SBOM and VEX yields two documents, the SBOM first.
///
/// SBOMs and attestations are read from the tape; VEX documents and trust policies, rarer and
/// smaller, through a `Value` tree of their own.
pub fn collect_document(
    ctx: &mut Ctx,
    kind: FileKind,
    value: J<'_, '_>,
    pointer: &str,
) -> Vec<Document> {
    let file = ctx.file.clone();
    let doc = |content, profile| Document {
        file: file.clone(),
        pointer: pointer.to_string(),
        kind,
        normalised_digest: normalise::normalised_digest_of(value, profile),
        content,
    };
    let vex_doc = |ctx: &mut Ctx, format, profile| {
        vex::collect(ctx, format, &value.to_value()).map(|v| doc(Content::Vex(v), profile))
    };
    match kind {
        FileKind::Cyclonedx => {
            let mut docs = Vec::new();
            if vex::is_cyclonedx_sbom(value) {
                docs.extend(
                    cyclonedx::collect(ctx, value)
                        .map(|sbom| doc(Content::Sbom(sbom), Profile::CycloneDx)),
                );
            }
            if vex::is_cyclonedx_vex(value) {
                docs.extend(vex_doc(ctx, VexFormat::CycloneDx, Profile::CycloneDx));
            }
            docs
        }
        FileKind::Spdx => match spdx::collect(ctx, value) {
            Some(sbom) => vec![doc(Content::Sbom(sbom), Profile::Spdx)],
            None => Vec::new(),
        },
        FileKind::Dsse | FileKind::InTotoStatement => dsse::collect(ctx, kind, value, pointer),
        FileKind::Openvex => vex_doc(ctx, VexFormat::OpenVex, Profile::Generic)
            .into_iter()
            .collect(),
        FileKind::Csaf => vex_doc(ctx, VexFormat::Csaf, Profile::Generic)
            .into_iter()
            .collect(),
        FileKind::TrustPolicy => match vex::collect_trust_policy(ctx, &value.to_value()) {
            Some(policy) => vec![doc(Content::TrustPolicy(policy), Profile::Generic)],
            None => Vec::new(),
        },
        _ => vec![doc(Content::Opaque, Profile::Generic)],
    }
}

/// Collection context: the file being read and the diagnostics found so far.
#[derive(Debug)]
pub struct Ctx {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Ctx {
    pub fn new(file: &str) -> Self {
        Ctx {
            file: file.to_string(),
            diagnostics: Vec::new(),
        }
    }

    /// Records a diagnostic at `pointer`.
    pub fn report(&mut self, code: Code, pointer: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(code, self.file.clone(), message).at(pointer));
    }

    /// Records `ERR_DOC_SCHEMA` at `pointer`.
    pub fn schema(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.report(Code::DocSchema, pointer, message);
    }

    /// A required string field; reports it when missing, mistyped or empty.
    pub fn required_str<'t>(&mut self, obj: J<'t, '_>, base: &str, key: &str) -> Option<&'t str> {
        let value = obj.get(key);
        if let Some(s) = value.and_then(J::as_str) {
            if !s.trim().is_empty() {
                return Some(s);
            }
        }
        let pointer = crate::diag::pointer_join(base, key);
        match value.map(J::kind) {
            Some(Kind::String(_)) => self.schema(pointer, format!("`{key}` is empty")),
            Some(_) => {
                let found = value.map_or("null", J::type_name);
                self.schema(pointer, format!("`{key}` must be a string, found {found}"))
            }
            None => self.schema(pointer, format!("required field `{key}` is missing")),
        }
        None
    }

    /// An optional string field; reports it only when present with the wrong type.
    pub fn optional_str<'t>(&mut self, obj: J<'t, '_>, base: &str, key: &str) -> Option<&'t str> {
        let value = obj.get(key)?;
        match value.kind() {
            Kind::Null => None,
            Kind::String(s) => Some(s),
            _ => {
                let pointer = crate::diag::pointer_join(base, key);
                let found = value.type_name();
                self.schema(pointer, format!("`{key}` must be a string, found {found}"));
                None
            }
        }
    }

    /// An optional array field (empty when absent); reports it when present with the wrong type.
    pub fn optional_array<'t, 'a>(
        &mut self,
        obj: J<'t, 'a>,
        base: &str,
        key: &str,
    ) -> Items<'t, 'a> {
        let value = obj.get(key);
        let items = value.and_then(J::as_array);
        if let Some(v) = value.filter(|v| items.is_none() && !v.is_null()) {
            let pointer = crate::diag::pointer_join(base, key);
            let found = v.type_name();
            self.schema(pointer, format!("`{key}` must be an array, found {found}"));
        }
        items.into_iter().flatten()
    }
}

/// Normalises a hash algorithm name: `SHA-256` → `sha256`, `SHA3-256` → `sha3-256`, `MD5` → `md5`.
pub fn hash_alg_name(alg: &str) -> String {
    let lower = alg.trim().to_ascii_lowercase();
    match lower.strip_prefix("sha-") {
        Some(rest) if matches!(rest, "1" | "224" | "256" | "384" | "512") => format!("sha{rest}"),
        _ => lower,
    }
}
