//! The reconciliation pipeline (SPEC §2), one module per step:
//! 1. [`index`] — SHA-256 of every file, digest normalisation;
//! 2. [`collect`] — sniff and parse SBOMs, attestations, VEX, …;
//! 3. [`normalise`] — canonical form and normalised digest per document;
//! 4. [`merge`] — VEX merge: authority, alias groups, one decision per target (SPEC §3);
//! 5. [`emit`] — the content-addressed graph and its root digest.
//!
//! Verification (SPEC §4–§5, [`crate::verify`]) runs between collection and linking: the VEX
//! merge needs the verified signing keys of each attestation, and the graph carries `key` and
//! `export` nodes.
//!
//! [`reconcile`] runs them and returns the [`Reconciled`] model that both views read.

pub mod collect;
pub mod emit;
pub mod index;
mod load;
pub mod merge;
pub mod normalise;

use crate::bundle::{Bundle, BundleForm, Limits, OpenError, TopDirectory};
use crate::diag::{Code, Diagnostic, Severity};
use crate::graph::{EvidenceGraph, GraphBuilder};
use crate::progress::{Progress, ProgressSink, Stage};
use crate::trust::TrustPolicy;
use crate::verify::keyring::{Keyring, TrustFile};
use crate::verify::report::VerificationReport;
use crate::verify::{self, export, signatures};
use collect::{CollectedFile, FileKind, FileStatus};
use index::ArtifactIndex;
pub use merge::{DecisionCandidate, VexDecision};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How to run the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    /// The trust policy file given with `--trust`, already read by the caller (its keys).
    pub trust: Option<TrustFile>,
    /// The same file's issuer rules, parsed (SPEC §4); `None` when none was given.
    pub trust_policy: Option<TrustPolicy>,
}

impl Options {
    /// These options with a trust policy given as a file's name and bytes (SPEC §4): its keys
    /// pin signatures, its issuer rules give authority. A policy that does not parse keeps no
    /// issuer rules; the verification step reports it (`ERR_TRUST_POLICY`).
    pub fn with_trust(mut self, file: TrustFile) -> Self {
        self.trust_policy = TrustPolicy::from_slice(&file.bytes).ok();
        self.trust = Some(file);
        self
    }
}

/// One file of the bundle as the Imports view and `files[]` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRecord {
    pub path: String,
    /// `sha256:<hex>` of the bytes; empty for a skipped entry that was never read.
    pub sha256: String,
    pub size: u64,
    pub kind: FileKind,
    pub status: FileStatus,
}

/// The reconciled bundle: the one model behind the CLI printers and the TUI.
#[derive(Debug, Clone)]
pub struct Reconciled {
    pub source: PathBuf,
    pub form: BundleForm,
    /// Every file, sorted by path (skipped entries included).
    pub files: Vec<FileRecord>,
    /// Every diagnostic, sorted by file, pointer, line, code.
    pub diagnostics: Vec<Diagnostic>,
    pub index: ArtifactIndex,
    pub graph: EvidenceGraph,
    /// Profile, checks, exports, signatures and trust (SPEC §4–§5, `evx verify`).
    pub verification: VerificationReport,
    /// One VEX decision per (vulnerability group, target): conflicts first, then by
    /// vulnerability and target. The graph's `verdict` nodes hold the same decisions.
    pub decisions: Vec<VexDecision>,
}

impl Reconciled {
    /// Diagnostics with severity `error`.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The diagnostics about one file.
    pub fn diagnostics_for<'a>(
        &'a self,
        path: &'a str,
    ) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| d.file == path)
    }
}

/// Opens the bundle at `path` and reconciles it, reading and collecting files at the same time
/// (see [`load::stream`]): the bundle's bytes are never all in memory at once.
pub fn reconcile_path(
    path: &Path,
    options: &Options,
    progress: &dyn ProgressSink,
) -> Result<Reconciled, OpenError> {
    let streamed = match load::stream(path, options, progress, TopDirectory::Strip)? {
        Some(streamed) => Some(streamed),
        // An archive whose files do not share a top directory: read again, paths as written.
        None => load::stream(path, options, progress, TopDirectory::Keep)?,
    };
    let (bundle, outcomes) = match streamed {
        Some(streamed) => streamed,
        None => load::open_and_process_all(path, options, progress)?,
    };
    let gathered = gather(&bundle, outcomes, options, progress);
    // Nothing reads the files' bytes after verification: let the graph use their memory.
    let Bundle {
        source,
        form,
        files,
        diagnostics,
        ..
    } = bundle;
    drop(files);
    Ok(link(
        gathered,
        source,
        form,
        &diagnostics,
        options,
        progress,
    ))
}

