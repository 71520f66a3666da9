//! Every CycloneDX, SPDX and DSSE file of the public corpus goes through the collector: `ok`
//! files give no error diagnostics, `diagnostic` files give at least one, nothing panics.

mod common;

use evx::diag::{Code, Severity};
use evx::pipeline::collect::{collect_file, Content, FileKind, FileStatus};
use evx::pipeline::index::DigestKey;

fn collect(corpus: &std::path::Path, path: &str) -> evx::pipeline::collect::CollectedFile {
    let bytes = std::fs::read(corpus.join(path)).expect("corpus file readable");
    collect_file(path, &bytes, DigestKey::sha256_of(&bytes))
}

/// Policy: SPDX 2.2 is accepted with `WARN_SPDX_VERSION`, so an `ok` 2.2 file may carry that
/// one warning and nothing else. Information (a product-agnostic VEX statement that is not
/// merged) is no problem.
fn unexpected(c: &evx::pipeline::collect::CollectedFile) -> Vec<String> {
    c.diagnostics
        .iter()
        .filter(|d| d.code != Code::WarnSpdxVersion && d.severity != Severity::Info)
        .map(|d| d.to_string())
        .collect()
}

fn check_folder(folder: &str, kind: FileKind) {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let entries = common::manifest_entries(&corpus, folder);
    assert!(!entries.is_empty());
    let mut failures = Vec::new();
    for e in &entries {
        let c = collect(&corpus, &e.path);
        match e.expect.as_str() {
            "ok" => {
                if c.kind != kind && c.kind != FileKind::InTotoStatement {
                    failures.push(format!("{}: classified as {}", e.path, c.kind));
                }
                let extra = unexpected(&c);
                if !extra.is_empty() {
                    failures.push(format!("{}: unexpected diagnostics {extra:?}", e.path));
                }
            }
            "diagnostic" if c.diagnostics.is_empty() => {
                failures.push(format!("{}: expected a diagnostic ({})", e.path, e.reason))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cyclonedx_corpus_loads() {
    check_folder("cyclonedx", FileKind::Cyclonedx);
}

#[test]
fn spdx_corpus_loads() {
    check_folder("spdx", FileKind::Spdx);
}

#[test]
fn cdx_vex_corpus_loads_as_cyclonedx() {
    check_folder("cdx-vex", FileKind::Cyclonedx);
}

#[test]
fn invalid_cyclonedx_files_name_the_field() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let cases = [
        ("cyclonedx/invalid-hash-md5-1.4.json", "/hashes/0/content"),
        ("cyclonedx/invalid-scope-1.4.json", "/scope"),
        ("cyclonedx/invalid-serialnumber-1.5.json", "/serialNumber"),
        (
            "cyclonedx/invalid-metadata-timestamp-1.5.json",
            "/metadata/timestamp",
        ),
        ("cyclonedx/invalid-bomformat-1.6.json", "/bomFormat"),
        ("cyclonedx/invalid-dependency-1.6.json", "/dependencies/"),
        ("cyclonedx/invalid-license-choice-1.6.json", "/licenses/"),
        ("cyclonedx/invalid-empty-component-1.6.json", "/name"),
        ("cyclonedx/invalid-component-type-1.7.json", "/type"),
        ("cyclonedx/invalid-missing-component-type-1.7.json", "/type"),
    ];
    for (path, pointer_part) in cases {
        let c = collect(&corpus, path);
        assert_eq!(c.status, FileStatus::Failed, "{path}");
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.code == Code::DocSchema && d.pointer.contains(pointer_part)),
            "{path}: {:?}",
            c.diagnostics
        );
    }
}

#[test]
fn spdx_edge_cases_follow_the_policy() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let utf16 = collect(&corpus, "spdx/SPDXJSONExample-UTF-16.spdx.json");
    assert_eq!(utf16.diagnostics[0].code, Code::JsonParse);
    assert_eq!(utf16.status, FileStatus::Failed);

    let control = collect(&corpus, "spdx/ControlCharacters.spdx.json");
    assert!(matches!(control.documents[0].content, Content::Sbom(_)));

    let trivy = collect(&corpus, "spdx/spdx-trivy-vmware_log-intelligence-fluentd-sha256_086af034f561f343f633be9d9f9e95f65ae6c61b8ddb2c6755ef5bb25b40f53a.json");
    assert!(trivy
        .diagnostics
        .iter()
        .any(|d| d.code == Code::DocSchema && d.pointer.ends_with("/downloadLocation")));

    let bad = collect(&corpus, "spdx/invalid-spdx.json");
    assert!(bad.diagnostics.iter().any(|d| d.pointer == "/spdxVersion"));
}

#[test]
fn spdx_relationships_become_dependencies() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let c = collect(&corpus, "spdx/appbomination.spdx.json");
    let Content::Sbom(sbom) = &c.documents[0].content else {
        panic!("not an SBOM")
    };
    assert_eq!(sbom.components.len(), 7);
    assert!(!sbom.dependencies.is_empty());
    assert_eq!(sbom.described, ["SPDXRef-1"]);
}

#[test]
fn nested_cyclonedx_components_are_collected() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let c = collect(&corpus, "cyclonedx/valid-assembly-1.4.json");
    let Content::Sbom(sbom) = &c.documents[0].content else {
        panic!("not an SBOM")
    };
    assert!(!sbom.includes.is_empty(), "{sbom:?}");
    let laravel = collect(&corpus, "cyclonedx/bomex-SBOM-laravel-7.12.0-bom.1.4.json");
    let Content::Sbom(sbom) = &laravel.documents[0].content else {
        panic!("not an SBOM")
    };
    assert_eq!(
        sbom.components.len(),
        62 + 1,
        "62 components plus metadata.component"
    );
    assert!(sbom
        .components
        .iter()
        .all(|c| c.purl.is_some() || c.local_ref.starts_with('/')));
}

#[test]
fn dsse_corpus_envelopes_and_statements() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut failures = Vec::new();
    for e in common::manifest_entries(&corpus, "dsse") {
        if e.expect == "data" {
            continue;
        }
        let c = collect(&corpus, &e.path);
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        match e.expect.as_str() {
            "ok" if !errors.is_empty() => failures.push(format!("{}: {errors:?}", e.path)),
            "edge" if !c.diagnostics.iter().any(|d| d.code == Code::DssePayload) => {
                failures.push(format!("{}: the `type` payload must be flagged", e.path))
            }
            _ => {}
        }
        let Some(Content::Attestation(_)) = c.documents.first().map(|d| &d.content) else {
            failures.push(format!("{}: no attestation collected", e.path));
            continue;
        };
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let kubectl = collect(&corpus, "dsse/oci-kubectl-linux-amd64-in-toto.json");
    let Content::Attestation(att) = &kubectl.documents[0].content else {
        panic!()
    };
    assert_eq!(att.subjects.len(), 75);
    assert!(!att.enveloped);
}
