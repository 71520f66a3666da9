//! Steps 1–2 file by file: each file is hashed, collected and its SBOMs emitted into a graph
//! part by one worker, as soon as it is read ([`stream`]) or over a loaded bundle
//! ([`process_all`]).

use super::collect::{self, CollectedFile, FileKind};
use super::emit::{self, SbomPart};
use super::index::DigestKey;
use super::Options;
use crate::bundle::{self, BufferPool, Bundle, BundleFile, OpenError, TopDirectory};
use crate::progress::{Progress, ProgressSink, Stage};
use crate::verify::portable::CANONICAL_BOM;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;

/// Files read ahead of the workers: enough to keep them busy, few enough that the bundle is
/// never in memory all at once.
const READ_AHEAD: usize = 16;

/// What one file gives steps 1–2.
#[derive(Debug)]
pub(super) struct FileOutcome {
    /// The file (its digest in `sha256`), and the documents it holds.
    pub collected: CollectedFile,
    /// Its SBOMs, already emitted (see [`emit::take_sboms`]).
    pub sboms: SbomPart,
}

/// Hashes, collects and emits one file.
fn process(path: &str, bytes: &[u8]) -> FileOutcome {
    let mut collected = collect::collect_file(path, bytes, DigestKey::sha256_of(bytes));
    let sboms = emit::take_sboms(&mut collected);
    FileOutcome { collected, sboms }
}

/// Opens the whole bundle, then processes every file: for what cannot be streamed.
pub(super) fn open_and_process_all(
    path: &Path,
    options: &Options,
    progress: &dyn ProgressSink,
) -> Result<(Bundle, Vec<FileOutcome>), OpenError> {
    let bundle = bundle::open(path, &options.limits, progress)?;
    let outcomes = process_all(&bundle, progress);
    Ok((bundle, outcomes))
}

/// Every file of a loaded bundle, in parallel; outcomes in the bundle's (path) order.
pub(super) fn process_all(bundle: &Bundle, progress: &dyn ProgressSink) -> Vec<FileOutcome> {
    let total = bundle.files.len() as u64;
    let done = AtomicU64::new(0);
    bundle
        .files
        .par_iter()
        .map(|f| {
            let outcome = process(&f.path, &f.bytes);
            report_parsed(progress, &done, total);
            outcome
        })
        .collect()
}

/// Reads the bundle and processes each file as it arrives, on the worker threads, while the
/// reading goes on; the bytes of SBOMs are released once they are collected (see
/// [`releases_bytes`]). Returns the bundle (files sorted by path) and the outcomes in the same
/// order; `None` when the reading must start over with `TopDirectory::Keep` (see
/// [`bundle::open_streaming`]).
pub(super) fn stream(
    path: &Path,
    options: &Options,
    progress: &dyn ProgressSink,
    top: TopDirectory,
) -> Result<Option<(Bundle, Vec<FileOutcome>)>, OpenError> {
    let (sender, receiver) = sync_channel::<BundleFile>(READ_AHEAD);
    let buffers = BufferPool::default();
    let done = AtomicU64::new(0);
    let (streamed, mut processed) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            bundle::open_streaming(path, &options.limits, progress, sender, top, &buffers)
        });
        let processed: Vec<(BundleFile, FileOutcome)> = receiver
            .into_iter()
            .par_bridge()
            .map(|mut file| {
                let outcome = process(&file.path, &file.bytes);
                if releases_bytes(&outcome.collected) {
                    if let Some(sha256) = outcome.collected.sha256.sha256_bytes() {
                        buffers.give(file.release(sha256));
                    }
                }
                report_parsed(progress, &done, 0);
                (file, outcome)
            })
            .collect();
        let streamed = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (streamed, processed)
    });
    let Some(streamed) = streamed? else {
        return Ok(None);
    };
    processed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let (files, outcomes) = processed.into_iter().unzip();
    Ok(Some((streamed.into_bundle(files), outcomes)))
}

/// Whether a collected file's bytes can go: SBOMs, most of a bundle's bytes. After collection
/// only cross-document BOM-Links read them, and [`Bundle::get`] reads them again from the
/// source for that; verification checks their digests from the recorded SHA-256. The audit
/// pack's `canonical_bom.json` stays: its check parses it.
fn releases_bytes(file: &CollectedFile) -> bool {
    matches!(file.kind, FileKind::Cyclonedx | FileKind::Spdx) && file.path != CANONICAL_BOM
}

fn report_parsed(progress: &dyn ProgressSink, done: &AtomicU64, total: u64) {
    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
    progress.report(Progress {
        stage: Stage::Parsing,
        done: n,
        total,
        bytes: 0,
    });
}
