//! The reconciled evidence graph: content-addressed nodes and typed edges on petgraph, with a
//! root digest over the sorted JCS form (SPEC §2 step 5).

mod builder;
mod fields;
mod model;
mod text;

pub use builder::GraphBuilder;
pub use fields::{Fields, FieldsWriter};
pub use model::{
    Edge, EdgeType, EvidenceGraph, IdText, Location, Locations, Node, NodeId, NodeKind,
};
pub use text::{Block, Span, Text, TextArena};

/// Version string of the graph format, part of the root digest.
pub const GRAPH_VERSION: &str = "1";
