//! Rebuilds the verification demo material in `assets/`:
//! - `audit-pack/`: a valid portable-v1 audit pack (signed manifest, canonical BOM, DSSE
//!   envelope, checkpoint of a 300-leaf demo log, its tiles, an inclusion proof);
//! - `broken-packs/<CODE>/`: one variant of that pack per stable code, failing first with it;
//! - `legacy-bundle/`: a legacy (`manifestVersion`) bundle with checksums and a signed attestation;
//! - `broken-exports/`: orchestrator exports, one file per failure kind, named by its code;
//! - `trust.json`: a trust policy pinning the demo release and evidence-locker keys.
//!
//! Every key is derived from a public seed string (see `support/mod.rs`); only public halves are
//! written. Usage: `cargo run --example make_packs [-- ASSETS_DIR]` (default `assets`).

#[path = "support/mod.rs"]
mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use evx::json::jcs;
use evx::verify::export::idempotency_key;
use evx::verify::keys::PublicKey;
use evx::verify::merkle::{leaf_hash, Hash, TreeLevels};
use evx::verify::note::ed25519_key_hash;
use evx::verify::portable::{signed_manifest_bytes, MANIFEST_PAYLOAD_TYPE};
use evx::verify::tiles::build_tiles;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;

/// Size of the demo transparency log, and where the pack's entry sits in it.
const LOG_SIZE: u64 = 300;
const LEAF_INDEX: u64 = 137;
const LOG_ORIGIN: &str = "rekor.evx-demo.example/log";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assets = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets"));
    let keys = Keys::new();
    let valid = build(&keys, &Knobs::default(), |_| {});
    valid.write(&assets.join("audit-pack"))?;
    write_broken_packs(&keys, &assets.join("broken-packs"))?;
    write_legacy_bundle(&keys, &assets.join("legacy-bundle"))?;
    write_broken_exports(&keys, &assets.join("broken-exports"))?;
    // The issuer rules belong to the VEX demo: keep the ones already in the file.
    let trust_path = assets.join("trust.json");
    let issuers = std::fs::read(&trust_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.get("issuers").cloned())
        .unwrap_or_else(|| json!([]));
    write_json(
        &trust_path,
        &json!({
            "keys": [key_object(RELEASE_KEYID, &keys.release), key_object(LOCKER_KEYID, &keys.locker)],
            "issuers": issuers
        }),
    )?;
    println!("verification demo material written to {}", assets.display());
    Ok(())
}

struct Keys {
    release: SigningKey,
    locker: SigningKey,
    rekor: SigningKey,
    rogue: SigningKey,
}

impl Keys {
    fn new() -> Self {
        Keys {
            release: demo_key(RELEASE_SEED),
            locker: demo_key(LOCKER_SEED),
            rekor: demo_key(REKOR_SEED),
            rogue: demo_key(ROGUE_SEED),
        }
    }
}

/// What a broken variant changes before the pack is assembled.
#[derive(Default)]
struct Knobs {
    /// Sign `dsse_envelope.json` with a key nobody lists.
    rogue_envelope: bool,
    /// Give the statement another image as its subject.
    wrong_subject: bool,
    /// Sign the checkpoint with a key other than `verifiers.rekor_pub`.
    rogue_checkpoint: bool,
    /// Leave the pack's entry out of the log.
    leaf_not_logged: bool,
    /// Corrupt one hash of `rekor/proof.json`.
    corrupt_proof: bool,
    /// Ship the BOM pretty-printed and record the digest of those raw bytes (not of the JCS form).
    bom_digest_of_raw_bytes: bool,
}

/// A pack: its files (manifest.json included) by bundle path.
struct Pack {
    files: BTreeMap<String, Vec<u8>>,
}

impl Pack {
    fn write(&self, dir: &Path) -> std::io::Result<()> {
        write_tree(dir, &self.files)
    }

    fn manifest(&self) -> Value {
        serde_json::from_slice(&self.files["manifest.json"]).expect("manifest is JSON")
    }

    fn set_manifest(&mut self, manifest: &Value) {
        self.files.insert("manifest.json".into(), pretty(manifest));
    }
}