/// Opens and reconciles, keeping the loaded bundle: the explorer reads documents from it
/// again on demand (the detail pane's normalised JSON). A directory bundle is streamed like
/// [`reconcile_path`] streams it and keeps no SBOM bytes: [`Bundle::get`] reads a file again
/// from disk when it is shown. An archive is loaded whole and keeps them, as reading one again
/// means a pass over its whole stream.
pub fn load_path(
    path: &Path,
    options: &Options,
    progress: &dyn ProgressSink,
) -> Result<(Bundle, Reconciled), OpenError> {
    let streamed = if path.is_dir() {
        load::stream(path, options, progress, TopDirectory::Keep)?
    } else {
        None
    };
    let (bundle, outcomes) = match streamed {
        Some(streamed) => streamed,
        None => load::open_and_process_all(path, options, progress)?,
    };
    let model = reconcile_processed(&bundle, outcomes, options, progress);
    Ok((bundle, model))
}

/// Runs steps 1–5 and the verification over a loaded bundle.
pub fn reconcile(bundle: &Bundle, options: &Options, progress: &dyn ProgressSink) -> Reconciled {
    let outcomes = load::process_all(bundle, progress);
    reconcile_processed(bundle, outcomes, options, progress)
}

/// The rest of the pipeline for a bundle whose files are processed, keeping the bundle.
fn reconcile_processed(
    bundle: &Bundle,
    outcomes: Vec<load::FileOutcome>,
    options: &Options,
    progress: &dyn ProgressSink,
) -> Reconciled {
    let gathered = gather(bundle, outcomes, options, progress);
    link(
        gathered,
        bundle.source.clone(),
        bundle.form,
        &bundle.diagnostics,
        options,
        progress,
    )
}

/// What steps 1–2 and verification find: everything that needs the files' bytes.
struct Gathered {
    index: ArtifactIndex,
    collected: Vec<CollectedFile>,
    /// Each file's SBOMs, emitted as the file was collected (their components released).
    sboms: Vec<emit::SbomPart>,
    verification: VerificationReport,
    verify_diagnostics: Vec<Diagnostic>,
}

/// Step 1's index over the processed files (in the bundle's order), verification, and
/// cross-document BOM-Links (which read BOMs again).
fn gather(
    bundle: &Bundle,
    outcomes: Vec<load::FileOutcome>,
    options: &Options,
    progress: &dyn ProgressSink,
) -> Gathered {
    let (mut collected, sboms): (Vec<CollectedFile>, Vec<emit::SbomPart>) =
        outcomes.into_iter().map(|o| (o.collected, o.sboms)).unzip();
    let index = ArtifactIndex::from_digests(collected.iter().map(|c| (&c.sha256, c.path.as_str())));
    let (verification, verify_diagnostics) =
        verify_bundle(bundle, &mut collected, options, progress);

    progress.report(Progress {
        stage: Stage::Linking,
        done: 0,
        total: 1,
        bytes: 0,
    });
    merge::bomlink::resolve_cross_links(&mut collected, bundle);
    Gathered {
        index,
        collected,
        sboms,
        verification,
        verify_diagnostics,
    }
}

