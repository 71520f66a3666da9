//! Signed-document tampering (issue 8): duplicate keys in signed or digested documents, an
//! envelope with one good and one bad signature, a key only the bundle vouches for, a manifest
//! listing a path twice in different case, and checkpoints with extra or bad signature lines.
//! Every case starts from a copy of the demo material and re-signs what it changes with the
//! demo keys (public seeds, see `examples/support`), so that only the tampering is wrong.

mod common;
#[path = "../examples/support/mod.rs"]
mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use evx::verify::keys::PublicKey;
use evx::verify::note::ed25519_key_hash;
use evx::verify::portable::{signed_manifest_bytes, MANIFEST_PAYLOAD_TYPE};
use serde_json::{json, Value};
use std::path::Path;
use support::*;

use common::cli::{arg, asset, copy_of, evx};

/// Runs `evx <command> DIR --json [extra…]`, checks the exit code and that nothing panicked.
fn run_json(command: &str, dir: &Path, extra: &[&str], exit: i32) -> Value {
    let mut args = vec![command, arg(dir), "--json"];
    args.extend_from_slice(extra);
    let out = evx(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{command}: {}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// `(code, pointer)` of the reconcile diagnostics about `file`.
fn diagnostics_of(graph: &Value, file: &str) -> Vec<(String, String)> {
    graph["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn first_failure(report: &Value) -> (String, String) {
    let f = &report["firstFailure"];
    (
        f["check"].as_str().unwrap_or_default().to_string(),
        f["code"].as_str().unwrap_or_default().to_string(),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Re-lists every file of a portable pack with its size and digest and re-signs the manifest
/// with the evidence-locker key, as the pack's producer would after a change.
fn reseal_pack(dir: &Path) {
    let path = dir.join("manifest.json");
    let mut manifest = read_json(&path);
    let listed: Vec<String> = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|p| *p != "manifest.sig")
        .cloned()
        .collect();
    for file in listed {
        let bytes = std::fs::read(dir.join(&file)).unwrap();
        manifest["files"][&file] = json!({"sha256": sha256_hex(&bytes), "size": bytes.len()});
    }
    let locker = demo_key(LOCKER_SEED);
    let envelope = sign_payload(
        &locker,
        LOCKER_KEYID,
        MANIFEST_PAYLOAD_TYPE,
        &signed_manifest_bytes(&manifest),
    );
    let sig = serde_json::to_vec_pretty(&envelope).unwrap();
    manifest["files"]["manifest.sig"] = json!({"sha256": sha256_hex(&sig), "size": sig.len()});
    std::fs::write(dir.join("manifest.sig"), sig).unwrap();
    std::fs::write(path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// A compact in-toto statement about the demo API image, with `predicate` spliced in as text.
fn statement_text(predicate: &str) -> String {
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"payments-api","digest":{{"sha256":"{API_IMAGE}"}}}}],"predicateType":"https://example.com/p","predicate":{predicate}}}"#
    )
}

// ---- duplicate keys in signed or digested documents -------------------------------------------

#[test]
fn duplicate_keys_in_the_portable_manifest_fail_closed() {
    let pack = copy_of("audit-pack");
    let path = pack.path().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let tampered = text.replacen('{', "{\n  \"created_utc\": \"2000-01-01T00:00:00Z\",", 1);
    std::fs::write(&path, tampered).unwrap();

    let report = run_json("verify", pack.path(), &[], 1);
    assert_eq!(report["profile"], "unknown");
    assert_eq!(
        first_failure(&report),
        ("profile".into(), "ERR_MANIFEST_PROFILE_UNKNOWN".into())
    );
    let message = report["firstFailure"]["message"].as_str().unwrap();
    assert!(message.contains("ERR_JSON_DUPLICATE_KEY"), "{message}");

    let graph = run_json("reconcile", pack.path(), &[], 0);
    assert_eq!(
        diagnostics_of(&graph, "manifest.json"),
        [("ERR_JSON_DUPLICATE_KEY".into(), "/created_utc".into())]
    );
}

