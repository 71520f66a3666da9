//! Tar streaming over a plain, gzip or zstd file: entry by entry, in memory, under limits.

use super::detect::{looks_like_tar, BLOCK};
use super::limits::{self, Budget, CountInput, GuardOutput, Meter};
use super::path::normalise_entry_name;
use super::{escape_control, report_progress, BundleForm, Collector, Limits, PROGRESS_EVERY};
use crate::diag::{Code, Diagnostic};
use crate::progress::ProgressSink;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::ops::ControlFlow;
use std::rc::Rc;

/// Why a file with archive magic could not be read as a bundle at all.
#[derive(Debug)]
pub(super) enum Rejection {
    /// The (decompressed) stream does not start with a tar header.
    NotTar,
    /// The decompressor could not be set up.
    Io(io::Error),
}

/// Decompressed bytes read on after the end-of-archive marker to reach the compressed stream's
/// trailer (its checksum); writers pad with at most a few KiB.
const TRAILER_SCAN: u64 = 1024 * 1024;

/// The decompressed tar stream, guarded by the expansion ratio.
type Stream = GuardOutput<Box<dyn Read>>;

/// What an entry is, from its type.
enum Kind {
    File,
    Ignored,
    Unsafe(String),
}

/// Reads the archive in `file` (of the detected `form`) into a collector.
pub(super) fn read(
    file: File,
    form: BundleForm,
    limits: &Limits,
    progress: &dyn ProgressSink,
    collector: Collector,
) -> Result<Collector, Rejection> {
    let meter = Rc::new(Meter::default());
    let mut stream = decompress(file, form, &meter, limits).map_err(Rejection::Io)?;
    let mut reader = ArchiveReader {
        budget: Budget::new(limits),
        collector,
        meter: meter.clone(),
        max_ratio: limits.max_ratio,
    };
    let mut head = Vec::with_capacity(BLOCK);
    if let Err(error) = stream.by_ref().take(BLOCK as u64).read_to_end(&mut head) {
        reader.stream_failure(&error, "");
        return Ok(reader.collector);
    }
    if !looks_like_tar(&head) {
        return Err(Rejection::NotTar);
    }
    let mut archive = tar::Archive::new(Cursor::new(head).chain(stream));
    if reader.read_entries(&mut archive, progress) {
        reader.check_end(archive.into_inner(), form != BundleForm::Tar);
    }
    report_progress(progress, reader.budget.entries(), 0, meter.input());
    Ok(reader.collector)
}

fn decompress(
    file: File,
    form: BundleForm,
    meter: &Rc<Meter>,
    limits: &Limits,
) -> io::Result<Stream> {
    let input = CountInput::new(file, meter.clone());
    let (inner, max_ratio): (Box<dyn Read>, _) = match form {
        // Multi-member gzip (pigz, bgzip) is still one stream.
        BundleForm::TarGz => (
            Box::new(flate2::read::MultiGzDecoder::new(input)),
            Some(limits.max_ratio),
        ),
        BundleForm::TarZst => (
            Box::new(zstd::stream::read::Decoder::new(input)?),
            Some(limits.max_ratio),
        ),
        BundleForm::Tar | BundleForm::Directory => {
            (Box::new(BufReader::with_capacity(64 * 1024, input)), None)
        }
    };
    Ok(GuardOutput::new(inner, meter.clone(), max_ratio))
}

struct ArchiveReader {
    budget: Budget,
    collector: Collector,
    meter: Rc<Meter>,
    max_ratio: u64,
}

impl ArchiveReader {
    /// Reads entries until the end of the archive (`true`) or until a limit or damage stops
    /// the reading (`false`).
    fn read_entries<R: Read>(
        &mut self,
        archive: &mut tar::Archive<R>,
        progress: &dyn ProgressSink,
    ) -> bool {
        let mut entries = match archive.entries() {
            Ok(entries) => entries,
            Err(error) => {
                self.stream_failure(&error, "");
                return false;
            }
        };
        loop {
            let entry = match entries.next() {
                None => return true,
                Some(Err(error)) => {
                    self.stream_failure(&error, "");
                    return false;
                }
                Some(Ok(entry)) => entry,
            };
            if let Err(diagnostic) = self.budget.count_entry() {
                self.collector.report(diagnostic);
                return false;
            }
            if self.take_entry(entry).is_break() {
                return false;
            }
            if self.budget.entries() % PROGRESS_EVERY == 0 {
                report_progress(progress, self.budget.entries(), 0, self.meter.input());
            }
        }
    }

