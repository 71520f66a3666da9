use super::fields::Fields;
use super::model::{EdgeType, EvidenceGraph, IdText, Location, Node, NodeId, NodeKind};
use super::text::Text;
use super::GRAPH_VERSION;
use petgraph::graph::DiGraph;
use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Collects nodes and edges in any order and emits a sorted, digested [`EvidenceGraph`].
///
/// Adding the same node id twice merges the two: locations are united and fields are merged
/// by [`merge_values`], which is commutative and associative, so the result never depends on
/// the order in which files were read.
///
/// Ids are numbered as they are met, so edges are stored as pairs of numbers. A number names
/// the id's shard (its leading bits) and its place there: each shard of each builder holds its
/// ids in the order met, with their nodes. Builders filled in parallel are
/// [absorbed](GraphBuilder::absorb) as they are; merging nodes met in several, and sorting,
/// happen once, shard by shard in parallel, in [`GraphBuilder::finish`], which takes each
/// shard's nodes where they are instead of copying them out first.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    /// Every id met, as a node or as an edge's end, with its number, until the builder is
    /// [sealed](GraphBuilder::seal). (Node ids are digests already: a fast, seeded hasher is
    /// enough.)
    ids: HashMap<NodeId, u32, foldhash::fast::RandomState>,
    /// [`SHARDS`] lists (none before the first id) of the ids met, each with its node once one
    /// was added.
    shards: Vec<Vec<Slot>>,
    /// Edges as added, duplicates included.
    edges: Vec<(u32, u32, EdgeType)>,
    /// Builders absorbed, each with its own numbering.
    absorbed: Vec<GraphBuilder>,
}

/// An id met in a builder: its node, or only the id (an edge end without a node there).
#[derive(Debug)]
enum Slot {
    Node(Node),
    Id(NodeId),
}

impl Slot {
    fn id(&self) -> &NodeId {
        match self {
            Slot::Node(node) => &node.id,
            Slot::Id(id) => id,
        }
    }

    fn node(&self) -> Option<&Node> {
        match self {
            Slot::Node(node) => Some(node),
            Slot::Id(_) => None,
        }
    }

    /// Takes the node out, leaving the id.
    fn take_node(&mut self) -> Option<Node> {
        let id = *self.id();
        match std::mem::replace(self, Slot::Id(id)) {
            Slot::Node(node) => Some(node),
            Slot::Id(_) => None,
        }
    }
}

/// Node ids are uniform digests, so their leading bits spread them evenly over this many
/// shards; and the shards in order hold the ids in order.
const SHARDS: usize = 64;
/// A number is `shard << INDEX_BITS | place in the shard`.
const INDEX_BITS: u32 = 26;
/// Places run below this in a shard; `u32::MAX` is then never a number. (One shard of one
/// builder would need 2^26 ids: over 4 billion ids in all, far beyond a bundle's 16 GiB.)
const PLACE_LIMIT: usize = (1 << INDEX_BITS) - 1;
/// The number of an id that could not be given one: its node and edges are left out.
const NO_NUMBER: u32 = u32::MAX;

fn shard_of(id: &NodeId) -> usize {
    usize::from(id.leading_byte()) * SHARDS / 256
}

/// `(shard, place)` of a number.
fn split_number(n: u32) -> (usize, usize) {
    (
        (n >> INDEX_BITS) as usize,
        (n & ((1 << INDEX_BITS) - 1)) as usize,
    )
}

