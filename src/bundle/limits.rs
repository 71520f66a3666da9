//! Limit bookkeeping (SPEC §1) and the byte-counting readers that enforce the expansion ratio.

use super::Limits;
use crate::diag::{Code, Diagnostic};
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Decompressed bytes allowed before the expansion ratio is checked: the first blocks of a
/// small, very repetitive archive may legitimately expand beyond the ratio.
pub(super) const RATIO_GRACE: u64 = 1024 * 1024;

/// A limit refused a file: skip only that file, or stop reading the bundle.
#[derive(Debug)]
pub(super) enum Refusal {
    Skip(Diagnostic),
    Stop(Diagnostic),
}

/// Entries met and bytes kept so far, checked against the limits.
///
/// Every entry met counts towards `--max-entries` (directories and skipped entries included);
/// `--max-total-size` bounds the bytes of the files kept in memory.
#[derive(Debug)]
pub(super) struct Budget {
    limits: Limits,
    entries: u64,
    total: u64,
}

impl Budget {
    pub(super) fn new(limits: &Limits) -> Self {
        Budget {
            limits: *limits,
            entries: 0,
            total: 0,
        }
    }

    /// Counts one more entry; the diagnostic means it is one too many and reading must stop.
    pub(super) fn count_entry(&mut self) -> Result<(), Diagnostic> {
        self.entries += 1;
        if self.entries <= self.limits.max_entries {
            return Ok(());
        }
        Err(Diagnostic::new(
            Code::BundleLimit,
            "",
            format!(
                "bundle exceeds --max-entries ({} entries); the remaining entries were not read",
                self.limits.max_entries
            ),
        ))
    }

    /// Entries counted so far.
    pub(super) fn entries(&self) -> u64 {
        self.entries
    }

    /// Bytes kept so far.
    pub(super) fn total(&self) -> u64 {
        self.total
    }

    /// Checks a file of `size` bytes before it is read (and again once its real length is
    /// known). `shown` is the escaped entry name for the diagnostic.
    pub(super) fn admit(&self, shown: &str, size: u64) -> Result<(), Refusal> {
        if size > self.limits.max_file_size {
            return Err(Refusal::Skip(self.file_too_large(shown)));
        }
        if self.total.saturating_add(size) > self.limits.max_total_size {
            return Err(Refusal::Stop(Diagnostic::new(
                Code::BundleLimit,
                shown,
                format!(
                    "bundle exceeds --max-total-size ({} bytes); this and the remaining entries \
                     were not read",
                    self.limits.max_total_size
                ),
            )));
        }
        Ok(())
    }

    /// Records a file of `size` bytes as kept.
    pub(super) fn commit(&mut self, size: u64) {
        self.total = self.total.saturating_add(size);
    }

    /// The most bytes to read for one file.
    pub(super) fn max_file_size(&self) -> u64 {
        self.limits.max_file_size
    }

    pub(super) fn file_too_large(&self, shown: &str) -> Diagnostic {
        Diagnostic::new(
            Code::BundleLimit,
            shown,
            format!(
                "file exceeds --max-file-size ({} bytes); skipped",
                self.limits.max_file_size
            ),
        )
    }
}

/// The diagnostic for a compressed stream that expanded beyond `--max-ratio`.
pub(super) fn ratio_exceeded(max_ratio: u64) -> Diagnostic {
    Diagnostic::new(
        Code::BundleLimit,
        "",
        format!(
            "archive expands beyond --max-ratio ({max_ratio}:1); the remaining entries were not \
             read"
        ),
    )
}

/// Reads everything from `reader` into `buffer` (emptied first; its memory is reused) if it
/// holds at most `max` bytes; `None` if it holds more. Memory grows with the bytes actually
/// read, never with a size claimed up front.
///
/// `expected` is the size the file or entry header announced: the buffer is reserved once at
/// that size, up to 64 MiB; beyond, it grows as bytes actually arrive, so that a header that
/// lies (or a raised `--max-file-size`) never makes it reserve memory the data does not fill.
pub(super) fn read_bounded<R: Read>(
    reader: R,
    max: u64,
    expected: u64,
    buffer: Vec<u8>,
) -> io::Result<Option<Vec<u8>>> {
    const MAX_RESERVE: u64 = 64 * 1024 * 1024;
    let capacity = usize::try_from(expected.min(max).min(MAX_RESERVE) + 1).unwrap_or(0);
    let mut bytes = buffer;
    bytes.clear();
    bytes.reserve(capacity);
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Byte counts shared by the readers of one archive stream.
#[derive(Debug, Default)]
pub(super) struct Meter {
    input: Cell<u64>,
    output: Cell<u64>,
    ratio_exceeded: Cell<bool>,
    eof: Cell<bool>,
}

impl Meter {
    /// Bytes read from the file so far.
    pub(super) fn input(&self) -> u64 {
        self.input.get()
    }

    /// Whether the stream was cut because it expanded beyond the ratio.
    pub(super) fn ratio_exceeded(&self) -> bool {
        self.ratio_exceeded.get()
    }

    /// Whether the (decompressed) stream has reported its end.
    pub(super) fn saw_eof(&self) -> bool {
        self.eof.get()
    }
}

/// Counts the bytes read from the file (compressed, for a compressed archive).
#[derive(Debug)]
pub(super) struct CountInput<R> {
    inner: R,
    meter: Rc<Meter>,
}

impl<R> CountInput<R> {
    pub(super) fn new(inner: R, meter: Rc<Meter>) -> Self {
        CountInput { inner, meter }
    }
}

impl<R: Read> Read for CountInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.input.set(self.meter.input.get() + n as u64);
        Ok(n)
    }
}

