//! `update`: the one function that changes the explorer's state. It does no I/O: a document the
//! JSON pane needs is asked for in the state and arrives as [`Action::DocumentRead`] (see
//! [`super::reader`]), so every key can be tested without a terminal.

use super::action::{Action, Command, Loaded, Tab};
use super::app::{
    App, DocumentRequest, GraphFocus, GraphView, ImportsView, ListView, LoadState, Ready, TreeRow,
};
use super::components::{self, graph::EdgeRow};
use super::search::NodeSearch;
use super::{document, view};
use crate::progress::{Progress, Stage};
use std::collections::BTreeSet;

/// Applies one action.
pub fn update(app: &mut App, action: Action) {
    app.flash = None;
    match action {
        Action::Command(c) => command(app, c),
        Action::FilterChar(c) => edit_filter(app, |f| f.push(c)),
        Action::FilterBackspace => edit_filter(app, |f| {
            f.pop();
        }),
        Action::FilterAccept => app.filter_editing = false,
        Action::FilterCancel => {
            app.filter_editing = false;
            edit_filter(app, String::clear);
        }
        Action::ScrollUp => move_selection(app, -3),
        Action::ScrollDown => move_selection(app, 3),
        Action::Click { column, row } => click(app, column, row),
        Action::Resize { width, height } => {
            app.width = width;
            app.height = height;
            move_selection(app, 0);
        }
        Action::Progress(p) => {
            if let LoadState::Loading { latest } = &mut app.load {
                if supersedes(&p, latest.as_ref()) {
                    *latest = Some(p);
                }
            }
        }
        Action::Loaded(loaded) => {
            app.load = LoadState::Ready(Box::new(ready(*loaded)));
            refresh_detail(app);
        }
        Action::LoadFailed(error) => app.load = LoadState::Failed { error },
        Action::DocumentRead { ticket, lines } => document_read(app, ticket, lines),
    }
}

/// Whether progress report `new` replaces `old` on the loading screen. A streamed bundle is
/// read (counted against the number of files) and parsed (uncounted) at the same time: until
/// the reading is complete, only reports with a total replace it, so the gauge never jumps back.
fn supersedes(new: &Progress, old: Option<&Progress>) -> bool {
    match old {
        Some(old) if old.stage == Stage::Reading && old.done < old.total => new.total > 0,
        _ => true,
    }
}

/// Shows a document the reader read, if it is still the one asked for.
fn document_read(app: &mut App, ticket: u64, lines: Vec<String>) {
    let Some(r) = app.ready_mut() else { return };
    if r.graph.detail_reading.is_some_and(|d| d.ticket == ticket) {
        r.graph.detail_reading = None;
        r.graph.detail_json = lines;
    }
}

fn ready(loaded: Loaded) -> Ready {
    let mut r = Ready {
        graph: GraphView::default(),
        imports: ImportsView::default(),
        conflicts: ListView::default(),
        validation: ListView::default(),
        model: loaded.model,
        bundle: std::sync::Arc::new(loaded.bundle),
    };
    r.graph.open = r
        .model
        .graph
        .counts_by_kind()
        .keys()
        .copied()
        .collect::<BTreeSet<_>>();
    rebuild_graph_rows(&mut r);
    rebuild_import_rows(&mut r);
    rebuild_conflict_rows(&mut r);
    // Start on the first node rather than its group header, so the detail pane has something.
    if matches!(r.graph.row(1), Some(TreeRow::Node(_))) {
        r.graph.tree.selected = 1;
    }
    r
}

/// Decisions (already conflicts first) narrowed by the Conflicts filter.
pub fn rebuild_conflict_rows(r: &mut Ready) {
    let needle = r.conflicts.filter.to_lowercase();
    r.conflicts.rows = (0..r.model.decisions.len())
        .filter(|i| components::conflicts::matches(&r.model.decisions[*i], &needle))
        .collect();
}

