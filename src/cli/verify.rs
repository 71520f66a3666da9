//! `evx verify`: the profile validated, every check in its fixed order (manifest → file digests
//! → DSSE → Rekor → exports) with ✔/✘/– and its code, and the JSON of SPEC §6. Exit 0 when
//! every check passes, 1 on the first failure, 2 when the bundle or `--trust` cannot be read.

use super::output::{emit, json_text, sanitize};
use super::{exit, CommonArgs, VerifyArgs};
use crate::pipeline::Reconciled;
use crate::verify::export::ExportResult;
use crate::verify::keyring::KeyTrust;
use crate::verify::report::{CheckStatus, VerificationReport};
use crate::verify::signatures::{short, SignatureStatus};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::IsTerminal;

/// Runs the command; returns the exit code.
pub fn run(args: &VerifyArgs, common: &CommonArgs) -> u8 {
    let model = match super::load_with(&args.bundle, common.options_for_verify()) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let text = if args.json {
        json_text(&report_json(&model.verification))
    } else {
        let style = Style {
            color: common.color() && std::io::stdout().is_terminal(),
        };
        human(&model, style)
    };
    if let Err(e) = emit(&text, None) {
        eprintln!("evx: cannot write output: {e}");
        return exit::USAGE;
    }
    let code = if model.verification.ok() {
        exit::OK
    } else {
        exit::FAILURE
    };
    super::release_at_exit(model);
    code
}

/// The `verify --json` document (SPEC §6): `profile`, `ok`, `firstFailure`, `checks[]`,
/// `exports[]`, `trust`, plus `notes[]` and the signature outcome of every DSSE envelope.
pub fn report_json(report: &VerificationReport) -> Value {
    let first_failure = report
        .first_failure()
        .map(|c| json!({"check": c.name, "code": c.code, "message": c.message}));
    let exports: Vec<Value> = report.exports.iter().map(export_json).collect();
    let keys = |trust: KeyTrust| -> Vec<Value> {
        report
            .trust
            .keys
            .iter()
            .filter(|k| k.origins.iter().any(|o| o.trust == trust))
            .map(|k| {
                let sources: Vec<String> = k
                    .origins
                    .iter()
                    .filter(|o| o.trust == trust)
                    .map(|o| o.place())
                    .collect();
                json!({"key": k.key, "algorithm": k.algorithm, "keyids": k.keyids, "sources": sources})
            })
            .collect()
    };
    json!({
        "profile": report.profile,
        "ok": report.ok(),
        "firstFailure": first_failure,
        "notes": report.notes,
        "checks": report.checks,
        "exports": exports,
        "signatures": report.signatures,
        "trust": {
            "policy": report.trust.policy,
            "pinned": keys(KeyTrust::Pinned),
            "bundleSupplied": keys(KeyTrust::BundleSupplied),
            "selfAsserted": keys(KeyTrust::SelfAsserted),
        },
    })
}

fn export_json(e: &ExportResult) -> Value {
    json!({
        "file": e.file,
        "line": e.line,
        "runId": e.run_id,
        "startedAt": e.started_at,
        "status": e.status,
        "ok": e.ok(),
        "codes": e.codes(),
        "signatures": e.signatures,
        "problems": e.problems,
    })
}

/// Terminal styling: colour only; the symbols carry the meaning without it.
#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn mark(self, status: CheckStatus) -> String {
        match status {
            CheckStatus::Pass => self.paint("32", "✔"),
            CheckStatus::Fail => self.paint("31", "✘"),
            CheckStatus::Skipped => self.paint("2", "–"),
        }
    }
}

/// The human report: header, the checks grouped in their fixed order, exports, signatures,
/// trust and the verdict.
fn human(model: &Reconciled, style: Style) -> String {
    let report = &model.verification;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bundle   {} ({}, {} files)",
        sanitize(&model.source.display().to_string()),
        model.form.as_str(),
        model.files.len()
    );
    let _ = writeln!(out, "profile  {}", report.profile);
    for note in &report.notes {
        let _ = writeln!(out, "note     {}", sanitize(note));
    }
    write_checks(&mut out, report, style);
    write_exports(&mut out, &report.exports, style);
    write_signatures(&mut out, report, style);
    write_trust(&mut out, report);
    write_verdict(&mut out, model, style);
    out
}

fn write_checks(out: &mut String, report: &VerificationReport, style: Style) {
    let mut group = "";
    for c in &report.checks {
        if c.group() != group {
            group = c.group();
            let _ = writeln!(out, "\n{group}");
        }
        let code = c.code.map(|c| format!("{c}  ")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<19} {code}{}",
            style.mark(c.status),
            c.name,
            sanitize(&c.message)
        );
        for p in c.problems.iter().skip(1) {
            let place = match (p.file.as_str(), p.line) {
                ("", _) => String::new(),
                (f, Some(l)) => format!("{}:{l}: ", sanitize(f)),
                (f, None) => format!("{}: ", sanitize(f)),
            };
            let _ = writeln!(out, "      {}  {place}{}", p.code, sanitize(&p.message));
        }
    }
}

