//! Orchestrator exports (SPEC §5): single-object files and NDJSON streams of job/run records.
//!
//! Per record: schema (`ERR_EXPORT_SCHEMA`), hash formats (`ERR_EXPORT_HASH_FORMAT`), the
//! idempotency key `sha256(runId + artifactHash + tenantId)` (`ERR_EXPORT_IDEMPOTENCY`), the
//! status set (`ERR_EXPORT_STATUS`), `cas://` references (`ERR_EXPORT_EXTERNAL_URI`), the 1 MiB
//! limit (`ERR_EXPORT_TOO_LARGE`) and Ed25519 signatures over PAE of the record's JCS form
//! without `signatures`, failing closed (`ERR_EXPORT_SIGNATURE`). Across records, in stream
//! order (files by path, lines in order): the status transitions of each `runId`
//! (`ERR_EXPORT_STATUS`) and records sharing an `idempotencyKey` (`ERR_EXPORT_DUPLICATE`).

use super::dsse::{DsseError, Envelope, EnvelopeSignature};
use super::keyring::Keyring;
use super::schema::SchemaReader;
use super::signatures::{verify_dsse, SignatureOutcome};
use crate::bundle::Bundle;
use crate::diag::{Code, Diagnostic};
use crate::json::{self, jcs};
use crate::pipeline::collect::{CollectedFile, FileKind};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// PAE payload type the record signatures are over.
pub const EXPORT_PAYLOAD_TYPE: &str = "application/vnd.stellaops.orchestrator.export+json";
/// Largest record, in bytes of JSON.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// The statuses a record may have.
pub const STATUSES: [&str; 5] = ["pending", "running", "succeeded", "failed", "canceled"];
/// Fields in which a status update may differ from the record it updates.
const UPDATE_FIELDS: [&str; 4] = ["status", "completedAt", "logsPath", "signatures"];
const HASH_FIELDS: [&str; 3] = ["artifactHash", "policyHash", "idempotencyKey"];
const URI_FIELDS: [&str; 2] = ["manifestPath", "logsPath"];

/// One export record and what was found wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportResult {
    pub file: String,
    /// The 1-based line of an NDJSON record; `None` for a single-object file.
    pub line: Option<usize>,
    pub run_id: Option<String>,
    pub started_at: Option<String>,
    pub status: Option<String>,
    pub artifact_hash: Option<String>,
    /// One entry per `signatures[]` item that is well formed.
    pub signatures: Vec<SignatureOutcome>,
    /// Every problem, in the order found.
    pub problems: Vec<Diagnostic>,
    /// The record itself (absent when the line is not JSON).
    pub record: Option<Value>,
}

impl ExportResult {
    /// Whether the record passed every rule.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The distinct codes of the problems, in the order found.
    pub fn codes(&self) -> Vec<Code> {
        let mut codes: Vec<Code> = Vec::new();
        for p in &self.problems {
            if !codes.contains(&p.code) {
                codes.push(p.code);
            }
        }
        codes
    }

    /// `file` or `file:line`, for messages.
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }

    fn new(file: &str, line: Option<usize>) -> Self {
        ExportResult {
            file: file.to_string(),
            line,
            run_id: None,
            started_at: None,
            status: None,
            artifact_hash: None,
            signatures: Vec::new(),
            problems: Vec::new(),
            record: None,
        }
    }

    /// Records a problem, located at the record's line.
    fn push(&mut self, mut d: Diagnostic) {
        if let Some(line) = self.line {
            if d.line.is_none() {
                d = d.at_line(line, 1);
            }
        }
        self.problems.push(d);
    }

    fn report(&mut self, code: Code, pointer: &str, message: impl Into<String>) {
        let d = Diagnostic::new(code, &self.file, message).at(pointer);
        self.push(d);
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.record.as_ref()?.get(key)?.as_str()
    }
}

