//! One component per tab and per overlay; each renders from `&App` and its own view state.

pub mod conflicts;
pub mod graph;
pub mod help;
pub mod imports;
pub mod loading;
pub mod overview;
pub mod status_bar;
pub mod validation;

use super::theme::Theme;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Borders};

/// Text from a bundle, with control characters and escape sequences rendered harmless.
pub fn safe(s: &str) -> String {
    crate::cli::output::sanitize(s).replace(['\n', '\t'], " ")
}

/// A bordered block with a title; `focused` changes the border style.
pub fn block(theme: &Theme, title: &str, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme.border_focused()
        } else {
            theme.border()
        })
        .title(format!(" {title} "))
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A rectangle centred in `area`, `w` × `h` at most.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