fn command(app: &mut App, c: Command) {
    if app.help {
        match c {
            Command::Up => app.help_scroll = app.help_scroll.saturating_sub(1),
            Command::Down => app.help_scroll += 1,
            Command::Quit => app.should_quit = true,
            _ => app.help = false,
        }
        return;
    }
    match c {
        Command::Quit => app.should_quit = true,
        Command::Close => close(app),
        Command::ToggleHelp => {
            app.help = true;
            app.help_scroll = 0;
        }
        Command::GoTab(t) => app.tab = t,
        Command::NextTab => app.tab = app.tab.next(),
        Command::PrevTab => app.tab = app.tab.prev(),
        Command::Up => move_selection(app, -1),
        Command::Down => move_selection(app, 1),
        Command::PageUp => page(app, -1),
        Command::PageDown => page(app, 1),
        Command::Top => move_selection(app, -(isize::MAX / 2)),
        Command::Bottom => move_selection(app, isize::MAX / 2),
        Command::StartFilter => app.filter_editing = app.filter().is_some(),
        Command::NextMatch => next_match(app, 1),
        Command::PrevMatch => next_match(app, -1),
        Command::FocusLeft => focus_left(app),
        Command::FocusRight => focus_right(app),
        Command::Enter => enter(app),
        Command::Back => back(app),
    }
}

/// `Esc`: clear the filter if there is one, else quit.
fn close(app: &mut App) {
    if app.filter().is_some_and(|f| !f.is_empty()) {
        edit_filter(app, String::clear);
    } else {
        app.should_quit = true;
    }
}

fn body(app: &App) -> ratatui::layout::Rect {
    view::areas(view::screen(app.width, app.height)).body
}

fn edges_height(app: &App) -> usize {
    usize::from(
        components::graph::edges_area(body(app))
            .height
            .saturating_sub(2),
    )
    .max(1)
}

fn json_height(app: &App) -> usize {
    usize::from(
        components::graph::json_area(body(app))
            .height
            .saturating_sub(2),
    )
    .max(1)
}

/// Moves the current tab's selection (or scroll position) by `delta` rows, clamped.
fn move_selection(app: &mut App, delta: isize) {
    let height = view::list_height(app.tab, app.width, app.height);
    let edges_height = edges_height(app);
    // Each builds its tab's lines: only the tab that scrolls by them pays for that.
    let overview_len = if app.tab == Tab::Overview {
        overview_len(app)
    } else {
        0
    };
    let validation_len = if app.tab == Tab::Validation {
        validation_len(app)
    } else {
        0
    };
    let tab = app.tab;
    if tab == Tab::Overview {
        app.overview_scroll = clamp_add(app.overview_scroll, delta, overview_len.saturating_sub(1));
        return;
    }
    let Some(r) = app.ready_mut() else { return };
    let mut node_changed = false;
    match tab {
        Tab::Graph if r.graph.focus == GraphFocus::Edges => {
            let len = selected_edges(r).len();
            r.graph.edges.step(delta, len, edges_height);
        }
        Tab::Graph => {
            let before = r.graph.tree.selected;
            let len = r.graph.row_count();
            r.graph.tree.step(delta, len, height);
            node_changed = r.graph.tree.selected != before;
        }
        Tab::Imports => {
            let len = r.imports.rows.len();
            r.imports.cursor.step(delta, len, height);
        }
        Tab::Conflicts => {
            let len = r.conflicts.rows.len();
            r.conflicts.cursor.step(delta, len, height);
        }
        Tab::Validation => r.validation.cursor.scroll(delta, validation_len, height),
        Tab::Overview => {}
    }
    if node_changed {
        refresh_detail(app);
    }
}

fn clamp_add(value: usize, delta: isize, max: usize) -> usize {
    (value as isize)
        .saturating_add(delta)
        .clamp(0, max as isize) as usize
}

fn overview_len(app: &App) -> usize {
    app.ready()
        .map(|r| components::overview::lines(app, r).len())
        .unwrap_or(0)
}

