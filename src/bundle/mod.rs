//! Bundle loading (SPEC §1): a directory or a tar / tar.gz / tar.zst archive, detected by magic
//! bytes, read entirely in memory under limits, with unsafe entries skipped and reported.
//!
//! Submodules: `detect` (magic bytes), `dir` (directory walk), `archive` (tar streaming),
//! `limits` (limit bookkeeping and counting readers), `path` (entry-name safety).

mod archive;
mod buffers;
mod detect;
mod dir;
mod limits;
pub use buffers::BufferPool;
mod path;

use crate::diag::{Code, Diagnostic};
use crate::progress::{NoProgress, Progress, ProgressSink, Stage};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;

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
    /// The file's content; empty once [released](BundleFile::release).
    pub bytes: Vec<u8>,
    /// Size and SHA-256 of the content when its bytes were released to save memory.
    pub released: Option<Released>,
}

/// What is kept of a file whose bytes were released: enough to check its digest and size,
/// and to recognise the same content when it is read again from the bundle's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    pub size: u64,
    pub sha256: [u8; 32],
}

impl BundleFile {
    /// A file read from the bundle.
    pub fn new(path: String, bytes: Vec<u8>) -> Self {
        BundleFile {
            path,
            bytes,
            released: None,
        }
    }

    /// Gives up the bytes (returned, for reuse), keeping their size and `sha256` (which the
    /// caller computed from them). [`Bundle::get`] reads them again from the source when asked.
    pub fn release(&mut self, sha256: [u8; 32]) -> Vec<u8> {
        if self.released.is_some() {
            return Vec::new();
        }
        let size = self.bytes.len() as u64;
        self.released = Some(Released { size, sha256 });
        std::mem::take(&mut self.bytes)
    }

    /// SHA-256 and size of the content, computed from the bytes unless they were released.
    pub fn sha256_and_size(&self) -> ([u8; 32], u64) {
        match self.released {
            Some(r) => (r.sha256, r.size),
            None => (Sha256::digest(&self.bytes).into(), self.bytes.len() as u64),
        }
    }
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
    /// The limits it was read under (a second reading of released files uses them again).
    pub limits: Limits,
    /// The single top-level directory stripped from an archive's paths, if one was.
    pub stripped_top: Option<String>,
}

impl Bundle {
    /// The file at the bundle-relative `path`, if the bundle holds it.
    pub fn file(&self, path: &str) -> Option<&BundleFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// The bytes of the file at the bundle-relative `path`, if the bundle holds it. A path that
    /// is not in the loaded bundle simply is not there. Bytes that were
    /// [released](BundleFile::release) are read again from the source (see [`Bundle::get_many`]).
    pub fn get(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        self.get_many([path]).into_values().next()
    }

    /// The bytes of several files, with one second pass over the source for all those whose
    /// bytes were released. A file read again counts only if it is still the same regular file
    /// content (same SHA-256) under the same safety rules and limits; one that changed since
    /// it was loaded is left out, as if absent.
    pub fn get_many<'a, 'p>(
        &'a self,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> HashMap<&'a str, Cow<'a, [u8]>> {
        let mut out = HashMap::new();
        let mut released = HashMap::new();
        for path in paths {
            let Some(file) = self.file(path) else {
                continue;
            };
            match file.released {
                None => {
                    out.insert(file.path.as_str(), Cow::Borrowed(file.bytes.as_slice()));
                }
                Some(r) => {
                    released.insert(file.path.as_str(), r);
                }
            }
        }
        if !released.is_empty() {
            for again in self.read_again(released.keys().copied()) {
                let Some((&path, r)) = released.get_key_value(again.path.as_str()) else {
                    continue;
                };
                let bytes = again.bytes;
                let same = bytes.len() as u64 == r.size && Sha256::digest(&bytes)[..] == r.sha256;
                if same {
                    out.insert(path, Cow::Owned(bytes));
                }
            }
        }
        out
    }

