//! `evx verify` as a user runs it, on the packs in `assets/`: profiles, every stable code of the
//! portable-v1 checks as `firstFailure`, legacy bundles, exports, and trusted versus
//! bundle-supplied versus self-asserted keys.

mod common;

use common::cli::{arg, assert_clean_exit, asset, copy_of, copy_tree, evx};

use serde_json::{json, Value};
use std::path::Path;

/// `evx verify PATH --json [extra…]`, checking the exit code.
fn verify_json(path: &Path, extra: &[&str], exit: i32) -> Value {
    let mut args = vec!["verify", arg(path), "--json"];
    args.extend_from_slice(extra);
    let out = evx(&args);
    assert_clean_exit(&out, exit);
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn check_statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks[]")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn signature_statuses(report: &Value) -> Vec<String> {
    report["signatures"]
        .as_array()
        .expect("signatures[]")
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

/// The key ids listed under `trust.<kind>`.
fn trust_keyids(report: &Value, kind: &str) -> Vec<String> {
    report["trust"][kind]
        .as_array()
        .expect("trust list")
        .iter()
        .flat_map(|k| k["keyids"].as_array().unwrap().clone())
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

const PORTABLE_CHECKS: [&str; 6] = [
    "schema",
    "manifest-signature",
    "file-digests",
    "dsse",
    "rekor",
    "exports",
];

#[test]
fn the_valid_audit_pack_verifies_as_portable_v1() {
    let report = verify_json(&asset("audit-pack"), &[], 0);
    assert_eq!(report["profile"], "portable-v1");
    assert_eq!(report["ok"], true);
    assert_eq!(report["firstFailure"], Value::Null);
    let statuses = check_statuses(&report);
    let names: Vec<&str> = statuses.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, PORTABLE_CHECKS);
    assert!(statuses.iter().all(|(_, s)| s == "pass"), "{statuses:?}");
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["code"], Value::Null);
    }
}

#[test]
fn the_audit_pack_verifies_the_same_as_a_tar_gz() {
    let files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(asset("audit-pack"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(asset("audit-pack")).unwrap();
            (
                format!("pack/{}", rel.to_string_lossy()),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, bytes) in &files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, bytes.as_slice())
            .unwrap();
    }
    let gz = tar.into_inner().unwrap().finish().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("audit-pack.tar.gz");
    std::fs::write(&path, gz).unwrap();
    let report = verify_json(&path, &[], 0);
    assert_eq!(report["profile"], "portable-v1");
}

/// Verifies `assets/broken-packs/<code>` and checks that `code` is the first failure.
fn assert_first_failure(code: &str) {
    let report = verify_json(&asset(&format!("broken-packs/{code}")), &[], 1);
    assert_eq!(report["ok"], false);
    assert_eq!(report["firstFailure"]["code"], code, "{report:#}");
    let expected_profile = if code == "ERR_MANIFEST_PROFILE_UNKNOWN" {
        "unknown"
    } else {
        "portable-v1"
    };
    assert_eq!(report["profile"], expected_profile);
    // Every check before the failing one passed: the variant breaks exactly one thing.
    let failing = report["firstFailure"]["check"].as_str().unwrap();
    for (name, status) in check_statuses(&report) {
        if name == failing {
            break;
        }
        assert_eq!(status, "pass", "{name} before {failing}");
    }
    let message = report["firstFailure"]["message"].as_str().unwrap();
    assert!(!message.is_empty());
}

macro_rules! broken_pack_tests {
    ($($name:ident => $code:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_first_failure($code);
            }
        )*
        /// Every variant shipped in assets/broken-packs has a test above.
        const BROKEN_PACK_CODES: &[&str] = &[$($code),*];
    };
}

