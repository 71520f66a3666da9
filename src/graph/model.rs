use super::fields::Fields;
use super::text::Text;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A node id: the SHA-256 digest of content, written `sha256:<64 lowercase hex>`.
///
/// Held as the 32 digest bytes (no heap string, no text): a graph of millions of nodes and
/// edges copies and compares ids constantly. Byte order is the order of the text form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeId([u8; 32]);

const ID_PREFIX: &[u8; 7] = b"sha256:";

impl NodeId {
    /// Length of the text form: `sha256:` and 64 hex digits.
    pub const LEN: usize = 71;

    /// Derives an id from a JSON identity value (SHA-256 of its JCS form).
    pub fn of(identity: &Value) -> NodeId {
        Self::of_canonical(&crate::json::jcs::canonical_bytes(identity))
    }

    /// The id of an identity already written in canonical (JCS) form.
    pub fn of_canonical(canonical: &[u8]) -> NodeId {
        use sha2::{Digest, Sha256};
        Self::from_digest(Sha256::digest(canonical).into())
    }

    /// The id of a raw SHA-256 digest.
    pub fn from_digest(digest: [u8; 32]) -> NodeId {
        NodeId(digest)
    }

    /// Wraps an already normalised digest given as 64 hex digits. Anything else (which the
    /// pipeline never produces) is hashed, so that an id is always well formed.
    pub fn from_digest_hex(hex: &str) -> NodeId {
        Self::decode_lowercase_hex(hex).unwrap_or_else(|| Self::of_canonical(hex.as_bytes()))
    }

    fn decode_lowercase_hex(hex: &str) -> Option<NodeId> {
        let lowercase =
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let mut digest = [0u8; 32];
        (lowercase && hex::decode_to_slice(hex, &mut digest).is_ok()).then_some(NodeId(digest))
    }

    /// An id given as text (`sha256:<hex>`, as printed); `None` if it is not one.
    pub fn parse(text: &str) -> Option<NodeId> {
        Self::decode_lowercase_hex(text.strip_prefix("sha256:")?)
    }

    /// An id from text that should already be one; other text is hashed into an id.
    pub fn from_text(text: &str) -> NodeId {
        Self::parse(text).unwrap_or_else(|| Self::of_canonical(text.as_bytes()))
    }

    /// The digest's first byte: ids in the order of this byte are in the order of the ids.
    pub fn leading_byte(&self) -> u8 {
        self.0[0]
    }

    /// The first 8 digest bytes as a number that orders like the ids: sorting by it first and
    /// by the whole id on ties is sorting by id, with cheaper comparisons.
    pub fn order_prefix(&self) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(word)
    }

    /// The text form, `sha256:<hex>`, on the stack.
    pub fn text(&self) -> IdText {
        let mut text = [0u8; Self::LEN];
        text[..7].copy_from_slice(ID_PREFIX);
        // Encoding 32 bytes into 64 bytes of room cannot fail.
        let _ = const_hex::encode_to_slice(self.0, &mut text[7..]);
        IdText(text)
    }

    /// The first 12 hex digits, for compact display.
    pub fn short(&self) -> String {
        self.text()[7..19].to_string()
    }
}

/// A [`NodeId`] written out: `sha256:` and 64 lowercase hex digits.
#[derive(Clone, Copy)]
pub struct IdText([u8; NodeId::LEN]);

impl IdText {
    /// The text's bytes (ASCII), without the UTF-8 check [`IdText::as_str`] makes: the root
    /// digest writes millions of ids.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for IdText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::hash::Hash for NodeId {
    /// Ids are digests: 8 bytes are as good a hash key as all 32.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(word));
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.text())
    }
}

impl Serialize for NodeId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.text().as_str())
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
    /// Shared by every location in one file (an SBOM's components are most of a graph).
    pub file: Arc<str>,
    pub pointer: Text,
}

/// A node's locations: held in the node when there is one, as for most nodes (a million
/// components would otherwise cost a million small allocations).
pub type Locations = smallvec::SmallVec<[Location; 1]>;

/// One node of the evidence graph. `fields` are the kind-specific, content-derived attributes
/// that enter the root digest; `locations` do not.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub kind: NodeKind,
    pub label: Text,
    pub fields: Fields,
    /// Sorted, without repeats.
    pub locations: Locations,
}

