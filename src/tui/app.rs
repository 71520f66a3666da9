//! The explorer's state. Only `update` changes it; `render` only reads it.

use super::action::Tab;
use super::list::Cursor;
use super::search::NodeSearch;
use super::theme::Theme;
use crate::bundle::Bundle;
use crate::graph::{NodeId, NodeKind};
use crate::pipeline::Reconciled;
use crate::progress::Progress;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Where loading is.
#[derive(Debug)]
pub enum LoadState {
    Loading { latest: Option<Progress> },
    Failed { error: String },
    Ready(Box<Ready>),
}

/// A loaded bundle with the per-tab state that depends on it.
#[derive(Debug)]
pub struct Ready {
    pub model: Reconciled,
    /// Shared with the document reader thread (see [`super::reader`]).
    pub bundle: Arc<Bundle>,
    pub graph: GraphView,
    pub imports: ImportsView,
    pub conflicts: ListView,
    pub validation: ListView,
}

/// Which pane of the Graph tab has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphFocus {
    #[default]
    Tree,
    Edges,
}

/// One row of the Graph tree: a kind group or a node (by its position in id order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TreeRow {
    Group(NodeKind),
    Node(usize),
}

/// The Graph tab: nodes grouped by kind, a detail pane, history.
#[derive(Debug, Default)]
pub struct GraphView {
    /// Node positions per kind, in id order, narrowed by the filter.
    pub groups: Vec<(NodeKind, Vec<usize>)>,
    pub open: BTreeSet<NodeKind>,
    pub tree: Cursor,
    pub edges: Cursor,
    pub focus: GraphFocus,
    pub history: Vec<NodeId>,
    pub filter: String,
    /// Positions of the nodes matching `matched_needle` (the lowercased filter `groups` were
    /// built for), ascending: a filter that extends it narrows these instead of every node.
    pub matches: Vec<usize>,
    pub matched_needle: Option<String>,
    /// The filter's search index over every node, built once when the bundle is loaded.
    pub search: NodeSearch,
    /// Normalised JSON of the selected node's document, once read.
    pub detail_json: Vec<String>,
    /// The document being read for the JSON pane, if any: reading one can mean a file read
    /// from disk, so it happens off the frame ([`super::reader`]).
    pub detail_reading: Option<DocumentRequest>,
    /// Numbers the requests, so that an answer to an older one is recognised and dropped.
    pub detail_tickets: u64,
    pub json_scroll: usize,
}

impl GraphView {
    /// Number of visible rows (group headers plus the nodes of open groups).
    pub fn row_count(&self) -> usize {
        self.groups
            .iter()
            .map(|(k, nodes)| {
                1 + if self.open.contains(k) {
                    nodes.len()
                } else {
                    0
                }
            })
            .sum()
    }

    /// The row at `index`, found in O(number of kinds).
    pub fn row(&self, mut index: usize) -> Option<TreeRow> {
        for (kind, nodes) in &self.groups {
            if index == 0 {
                return Some(TreeRow::Group(*kind));
            }
            index -= 1;
            if self.open.contains(kind) {
                if index < nodes.len() {
                    return Some(TreeRow::Node(nodes[index]));
                }
                index -= nodes.len();
            }
        }
        None
    }

    /// The row index of a node, opening nothing.
    pub fn row_of(&self, position: usize) -> Option<usize> {
        let mut base = 0;
        for (kind, nodes) in &self.groups {
            base += 1;
            if self.open.contains(kind) {
                if let Ok(i) = nodes.binary_search(&position) {
                    return Some(base + i);
                }
                base += nodes.len();
            }
        }
        None
    }

    /// The selected node's position, if a node row is selected.
    pub fn selected_node(&self) -> Option<usize> {
        match self.row(self.tree.selected) {
            Some(TreeRow::Node(p)) => Some(p),
            _ => None,
        }
    }
}

/// A request for the JSON pane's document: the node at `position`, the `ticket`-th request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentRequest {
    pub position: usize,
    pub ticket: u64,
}

/// The Imports tab: files failed first.
#[derive(Debug, Default)]
pub struct ImportsView {
    /// File indices into `model.files`, narrowed by the filter.
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
}

/// A plain list tab (Conflicts, Validation): rows are indices into the model's list.
#[derive(Debug, Default)]
pub struct ListView {
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
}

/// The whole explorer state.
#[derive(Debug)]
pub struct App {
    pub bundle_path: PathBuf,
    pub load: LoadState,
    pub tab: Tab,
    pub overview_scroll: usize,
    pub help: bool,
    pub help_scroll: usize,
    /// The filter prompt is open and takes typed characters.
    pub filter_editing: bool,
    pub theme: Theme,
    pub width: u16,
    pub height: u16,
    pub should_quit: bool,
    /// A one-line message for the status bar (e.g. "no edge to follow").
    pub flash: Option<String>,
}

impl App {
    /// A new explorer for `bundle_path`, loading.
    pub fn new(bundle_path: PathBuf, theme: Theme, width: u16, height: u16) -> Self {
        App {
            bundle_path,
            load: LoadState::Loading { latest: None },
            tab: Tab::Overview,
            overview_scroll: 0,
            help: false,
            help_scroll: 0,
            filter_editing: false,
            theme,
            width,
            height,
            should_quit: false,
            flash: None,
        }
    }

    pub fn ready(&self) -> Option<&Ready> {
        match &self.load {
            LoadState::Ready(r) => Some(r),
            _ => None,
        }
    }

    pub fn ready_mut(&mut self) -> Option<&mut Ready> {
        match &mut self.load {
            LoadState::Ready(r) => Some(r),
            _ => None,
        }
    }

    /// The filter text of the current tab, if the tab filters.
    pub fn filter(&self) -> Option<&str> {
        let r = self.ready()?;
        match self.tab {
            Tab::Graph => Some(&r.graph.filter),
            Tab::Imports => Some(&r.imports.filter),
            Tab::Conflicts => Some(&r.conflicts.filter),
            Tab::Validation => Some(&r.validation.filter),
            Tab::Overview => None,
        }
    }
}
