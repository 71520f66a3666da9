//! Builders for small in-memory bundles with VEX documents in the three formats.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use evx::bundle::{Bundle, BundleFile};
use evx::pipeline::{self, Options, Reconciled, VexDecision};
use evx::progress::NoProgress;
use evx::trust::TrustPolicy;
use evx::verify::keyring::TrustFile;
use serde_json::{json, Value};
use std::path::PathBuf;

/// An in-memory bundle of `(path, bytes)` files.
pub fn bundle(files: Vec<(String, Vec<u8>)>) -> Bundle {
    let files = files
        .into_iter()
        .map(|(path, bytes)| BundleFile::new(path, bytes))
        .collect();
    Bundle::in_memory(PathBuf::from("memory"), files)
}

/// Reconciles `files` with an optional pinned trust policy.
pub fn reconcile(files: Vec<(&str, Value)>, policy: Option<TrustFile>) -> Reconciled {
    let files = files
        .into_iter()
        .map(|(p, v)| (p.to_string(), serde_json::to_vec_pretty(&v).unwrap()))
        .collect();
    reconcile_bytes(files, policy)
}

/// Reconciles raw files.
pub fn reconcile_bytes(files: Vec<(String, Vec<u8>)>, policy: Option<TrustFile>) -> Reconciled {
    let options = match policy {
        Some(file) => Options::default().with_trust(file),
        None => Options::default(),
    };
    pipeline::reconcile(&bundle(files), &options, &NoProgress)
}

/// The one decision about `vulnerability` (a group name).
pub fn decision<'a>(model: &'a Reconciled, vulnerability: &str) -> &'a VexDecision {
    model
        .decisions
        .iter()
        .find(|d| d.vulnerability == vulnerability)
        .unwrap_or_else(|| panic!("no decision for {vulnerability}: {:#?}", model.decisions))
}

/// An OpenVEX 0.2 statement with the texts its status needs.
pub fn ov_statement(
    vulnerability: &str,
    product: &str,
    status: &str,
    timestamp: Option<&str>,
) -> Value {
    let mut s = json!({"vulnerability": {"name": vulnerability}, "products": [{"@id": product}], "status": status});
    match status {
        "not_affected" => s["justification"] = json!("vulnerable_code_not_present"),
        "affected" => s["action_statement"] = json!("upgrade"),
        _ => {}
    }
    if let Some(t) = timestamp {
        s["timestamp"] = json!(t);
    }
    s
}

/// An OpenVEX 0.2 document.
pub fn openvex(
    id: &str,
    author: &str,
    role: Option<&str>,
    timestamp: &str,
    statements: Vec<Value>,
) -> Value {
    let mut doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": format!("https://vex.example/{id}"),
        "author": author, "timestamp": timestamp, "version": 1, "statements": statements,
    });
    if let Some(role) = role {
        doc["role"] = json!(role);
    }
    doc
}

/// One CSAF claim: (cve, product_status key, purl).
pub type CsafClaim<'a> = (&'a str, &'a str, &'a str);

