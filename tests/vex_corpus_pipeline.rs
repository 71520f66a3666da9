//! Every file of the shared corpus's `openvex/`, `csaf/` and `cdx-vex/` through the full
//! pipeline, as one bundle: nothing panics, every file is classified by content, the statements
//! the readers find come out as graph statements with the same statuses, and BOM-Links resolve
//! against the corpus's BOMs (skipped when the corpus is absent).

mod common;

use evx::bundle::{Bundle, BundleFile};
use evx::diag::{Code, Severity};
use evx::graph::NodeKind;
use evx::pipeline::collect::FileKind;
use evx::pipeline::merge::identity::statement_content;
use evx::pipeline::{self, Options, Reconciled};
use evx::progress::NoProgress;
use evx::vex::{self, VexFormat};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const FOLDERS: [(&str, FileKind, VexFormat); 3] = [
    ("openvex", FileKind::Openvex, VexFormat::OpenVex),
    ("csaf", FileKind::Csaf, VexFormat::Csaf),
    ("cdx-vex", FileKind::Cyclonedx, VexFormat::CycloneDx),
];

fn corpus_bundle(dir: &Path) -> Bundle {
    let mut files = Vec::new();
    for (folder, _, _) in FOLDERS {
        for entry in common::manifest_entries(dir, folder) {
            let bytes = std::fs::read(dir.join(&entry.path)).expect("corpus file readable");
            files.push(BundleFile::new(entry.path, bytes));
        }
    }
    Bundle::in_memory(dir.to_path_buf(), files)
}

/// Status counts of the graph's statements read from `path`.
fn graph_statuses(model: &Reconciled, path: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for n in model
        .graph
        .nodes()
        .filter(|n| n.kind == NodeKind::VexStatement)
    {
        if n.locations.iter().any(|l| &*l.file == path) {
            let status = n.field_str("status").unwrap_or_default().to_string();
            *out.entry(status).or_default() += 1;
        }
    }
    out
}

/// Status counts of the distinct statements the reader finds in `path`.
fn reader_statuses(bundle: &Bundle, path: &str, format: VexFormat) -> BTreeMap<String, usize> {
    let file = bundle.files.iter().find(|f| f.path == path).unwrap();
    let Ok(value) = evx::json::parse(&file.bytes) else {
        return BTreeMap::new();
    };
    let (doc, _) = vex::parse(format, &value);
    let mut out = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for s in doc.iter().flat_map(|d| &d.statements) {
        if seen.insert(statement_content(s).to_string()) {
            *out.entry(s.status.as_str().to_string()).or_default() += 1;
        }
    }
    out
}

#[test]
fn every_vex_file_loads_through_the_pipeline_with_its_statements() {
    let Some(dir) = common::corpus() else { return };
    let bundle = corpus_bundle(&dir);
    assert_eq!(bundle.files.len(), 14 + 11 + 35);
    let model = pipeline::reconcile(&bundle, &Options::default(), &NoProgress);
    assert_eq!(model.files.len(), bundle.files.len());
    let mut statements = 0;
    for (folder, kind, format) in FOLDERS {
        for record in model
            .files
            .iter()
            .filter(|f| f.path.starts_with(&format!("{folder}/")))
        {
            assert_eq!(record.kind, kind, "{}: classified by content", record.path);
            let want = reader_statuses(&bundle, &record.path, format);
            let got = graph_statuses(&model, &record.path);
            assert_eq!(got, want, "{}: statuses of its statements", record.path);
            statements += got.values().sum::<usize>();
        }
    }
    assert!(statements > 3000, "{statements}");
    assert!(!model.decisions.is_empty());
    for d in &model.decisions {
        assert_eq!(
            d.winner_candidate().map(|c| c.status),
            Some(d.status),
            "{d:?}"
        );
        assert!(d.candidates.iter().all(|c| !c.document.is_empty()));
    }
}

#[test]
fn corpus_statuses_and_bom_links_in_the_pipeline() {
    let Some(dir) = common::corpus() else { return };
    let bundle = corpus_bundle(&dir);
    let model = pipeline::reconcile(&bundle, &Options::default(), &NoProgress);
    let case1 = |name: &str| format!("cdx-vex/bomex-VEX-CISA-Use-Cases-Case-1-vex-{name}.json");
    for status in ["not_affected", "affected", "fixed", "under_investigation"] {
        let got = graph_statuses(&model, &case1(status));
        assert_eq!(got, BTreeMap::from([(status.to_string(), 1)]), "{status}");
    }
    let rhsa = graph_statuses(&model, "csaf/rhsa-csaf.json");
    assert_eq!(
        (rhsa.get("fixed"), rhsa.get("affected")),
        (Some(&35), Some(&1))
    );

    // Case 7 links into its two BOMs, both in the bundle: resolved, no diagnostic.
    let unresolved = |model: &Reconciled, file: &str| -> Vec<(Severity, String)> {
        model
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::VexProductUnresolved && d.file == file)
            .map(|d| (d.severity, d.pointer.clone()))
            .collect()
    };
    assert!(unresolved(&model, "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-7-vex.json").is_empty());
    // bomex-VEX-vex.json links to serial 3e671687…/1. Beside it, its own BOM has another
    // serial: the linked BOM is absent, a warning. In the whole corpus the four
    // valid-vulnerability-1.x files reuse that serial and version without the bom-ref: the
    // linked BOM is present and lacks the ref, an error.
    let vex_file = "cdx-vex/bomex-VEX-vex.json";
    let at = "/vulnerabilities/0/affects/0/ref".to_string();
    assert_eq!(
        unresolved(&model, vex_file),
        [(Severity::Error, at.clone())]
    );
    let mut pair = bundle.clone();
    pair.files
        .retain(|f| f.path == vex_file || f.path == "cdx-vex/bomex-VEX-bom.json");
    let alone = pipeline::reconcile(&pair, &Options::default(), &NoProgress);
    assert_eq!(unresolved(&alone, vex_file), [(Severity::Warning, at)]);
    let link_targets: BTreeSet<&str> = model
        .decisions
        .iter()
        .filter(|d| {
            d.candidates
                .iter()
                .any(|c| c.document.ends_with("Case-7-vex.json"))
        })
        .map(|d| d.target.as_str())
        .collect();
    assert!(
        link_targets.contains("urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC"),
        "{link_targets:?}"
    );
}