/// Validates every export record of the bundle and returns them in timeline order
/// `(runId, startedAt)`; records of one run keep their stream order.
pub fn validate(
    bundle: &Bundle,
    collected: &[CollectedFile],
    keyring: &Keyring,
) -> Vec<ExportResult> {
    let mut records = Vec::new();
    for file in collected {
        if !matches!(file.kind, FileKind::Export | FileKind::ExportStream) {
            continue;
        }
        let Some(bytes) = bundle.get(&file.path) else {
            continue;
        };
        match file.kind {
            FileKind::Export => records.push(read_record(&file.path, None, &bytes)),
            FileKind::ExportStream => records.extend(read_stream(&file.path, &bytes)),
            _ => {}
        }
    }
    for record in &mut records {
        check_record(record, keyring);
    }
    check_transitions(&mut records);
    check_duplicates(&mut records);
    sort_timeline(&mut records);
    records
}

/// Reads one record from its JSON text (a file or an NDJSON line).
fn read_record(file: &str, line: Option<usize>, bytes: &[u8]) -> ExportResult {
    let mut result = ExportResult::new(file, line);
    if bytes.len() > MAX_RECORD_BYTES {
        result.report(
            Code::ExportTooLarge,
            "",
            format!(
                "the record is {} bytes of JSON, more than the 1 MiB ({MAX_RECORD_BYTES} bytes) limit",
                bytes.len()
            ),
        );
    }
    match json::parse(bytes) {
        Ok(value) => result.record = Some(value),
        Err(mut e) => {
            if let Some(line) = line {
                e.line = line;
            }
            let d = e.into_diagnostic(file);
            result.push(d);
        }
    }
    result
}

/// Reads every non-blank line of an NDJSON stream; a bad line is a record with a problem.
fn read_stream(file: &str, bytes: &[u8]) -> Vec<ExportResult> {
    let body = json::strip_bom(bytes).unwrap_or(bytes);
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.iter().any(|b| !b.is_ascii_whitespace()))
        .map(|(i, line)| read_record(file, Some(i + 1), line))
        .collect()
}

/// The per-record rules.
fn check_record(result: &mut ExportResult, keyring: &Keyring) {
    let Some(record) = result.record.take() else {
        return;
    };
    if record.is_object() {
        check_schema(result, &record);
        check_hashes(result, &record);
        check_idempotency(result, &record);
        check_status(result);
        check_uris(result, &record);
        check_signatures(result, &record, keyring);
    } else {
        result.report(Code::ExportSchema, "", "an export record is a JSON object");
    }
    result.record = Some(record);
}

fn check_schema(result: &mut ExportResult, record: &Value) {
    let mut r = SchemaReader::new(record, Code::ExportSchema, &result.file);
    result.run_id = r.string("/runId").map(str::to_string);
    result.artifact_hash = r.string("/artifactHash").map(str::to_string);
    result.started_at = r.timestamp("/startedAt").map(str::to_string);
    result.status = r.string("/status").map(str::to_string);
    if let Some(completed) = r.optional_string("/completedAt") {
        r.check_timestamp("/completedAt", completed);
    }
    for key in [
        "policyHash",
        "idempotencyKey",
        "tenantId",
        "jobType",
        "environment",
    ] {
        r.optional_string(&format!("/{key}"));
    }
    for key in URI_FIELDS {
        r.optional_string(&format!("/{key}"));
    }
    for d in r.problems {
        result.push(d);
    }
}