impl GraphBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn number(&mut self, id: &NodeId) -> u32 {
        use std::collections::hash_map::Entry;
        match self.ids.entry(*id) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                if self.shards.is_empty() {
                    self.shards.resize_with(SHARDS, Vec::new);
                }
                let shard = shard_of(id);
                let slots = &mut self.shards[shard];
                if slots.len() >= PLACE_LIMIT {
                    return NO_NUMBER;
                }
                let n = (shard as u32) << INDEX_BITS | slots.len() as u32;
                slots.push(Slot::Id(*id));
                *e.insert(n)
            }
        }
    }

    fn slot_mut(&mut self, n: u32) -> Option<&mut Slot> {
        let (shard, place) = split_number(n);
        self.shards.get_mut(shard)?.get_mut(place)
    }

    /// Adds (or merges into) a node and returns its id.
    pub fn add_node(
        &mut self,
        id: NodeId,
        kind: NodeKind,
        label: impl Into<Text>,
        fields: impl Into<Fields>,
        location: Option<Location>,
    ) -> NodeId {
        let node = Node {
            id,
            kind,
            label: label.into(),
            fields: fields.into(),
            locations: location.into_iter().collect(),
        };
        let n = self.number(&id);
        if let Some(slot) = self.slot_mut(n) {
            place(slot, node);
        }
        id
    }

    /// Takes in everything `other` holds, as if its nodes and edges had been added here (node
    /// merging is commutative and associative): parts of a graph can be built in parallel.
    pub fn absorb(&mut self, mut other: GraphBuilder) {
        self.absorbed.append(&mut other.absorbed);
        other.seal();
        self.absorbed.push(other);
    }

    /// Frees the id map of a builder that is complete: every number's id is in its slot.
    /// Millions of ids are spread over a bundle's parts, and the map cost more than the ids
    /// themselves. Anything added afterwards gets numbers of its own, which
    /// [`GraphBuilder::finish`] merges by id like any other.
    pub fn seal(&mut self) {
        self.ids = HashMap::default();
        for slots in &mut self.shards {
            slots.shrink_to_fit();
        }
        self.edges.shrink_to_fit();
    }

    /// Every node of `kind` added so far, here and in absorbed builders (a node met in several
    /// parts once per part, unmerged), visited in parallel part by part.
    pub fn par_nodes_of_kind(&self, kind: NodeKind) -> impl ParallelIterator<Item = &Node> + '_ {
        let parts: Vec<&GraphBuilder> = std::iter::once(self).chain(&self.absorbed).collect();
        parts.into_par_iter().flat_map_iter(move |part| {
            part.shards
                .iter()
                .flatten()
                .filter_map(Slot::node)
                .filter(move |node| node.kind == kind)
        })
    }

    pub fn add_edge(&mut self, source: &NodeId, target: &NodeId, kind: EdgeType) {
        let edge = (self.number(source), self.number(target), kind);
        self.edges.push(edge);
    }

    /// Merges the parts, sorts, drops edges whose ends are unknown, builds the petgraph and the
    /// root digest. The root digest's edges are hashed while the petgraph is being filled: the
    /// hash is one sequential stream, and filling the graph is too.
    pub fn finish(mut self) -> EvidenceGraph {
        let mut parts = std::mem::take(&mut self.absorbed);
        parts.push(self);
        let (merged, ranks) = merge_shards(&mut parts);
        // Sorting by the positions of the ends (then type) is sorting by (source, target, type).
        let mut keyed: Vec<(u32, u32, EdgeType)> = parts
            .par_iter_mut()
            .zip(ranks.par_iter())
            .flat_map_iter(|(part, ranks)| {
                std::mem::take(&mut part.edges)
                    .into_iter()
                    .filter_map(move |(s, t, kind)| Some((ranks.of(s)?, ranks.of(t)?, kind)))
            })
            .collect();
        drop((parts, ranks));
        keyed.par_sort_unstable();
        keyed.dedup();
        let ids: Vec<NodeId> = merged
            .iter()
            .flat_map(|m| m.nodes.iter().map(|n| n.id))
            .collect();
        let (graph, mut hasher) = rayon::join(
            || petgraph_of(merged, &keyed),
            || root_digest_through_edges(&ids, &keyed),
        );
        drop((ids, keyed));
        let root_digest = finish_root_digest(&mut hasher, &graph);
        let mut kind_counts = BTreeMap::new();
        for node in graph.node_weights() {
            *kind_counts.entry(node.kind).or_insert(0) += 1;
        }
        EvidenceGraph {
            graph,
            root_digest,
            kind_counts,
        }
    }
}

/// The position in the merged node order of each number of one part.
struct PartRanks {
    /// Where each shard's places start in `ranks`.
    starts: [u32; SHARDS],
    /// `u32::MAX` for an id no part has a node for.
    ranks: Vec<u32>,
}

