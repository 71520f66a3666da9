//! Bundle loading (SPEC §1): a directory or a tar / tar.gz / tar.zst archive, detected by magic
//! bytes, read entirely in memory under limits, with unsafe entries skipped and reported.
//!
//! Submodules: `detect` (magic bytes), `dir` (directory walk), `archive` (tar streaming),
//! `limits` (limit bookkeeping and counting readers), `path` (entry-name safety).

mod archive;
mod detect;
mod dir;
mod limits;
mod path;

use crate::diag::{Code, Diagnostic};
use crate::progress::{Progress, ProgressSink, Stage};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::ops::ControlFlow;
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
    /// A directory on disk.
    Directory,
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive.
    TarGz,
    /// A zstd-compressed tar archive.
    TarZst,
}

impl BundleForm {
    /// The form's display name, e.g. `tar.gz`.
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
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// A loaded bundle: its files sorted by path, and the problems met while reading it.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The path the bundle was opened from.
    pub source: PathBuf,
    /// Directory or archive kind, as detected.
    pub form: BundleForm,
    /// Every regular file read, sorted by path, paths unique.
    pub files: Vec<BundleFile>,
    /// Skipped entries, limits hit and damage found, in reading order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Bundle {
    /// The bytes of the file at the bundle-relative `path`, if the bundle holds it. Lookups never
    /// touch the filesystem: a path that is not in the loaded bundle simply is not there.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| self.files[i].bytes.as_slice())
    }
}

#[cfg(test)]
impl Bundle {
    /// A directory bundle held in memory, for unit tests: `(path, bytes)` pairs, sorted.
    pub(crate) fn from_files<B: AsRef<[u8]>>(files: &[(&str, B)]) -> Bundle {
        let mut files: Vec<BundleFile> = files
            .iter()
            .map(|(path, bytes)| BundleFile {
                path: path.to_string(),
                bytes: bytes.as_ref().to_vec(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Bundle {
            source: PathBuf::from("test-bundle"),
            form: BundleForm::Directory,
            files,
            diagnostics: Vec::new(),
        }
    }
}

/// The bundle could not be opened at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The path does not exist or cannot be read.
    #[error("{path}: cannot read bundle: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The path is neither a directory nor a tar archive (plain or compressed).
    #[error("{path}: not a directory or a tar, tar.gz or tar.zst archive")]
    NotABundle { path: PathBuf },
}

/// Opens a bundle.
///
/// The form is detected from the path itself: a directory is a directory; a file is recognised
/// by its magic bytes (gzip, zstd, or a tar header), never by its name. Files are read into
/// memory; nothing is written to disk or executed.
///
/// Problems inside the bundle do not fail the call: unsafe entries are skipped
/// (`ERR_BUNDLE_UNSAFE_ENTRY`), limits stop or skip reading (`ERR_BUNDLE_LIMIT`), and damage
/// ends the archive stream (`ERR_BUNDLE_CORRUPT`); everything read completely before is kept.
///
/// An archive whose files all lie under one single top-level directory (as made by
/// `tar czf demo.tgz demo/`) has that directory stripped from every path, so that the archive
/// and the directory `demo/` give the same relative paths. A directory bundle is never
/// stripped.
///
/// Progress is reported as [`Stage::Reading`]: `done` counts entries (archives) or files read
/// (directories); `total` is the number of files to read for a directory and 0 (unknown) for an
/// archive; `bytes` counts input bytes read from disk.
///
/// # Errors
/// [`OpenError::Io`] when the path cannot be read, [`OpenError::NotABundle`] when it is neither a
/// directory nor a tar archive.
pub fn open(
    path: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
) -> Result<Bundle, OpenError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let (form, collector) = if meta.is_dir() {
        std::fs::read_dir(path).map_err(|e| io_error(path, e))?;
        (BundleForm::Directory, dir::read(path, limits, progress))
    } else if meta.is_file() {
        open_archive(path, limits, progress)?
    } else {
        // Fifos and devices are never opened: reading them could block or never end.
        return Err(not_a_bundle(path));
    };
    let (files, diagnostics) = collector.finish(form != BundleForm::Directory);
    Ok(Bundle {
        source: path.to_path_buf(),
        form,
        files,
        diagnostics,
    })
}

fn open_archive(
    path: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
) -> Result<(BundleForm, Collector), OpenError> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let form = detect::detect_file(&mut file)
        .map_err(|e| io_error(path, e))?
        .ok_or_else(|| not_a_bundle(path))?;
    let collector = archive::read(file, form, limits, progress).map_err(|e| match e {
        archive::Rejection::NotTar => not_a_bundle(path),
        archive::Rejection::Io(source) => io_error(path, source),
    })?;
    Ok((form, collector))
}

