//! `evx conflicts`: the VEX decisions of SPEC §3 — per (vulnerability, target) the verdict, the
//! rule that decided, one sentence of why, and every candidate statement.

use super::output::{emit, json_text, sanitize};
use super::{exit, CommonArgs, ConflictsArgs};
use crate::diag::Code;
use crate::pipeline::{self, DecisionCandidate, Reconciled, VexDecision};
use crate::progress::NoProgress;
use crate::vex::statement::format_timestamp;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Runs the command; returns the exit code (0, or 2 for an unreadable bundle or trust file).
pub fn run(args: &ConflictsArgs, common: &CommonArgs) -> u8 {
    let options = match common.options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("evx: {message}");
            return exit::USAGE;
        }
    };
    let model = match pipeline::reconcile_path(&args.bundle, &options, &NoProgress) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("evx: {}", sanitize(&e.to_string()));
            return exit::USAGE;
        }
    };
    let trust = common.trust.as_deref();
    let text = if args.json {
        json_text(&conflicts_json(&model, args.all, trust))
    } else {
        tables(&model, args.all, trust)
    };
    if let Err(e) = emit(&text, None) {
        eprintln!("evx: cannot write output: {e}");
        return exit::USAGE;
    }
    exit::OK
}

/// The decisions to show: conflicts only unless `all`.
fn shown(model: &Reconciled, all: bool) -> impl Iterator<Item = &VexDecision> {
    model.decisions.iter().filter(move |d| all || d.conflict)
}

fn conflict_count(model: &Reconciled) -> usize {
    model.decisions.iter().filter(|d| d.conflict).count()
}

/// Whether the bundle's own `trust.json` was applied (as self-asserted).
fn bundle_policy_applied(model: &Reconciled) -> bool {
    model
        .diagnostics
        .iter()
        .any(|d| d.code == Code::WarnTrustSelfAsserted)
}

/// The `conflicts --json` document (SPEC §6), keys sorted by serde_json.
pub fn conflicts_json(model: &Reconciled, all: bool, trust: Option<&Path>) -> Value {
    let decisions: Vec<Value> = shown(model, all).map(decision_json).collect();
    json!({
        "bundle": {"path": model.source.display().to_string(), "form": model.form.as_str()},
        "trust": {
            "policy": trust.map(|p| p.display().to_string()),
            "bundlePolicySelfAsserted": bundle_policy_applied(model),
        },
        "counts": {"decisions": model.decisions.len(), "conflicts": conflict_count(model), "shown": decisions.len()},
        "decisions": decisions,
    })
}

fn decision_json(d: &VexDecision) -> Value {
    json!({
        "vulnerability": d.vulnerability,
        "aliases": d.aliases,
        "target": d.target,
        "status": d.status.as_str(),
        "rule": d.rule.as_str(),
        "winner": d.winner,
        "conflict": d.conflict,
        "reason": d.reason,
        "verdict": d.verdict,
        "candidates": d.candidates.iter().map(candidate_json).collect::<Vec<_>>(),
    })
}

fn candidate_json(c: &DecisionCandidate) -> Value {
    json!({
        "statement": c.statement,
        "winner": c.winner,
        "document": c.document,
        "pointer": c.pointer,
        "format": c.format.as_str(),
        "issuer": c.issuer,
        "authority": c.authority.as_str(),
        "authoritySource": c.authority_source.as_str(),
        "authorityDetail": c.authority_detail,
        "vulnerability": c.vulnerability,
        "status": c.status.as_str(),
        "timestamp": c.timestamp.as_ref().map(format_timestamp),
        "justification": c.justification,
        "impact": c.impact,
        "action": c.action,
    })
}

/// The human output: a header, then per decision its verdict, the reason and a candidates
/// table whose winner row is marked with `*` (readable without colour).
pub fn tables(model: &Reconciled, all: bool, trust: Option<&Path>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bundle     {} ({})",
        sanitize(&model.source.display().to_string()),
        model.form.as_str()
    );
    let _ = writeln!(out, "trust      {}", trust_line(model, trust));
    let shown: Vec<&VexDecision> = shown(model, all).collect();
    let scope = if all {
        "showing all".to_string()
    } else {
        "showing the conflicts (--all shows every decision)".to_string()
    };
    let _ = writeln!(
        out,
        "decisions  {} · {} conflict(s) · {scope}",
        model.decisions.len(),
        conflict_count(model)
    );
    if shown.is_empty() {
        let none = if model.decisions.is_empty() {
            "no VEX statements in this bundle"
        } else {
            "no conflicts: every target's statements agree"
        };
        let _ = writeln!(out, "\n{none}");
        return out;
    }
    for d in shown {
        write_decision(&mut out, d);
    }
    let _ = writeln!(out, "\n* marks the winning statement");
    out
}

fn trust_line(model: &Reconciled, trust: Option<&Path>) -> String {
    let pinned = match trust {
        Some(path) => format!("{} (pinned)", sanitize(&path.display().to_string())),
        None => "no --trust policy: authorities are self-declared or unknown".to_string(),
    };
    if bundle_policy_applied(model) {
        format!("{pinned}; the bundle's trust.json is applied as self-asserted")
    } else {
        pinned
    }
}

fn write_decision(out: &mut String, d: &VexDecision) {
    let aliases = if d.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", d.aliases.join(", "))
    };
    let _ = writeln!(
        out,
        "\n{}{} on {}",
        sanitize(&d.vulnerability),
        sanitize(&aliases),
        sanitize(&d.target)
    );
    let _ = writeln!(out, "  verdict  {}, rule {}", d.status, d.rule);
    let _ = writeln!(out, "  why      {}", sanitize(&d.reason));
    let header = [
        "STATUS",
        "AUTHORITY",
        "SOURCE",
        "TIMESTAMP",
        "ISSUER",
        "DOCUMENT",
    ];
    let rows: Vec<[String; 6]> = d.candidates.iter().map(candidate_row).collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |marker: &str, cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("  {marker} {}", padded.join("  ").trim_end())
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let _ = writeln!(out, "{}", line(" ", &header));
    for (c, row) in d.candidates.iter().zip(&rows) {
        let _ = writeln!(out, "{}", line(if c.winner { "*" } else { " " }, row));
    }
}

fn candidate_row(c: &DecisionCandidate) -> [String; 6] {
    [
        c.status.to_string(),
        c.authority.to_string(),
        c.authority_source.to_string(),
        c.timestamp
            .as_ref()
            .map_or_else(|| "-".to_string(), format_timestamp),
        sanitize(c.issuer.as_deref().unwrap_or("-")),
        sanitize(&c.document),
    ]
}