#[test]
fn duplicate_keys_in_a_signed_dsse_payload_are_rejected() {
    let demo = copy_of("demo");
    let payload = statement_text(r#"{"verdict":"pass","verdict":"fail"}"#);
    let envelope = sign_payload(
        &demo_key(RELEASE_SEED),
        RELEASE_KEYID,
        IN_TOTO,
        payload.as_bytes(),
    );
    let file = "attestations/twofaced.dsse.json";
    std::fs::write(demo.path().join(file), envelope.to_string()).unwrap();

    let graph = run_json("reconcile", demo.path(), &[], 0);
    assert_eq!(
        diagnostics_of(&graph, file),
        [(
            "ERR_JSON_DUPLICATE_KEY".into(),
            "/payload/predicate/verdict".into()
        )]
    );
    let status = graph["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == file)
        .unwrap()["status"]
        .clone();
    assert_eq!(status, "failed");
}

#[test]
fn duplicate_keys_in_the_audit_packs_envelope_fail_the_dsse_check() {
    let pack = copy_of("audit-pack");
    let envelope = read_json(&pack.path().join("dsse_envelope.json"));
    let original = STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let original = String::from_utf8(original).unwrap();
    // Same statement, with the artifact subject's digest object carrying its key twice.
    let needle = format!("\"sha256\":\"{API_IMAGE}\"");
    assert!(original.contains(&needle), "{original}");
    let twofaced = original.replacen(
        &needle,
        &format!("\"sha256\":\"{}\",{needle}", "0".repeat(64)),
        1,
    );
    let resigned = sign_payload(
        &demo_key(RELEASE_SEED),
        RELEASE_KEYID,
        IN_TOTO,
        twofaced.as_bytes(),
    );
    std::fs::write(
        pack.path().join("dsse_envelope.json"),
        serde_json::to_vec_pretty(&resigned).unwrap(),
    )
    .unwrap();
    let manifest_path = pack.path().join("manifest.json");
    let mut manifest = read_json(&manifest_path);
    manifest["digests"]["dsse_payload_digest"]["sha256"] = json!(sha256_hex(twofaced.as_bytes()));
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    reseal_pack(pack.path());

    let report = run_json("verify", pack.path(), &[], 1);
    let dsse = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "dsse")
        .unwrap();
    let codes: Vec<&str> = dsse["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ERR_JSON_DUPLICATE_KEY"], "{dsse}");
    assert_eq!(first_failure(&report).1, "ERR_JSON_DUPLICATE_KEY");
}

#[test]
fn duplicate_keys_in_an_export_record_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let artifact = format!("sha256:{API_IMAGE}");
    let good = json!({"runId": "r1", "artifactHash": artifact, "startedAt": "2026-02-01T00:00:00Z", "status": "running"});
    let twofaced = format!(
        r#"{{"runId":"r1","artifactHash":"{artifact}","startedAt":"2026-02-01T00:05:00Z","status":"failed","status":"succeeded"}}"#
    );
    std::fs::write(
        tmp.path().join("runs.ndjson"),
        format!("{good}\n{twofaced}\n"),
    )
    .unwrap();

    let report = run_json("verify", tmp.path(), &[], 1);
    let codes: Vec<(u64, Value)> = report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["codes"].clone()))
        .collect();
    assert_eq!(
        codes,
        [(1, json!([])), (2, json!(["ERR_JSON_DUPLICATE_KEY"]))]
    );
}

// ---- signatures -----------------------------------------------------------------------------

fn signature_entry<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == file)
        .unwrap_or_else(|| panic!("{file} in {}", report["signatures"]))
}

