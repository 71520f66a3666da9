//! `evx reconcile`: the human summary and the graph JSON of SPEC §6.

use super::output::{emit, generated_at, json_text, sanitize};
use super::{exit, CommonArgs, ReconcileArgs};
use crate::diag::Severity;
use crate::graph::GRAPH_VERSION;
use crate::pipeline::collect::FileStatus;
use crate::pipeline::Reconciled;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Runs the command; returns the exit code.
pub fn run(args: &ReconcileArgs, common: &CommonArgs) -> u8 {
    let model = match super::load_with(&args.bundle, common.options()) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let text = if args.json {
        json_text(&graph_json(&model, &generated_at()))
    } else {
        summary(&model)
    };
    if let Err(e) = emit(&text, args.output.as_deref()) {
        eprintln!("evx: cannot write output: {e}");
        return exit::USAGE;
    }
    let code = if args.strict && model.error_count() > 0 {
        exit::FAILURE
    } else {
        exit::OK
    };
    super::release_at_exit(model);
    code
}

/// The `reconcile --json` document. `rootDigest` can be re-derived from it: SHA-256 of the JCS
/// form of `{version, digestAlgorithm, nodes, edges}` exactly as printed.
pub fn graph_json(model: &Reconciled, generated_at: &str) -> Value {
    let g = &model.graph;
    let nodes: Vec<Value> = g.nodes().map(|n| n.to_json()).collect();
    let edges: Vec<Value> = g
        .edges()
        .map(|e| json!({"source": e.source, "target": e.target, "type": e.kind}))
        .collect();
    let mut locations = Map::new();
    for n in g.nodes() {
        locations.insert(n.id.to_string(), json!(n.locations));
    }
    json!({
        "version": GRAPH_VERSION,
        "digestAlgorithm": "sha256",
        "rootDigest": g.root_digest(),
        "generatedAt": generated_at,
        "bundle": {"path": model.source.display().to_string(), "form": model.form.as_str()},
        "nodes": nodes,
        "edges": edges,
        "locations": locations,
        "files": model.files,
        "diagnostics": model.diagnostics,
    })
}

/// The human summary: counts per kind, root digest, diagnostics grouped by code.
pub fn summary(model: &Reconciled) -> String {
    let mut out = String::new();
    let g = &model.graph;
    let _ = writeln!(
        out,
        "bundle       {} ({}, {} files)",
        sanitize(&model.source.display().to_string()),
        model.form.as_str(),
        model.files.len()
    );
    let _ = writeln!(out, "root digest  {}", g.root_digest());
    let kinds: Vec<String> = g
        .counts_by_kind()
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let _ = writeln!(
        out,
        "nodes        {:<6} {}",
        g.node_count(),
        kinds.join(" · ")
    );
    let _ = writeln!(out, "edges        {}", g.edges().len());
    let _ = writeln!(out, "files        {}", file_status_counts(model));
    let _ = writeln!(out, "diagnostics  {}", severity_counts(model));
    write_diagnostics_by_code(&mut out, model);
    out
}

fn file_status_counts(model: &Reconciled) -> String {
    let mut counts: BTreeMap<FileStatus, usize> = BTreeMap::new();
    for f in &model.files {
        *counts.entry(f.status).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn severity_counts(model: &Reconciled) -> String {
    let count = |s: Severity| model.diagnostics.iter().filter(|d| d.severity == s).count();
    format!(
        "{} error(s) · {} warning(s) · {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

fn write_diagnostics_by_code(out: &mut String, model: &Reconciled) {
    let mut by_code: BTreeMap<&str, Vec<&crate::diag::Diagnostic>> = BTreeMap::new();
    for d in &model.diagnostics {
        by_code.entry(d.code.as_str()).or_default().push(d);
    }
    for (code, diags) in by_code {
        let _ = writeln!(out, "\n{code} ({})", diags.len());
        for d in diags {
            let mut place = sanitize(&d.file);
            if !d.pointer.is_empty() {
                let _ = write!(place, " {}", sanitize(&d.pointer));
            }
            if let (Some(l), Some(c)) = (d.line, d.column) {
                let _ = write!(place, " ({l}:{c})");
            }
            let _ = writeln!(
                out,
                "  {:<7} {place}: {}",
                d.severity.to_string(),
                sanitize(&d.message)
            );
        }
    }
}