/// `^sha256:[A-Fa-f0-9]{64}$`.
pub fn is_hash_ref(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn check_hashes(result: &mut ExportResult, record: &Value) {
    for key in HASH_FIELDS {
        if let Some(value) = record.get(key).and_then(Value::as_str) {
            if !value.trim().is_empty() && !is_hash_ref(value) {
                result.report(
                    Code::ExportHashFormat,
                    &format!("/{key}"),
                    format!("`{key}` must match ^sha256:[A-Fa-f0-9]{{64}}$, found {value:?}"),
                );
            }
        }
    }
}

/// `"sha256:" + hex(SHA-256(runId + artifactHash + tenantId))`, missing `tenantId` as empty.
pub fn idempotency_key(run_id: &str, artifact_hash: &str, tenant_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(run_id.as_bytes());
    hasher.update(artifact_hash.as_bytes());
    hasher.update(tenant_id.as_bytes());
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn check_idempotency(result: &mut ExportResult, record: &Value) {
    let field = |k: &str| record.get(k).and_then(Value::as_str);
    let (Some(key), Some(run), Some(artifact)) = (
        field("idempotencyKey"),
        field("runId"),
        field("artifactHash"),
    ) else {
        return;
    };
    if !is_hash_ref(key) {
        return; // already a hash-format problem
    }
    let tenant = field("tenantId").unwrap_or("");
    let expected = idempotency_key(run, artifact, tenant);
    if key.to_ascii_lowercase() == expected {
        return;
    }
    let hint =
        if !tenant.is_empty() && key.to_ascii_lowercase() == idempotency_key(run, artifact, "") {
            " (it was computed without tenantId)"
        } else {
            ""
        };
    result.report(
        Code::ExportIdempotency,
        "/idempotencyKey",
        format!(
            "idempotencyKey is {key}, sha256(runId + artifactHash + tenantId) is {expected}{hint}"
        ),
    );
}

fn check_status(result: &mut ExportResult) {
    if let Some(status) = result.status.clone() {
        if !STATUSES.contains(&status.as_str()) {
            result.report(
                Code::ExportStatus,
                "/status",
                format!("status {status:?} is not one of {}", STATUSES.join(", ")),
            );
        }
    }
}

fn check_uris(result: &mut ExportResult, record: &Value) {
    for key in URI_FIELDS {
        let Some(uri) = record.get(key).and_then(Value::as_str) else {
            continue;
        };
        let is_cas = uri
            .get(..6)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("cas://"))
            && uri.len() > 6;
        if !is_cas {
            result.report(
                Code::ExportExternalUri,
                &format!("/{key}"),
                format!("`{key}` must be a cas:// reference inside the offline kit, found {uri:?}"),
            );
        }
    }
}

/// Every `signatures[]` item must be a `dsse` Ed25519 signature that verifies with an available
/// key; anything else fails closed. An empty array claims nothing and passes.
fn check_signatures(result: &mut ExportResult, record: &Value, keyring: &Keyring) {
    let Some(items) = record.get("signatures") else {
        return;
    };
    let Some(items) = items.as_array() else {
        result.report(
            Code::ExportSignature,
            "/signatures",
            "`signatures` must be an array",
        );
        return;
    };
    let mut unsigned = record.clone();
    if let Some(obj) = unsigned.as_object_mut() {
        obj.remove("signatures");
    }
    let mut signatures = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match signature_item(item) {
            Ok(sig) => signatures.push(sig),
            Err(why) => result.report(Code::ExportSignature, &format!("/signatures/{i}"), why),
        }
    }
    let envelope = Envelope {
        payload_type: EXPORT_PAYLOAD_TYPE.into(),
        payload: jcs::canonical_bytes(&unsigned),
        signatures,
    };
    let outcome = verify_dsse(&envelope, keyring, |_| true);
    let available = keyring.entries().len();
    for s in outcome.signatures.iter().filter(|s| s.key.is_none()) {
        let why = if let Err(e @ DsseError::CheckBudget { .. }) = &outcome.verdict {
            format!("{e} (fail closed)")
        } else if available == 0 {
            "no key available to verify it (fail closed)".to_string()
        } else {
            format!("does not verify with any of {available} available key(s) (fail closed)")
        };
        result.report(
            Code::ExportSignature,
            &format!("/signatures/{}", s.index),
            format!("signature {}: {why}", s.index),
        );
    }
    result.signatures = outcome.signatures;
}

/// `{type: "dsse", keyId, signature}` → the signature to check (keyId is a hint only).
fn signature_item(item: &Value) -> Result<EnvelopeSignature, String> {
    if item.get("type").and_then(Value::as_str) != Some("dsse") {
        return Err("signature `type` must be \"dsse\"".into());
    }
    let encoded = item
        .get("signature")
        .and_then(Value::as_str)
        .ok_or("signature item lacks a `signature` string")?;
    let sig =
        super::decode_base64_any(encoded).map_err(|e| format!("signature is not base64 ({e})"))?;
    let keyid = item
        .get("keyId")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(EnvelopeSignature { keyid, sig })
}

