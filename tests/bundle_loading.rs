//! SPEC §1 bundle loading: forms, unsafe entries, limits and damage. Every archive is built here.

use evx::bundle::{self, Bundle, BundleForm, Limits, OpenError};
use evx::diag::Code;
use evx::progress::{NoProgress, Progress, ProgressSink, Stage};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tar::{EntryType, Header};
use tempfile::TempDir;

const MIB: u64 = 1024 * 1024;

fn open(path: &Path) -> Bundle {
    open_with(path, Limits::default())
}

fn open_with(path: &Path, limits: Limits) -> Bundle {
    bundle::open(path, &limits, &NoProgress).expect("bundle opens")
}

fn paths(bundle: &Bundle) -> Vec<&str> {
    bundle.files.iter().map(|f| f.path.as_str()).collect()
}

/// The diagnostics as (code, file) pairs, in order.
fn diags(bundle: &Bundle) -> Vec<(Code, &str)> {
    bundle
        .diagnostics
        .iter()
        .map(|d| (d.code, d.file.as_str()))
        .collect()
}

fn message(bundle: &Bundle, code: Code) -> &str {
    let found = bundle.diagnostics.iter().find(|d| d.code == code);
    &found.expect("diagnostic present").message
}

fn tar_builder() -> tar::Builder<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    builder
}

fn add_file(builder: &mut tar::Builder<impl Write>, path: &str, data: &[u8]) {
    let mut header = Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    builder.append_data(&mut header, path, data).unwrap();
}