    /// SHA-256 and size of the file at `path` without reading it again when it was released.
    pub fn sha256_and_size(&self, path: &str) -> Option<([u8; 32], u64)> {
        self.file(path).map(BundleFile::sha256_and_size)
    }

    /// Reads the named files from the source again, under the same rules and limits as
    /// [`open`]: a directory's files one by one, an archive in one more pass over its stream.
    fn read_again<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Vec<BundleFile> {
        if self.form == BundleForm::Directory {
            let max = self.limits.max_file_size;
            return paths
                .filter_map(|p| {
                    let bytes = dir::read_again(&self.source, p, max)?;
                    Some(BundleFile::new(p.to_string(), bytes))
                })
                .collect();
        }
        let wanted: HashSet<String> = paths
            .map(|p| match &self.stripped_top {
                Some(top) => format!("{top}/{p}"),
                None => p.to_string(),
            })
            .collect();
        match open_wanted(&self.source, &self.limits, &NoProgress, Some(wanted)) {
            Ok(again) => strip_top(again.files, self.stripped_top.as_deref()),
            Err(_) => Vec::new(),
        }
    }
}

/// `files` with `top/` removed from their paths (the files outside `top` dropped).
fn strip_top(files: Vec<BundleFile>, top: Option<&str>) -> Vec<BundleFile> {
    let Some(top) = top else {
        return files;
    };
    files
        .into_iter()
        .filter_map(|mut f| {
            let rest = f.path.strip_prefix(top)?.strip_prefix('/')?.to_string();
            f.path = rest;
            Some(f)
        })
        .collect()
}

impl Bundle {
    /// A directory-form bundle held in memory (tests, fuzzing): the files sorted by path, the
    /// first of several with one path kept. Nothing can be read again from `source`.
    pub fn in_memory(source: PathBuf, mut files: Vec<BundleFile>) -> Bundle {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|later, first| later.path == first.path);
        Bundle {
            source,
            form: BundleForm::Directory,
            files,
            diagnostics: Vec::new(),
            limits: Limits::default(),
            stripped_top: None,
        }
    }
}

#[cfg(test)]
impl Bundle {
    /// A directory bundle held in memory, for unit tests: `(path, bytes)` pairs, sorted.
    pub(crate) fn from_files<B: AsRef<[u8]>>(files: &[(&str, B)]) -> Bundle {
        let files: Vec<BundleFile> = files
            .iter()
            .map(|(path, bytes)| BundleFile::new(path.to_string(), bytes.as_ref().to_vec()))
            .collect();
        Bundle::in_memory(PathBuf::from("test-bundle"), files)
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
    open_wanted(path, limits, progress, None)
}

/// A bundle opened by [`open_streaming`]: everything but the files, which went to the sender.
#[derive(Debug)]
pub struct Streamed {
    pub source: PathBuf,
    pub form: BundleForm,
    pub diagnostics: Vec<Diagnostic>,
    pub limits: Limits,
    pub stripped_top: Option<String>,
}

impl Streamed {
    /// The bundle these files (sorted by path here) came from.
    pub fn into_bundle(self, mut files: Vec<BundleFile>) -> Bundle {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Bundle {
            source: self.source,
            form: self.form,
            files,
            diagnostics: self.diagnostics,
            limits: self.limits,
            stripped_top: self.stripped_top,
        }
    }
}

/// [`open`], handing each file to `sender` as soon as it is read, with its final path, instead
/// of keeping it: whoever receives can process files while the rest are read, and the bundle
/// is never in memory all at once. The files are sent in reading order, not sorted.
///
/// With [`TopDirectory::Strip`], an archive's paths lose their single top directory (see
/// [`open`]) as they are read, on the guess its first file suggests. `Ok(None)` means a later
/// file proved the guess wrong: the reading stops there, the paths already sent are wrong, and
/// the caller must discard what it received and read again with [`TopDirectory::Keep`] (the
/// files do not share one top directory, so [`open`] would keep their paths too).
///
/// # Errors
/// As [`open`].
pub fn open_streaming(
    path: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
    sender: SyncSender<BundleFile>,
    top: TopDirectory,
    buffers: &BufferPool,
) -> Result<Option<Streamed>, OpenError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let mut collector = Collector::default();
    let (form, collector) = if meta.is_dir() {
        std::fs::read_dir(path).map_err(|e| io_error(path, e))?;
        collector.stream = Some(Stream::new(sender, TopGuess::NoStrip, buffers));
        (
            BundleForm::Directory,
            dir::read(path, limits, progress, collector),
        )
    } else if meta.is_file() {
        let guess = match top {
            TopDirectory::Strip => TopGuess::Undecided,
            TopDirectory::Keep => TopGuess::NoStrip,
        };
        collector.stream = Some(Stream::new(sender, guess, buffers));
        open_archive(path, limits, progress, collector)?
    } else {
        return Err(not_a_bundle(path));
    };
    let Some(stream) = collector.stream else {
        return Ok(None);
    };
    let stripped_top = match stream.top {
        TopGuess::Wrong => return Ok(None),
        TopGuess::Top(top) => Some(top),
        TopGuess::Undecided | TopGuess::NoStrip => None,
    };
    Ok(Some(Streamed {
        source: path.to_path_buf(),
        form,
        diagnostics: collector.diagnostics,
        limits: *limits,
        stripped_top,
    }))
}