fn validation_len(app: &App) -> usize {
    app.ready()
        .map(|r| components::validation::lines(app, r).len())
        .unwrap_or(0)
}

/// PgUp/PgDn: a page of the focused list; in the Graph's edge focus, a page of the JSON.
fn page(app: &mut App, direction: isize) {
    if app.tab == Tab::Graph
        && app
            .ready()
            .is_some_and(|r| r.graph.focus == GraphFocus::Edges)
    {
        let h = json_height(app);
        if let Some(r) = app.ready_mut() {
            let max = r.graph.detail_json.len().saturating_sub(h);
            r.graph.json_scroll = clamp_add(r.graph.json_scroll, direction * h as isize, max);
        }
        return;
    }
    let h = view::list_height(app.tab, app.width, app.height) as isize;
    move_selection(app, direction * h.max(1));
}

/// `n`/`N`: the next or previous matching row, wrapping around (in the Graph: the next node).
fn next_match(app: &mut App, direction: isize) {
    let height = view::list_height(app.tab, app.width, app.height);
    let tab = app.tab;
    let Some(r) = app.ready_mut() else { return };
    let changed = match tab {
        Tab::Graph => {
            let len = r.graph.row_count();
            let from = r.graph.tree.selected;
            let next = (1..=len)
                .map(|k| wrap(from, direction * k as isize, len))
                .find(|i| matches!(r.graph.row(*i), Some(TreeRow::Node(_))));
            match next {
                Some(i) => {
                    r.graph.focus = GraphFocus::Tree;
                    r.graph.tree.select(i, len, height);
                    true
                }
                None => false,
            }
        }
        Tab::Imports => step_wrapping(
            &mut r.imports.cursor,
            direction,
            r.imports.rows.len(),
            height,
        ),
        Tab::Conflicts => step_wrapping(
            &mut r.conflicts.cursor,
            direction,
            r.conflicts.rows.len(),
            height,
        ),
        _ => false,
    };
    if changed && tab == Tab::Graph {
        refresh_detail(app);
    }
}

fn wrap(from: usize, delta: isize, len: usize) -> usize {
    (from as isize + delta).rem_euclid(len.max(1) as isize) as usize
}

fn step_wrapping(c: &mut super::list::Cursor, direction: isize, len: usize, height: usize) -> bool {
    if len == 0 {
        return false;
    }
    c.select(wrap(c.selected, direction, len), len, height);
    true
}

fn selected_edges(r: &Ready) -> Vec<EdgeRow> {
    r.graph
        .selected_node()
        .map(|p| components::graph::edge_rows(r, p))
        .unwrap_or_default()
}

/// `h`/`←` in the Graph: from the edges back to the tree; in the tree, close the group.
fn focus_left(app: &mut App) {
    let height = view::list_height(Tab::Graph, app.width, app.height);
    let Some(r) = app.ready_mut() else { return };
    if r.graph.focus == GraphFocus::Edges {
        r.graph.focus = GraphFocus::Tree;
        return;
    }
    let kind = match r.graph.row(r.graph.tree.selected) {
        Some(TreeRow::Group(k)) => k,
        Some(TreeRow::Node(p)) => match r.model.graph.node_at(p) {
            Some(n) => n.kind,
            None => return,
        },
        None => return,
    };
    r.graph.open.remove(&kind);
    let row = group_row(&r.graph, kind);
    let len = r.graph.row_count();
    r.graph.tree.select(row, len, height);
}

/// `l`/`→` in the Graph: open a group, or move from a node to its edges.
fn focus_right(app: &mut App) {
    let Some(r) = app.ready_mut() else { return };
    match r.graph.row(r.graph.tree.selected) {
        Some(TreeRow::Group(k)) => {
            r.graph.open.insert(k);
        }
        Some(TreeRow::Node(_)) => {
            r.graph.focus = GraphFocus::Edges;
            r.graph.edges = Default::default();
        }
        None => {}
    }
}