/// Adds an envelope signed by the demo release key, plus a second signature no key verifies,
/// to the demo bundle (a file its legacy manifest does not list).
fn add_envelope_with_a_bad_signature(dir: &Path) -> &'static str {
    let file = "attestations/two-signatures.dsse.json";
    let payload = statement_text("{}");
    let mut envelope = sign_payload(
        &demo_key(RELEASE_SEED),
        RELEASE_KEYID,
        IN_TOTO,
        payload.as_bytes(),
    );
    let forged = STANDARD.encode([0x5a; 64]);
    envelope["signatures"]
        .as_array_mut()
        .unwrap()
        .push(json!({"keyid": RELEASE_KEYID, "sig": forged}));
    std::fs::write(dir.join(file), envelope.to_string()).unwrap();
    file
}

#[test]
fn an_envelope_with_one_good_and_one_bad_signature_shows_both() {
    let demo = copy_of("demo");
    let file = add_envelope_with_a_bad_signature(demo.path());

    // One signature by an available key suffices (DSSE), but the bad one is reported, never
    // dropped: per signature in the JSON and counted in the human report.
    let report = run_json("verify", demo.path(), &[], 0);
    let entry = signature_entry(&report, file);
    assert_eq!(entry["status"], "bundle-supplied");
    let statuses: Vec<&str> = entry["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["bundle-supplied", "failed"]);
    let out = evx(&["verify", arg(demo.path())]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 of 2 signatures did not verify"), "{text}");

    // With both signatures bad the envelope fails.
    let path = demo.path().join(file);
    let mut envelope = read_json(&path);
    envelope["signatures"][0]["sig"] = json!(STANDARD.encode([0x33; 64]));
    std::fs::write(&path, envelope.to_string()).unwrap();
    let graph = run_json("reconcile", demo.path(), &[], 0);
    assert_eq!(
        diagnostics_of(&graph, file),
        [("ERR_DSSE_SIGNATURE".into(), "/signatures".into())]
    );
}

#[test]
fn a_key_only_the_bundle_supplies_is_never_trusted() {
    let demo = copy_of("demo");
    let rogue = demo_key(ROGUE_SEED);
    // The bundle ships its own key and signs a VEX with it under the pinned key's name.
    std::fs::write(demo.path().join("keys/rogue.pub"), public_b64(&rogue)).unwrap();
    let vex = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://rogue.example/vex/1",
        "author": "Rogue Mirror",
        "timestamp": "2026-12-01T00:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "CVE-2026-10002"},
            "products": [{"@id": "pkg:cargo/rustls@0.23.13"}],
            "status": "not_affected",
            "justification": "component_not_present"
        }]
    });
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "payments-api", "digest": {"sha256": API_IMAGE}}],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": vex
    });
    let envelope = sign_envelope(&rogue, RELEASE_KEYID, IN_TOTO, &statement);
    let file = "vex/rogue.openvex.dsse.json";
    std::fs::write(demo.path().join(file), envelope.to_string()).unwrap();
    let trust = asset("trust.json");

    let report = run_json("verify", demo.path(), &["--trust", arg(&trust)], 0);
    let entry = signature_entry(&report, file);
    assert_eq!(entry["status"], "bundle-supplied");
    assert_eq!(entry["signatures"][0]["keyid"], RELEASE_KEYID);
    let rogue_fp = format!(
        "sha256:{}",
        PublicKey::Ed25519(rogue.verifying_key()).key_id()
    );
    assert_eq!(entry["signatures"][0]["key"], rogue_fp.as_str());
    let pinned: Vec<&str> = report["trust"]["pinned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert!(!pinned.contains(&rogue_fp.as_str()), "{pinned:?}");

    // Its `keyid` hint names the vendor's pinned key, but authority never comes from it.
    let conflicts = run_json(
        "conflicts",
        demo.path(),
        &["--trust", arg(&trust), "--all"],
        0,
    );
    let rogue_candidates: Vec<&Value> = conflicts["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["candidates"].as_array().unwrap())
        .filter(|c| c["document"] == file)
        .collect();
    assert_eq!(rogue_candidates.len(), 1);
    assert_eq!(rogue_candidates[0]["authority"], "unknown");
    assert_eq!(rogue_candidates[0]["authoritySource"], "none");
    assert_eq!(rogue_candidates[0]["winner"], false);
}

// ---- a path listed twice in different case ---------------------------------------------------

#[test]
fn a_portable_manifest_listing_a_path_twice_in_different_case_fails_its_schema() {
    let pack = copy_of("audit-pack");
    let path = pack.path().join("manifest.json");
    let mut manifest = read_json(&path);
    manifest["files"]["Canonical_BOM.json"] = manifest["files"]["canonical_bom.json"].clone();
    std::fs::write(pack.path().join("Canonical_BOM.json"), b"{}").unwrap();
    std::fs::write(&path, manifest.to_string()).unwrap();
    reseal_pack(pack.path());

    let report = run_json("verify", pack.path(), &[], 1);
    assert_eq!(
        first_failure(&report),
        ("schema".into(), "ERR_MANIFEST_SCHEMA".into())
    );
    let problems = report["checks"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["pointer"], "/files/canonical_bom.json");
    let message = problems[0]["message"].as_str().unwrap();
    assert!(message.contains("differ only in case"), "{message}");
}

#[test]
fn a_legacy_manifest_listing_a_path_twice_fails_its_schema() {
    let bundle = copy_of("legacy-bundle");
    let path = bundle.path().join("manifest.json");
    let mut manifest = read_json(&path);
    let entries = manifest["entries"].as_array_mut().unwrap();
    let mut shadow = entries[0].clone();
    let original = shadow["path"].as_str().unwrap().to_string();
    shadow["path"] = json!(original.to_uppercase());
    entries.push(shadow);
    std::fs::write(&path, manifest.to_string()).unwrap();

    let report = run_json("verify", bundle.path(), &[], 1);
    assert_eq!(
        first_failure(&report),
        ("schema".into(), "ERR_MANIFEST_SCHEMA".into())
    );
    let problems = report["checks"][0]["problems"].as_array().unwrap();
    let count = manifest["entries"].as_array().unwrap().len();
    assert_eq!(
        problems[0]["pointer"],
        format!("/entries/{}/path", count - 1)
    );
}

// ---- checkpoint signature lines -------------------------------------------------------------

const LOG_ORIGIN: &str = "rekor.evx-demo.example/log";

/// A signed-note signature line by `key` under `name` over `text`.
fn note_line(name: &str, key: &SigningKey, text: &str) -> String {
    let public = PublicKey::Ed25519(key.verifying_key());
    let mut blob = ed25519_key_hash(name, &public).to_vec();
    blob.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
    format!("\u{2014} {name} {}\n", STANDARD.encode(blob))
}

/// Appends a signature line to the pack's checkpoint and re-seals the pack.
fn append_checkpoint_line(dir: &Path, line: impl FnOnce(&str) -> String) {
    let path = dir.join("rekor/checkpoint");
    let note = std::fs::read_to_string(&path).unwrap();
    let text = &note[..=note.rfind("\n\n").unwrap()];
    let appended = format!("{note}{}", line(text));
    std::fs::write(&path, appended).unwrap();
    reseal_pack(dir);
}

#[test]
fn checkpoint_lines_from_unknown_keys_are_allowed() {
    let pack = copy_of("audit-pack");
    let witness = demo_key("evx test: a witness nobody lists");
    append_checkpoint_line(pack.path(), |text| {
        note_line("witness.example/w1", &witness, text)
    });
    let report = run_json("verify", pack.path(), &[], 0);
    assert_eq!(report["ok"], true);
}

#[test]
fn a_bad_checkpoint_line_for_the_log_key_is_rejected() {
    let pack = copy_of("audit-pack");
    let log = demo_key(REKOR_SEED);
    // The log's name and key hash, over other text: a line for the expected key that fails.
    append_checkpoint_line(pack.path(), |_| {
        note_line(LOG_ORIGIN, &log, "rekor.evx-demo.example/log\n301\nAAAA\n")
    });
    let report = run_json("verify", pack.path(), &[], 1);
    assert_eq!(
        first_failure(&report),
        ("rekor".into(), "ERR_REKOR_CHECKPOINT_INVALID".into())
    );
}