/// Appends an entry with its name written raw into the header, bypassing the tar crate's own
/// checks (it refuses `..` and absolute paths).
fn add_raw(
    builder: &mut tar::Builder<impl Write>,
    name: &[u8],
    kind: EntryType,
    data: &[u8],
    link: Option<&str>,
) {
    let mut header = Header::new_gnu();
    let field = &mut header.as_old_mut().name;
    field.fill(0);
    field[..name.len()].copy_from_slice(name);
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    if let Some(link) = link {
        header.set_link_name_literal(link).unwrap();
    }
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn finish(builder: tar::Builder<Vec<u8>>) -> Vec<u8> {
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 1).unwrap()
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A small archive of three files: `a.json`, `b.json`, `c.json`.
fn abc_tar() -> Vec<u8> {
    let mut builder = tar_builder();
    for name in ["a.json", "b.json", "c.json"] {
        add_file(&mut builder, name, b"{}");
    }
    finish(builder)
}

/// Writes the sample bundle tree into `root`.
fn sample_tree(root: &Path) {
    let files: [(&str, &[u8]); 4] = [
        ("manifest.json", br#"{"spec_version":"1"}"#),
        ("sboms/app.cdx.json", br#"{"bomFormat":"CycloneDX"}"#),
        ("sboms/nested/deep.json", b"[1,2,3]"),
        ("empty.txt", b""),
    ];
    for (path, bytes) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn dir_tar_targz_tarzst_give_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("demo");
    sample_tree(&root);
    let mut builder = tar_builder();
    builder.append_dir_all("demo", &root).unwrap();
    let tar = finish(builder);

    let from_dir = open(&root);
    assert_eq!(from_dir.form, BundleForm::Directory);
    assert!(
        from_dir.diagnostics.is_empty(),
        "{:?}",
        from_dir.diagnostics
    );
    assert_eq!(
        paths(&from_dir),
        [
            "empty.txt",
            "manifest.json",
            "sboms/app.cdx.json",
            "sboms/nested/deep.json"
        ]
    );
    assert_eq!(from_dir.files[0].bytes, b"");

    for (name, bytes, form) in [
        ("b.tar", tar.clone(), BundleForm::Tar),
        ("b.tar.gz", gzip(&tar), BundleForm::TarGz),
        ("b.tar.zst", zstd(&tar), BundleForm::TarZst),
    ] {
        let loaded = open(&write(&tmp, name, &bytes));
        assert_eq!(loaded.form, form);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            loaded.diagnostics
        );
        assert_eq!(loaded.files, from_dir.files, "{name}");
    }
}

#[test]
fn form_is_detected_by_magic_not_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = abc_tar();
    for (name, bytes, form) in [
        ("bundle.tar.gz", zstd(&tar), BundleForm::TarZst),
        ("evidence.json", gzip(&tar), BundleForm::TarGz),
        ("archive.zst", tar.clone(), BundleForm::Tar),
    ] {
        let loaded = open(&write(&tmp, name, &bytes));
        assert_eq!(loaded.form, form, "{name}");
        assert_eq!(paths(&loaded), ["a.json", "b.json", "c.json"], "{name}");
    }
}

#[test]
fn non_bundles_and_missing_paths_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let json = write(&tmp, "x.tar.gz", br#"{"bomFormat":"CycloneDX"}"#);
    let gz_json = write(&tmp, "y.tgz", &gzip(&[b' '; 2000]));
    let empty = write(&tmp, "z.tar", b"");
    for path in [json, gz_json, empty] {
        let result = bundle::open(&path, &Limits::default(), &NoProgress);
        assert!(
            matches!(result, Err(OpenError::NotABundle { .. })),
            "{path:?}: {result:?}"
        );
    }
    let missing = bundle::open(&tmp.path().join("nope"), &Limits::default(), &NoProgress);
    assert!(matches!(missing, Err(OpenError::Io { .. })), "{missing:?}");
}

#[test]
fn unsafe_entry_names_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile: [&[u8]; 7] = [
        b"../evil",
        b"/abs",
        b"C:\\win",
        b"a\\..\\b",
        b"C:/x",
        b"sboms/../../up",
        b"bad\x1b[31m/../x",
    ];
    let mut builder = tar_builder();
    add_file(&mut builder, "good.json", b"{}");
    for name in hostile {
        add_raw(&mut builder, name, EntryType::Regular, b"pwned", None);
    }
    add_file(&mut builder, "later.json", b"[]");
    let loaded = open(&write(&tmp, "b.tar", &finish(builder)));

    assert_eq!(paths(&loaded), ["good.json", "later.json"]);
    let expected = [
        "../evil",
        "/abs",
        "C:\\win",
        "a\\..\\b",
        "C:/x",
        "sboms/../../up",
        "bad\\x1b[31m/../x",
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|f| (Code::BundleUnsafeEntry, *f))
        .collect();
    assert_eq!(diags(&loaded), expected);
    assert!(loaded.diagnostics.iter().all(|d| d.pointer.is_empty()));
}

#[test]
fn symlink_and_hardlink_entries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"{}");
    add_raw(
        &mut builder,
        b"passwd",
        EntryType::Symlink,
        b"",
        Some("/etc/passwd"),
    );
    add_raw(&mut builder, b"hard", EntryType::Link, b"", Some("a.json"));
    add_file(&mut builder, "z.json", b"{}");
    let loaded = open(&write(&tmp, "b.tar.gz", &gzip(&finish(builder))));

    assert_eq!(paths(&loaded), ["a.json", "z.json"]);
    assert_eq!(
        diags(&loaded),
        [
            (Code::BundleUnsafeEntry, "passwd"),
            (Code::BundleUnsafeEntry, "hard")
        ]
    );
    assert!(loaded.diagnostics[0].message.contains("/etc/passwd"));
}

#[test]
fn device_and_fifo_entries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_raw(&mut builder, b"dev/null", EntryType::Char, b"", None);
    add_raw(&mut builder, b"dev/sda", EntryType::Block, b"", None);
    add_raw(&mut builder, b"pipe", EntryType::Fifo, b"", None);
    add_file(&mut builder, "a.json", b"{}");
    let loaded = open(&write(&tmp, "b.tar", &finish(builder)));

    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(
        diags(&loaded),
        [
            (Code::BundleUnsafeEntry, "dev/null"),
            (Code::BundleUnsafeEntry, "dev/sda"),
            (Code::BundleUnsafeEntry, "pipe")
        ]
    );
}

