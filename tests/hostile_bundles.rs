//! The hostile-bundle suite (issue 8): each case is built here, nothing dangerous is committed,
//! and each asserts its exact code and that the rest of the bundle still loads.
//!
//! The archive-level cases live beside the other loading tests in `tests/bundle_loading.rs` and
//! are not repeated here:
//!
//! | case | test in `bundle_loading.rs` |
//! |---|---|
//! | `../`, absolute, Windows drive and backslash names | `unsafe_entry_names_are_skipped` |
//! | symlink and hard-link entries | `symlink_and_hardlink_entries_are_skipped` |
//! | directory symlink pointing outside its root | `directory_symlink_to_outside_is_not_followed` |
//! | device and fifo entries | `device_and_fifo_entries_are_skipped` |
//! | gzip and zstd bombs past 200:1 | `gzip_bomb_stops_at_max_ratio`, `zstd_bomb_stops_at_max_ratio` |
//! | a file over the per-file limit | `file_over_max_file_size_is_skipped` |
//! | a tar truncated mid-entry | `truncated_targz_keeps_earlier_entries` |
//!
//! This file adds what needs the whole pipeline or the command line: limits lowered by flag,
//! fifos in a directory bundle, the document-level cases (deep nesting, a 50 MB string,
//! invalid UTF-8, a BOM, NUL bytes, a bad NDJSON line), and the peak memory of the `evx`
//! binary on a gzip and a zstd bomb (under 200 MB, measured with GNU time where it exists).

use evx::bundle::{Bundle, BundleFile};
use evx::diag::Code;
use evx::pipeline::collect::FileStatus;
use evx::pipeline::{self, Options, Reconciled};
use evx::progress::NoProgress;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A valid CycloneDX SBOM with one component: the "rest of the bundle" of most cases.
const GOOD_SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
 "components":[{"type":"library","name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"}]}"#;
const GOOD_PATH: &str = "sboms/good.cdx.json";

fn in_memory(files: &[(&str, &[u8])]) -> Bundle {
    let files: Vec<BundleFile> = files
        .iter()
        .map(|(path, bytes)| BundleFile::new(path.to_string(), bytes.to_vec()))
        .collect();
    Bundle::in_memory(PathBuf::from("hostile"), files)
}

/// Reconciles `hostile` at `path` beside the good SBOM.
fn reconcile_beside_good(path: &str, hostile: &[u8]) -> Reconciled {
    let bundle = in_memory(&[(GOOD_PATH, GOOD_SBOM.as_bytes()), (path, hostile)]);
    pipeline::reconcile(&bundle, &Options::default(), &NoProgress)
}

/// The codes of the diagnostics about `file`.
fn codes_for(model: &Reconciled, file: &str) -> Vec<Code> {
    model.diagnostics_for(file).map(|d| d.code).collect()
}

fn status_of(model: &Reconciled, file: &str) -> FileStatus {
    model
        .files
        .iter()
        .find(|f| f.path == file)
        .unwrap_or_else(|| panic!("{file} listed"))
        .status
}

/// The good SBOM still loads: parsed, no diagnostic, its component in the graph.
fn assert_rest_loads(model: &Reconciled) {
    assert_eq!(status_of(model, GOOD_PATH), FileStatus::Parsed);
    assert_eq!(codes_for(model, GOOD_PATH), []);
    let labels: Vec<&str> = model.graph.nodes().map(|n| n.label.as_str()).collect();
    assert!(
        labels.iter().any(|l| l.contains("left-pad")),
        "component of the good SBOM in {labels:?}"
    );
}

#[test]
fn json_nested_100000_deep_is_a_parse_error() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let model = reconcile_beside_good("deep.json", deep.as_bytes());
    assert_eq!(codes_for(&model, "deep.json"), [Code::JsonParse]);
    let d = model.diagnostics_for("deep.json").next().unwrap();
    assert!(d.message.contains("deeper than 128"), "{}", d.message);
    assert_eq!(status_of(&model, "deep.json"), FileStatus::Failed);
    assert_rest_loads(&model);

    let deep_objects = "{\"a\":".repeat(100_000);
    let model = reconcile_beside_good("objects.json", deep_objects.as_bytes());
    assert_eq!(codes_for(&model, "objects.json"), [Code::JsonParse]);
    assert_rest_loads(&model);
}

/// A component name of 50 MB loads (a string is not a nesting hazard), within seconds.
#[test]
fn a_50_mb_json_string_loads_in_bounded_time() {
    let name = "n".repeat(50 * 1000 * 1000);
    let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": name, "version": "1"}]});
    let bytes = serde_json::to_vec(&sbom).unwrap();
    drop(sbom);
    let clock = Instant::now();
    let model = reconcile_beside_good("sboms/huge.cdx.json", &bytes);
    assert!(
        clock.elapsed() < Duration::from_secs(60),
        "{:?}",
        clock.elapsed()
    );
    assert_eq!(codes_for(&model, "sboms/huge.cdx.json"), []);
    assert_eq!(status_of(&model, "sboms/huge.cdx.json"), FileStatus::Parsed);
    assert_rest_loads(&model);

    // The same string, unterminated, is a parse error located at its start.
    let cut = &bytes[..bytes.len() / 2];
    let model = reconcile_beside_good("sboms/cut.cdx.json", cut);
    assert_eq!(codes_for(&model, "sboms/cut.cdx.json"), [Code::JsonParse]);
    assert_rest_loads(&model);
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let bytes = b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":\"\xc3\x28\"}";
    let model = reconcile_beside_good("sboms/latin1.cdx.json", bytes);
    assert_eq!(
        codes_for(&model, "sboms/latin1.cdx.json"),
        [Code::JsonParse]
    );
    assert_rest_loads(&model);
}