/// `pending → running → succeeded|failed|canceled`: a repeated status is a replay or update.
fn allowed_transition(from: &str, to: &str) -> bool {
    from == to
        || (from == "pending" && to == "running")
        || (from == "running" && matches!(to, "succeeded" | "failed" | "canceled"))
}

/// The records of one `runId`, in stream order, only move forward.
fn check_transitions(records: &mut [ExportResult]) {
    let mut state: HashMap<String, String> = HashMap::new();
    for r in records.iter_mut() {
        let (Some(run), Some(status)) = (r.run_id.clone(), r.status.clone()) else {
            continue;
        };
        if !STATUSES.contains(&status.as_str()) {
            continue;
        }
        match state.get(&run) {
            Some(previous) if !allowed_transition(previous, &status) => {
                let previous = previous.clone();
                r.report(
                    Code::ExportStatus,
                    "/status",
                    format!(
                        "run {run} moves from {previous} to {status}; runs only move \
                         pending → running → succeeded|failed|canceled"
                    ),
                );
            }
            _ => {
                state.insert(run, status);
            }
        }
    }
}

/// Records sharing an `idempotencyKey`: identical (a replay) or differing only in
/// [`UPDATE_FIELDS`] (a status update) are fine; anything else is `ERR_EXPORT_DUPLICATE`.
fn check_duplicates(records: &mut [ExportResult]) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for i in 0..records.len() {
        let Some(key) = records[i]
            .str_field("idempotencyKey")
            .filter(|k| is_hash_ref(k))
            .map(str::to_ascii_lowercase)
        else {
            continue;
        };
        let Some(&j) = first.get(&key) else {
            first.insert(key, i);
            continue;
        };
        let (Some(a), Some(b)) = (&records[j].record, &records[i].record) else {
            continue;
        };
        let differing = differing_fields(a, b);
        if !differing.is_empty() {
            let earlier = records[j].place();
            records[i].report(
                Code::ExportDuplicate,
                "/idempotencyKey",
                format!(
                    "same idempotencyKey as {earlier} but differs in {} (only status, \
                     completedAt, logsPath and signatures may change)",
                    differing.join(", ")
                ),
            );
        }
    }
}

