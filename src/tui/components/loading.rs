//! The loading screen (progress gauge) and the load-error screen.

use super::{block, centred, safe};
use crate::progress::{Progress, Stage};
use crate::tui::app::App;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};
use ratatui::Frame;

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Reading => "reading bundle",
        Stage::Indexing => "indexing files",
        Stage::Parsing => "parsing documents",
        Stage::Linking => "linking the graph",
        Stage::Verifying => "verifying",
        Stage::Done => "done",
    }
}

/// Fraction of the work done, by stage (reading and parsing dominate).
fn ratio(p: Option<Progress>) -> f64 {
    let Some(p) = p else { return 0.0 };
    let within = if p.total > 0 {
        p.done as f64 / p.total as f64
    } else {
        0.0
    };
    let (base, span) = match p.stage {
        Stage::Reading => (0.0, 0.3),
        Stage::Indexing => (0.3, 0.1),
        Stage::Parsing => (0.4, 0.4),
        Stage::Linking => (0.8, 0.1),
        Stage::Verifying => (0.9, 0.1),
        Stage::Done => (1.0, 0.0),
    };
    (base + span * within).clamp(0.0, 1.0)
}

/// Shown at once, while the loader thread works.
pub fn render(app: &App, latest: Option<Progress>, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let outer = centred(area, 70, 7);
    frame.render_widget(block(&t, "Loading", true), outer);
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .margin(1)
        .constraints([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .split(outer);
    frame.render_widget(
        Paragraph::new(safe(&app.bundle_path.display().to_string())),
        rows[0],
    );
    let label = match latest {
        None => "starting…".to_string(),
        Some(p) if p.total > 0 => format!(
            "{}: {} / {} · {} KiB read",
            stage_name(p.stage),
            p.done,
            p.total,
            p.bytes / 1024
        ),
        Some(p) => format!(
            "{}: {} · {} KiB read",
            stage_name(p.stage),
            p.done,
            p.bytes / 1024
        ),
    };
    frame.render_widget(
        Gauge::default()
            .gauge_style(t.label())
            .ratio(ratio(latest))
            .label(""),
        rows[1],
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(label, t.dim()))),
        rows[2],
    );
}

/// The bundle could not be opened: say why and where, keep the explorer open.
pub fn render_error(app: &App, error: &str, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let outer = centred(area, 80, 9);
    let text = vec![
        Line::from(Span::styled(
            format!(
                "{} could not open the bundle",
                crate::tui::theme::symbols::FAIL
            ),
            t.error(),
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled("path   ", t.label()),
            Span::raw(safe(&app.bundle_path.display().to_string())),
        ]),
        Line::from(vec![
            Span::styled("error  ", t.label()),
            Span::raw(safe(error)),
        ]),
        Line::raw(""),
        Line::from(Span::styled("q quit", t.dim())),
    ];
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(block(&t, "Load failed", true)),
        outer,
    );
}