broken_pack_tests! {
    broken_pack_err_manifest_schema => "ERR_MANIFEST_SCHEMA",
    broken_pack_err_manifest_signature => "ERR_MANIFEST_SIGNATURE",
    broken_pack_err_file_missing => "ERR_FILE_MISSING",
    broken_pack_err_file_digest_mismatch => "ERR_FILE_DIGEST_MISMATCH",
    broken_pack_err_canonical_bom_digest => "ERR_CANONICAL_BOM_DIGEST",
    broken_pack_err_dsse_payload_digest => "ERR_DSSE_PAYLOAD_DIGEST",
    broken_pack_err_dsse_signature => "ERR_DSSE_SIGNATURE",
    broken_pack_err_dsse_subject_mismatch => "ERR_DSSE_SUBJECT_MISMATCH",
    broken_pack_err_rekor_checkpoint_invalid => "ERR_REKOR_CHECKPOINT_INVALID",
    broken_pack_err_rekor_tile_missing => "ERR_REKOR_TILE_MISSING",
    broken_pack_err_rekor_tile_digest_mismatch => "ERR_REKOR_TILE_DIGEST_MISMATCH",
    broken_pack_err_rekor_reference_uncovered => "ERR_REKOR_REFERENCE_UNCOVERED",
    broken_pack_err_rekor_proof_invalid => "ERR_REKOR_PROOF_INVALID",
    broken_pack_err_rekor_root_mismatch => "ERR_REKOR_ROOT_MISMATCH",
    broken_pack_err_manifest_profile_unknown => "ERR_MANIFEST_PROFILE_UNKNOWN",
}

#[test]
fn every_broken_pack_is_tested() {
    let mut shipped: Vec<String> = std::fs::read_dir(asset("broken-packs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    shipped.sort();
    let mut tested: Vec<String> = BROKEN_PACK_CODES.iter().map(|c| c.to_string()).collect();
    tested.sort();
    assert_eq!(shipped, tested);
}

#[test]
fn a_missing_file_skips_the_checks_that_need_it() {
    let tmp = copy_of("audit-pack");
    std::fs::remove_file(tmp.path().join("dsse_envelope.json")).unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["firstFailure"]["code"], "ERR_FILE_MISSING");
    let statuses = check_statuses(&report);
    assert_eq!(statuses[3], ("dsse".into(), "skipped".into()));
    assert_eq!(statuses[4], ("rekor".into(), "skipped".into()));
}

#[test]
fn manifest_paths_are_looked_up_in_the_bundle_never_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    copy_tree(&asset("audit-pack"), &pack);
    // A file that exists on disk next to the bundle, with the digest the manifest claims.
    std::fs::write(tmp.path().join("outside.json"), b"{}").unwrap();
    let path = pack.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["files"]["../outside.json"] = json!({
        "sha256": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let report = verify_json(&pack, &[], 1);
    let digests = &report["checks"][2];
    assert_eq!(digests["name"], "file-digests");
    assert_eq!(digests["code"], "ERR_FILE_MISSING", "{digests}");
    assert_eq!(digests["problems"][0]["file"], "../outside.json");
}

#[test]
fn a_portable_manifest_that_also_has_manifest_version_stays_portable() {
    let tmp = copy_of("audit-pack");
    let path = tmp.path().join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["manifestVersion"] = json!("1");
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["profile"], "portable-v1");
    assert!(report["notes"][0]
        .as_str()
        .unwrap()
        .contains("manifestVersion"));
    let statuses = check_statuses(&report);
    assert_eq!(statuses[0], ("schema".into(), "pass".into()));
    // The added field is not signed: validated as portable, the signature check catches it.
    assert_eq!(report["firstFailure"]["code"], "ERR_MANIFEST_SIGNATURE");
}

#[test]
fn the_legacy_bundle_verifies_as_legacy() {
    let report = verify_json(&asset("legacy-bundle"), &[], 0);
    assert_eq!(report["profile"], "legacy");
    let statuses = check_statuses(&report);
    assert_eq!(
        statuses,
        [
            ("schema".into(), "pass".into()),
            ("file-digests".into(), "pass".into()),
            ("dsse".into(), "pass".into()),
            ("exports".into(), "pass".into())
        ]
    );
    assert_eq!(signature_statuses(&report), ["bundle-supplied"]);
}

#[test]
fn a_legacy_bundle_with_a_changed_file_fails_with_its_digest() {
    let tmp = copy_of("legacy-bundle");
    std::fs::write(
        tmp.path().join("sboms/payments-api-2.3.0.cdx.json"),
        b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\"}",
    )
    .unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["profile"], "legacy");
    assert_eq!(report["firstFailure"]["code"], "ERR_FILE_DIGEST_MISMATCH");
    std::fs::remove_file(tmp.path().join("sboms/payments-api-2.3.0.cdx.json")).unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["firstFailure"]["code"], "ERR_FILE_MISSING");
}

#[test]
fn a_legacy_bundle_without_its_key_fails_closed() {
    let tmp = copy_of("legacy-bundle");
    std::fs::remove_file(tmp.path().join("keys/acme-release-2026.pub")).unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    // The manifest still lists the key file, so file-digests fails first…
    assert_eq!(report["firstFailure"]["code"], "ERR_FILE_MISSING");
    // …and the envelope has no key to verify with.
    let dsse = &report["checks"][2];
    assert_eq!(dsse["code"], "ERR_DSSE_KEY_UNKNOWN");
}