impl PartRanks {
    fn of(&self, n: u32) -> Option<u32> {
        let (shard, place) = split_number(n);
        let start = *self.starts.get(shard)? as usize;
        self.ranks
            .get(start + place)
            .copied()
            .filter(|r| *r != u32::MAX)
    }
}

/// One shard's slots from every part that has any: `(part, slots)`.
type ShardInput = Vec<(u32, Vec<Slot>)>;

/// What merging one shard gives: its nodes, merged and sorted by id, and `(part, place,
/// position among these nodes)` of every numbered id that has a node.
struct MergedShard {
    nodes: Vec<Node>,
    positions: Vec<(u32, u32, u32)>,
}

/// Every node of every part, merged by id and sorted by id (shard by shard, shards in order);
/// and for each part, the position in that order of each of its numbers (`u32::MAX` for an id
/// no part has a node for).
///
/// The parts' slot lists are handed to their shards as they are (no node is moved for that);
/// each shard then sorts and merges its slots (in parallel).
fn merge_shards(parts: &mut [GraphBuilder]) -> (Vec<MergedShard>, Vec<PartRanks>) {
    let mut inputs: Vec<ShardInput> = (0..SHARDS).map(|_| Vec::new()).collect();
    let mut ranks: Vec<PartRanks> = Vec::with_capacity(parts.len());
    for (p, part) in parts.iter_mut().enumerate() {
        let mut starts = [0u32; SHARDS];
        let mut total = 0usize;
        for (shard, slots) in part.shards.iter_mut().enumerate() {
            starts[shard] = total as u32;
            total += slots.len();
            if !slots.is_empty() {
                inputs[shard].push((p as u32, std::mem::take(slots)));
            }
        }
        ranks.push(PartRanks {
            starts,
            ranks: vec![u32::MAX; total],
        });
    }
    let merged: Vec<MergedShard> = inputs.into_par_iter().map(merge_shard).collect();
    let mut offset = 0u32;
    for (shard, merged) in merged.iter().enumerate() {
        for &(part, place, position) in &merged.positions {
            let part = &mut ranks[part as usize];
            let start = part.starts[shard] as usize;
            part.ranks[start + place as usize] = offset + position;
        }
        offset += merged.nodes.len() as u32;
    }
    (merged, ranks)
}

/// The petgraph of the merged nodes (moved in, in order) and the sorted edges.
fn petgraph_of(
    merged: Vec<MergedShard>,
    edges: &[(u32, u32, EdgeType)],
) -> DiGraph<Node, EdgeType> {
    let total = merged.iter().map(|m| m.nodes.len()).sum();
    let mut graph = DiGraph::with_capacity(total, edges.len());
    for shard in merged {
        for node in shard.nodes {
            graph.add_node(node);
        }
    }
    for &(source, target, kind) in edges {
        graph.add_edge(
            NodeIndex::new(source as usize),
            NodeIndex::new(target as usize),
            kind,
        );
    }
    graph
}

/// Sorts one shard's slots by id and merges the nodes of each id (merging is commutative and
/// associative: the order within an id does not matter).
fn merge_shard(mut input: ShardInput) -> MergedShard {
    // Sorting small keys, not the slots (a slot carries a whole node), and leaving the slots
    // where they are: (the id's order prefix, list, place in the list). Equal prefixes are rare
    // but for equal ids; the whole ids decide them.
    let mut order: Vec<(u64, u32, u32)> = input
        .iter()
        .enumerate()
        .flat_map(|(b, (_, slots))| {
            slots
                .iter()
                .enumerate()
                .map(move |(i, slot)| (slot.id().order_prefix(), b as u32, i as u32))
        })
        .collect();
    let id_at = |key: &(u64, u32, u32)| input[key.1 as usize].1[key.2 as usize].id();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| id_at(a).cmp(id_at(b))));
    let ends = group_ends(&order, |a, b| a.0 == b.0 && id_at(a) == id_at(b));
    let mut nodes = Vec::with_capacity(ends.len());
    let mut positions = Vec::with_capacity(order.len());
    let mut start = 0;
    for end in ends {
        let group = &order[start..end];
        start = end;
        let mut merged: Option<Node> = None;
        for &(_, b, i) in group {
            if let Some(node) = input[b as usize].1[i as usize].take_node() {
                match &mut merged {
                    Some(existing) => merge_into(existing, node),
                    None => merged = Some(node),
                }
            }
        }
        if let Some(node) = merged {
            let position = nodes.len() as u32;
            positions.extend(
                group
                    .iter()
                    .map(|&(_, b, i)| (input[b as usize].0, i, position)),
            );
            nodes.push(node);
        }
    }
    MergedShard { nodes, positions }
}

