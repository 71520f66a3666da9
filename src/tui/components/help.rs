//! The `?` overlay, generated from the key table the handlers use.

use super::{block, centred};
use crate::tui::action::Tab;
use crate::tui::app::App;
use crate::tui::keymap::{Scope, BINDINGS};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// The overlay's lines: global keys, then each tab's own keys.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut out = vec![Line::from(Span::styled("Everywhere", t.title()))];
    let row = |label: &str, desc: &str| {
        Line::from(vec![
            Span::styled(format!("  {label:<12}"), t.key()),
            Span::raw(desc.to_string()),
        ])
    };
    for b in BINDINGS.iter().filter(|b| b.scope == Scope::Global) {
        out.push(row(b.label, b.description));
    }
    out.push(row("mouse", "wheel scrolls, click selects a row or a tab"));
    for tab in Tab::ALL {
        let own: Vec<_> = BINDINGS
            .iter()
            .filter(|b| b.scope == Scope::Tab(tab))
            .collect();
        if own.is_empty() {
            continue;
        }
        out.push(Line::raw(""));
        out.push(Line::from(Span::styled(tab.title().to_string(), t.title())));
        for b in own {
            out.push(row(b.label, b.description));
        }
    }
    out
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let popup = centred(area, 64, area.height.saturating_sub(4).max(10));
    frame.render_widget(Clear, popup);
    let text = lines(app);
    let p = Paragraph::new(text)
        .scroll((app.help_scroll as u16, 0))
        .block(block(&app.theme, "Keys — ? or Esc to close", true));
    frame.render_widget(p, popup);
}