/// Counts the bytes coming out of the decompressor and fails the stream once they exceed
/// `max_ratio` times the bytes read from the file (past [`RATIO_GRACE`]). The failure is
/// recorded in the [`Meter`], since the tar reader may rewrap the error.
#[derive(Debug)]
pub(super) struct GuardOutput<R> {
    inner: R,
    meter: Rc<Meter>,
    max_ratio: Option<u64>,
}

impl<R> GuardOutput<R> {
    /// `max_ratio: None` for uncompressed input.
    pub(super) fn new(inner: R, meter: Rc<Meter>, max_ratio: Option<u64>) -> Self {
        GuardOutput {
            inner,
            meter,
            max_ratio,
        }
    }

    fn over_ratio(&self, output: u64) -> bool {
        match self.max_ratio {
            Some(max) => output > RATIO_GRACE && output > self.meter.input().saturating_mul(max),
            None => false,
        }
    }
}

impl<R: Read> Read for GuardOutput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.meter.ratio_exceeded() {
            return Err(io::Error::other("expansion ratio limit exceeded"));
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.meter.eof.set(true);
        }
        let output = self.meter.output.get() + n as u64;
        self.meter.output.set(output);
        if self.over_ratio(output) {
            self.meter.ratio_exceeded.set(true);
            return Err(io::Error::other("expansion ratio limit exceeded"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_file_size: u64, max_entries: u64, max_total_size: u64) -> Limits {
        Limits {
            max_file_size,
            max_entries,
            max_total_size,
            max_ratio: 200,
        }
    }

    #[test]
    fn read_bounded_refuses_one_byte_more() {
        assert_eq!(
            read_bounded(&b"abc"[..], 3, 3, Vec::new()).unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(read_bounded(&b"abcd"[..], 3, 1, Vec::new()).unwrap(), None);
        assert_eq!(
            read_bounded(&b""[..], 0, u64::MAX, Vec::new()).unwrap(),
            Some(Vec::new())
        );
    }

    #[test]
    fn read_bounded_reuses_the_buffer_it_is_given_and_drops_its_old_content() {
        let mut used = Vec::with_capacity(1024);
        used.extend_from_slice(b"stale bytes of an earlier file");
        let at = used.as_ptr();
        let read = read_bounded(&b"new"[..], 10, 3, used).unwrap().unwrap();
        assert_eq!(read, b"new");
        assert_eq!(read.as_ptr(), at, "the buffer's memory is reused");
    }

    #[test]
    fn budget_skips_large_files_and_stops_on_total() {
        let mut budget = Budget::new(&limits(10, 5, 15));
        assert!(budget.admit("a", 10).is_ok());
        budget.commit(10);
        match budget.admit("b", 11) {
            Err(Refusal::Skip(d)) => assert!(d.message.contains("--max-file-size (10 bytes)")),
            other => panic!("{other:?}"),
        }
        match budget.admit("c", 6) {
            Err(Refusal::Stop(d)) => {
                assert_eq!(d.file, "c");
                assert!(d.message.contains("--max-total-size (15 bytes)"));
            }
            other => panic!("{other:?}"),
        }
        assert!(budget.admit("d", 5).is_ok());
    }

    #[test]
    fn budget_counts_entries() {
        let mut budget = Budget::new(&limits(10, 2, 15));
        assert!(budget.count_entry().is_ok());
        assert!(budget.count_entry().is_ok());
        let d = budget.count_entry().unwrap_err();
        assert_eq!(d.code, Code::BundleLimit);
        assert!(d.message.contains("--max-entries (2 entries)"));
    }

    fn drain(reader: impl Read) -> io::Result<u64> {
        io::copy(&mut { reader }, &mut io::sink())
    }

    #[test]
    fn guard_trips_past_grace_when_ratio_exceeded() {
        let meter = Rc::new(Meter::default());
        // 100 bytes of "compressed" input, then 2 MiB out of it.
        drain(CountInput::new(&[0u8; 100][..], meter.clone())).unwrap();
        let guard = GuardOutput::new(
            io::repeat(0).take(RATIO_GRACE * 2),
            meter.clone(),
            Some(200),
        );
        assert!(drain(guard).is_err());
        assert!(meter.ratio_exceeded());
    }

    #[test]
    fn guard_lets_grace_and_uncompressed_streams_through() {
        let meter = Rc::new(Meter::default());
        let guard = GuardOutput::new(io::repeat(0).take(RATIO_GRACE), meter.clone(), Some(1));
        assert_eq!(drain(guard).unwrap(), RATIO_GRACE);
        assert!(meter.saw_eof() && !meter.ratio_exceeded());
        let meter = Rc::new(Meter::default());
        let guard = GuardOutput::new(io::repeat(0).take(RATIO_GRACE * 3), meter.clone(), None);
        assert_eq!(drain(guard).unwrap(), RATIO_GRACE * 3);
    }
}