/// Steps 3–5 over what [`gather`] found: the VEX merge, the graph and the sorted records.
fn link(
    gathered: Gathered,
    source: PathBuf,
    form: BundleForm,
    bundle_diagnostics: &[Diagnostic],
    options: &Options,
    progress: &dyn ProgressSink,
) -> Reconciled {
    let Gathered {
        index,
        mut collected,
        sboms,
        verification,
        verify_diagnostics,
    } = gathered;
    let mut builder = GraphBuilder::new();
    for part in sboms {
        builder.absorb(part.graph);
        emit::emit_described_artifacts(&mut builder, part.artifacts, &index);
    }
    // The VEX merge, the search for the components VEX targets name, and the other documents'
    // nodes need nothing from one another: they run side by side.
    let (vex, (components, others)) = rayon::join(
        || merge::merge(&collected, options.trust_policy.as_ref()),
        || {
            rayon::join(
                || emit::vex::component_targets(&builder, &collected),
                || {
                    let mut others = GraphBuilder::new();
                    emit::emit_documents(&mut others, &collected, &index);
                    emit::emit_signatures(&mut others, &verification);
                    emit::emit_exports(&mut others, &verification.exports, &index);
                    others
                },
            )
        },
    );
    builder.absorb(others);
    emit::vex::emit_vex(&mut builder, &vex, &components, &index);
    // Everything the graph needs is in the builder now: the parsed documents' memory can serve
    // the merge and sort of the graph instead of adding to the peak.
    collected
        .par_iter_mut()
        .for_each(|c| c.documents = Vec::new());
    let graph = builder.finish();
    progress.report(Progress {
        stage: Stage::Done,
        done: 1,
        total: 1,
        bytes: 0,
    });
    let (files, diagnostics) = file_records(bundle_diagnostics, collected, verify_diagnostics);
    Reconciled {
        source,
        form,
        files,
        diagnostics,
        index,
        graph,
        verification,
        decisions: vex.decisions,
    }
}

/// Keys, the signatures of every DSSE envelope (recorded on the attestations), the exports and
/// the audit-pack profile checks. Returns the report and the per-file diagnostics found.
fn verify_bundle(
    bundle: &Bundle,
    collected: &mut [CollectedFile],
    options: &Options,
    progress: &dyn ProgressSink,
) -> (VerificationReport, Vec<Diagnostic>) {
    const STEPS: u64 = 3;
    let step = |done| {
        progress.report(Progress {
            stage: Stage::Verifying,
            done,
            total: STEPS,
            bytes: 0,
        })
    };
    step(0);
    let (mut keyring, policy_problems) = Keyring::from_policy(options.trust.as_ref());
    let mut diagnostics = policy_problems.clone();
    diagnostics.extend(keyring.add_bundle_keys(bundle, collected));
    let (envelopes, signature_problems) = signatures::check_attestations(collected, &keyring);
    diagnostics.extend(signature_problems);
    step(1);
    let exports = export::validate(bundle, collected, &keyring);
    diagnostics.extend(exports.iter().flat_map(|e| e.problems.iter().cloned()));
    step(2);
    let report = verify::audit(
        bundle,
        collected,
        &keyring,
        policy_problems,
        envelopes,
        exports,
    );
    step(STEPS);
    (report, diagnostics)
}

/// Merges collected files and the bundle reader's skipped entries into one sorted list, with
/// every diagnostic (reader, collector and `extra` ones from verification) sorted.
fn file_records(
    bundle_diags: &[Diagnostic],
    collected: Vec<CollectedFile>,
    extra: Vec<Diagnostic>,
) -> (Vec<FileRecord>, Vec<Diagnostic>) {
    let mut diagnostics: Vec<Diagnostic> = bundle_diags.to_vec();
    diagnostics.extend(extra);
    let mut files: Vec<FileRecord> = Vec::with_capacity(collected.len());
    for c in collected {
        diagnostics.extend(c.diagnostics);
        files.push(FileRecord {
            path: c.path,
            sha256: c.sha256.to_string(),
            size: c.size,
            kind: c.kind,
            status: c.status,
        });
    }
    // A set, not a scan per entry: a hostile archive can skip a million entries.
    let mut listed: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    for d in bundle_diags {
        let skipped_entry =
            matches!(d.code, Code::BundleUnsafeEntry | Code::BundleLimit) && !d.file.is_empty();
        if skipped_entry && listed.insert(d.file.clone()) {
            files.push(FileRecord {
                path: d.file.clone(),
                sha256: String::new(),
                size: 0,
                kind: FileKind::Unrecognised,
                status: FileStatus::Skipped,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    diagnostics.sort_by(|a, b| {
        (&a.file, &a.pointer, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, &b.pointer, b.line, b.column, b.code, &b.message))
    });
    diagnostics.dedup();
    (files, diagnostics)
}