#[test]
fn a_manifest_with_neither_marker_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("manifest.json"),
        br#"{"name": "release", "files": {}}"#,
    )
    .unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["profile"], "unknown");
    assert_eq!(report["firstFailure"]["check"], "profile");
    assert_eq!(
        report["firstFailure"]["code"],
        "ERR_MANIFEST_PROFILE_UNKNOWN"
    );
}

#[test]
fn a_bundle_without_a_manifest_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("sboms")).unwrap();
    std::fs::write(
        tmp.path().join("sboms/a.cdx.json"),
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#,
    )
    .unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(report["profile"], "unknown");
    assert_eq!(
        report["firstFailure"]["code"],
        "ERR_MANIFEST_PROFILE_UNKNOWN"
    );
    // A manifest deeper in the bundle is not the bundle's profile.
    std::fs::write(
        tmp.path().join("sboms/manifest.json"),
        br#"{"manifestVersion": "1"}"#,
    )
    .unwrap();
    assert_eq!(verify_json(tmp.path(), &[], 1)["profile"], "unknown");
}

#[test]
fn demo_attestations_are_bundle_supplied_without_trust() {
    let report = verify_json(&common::demo(), &[], 0);
    assert_eq!(report["profile"], "legacy");
    assert_eq!(signature_statuses(&report), ["bundle-supplied"; 3]);
    assert!(report["trust"]["pinned"].as_array().unwrap().is_empty());
    assert_eq!(report["trust"]["policy"], Value::Null);
    let bundle_keys = &report["trust"]["bundleSupplied"];
    assert_eq!(
        bundle_keys[0]["sources"],
        json!(["keys/acme-release-2026.pub"])
    );
}

#[test]
fn demo_attestations_are_trusted_with_the_pinned_key() {
    let trust = asset("trust.json");
    let report = verify_json(&common::demo(), &["--trust", arg(&trust)], 0);
    assert_eq!(signature_statuses(&report), ["trusted"; 3]);
    assert!(trust_keyids(&report, "pinned").contains(&"acme-release-2026".to_string()));
    assert_eq!(report["checks"][0]["name"], "trust-policy");
    assert_eq!(report["checks"][0]["status"], "pass");
    // The signed export is trusted as well.
    let signed: Vec<&Value> = report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["signatures"].as_array().unwrap())
        .collect();
    assert!(!signed.is_empty());
    assert!(signed.iter().all(|s| s["status"] == "trusted"));
}

#[test]
fn the_audit_pack_is_trusted_only_with_trust() {
    let report = verify_json(&asset("audit-pack"), &[], 0);
    assert_eq!(signature_statuses(&report), ["bundle-supplied"; 2]);
    let trust = asset("trust.json");
    let report = verify_json(&asset("audit-pack"), &["--trust", arg(&trust)], 0);
    assert_eq!(signature_statuses(&report), ["trusted"; 2]);
    let message = report["checks"][2]["message"].as_str().unwrap();
    assert!(message.contains("(trusted)"), "{message}");
}

