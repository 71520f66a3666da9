//! DSSE envelopes and in-toto Statements (v0.1 and v1): subjects with digests, predicate type
//! and predicate. An SBOM or VEX carried as the predicate is collected like a file of its own.
//!
//! Pointers below `/payload` address the *decoded* payload (the envelope stores it as base64).

use super::{
    collect_document, sniff::classify, Attestation, Content, Ctx, Document, FileKind, Signature,
    Subject,
};
use crate::diag::{pointer_join, Code, Severity};
use crate::json::tape::J;
use crate::pipeline::index::{DigestAlgorithm, DigestKey};
use crate::pipeline::normalise::{self, Profile};

/// The in-toto Statement types accepted.
pub const STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
];
/// Classic in-toto metadata (`_type` link/layout) is signed with the same payload type.
const CLASSIC_TYPES: [&str; 2] = ["link", "layout"];

/// Collects an envelope (or a bare statement) and any document carried as its predicate.
pub fn collect(ctx: &mut Ctx, kind: FileKind, value: J<'_, '_>, pointer: &str) -> Vec<Document> {
    let (attestation, carried) = match kind {
        FileKind::Dsse => match read_envelope(ctx, value, pointer) {
            Some(read) => read,
            None => return Vec::new(),
        },
        _ => {
            let mut attestation = bare_attestation();
            read_statement(ctx, value, pointer, &mut attestation);
            let carried = collect_predicate(ctx, value, pointer);
            (attestation, carried)
        }
    };
    let mut docs = vec![Document {
        file: ctx.file.clone(),
        pointer: pointer.to_string(),
        kind,
        normalised_digest: normalise::normalised_digest_of(value, Profile::Generic),
        content: Content::Attestation(attestation),
    }];
    docs.extend(carried);
    docs
}

fn bare_attestation() -> Attestation {
    Attestation {
        payload_type: None,
        payload: Vec::new(),
        statement_type: None,
        predicate_type: None,
        subjects: Vec::new(),
        signatures: Vec::new(),
        enveloped: false,
        verified_by: Vec::new(),
    }
}

/// Reads the envelope and, for an in-toto payload, its statement; returns the attestation and
/// the documents its predicate carries.
fn read_envelope(
    ctx: &mut Ctx,
    env: J<'_, '_>,
    base: &str,
) -> Option<(Attestation, Vec<Document>)> {
    let payload_type = ctx.required_str(env, base, "payloadType")?.to_string();
    let payload_b64 = ctx.required_str(env, base, "payload")?;
    let signatures = read_signatures(ctx, env, base);
    let Some(payload) = decode_base64(payload_b64) else {
        ctx.report(
            Code::DssePayload,
            pointer_join(base, "payload"),
            "payload is not valid base64 (standard or URL-safe)",
        );
        return None;
    };
    let mut att = Attestation {
        payload_type: Some(payload_type),
        signatures,
        enveloped: true,
        ..bare_attestation()
    };
    let mut carried = Vec::new();
    if att.payload_type.as_deref() == Some("application/vnd.in-toto+json") {
        match crate::json::parse_doc(&payload) {
            Ok(statement) => {
                let base = format!("{base}/payload");
                read_statement(ctx, statement.root(), &base, &mut att);
                carried = collect_predicate(ctx, statement.root(), &base);
            }
            Err(e) => {
                let at = format!("{base}/payload{}", e.pointer);
                // A duplicate key in signed content keeps its own code: it is the classic way to
                // make two readers see two different documents under one signature.
                let code = match e.code {
                    Code::JsonDuplicateKey => Code::JsonDuplicateKey,
                    _ => Code::DssePayload,
                };
                ctx.report(
                    code,
                    at,
                    format!("payload is not valid JSON: {}", e.message),
                );
            }
        }
    }
    att.payload = payload;
    Some((att, carried))
}

