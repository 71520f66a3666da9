//! Layout and the top-level `render`: a pure function of the state.
//!
//! ```text
//! ┌ header: evx · bundle · form · profile · root digest ──────────────────────┐
//! │ 1 Overview  2 Graph  3 Conflicts  4 Validation  5 Imports                 │
//! │ body: the current tab's component                                         │
//! └ status bar: keys for this tab, or the filter prompt ──────────────────────┘
//! ```

use super::action::Tab;
use super::app::{App, LoadState};
use super::components;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The fixed regions of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
}

/// Splits the screen.
pub fn areas(screen: Rect) -> Areas {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(screen);
    Areas {
        header: rows[0],
        tabs: rows[1],
        body: rows[2],
        status: rows[3],
    }
}

/// The screen for a terminal of `width` × `height`.
pub fn screen(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width, height)
}

/// Rows of the list that `tab` scrolls, for a terminal of this size.
pub fn list_height(tab: Tab, width: u16, height: u16) -> usize {
    let body = areas(screen(width, height)).body;
    let h = match tab {
        Tab::Graph => return components::graph::tree_rows(body),
        Tab::Imports => components::imports::table_area(body)
            .height
            .saturating_sub(3),
        Tab::Conflicts => components::conflicts::list_area(body)
            .height
            .saturating_sub(3),
        Tab::Validation | Tab::Overview => body.height.saturating_sub(2),
    };
    usize::from(h.max(1))
}

/// Draws the whole explorer.
pub fn render(app: &App, frame: &mut Frame) {
    let a = areas(frame.area());
    render_header(app, frame, a.header);
    render_tabs(app, frame, a.tabs);
    match &app.load {
        LoadState::Loading { latest } => components::loading::render(app, *latest, frame, a.body),
        LoadState::Failed { error } => components::loading::render_error(app, error, frame, a.body),
        LoadState::Ready(ready) => match app.tab {
            Tab::Overview => components::overview::render(app, ready, frame, a.body),
            Tab::Graph => components::graph::render(app, ready, frame, a.body),
            Tab::Conflicts => components::conflicts::render(app, ready, frame, a.body),
            Tab::Validation => components::validation::render(app, ready, frame, a.body),
            Tab::Imports => components::imports::render(app, ready, frame, a.body),
        },
    }
    components::status_bar::render(app, frame, a.status);
    if app.help {
        components::help::render(app, frame, frame.area());
    }
}

fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let mut spans = vec![Span::styled(" evx ", t.title()), Span::raw(" ")];
    spans.push(Span::raw(components::safe(
        &app.bundle_path.display().to_string(),
    )));
    if let Some(r) = app.ready() {
        spans.push(Span::styled(
            format!(
                "  {} · {} files",
                r.model.form.as_str(),
                r.model.files.len()
            ),
            t.dim(),
        ));
        spans.push(Span::raw("  root "));
        spans.push(Span::styled(
            short_digest(r.model.graph.root_digest()),
            t.label(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `sha256:0123456789ab…`
pub fn short_digest(d: &str) -> String {
    match d.strip_prefix("sha256:") {
        Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
        _ => d.to_string(),
    }
}

/// The x-ranges of the tab titles, shared by drawing and mouse clicks.
pub fn tab_spans() -> Vec<(Tab, u16, u16)> {
    let mut x = 1u16;
    Tab::ALL
        .iter()
        .map(|t| {
            let w = (t.title().len() + 4) as u16;
            let span = (*t, x, x + w);
            x += w + 1;
            span
        })
        .collect()
}

fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let mut spans = vec![Span::raw(" ")];
    for (tab, _, _) in tab_spans() {
        let text = format!(" {} {} ", tab.index() + 1, tab.title());
        let style = if tab == app.tab {
            t.tab_active()
        } else {
            t.dim()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