#[test]
fn sparse_entry_is_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    // 512 bytes of data after a 100 MB hole.
    let mut header = Header::new_gnu();
    header.set_path("holes.bin").unwrap();
    header.set_entry_type(EntryType::GNUSparse);
    header.set_size(512);
    let gnu = header.as_gnu_mut().unwrap();
    gnu.set_real_size(100_000_512);
    gnu.sparse[0].set_offset(100_000_000);
    gnu.sparse[0].set_length(512);
    header.set_cksum();
    builder.append(&header, &[1u8; 512][..]).unwrap();
    add_file(&mut builder, "a.json", b"{}");
    let loaded = open(&write(&tmp, "b.tar", &finish(builder)));

    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleUnsafeEntry, "holes.bin")]);
}

#[test]
fn duplicate_entry_keeps_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"first");
    add_raw(
        &mut builder,
        b"./a.json",
        EntryType::Regular,
        b"second",
        None,
    );
    add_file(&mut builder, "b.json", b"{}");
    let loaded = open(&write(&tmp, "b.tar", &finish(builder)));

    assert_eq!(paths(&loaded), ["a.json", "b.json"]);
    assert_eq!(loaded.files[0].bytes, b"first");
    assert_eq!(diags(&loaded), [(Code::BundleUnsafeEntry, "./a.json")]);
    assert!(message(&loaded, Code::BundleUnsafeEntry).contains("duplicate entry"));
}

#[cfg(unix)]
#[test]
fn directory_symlink_to_outside_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("bundle");
    std::fs::create_dir_all(root.join("sboms")).unwrap();
    std::fs::write(root.join("sboms/a.json"), b"{}").unwrap();
    std::fs::write(tmp.path().join("secret.txt"), b"secret").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path(), root.join("sboms/up")).unwrap();
    std::os::unix::fs::symlink("a.json", root.join("sboms/inside.json")).unwrap();
    let loaded = open(&root);

    assert_eq!(paths(&loaded), ["sboms/a.json"]);
    assert_eq!(
        diags(&loaded),
        [
            (Code::BundleUnsafeEntry, "leak.txt"),
            (Code::BundleUnsafeEntry, "sboms/inside.json"),
            (Code::BundleUnsafeEntry, "sboms/up")
        ]
    );
    assert!(loaded.files.iter().all(|f| f.bytes != b"secret"));
}

#[cfg(unix)]
#[test]
fn directory_skips_non_regular_files() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.json"), b"{}").unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(tmp.path().join("sock")).unwrap();
    let loaded = open(tmp.path());

    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleUnsafeEntry, "sock")]);
}

/// `a.json`, then 50 MB of zeros, compressed by `compress`.
fn bomb(compress: impl FnOnce(tar::Builder<Vec<u8>>) -> Vec<u8>) -> Vec<u8> {
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"{}");
    let mut header = Header::new_gnu();
    header.set_size(50 * 1000 * 1000);
    header.set_mode(0o644);
    let zeros = io::repeat(0).take(50 * 1000 * 1000);
    builder
        .append_data(&mut header, "zeros.bin", zeros)
        .unwrap();
    compress(builder)
}

fn assert_ratio_stop(loaded: &Bundle) {
    assert_eq!(paths(loaded), ["a.json"]);
    assert_eq!(diags(loaded), [(Code::BundleLimit, "")]);
    assert!(message(loaded, Code::BundleLimit).contains("--max-ratio (200:1)"));
}

#[test]
fn gzip_bomb_stops_at_max_ratio() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = bomb(|builder| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&finish(builder)).unwrap();
        encoder.finish().unwrap()
    });
    assert_ratio_stop(&open(&write(&tmp, "bomb.tgz", &bytes)));
}

