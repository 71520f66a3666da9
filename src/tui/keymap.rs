//! The one key table. Dispatch, the `?` overlay and the status bar all read it, so what the
//! help says is what the keys do.

use super::action::{Command, Tab};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Tab(Tab),
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [KeyCode],
    /// How the keys are written in help and status bar.
    pub label: &'static str,
    pub command: Command,
    pub description: &'static str,
    /// The status bar's short text; empty when the binding is not in the bar.
    pub hint: &'static str,
}

const fn b(
    scope: Scope,
    keys: &'static [KeyCode],
    label: &'static str,
    command: Command,
    description: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        scope,
        keys,
        label,
        command,
        description,
        hint,
    }
}

use KeyCode::{
    BackTab, Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right,
    Tab as TabKey, Up,
};
use Scope::Global;

/// Every binding of the explorer.
pub const BINDINGS: &[Binding] = &[
    b(Global, &[Char('q')], "q", Command::Quit, "quit", "quit"),
    b(
        Global,
        &[Esc],
        "Esc",
        Command::Close,
        "close help or filter; quit",
        "",
    ),
    b(
        Global,
        &[Char('1')],
        "1",
        Command::GoTab(Tab::Overview),
        "Overview tab",
        "",
    ),
    b(
        Global,
        &[Char('2')],
        "2",
        Command::GoTab(Tab::Graph),
        "Graph tab",
        "",
    ),
    b(
        Global,
        &[Char('3')],
        "3",
        Command::GoTab(Tab::Conflicts),
        "Conflicts tab",
        "",
    ),
    b(
        Global,
        &[Char('4')],
        "4",
        Command::GoTab(Tab::Validation),
        "Validation tab",
        "",
    ),
    b(
        Global,
        &[Char('5')],
        "5",
        Command::GoTab(Tab::Imports),
        "Imports tab",
        "",
    ),
    b(
        Global,
        &[TabKey],
        "Tab",
        Command::NextTab,
        "next tab (Shift-Tab: previous)",
        "tabs",
    ),
    b(
        Global,
        &[BackTab],
        "S-Tab",
        Command::PrevTab,
        "previous tab",
        "",
    ),
    b(
        Global,
        &[Char('j'), Down],
        "j/↓",
        Command::Down,
        "move down",
        "down",
    ),
    b(
        Global,
        &[Char('k'), Up],
        "k/↑",
        Command::Up,
        "move up",
        "up",
    ),
    b(
        Global,
        &[PageDown],
        "PgDn",
        Command::PageDown,
        "page down",
        "",
    ),
    b(Global, &[PageUp], "PgUp", Command::PageUp, "page up", ""),
    b(
        Global,
        &[Char('g'), Home],
        "g/Home",
        Command::Top,
        "first row",
        "",
    ),
    b(
        Global,
        &[Char('G'), End],
        "G/End",
        Command::Bottom,
        "last row",
        "",
    ),
    b(
        Global,
        &[Char('/')],
        "/",
        Command::StartFilter,
        "filter (incremental)",
        "filter",
    ),
    b(
        Global,
        &[Char('n')],
        "n",
        Command::NextMatch,
        "next match",
        "",
    ),
    b(
        Global,
        &[Char('N')],
        "N",
        Command::PrevMatch,
        "previous match",
        "",
    ),
    b(
        Global,
        &[Char('?')],
        "?",
        Command::ToggleHelp,
        "help",
        "help",
    ),
    b(
        Scope::Tab(Tab::Graph),
        &[Char('h'), Left],
        "h/←",
        Command::FocusLeft,
        "focus tree (closes a group)",
        "tree",
    ),
    b(
        Scope::Tab(Tab::Graph),
        &[Char('l'), Right],
        "l/→",
        Command::FocusRight,
        "focus edges (opens a group)",
        "edges",
    ),
    b(
        Scope::Tab(Tab::Graph),
        &[Enter],
        "Enter",
        Command::Enter,
        "open group / follow edge",
        "open/follow",
    ),
    b(
        Scope::Tab(Tab::Graph),
        &[Backspace],
        "Backspace",
        Command::Back,
        "go back",
        "back",
    ),
    b(
        Scope::Tab(Tab::Conflicts),
        &[Enter],
        "Enter",
        Command::Enter,
        "show the verdict in the Graph",
        "in graph",
    ),
    b(
        Scope::Tab(Tab::Imports),
        &[Enter],
        "Enter",
        Command::Enter,
        "show the file's first node in the Graph",
        "in graph",
    ),
];

/// The command a key press means on `tab`: a tab binding wins over a global one.
pub fn lookup(tab: Tab, key: KeyEvent) -> Option<Command> {
    let code = normalise(key);
    let find = |scope: Scope| {
        BINDINGS
            .iter()
            .find(|b| b.scope == scope && b.keys.contains(&code))
            .map(|b| b.command)
    };
    find(Scope::Tab(tab)).or_else(|| find(Scope::Global))
}

/// Shift-Tab arrives as BackTab; uppercase letters may arrive with SHIFT.
fn normalise(key: KeyEvent) -> KeyCode {
    match key.code {
        TabKey if key.modifiers.contains(KeyModifiers::SHIFT) => BackTab,
        other => other,
    }
}

/// The bindings the status bar shows on `tab`.
pub fn bar_bindings(tab: Tab) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| !b.hint.is_empty() && (b.scope == Global || b.scope == Scope::Tab(tab)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let mut seen = HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                let scope = format!("{:?}", b.scope);
                assert!(
                    seen.insert((scope, format!("{k:?}"))),
                    "{k:?} bound twice in {:?}",
                    b.scope
                );
            }
        }
    }

    #[test]
    fn tab_bindings_override_global_ones() {
        let enter = KeyEvent::from(Enter);
        assert_eq!(lookup(Tab::Graph, enter), Some(Command::Enter));
        assert_eq!(lookup(Tab::Overview, enter), None);
        assert_eq!(
            lookup(Tab::Overview, KeyEvent::from(Char('3'))),
            Some(Command::GoTab(Tab::Conflicts))
        );
    }

    #[test]
    fn spec_keys_are_all_bound() {
        for code in [
            Char('j'),
            Char('k'),
            Up,
            Down,
            PageUp,
            PageDown,
            Char('g'),
            Char('G'),
            Char('/'),
            Char('n'),
            Char('N'),
            Char('?'),
            Char('q'),
            Esc,
            TabKey,
        ] {
            assert!(
                lookup(Tab::Overview, KeyEvent::from(code)).is_some(),
                "{code:?}"
            );
        }
    }
}
