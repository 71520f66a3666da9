//! `update` without a terminal: navigation, tabs, edge following with history, filters.

mod common;

use common::tui::{loaded_app, press, type_filter};
use evx::graph::NodeKind;
use evx::tui::action::{Action, Command, Tab};
use evx::tui::app::{App, GraphFocus, TreeRow};
use evx::tui::update::update;

fn app() -> App {
    loaded_app(&common::demo(), 120, 40)
}

fn selected_label(app: &App) -> String {
    let r = app.ready().unwrap();
    let p = r.graph.selected_node().expect("a node is selected");
    r.model.graph.node_at(p).unwrap().label.to_string()
}

#[test]
fn tabs_switch_by_number_and_cycle() {
    let mut app = app();
    assert_eq!(app.tab, Tab::Overview);
    press(&mut app, &[Command::GoTab(Tab::Imports)]);
    assert_eq!(app.tab, Tab::Imports);
    press(&mut app, &[Command::NextTab]);
    assert_eq!(app.tab, Tab::Overview);
    press(&mut app, &[Command::PrevTab, Command::PrevTab]);
    assert_eq!(app.tab, Tab::Validation);
}

#[test]
fn tree_navigation_moves_over_groups_and_nodes() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    let r = app.ready().unwrap();
    assert_eq!(r.graph.row(0), Some(TreeRow::Group(NodeKind::Artifact)));
    press(&mut app, &[Command::Down]);
    assert!(app.ready().unwrap().graph.selected_node().is_some());
    press(&mut app, &[Command::Bottom]);
    let r = app.ready().unwrap();
    assert_eq!(r.graph.tree.selected, r.graph.row_count() - 1);
    press(&mut app, &[Command::Top]);
    assert_eq!(app.ready().unwrap().graph.tree.selected, 0);
    // Closing a group hides its nodes.
    let before = app.ready().unwrap().graph.row_count();
    press(&mut app, &[Command::Enter]);
    let r = app.ready().unwrap();
    assert_eq!(
        r.graph.row_count(),
        before - r.model.graph.counts_by_kind()[&NodeKind::Artifact]
    );
}

#[test]
fn following_an_edge_and_going_back() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "slsa");
    update(&mut app, Action::FilterAccept);
    assert_eq!(selected_label(&app), "https://slsa.dev/provenance/v1");
    press(&mut app, &[Command::Enter]);
    assert_eq!(app.ready().unwrap().graph.focus, GraphFocus::Edges);
    let r = app.ready().unwrap();
    let edges = evx::tui::components::graph::edge_rows(r, r.graph.selected_node().unwrap());
    let attests = edges
        .iter()
        .position(|e| e.1 == evx::graph::EdgeType::Attests)
        .expect("an attests edge");
    for _ in 0..attests {
        press(&mut app, &[Command::Down]);
    }
    press(&mut app, &[Command::Enter]);
    assert_eq!(
        selected_label(&app),
        "registry.example.com/acme/payments-api",
        "followed `attests` to the image"
    );
    let r = app.ready().unwrap();
    assert_eq!(r.graph.history.len(), 1);
    assert!(
        r.graph.filter.is_empty(),
        "the filter hiding the target was cleared"
    );
    press(&mut app, &[Command::Back]);
    assert_eq!(selected_label(&app), "https://slsa.dev/provenance/v1");
    assert!(app.ready().unwrap().graph.history.is_empty());
    press(&mut app, &[Command::Back]);
    assert_eq!(app.flash.as_deref(), Some("history is empty"));
}

#[test]
fn filter_narrows_incrementally_and_esc_clears() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    let all = app.ready().unwrap().graph.row_count();
    type_filter(&mut app, "tokio@");
    assert!(app.filter_editing);
    let narrowed = app.ready().unwrap().graph.row_count();
    assert!(narrowed < all, "{narrowed} < {all}");
    let r = app.ready().unwrap();
    let labels: Vec<String> = (0..narrowed)
        .filter_map(|i| match r.graph.row(i) {
            Some(TreeRow::Node(p)) => Some(r.model.graph.node_at(p).unwrap().label.to_string()),
            _ => None,
        })
        .collect();
    assert!(labels.contains(&"tokio@1.40.0".to_string()), "{labels:?}");
    assert!(labels.iter().all(|l| l.contains("tokio@")), "{labels:?}");
    for _ in 0..5 {
        update(&mut app, Action::FilterBackspace);
    }
    assert_eq!(app.ready().unwrap().graph.filter, "t");
    assert!(app.ready().unwrap().graph.row_count() > narrowed);
    update(&mut app, Action::FilterCancel);
    assert!(!app.filter_editing);
    assert_eq!(app.ready().unwrap().graph.row_count(), all);
}

#[test]
fn next_match_wraps_over_nodes_only() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "payments");
    update(&mut app, Action::FilterAccept);
    let selected = |app: &App| {
        app.ready()
            .unwrap()
            .graph
            .selected_node()
            .expect("a node row")
    };
    let first = selected(&app);
    let mut seen = vec![first];
    for _ in 0..100 {
        press(&mut app, &[Command::NextMatch]);
        if selected(&app) == first {
            break;
        }
        seen.push(selected(&app));
    }
    let r = app.ready().unwrap();
    let matching = r.model.graph.nodes().filter(|n| {
        let hit = |s: &str| s.to_lowercase().contains("payments");
        hit(&n.label)
            || hit(&n.id.text())
            || hit(n.kind.as_str())
            || n.field_str("purl").is_some_and(|p| hit(&p))
    });
    assert!(seen.len() > 3, "{seen:?}");
    assert_eq!(
        seen.len(),
        matching.count(),
        "n visits every matching node once, then wraps"
    );
    press(&mut app, &[Command::PrevMatch]);
    assert_eq!(selected(&app), *seen.last().unwrap());
}

