//! Terminal safety (issue 8): a file name and document strings carrying `ESC [2J` (clear screen)
//! reach the explorer and the three commands' human outputs escaped, never as a raw escape
//! sequence. The bundle is built here.

mod common;

use common::tui::{loaded_app, press, screen, type_filter};
use evx::tui::action::{Command, Tab};
use serde_json::json;
use std::path::Path;
use std::process::Command as Process;

const CLEAR: &str = "\x1b[2J";
/// How the explorer and the CLI print it.
const ESCAPED: &str = "\\u{1b}[2J";

/// A bundle whose names and strings carry the clear-screen sequence: a broken SBOM with it in
/// its file name, an SBOM with it in a component name, a conflicting OpenVEX with it in its
/// author, product and file name, and an unverifiable envelope with it in its file name.
fn hostile_bundle(root: &Path) {
    let write = |path: &str, bytes: &[u8]| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write(&format!("sboms/evil{CLEAR}.cdx.json"), b"{\"bomFormat\": ");
    // A right-to-left override would make the name read `nosj.txt` backwards.
    write("sboms/rlo\u{202e}nosj.txt.json", b"[");
    let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": format!("comp{CLEAR}name"), "version": "1"}]});
    write("sboms/app.cdx.json", sbom.to_string().as_bytes());
    let statement = |status: &str, ts: &str| {
        json!({"vulnerability": {"name": "CVE-2026-4242"},
               "products": [{"@id": format!("prod{CLEAR}uct")}],
               "status": status, "timestamp": ts})
    };
    let vex = json!({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:x",
        "author": format!("Evil{CLEAR} Corp"), "timestamp": "2026-01-01T00:00:00Z", "version": 1,
        "statements": [statement("affected", "2026-01-01T00:00:00Z"),
                       statement("not_affected", "2026-01-01T00:00:00Z")]});
    write(
        &format!("vex/evil{CLEAR}.openvex.json"),
        vex.to_string().as_bytes(),
    );
    let envelope = json!({"payloadType": "application/vnd.in-toto+json", "payload": "e30=",
        "signatures": [{"keyid": format!("k{CLEAR}"), "sig": "AAAA"}]});
    write(
        &format!("attestations/evil{CLEAR}.dsse.json"),
        envelope.to_string().as_bytes(),
    );
}

fn assert_escaped(text: &str, context: &str) {
    assert!(
        !text.contains('\x1b'),
        "{context}: a raw ESC reached the terminal:\n{text}"
    );
    assert!(
        text.contains(ESCAPED),
        "{context}: the escaped form is missing:\n{text}"
    );
}

#[test]
fn explorer_shows_hostile_names_escaped_on_every_tab() {
    let tmp = tempfile::tempdir().unwrap();
    hostile_bundle(tmp.path());
    let mut app = loaded_app(tmp.path(), 160, 40);
    for tab in [Tab::Imports, Tab::Conflicts, Tab::Validation, Tab::Overview] {
        press(&mut app, &[Command::GoTab(tab)]);
        let shown = screen(&app);
        assert!(!shown.contains('\x1b'), "{tab:?}: raw ESC:\n{shown}");
        if matches!(tab, Tab::Imports | Tab::Conflicts) {
            assert_escaped(&shown, &format!("{tab:?}"));
        }
    }
    // The component's node: its label in the tree and its fields in the detail pane.
    press(&mut app, &[Command::GoTab(Tab::Graph)]);
    type_filter(&mut app, "comp");
    press(&mut app, &[Command::Down]);
    let shown = screen(&app);
    assert_escaped(&shown, "Graph");
    assert!(shown.contains(&format!("comp{ESCAPED}name")), "{shown}");
}

fn evx(args: &[&str]) -> (String, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_evx"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("evx runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn human_outputs_show_hostile_names_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    hostile_bundle(tmp.path());
    let dir = tmp.path().to_str().unwrap();
    for command in ["reconcile", "conflicts", "verify"] {
        let (stdout, stderr) = evx(&[command, dir]);
        assert_escaped(&stdout, command);
        assert!(!stderr.contains('\x1b'), "{command} stderr: {stderr}");
    }
    let (summary, _) = evx(&["reconcile", dir]);
    assert!(!summary.contains('\u{202e}'), "{summary}");
    assert!(summary.contains("rlo\\u{202e}nosj"), "{summary}");
    let (conflicts, _) = evx(&["conflicts", dir]);
    assert!(
        conflicts.contains(&format!("Evil{ESCAPED} Corp")),
        "{conflicts}"
    );
    assert!(
        conflicts.contains(&format!("prod{ESCAPED}uct")),
        "{conflicts}"
    );
    let (verify, _) = evx(&["verify", dir]);
    assert!(
        verify.contains(&format!("attestations/evil{ESCAPED}.dsse.json")),
        "{verify}"
    );
}

/// A bundle path with the sequence in it is escaped in the usage error too.
#[test]
fn an_unreadable_hostile_path_is_reported_escaped() {
    let (stdout, stderr) = evx(&["reconcile", &format!("/nonexistent/x{CLEAR}y")]);
    assert!(stdout.is_empty());
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(stderr.contains(ESCAPED), "{stderr}");
}
