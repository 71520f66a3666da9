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

/// Profile badge, verdict summary and trust summary.
fn extra_sections(app: &App, r: &Ready) -> Vec<Line<'static>> {
    let t = app.theme;
    let v = &r.model.verification;
    let field = |name: &str| Span::styled(format!("{name:<13}"), t.label());
    let verdict = match v.first_failure() {
        Some(c) => Span::styled(
            format!(
                "{} {} {}",
                symbols::FAIL,
                c.name,
                c.code.map(|c| c.as_str()).unwrap_or("")
            ),
            t.error(),
        ),
        None if v.ok() => Span::styled(format!("{} verified", symbols::PASS), t.ok()),
        None => Span::styled(format!("{} nothing verified", symbols::FAIL), t.error()),
    };
    let mut out = vec![Line::from(vec![
        field("Profile"),
        Span::styled(format!("[{}]", v.profile.as_str()), t.tab_active()),
        Span::raw("  "),
        verdict,
    ])];
    let decisions = &r.model.decisions;
    let conflicts = decisions.iter().filter(|d| d.conflict).count();
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for d in decisions {
        *by_status.entry(d.status.as_str()).or_default() += 1;
    }
    let statuses: Vec<String> = by_status.iter().map(|(s, n)| format!("{s} {n}")).collect();
    out.push(Line::from(vec![
        field("Verdicts"),
        Span::raw(format!(
            "{} decisions · {conflicts} conflicts  ",
            decisions.len()
        )),
        Span::styled(statuses.join(" · "), t.dim()),
    ]));
    let trust = &v.trust;
    let count = |k| trust.with_trust(k).count();
    use crate::verify::keyring::KeyTrust;
    let policy = trust
        .policy
        .as_deref()
        .map(|p| format!("policy {}", safe(p)))
        .unwrap_or_else(|| "no --trust policy".into());
    out.push(Line::from(vec![
        field("Trust"),
        Span::raw(format!(
            "{} pinned · {} self-asserted · {} bundle-supplied keys  ",
            count(KeyTrust::Pinned),
            count(KeyTrust::SelfAsserted),
            count(KeyTrust::BundleSupplied)
        )),
        Span::styled(policy, t.dim()),
    ]));
    out
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