fn group_row(view: &GraphView, kind: crate::graph::NodeKind) -> usize {
    (0..view.row_count())
        .find(|i| view.row(*i) == Some(TreeRow::Group(kind)))
        .unwrap_or(0)
}

/// `Enter`: open or close a group, follow the selected edge, or jump to the Graph.
fn enter(app: &mut App) {
    match app.tab {
        Tab::Graph => graph_enter(app),
        Tab::Imports => imports_enter(app),
        Tab::Conflicts => conflicts_enter(app),
        _ => {}
    }
}

fn graph_enter(app: &mut App) {
    let height = view::list_height(Tab::Graph, app.width, app.height);
    let Some(r) = app.ready_mut() else { return };
    if r.graph.focus == GraphFocus::Edges {
        let edges = selected_edges(r);
        let (Some(&(_, _, target)), Some(current)) =
            (edges.get(r.graph.edges.selected), r.graph.selected_node())
        else {
            app.flash = Some("no edge to follow".into());
            return;
        };
        if let Some(id) = r.model.graph.node_at(current).map(|n| n.id) {
            r.graph.history.push(id);
        }
        select_node(app, target);
        return;
    }
    match r.graph.row(r.graph.tree.selected) {
        Some(TreeRow::Group(k)) => {
            if !r.graph.open.remove(&k) {
                r.graph.open.insert(k);
            }
            let len = r.graph.row_count();
            r.graph.tree.step(0, len, height);
        }
        Some(TreeRow::Node(_)) => {
            r.graph.focus = GraphFocus::Edges;
            r.graph.edges = Default::default();
        }
        None => {}
    }
}

fn imports_enter(app: &mut App) {
    let Some(r) = app.ready() else { return };
    let Some(file) = r
        .imports
        .rows
        .get(r.imports.cursor.selected)
        .map(|i| r.model.files[*i].path.clone())
    else {
        return;
    };
    let g = &r.model.graph;
    let whole_file = g.nodes().position(|n| {
        n.locations
            .iter()
            .any(|l| *l.file == *file && l.pointer.is_empty())
    });
    let found = whole_file.or_else(|| {
        g.nodes()
            .position(|n| n.locations.iter().any(|l| *l.file == *file))
    });
    match found {
        Some(p) => {
            app.tab = Tab::Graph;
            select_node(app, p);
        }
        None => {
            app.flash = Some(format!(
                "no graph node comes from {}",
                components::safe(&file)
            ))
        }
    }
}

/// `Enter` on a decision: its verdict node in the Graph (its edges lead to the statements).
fn conflicts_enter(app: &mut App) {
    let Some(r) = app.ready() else { return };
    let Some(verdict) = components::conflicts::selected(r).map(|d| d.verdict) else {
        return;
    };
    match r.model.graph.position(&verdict) {
        Some(p) => {
            app.tab = Tab::Graph;
            select_node(app, p);
            if let Some(r) = app.ready_mut() {
                r.graph.focus = GraphFocus::Edges;
            }
        }
        None => app.flash = Some("the verdict is not in the graph".into()),
    }
}

/// `Backspace` in the Graph: back to the node an edge was followed from.
fn back(app: &mut App) {
    let Some(r) = app.ready_mut() else { return };
    let Some(id) = r.graph.history.pop() else {
        app.flash = Some("history is empty".into());
        return;
    };
    if let Some(p) = r.model.graph.position(&id) {
        select_node(app, p);
    }
}

/// Shows the node at `position` in the tree: opens its group, clears a filter hiding it.
pub fn select_node(app: &mut App, position: usize) {
    let height = view::list_height(Tab::Graph, app.width, app.height);
    let Some(r) = app.ready_mut() else { return };
    let Some(kind) = r.model.graph.node_at(position).map(|n| n.kind) else {
        return;
    };
    r.graph.open.insert(kind);
    if r.graph.row_of(position).is_none() {
        r.graph.filter.clear();
        rebuild_graph_rows(r);
    }
    if let Some(row) = r.graph.row_of(position) {
        let len = r.graph.row_count();
        r.graph.tree.select(row, len, height);
    }
    r.graph.focus = GraphFocus::Tree;
    refresh_detail(app);
}

