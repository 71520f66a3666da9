//! The benchmark generator (`examples/synth.rs`) makes bundles that reconcile and verify
//! cleanly, the same for every form and every run.

#[path = "../examples/support/mod.rs"]
mod support;
#[path = "../examples/support/synth.rs"]
mod synth;

use evx::diag::Severity;
use evx::graph::NodeKind;
use evx::pipeline::{reconcile_path, Options};
use evx::progress::NoProgress;
use std::path::Path;
use synth::{Format, Size};

fn make(dir: &Path, name: &str, format: Format) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut sink = synth::sink(&out, format).expect("sink");
    synth::generate(Size::Tiny, 7, sink.as_mut()).expect("generates");
    sink.finish().expect("finishes");
    out
}

#[test]
fn tiny_bundle_reconciles_and_verifies_cleanly_in_every_form() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = make(tmp.path(), "tiny", Format::Dir);
    let model = reconcile_path(&dir, &Options::default(), &NoProgress).expect("opens");
    let problems: Vec<String> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| format!("{} {} {} {}", d.code, d.file, d.pointer, d.message))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        model.verification.ok(),
        "{:#?}",
        model.verification.first_failure()
    );
    let counts = model.graph.counts_by_kind();
    for kind in [
        NodeKind::Sbom,
        NodeKind::Component,
        NodeKind::Attestation,
        NodeKind::Artifact,
        NodeKind::VexDocument,
        NodeKind::Verdict,
        NodeKind::Export,
        NodeKind::Key,
    ] {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) > 0,
            "no {kind}: {counts:?}"
        );
    }
    assert!(model.decisions.iter().any(|d| d.conflict), "no conflicts");
    assert!(
        model
            .verification
            .signatures
            .iter()
            .all(|s| s.code.is_none()),
        "every DSSE envelope verifies"
    );

    for (name, format) in [
        ("tiny.tar.gz", Format::TarGz),
        ("tiny.tar.zst", Format::TarZst),
    ] {
        let archive = make(tmp.path(), name, format);
        let other = reconcile_path(&archive, &Options::default(), &NoProgress).expect("opens");
        assert_eq!(
            other.graph.root_digest(),
            model.graph.root_digest(),
            "{name}"
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = make(tmp.path(), "a.tar.zst", Format::TarZst);
    let b = make(tmp.path(), "b.tar.zst", Format::TarZst);
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}