fn canonical_bom() -> Value {
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:0f3c1a52-7d1e-4c55-9a6e-2b7f4f0c9d41",
        "metadata": {
            "timestamp": "2026-02-10T11:58:00Z",
            "component": {"type": "container", "bom-ref": "payments-api", "name": "registry.example.com/acme/payments-api", "version": "2.4.1",
                          "hashes": [{"alg": "SHA-256", "content": API_IMAGE}]},
            "supplier": {"name": "Acme Payments"}
        },
        "components": [
            {"type": "library", "bom-ref": "pkg:golang/github.com/acme/ledger@v1.9.0", "name": "ledger", "group": "github.com/acme", "version": "v1.9.0", "purl": "pkg:golang/github.com/acme/ledger@v1.9.0", "licenses": [{"license": {"id": "Apache-2.0"}}]},
            {"type": "library", "bom-ref": "pkg:golang/golang.org/x/net@v0.33.0", "name": "net", "group": "golang.org/x", "version": "v0.33.0", "purl": "pkg:golang/golang.org/x/net@v0.33.0", "licenses": [{"license": {"id": "BSD-3-Clause"}}]},
            {"type": "library", "bom-ref": "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64", "name": "openssl", "version": "3.0.15-1~deb12u1", "purl": "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64"}
        ],
        "dependencies": [
            {"ref": "payments-api", "dependsOn": ["pkg:golang/github.com/acme/ledger@v1.9.0", "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64"]},
            {"ref": "pkg:golang/github.com/acme/ledger@v1.9.0", "dependsOn": ["pkg:golang/golang.org/x/net@v0.33.0"]}
        ]
    })
}

/// Builds a pack, applying `knobs` to its content and `edit` to the manifest before signing.
fn build(keys: &Keys, knobs: &Knobs, edit: impl Fn(&mut Value)) -> Pack {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let bom = canonical_bom();
    let bom_bytes = if knobs.bom_digest_of_raw_bytes {
        pretty(&bom)
    } else {
        jcs::canonical_bytes(&bom)
    };
    let bom_digest = if knobs.bom_digest_of_raw_bytes {
        sha256_hex(&bom_bytes)
    } else {
        jcs::sha256_hex(&bom)
    };
    files.insert("canonical_bom.json".into(), bom_bytes);

    let subject = if knobs.wrong_subject {
        WORKER_IMAGE
    } else {
        API_IMAGE
    };
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/acme/payments-api", "digest": {"sha256": subject}}],
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": bom
    });
    let payload = serde_json::to_vec(&statement).expect("statement serialises");
    let signer = if knobs.rogue_envelope {
        &keys.rogue
    } else {
        &keys.release
    };
    let envelope = pretty(&sign_payload(signer, RELEASE_KEYID, IN_TOTO, &payload));

    let log = Log::new(&envelope, !knobs.leaf_not_logged);
    let checkpoint_key = if knobs.rogue_checkpoint {
        &keys.rogue
    } else {
        &keys.rekor
    };
    files.insert("rekor/checkpoint".into(), log.checkpoint(checkpoint_key));
    files.insert(
        "rekor/proof.json".into(),
        pretty(&log.proof(knobs.corrupt_proof)),
    );
    let mut tile_refs = Vec::new();
    for (path, bytes) in build_tiles(&log.leaves) {
        let path = format!("rekor/{path}");
        tile_refs.push(path.clone());
        files.insert(path, bytes);
    }
    files.insert("dsse_envelope.json".into(), envelope);

    let mut manifest = json!({
        "spec_version": "1.0",
        "created_utc": "2026-02-10T12:00:00Z",
        "artifact": {
            "name": "registry.example.com/acme/payments-api", "version": "2.4.1",
            "digest": {"sha256": API_IMAGE}, "media_type": "application/vnd.oci.image.manifest.v1+json"
        },
        "files": listing(&files),
        "digests": {"canonical_bom_sha256": bom_digest, "dsse_payload_digest": {"sha256": sha256_hex(&payload)}},
        "rekor": {"log_id": LOG_ORIGIN, "api_version": "v2", "tile_refs": tile_refs, "root_hash": hex::encode(log.root())},
        "timestamps": {"bom_generated_utc": "2026-02-10T11:58:00Z", "logged_utc": "2026-02-10T11:59:12Z"},
        "verifiers": {
            "pubkeys": [key_object(LOCKER_KEYID, &keys.locker), key_object(RELEASE_KEYID, &keys.release)],
            "rekor_pub": public_b64(&keys.rekor)
        }
    });
    edit(&mut manifest);
    let sig = sign_payload(
        &keys.locker,
        LOCKER_KEYID,
        MANIFEST_PAYLOAD_TYPE,
        &signed_manifest_bytes(&manifest),
    );
    let sig = pretty(&sig);
    manifest["files"]["manifest.sig"] = file_entry(&sig);
    files.insert("manifest.sig".into(), sig);
    files.insert("manifest.json".into(), pretty(&manifest));
    Pack { files }
}

