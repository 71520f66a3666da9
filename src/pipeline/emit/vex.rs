//! VEX nodes and edges (SPEC §2 step 5): `vex-document` —asserts→ `vex-statement` —about→
//! `vulnerability` (—alias-of→ the group's name), `vex-statement` —applies-to→ `component` or
//! `artifact`, and one `verdict` per decision —decides→ the winner, —overrides→ every loser.
//!
//! A target is linked when a component has that (normalised) purl, or when it is a `sha256:`
//! digest (the artifact node is created if needed); for `product#subcomponent` both sides are
//! linked when they resolve. Any other target stays a field of the statement.

use super::{emit_artifact, fields};
use crate::graph::{EdgeType, GraphBuilder, NodeId, NodeKind};
use crate::pipeline::collect::{CollectedFile, Content};
use crate::pipeline::index::{ArtifactIndex, DigestAlgorithm, DigestKey};
use crate::pipeline::merge::{identity, MergedDocument, MergedStatement, VexDecision, VexMerge};
use crate::vex::statement::format_timestamp;
use crate::vex::target::normalize_target;
use rayon::prelude::*;
use serde_json::json;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Normalised purl → component node id (the smallest, when several components share it), for
/// the purls the statements of `files` may name: what [`emit_vex`] links targets to. Needs the
/// SBOMs emitted into `b`, not the merge: run it while the VEX merge runs.
pub fn component_targets(b: &GraphBuilder, files: &[CollectedFile]) -> ComponentTargets {
    let wanted: HashSet<&str> = files
        .iter()
        .flat_map(|f| &f.documents)
        .filter_map(|d| match &d.content {
            Content::Vex(vex) => Some(vex),
            _ => None,
        })
        .flat_map(|vex| &vex.statements)
        .flat_map(|s| lookup_keys(&s.target))
        .collect();
    ComponentTargets(component_purls(b, &wanted))
}

/// What [`component_targets`] found.
pub struct ComponentTargets(HashMap<String, NodeId>);

/// Adds the merged VEX of step 4 to the graph; `components` are the component nodes its
/// targets may name ([`component_targets`] over the same files).
pub fn emit_vex(
    b: &mut GraphBuilder,
    merge: &VexMerge,
    components: &ComponentTargets,
    index: &ArtifactIndex,
) {
    let components = &components.0;
    for doc in &merge.documents {
        emit_document(b, doc);
    }
    for s in &merge.statements {
        emit_statement(b, s);
        for node in target_nodes(b, &s.statement.target, components, index) {
            b.add_edge(&s.id, &node, EdgeType::AppliesTo);
        }
    }
    for v in &merge.vulnerabilities {
        let f = json!({"id": v.name, "group": v.group});
        b.add_node(v.id, NodeKind::Vulnerability, &v.name, fields(f), None);
        let group = identity::vulnerability_id(&v.group);
        if group != v.id {
            b.add_edge(&v.id, &group, EdgeType::AliasOf);
        }
    }
    for d in &merge.decisions {
        emit_verdict(b, d);
    }
}

/// Normalised purl → component node id (the smallest, when several components share it), for
/// the purls `wanted` holds: the only keys [`target_node`] looks up. A bundle has millions of
/// components and a few thousand VEX targets: only the matches are kept, and the components are
/// visited in parallel, part by part, without gathering their purls first.
fn component_purls(b: &GraphBuilder, wanted: &HashSet<&str>) -> HashMap<String, NodeId> {
    let matches: Vec<(String, NodeId)> = b
        .par_nodes_of_kind(NodeKind::Component)
        .filter_map(|node| {
            let purl = node.field_str("purl")?;
            let key = target_key_of_purl(&purl);
            wanted.contains(&*key).then(|| (key.into_owned(), node.id))
        })
        .collect();
    let mut out = HashMap::with_capacity(matches.len());
    for (purl, id) in matches {
        keep_smallest(&mut out, purl, id);
    }
    out
}

/// A component's purl as a VEX target. Collection stored it normalised by the same function
/// that normalises targets, so it is compared as it is (no second parse of a million purls);
/// only a purl that did not parse, kept as written, goes through the target rules.
fn target_key_of_purl(purl: &str) -> Cow<'_, str> {
    if purl.starts_with("pkg:") {
        Cow::Borrowed(purl.trim())
    } else {
        Cow::Owned(normalize_target(purl))
    }
}

/// Every string [`target_nodes`] may look up for `target`: itself, and both sides of its first
/// and last `#`.
fn lookup_keys(target: &str) -> impl Iterator<Item = &str> {
    let splits = [target.find('#'), target.rfind('#')];
    std::iter::once(target).chain(
        splits
            .into_iter()
            .flatten()
            .flat_map(move |i| [&target[..i], &target[i + 1..]]),
    )
}

