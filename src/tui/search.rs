//! The Graph filter's search index: every node's lowercased label and purl in one text, so a
//! filter keystroke is one SIMD substring scan instead of a lowercasing allocation per field per
//! node. A node matches when its label, id, kind or purl contains the filter, case-insensitively
//! (Unicode lowercase, exactly as `str::to_lowercase` compares).

use crate::graph::{EvidenceGraph, NodeKind};
use memchr::memmem::Finder;
use rayon::prelude::*;
use std::fmt;

/// Whether `needle` (lowercased) can occur in an id's text, `sha256:` and lowercase hex: most
/// filters cannot, and then no id is written out.
fn could_be_in_an_id(needle: &str) -> bool {
    needle
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b"sh:".contains(&b))
}

/// Appends `s` lowercased as `str::to_lowercase` lowercases it, without an allocation for the
/// usual ASCII text (a million nodes are indexed when a bundle has loaded).
fn push_lowercase(text: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        text.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        text.extend_from_slice(s.to_lowercase().as_bytes());
    }
}

/// Separates a node's fields in the text; a filter holding it falls back to a direct scan.
const FIELD_SEP: u8 = 0;

/// Nodes per parallel chunk of a full scan.
const CHUNK: usize = 1 << 15;

#[derive(Default)]
pub struct NodeSearch {
    /// Per node: lowercase label, `FIELD_SEP`, lowercase purl, `FIELD_SEP`.
    text: Vec<u8>,
    /// Start of each node's record in `text`, plus the end.
    starts: Vec<usize>,
    /// Every node's kind, by position.
    kinds: Vec<NodeKind>,
}