fn read_signatures(ctx: &mut Ctx, env: J<'_, '_>, base: &str) -> Vec<Signature> {
    let mut out = Vec::new();
    let sigs: Vec<J<'_, '_>> = ctx.optional_array(env, base, "signatures").collect();
    if sigs.is_empty() {
        ctx.schema(
            pointer_join(base, "signatures"),
            "an envelope needs at least one signature",
        );
    }
    for (i, s) in sigs.into_iter().enumerate() {
        let sp = format!("{base}/signatures/{i}");
        if let Some(sig) = ctx.required_str(s, &sp, "sig") {
            let keyid = ctx
                .optional_str(s, &sp, "keyid")
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            out.push(Signature {
                keyid,
                sig: sig.to_string(),
            });
        }
    }
    out
}

fn read_statement(ctx: &mut Ctx, stmt: J<'_, '_>, base: &str, att: &mut Attestation) {
    let ty = stmt.get("_type").and_then(J::as_str);
    match ty {
        Some(t) if STATEMENT_TYPES.contains(&t) => att.statement_type = Some(t.to_string()),
        Some(t) if CLASSIC_TYPES.contains(&t) => {
            att.statement_type = Some(format!("in-toto-{t}"));
            return;
        }
        _ => {
            let why = match (ty, stmt.get("type")) {
                (None, Some(_)) => {
                    "payload uses `type` instead of `_type`; not a valid in-toto Statement"
                        .to_string()
                }
                (None, None) => "payload has no `_type`; not an in-toto Statement".to_string(),
                (Some(t), _) => format!("unknown in-toto `_type` {t:?}"),
            };
            ctx.report(Code::DssePayload, pointer_join(base, "_type"), why);
            return;
        }
    }
    att.predicate_type = ctx
        .optional_str(stmt, base, "predicateType")
        .map(str::to_string);
    let subjects: Vec<J<'_, '_>> = ctx.optional_array(stmt, base, "subject").collect();
    for (i, s) in subjects.into_iter().enumerate() {
        att.subjects
            .push(read_subject(ctx, s, &format!("{base}/subject/{i}")));
    }
}

fn read_subject(ctx: &mut Ctx, s: J<'_, '_>, sp: &str) -> Subject {
    let name = s.get("name").and_then(J::as_str).map(str::to_string);
    let mut digests = Vec::new();
    match s.get("digest") {
        Some(digest) if digest.is_object() => {
            let mut listed = 0;
            for (alg, hex) in digest.as_object().into_iter().flatten() {
                listed += 1;
                if DigestAlgorithm::from_name(alg).is_none() {
                    continue; // sha1, gitCommit, …: valid in in-toto, not usable as an id
                }
                match hex.as_str().map(|h| DigestKey::from_named(alg, h)) {
                    Some(Ok(k)) => digests.push(k),
                    _ => ctx.report(
                        Code::DigestFormat,
                        format!("{sp}/digest/{}", crate::diag::escape_pointer_token(alg)),
                        format!("subject digest {alg} is not valid hex of the right length"),
                    ),
                }
            }
            if digests.is_empty() && listed > 0 {
                let d = crate::diag::Diagnostic::new(
                    Code::DigestFormat,
                    ctx.file.clone(),
                    "subject has no sha256/sha384/sha512 digest; it cannot be indexed",
                )
                .at(format!("{sp}/digest"))
                .with_severity(Severity::Warning);
                ctx.diagnostics.push(d);
            }
        }
        Some(other) => ctx.schema(
            format!("{sp}/digest"),
            format!(
                "subject `digest` must be an object, found {}",
                other.type_name()
            ),
        ),
        None => ctx.schema(format!("{sp}/digest"), "subject has no `digest`"),
    }
    digests.sort();
    Subject { name, digests }
}

/// A predicate that is itself an SBOM or VEX document is collected as one.
fn collect_predicate(ctx: &mut Ctx, stmt: J<'_, '_>, base: &str) -> Vec<Document> {
    let Some(pred) = stmt.get("predicate").filter(|p| p.is_object()) else {
        return Vec::new();
    };
    let kind = classify("", "", pred);
    let carried = matches!(
        kind,
        FileKind::Cyclonedx | FileKind::Spdx | FileKind::Openvex | FileKind::Csaf
    );
    if !carried {
        return Vec::new();
    }
    let pointer = format!("{base}/predicate");
    let mut inner = Ctx::new(&ctx.file);
    let docs = collect_document(&mut inner, kind, pred, &pointer);
    ctx.diagnostics
        .extend(inner.diagnostics.into_iter().map(|d| {
            let file = d.file.clone();
            d.nested_in(&file, &pointer)
        }));
    docs
}

