//! Directory bundles: a recursive walk that never follows a symbolic link, then the reading of
//! the regular files found, in path order.

use super::limits::{self, Budget};
use super::{escape_control, report_progress, Collector, Limits, PROGRESS_EVERY};
use crate::diag::{Code, Diagnostic};
use crate::progress::ProgressSink;
use std::fs::{File, Metadata};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A regular file found by the walk.
struct Candidate {
    path: PathBuf,
    /// Bundle-relative, `/`-separated.
    rel: String,
    /// What the walk saw (not following links), to detect a swap before the read.
    meta: Metadata,
}

/// Reads the directory bundle at `root`.
pub(super) fn read(
    root: &Path,
    limits: &Limits,
    progress: &dyn ProgressSink,
    mut collector: Collector,
) -> Collector {
    let mut budget = Budget::new(limits);
    let candidates = walk(root, &mut budget, &mut collector);
    read_files(candidates, &mut budget, &mut collector, progress);
    collector
}

fn walk(root: &Path, budget: &mut Budget, collector: &mut Collector) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    let walker = WalkDir::new(root)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name();
    for item in walker {
        let entry = match item {
            Ok(entry) => entry,
            Err(error) => {
                let shown = error.path().map(|p| shown(root, p)).unwrap_or_default();
                collector.report(unreadable(&shown, &walk_error_text(&error)));
                continue;
            }
        };
        if let Err(diagnostic) = budget.count_entry() {
            collector.report(diagnostic);
            break;
        }
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let rel = relative(root, entry.path());
        if kind.is_symlink() {
            collector.unsafe_entry(&escape_control(&rel), symlink_why(entry.path()));
        } else if !kind.is_file() {
            collector.unsafe_entry(
                &escape_control(&rel),
                "not a regular file (device, fifo or socket)",
            );
        } else {
            match entry.metadata() {
                Ok(meta) => candidates.push(Candidate {
                    path: entry.into_path(),
                    rel,
                    meta,
                }),
                Err(error) => {
                    collector.report(unreadable(&escape_control(&rel), &walk_error_text(&error)))
                }
            }
        }
    }
    candidates
}

fn read_files(
    mut candidates: Vec<Candidate>,
    budget: &mut Budget,
    collector: &mut Collector,
    progress: &dyn ProgressSink,
) {
    // Path order, so that which files a total-size stop keeps does not depend on the walk.
    candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
    let total = candidates.len() as u64;
    let mut done = 0;
    for candidate in candidates {
        if read_file(candidate, budget, collector).is_break() {
            break;
        }
        done += 1;
        if done % PROGRESS_EVERY == 0 {
            report_progress(progress, done, total, budget.total());
        }
    }
    report_progress(progress, done, total, budget.total());
}

fn read_file(
    candidate: Candidate,
    budget: &mut Budget,
    collector: &mut Collector,
) -> ControlFlow<()> {
    if !collector.wants(&candidate.rel) {
        return ControlFlow::Continue(());
    }
    let shown = escape_control(&candidate.rel);
    if !collector.claim(&candidate.rel) {
        // Only non-UTF-8 names can collide once rendered as text.
        collector.unsafe_entry(&shown, "duplicate entry (the first one is kept)");
        return ControlFlow::Continue(());
    }
    let opened = File::open(&candidate.path).and_then(|file| Ok((file.metadata()?, file)));
    let (meta, file) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            collector.report(unreadable(&shown, &error.to_string()));
            return ControlFlow::Continue(());
        }
    };
    if !meta.is_file() || !same_file(&candidate.meta, &meta) {
        collector.unsafe_entry(&shown, "replaced while the bundle was being read");
        return ControlFlow::Continue(());
    }
    if let Err(refusal) = budget.admit(&shown, meta.len()) {
        return collector.refuse(refusal);
    }
    let buffer = collector.spare_buffer(meta.len());
    let bytes = match limits::read_bounded(file, budget.max_file_size(), meta.len(), buffer) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            collector.report(budget.file_too_large(&shown));
            return ControlFlow::Continue(());
        }
        Err(error) => {
            collector.report(unreadable(&shown, &error.to_string()));
            return ControlFlow::Continue(());
        }
    };
    // The file may have grown since it was measured.
    let len = bytes.len() as u64;
    if let Err(refusal) = budget.admit(&shown, len) {
        return collector.refuse(refusal);
    }
    budget.commit(len);
    collector.keep(candidate.rel, bytes)
}

/// Reads the file at the bundle-relative `rel` below `root` again, under the walk's rules: no
/// component may be a symbolic link, only a regular file is read (the one that was checked),
/// and at most `max_size` bytes. `None` when any of that fails.
pub(super) fn read_again(root: &Path, rel: &str, max_size: u64) -> Option<Vec<u8>> {
    let mut path = root.to_path_buf();
    for part in rel.split('/') {
        if matches!(part, "" | "." | "..") {
            return None;
        }
        path.push(part);
        if std::fs::symlink_metadata(&path)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return None;
        }
    }
    let walked = std::fs::symlink_metadata(&path).ok()?;
    if !walked.is_file() {
        return None;
    }
    let file = File::open(&path).ok()?;
    let opened = file.metadata().ok()?;
    if !opened.is_file() || !same_file(&walked, &opened) {
        return None;
    }
    limits::read_bounded(file, max_size, opened.len(), Vec::new())
        .ok()
        .flatten()
}

#[cfg(unix)]
fn same_file(walked: &Metadata, opened: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    walked.dev() == opened.dev() && walked.ino() == opened.ino()
}

#[cfg(not(unix))]
fn same_file(walked: &Metadata, opened: &Metadata) -> bool {
    walked.is_file() && opened.is_file()
}

fn symlink_why(path: &Path) -> String {
    match std::fs::read_link(path) {
        Ok(target) => format!(
            "symbolic link (to {}); links are never followed",
            escape_control(&target.to_string_lossy())
        ),
        Err(_) => "symbolic link; links are never followed".to_string(),
    }
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

fn shown(root: &Path, path: &Path) -> String {
    escape_control(&relative(root, path))
}

/// A walk error without the absolute path walkdir puts in its message.
fn walk_error_text(error: &walkdir::Error) -> String {
    match error.io_error() {
        Some(io) => io.to_string(),
        None => error.to_string(),
    }
}

fn unreadable(shown: &str, error: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BundleUnreadable,
        shown,
        format!("cannot read: {}", escape_control(error)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_slash_separated_and_escaped() {
        let root = Path::new("/b");
        assert_eq!(
            relative(root, &root.join("sboms").join("a.json")),
            "sboms/a.json"
        );
        assert_eq!(shown(root, &root.join("x\x1by")), "x\\x1by");
    }
}
