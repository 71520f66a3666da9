//! Conflicts: every VEX decision, conflicts first; the candidates of the selected one with the
//! winner marked, and one sentence saying why it won.

use super::block;
use crate::tui::app::{App, Ready};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
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

pub fn render(app: &App, _r: &Ready, frame: &mut Frame, area: Rect) {
    let parts = split(area);
    let msg = Line::from(Span::styled(
        "No VEX decisions in this bundle.",
        app.theme.dim(),
    ));
    frame.render_widget(
        Paragraph::new(msg).block(block(&app.theme, "Decisions", true)),
        parts[0],
    );
    frame.render_widget(
        Paragraph::new("").block(block(&app.theme, "Candidates", false)),
        parts[1],
    );
}
