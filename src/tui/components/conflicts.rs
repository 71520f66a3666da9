//! Conflicts: every VEX decision, conflicts first; the candidates of the selected one with the
//! winner marked, and one sentence saying why it won.

use super::{block, fit, safe};
use crate::pipeline::merge::VexDecision;
use crate::tui::app::{App, Ready};
use crate::tui::theme::symbols;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The decision list's area inside the tab body.
pub fn list_area(body: Rect) -> Rect {
    split(body)[0]
}

fn split(body: Rect) -> std::rc::Rc<[Rect]> {
    Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(40), Constraint::Percentage(60)])
        .split(body)
}

/// Whether a decision matches the filter (vulnerability, target, status, rule or an issuer).
pub fn matches(d: &VexDecision, needle_lower: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle_lower);
    needle_lower.is_empty()
        || hit(&d.vulnerability)
        || d.aliases.iter().any(|a| hit(a))
        || hit(&d.target)
        || hit(d.status.as_str())
        || hit(d.rule.as_str())
        || d.candidates
            .iter()
            .any(|c| c.issuer.as_deref().is_some_and(hit))
}

/// The selected decision.
pub fn selected(r: &Ready) -> Option<&VexDecision> {
    r.conflicts
        .rows
        .get(r.conflicts.cursor.selected)
        .and_then(|i| r.model.decisions.get(*i))
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let parts = split(area);
    render_list(app, r, frame, parts[0]);
    render_candidates(app, r, frame, parts[1]);
}

fn render_list(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let view = &r.conflicts;
    let height = usize::from(area.height.saturating_sub(3));
    let width = usize::from(area.width.saturating_sub(2));
    let conflicts = r.model.decisions.iter().filter(|d| d.conflict).count();
    let header = format!(
        "  {:<2}{:<16} {:<20} {:<18} target",
        "", "rule", "verdict", "vulnerability"
    );
    let mut lines = vec![Line::from(Span::styled(fit(&header, width), t.dim()))];
    for row in view.cursor.window(view.rows.len(), height) {
        let d = &r.model.decisions[view.rows[row]];
        let chosen = row == view.cursor.selected;
        let mark = if chosen { "›" } else { " " };
        let flag = if d.conflict { symbols::WARN } else { " " };
        let text = format!(
            "{mark} {flag:<2}{:<16} {:<20} {:<18} {}",
            d.rule.as_str(),
            d.status.as_str(),
            safe(&d.vulnerability),
            safe(&d.target)
        );
        let style = if chosen {
            t.selected()
        } else if d.conflict {
            t.warning()
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(fit(&text, width), style)));
    }
    if view.rows.is_empty() {
        lines.push(Line::from(Span::styled("  no VEX decisions", t.dim())));
    }
    let title = format!(
        "Decisions — {} conflicts of {} ({} shown)",
        conflicts,
        r.model.decisions.len(),
        view.rows.len()
    );
    frame.render_widget(Paragraph::new(lines).block(block(&t, &title, true)), area);
}

fn render_candidates(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let Some(d) = selected(r) else {
        frame.render_widget(
            Paragraph::new("").block(block(&t, "Candidates", false)),
            area,
        );
        return;
    };
    let width = usize::from(area.width.saturating_sub(2));
    let header = format!(
        "  {:<24} {:<11} {:<13} {:<19} {:<20} document",
        "issuer", "authority", "from", "status", "timestamp"
    );
    let mut lines = vec![Line::from(Span::styled(fit(&header, width), t.dim()))];
    for c in &d.candidates {
        let mark = if c.winner { symbols::WINNER } else { " " };
        let ts = c
            .timestamp
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_else(|| "—".into());
        let issuer = safe(c.issuer.as_deref().unwrap_or("(unknown)"));
        let text = format!(
            "{mark} {:<24} {:<11} {:<13} {:<19} {:<20} {}",
            fit(&issuer, 24),
            c.authority.as_str(),
            c.authority_source.as_str(),
            c.status.as_str(),
            ts,
            safe(&c.document)
        );
        let style = if c.winner {
            t.winner()
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(fit(&text, width), style)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("Why: ", t.label()),
        Span::raw(safe(&d.reason)),
    ]));
    if let Some(w) = d.winner_candidate() {
        lines.push(Line::from(vec![
            Span::styled("Authority: ", t.label()),
            Span::raw(safe(&w.authority_detail)),
        ]));
        for (name, text) in [
            ("Justification", &w.justification),
            ("Impact", &w.impact),
            ("Action", &w.action),
        ] {
            if let Some(text) = text {
                lines.push(Line::from(vec![
                    Span::styled(format!("{name}: "), t.label()),
                    Span::raw(safe(text)),
                ]));
            }
        }
    }
    if !d.aliases.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("Aliases: ", t.label()),
            Span::raw(safe(&d.aliases.join(", "))),
        ]));
    }
    let title = format!(
        "Candidates — {} on {}",
        safe(&d.vulnerability),
        safe(&d.target)
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(&t, &title, false)),
        area,
    );
}
