//! The background loader: runs the pipeline on its own thread and reports progress and the
//! result over a channel, so the first frame shows before loading ends.

use super::action::{Action, Loaded};
use crate::pipeline::{self, Options};
use crate::progress::{Progress, ProgressSink};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

/// Forwards pipeline progress as actions.
struct ActionSink(Mutex<Sender<Action>>);

impl ProgressSink for ActionSink {
    fn report(&self, progress: Progress) {
        if let Ok(tx) = self.0.lock() {
            let _ = tx.send(Action::Progress(progress));
        }
    }
}

/// Starts loading `path`; the receiver yields `Progress` actions, then `Loaded` or `LoadFailed`.
pub fn spawn(path: PathBuf, options: Options) -> Receiver<Action> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let sink = ActionSink(Mutex::new(tx.clone()));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pipeline::load_path(&path, &options, &sink)
        }));
        let action = match outcome {
            Ok(Ok((bundle, model))) => Action::Loaded(Box::new(Loaded { model, bundle })),
            Ok(Err(e)) => Action::LoadFailed(e.to_string()),
            Err(_) => Action::LoadFailed("internal error while loading (please report)".into()),
        };
        let _ = tx.send(action);
    });
    rx
}
