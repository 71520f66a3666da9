//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod cli;
pub mod tree;
pub mod tui;

/// `../shared/corpus`, or `None` (with a note on stderr) where the corpus is absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        eprintln!("corpus absent ({}), skipping", dir.display());
        None
    }
}

/// One MANIFEST.json entry.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    pub path: String,
    pub expect: String,
    pub reason: String,
}

/// The manifest entries under `folder/`.
pub fn manifest_entries(corpus: &std::path::Path, folder: &str) -> Vec<CorpusFile> {
    let text = std::fs::read(corpus.join("MANIFEST.json")).expect("manifest readable");
    let m: serde_json::Value = serde_json::from_slice(&text).expect("manifest is JSON");
    m["files"]
        .as_array()
        .expect("files[]")
        .iter()
        .filter(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with(&format!("{folder}/")))
        })
        .map(|f| CorpusFile {
            path: f["path"].as_str().unwrap_or_default().to_string(),
            expect: f["expect"].as_str().unwrap_or_default().to_string(),
            reason: f["reason"]
                .as_str()
                .or(f["note"].as_str())
                .unwrap_or_default()
                .to_string(),
        })
        .collect()
}

/// The demo bundle directory.
pub fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}
