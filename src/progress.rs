//! Progress reporting from the pipeline to whoever watches it: nobody (the CLI) or the TUI's
//! loader thread (a channel). The pipeline never knows which.

use std::sync::mpsc::Sender;

/// The pipeline stage a progress report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Reading bundle entries (directory walk or archive stream).
    Reading,
    /// Hashing files (step 1).
    Indexing,
    /// Parsing and normalising documents (steps 2–3).
    Parsing,
    /// Keys, signatures, exports and audit-pack checks (before linking: the VEX merge needs
    /// the verified signing keys).
    Verifying,
    /// Merging VEX and building the graph (steps 4–5).
    Linking,
    Done,
}

/// One progress report: how many of the stage's items are done, and bytes seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
    pub bytes: u64,
}

/// Receives progress. Implementations must be cheap: reports come from worker threads.
pub trait ProgressSink: Send + Sync {
    fn report(&self, progress: Progress);
}

/// Discards every report (the headless CLI).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn report(&self, _: Progress) {}
}

/// Forwards reports over a channel (the TUI's loader thread). A closed channel is ignored.
#[derive(Debug)]
pub struct ChannelProgress(pub std::sync::Mutex<Sender<Progress>>);

impl ProgressSink for ChannelProgress {
    fn report(&self, progress: Progress) {
        if let Ok(tx) = self.0.lock() {
            let _ = tx.send(progress);
        }
    }
}