#[test]
fn zstd_bomb_stops_at_max_ratio() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = bomb(|builder| zstd(&finish(builder)));
    assert_ratio_stop(&open(&write(&tmp, "bomb.tzst", &bytes)));
}

#[test]
fn compressible_archive_within_ratio_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    let text: Vec<u8> = (0..3 * MIB).map(|i| b'a' + (i * 7 % 26) as u8).collect();
    add_file(&mut builder, "big.txt", &text);
    let limits = Limits {
        max_ratio: 10_000,
        ..Limits::default()
    };
    let loaded = open_with(&write(&tmp, "ok.tgz", &gzip(&finish(builder))), limits);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.files[0].bytes, text);
}

#[test]
fn file_over_max_file_size_is_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_file_size: 1000,
        ..Limits::default()
    };
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"{}");
    add_file(&mut builder, "big.bin", &[7u8; 1001]);
    add_file(&mut builder, "c.json", &[b' '; 1000]);
    let tar = finish(builder);
    let root = tmp.path().join("dir");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("a.json"), b"{}").unwrap();
    std::fs::write(root.join("big.bin"), [7u8; 1001]).unwrap();
    std::fs::write(root.join("c.json"), [b' '; 1000]).unwrap();

    for path in [write(&tmp, "b.tar.zst", &zstd(&tar)), root] {
        let loaded = open_with(&path, limits);
        assert_eq!(paths(&loaded), ["a.json", "c.json"], "{path:?}");
        assert_eq!(diags(&loaded), [(Code::BundleLimit, "big.bin")]);
        assert_eq!(
            message(&loaded, Code::BundleLimit),
            "file exceeds --max-file-size (1000 bytes); skipped"
        );
    }
}

#[test]
fn huge_claimed_size_is_not_allocated() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"{}");
    let mut bytes = finish(builder);
    bytes.truncate(bytes.len() - 1024);
    let mut header = Header::new_gnu();
    header.set_path("liar.bin").unwrap();
    header.set_size(1 << 40);
    header.set_cksum();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[1u8; 4096]);
    let path = write(&tmp, "liar.tar", &bytes);

    let loaded = open(&path);
    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(
        diags(&loaded),
        [(Code::BundleLimit, "liar.bin"), (Code::BundleCorrupt, "")]
    );

    let unlimited = Limits {
        max_file_size: u64::MAX,
        max_total_size: u64::MAX,
        ..Limits::default()
    };
    let loaded = open_with(&path, unlimited);
    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleCorrupt, "liar.bin")]);
}

#[test]
fn entries_over_max_entries_stop_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    let mut builder = tar_builder();
    for i in 0..5 {
        add_file(&mut builder, &format!("f{i}.json"), b"{}");
    }
    let loaded = open_with(&write(&tmp, "b.tgz", &gzip(&finish(builder))), limits);

    assert_eq!(paths(&loaded), ["f0.json", "f1.json", "f2.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleLimit, "")]);
    assert!(message(&loaded, Code::BundleLimit).contains("--max-entries (3 entries)"));
}

#[test]
fn directory_entries_over_max_entries_stop_reading() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..5 {
        std::fs::write(tmp.path().join(format!("f{i}.json")), b"{}").unwrap();
    }
    let limits = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    let loaded = open_with(tmp.path(), limits);
    assert_eq!(paths(&loaded), ["f0.json", "f1.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleLimit, "")]);
}

#[test]
fn total_over_max_total_size_stops_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_total_size: 250,
        ..Limits::default()
    };
    let mut builder = tar_builder();
    for name in ["a.bin", "b.bin", "c.bin", "d.bin"] {
        add_file(&mut builder, name, &[1u8; 100]);
    }
    let loaded = open_with(&write(&tmp, "b.tar", &finish(builder)), limits);

    assert_eq!(paths(&loaded), ["a.bin", "b.bin"]);
    assert_eq!(diags(&loaded), [(Code::BundleLimit, "c.bin")]);
    assert!(message(&loaded, Code::BundleLimit).contains("--max-total-size (250 bytes)"));
}