fn file_entry(bytes: &[u8]) -> Value {
    json!({"sha256": sha256_hex(bytes), "size": bytes.len()})
}

fn listing(files: &BTreeMap<String, Vec<u8>>) -> Value {
    files
        .iter()
        .map(|(path, bytes)| (path.clone(), file_entry(bytes)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The demo transparency log: `LOG_SIZE` entries, the pack's envelope at `LEAF_INDEX`.
struct Log {
    leaves: Vec<Hash>,
}

impl Log {
    fn new(envelope: &[u8], include: bool) -> Self {
        let leaves = (0..LOG_SIZE)
            .map(|i| {
                if i == LEAF_INDEX && include {
                    leaf_hash(envelope)
                } else {
                    leaf_hash(format!("evx demo log entry {i}").as_bytes())
                }
            })
            .collect();
        Log { leaves }
    }

    fn root(&self) -> Hash {
        TreeLevels::new(&self.leaves).root()
    }

    /// A C2SP signed-note checkpoint, signed under the origin's key name.
    fn checkpoint(&self, key: &SigningKey) -> Vec<u8> {
        let text = format!(
            "{LOG_ORIGIN}\n{LOG_SIZE}\n{}\n",
            STANDARD.encode(self.root())
        );
        let public =
            PublicKey::ed25519_from_bytes(key.verifying_key().as_bytes()).expect("a valid key");
        let mut blob = ed25519_key_hash(LOG_ORIGIN, &public).to_vec();
        blob.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
        format!("{text}\n\u{2014} {LOG_ORIGIN} {}\n", STANDARD.encode(blob)).into_bytes()
    }

    fn proof(&self, corrupt: bool) -> Value {
        let mut hashes: Vec<String> = TreeLevels::new(&self.leaves)
            .inclusion_proof(LEAF_INDEX)
            .expect("index in range")
            .iter()
            .map(hex::encode)
            .collect();
        if corrupt {
            hashes[0] = sha256_hex(b"not the sibling");
        }
        json!({"logIndex": LEAF_INDEX, "treeSize": LOG_SIZE, "hashes": hashes})
    }
}

/// One pack per stable code, each failing first with that code.
fn write_broken_packs(keys: &Keys, dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let valid = || build(keys, &Knobs::default(), |_| {});
    let knob = |knobs: Knobs| build(keys, &knobs, |_| {});
    let edited = |edit: fn(&mut Value)| build(keys, &Knobs::default(), edit);
    let mut variants: Vec<(&str, Pack)> = Vec::new();

    variants.push((
        "ERR_MANIFEST_SCHEMA",
        edited(|m| {
            m["rekor"].as_object_mut().map(|r| r.remove("root_hash"));
        }),
    ));
    let mut changed = valid();
    let mut manifest = changed.manifest();
    manifest["artifact"]["version"] = json!("2.4.2");
    changed.set_manifest(&manifest);
    variants.push(("ERR_MANIFEST_SIGNATURE", changed));
    let mut missing = valid();
    missing.files.remove("canonical_bom.json");
    variants.push(("ERR_FILE_MISSING", missing));
    let mut edited_file = valid();
    if let Some(bytes) = edited_file.files.get_mut("canonical_bom.json") {
        bytes.push(b'\n'); // same JCS form, different bytes
    }
    variants.push(("ERR_FILE_DIGEST_MISMATCH", edited_file));
    variants.push((
        "ERR_CANONICAL_BOM_DIGEST",
        knob(Knobs {
            bom_digest_of_raw_bytes: true,
            ..Knobs::default()
        }),
    ));
    variants.push((
        "ERR_DSSE_PAYLOAD_DIGEST",
        edited(|m| {
            m["digests"]["dsse_payload_digest"]["sha256"] =
                json!(sha256_hex(b"the whole envelope"));
        }),
    ));
    variants.push((
        "ERR_DSSE_SIGNATURE",
        knob(Knobs {
            rogue_envelope: true,
            ..Knobs::default()
        }),
    ));
    variants.push((
        "ERR_DSSE_SUBJECT_MISMATCH",
        knob(Knobs {
            wrong_subject: true,
            ..Knobs::default()
        }),
    ));
    variants.push((
        "ERR_REKOR_CHECKPOINT_INVALID",
        knob(Knobs {
            rogue_checkpoint: true,
            ..Knobs::default()
        }),
    ));
    let mut no_tile = valid();
    no_tile.files.remove("rekor/tile/1/000.p/1");
    variants.push(("ERR_REKOR_TILE_MISSING", no_tile));
    let mut bad_tile = valid();
    if let Some(bytes) = bad_tile.files.get_mut("rekor/tile/1/000.p/1") {
        bytes[0] ^= 0xff;
    }
    variants.push(("ERR_REKOR_TILE_DIGEST_MISMATCH", bad_tile));
    variants.push((
        "ERR_REKOR_REFERENCE_UNCOVERED",
        knob(Knobs {
            leaf_not_logged: true,
            ..Knobs::default()
        }),
    ));
    variants.push((
        "ERR_REKOR_PROOF_INVALID",
        knob(Knobs {
            corrupt_proof: true,
            ..Knobs::default()
        }),
    ));
    variants.push((
        "ERR_REKOR_ROOT_MISMATCH",
        edited(|m| m["rekor"]["root_hash"] = json!(sha256_hex(b"another tree"))),
    ));
    let mut unknown = valid();
    let mut manifest = unknown.manifest();
    manifest.as_object_mut().map(|m| m.remove("spec_version"));
    unknown.set_manifest(&manifest);
    variants.push(("ERR_MANIFEST_PROFILE_UNKNOWN", unknown));

    for (code, pack) in variants {
        pack.write(&dir.join(code))?;
    }
    Ok(())
}

/// A legacy bundle: `manifestVersion` manifest with entries, a sha256sum-style checksums file,
/// an SBOM, a signed attestation and the release key as raw base64.
fn write_legacy_bundle(keys: &Keys, dir: &Path) -> std::io::Result<()> {
    const OLD_IMAGE: &str = "3c5e0b7f1f0d2a4b6c8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e";
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let sbom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "bom-ref": "payments-api", "name": "registry.example.com/acme/payments-api", "version": "2.3.0",
                                   "hashes": [{"alg": "SHA-256", "content": OLD_IMAGE}]}},
        "components": [{"type": "library", "name": "ledger", "group": "github.com/acme", "version": "v1.8.2", "purl": "pkg:golang/github.com/acme/ledger@v1.8.2"}]
    });
    files.insert("sboms/payments-api-2.3.0.cdx.json".into(), pretty(&sbom));
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{"name": "registry.example.com/acme/payments-api", "digest": {"sha256": OLD_IMAGE}}],
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "predicate": {"builder": {"id": "https://ci.example.com/acme/runners/hardened"}, "buildType": "https://ci.example.com/release@v1"}
    });
    files.insert(
        "attestations/payments-api-2.3.0.provenance.dsse.json".into(),
        pretty(&sign_envelope(
            &keys.release,
            RELEASE_KEYID,
            IN_TOTO,
            &statement,
        )),
    );
    files.insert(
        "keys/acme-release-2026.pub".into(),
        format!("{}\n", public_b64(&keys.release)).into_bytes(),
    );
    let checksums: String = files
        .iter()
        .filter(|(p, _)| p.starts_with("sboms/"))
        .map(|(p, b)| format!("{}  {}\n", sha256_hex(b), &p["sboms/".len()..]))
        .collect();
    files.insert("sboms/checksums.txt".into(), checksums.into_bytes());
    let manifest = legacy_manifest(
        "acme-payments-2.3.0-evidence",
        "2025-11-20T08:30:00Z",
        &files,
    );
    files.insert("manifest.json".into(), pretty(&manifest));
    write_tree(dir, &files)
}

