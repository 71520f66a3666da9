//! Graph: nodes grouped by kind in a tree (tui-tree-widget, fed only the visible rows), and a
//! detail pane with the node's fields, its edges (Enter follows one) and its normalised JSON.

use super::{block, fit, safe};
use crate::graph::{EdgeType, Node};
use crate::tui::app::{App, GraphFocus, GraphView, Ready, TreeRow};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use serde_json::Value;
use tui_tree_widget::{Tree, TreeItem, TreeState};

/// Direction of an edge relative to the selected node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Out,
    In,
}

/// One edge row of the detail pane: direction, type, and the other end's position.
pub type EdgeRow = (Dir, EdgeType, usize);

/// The selected node's edges: outgoing first, then incoming.
pub fn edge_rows(r: &Ready, position: usize) -> Vec<EdgeRow> {
    let g = &r.model.graph;
    let out = g
        .adjacent_positions(position, true)
        .into_iter()
        .map(|(kind, p)| (Dir::Out, kind, p));
    let inc = g
        .adjacent_positions(position, false)
        .into_iter()
        .map(|(kind, p)| (Dir::In, kind, p));
    out.chain(inc).collect()
}

fn columns(body: Rect) -> std::rc::Rc<[Rect]> {
    Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(40), Constraint::Percentage(60)])
        .split(body)
}

fn detail_parts(detail: Rect) -> std::rc::Rc<[Rect]> {
    Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Percentage(35),
            Constraint::Percentage(30),
            Constraint::Percentage(35),
        ])
        .split(detail)
}

/// The tree's area inside the tab body.
pub fn tree_area(body: Rect) -> Rect {
    columns(body)[0]
}

/// The edge list's area inside the tab body.
pub fn edges_area(body: Rect) -> Rect {
    detail_parts(columns(body)[1])[1]
}

/// The JSON pane's area inside the tab body.
pub fn json_area(body: Rect) -> Rect {
    detail_parts(columns(body)[1])[2]
}

/// Rows the tree shows below a sticky group header.
pub fn tree_rows(body: Rect) -> usize {
    usize::from(tree_area(body).height.saturating_sub(3)).max(1)
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let cols = columns(area);
    render_tree(app, r, frame, cols[0]);
    let parts = detail_parts(cols[1]);
    let selected = r
        .graph
        .selected_node()
        .and_then(|p| r.model.graph.node_at(p).map(|n| (p, n)));
    match selected {
        Some((p, node)) => {
            render_fields(app, node, frame, parts[0]);
            render_edges(app, r, p, frame, parts[1]);
            render_json(app, r, frame, parts[2]);
        }
        None => {
            let hint = Line::from(Span::styled(
                "select a node (Enter opens a group)",
                app.theme.dim(),
            ));
            frame.render_widget(
                Paragraph::new(hint).block(block(&app.theme, "Node", false)),
                cols[1],
            );
        }
    }
}

fn group_text(r: &Ready, kind: crate::graph::NodeKind, count: usize) -> String {
    let total = r.model.graph.count_of(kind);
    if count == total {
        format!("{kind} ({count})")
    } else {
        format!("{kind} ({count} of {total})")
    }
}

fn node_text(node: &Node, width: usize) -> String {
    fit(
        &format!("{}  {}", safe(&node.label), node.id.short()),
        width,
    )
}

