//! Overview: the bundle at a glance — form, profile, root digest, counts, verdicts, trust and the
//! top problems.

use super::{block, safe};
use crate::diag::Severity;
use crate::pipeline::collect::FileStatus;
use crate::tui::app::{App, Ready};
use crate::tui::theme::symbols;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::collections::BTreeMap;

/// The overview's lines (also used by tests).
pub fn lines(app: &App, r: &Ready) -> Vec<Line<'static>> {
    let t = app.theme;
    let m = &r.model;
    let field = |name: &str, value: Vec<Span<'static>>| {
        let mut spans = vec![Span::styled(format!("{name:<13}"), t.label())];
        spans.extend(value);
        Line::from(spans)
    };
    let mut out = vec![
        field(
            "Bundle",
            vec![
                Span::raw(safe(&m.source.display().to_string())),
                Span::styled(
                    format!("  ({}, {} files)", m.form.as_str(), m.files.len()),
                    t.dim(),
                ),
            ],
        ),
        field(
            "Root digest",
            vec![Span::raw(m.graph.root_digest().to_string())],
        ),
        field(
            "Graph",
            vec![Span::raw(format!(
                "{} nodes · {} edges",
                m.graph.node_count(),
                m.graph.edges().len()
            ))],
        ),
    ];
    let kinds: Vec<String> = m
        .graph
        .counts_by_kind()
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    out.push(field("", vec![Span::styled(kinds.join(" · "), t.dim())]));
    out.push(field("Files", vec![Span::raw(file_counts(r))]));
    out.extend(extra_sections(app, r));
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("Top problems", t.title())));
    let problems: Vec<_> = m
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .take(8)
        .collect();
    if problems.is_empty() {
        out.push(Line::from(Span::styled(
            format!("  {} none", symbols::PASS),
            t.ok(),
        )));
    }
    for d in problems {
        let (mark, style) = match d.severity {
            Severity::Error => (symbols::FAIL, t.error()),
            _ => (symbols::WARN, t.warning()),
        };
        let mut place = safe(&d.file);
        if !d.pointer.is_empty() {
            place.push(' ');
            place.push_str(&safe(&d.pointer));
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {mark} {} ", d.code), style),
            Span::raw(place),
            Span::styled(format!("  {}", safe(&d.message)), t.dim()),
        ]));
    }
    let more = m.diagnostics.len().saturating_sub(8);
    if more > 0 {
        out.push(Line::from(Span::styled(
            format!("  … {more} more in the Imports tab (5)"),
            t.dim(),
        )));
    }
    out
}

/// Sections that come from VEX and verification results.
fn extra_sections(_app: &App, _r: &Ready) -> Vec<Line<'static>> {
    Vec::new()
}

fn file_counts(r: &Ready) -> String {
    let mut counts: BTreeMap<FileStatus, usize> = BTreeMap::new();
    for f in &r.model.files {
        *counts.entry(f.status).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let p = Paragraph::new(lines(app, r))
        .scroll((app.overview_scroll as u16, 0))
        .block(block(&app.theme, "Overview", true));
    frame.render_widget(p, area);
}