fn io_error(path: &Path, source: std::io::Error) -> OpenError {
    OpenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn not_a_bundle(path: &Path) -> OpenError {
    OpenError::NotABundle {
        path: path.to_path_buf(),
    }
}

/// Renders control characters (C0, DEL, C1, e.g. ESC as `\x1b`) and Unicode bidirectional
/// controls (as `\u{202e}`) as escapes, so that entry names taken from a bundle cannot drive
/// or mislead a terminal. Everything else, backslashes included, is kept as written.
pub fn escape_control(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else if is_bidi_control(c) {
            let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode bidirectional controls, which can make text read differently than it is stored.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How often (in entries) progress is reported while reading.
const PROGRESS_EVERY: u64 = 64;

fn report_progress(progress: &dyn ProgressSink, done: u64, total: u64, bytes: u64) {
    progress.report(Progress {
        stage: Stage::Reading,
        done,
        total,
        bytes,
    });
}

/// Files and diagnostics gathered while reading, whatever the form.
#[derive(Debug, Default)]
struct Collector {
    files: Vec<BundleFile>,
    seen: HashSet<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Collector {
    /// Claims a normalised path for an entry about to be read; `false` if an earlier entry
    /// already had it (the earlier one wins, even if it was skipped for its size).
    fn claim(&mut self, path: &str) -> bool {
        self.seen.insert(path.to_string())
    }

    fn keep(&mut self, path: String, bytes: Vec<u8>) {
        self.files.push(BundleFile { path, bytes });
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Reports an entry skipped as unsafe; `shown` is the escaped name as written.
    fn unsafe_entry(&mut self, shown: &str, why: impl std::fmt::Display) {
        self.report(Diagnostic::new(
            Code::BundleUnsafeEntry,
            shown,
            format!("entry skipped: {why}"),
        ));
    }

    /// Reports a limit's refusal: skip the file (`Continue`) or stop reading (`Break`).
    fn refuse(&mut self, refusal: limits::Refusal) -> ControlFlow<()> {
        match refusal {
            limits::Refusal::Skip(diagnostic) => {
                self.report(diagnostic);
                ControlFlow::Continue(())
            }
            limits::Refusal::Stop(diagnostic) => {
                self.report(diagnostic);
                ControlFlow::Break(())
            }
        }
    }

    fn finish(mut self, strip_top_dir: bool) -> (Vec<BundleFile>, Vec<Diagnostic>) {
        if strip_top_dir {
            path::strip_single_top_dir(&mut self.files);
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        (self.files, self.diagnostics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_control_escapes_c0_del_c1_and_bidi() {
        assert_eq!(escape_control("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(escape_control("\n\t\x7f\u{9b}"), "\\x0a\\x09\\x7f\\x9b");
        assert_eq!(escape_control("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_control("C:\\dir/é.json"), "C:\\dir/é.json");
    }

    #[test]
    fn collector_keeps_first_claim_and_sorts() {
        let mut c = Collector::default();
        assert!(c.claim("b"));
        c.keep("b".into(), vec![1]);
        assert!(c.claim("a"));
        c.keep("a".into(), vec![]);
        assert!(!c.claim("b"));
        let (files, diags) = c.finish(false);
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
        assert!(diags.is_empty());
    }

    #[test]
    fn get_finds_files_by_exact_path_only() {
        let bundle = Bundle::from_files(&[("b/x.json", [1u8]), ("a", [2u8])]);
        assert_eq!(bundle.get("b/x.json"), Some(&[1u8][..]));
        assert_eq!(bundle.get("a"), Some(&[2u8][..]));
        assert_eq!(bundle.get("./a"), None);
        assert_eq!(bundle.get("../a"), None);
    }
}