/// Top-level fields, other than [`UPDATE_FIELDS`], whose values differ between `a` and `b`.
fn differing_fields(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["the record".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !UPDATE_FIELDS.contains(&k.as_str()) && a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Timeline order: `(runId, startedAt)`, records without a runId last; stable otherwise.
fn sort_timeline(records: &mut [ExportResult]) {
    records.sort_by_cached_key(|r| {
        let started = r
            .started_at
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp_nanos_opt().unwrap_or(i64::MAX));
        (r.run_id.is_none(), r.run_id.clone(), started)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::collect::collect_file;
    use crate::pipeline::index::DigestKey;
    use crate::verify::dsse::pae;
    use crate::verify::keyring::{KeyOrigin, KeyTrust};
    use crate::verify::keys::PublicKey;
    use crate::verify::signatures::SignatureStatus;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use ed25519_dalek::{Signer, SigningKey};
    use serde_json::json;

    const ART: &str = "sha256:f58b45cec7134d0e231a8d4c9681d55d17d59d70d0b54edeeaad2ac72ae2559c";

    fn record(run: &str, status: &str) -> Value {
        json!({"runId": run, "jobType": "scan", "artifactHash": ART, "tenantId": "acme",
               "startedAt": "2026-02-01T10:00:00Z", "status": status,
               "idempotencyKey": idempotency_key(run, ART, "acme"),
               "manifestPath": "cas://sha256/abc/manifest.json"})
    }

    fn signer() -> SigningKey {
        SigningKey::from_bytes(&[42; 32])
    }

    fn sign(mut r: Value, key: &SigningKey) -> Value {
        let message = pae(EXPORT_PAYLOAD_TYPE, &jcs::canonical_bytes(&r));
        let sig = STANDARD.encode(key.sign(&message).to_bytes());
        r["signatures"] = json!([{"type": "dsse", "keyId": "k", "signature": sig}]);
        r
    }

    fn ring() -> Keyring {
        let mut ring = Keyring::new();
        ring.add(
            PublicKey::Ed25519(signer().verifying_key()),
            KeyOrigin {
                trust: KeyTrust::BundleSupplied,
                keyid: None,
                file: "keys/k.pub".into(),
                pointer: String::new(),
            },
        );
        ring
    }

    /// Validates a bundle of `(path, bytes)` files.
    fn run(files: &[(&str, Vec<u8>)]) -> Vec<ExportResult> {
        let bundle = Bundle::from_files(files);
        let collected: Vec<CollectedFile> = bundle
            .files
            .iter()
            .map(|f| collect_file(&f.path, &f.bytes, DigestKey::sha256_of(&f.bytes)))
            .collect();
        validate(&bundle, &collected, &ring())
    }

    fn one(v: Value) -> ExportResult {
        let out = run(&[("e.json", v.to_string().into_bytes())]);
        assert_eq!(out.len(), 1);
        out.into_iter().next().unwrap()
    }

    fn stream(lines: &[Value]) -> Vec<ExportResult> {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        run(&[("runs.ndjson", text.into_bytes())])
    }

    #[test]
    fn a_complete_signed_record_passes() {
        let r = one(sign(record("r1", "succeeded"), &signer()));
        assert!(r.ok(), "{:?}", r.problems);
        assert_eq!(r.signatures[0].status, SignatureStatus::BundleSupplied);
        assert_eq!(r.run_id.as_deref(), Some("r1"));
    }

    #[test]
    fn schema_requires_run_artifact_start_and_status() {
        // A file without runId and artifactHash is not an export at all; a stream line is.
        for key in ["runId", "artifactHash", "startedAt", "status"] {
            let mut v = record("r2", "running");
            v.as_object_mut().unwrap().remove(key);
            let out = stream(&[record("r1", "running"), v]);
            let bad = out.iter().find(|r| !r.ok()).expect(key);
            assert!(bad.codes().contains(&Code::ExportSchema), "{key}");
        }
        let mut v = record("r1", "running");
        v["startedAt"] = json!("yesterday");
        assert_eq!(one(v).codes(), [Code::ExportSchema]);
    }

    #[test]
    fn hash_fields_need_the_sha256_prefix_and_64_hex() {
        let mut v = record("r1", "running");
        v["policyHash"] = json!(format!("sha256:{}", "A".repeat(64)));
        assert!(one(v.clone()).ok(), "uppercase hex is allowed");
        v["policyHash"] = json!("a".repeat(64));
        assert_eq!(one(v).codes(), [Code::ExportHashFormat]);
    }

    #[test]
    fn idempotency_key_includes_the_tenant() {
        let mut v = record("r1", "running");
        v["idempotencyKey"] = json!(idempotency_key("r1", ART, ""));
        let r = one(v.clone());
        assert_eq!(r.codes(), [Code::ExportIdempotency]);
        assert!(r.problems[0].message.contains("without tenantId"));
        // Without a tenantId the empty string is right.
        v.as_object_mut().unwrap().remove("tenantId");
        assert!(one(v).ok());
    }

    #[test]
    fn status_must_be_known() {
        assert_eq!(one(record("r1", "done")).codes(), [Code::ExportStatus]);
        assert!(one(record("r1", "canceled")).ok());
    }

    #[test]
    fn transitions_only_move_forward() {
        let good = stream(&[
            record("r1", "pending"),
            record("r1", "running"),
            record("r1", "failed"),
        ]);
        assert!(good.iter().all(ExportResult::ok), "{good:?}");
        let back = stream(&[
            record("r1", "running"),
            record("r1", "succeeded"),
            record("r1", "running"),
        ]);
        assert_eq!(back[2].codes(), [Code::ExportStatus]);
        assert_eq!(back[2].problems[0].line, Some(3));
        let skip = stream(&[record("r1", "pending"), record("r1", "succeeded")]);
        assert_eq!(skip[1].codes(), [Code::ExportStatus]);
    }

    #[test]
    fn replays_and_status_updates_pass_other_differences_are_duplicates() {
        let mut update = record("r1", "succeeded");
        update["completedAt"] = json!("2026-02-01T10:05:00Z");
        update["logsPath"] = json!("cas://sha256/def/logs.ndjson");
        let out = stream(&[record("r1", "running"), record("r1", "running"), update]);
        assert!(out.iter().all(ExportResult::ok), "{out:?}");

        let mut changed = record("r1", "running");
        changed["jobType"] = json!("policy-sim");
        let out = stream(&[record("r1", "running"), changed]);
        assert_eq!(out[1].codes(), [Code::ExportDuplicate]);
        assert!(out[1].problems[0].message.contains("jobType"));
    }

    #[test]
    fn paths_must_be_cas_references() {
        let mut v = record("r1", "running");
        v["logsPath"] = json!("https://logs.example.com/r1");
        assert_eq!(one(v.clone()).codes(), [Code::ExportExternalUri]);
        v["logsPath"] = json!("CAS://sha256/x");
        assert!(one(v).ok());
    }

    #[test]
    fn more_than_one_mebibyte_is_too_large() {
        let mut v = record("r1", "running");
        v["jobType"] = json!("x".repeat(MAX_RECORD_BYTES));
        assert_eq!(one(v).codes(), [Code::ExportTooLarge]);
    }

    #[test]
    fn tampered_unknown_and_malformed_signatures_fail_closed() {
        let mut tampered = sign(record("r1", "succeeded"), &signer());
        tampered["jobType"] = json!("mirror-build");
        assert_eq!(one(tampered).codes(), [Code::ExportSignature]);
        let stranger = sign(record("r1", "succeeded"), &SigningKey::from_bytes(&[1; 32]));
        assert_eq!(one(stranger).codes(), [Code::ExportSignature]);
        let mut wrong_type = sign(record("r1", "succeeded"), &signer());
        wrong_type["signatures"][0]["type"] = json!("x509");
        assert_eq!(one(wrong_type).codes(), [Code::ExportSignature]);
        let mut empty = record("r1", "succeeded");
        empty["signatures"] = json!([]);
        assert!(one(empty).ok());
    }

    #[test]
    fn a_bad_ndjson_line_is_reported_by_number_and_the_rest_counts() {
        let text = format!(
            "{}\n{{\"runId\": \n\n{}\n",
            record("a", "running"),
            record("b", "running")
        );
        let out = run(&[("runs.ndjson", text.into_bytes())]);
        assert_eq!(out.len(), 3);
        let bad = out.iter().find(|r| !r.ok()).unwrap();
        assert_eq!(bad.codes(), [Code::JsonParse]);
        assert_eq!(bad.problems[0].line, Some(2));
        assert_eq!(out.iter().filter(|r| r.ok()).count(), 2);
    }

    #[test]
    fn timeline_is_ordered_by_run_then_start() {
        let mut late = record("a", "running");
        late["startedAt"] = json!("2026-02-01T12:00:00+02:00");
        late["idempotencyKey"] = json!(idempotency_key("a", ART, "acme"));
        let mut early = record("a", "running");
        early["startedAt"] = json!("2026-02-01T09:00:00Z");
        let out = stream(&[record("b", "running"), late, early]);
        let order: Vec<(Option<&str>, Option<&str>)> = out
            .iter()
            .map(|r| (r.run_id.as_deref(), r.started_at.as_deref()))
            .collect();
        assert_eq!(
            order,
            [
                (Some("a"), Some("2026-02-01T09:00:00Z")),
                (Some("a"), Some("2026-02-01T12:00:00+02:00")),
                (Some("b"), Some("2026-02-01T10:00:00Z"))
            ]
        );
    }
}