/// A CSAF 2.0 VEX document. Each distinct purl becomes one product (ids by sorted purl, so
/// that claim order does not rename products); each claim one listing.
pub fn csaf(publisher: (&str, &str, &str), date: &str, claims: &[CsafClaim]) -> Value {
    let (category, name, namespace) = publisher;
    let mut purls: Vec<&str> = Vec::new();
    for (_, _, purl) in claims {
        if !purls.contains(purl) {
            purls.push(purl);
        }
    }
    purls.sort();
    let pid = |purl: &str| format!("PID-{}", purls.iter().position(|p| *p == purl).unwrap_or(0));
    let products: Vec<Value> = purls
        .iter()
        .map(|p| json!({"product_id": pid(p), "name": p, "product_identification_helper": {"purl": p}}))
        .collect();
    let mut cves: Vec<&str> = Vec::new();
    for (cve, _, _) in claims {
        if !cves.contains(cve) {
            cves.push(cve);
        }
    }
    let vulnerabilities: Vec<Value> = cves
        .iter()
        .map(|cve| {
            let mut status = serde_json::Map::new();
            let mut flags = Vec::new();
            let mut remediations = Vec::new();
            for (c, key, purl) in claims.iter().filter(|(c, _, _)| c == cve) {
                let _ = c;
                let list = status.entry(key.to_string()).or_insert_with(|| json!([]));
                list.as_array_mut().unwrap().push(json!(pid(purl)));
                match *key {
                    "known_not_affected" => flags.push(json!({"label": "component_not_present", "product_ids": [pid(purl)]})),
                    "known_affected" => remediations.push(json!({"category": "vendor_fix", "details": "upgrade", "product_ids": [pid(purl)]})),
                    _ => {}
                }
            }
            json!({"cve": cve, "notes": [{"category": "description", "text": "t"}], "product_status": status,
                   "flags": flags, "remediations": remediations})
        })
        .collect();
    json!({
        "document": {
            "category": "csaf_vex", "csaf_version": "2.0", "title": "t",
            "publisher": {"category": category, "name": name, "namespace": namespace},
            "tracking": {"id": format!("{name}-1"), "status": "final", "version": "1",
                         "initial_release_date": date, "current_release_date": date,
                         "revision_history": [{"date": date, "number": "1", "summary": "s"}]}
        },
        "product_tree": {"full_product_names": products},
        "vulnerabilities": vulnerabilities,
    })
}

/// A CycloneDX 1.6 BOM: `components` as (bom-ref, purl), `vulnerabilities` as given.
pub fn cyclonedx(
    serial: &str,
    supplier: &str,
    components: &[(&str, &str)],
    vulnerabilities: Vec<Value>,
) -> Value {
    let components: Vec<Value> = components
        .iter()
        .map(|(r, purl)| json!({"type": "library", "bom-ref": r, "name": r, "version": "1", "purl": purl}))
        .collect();
    let mut bom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": format!("urn:uuid:{serial}"), "version": 1,
        "metadata": {"timestamp": "2024-01-01T00:00:00Z", "supplier": {"name": supplier}},
        "components": components,
    });
    if !vulnerabilities.is_empty() {
        bom["vulnerabilities"] = json!(vulnerabilities);
    }
    bom
}

/// A CycloneDX vulnerability with an analysis.
pub fn cdx_vulnerability(id: &str, state: &str, refs: &[&str], last_updated: &str) -> Value {
    let affects: Vec<Value> = refs.iter().map(|r| json!({"ref": r})).collect();
    json!({"id": id, "analysis": {"state": state, "lastUpdated": last_updated}, "affects": affects})
}

/// The demo-style deterministic signing key for tests.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// A DSSE envelope carrying `predicate` in an in-toto Statement, signed by `signer` and
/// naming `keyid` as its hint.
pub fn signed_envelope(signer: &SigningKey, keyid: &str, predicate: Value) -> Value {
    let statement = json!({"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://openvex.dev/ns/v0.2.0",
                           "subject": [{"name": "img", "digest": {"sha256": "ab".repeat(32)}}], "predicate": predicate});
    let payload = serde_json::to_vec(&statement).unwrap();
    let payload_type = "application/vnd.in-toto+json";
    let sig = signer
        .sign(&evx::verify::dsse::pae(payload_type, &payload))
        .to_bytes();
    json!({"payloadType": payload_type, "payload": STANDARD.encode(&payload),
           "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig)}]})
}

/// A trust policy pinning `key` as `keyid` with the given issuer rules.
pub fn policy(key: &SigningKey, keyid: &str, issuers: Value) -> TrustFile {
    policy_file(&json!({
        "keys": [{"keyid": keyid, "algorithm": "ed25519", "publicKey": STANDARD.encode(key.verifying_key().to_bytes())}],
        "issuers": issuers,
    }))
}

/// A `--trust` file with this content; it must be a valid policy.
pub fn policy_file(policy: &Value) -> TrustFile {
    let bytes = serde_json::to_vec(policy).expect("serialises");
    TrustPolicy::from_slice(&bytes).expect("valid policy");
    TrustFile {
        name: "trust.json".into(),
        bytes,
    }
}