/// Export records that each break one rule; each file is named after the code it yields.
fn write_broken_exports(keys: &Keys, dir: &Path) -> std::io::Result<()> {
    let art = format!("sha256:{API_IMAGE}");
    let record = |run: &str, status: &str| {
        json!({
            "runId": run, "jobType": "scan", "artifactHash": art, "tenantId": "acme", "environment": "prod",
            "startedAt": "2026-02-04T08:00:00Z", "status": status,
            "manifestPath": format!("cas://sha256/{}/manifest.json", sha256_hex(run.as_bytes())),
            "idempotencyKey": idempotency_key(run, &art, "acme")
        })
    };
    let lines = |records: &[Value]| -> Vec<u8> {
        records
            .iter()
            .map(|r| format!("{}\n", serde_json::to_string(r).expect("serialises")))
            .collect::<String>()
            .into_bytes()
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    let mut schema = record("b0c1d2e3-0001-4000-8000-000000000001", "running");
    schema.as_object_mut().map(|m| m.remove("startedAt"));
    files.insert("exports/ERR_EXPORT_SCHEMA.json".into(), pretty(&schema));

    let mut hash = record("b0c1d2e3-0002-4000-8000-000000000002", "succeeded");
    hash["policyHash"] = json!(sha256_hex(b"policy bundle")); // no sha256: prefix
    files.insert("exports/ERR_EXPORT_HASH_FORMAT.json".into(), pretty(&hash));

    let run = "b0c1d2e3-0003-4000-8000-000000000003";
    let mut idem = record(run, "succeeded");
    idem["idempotencyKey"] = json!(idempotency_key(run, &art, "")); // tenantId left out
    files.insert("exports/ERR_EXPORT_IDEMPOTENCY.json".into(), pretty(&idem));

    let run = "b0c1d2e3-0004-4000-8000-000000000004";
    files.insert(
        "exports/ERR_EXPORT_STATUS.ndjson".into(),
        lines(&[
            record(run, "running"),
            record(run, "succeeded"),
            record(run, "running"),
        ]),
    );

    let run = "b0c1d2e3-0005-4000-8000-000000000005";
    let mut changed = record(run, "running");
    changed["jobType"] = json!("policy-sim");
    files.insert(
        "exports/ERR_EXPORT_DUPLICATE.ndjson".into(),
        lines(&[record(run, "running"), changed]),
    );

    let mut uri = record("b0c1d2e3-0006-4000-8000-000000000006", "failed");
    uri["logsPath"] = json!("https://logs.example.com/runs/6/logs.ndjson");
    files.insert("exports/ERR_EXPORT_EXTERNAL_URI.json".into(), pretty(&uri));

    let signed = sign_export(
        record("b0c1d2e3-0007-4000-8000-000000000007", "succeeded"),
        &keys.release,
        RELEASE_KEYID,
    );
    let mut tampered = signed.clone();
    tampered["environment"] = json!("dev");
    files.insert(
        "exports/ERR_EXPORT_SIGNATURE.json".into(),
        pretty(&tampered),
    );

    let run = "b0c1d2e3-0008-4000-8000-000000000008";
    let mut stream = lines(&[record(run, "pending")]);
    stream.extend_from_slice(b"{\"runId\": \"b0c1d2e3-0008\", \"artifactHash\": \n");
    stream.extend(lines(&[record(run, "running")]));
    files.insert("exports/ERR_JSON_PARSE.ndjson".into(), stream);

    files.insert(
        "keys/acme-release-2026.pub".into(),
        format!("{}\n", public_b64(&keys.release)).into_bytes(),
    );
    write_tree(dir, &files)
}
