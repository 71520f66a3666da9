//! The document reader: reads the JSON pane's document on a thread of its own, so that a key
//! press draws its frame at once even when the document must be read from disk again (the
//! explorer keeps no SBOM bytes of a directory bundle) and its SHA-256 checked.
//!
//! `update` only records what it wants ([`GraphView::detail_reading`]); the event loop hands
//! that to the reader with [`DocumentReader::follow`], and the answer comes back as
//! [`Action::DocumentRead`]. Tests and the headless benchmark read synchronously with
//! [`read_now`].
//!
//! [`GraphView::detail_reading`]: super::app::GraphView::detail_reading

use super::action::Action;
use super::app::App;
use super::document;
use crate::bundle::Bundle;
use crate::graph::Node;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// One document to read: the node (a copy: the model stays with the UI thread) and the bundle.
struct Job {
    ticket: u64,
    node: Node,
    bundle: Arc<Bundle>,
}

/// The reader thread's two ends, and the last ticket handed to it.
pub struct DocumentReader {
    jobs: Sender<Job>,
    answers: Receiver<Action>,
    sent: Option<u64>,
}

impl DocumentReader {
    /// Starts the reader thread. It ends when the `DocumentReader` is dropped.
    pub fn spawn() -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (answer_tx, answers) = channel();
        std::thread::spawn(move || serve(job_rx, answer_tx));
        DocumentReader {
            jobs,
            answers,
            sent: None,
        }
    }

    /// Hands the state's current request to the reader unless it has it already.
    pub fn follow(&mut self, app: &App) {
        let Some((ticket, node, bundle)) = wanted(app) else {
            return;
        };
        if self.sent == Some(ticket) {
            return;
        }
        self.sent = Some(ticket);
        let _ = self.jobs.send(Job {
            ticket,
            node: node.clone(),
            bundle,
        });
    }

    /// An answer, if one is ready.
    pub fn try_answer(&self) -> Option<Action> {
        self.answers.try_recv().ok()
    }
}

/// Reads jobs until the explorer goes. Keys can ask faster than files are read: only the
/// newest job waiting is read, the others are stale already.
fn serve(jobs: Receiver<Job>, answers: Sender<Action>) {
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let lines = read(&job.bundle, &job.node);
        let answer = Action::DocumentRead {
            ticket: job.ticket,
            lines,
        };
        if answers.send(answer).is_err() {
            return;
        }
    }
}

/// Never lets a malformed document take the reader down with it: the pane says so instead.
fn read(bundle: &Bundle, node: &Node) -> Vec<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        document::normalised_json_lines(bundle, node)
    }))
    .unwrap_or_else(|_| vec!["(this document could not be shown; please report)".into()])
}

/// The state's pending request: its ticket, the node and the bundle.
fn wanted(app: &App) -> Option<(u64, &Node, Arc<Bundle>)> {
    let r = app.ready()?;
    let request = r.graph.detail_reading?;
    let node = r.model.graph.node_at(request.position)?;
    Some((request.ticket, node, Arc::clone(&r.bundle)))
}

/// Reads the pending document here and now and returns the answer to apply (`None` when
/// nothing is pending): for tests and the headless benchmark.
pub fn read_now(app: &App) -> Option<Action> {
    let (ticket, node, bundle) = wanted(app)?;
    Some(Action::DocumentRead {
        ticket,
        lines: read(&bundle, node),
    })
}
