//! `evx reconcile` as a user runs it: exit codes, JSON contract, diagnostics for bad input, and
//! the golden graph of the demo bundle.

mod common;

use common::cli::evx;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

fn codes(doc: &Value) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn json_output_carries_the_contract_fields_and_a_verifiable_root_digest() {
    let demo = common::demo();
    let out = evx(&["reconcile", demo.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_of(&out);
    for key in [
        "version",
        "digestAlgorithm",
        "rootDigest",
        "generatedAt",
        "nodes",
        "edges",
        "diagnostics",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    assert_eq!(doc["digestAlgorithm"], "sha256");
    let recomputed = serde_json::json!({
        "version": doc["version"], "digestAlgorithm": doc["digestAlgorithm"], "nodes": doc["nodes"], "edges": doc["edges"],
    });
    let want = format!("sha256:{}", evx::json::jcs::sha256_hex(&recomputed));
    assert_eq!(doc["rootDigest"], want.as_str());
    let components: Vec<&Value> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "component")
        .collect();
    assert!(
        components.iter().all(|c| c.get("purl").is_some()),
        "components carry purl"
    );
    let d = &doc["diagnostics"][0];
    for key in ["code", "severity", "file", "pointer", "message"] {
        assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
    }
}

#[test]
fn strict_turns_error_diagnostics_into_exit_1() {
    let demo = common::demo();
    assert_eq!(
        evx(&["reconcile", demo.to_str().unwrap()]).status.code(),
        Some(0)
    );
    assert_eq!(
        evx(&["reconcile", demo.to_str().unwrap(), "--strict"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn unreadable_bundle_and_usage_errors_exit_2_without_backtrace() {
    let out = evx(&["reconcile", "/nonexistent/bundle"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/bundle"));
    assert_no_panic(&out);
    assert_eq!(evx(&["reconcile"]).status.code(), Some(2));
    assert_eq!(evx(&["reconcile", "x", "--bogus"]).status.code(), Some(2));
}

#[test]
fn human_summary_groups_diagnostics_by_code() {
    let demo = common::demo();
    let out = evx(&["reconcile", demo.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("root digest  sha256:"), "{text}");
    assert!(text.contains("ERR_JSON_PARSE (1)"), "{text}");
    assert!(text.contains("sboms/legacy-scanner.cdx.json"), "{text}");
}

#[test]
fn output_file_gets_the_same_json() {
    let demo = common::demo();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("graph.json");
    let out = evx(&[
        "reconcile",
        demo.to_str().unwrap(),
        "--json",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert!(doc["rootDigest"].as_str().unwrap().starts_with("sha256:"));
}

fn bundle_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    tmp
}

fn reconcile_json(path: &Path) -> Value {
    let out = evx(&["reconcile", path.to_str().unwrap(), "--json"]);
    assert_no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

const GOOD_SBOM: &[u8] = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","purl":"pkg:npm/a@1"}]}"#;

#[test]
fn malformed_json_names_file_line_and_code_and_the_rest_loads() {
    let bad = b"{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": [1, 2,, 3]\n}";
    let dup = b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"specVersion\":\"1.6\"}";
    let tmp = bundle_with(&[
        ("sboms/bad.json", bad),
        ("sboms/dup.json", dup),
        ("sboms/good.json", GOOD_SBOM),
    ]);
    let doc = reconcile_json(tmp.path());
    let diags = doc["diagnostics"].as_array().unwrap();
    let parse = diags
        .iter()
        .find(|d| d["code"] == "ERR_JSON_PARSE")
        .expect("parse error");
    assert_eq!(parse["file"], "sboms/bad.json");
    assert_eq!(parse["line"], 3);
    assert_eq!(parse["pointer"], "/components/2");
    let dup = diags
        .iter()
        .find(|d| d["code"] == "ERR_JSON_DUPLICATE_KEY")
        .expect("duplicate key");
    assert_eq!(dup["pointer"], "/specVersion");
    assert!(doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["purl"] == "pkg:npm/a@1"));
}

#[test]
fn ten_thousand_nested_arrays_are_a_parse_error_not_a_crash() {
    let mut deep = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":"#.to_vec();
    deep.extend(std::iter::repeat_n(b'[', 10_000));
    deep.extend(std::iter::repeat_n(b']', 10_000));
    deep.push(b'}');
    let tmp = bundle_with(&[("deep.json", &deep), ("good.json", GOOD_SBOM)]);
    let doc = reconcile_json(tmp.path());
    assert!(codes(&doc).contains(&"ERR_JSON_PARSE".to_string()));
    assert!(doc["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("nesting"));
}

fn raw_entry(
    builder: &mut tar::Builder<Vec<u8>>,
    name: &[u8],
    kind: tar::EntryType,
    link: Option<&str>,
    data: &[u8],
) {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    if let Some(link) = link {
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

#[test]
fn traversal_and_symlink_entries_are_skipped_and_reported() {
    let mut b = tar::Builder::new(Vec::new());
    raw_entry(
        &mut b,
        b"sboms/good.json",
        tar::EntryType::Regular,
        None,
        GOOD_SBOM,
    );
    raw_entry(
        &mut b,
        b"../evil.json",
        tar::EntryType::Regular,
        None,
        GOOD_SBOM,
    );
    raw_entry(
        &mut b,
        b"sboms/link.json",
        tar::EntryType::Symlink,
        Some("../../etc/passwd"),
        b"",
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("hostile.tar");
    std::fs::write(&path, b.into_inner().unwrap()).unwrap();
    let doc = reconcile_json(&path);
    let unsafe_entries = codes(&doc)
        .iter()
        .filter(|c| *c == "ERR_BUNDLE_UNSAFE_ENTRY")
        .count();
    assert_eq!(unsafe_entries, 2, "{:?}", doc["diagnostics"]);
    assert!(doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["purl"] == "pkg:npm/a@1"));
    assert!(!tmp.path().parent().unwrap().join("evil.json").exists());
}

#[test]
fn truncated_tar_gz_keeps_what_was_read_before_the_damage() {
    let mut b = tar::Builder::new(Vec::new());
    raw_entry(
        &mut b,
        b"a/good.json",
        tar::EntryType::Regular,
        None,
        GOOD_SBOM,
    );
    let filler: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    raw_entry(&mut b, b"a/big.bin", tar::EntryType::Regular, None, &filler);
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let gz = gz.finish().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("truncated.tar.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let doc = reconcile_json(&path);
    assert!(
        codes(&doc).contains(&"ERR_BUNDLE_CORRUPT".to_string()),
        "{:?}",
        doc["diagnostics"]
    );
    assert!(doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["purl"] == "pkg:npm/a@1"));
}

#[test]
fn golden_graph_of_the_demo_bundle() {
    let demo = common::demo();
    let out = evx(&["reconcile", demo.to_str().unwrap(), "--json"]);
    let mut doc = json_of(&out);
    let obj = doc.as_object_mut().unwrap();
    obj.remove("generatedAt");
    obj["bundle"]["path"] = Value::String("[demo]".into());
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!("demo_reconcile", doc);
    });
}