#[test]
fn a_utf8_bom_is_skipped() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"bommed","version":"2"}]}"#,
    );
    let model = reconcile_beside_good("sboms/bom.cdx.json", &bytes);
    assert_eq!(codes_for(&model, "sboms/bom.cdx.json"), []);
    assert_eq!(status_of(&model, "sboms/bom.cdx.json"), FileStatus::Parsed);
    assert!(model.graph.nodes().any(|n| n.label.contains("bommed")));
    assert_rest_loads(&model);
}

#[test]
fn nul_bytes_are_parse_errors() {
    // A raw NUL inside a string, a NUL after the document, and a NUL-led (UTF-16-looking) file.
    let cases: [&[u8]; 3] = [
        b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":\"a\0b\"}",
        b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}\0",
        b"\0{\0\"\0a\0\"\0:\0\x31\0}",
    ];
    for bytes in cases {
        let model = reconcile_beside_good("sboms/nul.json", bytes);
        assert_eq!(
            codes_for(&model, "sboms/nul.json"),
            [Code::JsonParse],
            "{bytes:?}"
        );
        assert_rest_loads(&model);
    }
}

fn record(run: &str, status: &str) -> Value {
    let artifact = format!("sha256:{}", "ab".repeat(32));
    json!({"runId": run, "artifactHash": artifact, "startedAt": "2026-02-01T00:00:00Z", "status": status})
}

#[test]
fn ndjson_with_one_bad_line_keeps_the_good_ones() {
    let stream = format!(
        "{}\n{{\"runId\": \"r2\", oops}}\n{}\n",
        record("r1", "running"),
        record("r3", "succeeded")
    );
    let model = reconcile_beside_good("exports/runs.ndjson", stream.as_bytes());
    let problems: Vec<(Code, Option<usize>)> = model
        .diagnostics_for("exports/runs.ndjson")
        .map(|d| (d.code, d.line))
        .collect();
    assert_eq!(problems, [(Code::JsonParse, Some(2))]);
    let exports = &model.verification.exports;
    let ok: Vec<Option<&str>> = exports
        .iter()
        .filter(|e| e.problems.is_empty())
        .map(|e| e.run_id.as_deref())
        .collect();
    assert_eq!(ok, [Some("r1"), Some("r3")]);
    assert_rest_loads(&model);
}

// ---- the command line: limits lowered by flag, named with their flag -----------------------

fn evx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evx"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("evx runs")
}

fn reconcile_json(bundle: &Path, flags: &[&str]) -> Value {
    let mut args = vec!["reconcile", bundle.to_str().unwrap(), "--json"];
    args.extend_from_slice(flags);
    let out = evx(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn limit_messages(doc: &Value) -> Vec<(String, String)> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ERR_BUNDLE_LIMIT")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn file_statuses(doc: &Value) -> Vec<(String, String)> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn targz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar_of(files)).unwrap();
    gz.finish().unwrap()
}

#[test]
fn max_entries_lowered_by_flag_stops_reading_and_names_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..6).map(|i| format!("f{i}.cdx.json")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), GOOD_SBOM.as_bytes()))
        .collect();
    let path = tmp.path().join("many.tgz");
    std::fs::write(&path, targz(&files)).unwrap();

    let doc = reconcile_json(&path, &["--max-entries", "4"]);
    let limits = limit_messages(&doc);
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert!(
        limits[0].1.contains("--max-entries (4 entries)"),
        "{limits:?}"
    );
    let parsed: Vec<String> = file_statuses(&doc)
        .into_iter()
        .filter(|(_, s)| s == "parsed")
        .map(|(p, _)| p)
        .collect();
    assert_eq!(parsed, names[..4]);
}

