//! Helpers shared by the demo generators (`make_demo`, `make_packs`): demo keys from public seed
//! strings, DSSE envelopes, signed export records, and file writing. The keys exist to show how
//! verification works; their seeds are public, so nothing they sign may ever be trusted.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use evx::json::jcs;
use evx::verify::dsse::pae;
use evx::verify::export::EXPORT_PAYLOAD_TYPE;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const API_IMAGE: &str = "f58b45cec7134d0e231a8d4c9681d55d17d59d70d0b54edeeaad2ac72ae2559c";
pub const WORKER_IMAGE: &str = "8d1d7c4a2b98a3dbb6a8362ffe6b1032b3cc604f6d96dda424db719856933956";
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// The demo release key (its public half ships as `assets/demo/keys/acme-release-2026.pub`).
pub const RELEASE_SEED: &str = "evx demo: acme-release-2026 (public seed, never trust)";
pub const RELEASE_KEYID: &str = "acme-release-2026";
/// The key the audit packs' manifests are signed with.
pub const LOCKER_SEED: &str = "evx demo: acme-evidence-locker-2026 (public seed, never trust)";
pub const LOCKER_KEYID: &str = "acme-evidence-locker-2026";
/// The demo transparency log's key.
pub const REKOR_SEED: &str = "evx demo: rekor log (public seed, never trust)";
/// A key nobody lists, for the broken variants.
pub const ROGUE_SEED: &str = "evx demo: rogue key (public seed, never trust)";

/// An Ed25519 key whose secret is SHA-256 of a public seed string.
pub fn demo_key(seed: &str) -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(seed.as_bytes()).into())
}

/// The raw public key as standard base64 (trust-policy and manifest form).
pub fn public_b64(key: &SigningKey) -> String {
    STANDARD.encode(key.verifying_key().as_bytes())
}

/// A trust-policy / manifest key object.
pub fn key_object(keyid: &str, key: &SigningKey) -> Value {
    json!({"keyid": keyid, "algorithm": "ed25519", "publicKey": public_b64(key)})
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A DSSE envelope over `payload`, signed by `key`.
pub fn sign_payload(key: &SigningKey, keyid: &str, payload_type: &str, payload: &[u8]) -> Value {
    let sig = key.sign(&pae(payload_type, payload));
    json!({
        "payloadType": payload_type,
        "payload": STANDARD.encode(payload),
        "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig.to_bytes())}]
    })
}

/// A DSSE envelope over the compact JSON of `statement`.
pub fn sign_envelope(
    key: &SigningKey,
    keyid: &str,
    payload_type: &str,
    statement: &Value,
) -> Value {
    let payload = serde_json::to_vec(statement).expect("statement serialises");
    sign_payload(key, keyid, payload_type, &payload)
}

/// An export record with its `signatures[]`: Ed25519 over PAE of the record's JCS form.
pub fn sign_export(mut record: Value, key: &SigningKey, keyid: &str) -> Value {
    if let Some(obj) = record.as_object_mut() {
        obj.remove("signatures");
    }
    let sig = key.sign(&pae(EXPORT_PAYLOAD_TYPE, &jcs::canonical_bytes(&record)));
    record["signatures"] =
        json!([{"type": "dsse", "keyId": keyid, "signature": STANDARD.encode(sig.to_bytes())}]);
    record
}

/// A legacy bundle manifest (`manifestVersion`) listing `files` (path → bytes) as entries.
pub fn legacy_manifest<'a>(
    bundle_id: &str,
    created_at: &str,
    files: impl IntoIterator<Item = (&'a String, &'a Vec<u8>)>,
) -> Value {
    let entries: Vec<Value> = files
        .into_iter()
        .map(|(p, b)| json!({"path": p, "sha256": format!("sha256:{}", sha256_hex(b)), "size": b.len()}))
        .collect();
    json!({
        "manifestVersion": "1",
        "bundleId": bundle_id,
        "createdAt": created_at,
        "entries": entries
    })
}

/// Pretty JSON with a final newline.
pub fn pretty(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON serialises");
    text.push('\n');
    text.into_bytes()
}

pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

pub fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    write(path, &pretty(value))
}

/// Replaces `dir` with exactly `files` (path → bytes).
pub fn write_tree<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a String, &'a Vec<u8>)>,
) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for (path, bytes) in files {
        write(&dir.join(path), bytes)?;
    }
    Ok(())
}
