//! `evx conflicts` as a user runs it: the demo's conflicts with winners and rules (golden
//! snapshots in `snapshots/`), the human tables, `--trust`, and exit codes.

mod common;

use common::cli::evx;

use serde_json::Value;
use std::process::Output;

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// The JSON output with the machine-specific bundle path neutralised.
fn json(args: &[&str]) -> Value {
    let mut doc: Value = serde_json::from_str(&stdout(&evx(args))).expect("JSON");
    doc["bundle"]["path"] = Value::String("[demo]".into());
    doc
}

fn rules(doc: &Value) -> Vec<&str> {
    doc["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn demo_conflicts_json_golden() {
    let doc = json(&["conflicts", "assets/demo", "--json"]);
    assert_eq!(
        rules(&doc),
        ["precedence", "timestamp", "status-priority", "precedence"]
    );
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!("demo_conflicts", doc);
    });
}

#[test]
fn demo_all_decisions_with_the_trust_policy_golden() {
    let doc = json(&[
        "conflicts",
        "assets/demo",
        "--json",
        "--all",
        "--trust",
        "assets/trust.json",
    ]);
    let mut seen: Vec<&str> = rules(&doc);
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "agreement",
            "precedence",
            "sole",
            "status-priority",
            "timestamp"
        ],
        "every rule"
    );
    let vendor = &doc["decisions"][0]["candidates"][0];
    assert_eq!(vendor["authoritySource"], "trust-policy");
    assert_eq!(
        vendor["authorityDetail"],
        "trust policy, key acme-release-2026"
    );
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!("demo_conflicts_trusted_all", doc);
    });
}

#[test]
fn the_json_carries_the_contract_fields() {
    let doc = json(&["conflicts", "assets/demo", "--json", "--all"]);
    for d in doc["decisions"].as_array().unwrap() {
        for key in [
            "vulnerability",
            "target",
            "status",
            "rule",
            "winner",
            "candidates",
            "reason",
        ] {
            assert!(d.get(key).is_some(), "decision lacks {key}: {d}");
        }
        for c in d["candidates"].as_array().unwrap() {
            for key in [
                "statement",
                "document",
                "issuer",
                "authority",
                "authoritySource",
                "status",
                "timestamp",
            ] {
                assert!(c.get(key).is_some(), "candidate lacks {key}: {c}");
            }
            assert!(["trust-policy", "self-declared", "none"]
                .contains(&c["authoritySource"].as_str().unwrap()));
        }
        let winner = d["winner"].as_str().unwrap();
        assert!(d["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["statement"] == winner));
    }
}

#[test]
fn the_trust_policy_changes_who_wins_cve_2026_10006() {
    let verdict = |doc: &Value| -> (String, String) {
        let d = doc["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["vulnerability"] == "CVE-2026-10006")
            .unwrap();
        (
            d["status"].as_str().unwrap().into(),
            d["candidates"][0]["issuer"].as_str().unwrap().into(),
        )
    };
    let untrusted = json(&["conflicts", "assets/demo", "--json"]);
    let trusted = json(&[
        "conflicts",
        "assets/demo",
        "--json",
        "--trust",
        "assets/trust.json",
    ]);
    assert_eq!(
        verdict(&untrusted),
        ("affected".into(), "Northwind Security Research".into())
    );
    assert_eq!(
        verdict(&trusted),
        ("not_affected".into(), "Acme Platform Maintainers".into())
    );
}

#[test]
fn human_output_is_a_table_per_decision_with_why() {
    let text = stdout(&evx(&[
        "conflicts",
        "assets/demo",
        "--trust",
        "assets/trust.json",
    ]));
    assert!(text.contains("decisions  7 · 4 conflict(s)"), "{text}");
    assert!(text.contains("CVE-2026-10001 (GHSA-7m2x-q4vr-9c3f) on pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64&distro=debian-12"), "{text}");
    assert!(text.contains("  why      vendor statement (trust policy, key acme-release-2026) outranks 2 maintainer/third-party statements"), "{text}");
    assert!(
        text.contains("  * not_affected         vendor       trust-policy"),
        "{text}"
    );
    assert!(
        !text.contains("CVE-2026-10005"),
        "agreements and sole statements need --all"
    );
    let all = stdout(&evx(&["conflicts", "assets/demo", "--all"]));
    assert!(
        all.contains(
            "CVE-2026-10005 on pkg:cargo/lapin@2.5.0\n  verdict  under_investigation, rule sole"
        ),
        "{all}"
    );
    assert!(
        all.contains("self-declared, OpenVEX role \"vendor\""),
        "{all}"
    );
}

#[test]
fn unreadable_bundle_or_trust_file_exits_2() {
    let out = evx(&["conflicts", "/nonexistent/bundle"]);
    assert_eq!(out.status.code(), Some(2));
    let out = evx(&[
        "conflicts",
        "assets/demo",
        "--trust",
        "/nonexistent/trust.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/trust.json"));
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("trust.json");
    std::fs::write(
        &bad,
        br#"{"issuers": [{"match": {"keyid": "ghost"}, "authority": "vendor"}]}"#,
    )
    .unwrap();
    let out = evx(&["conflicts", "assets/demo", "--trust", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ERR_TRUST_POLICY /issuers/0/match/keyid"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // reconcile reads the same flag.
    let out = evx(&["reconcile", "assets/demo", "--trust", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demo_trust_policy_pins_the_demo_public_key() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let policy: Value =
        serde_json::from_slice(&std::fs::read(dir.join("assets/trust.json")).unwrap()).unwrap();
    let pinned =
        evx::verify::keys::PublicKey::from_key_object(&policy["keys"][0]).expect("a valid key");
    let pem = std::fs::read_to_string(common::demo().join("keys/acme-release-2026.pub")).unwrap();
    assert_eq!(
        pinned,
        evx::verify::keys::PublicKey::from_pem(&pem).unwrap()
    );
    assert_eq!(policy["keys"][0]["keyid"], "acme-release-2026");
}