/// Asks for the selected node's JSON (a node without a document says so at once) and resets
/// the edge cursor.
fn refresh_detail(app: &mut App) {
    let Some(r) = app.ready_mut() else { return };
    r.graph.edges = Default::default();
    r.graph.json_scroll = 0;
    r.graph.detail_json = Vec::new();
    r.graph.detail_reading = None;
    let Some(position) = r.graph.selected_node() else {
        return;
    };
    let Some(node) = r.model.graph.node_at(position) else {
        return;
    };
    match document::without_document(node) {
        Some(lines) => r.graph.detail_json = lines,
        None => {
            r.graph.detail_tickets += 1;
            r.graph.detail_reading = Some(DocumentRequest {
                position,
                ticket: r.graph.detail_tickets,
            });
        }
    }
}

fn edit_filter(app: &mut App, edit: impl FnOnce(&mut String)) {
    let tab = app.tab;
    let Some(r) = app.ready_mut() else { return };
    match tab {
        Tab::Graph => {
            edit(&mut r.graph.filter);
            rebuild_graph_rows(r);
            let first_node = (0..r.graph.row_count())
                .find(|i| matches!(r.graph.row(*i), Some(TreeRow::Node(_))));
            r.graph.tree = Default::default();
            r.graph.tree.selected = first_node.unwrap_or(0);
        }
        Tab::Imports => {
            edit(&mut r.imports.filter);
            rebuild_import_rows(r);
            r.imports.cursor = Default::default();
        }
        Tab::Conflicts => {
            edit(&mut r.conflicts.filter);
            rebuild_conflict_rows(r);
            r.conflicts.cursor = Default::default();
        }
        Tab::Validation => {
            edit(&mut r.validation.filter);
            r.validation.cursor = Default::default();
        }
        Tab::Overview => return,
    }
    move_selection(app, 0);
    if tab == Tab::Graph {
        refresh_detail(app);
    }
}

fn matches(haystack: &str, needle_lower: &str) -> bool {
    needle_lower.is_empty() || haystack.to_lowercase().contains(needle_lower)
}

/// Groups node positions by kind, keeping those that match the Graph filter. A filter that
/// extends the previous one only re-checks the previous matches.
pub fn rebuild_graph_rows(r: &mut Ready) {
    let needle = r.graph.filter.to_lowercase();
    if r.graph.search.len() != r.model.graph.node_count() {
        r.graph.search = NodeSearch::build(&r.model.graph);
        r.graph.matched_needle = None;
    }
    let narrowing = r
        .graph
        .matched_needle
        .as_deref()
        .is_some_and(|old| !old.is_empty() && needle.starts_with(old));
    let matches = if r.graph.matched_needle.as_deref() == Some(needle.as_str()) {
        std::mem::take(&mut r.graph.matches)
    } else {
        let within = narrowing.then_some(r.graph.matches.as_slice());
        r.graph.search.matching(&r.model.graph, &needle, within)
    };
    r.graph.groups = r.graph.search.group(&matches);
    r.graph.matches = matches;
    r.graph.matched_needle = Some(needle);
}

/// Files failed first, then skipped, parsed, unrecognised; narrowed by the Imports filter.
pub fn rebuild_import_rows(r: &mut Ready) {
    let needle = r.imports.filter.to_lowercase();
    let m = &r.model;
    let mut rows: Vec<usize> = (0..m.files.len())
        .filter(|i| {
            let f = &m.files[*i];
            needle.is_empty()
                || matches(&f.path, &needle)
                || matches(f.kind.as_str(), &needle)
                || matches(f.status.as_str(), &needle)
                || m.diagnostics_for(&f.path)
                    .any(|d| matches(d.code.as_str(), &needle))
        })
        .collect();
    rows.sort_by(|a, b| {
        let (fa, fb) = (&m.files[*a], &m.files[*b]);
        (components::imports::order(fa.status), &fa.path)
            .cmp(&(components::imports::order(fb.status), &fb.path))
    });
    r.imports.rows = rows;
}