/// Records `id` for `key` unless a smaller id is there already: the result does not depend
/// on the order of the calls.
fn keep_smallest<K: Eq + std::hash::Hash, S: std::hash::BuildHasher>(
    map: &mut HashMap<K, NodeId, S>,
    key: K,
    id: NodeId,
) {
    let slot = map.entry(key).or_insert(id);
    if id < *slot {
        *slot = id;
    }
}

fn emit_document(b: &mut GraphBuilder, doc: &MergedDocument) {
    let d = &doc.document;
    let label = format!(
        "{} ({})",
        d.issuer.as_deref().unwrap_or("unknown issuer"),
        format_name(d.format)
    );
    let f = json!({
        "format": d.format.as_str(), "documentId": d.id, "issuer": d.issuer,
        "issuerNamespace": d.issuer_namespace, "role": d.issuer_role,
        "timestamp": d.timestamp.as_ref().map(format_timestamp),
        "statementCount": d.statements.len(), "vexDigest": format!("sha256:{}", doc.digest),
        "authority": doc.claim.authority.as_str(), "authoritySource": doc.claim.source.as_str(),
        "authorityDetail": doc.claim.explanation,
    });
    let f = fields(f);
    for location in &doc.locations {
        b.add_node(
            doc.id,
            NodeKind::VexDocument,
            label.clone(),
            f.clone(),
            Some(location.clone()),
        );
    }
}

fn format_name(format: crate::vex::VexFormat) -> &'static str {
    match format {
        crate::vex::VexFormat::OpenVex => "OpenVEX",
        crate::vex::VexFormat::CycloneDx => "CycloneDX VEX",
        crate::vex::VexFormat::Csaf => "CSAF",
    }
}

fn emit_statement(b: &mut GraphBuilder, merged: &MergedStatement) {
    let s = &merged.statement;
    let label = format!("{} {} for {}", s.vulnerability, s.status, s.target);
    let f = json!({
        "vulnerability": s.vulnerability, "aliases": s.aliases, "target": s.target,
        "productRef": s.product_ref, "status": s.status.as_str(), "rawStatus": s.raw_status,
        "justification": s.justification, "impact": s.impact, "action": s.action,
        "timestamp": s.timestamp.as_ref().map(format_timestamp), "document": merged.document,
    });
    let f = fields(f);
    for location in &merged.locations {
        b.add_node(
            merged.id,
            NodeKind::VexStatement,
            label.clone(),
            f.clone(),
            Some(location.clone()),
        );
    }
    b.add_edge(&merged.document, &merged.id, EdgeType::Asserts);
    let vulnerability = identity::vulnerability_id(&s.vulnerability);
    b.add_edge(&merged.id, &vulnerability, EdgeType::About);
}

/// The component or artifact nodes a target names (see the module docs).
fn target_nodes(
    b: &mut GraphBuilder,
    target: &str,
    components: &HashMap<String, NodeId>,
    index: &ArtifactIndex,
) -> Vec<NodeId> {
    if let Some(node) = target_node(b, target, components, index) {
        return vec![node];
    }
    // `product#subcomponent`; a purl may itself hold a `#subpath`, so both the first and the
    // last `#` are tried (never more: hostile ids must not cost quadratic time).
    let mut out = Vec::new();
    for key in lookup_keys(target).skip(1) {
        out.extend(target_node(b, key, components, index));
    }
    out.sort();
    out.dedup();
    out
}

fn target_node(
    b: &mut GraphBuilder,
    target: &str,
    components: &HashMap<String, NodeId>,
    index: &ArtifactIndex,
) -> Option<NodeId> {
    if let Some(id) = components.get(target) {
        return Some(*id);
    }
    let digest = DigestKey::parse(target).ok()?;
    let prefixed = target
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("sha256:"));
    (prefixed && digest.algorithm == DigestAlgorithm::Sha256)
        .then(|| emit_artifact(b, &digest, None, index, None))
}