/// Whether a streamed archive's paths lose a top directory they all share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopDirectory {
    /// Guess it from the first file, as [`open`] would strip it (see [`open_streaming`]).
    Strip,
    /// Keep every path as written: the guess was proved wrong by an earlier reading.
    Keep,
}

/// The top directory a streamed archive's paths lose, as guessed from its first file.
#[derive(Debug)]
enum TopGuess {
    /// No file read yet.
    Undecided,
    /// Every file so far lies under this directory.
    Top(String),
    /// Paths are kept as they are (a directory bundle, or a first file at the top level).
    NoStrip,
    /// A file outside the guessed directory came after others were sent with it stripped.
    Wrong,
}

/// Where a streaming open sends files.
#[derive(Debug)]
struct Stream {
    sender: SyncSender<BundleFile>,
    top: TopGuess,
    /// Where the receiver gives back the bytes it released.
    buffers: BufferPool,
}

impl Stream {
    fn new(sender: SyncSender<BundleFile>, top: TopGuess, buffers: &BufferPool) -> Self {
        Stream {
            sender,
            top,
            buffers: buffers.clone(),
        }
    }

    /// Sends a file under its final path (see [`TopGuess`]); nothing more once the guess is
    /// wrong (then `Break`: the rest need not be read) or the receiver is gone.
    fn send(&mut self, path: String, bytes: Vec<u8>) -> ControlFlow<()> {
        if matches!(self.top, TopGuess::Undecided) {
            self.top = match path.split_once('/') {
                Some((top, _)) => TopGuess::Top(top.to_string()),
                None => TopGuess::NoStrip,
            };
        }
        let path = match &self.top {
            TopGuess::Top(top) => match path
                .strip_prefix(top.as_str())
                .and_then(|p| p.strip_prefix('/'))
            {
                Some(rest) => rest.to_string(),
                None => {
                    self.top = TopGuess::Wrong;
                    return ControlFlow::Break(());
                }
            },
            TopGuess::Wrong => return ControlFlow::Break(()),
            TopGuess::NoStrip | TopGuess::Undecided => path,
        };
        // A receiver that is gone has stopped caring; the reading simply runs to its end.
        let _ = self.sender.send(BundleFile::new(path, bytes));
        ControlFlow::Continue(())
    }
}

