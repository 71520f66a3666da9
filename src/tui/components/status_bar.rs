//! The bottom line: the filter prompt while typing, else a message or the tab's key hints
//! (from the key table).

use crate::tui::app::App;
use crate::tui::keymap;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let line = if app.filter_editing {
        Line::from(vec![
            Span::styled(" / ", t.key()),
            Span::raw(super::safe(app.filter().unwrap_or(""))),
            Span::styled("▏", t.key()),
            Span::styled("   Enter keep · Esc clear", t.dim()),
        ])
    } else if let Some(msg) = &app.flash {
        Line::from(Span::styled(format!(" {msg}"), t.warning()))
    } else {
        let mut spans = vec![Span::raw(" ")];
        if let Some(f) = app.filter().filter(|f| !f.is_empty()) {
            spans.push(Span::styled(
                format!("filter: {} ", super::safe(f)),
                t.warning(),
            ));
        }
        for b in keymap::bar_bindings(app.tab) {
            spans.push(Span::styled(b.label, t.key()));
            spans.push(Span::styled(format!(" {}  ", b.hint), t.dim()));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