impl Node {
    /// The node as it appears in `nodes[]` (and in the root digest): id, kind, label, fields.
    pub fn to_json(&self) -> Value {
        let mut m = self.fields.to_map();
        m.insert("id".into(), Value::String(self.id.to_string()));
        m.insert("kind".into(), Value::String(self.kind.as_str().into()));
        m.insert("label".into(), Value::String(self.label.to_string()));
        Value::Object(m)
    }

    /// A string field, if present.
    pub fn field_str(&self, name: &str) -> Option<Cow<'_, str>> {
        self.fields.get_str(name)
    }
}

/// A typed, directed edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    pub source: NodeId,
    pub target: NodeId,
    #[serde(rename = "type")]
    pub kind: EdgeType,
}

/// The emitted graph: nodes sorted by id, edges by `(source, target, type)`, on petgraph. Node
/// `i` of the id order is petgraph's node index `i`, and edge `j` of the edge order its edge
/// index `j`.
#[derive(Debug, Clone)]
pub struct EvidenceGraph {
    pub(crate) graph: DiGraph<Node, EdgeType>,
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
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = &Node> + '_ {
        self.graph.raw_nodes().iter().map(|n| &n.weight)
    }

    /// Edges in `(source, target, type)` order.
    pub fn edges(&self) -> impl ExactSizeIterator<Item = Edge> + '_ {
        self.graph.raw_edges().iter().map(|e| self.edge_of(e))
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    fn edge_of(&self, e: &petgraph::graph::Edge<EdgeType>) -> Edge {
        Edge {
            source: self.graph[e.source()].id,
            target: self.graph[e.target()].id,
            kind: e.weight,
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The node at position `i` of the id order.
    pub fn node_at(&self, i: usize) -> Option<&Node> {
        self.graph.node_weight(NodeIndex::new(i))
    }

    /// The position of `id` in the id order (a binary search: nodes are sorted by id).
    pub fn position(&self, id: &NodeId) -> Option<usize> {
        self.graph
            .raw_nodes()
            .binary_search_by(|n| n.weight.id.cmp(id))
            .ok()
    }

    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.position(id).and_then(|i| self.node_at(i))
    }

    /// Edges leaving `id`, sorted by (target, type).
    pub fn outgoing(&self, id: &NodeId) -> Vec<Edge> {
        self.adjacent(id, petgraph::Direction::Outgoing)
    }

    /// Edges arriving at `id`, sorted by (source, type).
    pub fn incoming(&self, id: &NodeId) -> Vec<Edge> {
        self.adjacent(id, petgraph::Direction::Incoming)
    }

    /// `(type, position of the other end)` of the edges leaving (`outgoing`) or arriving at the
    /// node at `position`, sorted by that position, then type (the id order of the other end):
    /// no id is copied or looked up, for views that redraw them every frame.
    pub fn adjacent_positions(&self, position: usize, outgoing: bool) -> Vec<(EdgeType, usize)> {
        use petgraph::visit::EdgeRef;
        let dir = if outgoing {
            petgraph::Direction::Outgoing
        } else {
            petgraph::Direction::Incoming
        };
        if position >= self.graph.node_count() {
            return Vec::new();
        }
        let mut out: Vec<(usize, EdgeType)> = self
            .graph
            .edges_directed(NodeIndex::new(position), dir)
            .map(|e| {
                let other = if outgoing { e.target() } else { e.source() };
                (other.index(), *e.weight())
            })
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(p, kind)| (kind, p)).collect()
    }

    /// Adjacent edges through petgraph's adjacency lists: O(degree), not O(edges).
    fn adjacent(&self, id: &NodeId, dir: petgraph::Direction) -> Vec<Edge> {
        use petgraph::visit::EdgeRef;
        let Some(position) = self.position(id) else {
            return Vec::new();
        };
        let mut out: Vec<Edge> = self
            .graph
            .edges_directed(NodeIndex::new(position), dir)
            .map(|e| Edge {
                source: self.graph[e.source()].id,
                target: self.graph[e.target()].id,
                kind: *e.weight(),
            })
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