#[test]
fn imports_list_failed_first_and_enter_jumps_to_the_graph() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Imports)]);
    let r = app.ready().unwrap();
    assert_eq!(
        r.model.files[r.imports.rows[0]].path,
        "sboms/legacy-scanner.cdx.json"
    );
    press(&mut app, &[Command::Enter]);
    assert!(app.flash.as_deref().unwrap().contains("no graph node"));
    assert_eq!(app.tab, Tab::Imports);
    type_filter(&mut app, "spdx");
    update(&mut app, Action::FilterAccept);
    press(&mut app, &[Command::Enter]);
    assert_eq!(app.tab, Tab::Graph);
    assert!(
        selected_label(&app).contains("SPDX"),
        "{}",
        selected_label(&app)
    );
}

#[test]
fn esc_and_q_quit_help_closes_first() {
    let mut app = app();
    press(&mut app, &[Command::ToggleHelp]);
    assert!(app.help);
    press(&mut app, &[Command::Close]);
    assert!(!app.help && !app.should_quit);
    press(&mut app, &[Command::Close]);
    assert!(app.should_quit);
    let mut app2 = loaded_app(&common::demo(), 80, 24);
    press(&mut app2, &[Command::Quit]);
    assert!(app2.should_quit);
}

#[test]
fn mouse_click_on_the_tab_bar_switches_tabs() {
    let mut app = app();
    let (_, x, _) = evx::tui::view::tab_spans()[2];
    update(
        &mut app,
        Action::Click {
            column: x + 1,
            row: 1,
        },
    );
    assert_eq!(app.tab, Tab::Conflicts);
    update(
        &mut app,
        Action::Resize {
            width: 80,
            height: 24,
        },
    );
    assert_eq!((app.width, app.height), (80, 24));
}

#[test]
fn detail_pane_shows_normalised_json_of_the_selected_document() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "CycloneDX 1.6");
    let json = app.ready().unwrap().graph.detail_json.join("\n");
    assert!(json.contains("\"bomFormat\": \"CycloneDX\""), "{json}");
    assert!(
        !json.contains("serialNumber") && !json.contains("timestamp"),
        "volatile fields removed"
    );
}

#[test]
fn the_json_pane_waits_for_the_reader_and_drops_stale_answers() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    let r = app.ready().unwrap();
    let with_document: Vec<usize> = (0..r.model.graph.node_count())
        .filter(|p| !r.model.graph.node_at(*p).unwrap().locations.is_empty())
        .take(2)
        .collect();
    // `update` alone only asks: the frame after a key never waits for a file.
    evx::tui::update::select_node(&mut app, with_document[0]);
    let first = app.ready().unwrap().graph.detail_reading.expect("asked");
    assert!(app.ready().unwrap().graph.detail_json.is_empty());
    let stale = evx::tui::reader::read_now(&app).expect("an answer");
    evx::tui::update::select_node(&mut app, with_document[1]);
    let second = app
        .ready()
        .unwrap()
        .graph
        .detail_reading
        .expect("asked again");
    assert!(second.ticket > first.ticket);
    // The answer to the first request arrives late: it is not the selected node's.
    update(&mut app, stale);
    assert_eq!(app.ready().unwrap().graph.detail_reading, Some(second));
    assert!(app.ready().unwrap().graph.detail_json.is_empty());
    let answer = evx::tui::reader::read_now(&app).expect("an answer");
    update(&mut app, answer);
    let r = app.ready().unwrap();
    assert_eq!(r.graph.detail_reading, None);
    assert!(r.graph.detail_json.iter().any(|l| l.contains('{')));
}

#[test]
fn a_node_without_a_document_says_so_at_once() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "CVE-2026-10001");
    update(&mut app, Action::FilterAccept);
    let r = app.ready().unwrap();
    let position = (0..r.model.graph.node_count())
        .find(|p| r.model.graph.node_at(*p).unwrap().locations.is_empty())
        .expect("the demo has nodes without a location (vulnerabilities, verdicts)");
    evx::tui::update::select_node(&mut app, position);
    let r = app.ready().unwrap();
    assert_eq!(r.graph.detail_reading, None);
    assert!(r.graph.detail_json[0].contains("no document of their own"));
}

#[test]
fn the_reader_thread_answers_the_newest_request() {
    let mut app = app();
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    let mut reader = evx::tui::reader::DocumentReader::spawn();
    for _ in 0..5 {
        update(&mut app, Action::Command(Command::Down));
        reader.follow(&app);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.ready().unwrap().graph.detail_reading.is_some() {
        assert!(std::time::Instant::now() < deadline, "no answer in 10 s");
        match reader.try_answer() {
            Some(answer) => update(&mut app, answer),
            None => std::thread::sleep(std::time::Duration::from_millis(2)),
        }
    }
    assert!(!app.ready().unwrap().graph.detail_json.is_empty());
}