fn write_exports(out: &mut String, exports: &[ExportResult], style: Style) {
    if exports.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nexport timeline (runId, startedAt)");
    for e in exports {
        let status = if e.ok() {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        };
        let codes: Vec<&str> = e.codes().iter().map(|c| c.as_str()).collect();
        let line = format!(
            "  {} {:<36}  {:<25}  {:<9}  {}  {}",
            style.mark(status),
            sanitize(e.run_id.as_deref().unwrap_or("?")),
            sanitize(e.started_at.as_deref().unwrap_or("?")),
            sanitize(e.status.as_deref().unwrap_or("?")),
            sanitize(&e.place()),
            codes.join(" ")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn write_signatures(out: &mut String, report: &VerificationReport, style: Style) {
    if report.signatures.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nsignatures");
    for env in &report.signatures {
        let status = match env.status {
            SignatureStatus::Failed => CheckStatus::Fail,
            _ => CheckStatus::Pass,
        };
        let key = env
            .signatures
            .iter()
            .find_map(|s| s.key.as_deref())
            .map(short)
            .unwrap_or_default();
        let failed = env
            .signatures
            .iter()
            .filter(|s| s.status == SignatureStatus::Failed)
            .count();
        let detail = match env.code {
            Some(code) => format!("{code} {}", sanitize(&env.message)),
            // A signature that does not verify beside one that does is shown, not hidden.
            None if failed > 0 => format!(
                "{key}; {failed} of {} signatures did not verify",
                env.signatures.len()
            ),
            None => key,
        };
        let _ = writeln!(
            out,
            "  {} {:<15}  {}  {}",
            style.mark(status),
            env.status.as_str(),
            sanitize(&env.file),
            detail
        );
    }
}

fn write_trust(out: &mut String, report: &VerificationReport) {
    let count = |t: KeyTrust| report.trust.with_trust(t).count();
    let _ = writeln!(
        out,
        "\ntrust    pinned {} · bundle-supplied {} · self-asserted {}{}",
        count(KeyTrust::Pinned),
        count(KeyTrust::BundleSupplied),
        count(KeyTrust::SelfAsserted),
        report
            .trust
            .policy
            .as_deref()
            .map(|p| format!("  (policy {})", sanitize(p)))
            .unwrap_or_default()
    );
}

fn write_verdict(out: &mut String, model: &Reconciled, style: Style) {
    let report = &model.verification;
    let verdict = match report.first_failure() {
        Some(c) => style.paint(
            "31",
            &format!(
                "FAILED at {}: {}",
                c.name,
                c.code.map(|c| c.as_str()).unwrap_or("")
            ),
        ),
        None if report.ok() => style.paint("32", &format!("OK ({})", report.profile)),
        None => style.paint("31", "FAILED"),
    };
    let _ = writeln!(out, "result   {verdict}");
    let untrusted = untrusted_signatures(report);
    if untrusted > 0 {
        let _ = writeln!(
            out,
            "         {untrusted} signature(s) verify only with keys the bundle supplies itself: \
             consistent, not trusted (pin keys with --trust FILE)"
        );
    }
}

/// Verified signatures (envelopes and exports) whose key is not pinned.
fn untrusted_signatures(report: &VerificationReport) -> usize {
    let untrusted = |s: SignatureStatus| {
        matches!(
            s,
            SignatureStatus::BundleSupplied | SignatureStatus::SelfAsserted
        )
    };
    let envelopes = report
        .signatures
        .iter()
        .flat_map(|e| &e.signatures)
        .filter(|s| untrusted(s.status));
    let exports = report
        .exports
        .iter()
        .flat_map(|e| &e.signatures)
        .filter(|s| untrusted(s.status));
    envelopes.count() + exports.count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic};
    use crate::verify::report::{names, Check};

    fn report() -> VerificationReport {
        VerificationReport {
            checks: vec![
                Check::pass(names::SCHEMA, "fine"),
                Check::from_problems(
                    names::FILE_DIGESTS,
                    vec![Diagnostic::new(
                        Code::FileMissing,
                        "canonical_bom.json",
                        "absent",
                    )],
                    "",
                ),
                Check::skipped(names::DSSE, "skipped: needs a file"),
            ],
            ..VerificationReport::default()
        }
    }

    #[test]
    fn json_has_the_contract_fields() {
        let v = report_json(&report());
        assert_eq!(v["profile"], "unknown");
        assert_eq!(v["ok"], false);
        assert_eq!(v["firstFailure"]["check"], "file-digests");
        assert_eq!(v["firstFailure"]["code"], "ERR_FILE_MISSING");
        assert_eq!(v["firstFailure"]["message"], "canonical_bom.json: absent");
        assert_eq!(v["checks"][0]["status"], "pass");
        assert_eq!(v["checks"][0]["code"], Value::Null);
        assert_eq!(v["checks"][2]["status"], "skipped");
        for key in ["pinned", "bundleSupplied", "selfAsserted"] {
            assert!(v["trust"][key].is_array(), "{key}");
        }
    }

    #[test]
    fn marks_do_not_depend_on_colour() {
        let plain = Style { color: false };
        assert_eq!(plain.mark(CheckStatus::Pass), "✔");
        assert_eq!(plain.mark(CheckStatus::Fail), "✘");
        assert_eq!(plain.mark(CheckStatus::Skipped), "–");
        assert!(Style { color: true }.mark(CheckStatus::Fail).contains('✘'));
    }
}