/// The end (exclusive) of each run of `items` that `same` holds for, pair by pair.
fn group_ends<T>(items: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<usize> {
    let mut ends: Vec<usize> = (1..items.len())
        .filter(|&i| !same(&items[i - 1], &items[i]))
        .collect();
    if !items.is_empty() {
        ends.push(items.len());
    }
    ends
}

/// Puts `node` into its slot, merging it with the node already there.
fn place(slot: &mut Slot, node: Node) {
    match slot {
        Slot::Node(existing) => merge_into(existing, node),
        Slot::Id(_) => *slot = Slot::Node(node),
    }
}

/// Merges `node` into `existing` (the same id).
fn merge_into(existing: &mut Node, node: Node) {
    if node.label < existing.label {
        existing.label = node.label;
    }
    existing.fields.merge(&node.fields);
    if !node
        .locations
        .iter()
        .all(|l| existing.locations.contains(l))
    {
        existing.locations.extend(node.locations);
        existing.locations.sort();
        existing.locations.dedup();
    }
}

/// The root digest is `sha256:` + SHA-256 of the JCS form of `{version, digestAlgorithm,
/// nodes, edges}`, written straight into the hash: no JSON tree of the graph is built. Runs of
/// edges and nodes are serialised in parallel, a bounded batch at a time, and hashed in order.
///
/// This hashes its start: everything up to the nodes (`ids` are the node ids in order, `edges`
/// the sorted edges as positions).
fn root_digest_through_edges(ids: &[NodeId], edges: &[(u32, u32, EdgeType)]) -> sha2::Sha256 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    // Top-level keys in JCS order: digestAlgorithm, edges, nodes, version.
    hasher.update(b"{\"digestAlgorithm\":\"sha256\",\"edges\":[");
    hash_in_parallel(&mut hasher, edges, |chunk, out| {
        write_edges(ids, chunk, out)
    });
    hasher
}

/// The JCS form of `edges`, comma-separated. Edges come sorted by source, so a source's text
/// is written once per run of its edges; the targets' ids are gathered first, in a loop whose
/// loads do not wait for one another (a million ids do not fit in a cache, and each target is
/// a jump into them).
fn write_edges(ids: &[NodeId], edges: &[(u32, u32, EdgeType)], out: &mut Vec<u8>) {
    let targets: Vec<Option<NodeId>> = edges
        .iter()
        .map(|&(_, target, _)| ids.get(target as usize).copied())
        .collect();
    let mut source_text: Option<(u32, IdText)> = None;
    for (&(source, _, kind), target) in edges.iter().zip(targets) {
        let source_text = match source_text {
            Some((at, text)) if at == source => text,
            _ => match ids.get(source as usize) {
                Some(id) => source_text.insert((source, id.text())).1,
                None => continue,
            },
        };
        let Some(target) = target else {
            continue;
        };
        if !out.is_empty() {
            out.push(b',');
        }
        // Ids are plain ASCII hex: nothing to escape.
        out.extend_from_slice(b"{\"source\":\"");
        out.extend_from_slice(source_text.as_bytes());
        out.extend_from_slice(b"\",\"target\":\"");
        out.extend_from_slice(target.text().as_bytes());
        out.extend_from_slice(b"\",\"type\":\"");
        out.extend_from_slice(kind.as_str().as_bytes());
        out.extend_from_slice(b"\"}");
    }
}

/// The rest of the root digest after [`root_digest_through_edges`]: the nodes and the version.
fn finish_root_digest(hasher: &mut sha2::Sha256, graph: &DiGraph<Node, EdgeType>) -> String {
    use sha2::Digest;
    hasher.update(b"],\"nodes\":[");
    hash_in_parallel(hasher, graph.raw_nodes(), |nodes, out| {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_node(&n.weight, out);
        }
    });
    hasher.update(b"],\"version\":");
    let mut version = Vec::new();
    crate::json::jcs::write_string(GRAPH_VERSION, &mut version);
    hasher.update(&version);
    hasher.update(b"}");
    format!("sha256:{}", hex::encode(hasher.finalize_reset()))
}

