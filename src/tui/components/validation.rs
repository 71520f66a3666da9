//! Validation: the audit-pack profile and every check in fixed order; exports with their codes.

use super::block;
use crate::tui::app::{App, Ready};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The validation lines (also used by tests).
pub fn lines(app: &App, _r: &Ready) -> Vec<Line<'static>> {
    vec![Line::from(Span::styled(
        "No verification results in this build.",
        app.theme.dim(),
    ))]
}

pub fn render(app: &App, r: &Ready, frame: &mut Frame, area: Rect) {
    let p = Paragraph::new(lines(app, r))
        .scroll((r.validation.cursor.offset as u16, 0))
        .block(block(&app.theme, "Validation", true));
    frame.render_widget(p, area);
}
