//! `reconcile_path` reads and collects at the same time and frees SBOM bytes as it goes; the
//! explorer's `reconcile` works over a fully loaded bundle. Both must give the same model, in
//! every bundle form, including the archive whose first file suggests a top directory that a
//! later file contradicts (the streamed reading starts over), and cross-document BOM-Links,
//! which read a freed SBOM again from the source.
//!
//! A wrong guess stops the first reading at the file that disproves it, and the second reading
//! streams too (paths as written): a bundle is never loaded whole for it.

mod common;
mod vex_support;

use common::tree::{gzip, read_tree, tar_of, write_tree};

use evx::bundle::{self, BundleFile, Limits, TopDirectory};
use evx::cli::reconcile::graph_json;
use evx::pipeline::{reconcile, reconcile_path, Options, Reconciled};
use evx::progress::NoProgress;
use serde_json::Value;
use std::path::Path;

const PURL: &str = "pkg:npm/a@1";
const SERIAL: &str = "aaaaaaaa-0000-4000-8000-000000000001";

fn streamed(path: &Path) -> Reconciled {
    reconcile_path(path, &Options::default(), &NoProgress).expect("bundle opens")
}

fn loaded(path: &Path) -> Reconciled {
    let bundle = bundle::open(path, &Limits::default(), &NoProgress).expect("bundle opens");
    reconcile(&bundle, &Options::default(), &NoProgress)
}

/// Everything a user or script sees of a model but the bundle's own path and form,
/// `generatedAt` fixed.
fn seen(model: &Reconciled) -> Value {
    let mut json = graph_json(model, "fixed");
    json.as_object_mut().expect("an object").remove("bundle");
    json["files"] = serde_json::to_value(&model.files).expect("files serialise");
    json["decisions"] = Value::from(
        model
            .decisions
            .iter()
            .map(|d| format!("{} {} {:?}", d.vulnerability, d.target, d.status))
            .collect::<Vec<_>>(),
    );
    json
}

/// An SBOM and, in another folder, a CycloneDX VEX whose statements link into it by BOM-Link.
fn linked_files() -> Vec<(String, Vec<u8>)> {
    use vex_support::{cdx_vulnerability, cyclonedx};
    let sbom = cyclonedx(SERIAL, "Acme", &[("lib-a", PURL)], vec![]);
    let link = format!("urn:cdx:{SERIAL}/1#lib-a");
    let vuln = cdx_vulnerability(
        "CVE-2024-15",
        "not_affected",
        &[&link],
        "2024-02-01T00:00:00Z",
    );
    let vex = cyclonedx(
        "cccccccc-0000-4000-8000-000000000003",
        "Maint",
        &[],
        vec![vuln],
    );
    let bytes = |v: &Value| serde_json::to_vec_pretty(v).unwrap();
    vec![
        ("sboms/app.cdx.json".to_string(), bytes(&sbom)),
        ("vex/links.cdx.json".to_string(), bytes(&vex)),
    ]
}

/// The same files as a directory and as archives that exercise every path of the streamed
/// reading; each form's model must equal the fully loaded directory's.
fn assert_every_form_matches(files: &[(String, Vec<u8>)]) -> Reconciled {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write_tree(&dir, files);
    let expected = seen(&loaded(&dir));
    let archives = [
        // One top directory, stripped on the guess of the first file.
        ("top.tar.gz", gzip(&tar_of(files, "bundle/"))),
        // Several top-level folders: the first file's folder is a wrong guess, so the
        // reading starts over.
        ("tops.tar", tar_of(files, "")),
        (
            "top.tar.zst",
            zstd::encode_all(tar_of(files, "bundle/").as_slice(), 1).unwrap(),
        ),
    ];
    let model = streamed(&dir);
    assert_eq!(seen(&model), expected, "directory");
    for (name, bytes) in archives {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(seen(&streamed(&path)), expected, "{name}");
        assert_eq!(seen(&loaded(&path)), expected, "{name}, loaded");
    }
    model
}

#[test]
fn the_demo_streams_to_the_loaded_model_in_every_form() {
    let files = read_tree(&common::demo());
    assert!(files.len() > 5, "the demo bundle is there");
    let model = assert_every_form_matches(&files);
    assert!(model.graph.node_count() > 0);
}

#[test]
fn bom_links_resolve_into_sboms_whose_bytes_were_freed() {
    let model = assert_every_form_matches(&linked_files());
    let targets: Vec<&str> = model.decisions.iter().map(|d| d.target.as_str()).collect();
    assert_eq!(targets, [PURL]);
    assert!(
        !model
            .diagnostics
            .iter()
            .any(|d| d.file == "vex/links.cdx.json"),
        "{:?}",
        model.diagnostics
    );
}

#[test]
fn a_freed_file_changed_on_disk_is_not_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), &linked_files());
    let mut bundle = bundle::open(tmp.path(), &Limits::default(), &NoProgress).unwrap();
    let sha256 = |b: &[u8]| -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(b).into()
    };
    for file in &mut bundle.files {
        let digest = sha256(&file.bytes);
        file.release(digest);
        assert!(file.bytes.is_empty());
    }
    let original = std::fs::read(tmp.path().join("sboms/app.cdx.json")).unwrap();
    let again = bundle
        .get("sboms/app.cdx.json")
        .expect("read again from the directory");
    assert_eq!(&*again, original.as_slice());
    let (digest, size) = bundle.sha256_and_size("sboms/app.cdx.json").unwrap();
    assert_eq!((digest, size), (sha256(&original), original.len() as u64));

    std::fs::write(
        tmp.path().join("sboms/app.cdx.json"),
        b"{\"changed\": true}",
    )
    .unwrap();
    assert!(bundle.get("sboms/app.cdx.json").is_none());
    assert!(bundle.get("vex/links.cdx.json").is_some());
    assert!(bundle.get("no/such/file.json").is_none());
}