fn emit_verdict(b: &mut GraphBuilder, d: &VexDecision) {
    let label = format!("{} on {}: {}", d.vulnerability, d.target, d.status);
    let f = json!({
        "vulnerability": d.vulnerability, "aliases": d.aliases, "target": d.target,
        "status": d.status.as_str(), "rule": d.rule.as_str(), "winner": d.winner,
        "conflict": d.conflict, "reason": d.reason, "candidateCount": d.candidates.len(),
    });
    b.add_node(d.verdict, NodeKind::Verdict, label, fields(f), None);
    for c in &d.candidates {
        let kind = if c.winner {
            EdgeType::Decides
        } else {
            EdgeType::Overrides
        };
        b.add_edge(&d.verdict, &c.statement, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_keys_are_the_target_and_both_sides_of_its_first_and_last_hash() {
        fn keys(t: &str) -> Vec<&str> {
            lookup_keys(t).collect()
        }
        assert_eq!(keys("pkg:npm/a@1"), ["pkg:npm/a@1"]);
        assert_eq!(
            keys("sha256:ab#pkg:npm/a@1"),
            [
                "sha256:ab#pkg:npm/a@1",
                "sha256:ab",
                "pkg:npm/a@1",
                "sha256:ab",
                "pkg:npm/a@1"
            ]
        );
        assert_eq!(keys("p#q#r"), ["p#q#r", "p", "q#r", "p#q", "r"]);
    }

    #[test]
    fn only_wanted_purls_are_kept_and_the_smallest_id_wins() {
        let mut b = GraphBuilder::new();
        let add = |b: &mut GraphBuilder, n: u8, purl: &str| {
            let id = NodeId::of(&serde_json::json!(n));
            b.add_node(
                id,
                NodeKind::Component,
                "c",
                fields(json!({ "purl": purl })),
                None,
            );
            id
        };
        let a = add(&mut b, 1, "pkg:npm/left-pad@1.0.0");
        let c = add(&mut b, 2, "pkg:npm/left-pad@1.0.0");
        let mut part = GraphBuilder::new();
        add(&mut part, 3, "pkg:npm/unwanted@2");
        b.absorb(part);
        let wanted: HashSet<&str> = ["pkg:npm/left-pad@1.0.0"].into_iter().collect();
        let found = component_purls(&b, &wanted);
        assert_eq!(found.len(), 1);
        assert_eq!(found["pkg:npm/left-pad@1.0.0"], a.min(c));
    }

    #[test]
    fn a_stored_purl_is_its_own_target_key() {
        use crate::pipeline::normalise::normalise_purl;
        // What collection stores for a component is what a target normalises to.
        for raw in [
            "PKG:NPM/Left-Pad@1.0.0?os=linux&arch=x86",
            "pkg:pypi/Django_Rest@1.0",
            "pkg:maven/org.Apache/Commons@1#sub/path",
            "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126",
            "pkg:golang/github.com/Foo/Bar@v1.2.3%2Bincompatible",
            "pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386",
        ] {
            let stored = normalise_purl(raw).unwrap();
            assert_eq!(target_key_of_purl(&stored), normalize_target(raw), "{raw}");
        }
        // A purl that did not parse is kept as written; a digest in its place still lowercases.
        assert_eq!(
            target_key_of_purl("pkg:composer/no-namespace"),
            "pkg:composer/no-namespace"
        );
        let upper = format!("SHA256:{}", "AB".repeat(32));
        assert_eq!(
            target_key_of_purl(&upper),
            format!("sha256:{}", "ab".repeat(32))
        );
    }

    proptest::proptest! {
        /// A component's stored purl (normalised at collection) is the target key that the
        /// same purl written in a VEX document normalises to. (Normalising twice is not always
        /// a no-op — `pkg:composer/./-` prints as `pkg:composer//-`, which does not parse — so
        /// the stored form is used as it is, not normalised again.)
        #[test]
        fn a_stored_purl_meets_the_target_written_like_it(
            ty in "(npm|NPM|pypi|PyPI|maven|golang|deb|oci|github|generic|cargo|composer)",
            namespace in proptest::option::of("[A-Za-z0-9._%~ -]{1,8}(/[A-Za-z0-9._%-]{1,6})?"),
            name in "[A-Za-z0-9._%@~ +-]{1,12}",
            version in proptest::option::of("[A-Za-z0-9._%:+~ -]{1,10}"),
            qualifiers in proptest::collection::vec(("[A-Za-z][a-z0-9._-]{0,5}", "[A-Za-z0-9._%/:+ -]{0,8}"), 0..3),
            subpath in proptest::option::of("[A-Za-z0-9._%/-]{1,10}"),
        ) {
            let mut raw = format!("pkg:{ty}/");
            if let Some(ns) = namespace {
                raw.push_str(&ns);
                raw.push('/');
            }
            raw.push_str(&name);
            if let Some(v) = version {
                raw.push('@');
                raw.push_str(&v);
            }
            for (i, (k, v)) in qualifiers.iter().enumerate() {
                raw.push(if i == 0 { '?' } else { '&' });
                raw.push_str(&format!("{k}={v}"));
            }
            if let Some(sp) = subpath {
                raw.push('#');
                raw.push_str(&sp);
            }
            if let Ok(stored) = crate::pipeline::normalise::normalise_purl(&raw) {
                proptest::prop_assert_eq!(target_key_of_purl(&stored), normalize_target(&raw), "from {}", raw);
            }
        }
    }
}
