//! Imports: every file with kind and status, failed first; the selected file's diagnostics with
//! code, pointer and line.

use super::{block, fit, safe};
use crate::pipeline::collect::FileStatus;
use crate::tui::app::{App, Ready};
use crate::tui::theme::{symbols, Theme};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The file table's area inside the tab body.
pub fn table_area(body: Rect) -> Rect {
    split(body)[0]
}

fn split(body: Rect) -> std::rc::Rc<[Rect]> {
    Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
        .split(body)
}

/// Sort key: failed, skipped, parsed, unrecognised; then path.
pub fn order(status: FileStatus) -> u8 {
    match status {
        FileStatus::Failed => 0,
        FileStatus::Skipped => 1,
        FileStatus::Parsed => 2,
        FileStatus::Unrecognised => 3,
    }
}

fn status_cell(t: &Theme, s: FileStatus) -> (String, Style) {
    match s {
        FileStatus::Failed => (format!("{} failed", symbols::FAIL), t.error()),
        FileStatus::Skipped => (format!("{} skipped", symbols::WARN), t.warning()),
        FileStatus::Parsed => (format!("{} parsed", symbols::PASS), t.ok()),
        FileStatus::Unrecognised => (format!("{} unrecognised", symbols::SKIP), t.dim()),
    }
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let parts = split(area);
    let view = &r.imports;
    let height = usize::from(parts[0].height.saturating_sub(3));
    let width = usize::from(parts[0].width.saturating_sub(2));
    let mut lines = vec![Line::from(Span::styled(
        fit(
            &format!("  {:<15} {:<20} {:>5}  path", "status", "kind", "diags"),
            width,
        ),
        t.dim(),
    ))];
    for row in view.cursor.window(view.rows.len(), height) {
        let f = &r.model.files[view.rows[row]];
        let (status, style) = status_cell(&t, f.status);
        let count = r.model.diagnostics_for(&f.path).count();
        let chosen = row == view.cursor.selected;
        let mark = if chosen { "›" } else { " " };
        let text = fit(
            &format!(
                "{mark} {status:<15} {:<20} {count:>5}  {}",
                f.kind.as_str(),
                safe(&f.path)
            ),
            width,
        );
        let style = if chosen { t.selected() } else { style };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let title = format!(
        "Imports — {} of {} files",
        view.rows.len(),
        r.model.files.len()
    );
    frame.render_widget(
        Paragraph::new(lines).block(block(&t, &title, true)),
        parts[0],
    );
    render_diagnostics(app, r, frame, parts[1]);
}

fn render_diagnostics(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let selected = r
        .imports
        .rows
        .get(r.imports.cursor.selected)
        .map(|i| &r.model.files[*i]);
    let Some(file) = selected else {
        frame.render_widget(
            Paragraph::new("no file selected").block(block(&t, "Diagnostics", false)),
            area,
        );
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("sha256 ", t.label()),
        Span::styled(file.sha256.clone(), t.dim()),
        Span::styled(format!("  {} bytes", file.size), t.dim()),
    ])];
    let diags: Vec<_> = r.model.diagnostics_for(&file.path).collect();
    if diags.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("{} no diagnostics", symbols::PASS),
            t.ok(),
        )));
    }
    for d in diags {
        let at = match (d.line, d.column) {
            (Some(l), Some(c)) => format!(" line {l}:{c}"),
            _ => String::new(),
        };
        let style = if d.severity == crate::diag::Severity::Error {
            t.error()
        } else {
            t.warning()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", d.code), style),
            Span::raw(format!(
                "{}{at}",
                if d.pointer.is_empty() {
                    "(whole file)".to_string()
                } else {
                    safe(&d.pointer)
                }
            )),
        ]));
        lines.push(Line::from(Span::raw(format!("    {}", safe(&d.message)))));
    }
    let title = format!("Diagnostics — {}", safe(&file.path));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block(&t, &title, false)),
        area,
    );
}
