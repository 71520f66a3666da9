//! Snapshots of every screen of the explorer on the demo bundle (TestBackend + insta), at
//! 120×40 and 80×24, stored in `snapshots/`.

mod common;

use common::tui::{loaded_app, press, screen, type_filter};
use evx::progress::{Progress, Stage};
use evx::tui::action::{Action, Command, Tab};
use evx::tui::app::App;
use evx::tui::theme::Theme;
use evx::tui::update::update;
use std::path::Path;

fn demo(width: u16, height: u16) -> App {
    // Relative, so that the header is the same on every machine.
    loaded_app(Path::new("assets/demo"), width, height)
}

fn snap(name: &str, app: &App) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, screen(app));
    });
}

#[test]
fn every_tab_at_both_sizes() {
    for (w, h) in [(120, 40), (80, 24)] {
        for tab in Tab::ALL {
            let mut app = demo(w, h);
            press(&mut app, &[Command::GoTab(tab)]);
            if tab == Tab::Graph {
                press(&mut app, &[Command::Down, Command::Down]);
            }
            snap(&format!("tui_{}_{w}x{h}", tab.title().to_lowercase()), &app);
        }
    }
}

#[test]
fn graph_following_an_edge() {
    let mut app = demo(120, 40);
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "CycloneDX 1.6");
    update(&mut app, Action::FilterAccept);
    press(&mut app, &[Command::Enter, Command::Down, Command::Down]);
    snap("tui_graph_edges_focus", &app);
}

#[test]
fn help_overlay() {
    let mut app = demo(120, 40);
    press(&mut app, &[Command::ToggleHelp]);
    snap("tui_help_120x40", &app);
}

#[test]
fn filter_in_progress() {
    let mut app = demo(120, 40);
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "ser");
    snap("tui_filter_in_progress", &app);
}

#[test]
fn loading_screen() {
    let mut app = App::new("assets/demo".into(), Theme { color: false }, 80, 24);
    snap("tui_loading_start", &app);
    update(
        &mut app,
        Action::Progress(Progress {
            stage: Stage::Parsing,
            done: 3,
            total: 8,
            bytes: 20_480,
        }),
    );
    snap("tui_loading_progress", &app);
}

#[test]
fn load_error_screen() {
    let mut app = App::new("/no/such/bundle".into(), Theme { color: false }, 80, 24);
    update(
        &mut app,
        Action::LoadFailed(
            "/no/such/bundle: cannot read bundle: No such file or directory (os error 2)".into(),
        ),
    );
    snap("tui_load_error", &app);
}