/// A left click: on the tab bar switches tabs; on a list selects the row.
fn click(app: &mut App, column: u16, row: u16) {
    let areas = view::areas(view::screen(app.width, app.height));
    if row == areas.tabs.y {
        if let Some((tab, _, _)) = view::tab_spans()
            .into_iter()
            .find(|(_, a, b)| column >= *a && column < *b)
        {
            app.tab = tab;
        }
        return;
    }
    let body = areas.body;
    let list_top = match app.tab {
        Tab::Graph => {
            if contains(components::graph::edges_area(body), column, row) {
                return click_edge(app, row - components::graph::edges_area(body).y);
            }
            if !contains(components::graph::tree_area(body), column, row) {
                return;
            }
            components::graph::tree_area(body).y + 1
        }
        Tab::Imports if contains(components::imports::table_area(body), column, row) => {
            components::imports::table_area(body).y + 2
        }
        Tab::Conflicts if contains(components::conflicts::list_area(body), column, row) => {
            components::conflicts::list_area(body).y + 2
        }
        _ => return,
    };
    if row < list_top {
        return;
    }
    click_row(app, usize::from(row - list_top));
}

fn contains(a: ratatui::layout::Rect, column: u16, row: u16) -> bool {
    column >= a.x && column < a.x + a.width && row >= a.y && row < a.y + a.height
}

fn click_row(app: &mut App, k: usize) {
    let height = view::list_height(app.tab, app.width, app.height);
    let tab = app.tab;
    let Some(r) = app.ready_mut() else { return };
    match tab {
        Tab::Graph => {
            let offset = r.graph.tree.offset;
            let sticky = matches!(r.graph.row(offset), Some(TreeRow::Node(_)));
            let index = match (sticky, k) {
                (true, 0) => return,
                (true, k) => offset + k - 1,
                (false, k) => offset + k,
            };
            let len = r.graph.row_count();
            if index < len {
                r.graph.focus = GraphFocus::Tree;
                r.graph.tree.select(index, len, height);
                refresh_detail(app);
            }
        }
        Tab::Imports => {
            let (index, len) = (r.imports.cursor.offset + k, r.imports.rows.len());
            if index < len {
                r.imports.cursor.select(index, len, height);
            }
        }
        Tab::Conflicts => {
            let (index, len) = (r.conflicts.cursor.offset + k, r.conflicts.rows.len());
            if index < len {
                r.conflicts.cursor.select(index, len, height);
            }
        }
        _ => {}
    }
}

fn click_edge(app: &mut App, inner_row: u16) {
    let eh = edges_height(app);
    let Some(r) = app.ready_mut() else { return };
    if inner_row == 0 {
        return;
    }
    let len = selected_edges(r).len();
    let index = r.graph.edges.offset + usize::from(inner_row) - 1;
    if index < len {
        r.graph.focus = GraphFocus::Edges;
        r.graph.edges.select(index, len, eh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(stage: Stage, done: u64, total: u64) -> Progress {
        Progress {
            stage,
            done,
            total,
            bytes: 0,
        }
    }

    #[test]
    fn uncounted_parsing_does_not_replace_a_reading_under_way() {
        let reading = report(Stage::Reading, 5, 10);
        let parsing = report(Stage::Parsing, 3, 0);
        assert!(!supersedes(&parsing, Some(&reading)));
        assert!(supersedes(&report(Stage::Reading, 6, 10), Some(&reading)));
        assert!(supersedes(&parsing, Some(&report(Stage::Reading, 10, 10))));
        assert!(supersedes(&report(Stage::Verifying, 0, 3), Some(&reading)));
        assert!(supersedes(&parsing, None));
    }
}