#[test]
fn a_bundle_root_trust_json_is_self_asserted() {
    let tmp = copy_of("demo");
    let policy = std::fs::read(asset("trust.json")).unwrap();
    std::fs::write(tmp.path().join("trust.json"), policy).unwrap();
    let report = verify_json(tmp.path(), &[], 0);
    assert_eq!(signature_statuses(&report), ["self-asserted"; 3]);
    assert!(trust_keyids(&report, "selfAsserted").contains(&"acme-release-2026".to_string()));
    assert!(report["trust"]["pinned"].as_array().unwrap().is_empty());
    let out = evx(&["reconcile", arg(tmp.path()), "--json"]);
    let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warning = graph["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "WARN_TRUST_SELF_ASSERTED")
        .expect("a self-asserted warning");
    assert_eq!(warning["file"], "trust.json");
    assert_eq!(warning["severity"], "warning");
}

#[test]
fn an_unreadable_trust_file_is_a_usage_error() {
    let out = evx(&[
        "verify",
        arg(&common::demo()),
        "--trust",
        "/nonexistent/trust.json",
    ]);
    assert_clean_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/trust.json"), "{stderr}");
}

#[test]
fn a_broken_trust_file_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("trust.json");
    std::fs::write(&path, br#"{"keys": [{"keyid": "x", "publicKey": "AAAA"}]}"#).unwrap();
    let report = verify_json(&common::demo(), &["--trust", arg(&path)], 1);
    assert_eq!(report["firstFailure"]["check"], "trust-policy");
    assert_eq!(report["firstFailure"]["code"], "ERR_TRUST_POLICY");
    assert_eq!(signature_statuses(&report), ["bundle-supplied"; 3]);
}

#[test]
fn demo_exports_are_valid_and_ordered_by_run_then_start() {
    let report = verify_json(&common::demo(), &[], 0);
    let exports = report["exports"].as_array().unwrap();
    assert_eq!(exports.len(), 6);
    assert!(exports
        .iter()
        .all(|e| e["ok"] == true && e["codes"] == json!([])));
    let keys: Vec<(String, String)> = exports
        .iter()
        .map(|e| {
            (
                e["runId"].as_str().unwrap().to_string(),
                e["startedAt"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    for key in ["file", "runId", "ok", "codes"] {
        assert!(exports[0].get(key).is_some(), "{key}");
    }
}

/// The broken-exports bundle names each file after the code its failing record must have.
#[test]
fn broken_exports_fail_with_the_code_in_their_file_name() {
    let report = verify_json(&asset("broken-exports"), &[], 1);
    let mut seen = Vec::new();
    for e in report["exports"].as_array().unwrap() {
        let file = e["file"].as_str().unwrap();
        let stem = file
            .trim_start_matches("exports/")
            .split('.')
            .next()
            .unwrap();
        if e["ok"] == false {
            assert_eq!(e["codes"], json!([stem]), "{file}: {e}");
            seen.push(stem.to_string());
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "ERR_EXPORT_DUPLICATE",
            "ERR_EXPORT_EXTERNAL_URI",
            "ERR_EXPORT_HASH_FORMAT",
            "ERR_EXPORT_IDEMPOTENCY",
            "ERR_EXPORT_SCHEMA",
            "ERR_EXPORT_SIGNATURE",
            "ERR_EXPORT_STATUS",
            "ERR_JSON_PARSE"
        ]
    );
    let exports_check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "exports")
        .unwrap();
    assert_eq!(exports_check["status"], "fail");
}

fn export_entry<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("{file}"))
}

#[test]
fn a_tampered_export_signature_fails_closed() {
    let report = verify_json(&asset("broken-exports"), &[], 1);
    let tampered = export_entry(&report, "exports/ERR_EXPORT_SIGNATURE.json");
    assert_eq!(tampered["codes"], json!(["ERR_EXPORT_SIGNATURE"]));
    assert_eq!(tampered["signatures"][0]["status"], "failed");
    // Untampered, the same record verifies.
    let demo = verify_json(&common::demo(), &[], 0);
    let signed = export_entry(&demo, "exports/mirror-build.export.json");
    assert_eq!(signed["signatures"][0]["status"], "bundle-supplied");
}

#[test]
fn an_idempotency_key_computed_without_tenant_id_is_rejected() {
    let report = verify_json(&asset("broken-exports"), &[], 1);
    let entry = export_entry(&report, "exports/ERR_EXPORT_IDEMPOTENCY.json");
    assert_eq!(entry["codes"], json!(["ERR_EXPORT_IDEMPOTENCY"]));
    let message = entry["problems"][0]["message"].as_str().unwrap();
    assert!(message.contains("without tenantId"), "{message}");
}

#[test]
fn a_bad_ndjson_line_is_reported_with_its_line_and_the_rest_counts() {
    let report = verify_json(&asset("broken-exports"), &[], 1);
    let lines: Vec<&Value> = report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == "exports/ERR_JSON_PARSE.ndjson")
        .collect();
    assert_eq!(lines.len(), 3);
    let bad = lines.iter().find(|e| e["ok"] == false).unwrap();
    assert_eq!(bad["line"], 2);
    assert_eq!(lines.iter().filter(|e| e["ok"] == true).count(), 2);
}

#[test]
fn an_export_over_one_mebibyte_is_too_large() {
    let tmp = tempfile::tempdir().unwrap();
    let art = format!("sha256:{}", "ab".repeat(32));
    let record = json!({
        "runId": "big", "artifactHash": art, "startedAt": "2026-02-01T00:00:00Z", "status": "running",
        "jobType": "x".repeat(1024 * 1024)
    });
    std::fs::write(tmp.path().join("big.json"), record.to_string()).unwrap();
    let report = verify_json(tmp.path(), &[], 1);
    assert_eq!(
        report["exports"][0]["codes"],
        json!(["ERR_EXPORT_TOO_LARGE"])
    );
}

#[test]
fn human_output_groups_checks_in_the_fixed_order_with_marks() {
    let out = evx(&["verify", arg(&asset("audit-pack")), "--no-color"]);
    assert_clean_exit(&out, 0);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour: {text}");
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in {text}"))
    };
    let groups = [
        "\nmanifest\n",
        "\nfile digests\n",
        "\nDSSE\n",
        "\nRekor\n",
        "\nexports\n",
    ];
    let positions: Vec<usize> = groups.iter().map(|g| position(g)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("profile  portable-v1"));
    assert!(text.contains("✔ rekor"));
    assert!(text.contains("result   OK (portable-v1)"));
    assert!(
        text.contains("not trusted"),
        "bundle-supplied keys are flagged"
    );

    let out = evx(&[
        "verify",
        arg(&asset("broken-packs/ERR_MANIFEST_SCHEMA")),
        "--no-color",
    ]);
    assert_clean_exit(&out, 1);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("✘ schema              ERR_MANIFEST_SCHEMA"),
        "{text}"
    );
    assert!(text.contains("– rekor"), "{text}");
    assert!(text.contains("FAILED at schema: ERR_MANIFEST_SCHEMA"));
}