/// Feeds `items`, comma-separated, into `hasher` in order: `write` writes a chunk of them,
/// comma-separated. Chunks are written in parallel, a batch at a time, while the previous batch
/// is hashed; at most two batches are buffered.
fn hash_in_parallel<T: Sync>(
    hasher: &mut sha2::Sha256,
    items: &[T],
    write: impl Fn(&[T], &mut Vec<u8>) + Sync,
) {
    use sha2::Digest;
    const CHUNK: usize = 2048;
    const BATCH: usize = 32 * CHUNK;
    let write_batch = |b: usize| -> Vec<Vec<u8>> {
        let start = b * BATCH;
        let batch = &items[start.min(items.len())..(start + BATCH).min(items.len())];
        batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut out = Vec::with_capacity(chunk.len() * 192);
                write(chunk, &mut out);
                out
            })
            .collect()
    };
    let batches = items.len().div_ceil(BATCH);
    let mut ready = write_batch(0);
    let mut first = true;
    for b in 1..=batches {
        let mut hash = |buffers: Vec<Vec<u8>>, hasher: &mut sha2::Sha256| {
            for buffer in buffers.iter().filter(|b| !b.is_empty()) {
                if !std::mem::take(&mut first) {
                    hasher.update(b",");
                }
                hasher.update(buffer);
            }
        };
        let (_, next) = rayon::join(|| hash(ready, hasher), || write_batch(b));
        ready = next;
    }
}