/// [`open`], keeping only the files whose paths (as written, before any top directory is
/// stripped) are `wanted`, when given; the others are not read at all.
fn open_wanted(
    path: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
    wanted: Option<HashSet<String>>,
) -> Result<Bundle, OpenError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let collector = Collector {
        wanted,
        ..Collector::default()
    };
    // A second reading keeps only some files, so it cannot tell which top directory to strip.
    let second_reading = collector.wanted.is_some();
    let (form, collector) = if meta.is_dir() {
        std::fs::read_dir(path).map_err(|e| io_error(path, e))?;
        let collector = dir::read(path, limits, progress, collector);
        (BundleForm::Directory, collector)
    } else if meta.is_file() {
        open_archive(path, limits, progress, collector)?
    } else {
        // Fifos and devices are never opened: reading them could block or never end.
        return Err(not_a_bundle(path));
    };
    let strip = form != BundleForm::Directory && !second_reading;
    let (files, diagnostics, stripped_top) = collector.finish(strip);
    Ok(Bundle {
        source: path.to_path_buf(),
        form,
        files,
        diagnostics,
        limits: *limits,
        stripped_top,
    })
}

fn open_archive(
    path: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
    collector: Collector,
) -> Result<(BundleForm, Collector), OpenError> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let form = detect::detect_file(&mut file)
        .map_err(|e| io_error(path, e))?
        .ok_or_else(|| not_a_bundle(path))?;
    let collector =
        archive::read(file, form, limits, progress, collector).map_err(|e| match e {
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
    /// When set, only these paths (as written) are read; the rest are passed over.
    wanted: Option<HashSet<String>>,
    /// When set, files go there as they are read instead of into `files`.
    stream: Option<Stream>,
}

impl Collector {
    /// A buffer to read a file of `expected` bytes into: one given back, when streaming.
    fn spare_buffer(&self, expected: u64) -> Vec<u8> {
        let expected = usize::try_from(expected).unwrap_or(usize::MAX);
        self.stream
            .as_ref()
            .map(|s| s.buffers.take(expected))
            .unwrap_or_default()
    }

    /// Whether the file at `path` (as written) is to be read.
    fn wants(&self, path: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(path))
    }

    /// Claims a normalised path for an entry about to be read; `false` if an earlier entry
    /// already had it (the earlier one wins, even if it was skipped for its size).
    fn claim(&mut self, path: &str) -> bool {
        self.seen.insert(path.to_string())
    }

    /// Keeps (or streams) a file read; `Break` when the reading can stop: a streamed archive's
    /// guessed top directory was wrong.
    fn keep(&mut self, path: String, bytes: Vec<u8>) -> ControlFlow<()> {
        match &mut self.stream {
            Some(stream) => stream.send(path, bytes),
            None => {
                self.files.push(BundleFile::new(path, bytes));
                ControlFlow::Continue(())
            }
        }
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

    /// The files sorted by path, the diagnostics, and the top directory stripped, if any.
    fn finish(mut self, strip_top_dir: bool) -> (Vec<BundleFile>, Vec<Diagnostic>, Option<String>) {
        let stripped = if strip_top_dir {
            path::strip_single_top_dir(&mut self.files)
        } else {
            None
        };
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        (self.files, self.diagnostics, stripped)
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
        let _ = c.keep("b".into(), vec![1]);
        assert!(c.claim("a"));
        let _ = c.keep("a".into(), vec![]);
        assert!(!c.claim("b"));
        let (files, diags, _) = c.finish(false);
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
        assert!(diags.is_empty());
    }

    #[test]
    fn get_finds_files_by_exact_path_only() {
        let bundle = Bundle::from_files(&[("b/x.json", [1u8]), ("a", [2u8])]);
        assert_eq!(bundle.get("b/x.json").as_deref(), Some(&[1u8][..]));
        assert_eq!(bundle.get("a").as_deref(), Some(&[2u8][..]));
        assert_eq!(bundle.get("./a"), None);
        assert_eq!(bundle.get("../a"), None);
    }
}
