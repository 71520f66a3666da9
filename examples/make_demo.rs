//! Rebuilds the signed material of the demo bundle in `assets/demo/` (DSSE envelopes and the
//! public key): the SLSA provenance, the worker SBOM carried as a predicate, and the vendor's
//! OpenVEX carried as a predicate (`vex/acme-psirt.openvex.dsse.json`). The demo key is derived
//! from a public seed string: it exists to show how verification works and must never be
//! trusted for anything else. Only its public half is written into the bundle.
//!
//! Usage: `cargo run --example make_demo [-- OUT_DIR]` (default `assets/demo`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const API_IMAGE: &str = "f58b45cec7134d0e231a8d4c9681d55d17d59d70d0b54edeeaad2ac72ae2559c";
const WORKER_IMAGE: &str = "8d1d7c4a2b98a3dbb6a8362ffe6b1032b3cc604f6d96dda424db719856933956";
const IN_TOTO: &str = "application/vnd.in-toto+json";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/demo"));
    let key = demo_key("evx demo: acme-release-2026 (public seed, never trust)");
    let keyid = "acme-release-2026";
    write(
        &out.join("keys/acme-release-2026.pub"),
        &key.verifying_key().to_public_key_pem(LineEnding::LF)?,
    )?;

    let provenance = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/acme/payments-api", "digest": {"sha256": API_IMAGE}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": "refs/tags/v2.4.1", "repository": "https://git.example.com/acme/payments", "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{"uri": "git+https://git.example.com/acme/payments@refs/tags/v2.4.1", "digest": {"gitCommit": "4b1f0c9e2d7a8b6c5d4e3f2a1b0c9d8e7f6a5b4c"}}]
            },
            "runDetails": {"builder": {"id": "https://ci.example.com/acme/runners/hardened"}, "metadata": {"invocationId": "release-2.4.1-run-1187"}}
        }
    });
    let envelope = sign_envelope(&key, keyid, IN_TOTO, &provenance);
    write_json(
        &out.join("attestations/payments-api.provenance.dsse.json"),
        &envelope,
    )?;

    let worker_sbom: Value =
        serde_json::from_slice(&std::fs::read(out.join("sboms/payments-worker.cdx.json"))?)?;
    let sbom_statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{"name": "registry.example.com/acme/payments-worker", "digest": {"sha256": WORKER_IMAGE}}],
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": worker_sbom
    });
    let envelope = sign_envelope(&key, keyid, IN_TOTO, &sbom_statement);
    write_json(
        &out.join("attestations/payments-worker.sbom.dsse.json"),
        &envelope,
    )?;
    let vex_statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "registry.example.com/acme/payments-api", "digest": {"sha256": API_IMAGE}},
            {"name": "registry.example.com/acme/payments-worker", "digest": {"sha256": WORKER_IMAGE}}
        ],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": vendor_vex()
    });
    let envelope = sign_envelope(&key, keyid, IN_TOTO, &vex_statement);
    write_json(&out.join("vex/acme-psirt.openvex.dsse.json"), &envelope)?;
    println!("demo material written to {}", out.display());
    Ok(())
}

/// The vendor's OpenVEX for release 2.4.1. Each statement feeds one decision of the demo (the
/// maintainer's CycloneDX VEX and the third party's CSAF in `vex/` supply the other sides):
/// - CVE-2026-10001 on openssl: vendor over maintainer and third party (`precedence`);
/// - CVE-2026-10002 on rustls: the vendor revised its own statement (`timestamp`);
/// - CVE-2026-10004 on payments-core: vendor and maintainer agree (`agreement`);
/// - CVE-2026-10007 on the payments-api image digest: only the vendor speaks (`sole`).
fn vendor_vex() -> Value {
    let openssl = "pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64&distro=debian-12";
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://acme.example/vex/payments-2.4.1",
        "author": "Acme Payments PSIRT",
        "role": "vendor",
        "timestamp": "2026-11-03T10:00:00Z",
        "version": 2,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2026-10001"},
                "products": [{"@id": openssl}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
                "impact_statement": "payments-api uses libssl only for TLS client connections; the affected CMS decoder is never called."
            },
            {
                "vulnerability": {"name": "CVE-2026-10002"},
                "products": [{"@id": "pkg:cargo/rustls@0.23.13"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_present",
                "impact_statement": "Initial triage: the affected session-resumption code is behind a feature we do not enable.",
                "timestamp": "2026-10-28T09:00:00Z"
            },
            {
                "vulnerability": {"name": "CVE-2026-10002"},
                "products": [{"@id": "pkg:cargo/rustls@0.23.13"}],
                "status": "affected",
                "action_statement": "Re-triage found the feature enabled in the release build: upgrade to payments-api 2.4.2, which ships rustls 0.23.16.",
                "timestamp": "2026-11-03T10:00:00Z"
            },
            {
                "vulnerability": {"name": "CVE-2026-10004"},
                "products": [{"@id": "pkg:cargo/payments-core@2.4.1"}],
                "status": "not_affected",
                "justification": "inline_mitigations_already_exist",
                "impact_statement": "Amounts are validated before the affected arithmetic runs."
            },
            {
                "vulnerability": {"name": "CVE-2026-10007"},
                "products": [{"@id": format!("sha256:{API_IMAGE}")}],
                "status": "fixed"
            }
        ]
    })
}

fn demo_key(seed: &str) -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(seed.as_bytes()).into())
}

/// DSSE v1 pre-authentication encoding.
fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn sign_envelope(key: &SigningKey, keyid: &str, payload_type: &str, statement: &Value) -> Value {
    let payload = serde_json::to_vec(statement).expect("statement serialises");
    let sig = key.sign(&pae(payload_type, &payload));
    json!({
        "payloadType": payload_type,
        "payload": STANDARD.encode(&payload),
        "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig.to_bytes())}]
    })
}

fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON serialises");
    text.push('\n');
    write(path, &text)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
