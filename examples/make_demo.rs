//! Rebuilds the signed material of the demo bundle in `assets/demo/`: the DSSE envelopes (the
//! SLSA provenance, the worker SBOM carried as a predicate, the vendor's OpenVEX carried as a
//! predicate in `vex/acme-psirt.openvex.dsse.json`), the public key, the orchestrator exports and
//! the legacy `manifest.json`. The demo key is derived from a public seed string: it exists to
//! show how verification works and must never be trusted for anything else. Only its public
//! half is written into the bundle.
//!
//! Usage: `cargo run --example make_demo [-- OUT_DIR]` (default `assets/demo`).

#[path = "support/mod.rs"]
mod support;

use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
use ed25519_dalek::SigningKey;
use evx::verify::export::idempotency_key;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/demo"));
    let key = demo_key(RELEASE_SEED);
    let keyid = RELEASE_KEYID;
    write(
        &out.join("keys/acme-release-2026.pub"),
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)?
            .as_bytes(),
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
    write_exports(&out, &key)?;
    write_manifest(&out)?;
    println!("demo material written to {}", out.display());
    Ok(())
}

/// The release's orchestrator exports: an NDJSON stream with the status history of the two
/// image scans, and a signed single-object export of the mirror build.
fn write_exports(out: &Path, key: &SigningKey) -> std::io::Result<()> {
    let record = |run: &str, job: &str, image: &str, started: &str, status: &str| {
        let artifact = format!("sha256:{image}");
        json!({
            "runId": run, "jobType": job, "artifactHash": artifact, "tenantId": "acme", "environment": "prod",
            "policyHash": format!("sha256:{}", sha256_hex(b"acme release policy 2026.02")),
            "startedAt": started, "status": status,
            "manifestPath": format!("cas://sha256/{}/manifest.json", sha256_hex(run.as_bytes())),
            "idempotencyKey": idempotency_key(run, &artifact, "acme")
        })
    };
    let finished = |mut r: Value, completed: &str| {
        r["completedAt"] = json!(completed);
        r["logsPath"] = json!(format!(
            "cas://sha256/{}/logs.ndjson",
            sha256_hex(completed.as_bytes())
        ));
        r
    };
    let api = "7c1e4a52-3b9d-4f0e-a6c1-2d8e5f9b0a11";
    let worker = "9a2f6c13-5e7b-4d8a-b3f2-6c1d0e4a7b22";
    let (api_start, worker_start) = ("2026-02-03T09:00:00Z", "2026-02-03T09:02:00Z");
    let lines = [
        record(api, "scan", API_IMAGE, api_start, "pending"),
        record(api, "scan", API_IMAGE, api_start, "running"),
        sign_export(
            finished(
                record(api, "scan", API_IMAGE, api_start, "succeeded"),
                "2026-02-03T09:05:30Z",
            ),
            key,
            RELEASE_KEYID,
        ),
        record(worker, "scan", WORKER_IMAGE, worker_start, "running"),
        finished(
            record(worker, "scan", WORKER_IMAGE, worker_start, "succeeded"),
            "2026-02-03T09:06:10Z",
        ),
    ];
    let stream: String = lines
        .iter()
        .map(|l| format!("{}\n", serde_json::to_string(l).expect("serialises")))
        .collect();
    write(&out.join("exports/scans.ndjson"), stream.as_bytes())?;
    let mirror = "3e8b1d47-0c2a-4b6f-9d5e-8f7a1c3b2d33";
    let build = finished(
        record(
            mirror,
            "mirror-build",
            API_IMAGE,
            "2026-02-03T10:00:00Z",
            "succeeded",
        ),
        "2026-02-03T10:12:45Z",
    );
    write_json(
        &out.join("exports/mirror-build.export.json"),
        &sign_export(build, key, RELEASE_KEYID),
    )
}

/// A legacy bundle manifest (`manifestVersion`) listing every other file of the demo, so that
/// `evx verify assets/demo` has a profile to validate.
fn write_manifest(out: &Path) -> std::io::Result<()> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for entry in walk(out)? {
        let rel = entry
            .strip_prefix(out)
            .map_err(std::io::Error::other)?
            .to_string_lossy()
            .replace('\\', "/");
        if rel != "manifest.json" {
            files.insert(rel, std::fs::read(&entry)?);
        }
    }
    let manifest = legacy_manifest(
        "acme-payments-2.4.1-release-evidence",
        "2026-02-03T10:15:00Z",
        &files,
    );
    write_json(&out.join("manifest.json"), &manifest)
}

/// Every regular file below `dir`.
fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
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