/// Builds tree items for the visible window only; a group whose header scrolled away is
/// repeated at the top as a sticky header.
fn render_tree(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let view: &GraphView = &r.graph;
    let rows = usize::from(area.height.saturating_sub(3)).max(1);
    let width = usize::from(area.width.saturating_sub(8));
    let window = view.tree.window(view.row_count(), rows);
    let mut items: Vec<TreeItem<'static, TreeRow>> = Vec::new();
    let mut state = TreeState::default();
    let mut current: Option<(crate::graph::NodeKind, Vec<TreeItem<'static, TreeRow>>)> = None;
    let flush =
        |items: &mut Vec<TreeItem<'static, TreeRow>>,
         current: Option<(crate::graph::NodeKind, Vec<TreeItem<'static, TreeRow>>)>| {
            if let Some((kind, children)) = current {
                let count = view
                    .groups
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, n)| n.len())
                    .unwrap_or(0);
                let header =
                    TreeItem::new(TreeRow::Group(kind), group_text(r, kind, count), children);
                if let Ok(h) = header {
                    items.push(h);
                }
            }
        };
    for i in window.clone() {
        match view.row(i) {
            Some(TreeRow::Group(kind)) => {
                flush(&mut items, current.take());
                current = Some((kind, Vec::new()));
                if view.open.contains(&kind) {
                    state.open(vec![TreeRow::Group(kind)]);
                }
                if i == view.tree.selected {
                    state.select(vec![TreeRow::Group(kind)]);
                }
            }
            Some(TreeRow::Node(p)) => {
                let Some(node) = r.model.graph.node_at(p) else {
                    continue;
                };
                let kind = node.kind;
                if current.as_ref().map(|(k, _)| *k) != Some(kind) {
                    flush(&mut items, current.take());
                    current = Some((kind, Vec::new()));
                    state.open(vec![TreeRow::Group(kind)]);
                }
                if let Some((_, children)) = current.as_mut() {
                    children.push(TreeItem::new_leaf(TreeRow::Node(p), node_text(node, width)));
                }
                if i == view.tree.selected {
                    state.select(vec![TreeRow::Group(kind), TreeRow::Node(p)]);
                }
            }
            None => {}
        }
    }
    flush(&mut items, current.take());
    let focused = view.focus == GraphFocus::Tree;
    let title = format!("Nodes — {} rows", view.row_count());
    match Tree::new(&items) {
        Ok(tree) => {
            let tree = tree
                .block(block(&t, &title, focused))
                .highlight_style(t.selected())
                .highlight_symbol("› ")
                .node_closed_symbol("▸ ")
                .node_open_symbol("▾ ")
                .node_no_children_symbol("  ");
            frame.render_stateful_widget(tree, area, &mut state);
        }
        Err(_) => frame.render_widget(Paragraph::new("").block(block(&t, &title, focused)), area),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => safe(s),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(safe)
            .collect::<Vec<_>>()
            .join(", "),
        other => safe(&other.to_string()),
    }
}

fn render_fields(app: &App, node: &Node, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let key_width = node
        .fields
        .members()
        .map(|(k, _)| k.len() + 1)
        .max()
        .unwrap_or(0)
        .max(10);
    let width = usize::from(area.width.saturating_sub(2)).saturating_sub(key_width);
    let row = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<key_width$}"), t.label()),
            Span::raw(fit(&value, width)),
        ])
    };
    let mut lines = vec![
        row("kind", node.kind.to_string()),
        row("id", node.id.to_string()),
        row("label", safe(&node.label)),
    ];
    for (k, v) in &node.fields.to_map() {
        let empty = v.is_null() || v.as_array().is_some_and(Vec::is_empty);
        if !empty {
            lines.push(row(k, value_text(v)));
        }
    }
    for loc in &node.locations {
        lines.push(row(
            "location",
            format!("{} {}", safe(&loc.file), safe(&loc.pointer)),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block(&t, "Node", false)), area);
}

fn render_edges(app: &App, r: &Ready, position: usize, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let edges = edge_rows(r, position);
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let width = usize::from(area.width.saturating_sub(2));
    let focused = r.graph.focus == GraphFocus::Edges;
    let mut lines = Vec::new();
    for i in r.graph.edges.window(edges.len(), height) {
        let (dir, kind, other) = edges[i];
        let arrow = if dir == Dir::Out { "→" } else { "←" };
        let other = r.model.graph.node_at(other);
        let text = match other {
            Some(n) => format!(
                "{arrow} {:<11} {}  [{}]",
                kind.as_str(),
                safe(&n.label),
                n.kind
            ),
            None => format!("{arrow} {kind}"),
        };
        let chosen = focused && i == r.graph.edges.selected;
        let (mark, style) = if chosen {
            ("› ", t.selected())
        } else {
            ("  ", ratatui::style::Style::default())
        };
        lines.push(Line::from(Span::styled(
            fit(&format!("{mark}{text}"), width),
            style,
        )));
    }
    if edges.is_empty() {
        lines.push(Line::from(Span::styled("no edges", t.dim())));
    }
    let outs = edges.iter().filter(|e| e.0 == Dir::Out).count();
    let title = format!(
        "Edges — {} out · {} in{}",
        outs,
        edges.len() - outs,
        if r.graph.history.is_empty() {
            String::new()
        } else {
            format!(" · back {}", r.graph.history.len())
        }
    );
    frame.render_widget(
        Paragraph::new(lines).block(block(&t, &title, focused)),
        area,
    );
}

fn render_json(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let height = usize::from(area.height.saturating_sub(2));
    let lines: Vec<Line> = r
        .graph
        .detail_json
        .iter()
        .skip(r.graph.json_scroll)
        .take(height)
        .map(|l| Line::raw(safe(l)))
        .collect();
    let title = match r.graph.detail_reading {
        Some(_) => "Normalised JSON — reading…".to_string(),
        None => format!("Normalised JSON — {} lines", r.graph.detail_json.len()),
    };
    frame.render_widget(Paragraph::new(lines).block(block(&t, &title, false)), area);
}
