//! Step 4 — merge VEX (SPEC §3): every VEX document of the bundle, its issuer's authority,
//! vulnerability alias groups, and one decision per (vulnerability group, target).
//!
//! 1. [`bomlink`] rewrites CycloneDX BOM-Links into other documents of the bundle (before this
//!    step runs, so that targets are final);
//! 2. identical VEX content at several places (two paths, or a file and a DSSE predicate) is one
//!    document ([`identity`]); its authority is the best any copy earns ([`authority`]), e.g.
//!    the signed copy's;
//! 3. statements are grouped per (vulnerability group, target) and resolved by
//!    [`crate::vex::resolve_all`] into [`VexDecision`]s ([`decision`]).
//!
//! Nothing here depends on file order or names beyond which path is *shown* for a document.

pub mod authority;
pub mod bomlink;
pub mod decision;
pub mod identity;

pub use authority::{verified_signing_keyids, PinnedBy, Policies};
pub use decision::{DecisionCandidate, Provenance, VexDecision};

use super::collect::{CollectedFile, Content, Document};
use crate::graph::{Location, NodeId};
use crate::trust::{AuthorityClaim, TrustPolicy};
use crate::vex::{self, Candidate, VexDocument, VexStatement, VulnerabilityGroups};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// One VEX document: every copy of the same content (see [`identity::document_digest`]).
#[derive(Debug, Clone)]
pub struct MergedDocument {
    /// The `vex-document` node id.
    pub id: NodeId,
    /// Hex VEX digest of the content.
    pub digest: String,
    /// The document as read from its best copy.
    pub document: VexDocument,
    /// The issuer's authority: the best any copy earns.
    pub claim: AuthorityClaim,
    /// Bundle path of the copy that earned `claim` (the smallest path among equals).
    pub path: String,
    /// Pointer of that copy inside its file (`/payload/predicate` for a carried one).
    pub pointer: String,
    /// Every copy.
    pub locations: BTreeSet<Location>,
    /// Where each statement was read, in every copy.
    statement_locations: BTreeMap<NodeId, BTreeSet<Location>>,
}

/// One statement (identical statements of one document are one).
#[derive(Debug, Clone)]
pub struct MergedStatement {
    /// The `vex-statement` node id.
    pub id: NodeId,
    /// The `vex-document` node id of the document that makes it.
    pub document: NodeId,
    /// The statement as read.
    pub statement: VexStatement,
    /// Every place it was read from.
    pub locations: BTreeSet<Location>,
}

/// One vulnerability id and the group it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedVulnerability {
    /// The `vulnerability` node id.
    pub id: NodeId,
    /// The id as spelled (the group name's spelling for the id that names the group).
    pub name: String,
    /// The group's name.
    pub group: String,
}

/// The result of step 4.
#[derive(Debug, Clone, Default)]
pub struct VexMerge {
    /// Documents, by id.
    pub documents: Vec<MergedDocument>,
    /// Statements, by id.
    pub statements: Vec<MergedStatement>,
    /// Every vulnerability id seen, by id.
    pub vulnerabilities: Vec<MergedVulnerability>,
    /// The decisions: conflicts first, then by vulnerability and target.
    pub decisions: Vec<VexDecision>,
}

/// A VEX document as found in one place.
struct DocCopy<'a> {
    file: &'a CollectedFile,
    doc: &'a Document,
    vex: &'a VexDocument,
    claim: AuthorityClaim,
}

impl DocCopy<'_> {
    /// Best first: highest authority, then trust policy over self-declared over none, then
    /// the smallest explanation, path and pointer.
    fn rank(&self) -> impl Ord + '_ {
        (
            Reverse(self.claim.authority),
            self.claim.source,
            &self.claim.explanation,
            &self.file.path,
            &self.doc.pointer,
        )
    }
}

/// Runs step 4 over the collected files. `pinned` is the `--trust` policy; a `trust.json`
/// collected at the bundle root is applied as self-asserted.
pub fn merge(files: &[CollectedFile], pinned: Option<&TrustPolicy>) -> VexMerge {
    let policies = Policies {
        pinned,
        bundle: bundle_policy(files),
    };
    let documents = merge_documents(files, policies);
    let statements = merge_statements(&documents);
    let groups = vex::group_vulnerabilities(statements.values().map(|(s, _)| &s.statement));
    let spelling = spellings(statements.values().map(|(s, _)| &s.statement));
    let decisions = decide(&statements, &documents, &groups, &spelling);
    VexMerge {
        vulnerabilities: vulnerabilities(&groups, &spelling),
        documents: documents.into_values().collect(),
        statements: statements.into_values().map(|(s, _)| s).collect(),
        decisions,
    }
}

fn bundle_policy(files: &[CollectedFile]) -> Option<&TrustPolicy> {
    files
        .iter()
        .flat_map(|f| &f.documents)
        .find_map(|d| match &d.content {
            Content::TrustPolicy(p) => Some(p),
            _ => None,
        })
}

