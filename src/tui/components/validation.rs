//! Validation: the audit-pack profile and every check in fixed order with ✔/✘/– and its code;
//! the DSSE envelopes with how their signatures verified; the exports timeline; the keys.

use super::{block, safe};
use crate::tui::app::{App, Ready};
use crate::tui::theme::{symbols, Theme};
use crate::verify::report::CheckStatus;
use crate::verify::signatures::SignatureStatus;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn mark(t: &Theme, status: CheckStatus) -> (&'static str, Style) {
    match status {
        CheckStatus::Pass => (symbols::PASS, t.ok()),
        CheckStatus::Fail => (symbols::FAIL, t.error()),
        CheckStatus::Skipped => (symbols::SKIP, t.dim()),
    }
}

fn heading(t: &Theme, text: &str) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), t.title()))
}

/// The validation lines, narrowed by the tab's filter (headings stay).
pub fn lines(app: &App, r: &Ready) -> Vec<Line<'static>> {
    let t = app.theme;
    let v = &r.model.verification;
    let mut out = vec![profile_line(&t, r)];
    for note in &v.notes {
        out.push(Line::from(vec![
            Span::styled("note     ", t.label()),
            Span::raw(safe(note)),
        ]));
    }
    out.push(Line::raw(""));
    out.push(heading(&t, "Checks (fixed order)"));
    // The code column is as wide as the longest code shown (none when every check passed).
    let code_width = v
        .checks
        .iter()
        .filter_map(|c| c.code)
        .map(|c| c.as_str().len() + 2)
        .max()
        .unwrap_or(0);
    let mut group = "";
    for c in &v.checks {
        if c.group() != group {
            group = c.group();
            out.push(Line::from(Span::styled(format!("  {group}"), t.label())));
        }
        let (m, style) = mark(&t, c.status);
        let code = c.code.map(|c| c.as_str()).unwrap_or("");
        out.push(Line::from(vec![
            Span::styled(format!("    {m} {:<19}", c.name), style),
            Span::styled(format!("{code:<code_width$}"), style),
            Span::raw(safe(&c.message)),
        ]));
    }
    out.push(Line::raw(""));
    out.push(heading(&t, "DSSE envelopes"));
    for e in &v.signatures {
        let (m, style) = match e.status {
            SignatureStatus::Trusted => (symbols::PASS, t.ok()),
            SignatureStatus::SelfAsserted | SignatureStatus::BundleSupplied => {
                (symbols::WARN, t.warning())
            }
            SignatureStatus::Failed => (symbols::FAIL, t.error()),
        };
        let code = e.code.map(|c| format!("{c}  ")).unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("  {m} {:<16}", e.status.as_str()), style),
            Span::raw(format!("{code}{}{}", safe(&e.file), safe(&e.pointer))),
        ]));
    }
    out.push(Line::raw(""));
    out.push(heading(&t, "Exports (by runId, startedAt)"));
    for x in &v.exports {
        let (m, style) = if x.ok() {
            (symbols::PASS, t.ok())
        } else {
            (symbols::FAIL, t.error())
        };
        let codes: Vec<&str> = x.codes().iter().map(|c| c.as_str()).collect();
        let place = match x.line {
            Some(l) => format!("{}:{l}", safe(&x.file)),
            None => safe(&x.file),
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {m} "), style),
            Span::raw(format!(
                "{:<38} {:<22} {:<10} {place}  ",
                safe(x.run_id.as_deref().unwrap_or("(no runId)")),
                safe(x.started_at.as_deref().unwrap_or("")),
                safe(x.status.as_deref().unwrap_or("")),
            )),
            Span::styled(codes.join(" "), style),
        ]));
    }
    out.push(Line::raw(""));
    out.push(heading(&t, "Keys"));
    for k in &v.trust.keys {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<16}", k.trust.as_str()), t.label()),
            Span::raw(format!(
                "{} {}  {}",
                crate::tui::view::short_digest(&k.key),
                k.algorithm,
                safe(&k.keyids.join(", "))
            )),
        ]));
    }
    narrow(out, &r.validation.filter)
}

fn profile_line(t: &Theme, r: &Ready) -> Line<'static> {
    let v = &r.model.verification;
    let mut spans = vec![
        Span::styled("profile  ", t.label()),
        Span::styled(format!("[{}]", v.profile.as_str()), t.tab_active()),
        Span::raw("  "),
    ];
    match v.first_failure() {
        None if v.ok() => spans.push(Span::styled(
            format!("{} every check passed", symbols::PASS),
            t.ok(),
        )),
        None => spans.push(Span::styled(
            format!("{} nothing was verified", symbols::FAIL),
            t.error(),
        )),
        Some(c) => spans.push(Span::styled(
            format!(
                "{} first failure: {} {}",
                symbols::FAIL,
                c.name,
                c.code.map(|c| c.as_str()).unwrap_or("")
            ),
            t.error(),
        )),
    }
    Line::from(spans)
}

/// Keeps headings (unindented lines) and the lines containing `filter`.
fn narrow(lines: Vec<Line<'static>>, filter: &str) -> Vec<Line<'static>> {
    if filter.is_empty() {
        return lines;
    }
    let needle = filter.to_lowercase();
    lines
        .into_iter()
        .filter(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            !text.starts_with("    ") && !text.starts_with("  ")
                || text.to_lowercase().contains(&needle)
        })
        .collect()
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let p = Paragraph::new(lines(app, r))
        .scroll((r.validation.cursor.offset as u16, 0))
        .block(block(&app.theme, "Validation", true));
    frame.render_widget(p, area);
}