impl fmt::Debug for NodeSearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSearch")
            .field("nodes", &self.kinds.len())
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl NodeSearch {
    /// Indexes every node of `graph` (in parallel).
    pub fn build(graph: &EvidenceGraph) -> Self {
        let n = graph.node_count();
        let records: Vec<(Vec<u8>, Vec<usize>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut text = Vec::new();
                let mut lens = Vec::new();
                for p in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    let before = text.len();
                    if let Some(node) = graph.node_at(p) {
                        push_lowercase(&mut text, &node.label);
                        text.push(FIELD_SEP);
                        if let Some(purl) = node.field_str("purl") {
                            push_lowercase(&mut text, &purl);
                        }
                        text.push(FIELD_SEP);
                    }
                    lens.push(text.len() - before);
                }
                (text, lens)
            })
            .collect();
        let total: usize = records.iter().map(|(t, _)| t.len()).sum();
        let mut text = Vec::with_capacity(total);
        let mut starts = Vec::with_capacity(n + 1);
        for (t, lens) in records {
            let mut at = text.len();
            for len in lens {
                starts.push(at);
                at += len;
            }
            text.extend_from_slice(&t);
        }
        starts.push(text.len());
        let kinds = graph.nodes().map(|node| node.kind).collect();
        NodeSearch {
            text,
            starts,
            kinds,
        }
    }

    /// Number of nodes indexed.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Positions (ascending) of the nodes matching `needle` (already lowercased), looking only
    /// at `within` when given (positions ascending, e.g. the matches of a prefix of `needle`).
    pub fn matching(
        &self,
        graph: &EvidenceGraph,
        needle: &str,
        within: Option<&[usize]>,
    ) -> Vec<usize> {
        if needle.is_empty() {
            return match within {
                Some(w) => w.to_vec(),
                None => (0..self.len()).collect(),
            };
        }
        let kind_hit: Vec<NodeKind> = NodeKind::ALL
            .iter()
            .copied()
            .filter(|k| k.as_str().contains(needle))
            .collect();
        let ids_possible = could_be_in_an_id(needle);
        let finder = Finder::new(needle.as_bytes());
        let direct = needle.as_bytes().contains(&FIELD_SEP);
        let hit = |p: usize| -> bool {
            kind_hit.contains(&self.kinds[p])
                || (ids_possible && self.id_matches(graph, p, &finder))
                || if direct {
                    self.direct_matches(graph, p, needle)
                } else {
                    finder
                        .find(&self.text[self.starts[p]..self.starts[p + 1]])
                        .is_some()
                }
        };
        match within {
            Some(w) => w.par_iter().copied().filter(|p| hit(*p)).collect(),
            None if direct => (0..self.len())
                .into_par_iter()
                .filter(|p| hit(*p))
                .collect(),
            None => {
                let chunks: Vec<Vec<usize>> = (0..self.len().div_ceil(CHUNK))
                    .into_par_iter()
                    .map(|c| {
                        let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(self.len()));
                        self.scan(lo, hi, &finder, &hit)
                    })
                    .collect();
                chunks.concat()
            }
        }
    }

    /// Matches among nodes `lo..hi`: one substring scan of their text, then the nodes the scan
    /// skipped are checked for kind and id.
    fn scan(
        &self,
        lo: usize,
        hi: usize,
        finder: &Finder<'_>,
        hit: &(impl Fn(usize) -> bool + Sync),
    ) -> Vec<usize> {
        let base = self.starts[lo];
        let text = &self.text[base..self.starts[hi]];
        let mut out = Vec::new();
        let mut next = lo; // first node not yet decided
        let mut at = 0;
        while let Some(found) = finder.find(&text[at..]) {
            let offset = base + at + found;
            // The node holding `offset`: advance from `next`.
            let p = next + self.starts[next..=hi].partition_point(|s| *s <= offset) - 1;
            out.extend((next..p).filter(|q| hit(*q)));
            out.push(p);
            next = p + 1;
            if next >= hi {
                break;
            }
            at = self.starts[next] - base;
        }
        out.extend((next..hi).filter(|q| hit(*q)));
        out
    }

    fn id_matches(&self, graph: &EvidenceGraph, p: usize, finder: &Finder<'_>) -> bool {
        graph
            .node_at(p)
            .is_some_and(|n| finder.find(n.id.text().as_bytes()).is_some())
    }

    /// The plain comparison, for a filter holding the field separator.
    fn direct_matches(&self, graph: &EvidenceGraph, p: usize, needle: &str) -> bool {
        graph.node_at(p).is_some_and(|n| {
            n.label.to_lowercase().contains(needle)
                || n.field_str("purl")
                    .is_some_and(|s| s.to_lowercase().contains(needle))
        })
    }

    /// Groups positions (ascending) by kind, kinds in order.
    pub fn group(&self, positions: &[usize]) -> Vec<(NodeKind, Vec<usize>)> {
        let mut groups: Vec<(NodeKind, Vec<usize>)> = Vec::new();
        for &p in positions {
            let kind = self.kinds[p];
            match groups.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, v)) => v.push(p),
                None => groups.push((kind, vec![p])),
            }
        }
        groups.sort_by_key(|(k, _)| *k);
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphBuilder;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn graph() -> EvidenceGraph {
        let mut b = GraphBuilder::new();
        for name in ["zlib", "openssl"] {
            let id = crate::graph::NodeId::of(&json!(name));
            b.add_node(id, NodeKind::Component, name, BTreeMap::new(), None);
        }
        b.finish()
    }

    #[test]
    fn ids_match_by_their_text_and_only_hex_like_filters_look_at_them() {
        let g = graph();
        let search = NodeSearch::build(&g);
        let second = g.node_at(1).unwrap().id.to_string();
        assert_eq!(search.matching(&g, &second[7..20], None), [1]);
        assert_eq!(search.matching(&g, "sha256:", None), [0, 1]);
        assert_eq!(search.matching(&g, "zlib", None).len(), 1);
        assert!(could_be_in_an_id("sha256:0f"));
        let mut text = Vec::new();
        push_lowercase(&mut text, "Zlib-ÄÖ İ");
        assert_eq!(text, "Zlib-ÄÖ İ".to_lowercase().as_bytes());
        assert!(!could_be_in_an_id("zlib"));
    }
}