    fn take_entry<R: Read>(&mut self, mut entry: tar::Entry<'_, R>) -> ControlFlow<()> {
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let shown = escape_control(&raw);
        let Some(path) = self.admissible_path(&entry, &raw, &shown) else {
            return ControlFlow::Continue(());
        };
        if !self.collector.wants(&path) {
            return ControlFlow::Continue(()); // its content is skipped with the next entry
        }
        let size = entry.size();
        if let Err(refusal) = self.budget.admit(&shown, size) {
            return self.collector.refuse(refusal);
        }
        self.read_content(&mut entry, path, size, &shown)
    }

    /// The normalised path of a regular file entry that is safe and new; `None` (reported
    /// unless it is a directory) otherwise.
    fn admissible_path<R: Read>(
        &mut self,
        entry: &tar::Entry<'_, R>,
        raw: &str,
        shown: &str,
    ) -> Option<String> {
        match classify(entry, raw) {
            Kind::File => {}
            Kind::Ignored => return None,
            Kind::Unsafe(why) => {
                self.collector.unsafe_entry(shown, why);
                return None;
            }
        }
        let path = match normalise_entry_name(raw) {
            Ok(path) => path,
            Err(why) => {
                self.collector.unsafe_entry(shown, why);
                return None;
            }
        };
        if !self.collector.claim(&path) {
            self.collector
                .unsafe_entry(shown, "duplicate entry (the first one is kept)");
            return None;
        }
        Some(path)
    }

    /// Reads an admitted entry of `size` bytes; only a completely read entry is kept.
    fn read_content(
        &mut self,
        entry: &mut impl Read,
        path: String,
        size: u64,
        shown: &str,
    ) -> ControlFlow<()> {
        let buffer = self.collector.spare_buffer(size);
        match limits::read_bounded(entry, self.budget.max_file_size(), size, buffer) {
            Err(error) => {
                self.stream_failure(&error, shown);
                ControlFlow::Break(())
            }
            Ok(None) => {
                let diagnostic = self.budget.file_too_large(shown);
                self.collector.report(diagnostic);
                ControlFlow::Continue(())
            }
            Ok(Some(bytes)) if bytes.len() as u64 != size => {
                self.collector.report(corrupt(
                    shown,
                    "archive ends inside this entry; it and anything after were not read",
                ));
                ControlFlow::Break(())
            }
            Ok(Some(bytes)) => {
                self.budget.commit(size);
                self.collector.keep(path, bytes)
            }
        }
    }

    /// After the end-of-archive marker: a stream that simply ended was cut at an entry
    /// boundary; a compressed stream is read on to its trailer so that its checksum is checked.
    fn check_end(&mut self, rest: impl Read, compressed: bool) {
        if self.meter.saw_eof() {
            self.collector.report(corrupt(
                "",
                "archive ends without an end-of-archive marker (truncated?)",
            ));
            return;
        }
        if compressed {
            if let Err(error) = io::copy(&mut rest.take(TRAILER_SCAN), &mut io::sink()) {
                self.stream_failure(&error, "");
            }
        }
    }

    /// Reports a failed read: the expansion ratio if the guard cut the stream, else damage.
    fn stream_failure(&mut self, error: &io::Error, shown: &str) {
        let diagnostic = if self.meter.ratio_exceeded() {
            limits::ratio_exceeded(self.max_ratio)
        } else {
            corrupt(
                shown,
                &format!(
                    "archive is truncated or corrupt; the remaining entries were not read: {}",
                    escape_control(&error.to_string())
                ),
            )
        };
        self.collector.report(diagnostic);
    }
}

fn classify<R: Read>(entry: &tar::Entry<'_, R>, raw: &str) -> Kind {
    use tar::EntryType as T;
    let link = || {
        let target = entry.link_name_bytes().unwrap_or_default();
        escape_control(&String::from_utf8_lossy(&target))
    };
    match entry.header().entry_type() {
        // Pre-POSIX archives mark directories by a trailing slash only.
        T::Regular | T::Continuous if raw.ends_with('/') => Kind::Ignored,
        T::Regular | T::Continuous => Kind::File,
        // Holes expand at the tar level, out of reach of the compression ratio guard.
        T::GNUSparse => Kind::Unsafe("sparse file (not supported)".to_string()),
        T::Directory | T::XGlobalHeader => Kind::Ignored,
        T::Symlink => Kind::Unsafe(format!("symbolic link (to {})", link())),
        T::Link => Kind::Unsafe(format!("hard link (to {})", link())),
        T::Char | T::Block => Kind::Unsafe("device node".to_string()),
        T::Fifo => Kind::Unsafe("fifo".to_string()),
        other => Kind::Unsafe(format!(
            "unsupported entry type '{}'",
            escape_control(&char::from(other.as_byte()).to_string())
        )),
    }
}

fn corrupt(shown: &str, message: &str) -> Diagnostic {
    Diagnostic::new(Code::BundleCorrupt, shown, message)
}
