//! Inputs the fuzz targets in `fuzz/` found crashing, kept as regression tests: each runs the
//! input through the function that failed and through the whole pipeline.

use evx::bundle::{Bundle, BundleFile};
use evx::pipeline::collect::FileStatus;
use evx::pipeline::normalise::{normalise_if_purl, normalise_string};
use evx::pipeline::{self, Options};
use evx::progress::NoProgress;
use std::path::PathBuf;

fn one_file_bundle(path: &str, bytes: &[u8]) -> Bundle {
    let file = BundleFile::new(path.to_string(), bytes.to_vec());
    Bundle::in_memory(PathBuf::from("regression"), vec![file])
}

/// `fuzz/artifacts/purl/crash-d6bf130d42b95041c8c9054272b6ec218bb1f556` (target `purl`):
/// `pkg˞lpine/openssl@3.0.4`, whose U+02DE straddles byte 4, panicked the `pkg:` scheme test
/// (`s[..4]` is not a char boundary). Any JSON string of the shape did, in every document.
#[test]
fn purl_scheme_test_at_a_char_boundary() {
    let text = "pkg\u{2de}lpine/openssl@3.0.4";
    assert_eq!(normalise_if_purl(text), text);
    assert_eq!(normalise_string(text), None);

    let sbom = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "components":[{{"type":"library","name":"abcé","version":"1","purl":"{text}"}}]}}"#
    );
    let bundle = one_file_bundle("sboms/app.cdx.json", sbom.as_bytes());
    let model = pipeline::reconcile(&bundle, &Options::default(), &NoProgress);
    // Not a purl: reported on the component, the SBOM still yields it.
    let codes: Vec<_> = model.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(model.files[0].status, FileStatus::Failed, "{codes:?}");
    assert!(model.graph.nodes().any(|n| n.label.contains("abcé")));
}
