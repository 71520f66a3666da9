//! Running the `evx` binary as a user would, and the bundle copies the CLI tests tamper with.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs evx from the crate root (so `assets/…` paths mean the same on every machine), without
/// the caller's `SOURCE_DATE_EPOCH` or `NO_COLOR`.
pub fn evx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evx"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("NO_COLOR")
        .output()
        .expect("evx runs")
}

/// A path under `assets/`.
pub fn asset(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(path)
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Checks the exit code and that nothing panicked, showing both streams when not.
pub fn assert_clean_exit(out: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of an asset directory.
pub fn copy_of(asset_dir: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&asset(asset_dir), tmp.path());
    tmp
}
