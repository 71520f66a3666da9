//! A windowed cursor over a list of any length: only the visible rows are ever rendered, so a
//! million rows cost what forty do.

/// Selection and scroll offset of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` rows, clamped to `[0, len)`, and scrolls so the selection stays in a
    /// window of `height` rows.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize + delta).clamp(0, len as isize - 1);
        self.select(target as usize, len, height);
    }

    /// Selects row `index` (clamped) and scrolls it into view.
    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.selected = index.min(len - 1);
        self.scroll_into_view(len, height);
    }

    /// Scrolls the view by `delta` rows without moving past the ends; keeps the selection
    /// inside the view.
    pub fn scroll(&mut self, delta: isize, len: usize, height: usize) {
        let max_offset = len.saturating_sub(height.max(1));
        self.offset = (self.offset as isize + delta).clamp(0, max_offset as isize) as usize;
        let last_visible = self.offset + height.max(1) - 1;
        self.selected = self
            .selected
            .clamp(self.offset, last_visible.min(len.saturating_sub(1)));
    }

    fn scroll_into_view(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// The rows to draw: `offset .. offset + height`, clamped to the list.
    pub fn window(&self, len: usize, height: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len);
        start..(start + height).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_keeps_the_selection_visible() {
        let mut c = Cursor::default();
        c.step(15, 100, 10);
        assert_eq!((c.selected, c.offset), (15, 6));
        c.step(-10, 100, 10);
        assert_eq!((c.selected, c.offset), (5, 5));
        c.step(1000, 100, 10);
        assert_eq!((c.selected, c.offset), (99, 90));
        c.step(-1000, 100, 10);
        assert_eq!((c.selected, c.offset), (0, 0));
    }

    #[test]
    fn window_is_bounded_by_height_for_huge_lists() {
        let mut c = Cursor::default();
        c.select(999_999, 1_000_000, 40);
        assert_eq!(c.window(1_000_000, 40), 999_960..1_000_000);
    }

    #[test]
    fn empty_lists_are_safe() {
        let mut c = Cursor::default();
        c.step(3, 0, 10);
        assert_eq!(c, Cursor::default());
        assert_eq!(c.window(0, 10), 0..0);
    }

    #[test]
    fn scrolling_drags_the_selection_along() {
        let mut c = Cursor::default();
        c.scroll(20, 100, 10);
        assert_eq!((c.selected, c.offset), (20, 20));
        c.scroll(1000, 100, 10);
        assert_eq!(c.offset, 90);
    }
}
