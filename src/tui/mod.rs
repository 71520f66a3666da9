//! The explorer (SPEC §7): Elm-style — [`app::App`] is the state, [`action::Action`] what can
//! happen, [`update::update`] the only change, [`view::render`] a pure function of the state.
//! The event loop below feeds it input, ticks and the loader thread's messages.

pub mod action;
pub mod app;
pub mod components;
pub mod document;
pub mod event;
pub mod keymap;
pub mod list;
pub mod loader;
pub mod reader;
pub mod search;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

use crate::pipeline::Options;
use std::path::PathBuf;
use std::sync::mpsc::TryRecvError;
use std::time::Duration;

/// Opens the explorer on `path` and runs until the user quits. Returns the exit code.
pub fn run(path: PathBuf, options: Options, theme: theme::Theme) -> std::io::Result<u8> {
    let mut guard = terminal::TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let mut app = app::App::new(path.clone(), theme, size.width, size.height);
    let loader = loader::spawn(path, options);
    let mut reader = reader::DocumentReader::spawn();
    terminal::exit_on_termination_signals();
    let mut loader_open = true;
    let mut dirty = true;
    while !app.should_quit {
        if dirty {
            guard.terminal.draw(|f| view::render(&app, f))?;
            dirty = false;
        }
        reader.follow(&app);
        if crossterm::event::poll(input_wait(&app))? {
            if let Some(action) = event::translate(&app, crossterm::event::read()?) {
                update::update(&mut app, action);
                dirty = true;
            }
        }
        while let Some(answer) = reader.try_answer() {
            update::update(&mut app, answer);
            dirty = true;
        }
        while loader_open {
            match loader.try_recv() {
                Ok(action) => {
                    update::update(&mut app, action);
                    dirty = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => loader_open = false,
            }
        }
    }
    drop(guard);
    Ok(0)
}

/// How long to wait for a key before looking at the other sources again: briefly while the
/// JSON pane waits for its document, so that it shows as soon as it is read.
fn input_wait(app: &app::App) -> Duration {
    let reading = app
        .ready()
        .is_some_and(|r| r.graph.detail_reading.is_some());
    Duration::from_millis(if reading { 5 } else { 40 })
}
