//! Building explorer states for tests without a terminal.
#![allow(dead_code)]

use evx::pipeline::{load_path, Options};
use evx::progress::NoProgress;
use evx::tui::action::{Action, Command, Loaded};
use evx::tui::app::App;
use evx::tui::reader::read_now;
use evx::tui::theme::Theme;
use evx::tui::update::update;
use std::path::Path;

/// An explorer at `width`×`height` with `bundle` loaded, monochrome.
pub fn loaded_app(bundle: &Path, width: u16, height: u16) -> App {
    let mut app = App::new(bundle.to_path_buf(), Theme { color: false }, width, height);
    let (bundle, model) =
        load_path(bundle, &Options::default(), &NoProgress).expect("bundle loads");
    apply(&mut app, Action::Loaded(Box::new(Loaded { model, bundle })));
    app
}

/// Applies `action`, then the document it asks the reader for, read here (the event loop reads
/// it on the reader thread).
pub fn apply(app: &mut App, action: Action) {
    update(app, action);
    if let Some(answer) = read_now(app) {
        update(app, answer);
    }
}

pub fn press(app: &mut App, commands: &[Command]) {
    for c in commands {
        apply(app, Action::Command(*c));
    }
}

pub fn type_filter(app: &mut App, text: &str) {
    apply(app, Action::Command(Command::StartFilter));
    for ch in text.chars() {
        apply(app, Action::FilterChar(ch));
    }
}

/// The rendered screen as text lines.
pub fn screen(app: &App) -> String {
    let backend = ratatui::backend::TestBackend::new(app.width, app.height);
    let mut terminal = ratatui::Terminal::new(backend).expect("test terminal");
    terminal
        .draw(|f| evx::tui::view::render(app, f))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
