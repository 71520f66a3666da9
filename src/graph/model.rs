use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// A node id: `sha256:<64 lowercase hex>`, derived from content only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeId(pub String);

impl NodeId {
    /// Derives an id from a JSON identity value (SHA-256 of its JCS form).
    pub fn of(identity: &Value) -> NodeId {
        NodeId(format!("sha256:{}", crate::json::jcs::sha256_hex(identity)))
    }

    /// Wraps an already normalised `sha256:<hex>` digest.
    pub fn from_digest_hex(hex: &str) -> NodeId {
        NodeId(format!("sha256:{hex}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, for compact display.
    pub fn short(&self) -> &str {
        let hex = self.0.strip_prefix("sha256:").unwrap_or(&self.0);
        &hex[..hex.len().min(12)]
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant),* }
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The stable spelling used in JSON.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(
    /// What a node stands for (SPEC §2).
    NodeKind {
        Artifact => "artifact",
        Sbom => "sbom",
        Component => "component",
        Attestation => "attestation",
        VexDocument => "vex-document",
        VexStatement => "vex-statement",
        Vulnerability => "vulnerability",
        Verdict => "verdict",
        Key => "key",
        Export => "export",
        Manifest => "manifest",
    }
);

string_enum!(
    /// How two nodes relate (SPEC §2, plus `includes` for component nesting and `carries` for a
    /// document carried as an attestation predicate).
    EdgeType {
        Describes => "describes",
        Contains => "contains",
        DependsOn => "depends-on",
        Includes => "includes",
        Attests => "attests",
        Carries => "carries",
        SignedBy => "signed-by",
        Asserts => "asserts",
        About => "about",
        AppliesTo => "applies-to",
        AliasOf => "alias-of",
        Decides => "decides",
        Overrides => "overrides",
        Exports => "exports",
    }
);

/// Where a node's content was found: a bundle path and a JSON pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub pointer: String,
}

/// One node of the evidence graph. `fields` are the kind-specific, content-derived attributes
/// that enter the root digest; `locations` do not.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub kind: NodeKind,
    pub label: String,
    pub fields: BTreeMap<String, Value>,
    pub locations: BTreeSet<Location>,
}

impl Node {
    /// The node as it appears in `nodes[]` (and in the root digest): id, kind, label, fields.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.fields {
            m.insert(k.clone(), v.clone());
        }
        m.insert("id".into(), Value::String(self.id.0.clone()));
        m.insert("kind".into(), Value::String(self.kind.as_str().into()));
        m.insert("label".into(), Value::String(self.label.clone()));
        Value::Object(m)
    }

    /// A string field, if present.
    pub fn field_str(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// A typed, directed edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    pub source: NodeId,
    pub target: NodeId,
    #[serde(rename = "type")]
    pub kind: EdgeType,
}

/// The emitted graph: nodes sorted by id, edges by `(source, target, type)`, on petgraph.
#[derive(Debug, Clone)]
pub struct EvidenceGraph {
    pub(crate) graph: DiGraph<Node, EdgeType>,
    pub(crate) index: HashMap<NodeId, NodeIndex>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) root_digest: String,
    /// Nodes per kind, counted once when the graph is built (views read it every frame).
    pub(crate) kind_counts: BTreeMap<NodeKind, usize>,
}

impl EvidenceGraph {
    /// `sha256:<hex>` over the JCS form of `{version, digestAlgorithm, nodes, edges}`.
    pub fn root_digest(&self) -> &str {
        &self.root_digest
    }

    /// Nodes in id order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.graph.node_weights()
    }

    /// Edges in `(source, target, type)` order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The node at position `i` of the id order.
    pub fn node_at(&self, i: usize) -> Option<&Node> {
        self.graph.node_weight(NodeIndex::new(i))
    }

    /// The position of `id` in the id order.
    pub fn position(&self, id: &NodeId) -> Option<usize> {
        self.index.get(id).map(|ix| ix.index())
    }

    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.index.get(id).map(|ix| &self.graph[*ix])
    }

    /// Edges leaving `id`, sorted by (target, type).
    pub fn outgoing(&self, id: &NodeId) -> Vec<&Edge> {
        self.adjacent(id, petgraph::Direction::Outgoing)
    }

    /// Edges arriving at `id`, sorted by (source, type).
    pub fn incoming(&self, id: &NodeId) -> Vec<&Edge> {
        self.adjacent(id, petgraph::Direction::Incoming)
    }

    /// Adjacent edges through petgraph's adjacency lists: O(degree), not O(edges).
    fn adjacent(&self, id: &NodeId, dir: petgraph::Direction) -> Vec<&Edge> {
        use petgraph::visit::EdgeRef;
        let Some(ix) = self.index.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<&Edge> = self
            .graph
            .edges_directed(*ix, dir)
            .map(|e| &self.edges[e.id().index()])
            .collect();
        out.sort();
        out
    }

    /// Number of nodes per kind (counted once, when the graph was built).
    pub fn counts_by_kind(&self) -> &BTreeMap<NodeKind, usize> {
        &self.kind_counts
    }

    /// Number of nodes of one kind.
    pub fn count_of(&self, kind: NodeKind) -> usize {
        self.kind_counts.get(&kind).copied().unwrap_or(0)
    }

    /// The underlying petgraph, for traversals.
    pub fn petgraph(&self) -> &DiGraph<Node, EdgeType> {
        &self.graph
    }
}