#[test]
fn the_graph_has_key_nodes_signed_by_edges_and_exports_linked_to_artifacts() {
    let pem = std::fs::read_to_string(common::demo().join("keys/acme-release-2026.pub")).unwrap();
    let key = evx::verify::keys::PublicKey::from_pem(&pem).unwrap();
    let key_id = format!("sha256:{}", key.key_id());
    let demo = common::demo();
    let graph_of = |extra: &[&str]| -> Value {
        let mut args = vec!["reconcile", arg(&demo), "--json"];
        args.extend_from_slice(extra);
        let out = evx(&args);
        assert_clean_exit(&out, 0);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let graph = graph_of(&[]);
    let node = |g: &Value, id: &str| {
        g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("node {id}"))
    };
    let key_node = node(&graph, &key_id);
    assert_eq!(key_node["kind"], "key");
    assert_eq!(key_node["algorithm"], "ed25519");
    assert_eq!(key_node["trust"], "bundle-supplied");
    assert_eq!(key_node["keyids"], json!(["acme-release-2026"]));
    let edges = graph["edges"].as_array().unwrap();
    let signed_by = edges
        .iter()
        .filter(|e| e["type"] == "signed-by" && e["target"] == key_id.as_str())
        .count();
    assert_eq!(
        signed_by, 5,
        "3 attestations (provenance, carried SBOM, vendor VEX) and 2 signed exports"
    );

    let api = "sha256:f58b45cec7134d0e231a8d4c9681d55d17d59d70d0b54edeeaad2ac72ae2559c";
    let into_api = |kind: &str| {
        edges
            .iter()
            .filter(|e| e["type"] == kind && e["target"] == api)
            .count()
    };
    assert_eq!(into_api("exports"), 4);
    assert!(
        into_api("attests") > 0,
        "the same artifact id on both sides"
    );

    let trust = asset("trust.json");
    let pinned = graph_of(&["--trust", arg(&trust)]);
    assert_eq!(node(&pinned, &key_id)["trust"], "pinned");
}

/// The corpus DSSE folder read as a bundle: the envelopes its VECTORS.json marks valid with the
/// Ed25519 `key.pub` (a securesystemslib JSON key) verify with it, as bundle-supplied.
#[test]
fn corpus_ed25519_envelopes_verify_with_the_corpus_key() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("dsse");
    let vectors: Value =
        serde_json::from_slice(&std::fs::read(dir.join("VECTORS.json")).unwrap()).unwrap();
    let report = verify_json(&dir, &[], 1);
    let status_of = |file: &str| {
        report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == file)
            .map(|s| s["status"].as_str().unwrap().to_string())
    };
    let mut checked = 0;
    for v in vectors["vectors"].as_array().unwrap() {
        let from_key_pub = v["publicKeySource"]
            .as_str()
            .is_some_and(|s| s.starts_with("key.pub"));
        if v["algorithm"] == "ed25519" && v["expected"] == "valid" && from_key_pub {
            let file = v["file"].as_str().unwrap();
            assert_eq!(
                status_of(file).as_deref(),
                Some("bundle-supplied"),
                "{file}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked}");
}