/// The JCS form of [`Node::to_json`] without building it: the canonical fields with `id`,
/// `kind` and `label` put in their places.
fn write_node(node: &Node, out: &mut impl crate::json::jcs::Out) {
    use crate::json::jcs::write_string;
    let id = node.id.text();
    let own = [
        ("id", id.as_str()),
        ("kind", node.kind.as_str()),
        ("label", node.label.as_str()),
    ];
    let mut own = own.into_iter().peekable();
    let mut first = true;
    let mut comma = |out: &mut _| {
        if !std::mem::take(&mut first) {
            crate::json::jcs::Out::put(out, b",");
        }
    };
    out.put(b"{");
    for (key, value) in node.fields.members() {
        if matches!(key, "id" | "kind" | "label") {
            continue;
        }
        // Field keys are ASCII: byte order is JCS's UTF-16 order.
        while let Some((k, v)) = own.next_if(|(k, _)| *k < key) {
            comma(out);
            write_string(k, out);
            out.put(b":");
            write_string(v, out);
        }
        comma(out);
        out.put(b"\"");
        out.put(key.as_bytes());
        out.put(b"\":");
        out.put(value.as_bytes());
    }
    for (k, v) in own {
        comma(out);
        write_string(k, out);
        out.put(b":");
        write_string(v, out);
    }
    out.put(b"}");
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
    use serde_json::json;

    fn fields(v: Value) -> BTreeMap<String, Value> {
        v.as_object().unwrap().clone().into_iter().collect()
    }

    #[test]
    fn insertion_order_does_not_change_the_root_digest() {
        let a = NodeId::of(&json!("a"));
        let b = NodeId::of(&json!("b"));
        let mut g1 = GraphBuilder::new();
        g1.add_node(a, NodeKind::Sbom, "a", fields(json!({"x": [1]})), None);
        g1.add_node(b, NodeKind::Component, "b", fields(json!({})), None);
        g1.add_node(a, NodeKind::Sbom, "a", fields(json!({"x": [2]})), None);
        g1.add_edge(&a, &b, EdgeType::Contains);
        let mut g2 = GraphBuilder::new();
        g2.add_edge(&a, &b, EdgeType::Contains);
        g2.add_node(b, NodeKind::Component, "b", fields(json!({})), None);
        g2.add_node(a, NodeKind::Sbom, "a", fields(json!({"x": [2]})), None);
        g2.add_node(a, NodeKind::Sbom, "a", fields(json!({"x": [1]})), None);
        let (g1, g2) = (g1.finish(), g2.finish());
        assert_eq!(g1.root_digest(), g2.root_digest());
        assert_eq!(g1.node(&a).unwrap().fields.to_map()["x"], json!([1, 2]));
    }

    #[test]
    fn locations_do_not_enter_the_root_digest() {
        let a = NodeId::of(&json!("a"));
        let mut g1 = GraphBuilder::new();
        g1.add_node(
            a,
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
    fn streamed_root_digest_equals_the_digest_of_the_json_document() {
        let a = NodeId::of(&json!("a"));
        let b = NodeId::of(&json!("b"));
        let mut g = GraphBuilder::new();
        g.add_node(
            a,
            NodeKind::Sbom,
            "a \u{e000}",
            fields(json!({"x": [1, "é"], "id": "shadowed", "\u{1f600}": 1, "\u{e001}": 2, "zeta": null})),
            None,
        );
        g.add_node(
            b,
            NodeKind::Component,
            "b",
            fields(json!({"purl": "pkg:npm/b@1"})),
            None,
        );
        g.add_edge(&a, &b, EdgeType::Contains);
        g.add_edge(&b, &a, EdgeType::DependsOn);
        let g = g.finish();
        assert_eq!(g.root_digest(), digest_of_json_document(&g));
    }

    /// SHA-256 of the JCS form of `{version, digestAlgorithm, nodes, edges}` built as JSON
    /// values: the root digest as SPEC §2 defines it, without the streamed writer.
    fn digest_of_json_document(g: &EvidenceGraph) -> String {
        let doc = json!({
            "version": GRAPH_VERSION,
            "digestAlgorithm": "sha256",
            "nodes": g.nodes().map(Node::to_json).collect::<Vec<_>>(),
            "edges": g.edges().map(|e| json!({"source": e.source, "target": e.target, "type": e.kind})).collect::<Vec<_>>(),
        });
        format!("sha256:{}", crate::json::jcs::sha256_hex(&doc))
    }

    /// Over several batches and chunks of the parallel writer, with runs of edges sharing a
    /// source and a last chunk only partly filled.
    #[test]
    fn streamed_root_digest_equals_the_json_digest_across_batches() {
        let ids: Vec<NodeId> = (0..420).map(|i| NodeId::of(&json!(i))).collect();
        let mut g = GraphBuilder::new();
        for (i, id) in ids.iter().enumerate() {
            let label = format!("n{i}");
            g.add_node(
                *id,
                NodeKind::Component,
                &label,
                fields(json!({"i": i})),
                None,
            );
        }
        for (i, source) in ids.iter().enumerate() {
            for target in ids.iter().skip(i % 7) {
                g.add_edge(source, target, EdgeType::DependsOn);
            }
        }
        let g = g.finish();
        assert!(
            g.edges().count() > 2 * 32 * 2048,
            "spans more than two batches"
        );
        assert_eq!(g.root_digest(), digest_of_json_document(&g));
    }

    #[test]
    fn absorbing_parts_equals_adding_everything_in_order() {
        let ids: Vec<NodeId> = (0..6).map(|i| NodeId::of(&json!(i))).collect();
        let add = |b: &mut GraphBuilder, i: usize, x: i64| {
            b.add_node(
                ids[i % 6],
                NodeKind::Component,
                format!("n{}", (i * 7) % 5),
                fields(json!({"x": [x, x % 3], "s": format!("v{}", i % 4)})),
                Some(Location {
                    file: format!("f{i}").into(),
                    pointer: Text::default(),
                }),
            );
            b.add_edge(&ids[i % 6], &ids[(i + 1) % 7 % 6], EdgeType::DependsOn);
        };
        let mut whole = GraphBuilder::new();
        for i in 0..20 {
            add(&mut whole, i, i as i64 * 5 % 9);
        }
        let mut parts = GraphBuilder::new();
        for chunk in (0..20).collect::<Vec<_>>().chunks(6) {
            let mut part = GraphBuilder::new();
            for &i in chunk {
                add(&mut part, i, i as i64 * 5 % 9);
            }
            parts.absorb(part);
        }
        let (whole, parts) = (whole.finish(), parts.finish());
        assert_eq!(whole.root_digest(), parts.root_digest());
        let locations =
            |g: &EvidenceGraph| g.nodes().map(|n| n.locations.clone()).collect::<Vec<_>>();
        assert_eq!(locations(&whole), locations(&parts));
    }

    #[test]
    fn adding_to_a_sealed_builder_gives_the_same_graph() {
        let ids: Vec<NodeId> = (0..4).map(|i| NodeId::of(&json!(i))).collect();
        let build = |seal_after: Option<usize>| {
            let mut b = GraphBuilder::new();
            for i in 0..8 {
                if seal_after == Some(i) {
                    b.seal();
                }
                b.add_node(
                    ids[i % 3],
                    NodeKind::Component,
                    format!("n{i}"),
                    fields(json!({"x": [i]})),
                    Some(Location {
                        file: format!("f{i}").into(),
                        pointer: Text::default(),
                    }),
                );
                // ids[3] never gets a node: its edges are dropped, sealed or not.
                b.add_edge(&ids[i % 3], &ids[(i + 1) % 4], EdgeType::DependsOn);
            }
            b.finish()
        };
        let whole = build(None);
        for at in 0..8 {
            let sealed = build(Some(at));
            assert_eq!(
                sealed.root_digest(),
                whole.root_digest(),
                "sealed after {at}"
            );
            assert_eq!(sealed.edge_count(), whole.edge_count());
            let locations =
                |g: &EvidenceGraph| g.nodes().map(|n| n.locations.clone()).collect::<Vec<_>>();
            assert_eq!(locations(&sealed), locations(&whole));
        }
    }

    #[test]
    fn dangling_edges_are_dropped() {
        let a = NodeId::of(&json!("a"));
        let mut g = GraphBuilder::new();
        g.add_node(a, NodeKind::Sbom, "a", BTreeMap::new(), None);
        g.add_edge(&a, &NodeId::of(&json!("nowhere")), EdgeType::Contains);
        assert_eq!(g.finish().edge_count(), 0);
    }

    #[test]
    fn merge_is_commutative_on_scalars() {
        let (a, b) = (json!("x"), json!("y"));
        assert_eq!(merge_values(&a, &b), merge_values(&b, &a));
    }

    #[test]
    fn parts_merge_into_one_sorted_graph_whatever_the_shards() {
        use std::collections::BTreeSet;
        let id = |n: u32| NodeId::of(&json!(n));
        // Three parts with overlapping ids (spread over every shard), edges to ids without
        // nodes, and labels that differ between parts.
        let mut expected_nodes = BTreeSet::new();
        let mut expected_edges = BTreeSet::new();
        let mut builder = GraphBuilder::new();
        for part_no in 0..3u32 {
            let mut part = GraphBuilder::new();
            for n in (part_no * 300)..(part_no * 300 + 600) {
                part.add_node(
                    id(n),
                    NodeKind::Component,
                    format!("{part_no}"),
                    fields(json!({})),
                    None,
                );
                expected_nodes.insert(id(n));
                part.add_edge(&id(n), &id(n + 1), EdgeType::DependsOn);
                part.add_edge(&id(n), &id(100_000 + n), EdgeType::Contains);
            }
            builder.absorb(part);
        }
        for n in 0..1200u32 {
            if expected_nodes.contains(&id(n + 1)) {
                expected_edges.insert((id(n), id(n + 1), EdgeType::DependsOn));
            }
        }
        let graph = builder.finish();
        let ids: Vec<NodeId> = graph.nodes().map(|n| n.id).collect();
        assert_eq!(ids, expected_nodes.into_iter().collect::<Vec<_>>());
        // The smallest label of a node met in two parts wins.
        assert_eq!(graph.node(&id(450)).unwrap().label, "0");
        assert_eq!(graph.node(&id(650)).unwrap().label, "1");
        let edges: Vec<(NodeId, NodeId, EdgeType)> = graph
            .edges()
            .map(|e| (e.source, e.target, e.kind))
            .collect();
        assert_eq!(edges, expected_edges.into_iter().collect::<Vec<_>>());
    }
}