#[test]
fn the_explorer_keeps_no_sbom_bytes_of_a_directory_and_reads_them_again() {
    use evx::graph::NodeKind;
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), &read_tree(&common::demo()));
    let (bundle, model) =
        evx::pipeline::load_path(tmp.path(), &Options::default(), &NoProgress).unwrap();
    let sbom_files: Vec<&str> = model
        .files
        .iter()
        .filter(|f| matches!(f.kind.as_str(), "cyclonedx" | "spdx"))
        .map(|f| f.path.as_str())
        .collect();
    assert!(!sbom_files.is_empty());
    for path in &sbom_files {
        let file = bundle.files.iter().find(|f| f.path == *path).unwrap();
        assert!(file.bytes.is_empty() && file.released.is_some(), "{path}");
    }
    let sbom = model
        .graph
        .nodes()
        .find(|n| n.kind == NodeKind::Sbom)
        .expect("an SBOM node");
    let lines = evx::tui::document::normalised_json_lines(&bundle, sbom);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"bomFormat\"") || l.contains("\"spdxVersion\"")),
        "{lines:?}"
    );
}

/// Remembers the largest count of archive entries read that was reported.
#[derive(Default)]
struct EntriesRead(std::sync::atomic::AtomicU64);

impl evx::progress::ProgressSink for EntriesRead {
    fn report(&self, p: evx::progress::Progress) {
        if p.stage == evx::progress::Stage::Reading {
            self.0
                .fetch_max(p.done, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// What `open_streaming` sends for `archive`, whether it finished (`Some`) or asks for another
/// reading (`None`), and how many entries it read.
fn streamed_paths(archive: &Path, top: TopDirectory) -> (bool, Vec<String>, u64) {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<BundleFile>(1000);
    let entries = EntriesRead::default();
    let finished = bundle::open_streaming(
        archive,
        &Limits::default(),
        &entries,
        sender,
        top,
        &bundle::BufferPool::default(),
    )
    .expect("archive opens")
    .is_some();
    let sent = receiver.try_iter().map(|f| f.path).collect();
    (finished, sent, entries.0.into_inner())
}

#[test]
fn a_wrong_top_directory_guess_stops_the_reading_and_the_next_one_keeps_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, Vec<u8>)> = vec![("sboms/a.json".into(), b"{}".to_vec())];
    files.extend((0..50).map(|i| (format!("vex/{i:02}.json"), b"{}".to_vec())));
    let path = tmp.path().join("tops.tar");
    std::fs::write(&path, tar_of(&files, "")).unwrap();

    let (finished, sent, read) = streamed_paths(&path, TopDirectory::Strip);
    assert!(!finished, "the guess `sboms/` is wrong");
    assert_eq!(sent, ["a.json"]);
    assert_eq!(
        read, 2,
        "nothing is read after the file that disproves the guess"
    );

    let (finished, sent, read) = streamed_paths(&path, TopDirectory::Keep);
    assert!(finished);
    assert_eq!(read, 51);
    let written: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(sent, written);
}

/// Streamed reading reuses the buffers of released SBOM bytes; a file whose bytes stay in the
/// bundle must not hold a buffer much larger than itself (an earlier version gave small files
/// megabyte buffers and a large archive's peak memory grew by half).
#[test]
fn files_kept_in_the_bundle_hold_no_more_than_twice_their_size() {
    let tmp = tempfile::tempdir().unwrap();
    let names: Vec<(String, String)> = (0..1500)
        .map(|i| (format!("lib-{i}"), format!("pkg:npm/lib-{i}@1.0.{i}")))
        .collect();
    let components: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_str()))
        .collect();
    let mut files = Vec::new();
    // More SBOMs than the reading runs ahead, so that some are released before the rest is read.
    for i in 0..40 {
        let serial = format!("aaaaaaaa-0000-4000-8000-0000000000{i:02}");
        let sbom = vex_support::cyclonedx(&serial, "Acme", &components, vec![]);
        files.push((
            format!("a/sbom-{i}.cdx.json"),
            serde_json::to_vec(&sbom).unwrap(),
        ));
    }
    let sizes = [20usize, 500, 4_000, 70_000, 100_000, 150_000];
    for i in 0..30 {
        let mut blob = format!("blob {i}: ").into_bytes();
        blob.resize(sizes[i % sizes.len()], b'x');
        files.push((format!("b/blob-{i}.bin"), blob));
    }
    write_tree(tmp.path(), &files);
    let (bundle, _) =
        evx::pipeline::load_path(tmp.path(), &Options::default(), &NoProgress).unwrap();
    let kept: Vec<&BundleFile> = bundle
        .files
        .iter()
        .filter(|f| f.released.is_none())
        .collect();
    assert_eq!(kept.len(), 30);
    for file in kept {
        let (len, capacity) = (file.bytes.len(), file.bytes.capacity());
        assert!(
            capacity <= (2 * len).max(len + 1),
            "{}: {len} bytes in {capacity}",
            file.path
        );
    }
}
