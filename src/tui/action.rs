//! Everything that can happen to the explorer, as data. `update` is the only place that reacts.

use crate::pipeline::Reconciled;
use crate::progress::Progress;

/// The five tabs of SPEC §7, in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tab {
    Overview,
    Graph,
    Conflicts,
    Validation,
    Imports,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Overview,
        Tab::Graph,
        Tab::Conflicts,
        Tab::Validation,
        Tab::Imports,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Graph => "Graph",
            Tab::Conflicts => "Conflicts",
            Tab::Validation => "Validation",
            Tab::Imports => "Imports",
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// A user command without data: what a key in the key map stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Close,
    NextTab,
    PrevTab,
    GoTab(Tab),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    FocusLeft,
    FocusRight,
    Enter,
    Back,
    StartFilter,
    NextMatch,
    PrevMatch,
    ToggleHelp,
}

/// One input to `update`.
#[derive(Debug)]
pub enum Action {
    Command(Command),
    /// A character typed while the filter prompt is open.
    FilterChar(char),
    FilterBackspace,
    /// `Enter` in the filter prompt: keep the filter, leave the prompt.
    FilterAccept,
    /// `Esc` in the filter prompt: clear the filter, leave the prompt.
    FilterCancel,
    ScrollUp,
    ScrollDown,
    /// A left click at a screen position.
    Click {
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    Progress(Progress),
    Loaded(Box<Loaded>),
    LoadFailed(String),
    /// The document reader's answer to a [`DocumentRequest`](super::app::DocumentRequest):
    /// the JSON pane's lines.
    DocumentRead {
        ticket: u64,
        lines: Vec<String>,
    },
}

/// What the loader thread hands over: the model and the bundle it was read from.
#[derive(Debug)]
pub struct Loaded {
    pub model: Reconciled,
    pub bundle: crate::bundle::Bundle,
}
