//! Helpers shared by the fuzz targets: in-memory bundles, the demo audit pack and legacy bundle
//! (compiled in, so a target can swap one of their files for the fuzzer's bytes and reach the
//! deep verification checks), and the whole pipeline as one call.

use evx::bundle::{Bundle, BundleFile, Limits};
use evx::cli;
use evx::pipeline::collect::{self, Ctx, FileKind};
use evx::pipeline::{self, Options};
use evx::progress::NoProgress;
use std::path::PathBuf;

/// Limits small enough that one fuzz input cannot exhaust the fuzzer's memory.
pub const FUZZ_LIMITS: Limits = Limits {
    max_file_size: 4 * 1024 * 1024,
    max_entries: 10_000,
    max_total_size: 64 * 1024 * 1024,
    max_ratio: 200,
};

/// The portable-v1 demo pack (`assets/audit-pack`).
pub const AUDIT_PACK: &[(&str, &[u8])] = &[
    (
        "canonical_bom.json",
        include_bytes!("../../assets/audit-pack/canonical_bom.json"),
    ),
    (
        "dsse_envelope.json",
        include_bytes!("../../assets/audit-pack/dsse_envelope.json"),
    ),
    (
        "manifest.json",
        include_bytes!("../../assets/audit-pack/manifest.json"),
    ),
    (
        "manifest.sig",
        include_bytes!("../../assets/audit-pack/manifest.sig"),
    ),
    (
        "rekor/checkpoint",
        include_bytes!("../../assets/audit-pack/rekor/checkpoint"),
    ),
    (
        "rekor/proof.json",
        include_bytes!("../../assets/audit-pack/rekor/proof.json"),
    ),
    (
        "rekor/tile/0/000",
        include_bytes!("../../assets/audit-pack/rekor/tile/0/000"),
    ),
    (
        "rekor/tile/0/001.p/44",
        include_bytes!("../../assets/audit-pack/rekor/tile/0/001.p/44"),
    ),
    (
        "rekor/tile/1/000.p/1",
        include_bytes!("../../assets/audit-pack/rekor/tile/1/000.p/1"),
    ),
];

/// The legacy demo bundle (`assets/legacy-bundle`).
pub const LEGACY_BUNDLE: &[(&str, &[u8])] = &[
    (
        "attestations/payments-api-2.3.0.provenance.dsse.json",
        include_bytes!(
            "../../assets/legacy-bundle/attestations/payments-api-2.3.0.provenance.dsse.json"
        ),
    ),
    (
        "keys/acme-release-2026.pub",
        include_bytes!("../../assets/legacy-bundle/keys/acme-release-2026.pub"),
    ),
    (
        "manifest.json",
        include_bytes!("../../assets/legacy-bundle/manifest.json"),
    ),
    (
        "sboms/checksums.txt",
        include_bytes!("../../assets/legacy-bundle/sboms/checksums.txt"),
    ),
    (
        "sboms/payments-api-2.3.0.cdx.json",
        include_bytes!("../../assets/legacy-bundle/sboms/payments-api-2.3.0.cdx.json"),
    ),
];

/// The demo bundle's VEX documents (`assets/demo/vex`), the input of the merge.
pub const DEMO_VEX: &[(&str, &[u8])] = &[
    (
        "vex/acme-psirt.openvex.dsse.json",
        include_bytes!("../../assets/demo/vex/acme-psirt.openvex.dsse.json"),
    ),
    (
        "vex/northwind-security.csaf.json",
        include_bytes!("../../assets/demo/vex/northwind-security.csaf.json"),
    ),
    (
        "vex/platform-maintainers.cdx.json",
        include_bytes!("../../assets/demo/vex/platform-maintainers.cdx.json"),
    ),
    (
        "keys/acme-release-2026.pub",
        include_bytes!("../../assets/demo/keys/acme-release-2026.pub"),
    ),
];

/// A directory-form bundle held in memory; a later file with the same path replaces an earlier.
pub fn bundle(files: &[(&str, &[u8])]) -> Bundle {
    let mut out: Vec<BundleFile> = Vec::new();
    for (path, bytes) in files {
        out.retain(|f| f.path != *path);
        out.push(BundleFile::new(path.to_string(), bytes.to_vec()));
    }
    Bundle::in_memory(PathBuf::from("fuzz"), out)
}

/// `base` with the file at `path` replaced (or added) by `data`.
pub fn with_file(base: &[(&str, &[u8])], path: &str, data: &[u8]) -> Bundle {
    let mut files: Vec<(&str, &[u8])> = base.to_vec();
    files.push((path, data));
    bundle(&files)
}

/// Runs the whole pipeline (index, collect, verify, merge, graph) over `bundle`, then every
/// printer of the headless commands over the result.
pub fn reconcile(bundle: &Bundle) {
    let model = pipeline::reconcile(bundle, &Options::default(), &NoProgress);
    let _ = cli::reconcile::graph_json(&model, "1970-01-01T00:00:00Z");
    let _ = cli::reconcile::summary(&model);
    let _ = cli::conflicts::conflicts_json(&model, true, None);
    let _ = cli::conflicts::tables(&model, true, None);
    let _ = cli::verify::report_json(&model.verification);
}

/// Parses `data` strictly and, when it is JSON, hands it to the reader of `kind` whatever it
/// looks like; then runs the pipeline over a one-file bundle holding it at `path`.
pub fn document(kind: FileKind, path: &str, data: &[u8]) {
    if let Ok(tape) = evx::json::parse_doc(data) {
        let mut ctx = Ctx::new(path);
        let _ = collect::collect_document(&mut ctx, kind, tape.root(), "");
    }
    reconcile(&bundle(&[(path, data)]));
}

/// Splits the first byte off as a selector.
pub fn split_selector(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(s, rest)| (*s, rest))
}