/// Documents by digest, each from its best copy, with every copy's location.
fn merge_documents(
    files: &[CollectedFile],
    policies: Policies,
) -> BTreeMap<String, MergedDocument> {
    let mut copies: BTreeMap<String, Vec<DocCopy>> = BTreeMap::new();
    for file in files {
        for doc in &file.documents {
            if let Content::Vex(vex) = &doc.content {
                let claim = authority::authority_of(vex, doc, file, policies);
                let copy = DocCopy {
                    file,
                    doc,
                    vex,
                    claim,
                };
                copies
                    .entry(identity::document_digest(vex))
                    .or_default()
                    .push(copy);
            }
        }
    }
    copies
        .into_iter()
        .filter_map(|(digest, mut copies)| {
            copies.sort_by(|a, b| a.rank().cmp(&b.rank()));
            let locations = copies
                .iter()
                .map(|c| Location {
                    file: c.file.path.as_str().into(),
                    pointer: c.doc.pointer.as_str().into(),
                })
                .collect();
            let statement_locations = statement_locations(&digest, &copies);
            let best = copies.into_iter().next()?;
            let merged = MergedDocument {
                id: identity::document_id(&digest),
                digest: digest.clone(),
                document: best.vex.clone(),
                claim: best.claim,
                path: best.file.path.clone(),
                pointer: best.doc.pointer.clone(),
                locations,
                statement_locations,
            };
            Some((digest, merged))
        })
        .collect()
}

fn statement_locations(digest: &str, copies: &[DocCopy]) -> BTreeMap<NodeId, BTreeSet<Location>> {
    let mut out: BTreeMap<NodeId, BTreeSet<Location>> = BTreeMap::new();
    for copy in copies {
        for s in &copy.vex.statements {
            out.entry(identity::statement_id(digest, s))
                .or_default()
                .insert(Location {
                    file: copy.file.path.as_str().into(),
                    pointer: format!("{}{}", copy.doc.pointer, s.pointer).into(),
                });
        }
    }
    out
}

/// Statements by id, each with the provenance shown for it: its best copy's place (the first
/// of equal statements in that copy).
fn merge_statements(
    documents: &BTreeMap<String, MergedDocument>,
) -> BTreeMap<NodeId, (MergedStatement, Provenance)> {
    let mut out: BTreeMap<NodeId, (MergedStatement, Provenance)> = BTreeMap::new();
    for doc in documents.values() {
        for s in &doc.document.statements {
            let id = identity::statement_id(&doc.digest, s);
            out.entry(id).or_insert_with(|| {
                let pointer = format!("{}{}", doc.pointer, s.pointer);
                let provenance = Provenance::new(&doc.path, pointer, &doc.document, s);
                let merged = MergedStatement {
                    locations: doc
                        .statement_locations
                        .get(&id)
                        .cloned()
                        .unwrap_or_default(),
                    id,
                    document: doc.id,
                    statement: s.clone(),
                };
                (merged, provenance)
            });
        }
    }
    out
}

/// The smallest spelling of every vulnerability id (ids compare case-insensitively).
fn spellings<'a>(statements: impl Iterator<Item = &'a VexStatement>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for s in statements {
        for id in std::iter::once(&s.vulnerability).chain(&s.aliases) {
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            let slot = out
                .entry(id.to_lowercase())
                .or_insert_with(|| id.to_string());
            if id < slot.as_str() {
                *slot = id.to_string();
            }
        }
    }
    out
}

fn spelled(member: &str, group: &str, spelling: &BTreeMap<String, String>) -> String {
    if member == group.to_lowercase() {
        return group.to_string();
    }
    spelling
        .get(member)
        .cloned()
        .unwrap_or_else(|| member.to_string())
}

fn vulnerabilities(
    groups: &VulnerabilityGroups,
    spelling: &BTreeMap<String, String>,
) -> Vec<MergedVulnerability> {
    let mut out: Vec<MergedVulnerability> = groups
        .groups()
        .flat_map(|(group, members)| {
            members.iter().map(move |m| MergedVulnerability {
                id: identity::vulnerability_id(m),
                name: spelled(m, group, spelling),
                group: group.to_string(),
            })
        })
        .collect();
    out.sort_by_key(|a| a.id);
    out
}

fn decide(
    statements: &BTreeMap<NodeId, (MergedStatement, Provenance)>,
    documents: &BTreeMap<String, MergedDocument>,
    groups: &VulnerabilityGroups,
    spelling: &BTreeMap<String, String>,
) -> Vec<VexDecision> {
    let claims: BTreeMap<&NodeId, &AuthorityClaim> =
        documents.values().map(|d| (&d.id, &d.claim)).collect();
    let items = statements.values().filter_map(|(merged, provenance)| {
        let s = &merged.statement;
        let group = groups.name_of(&s.vulnerability).unwrap_or(&s.vulnerability);
        let claim = (*claims.get(&merged.document)?).clone();
        let candidate = Candidate {
            statement: merged.id.to_string(),
            status: s.status,
            timestamp: s.timestamp,
            authority: claim,
            provenance: provenance.clone(),
        };
        Some((group.to_string(), s.target.clone(), candidate))
    });
    let members: BTreeMap<&str, &[String]> = groups.groups().collect();
    let mut decisions: Vec<VexDecision> = vex::resolve_all(items)
        .into_iter()
        .map(|d| {
            let aliases = members
                .get(d.vulnerability.as_str())
                .map(|ms| {
                    ms.iter()
                        .filter(|m| **m != d.vulnerability.to_lowercase())
                        .map(|m| spelled(m, &d.vulnerability, spelling))
                        .collect()
                })
                .unwrap_or_default();
            VexDecision::from_resolved(d, aliases)
        })
        .collect();
    decision::sort_decisions(&mut decisions);
    decisions
}
