//! The determinism promise of SPEC §2: the same content gives the same root digest as a
//! directory, .tar, .tar.gz or .tar.zst, whatever the file names and order; SBOMs that differ
//! only in key order, whitespace, volatile fields or URI case give the same digests.

mod common;

use common::tree::{gzip, read_tree, tar_of, write_tree};

use evx::graph::{EdgeType, NodeKind};
use evx::pipeline::{reconcile_path, Options, Reconciled};
use evx::progress::NoProgress;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn reconcile(path: &Path) -> Reconciled {
    reconcile_path(path, &Options::default(), &NoProgress).expect("bundle opens")
}

/// The demo's files renamed to opaque names in a shuffled order and other folders.
fn renamed_and_shuffled(files: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = files
        .iter()
        .enumerate()
        .map(|(i, (_, bytes))| (format!("zz{}/item-{}.bin", i % 3, 97 - i), bytes.clone()))
        .collect();
    out.reverse();
    out.rotate_left(2);
    out
}

#[test]
fn same_content_same_root_digest_in_every_form() {
    let demo = common::demo();
    let files = read_tree(&demo);
    let baseline = reconcile(&demo);
    assert!(baseline.graph.node_count() > 10);

    let tmp = tempfile::tempdir().unwrap();
    let shuffled = renamed_and_shuffled(&files);
    let renamed_dir = tmp.path().join("renamed");
    write_tree(&renamed_dir, &shuffled);
    let tar = tar_of(&shuffled, "");
    let forms: Vec<(PathBuf, Vec<u8>)> = vec![
        (tmp.path().join("bundle.tar"), tar.clone()),
        (tmp.path().join("bundle.tar.gz"), gzip(&tar)),
        (
            tmp.path().join("bundle.tar.zst"),
            zstd::encode_all(tar.as_slice(), 3).unwrap(),
        ),
        // Detection is by magic bytes: a misleading extension changes nothing.
        (tmp.path().join("bundle.zip"), gzip(&tar_of(&files, ""))),
    ];
    let mut digests = vec![(
        "renamed directory".to_string(),
        reconcile(&renamed_dir).graph.root_digest().to_string(),
    )];
    for (path, bytes) in forms {
        std::fs::write(&path, bytes).unwrap();
        digests.push((
            path.display().to_string(),
            reconcile(&path).graph.root_digest().to_string(),
        ));
    }
    for (what, digest) in digests {
        assert_eq!(digest, baseline.graph.root_digest(), "{what}");
    }
}

#[test]
fn run_after_run_the_json_is_identical() {
    let demo = common::demo();
    let a = evx::cli::reconcile::graph_json(&reconcile(&demo), "fixed");
    let b = evx::cli::reconcile::graph_json(&reconcile(&demo), "fixed");
    assert_eq!(
        serde_json::to_vec(&a).unwrap(),
        serde_json::to_vec(&b).unwrap()
    );
}

/// Re-serialises a JSON document with keys in reverse order and no whitespace.
fn reversed_compact(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), reversed_compact(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(reversed_compact).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn edit(files: &mut [(String, Vec<u8>)], name: &str, f: impl FnOnce(&mut Value)) {
    let (_, bytes) = files
        .iter_mut()
        .find(|(p, _)| p.ends_with(name))
        .expect("file present");
    let mut v: Value = serde_json::from_slice(bytes).unwrap();
    f(&mut v);
    *bytes = reversed_compact(&v).into_bytes();
}

fn digest_of(files: &[(String, Vec<u8>)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), files);
    reconcile(tmp.path()).graph.root_digest().to_string()
}

#[test]
fn volatile_fields_key_order_whitespace_and_uri_case_do_not_matter() {
    let files = read_tree(&common::demo());
    let baseline = digest_of(&files);
    let mut variant = files.clone();
    edit(&mut variant, "payments-api.cdx.json", |v| {
        v["metadata"]["timestamp"] = "2030-01-01T00:00:00Z".into();
        v["serialNumber"] = "urn:uuid:00000000-0000-4000-8000-000000000000".into();
    });
    edit(&mut variant, "payments-worker.cdx.json", |v| {
        v["metadata"]["timestamp"] = "2031-05-05T05:05:05Z".into()
    });
    edit(&mut variant, "payments-api.spdx.json", |v| {
        v["creationInfo"]["created"] = "2029-02-03T04:05:06Z".into();
        v["packages"][3]["downloadLocation"] =
            "HTTPS://Crates.IO:443/api/v1/crates/serde/1.0.210/download".into();
    });
    assert_eq!(digest_of(&variant), baseline);

    let mut changed = files.clone();
    edit(&mut changed, "payments-api.cdx.json", |v| {
        v["components"][3]["version"] = "1.40.1".into()
    });
    assert_ne!(
        digest_of(&changed),
        baseline,
        "a component version is content"
    );
}

#[test]
fn one_component_from_cyclonedx_and_spdx_has_two_contains_edges() {
    let model = reconcile(&common::demo());
    let g = &model.graph;
    let zlib = g
        .nodes()
        .find(|n| {
            n.kind == NodeKind::Component
                && n.field_str("purl").as_deref()
                    == Some("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12")
        })
        .expect("zlib component");
    let containers: Vec<_> = g
        .incoming(&zlib.id)
        .into_iter()
        .filter(|e| e.kind == EdgeType::Contains)
        .collect();
    assert_eq!(
        containers.len(),
        2,
        "one from the CycloneDX SBOM, one from the SPDX SBOM"
    );
    let formats: Vec<String> = containers
        .iter()
        .map(|e| {
            g.node(&e.source)
                .unwrap()
                .field_str("format")
                .unwrap()
                .into()
        })
        .collect();
    assert!(
        formats.iter().any(|f| f == "CycloneDX") && formats.iter().any(|f| f == "SPDX"),
        "{formats:?}"
    );
    assert_eq!(zlib.locations.len(), 2);
}

#[test]
fn a_carried_sbom_and_its_file_are_one_node() {
    let model = reconcile(&common::demo());
    let g = &model.graph;
    let worker = g
        .nodes()
        .find(|n| {
            n.kind == NodeKind::Sbom
                && n.field_str("name").as_deref()
                    == Some("registry.example.com/acme/payments-worker")
        })
        .expect("worker SBOM");
    assert_eq!(worker.locations.len(), 2, "{:?}", worker.locations);
    assert!(g
        .incoming(&worker.id)
        .iter()
        .any(|e| e.kind == EdgeType::Carries));
}

#[test]
fn attestation_subject_meets_the_sbom_artifact() {
    let model = reconcile(&common::demo());
    let g = &model.graph;
    let image = g
        .node(
            &evx::graph::NodeId::parse(
                "sha256:f58b45cec7134d0e231a8d4c9681d55d17d59d70d0b54edeeaad2ac72ae2559c",
            )
            .unwrap(),
        )
        .expect("image artifact");
    assert_eq!(image.kind, NodeKind::Artifact);
    let kinds: Vec<EdgeType> = g.incoming(&image.id).iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&EdgeType::Attests) && kinds.contains(&EdgeType::Describes),
        "{kinds:?}"
    );
}
