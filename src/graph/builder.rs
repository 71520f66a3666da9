use super::model::{Edge, EdgeType, EvidenceGraph, Location, Node, NodeId, NodeKind};
use super::GRAPH_VERSION;
use petgraph::graph::DiGraph;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Collects nodes and edges in any order and emits a sorted, digested [`EvidenceGraph`].
///
/// Adding the same node id twice merges the two: locations are united and fields are merged
/// by [`merge_values`], which is commutative and associative, so the result never depends on
/// the order in which files were read.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: BTreeMap<NodeId, Node>,
    edges: BTreeSet<Edge>,
}

impl GraphBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or merges into) a node and returns its id.
    pub fn add_node(
        &mut self,
        id: NodeId,
        kind: NodeKind,
        label: impl Into<String>,
        fields: BTreeMap<String, Value>,
        location: Option<Location>,
    ) -> NodeId {
        let label = label.into();
        match self.nodes.get_mut(&id) {
            Some(existing) => {
                if label < existing.label {
                    existing.label = label;
                }
                for (k, v) in fields {
                    match existing.fields.get_mut(&k) {
                        Some(old) => *old = merge_values(old, &v),
                        None => {
                            existing.fields.insert(k, v);
                        }
                    }
                }
                existing.locations.extend(location);
            }
            None => {
                let node = Node {
                    id: id.clone(),
                    kind,
                    label,
                    fields,
                    locations: location.into_iter().collect(),
                };
                self.nodes.insert(id.clone(), node);
            }
        }
        id
    }

    pub fn add_edge(&mut self, source: &NodeId, target: &NodeId, kind: EdgeType) {
        self.edges.insert(Edge {
            source: source.clone(),
            target: target.clone(),
            kind,
        });
    }

    pub fn contains(&self, id: &NodeId) -> bool {
        self.nodes.contains_key(id)
    }

    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Sorts, drops edges whose ends are unknown, builds the petgraph and the root digest.
    pub fn finish(self) -> EvidenceGraph {
        let mut graph = DiGraph::with_capacity(self.nodes.len(), self.edges.len());
        let mut index = HashMap::with_capacity(self.nodes.len());
        let mut kind_counts = BTreeMap::new();
        for (id, node) in self.nodes {
            *kind_counts.entry(node.kind).or_insert(0) += 1;
            let ix = graph.add_node(node);
            index.insert(id, ix);
        }
        let edges: Vec<Edge> = self
            .edges
            .into_iter()
            .filter(|e| index.contains_key(&e.source) && index.contains_key(&e.target))
            .collect();
        for e in &edges {
            graph.add_edge(index[&e.source], index[&e.target], e.kind);
        }
        let root_digest = compute_root_digest(graph.node_weights(), &edges);
        EvidenceGraph {
            graph,
            index,
            edges,
            root_digest,
            kind_counts,
        }
    }
}

/// `sha256:` + SHA-256 of the JCS form of `{version, digestAlgorithm, nodes, edges}`.
pub fn compute_root_digest<'a>(nodes: impl Iterator<Item = &'a Node>, edges: &[Edge]) -> String {
    let doc = json!({
        "version": GRAPH_VERSION,
        "digestAlgorithm": "sha256",
        "nodes": nodes.map(Node::to_json).collect::<Vec<_>>(),
        "edges": edges.iter().map(|e| json!({"source": e.source, "target": e.target, "type": e.kind})).collect::<Vec<_>>(),
    });
    format!("sha256:{}", crate::json::jcs::sha256_hex(&doc))
}

/// Merges two field values order-independently: arrays are united (sorted by canonical form,
/// deduplicated), objects merge key by key, and differing scalars keep the canonically smaller.
pub fn merge_values(a: &Value, b: &Value) -> Value {
    use crate::json::jcs::canonical_string;
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            let mut all: BTreeMap<String, Value> = BTreeMap::new();
            for v in x.iter().chain(y) {
                all.insert(canonical_string(v), v.clone());
            }
            Value::Array(all.into_values().collect())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let merged = match out.get(k) {
                    Some(old) => merge_values(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ if a == b => a.clone(),
        (Value::Null, other) | (other, Value::Null) => other.clone(),
        _ => {
            if canonical_string(a) <= canonical_string(b) {
                a.clone()
            } else {
                b.clone()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: Value) -> BTreeMap<String, Value> {
        v.as_object().unwrap().clone().into_iter().collect()
    }

    #[test]
    fn insertion_order_does_not_change_the_root_digest() {
        let a = NodeId::of(&json!("a"));
        let b = NodeId::of(&json!("b"));
        let mut g1 = GraphBuilder::new();
        g1.add_node(
            a.clone(),
            NodeKind::Sbom,
            "a",
            fields(json!({"x": [1]})),
            None,
        );
        g1.add_node(b.clone(), NodeKind::Component, "b", fields(json!({})), None);
        g1.add_node(
            a.clone(),
            NodeKind::Sbom,
            "a",
            fields(json!({"x": [2]})),
            None,
        );
        g1.add_edge(&a, &b, EdgeType::Contains);
        let mut g2 = GraphBuilder::new();
        g2.add_edge(&a, &b, EdgeType::Contains);
        g2.add_node(b.clone(), NodeKind::Component, "b", fields(json!({})), None);
        g2.add_node(
            a.clone(),
            NodeKind::Sbom,
            "a",
            fields(json!({"x": [2]})),
            None,
        );
        g2.add_node(
            a.clone(),
            NodeKind::Sbom,
            "a",
            fields(json!({"x": [1]})),
            None,
        );
        let (g1, g2) = (g1.finish(), g2.finish());
        assert_eq!(g1.root_digest(), g2.root_digest());
        assert_eq!(g1.node(&a).unwrap().fields["x"], json!([1, 2]));
    }

    #[test]
    fn locations_do_not_enter_the_root_digest() {
        let a = NodeId::of(&json!("a"));
        let mut g1 = GraphBuilder::new();
        g1.add_node(
            a.clone(),
            NodeKind::Sbom,
            "a",
            BTreeMap::new(),
            Some(Location {
                file: "x".into(),
                pointer: "".into(),
            }),
        );
        let mut g2 = GraphBuilder::new();
        g2.add_node(
            a,
            NodeKind::Sbom,
            "a",
            BTreeMap::new(),
            Some(Location {
                file: "y".into(),
                pointer: "".into(),
            }),
        );
        assert_eq!(g1.finish().root_digest(), g2.finish().root_digest());
    }

    #[test]
    fn dangling_edges_are_dropped() {
        let a = NodeId::of(&json!("a"));
        let mut g = GraphBuilder::new();
        g.add_node(a.clone(), NodeKind::Sbom, "a", BTreeMap::new(), None);
        g.add_edge(&a, &NodeId::of(&json!("nowhere")), EdgeType::Contains);
        assert!(g.finish().edges().is_empty());
    }

    #[test]
    fn merge_is_commutative_on_scalars() {
        let (a, b) = (json!("x"), json!("y"));
        assert_eq!(merge_values(&a, &b), merge_values(&b, &a));
    }
}