/// 2 MB of letters that compress about 2:1.
fn letters(len: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 16) as u8)
        })
        .collect()
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, *bytes).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn every_limit_flag_is_named_when_exceeded() {
    let tmp = tempfile::tempdir().unwrap();
    let big = format!("{{\"pad\": \"{}\"}}", letters(2_000_000));
    let files: [(&str, &[u8]); 3] = [
        ("a.cdx.json", GOOD_SBOM.as_bytes()),
        ("big.json", big.as_bytes()),
        ("z.cdx.json", GOOD_SBOM.as_bytes()),
    ];
    let tar = tmp.path().join("b.tar");
    std::fs::write(&tar, tar_of(&files)).unwrap();
    let tgz = tmp.path().join("b.tgz");
    std::fs::write(&tgz, targz(&files)).unwrap();
    let cases = [
        (&tar, "--max-file-size", "1000", "big.json"),
        (&tar, "--max-total-size", "5000", "big.json"),
        (&tgz, "--max-ratio", "1", ""),
    ];
    for (path, flag, value, file) in cases {
        let doc = reconcile_json(path, &[flag, value]);
        let limits = limit_messages(&doc);
        assert_eq!(limits.len(), 1, "{flag}: {limits:?}");
        assert_eq!(limits[0].0, file, "{flag}");
        assert!(limits[0].1.contains(flag), "{flag}: {limits:?}");
        // What came before the limit is still there.
        let statuses = file_statuses(&doc);
        assert!(
            statuses.contains(&("a.cdx.json".to_string(), "parsed".to_string())),
            "{flag}: {statuses:?}"
        );
    }
    // Within the default limits the same archive loads whole.
    let doc = reconcile_json(&tgz, &[]);
    assert_eq!(limit_messages(&doc), []);
}

#[test]
fn help_lists_every_limit_flag_with_its_default() {
    let out = evx(&["reconcile", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, default) in [
        ("--max-file-size <BYTES>", "268435456"),
        ("--max-entries <N>", "1000000"),
        ("--max-total-size <BYTES>", "17179869184"),
        ("--max-ratio <N>", "200"),
    ] {
        let line = help
            .lines()
            .position(|l| l.contains(flag))
            .unwrap_or_else(|| panic!("{flag} in {help}"));
        let text: String = help.lines().skip(line).take(3).collect();
        assert!(text.contains(default), "{flag}: {text}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_directory_bundle_is_skipped_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("sboms")).unwrap();
    std::fs::write(tmp.path().join(GOOD_PATH), GOOD_SBOM).unwrap();
    let made = Command::new("mkfifo")
        .arg(tmp.path().join("pipe.json"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable, skipping");
        return;
    }
    let model = pipeline::reconcile_path(tmp.path(), &Options::default(), &NoProgress).unwrap();
    assert_eq!(codes_for(&model, "pipe.json"), [Code::BundleUnsafeEntry]);
    assert_eq!(status_of(&model, "pipe.json"), FileStatus::Skipped);
    assert_rest_loads(&model);
}

// ---- bombs: peak memory of the real binary --------------------------------------------------

/// Writes `good.cdx.json`, then a 250 MiB entry of zeros (under the per-file limit, so evx
/// starts buffering it), then `after.cdx.json`, through `compress`, streaming to `path`.
fn write_bomb<W: Write>(path: &Path, compress: impl FnOnce(std::fs::File) -> W) -> W {
    let file = std::fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(compress(file));
    let mut add = |name: &str, size: u64, data: &mut dyn std::io::Read| {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        builder.append_data(&mut header, name, data).unwrap();
    };
    add(
        "good.cdx.json",
        GOOD_SBOM.len() as u64,
        &mut GOOD_SBOM.as_bytes(),
    );
    let size = 250 * 1024 * 1024;
    add(
        "zeros.bin",
        size,
        &mut std::io::Read::take(std::io::repeat(0), size),
    );
    add(
        "after.cdx.json",
        GOOD_SBOM.len() as u64,
        &mut GOOD_SBOM.as_bytes(),
    );
    builder.into_inner().unwrap()
}

/// Peak RSS in KiB of `evx reconcile PATH --json`, measured by GNU time, with its JSON output.
fn peak_rss_kib(path: &Path) -> Option<(u64, Value)> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        eprintln!("/usr/bin/time unavailable, skipping the RSS measurement");
        return None;
    }
    let out = Command::new(time)
        .args(["-f", "%M", env!("CARGO_BIN_EXE_evx"), "reconcile"])
        .arg(path)
        .arg("--json")
        .output()
        .expect("time runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kib = stderr.lines().last()?.trim().parse().ok()?;
    Some((kib, serde_json::from_slice(&out.stdout).unwrap()))
}

#[test]
fn gzip_and_zstd_bombs_stay_under_200_mb() {
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("bomb.tgz");
    write_bomb(&gz, |f| {
        flate2::write::GzEncoder::new(f, flate2::Compression::best())
    })
    .finish()
    .unwrap();
    let zst = tmp.path().join("bomb.tzst");
    write_bomb(&zst, |f| zstd::stream::write::Encoder::new(f, 19).unwrap())
        .finish()
        .unwrap();
    for bomb in [gz, zst] {
        let Some((kib, doc)) = peak_rss_kib(&bomb) else {
            return;
        };
        eprintln!("{}: peak RSS {kib} KiB", bomb.display());
        assert!(kib < 200 * 1024, "{}: {kib} KiB", bomb.display());
        let limits = limit_messages(&doc);
        assert_eq!(limits.len(), 1, "{limits:?}");
        assert!(limits[0].1.contains("--max-ratio (200:1)"), "{limits:?}");
        assert!(file_statuses(&doc).contains(&("good.cdx.json".into(), "parsed".into())));
    }
}