/// Deterministic bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn truncated_targz_keeps_earlier_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_file(&mut builder, "a.json", b"{}");
    add_file(&mut builder, "b.bin", &noise(200_000));
    add_file(&mut builder, "c.json", b"{}");
    let gz = gzip(&finish(builder));
    let loaded = open(&write(&tmp, "cut.tgz", &gz[..gz.len() / 2]));

    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleCorrupt, "b.bin")]);
}

#[test]
fn damaged_header_mid_archive_is_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = abc_tar();
    // Second header: after a.json's header and its one padded data block.
    bytes[1024 + 10] ^= 0xff;
    let loaded = open(&write(&tmp, "b.tar", &bytes));

    assert_eq!(paths(&loaded), ["a.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleCorrupt, "")]);
}

#[test]
fn archive_cut_at_an_entry_boundary_is_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = abc_tar();
    bytes.truncate(bytes.len() - 1024);
    let loaded = open(&write(&tmp, "b.tar", &bytes));

    assert_eq!(paths(&loaded), ["a.json", "b.json", "c.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleCorrupt, "")]);
}

#[test]
fn gzip_checksum_mismatch_is_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut gz = gzip(&abc_tar());
    let crc = gz.len() - 8;
    gz[crc] ^= 0xff;
    let loaded = open(&write(&tmp, "b.tgz", &gz));

    assert_eq!(paths(&loaded), ["a.json", "b.json", "c.json"]);
    assert_eq!(diags(&loaded), [(Code::BundleCorrupt, "")]);
}

#[test]
fn zero_length_file_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_file(&mut builder, "empty.json", b"");
    add_file(&mut builder, "a.json", b"{}");
    let loaded = open(&write(&tmp, "b.tzst", &zstd(&finish(builder))));

    assert_eq!(paths(&loaded), ["a.json", "empty.json"]);
    assert!(loaded.files[1].bytes.is_empty());
    assert!(loaded.diagnostics.is_empty());
}

#[test]
fn single_top_level_directory_is_stripped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar_builder();
    add_raw(&mut builder, b"./demo/", EntryType::Directory, b"", None);
    add_raw(
        &mut builder,
        b"./demo/manifest.json",
        EntryType::Regular,
        b"{}",
        None,
    );
    add_raw(
        &mut builder,
        b"./demo/sboms/a.json",
        EntryType::Regular,
        b"{}",
        None,
    );
    let loaded = open(&write(&tmp, "demo.tgz", &gzip(&finish(builder))));
    assert_eq!(paths(&loaded), ["manifest.json", "sboms/a.json"]);
    assert!(loaded.diagnostics.is_empty());

    let mut builder = tar_builder();
    add_file(&mut builder, "demo/manifest.json", b"{}");
    add_file(&mut builder, "other/a.json", b"{}");
    let loaded = open(&write(&tmp, "two.tar", &finish(builder)));
    assert_eq!(paths(&loaded), ["demo/manifest.json", "other/a.json"]);
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Progress>>);

impl ProgressSink for Recorder {
    fn report(&self, progress: Progress) {
        self.0.lock().unwrap().push(progress);
    }
}

#[test]
fn reading_progress_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(&tmp, "b.tar", &abc_tar());
    let recorder = Recorder::default();
    bundle::open(&path, &Limits::default(), &recorder).unwrap();

    let reports = recorder.0.into_inner().unwrap();
    let last = reports.last().expect("a progress report");
    assert_eq!(last.stage, Stage::Reading);
    assert_eq!(last.done, 3);
    assert_eq!(last.bytes, std::fs::metadata(&path).unwrap().len());
}