/// Decodes standard or URL-safe base64, padded or not (the same rule signatures are read by).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    crate::verify::decode_base64_any(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    use serde_json::json;
    use serde_json::Value;

    fn envelope(payload: &Value, engine: &base64::engine::GeneralPurpose) -> Value {
        json!({"payloadType": "application/vnd.in-toto+json", "payload": engine.encode(payload.to_string()),
               "signatures": [{"keyid": "k", "sig": "AAAA"}]})
    }

    fn statement() -> Value {
        json!({"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
               "subject": [{"name": "img", "digest": {"sha256": "AB".repeat(32), "gitCommit": "abc"}}], "predicate": {}})
    }

    #[test]
    fn subjects_and_signatures_from_either_base64_alphabet() {
        for engine in [&STANDARD, &URL_SAFE_NO_PAD] {
            let mut ctx = Ctx::new("a.json");
            let docs = crate::json::tape::with_value(&envelope(&statement(), engine), |j| {
                collect(&mut ctx, FileKind::Dsse, j, "")
            });
            assert!(ctx.diagnostics.is_empty(), "{:?}", ctx.diagnostics);
            let Content::Attestation(att) = &docs[0].content else {
                panic!()
            };
            assert_eq!(
                att.subjects[0].digests[0].to_string(),
                format!("sha256:{}", "ab".repeat(32))
            );
            assert_eq!(att.signatures[0].keyid.as_deref(), Some("k"));
            assert_eq!(
                att.predicate_type.as_deref(),
                Some("https://slsa.dev/provenance/v1")
            );
        }
    }

    #[test]
    fn a_carried_sbom_becomes_a_document() {
        let mut stmt = statement();
        stmt["predicateType"] = json!("https://cyclonedx.org/bom");
        stmt["predicate"] = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "x", "scope": "bad"}]});
        let mut ctx = Ctx::new("a.json");
        let docs = crate::json::tape::with_value(&envelope(&stmt, &STANDARD), |j| {
            collect(&mut ctx, FileKind::Dsse, j, "")
        });
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].pointer, "/payload/predicate");
        assert!(matches!(docs[1].content, Content::Sbom(_)));
        assert_eq!(
            ctx.diagnostics[0].pointer,
            "/payload/predicate/components/0/scope"
        );
    }

    #[test]
    fn wrong_type_field_is_a_payload_diagnostic() {
        let mut stmt = statement();
        let ty = stmt.as_object_mut().unwrap().remove("_type").unwrap();
        stmt["type"] = ty;
        let mut ctx = Ctx::new("a.json");
        let docs = crate::json::tape::with_value(&envelope(&stmt, &STANDARD), |j| {
            collect(&mut ctx, FileKind::Dsse, j, "")
        });
        assert_eq!(docs.len(), 1);
        assert_eq!(ctx.diagnostics[0].code, Code::DssePayload);
        assert_eq!(ctx.diagnostics[0].pointer, "/payload/_type");
    }

    #[test]
    fn bad_base64_and_bad_digest() {
        let mut ctx = Ctx::new("a.json");
        let env = json!({"payloadType": "x", "payload": "!!!", "signatures": [{"sig": "AA"}]});
        assert!(
            crate::json::tape::with_value(&env, |j| collect(&mut ctx, FileKind::Dsse, j, ""))
                .is_empty()
        );
        assert_eq!(ctx.diagnostics[0].code, Code::DssePayload);

        let mut stmt = statement();
        stmt["subject"][0]["digest"] = json!({"sha256": "xyz"});
        let mut ctx = Ctx::new("a.json");
        crate::json::tape::with_value(&envelope(&stmt, &STANDARD), |j| {
            collect(&mut ctx, FileKind::Dsse, j, "")
        });
        assert_eq!(ctx.diagnostics[0].code, Code::DigestFormat);
        assert_eq!(
            ctx.diagnostics[0].pointer,
            "/payload/subject/0/digest/sha256"
        );
    }
}
