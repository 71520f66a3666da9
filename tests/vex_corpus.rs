//! The VEX readers against the shared corpus (`../shared/corpus`): every `openvex/`, `csaf/`
//! and `cdx-vex/` file per its MANIFEST `expect`, plus statuses read from specific files.

use evx::diag::{Code, Diagnostic, Severity};
use evx::vex::{self, cyclonedx, Candidate, Status, VexDocument, VexFormat};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        println!("corpus absent, skipping");
        None
    }
}

fn read(dir: &std::path::Path, path: &str) -> Value {
    let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    evx::json::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn format_of(path: &str) -> Option<VexFormat> {
    match path.split('/').next()? {
        "openvex" => Some(VexFormat::OpenVex),
        "csaf" => Some(VexFormat::Csaf),
        "cdx-vex" => Some(VexFormat::CycloneDx),
        _ => None,
    }
}

fn load(dir: &std::path::Path, path: &str) -> (Option<VexDocument>, Vec<Diagnostic>) {
    let format = format_of(path).expect("a VEX folder");
    vex::parse(format, &read(dir, path))
}

fn doc(dir: &std::path::Path, path: &str) -> VexDocument {
    let (doc, diags) = load(dir, path);
    doc.unwrap_or_else(|| panic!("{path}: no document; {diags:?}"))
}

fn has(diags: &[Diagnostic], code: Code, pointer: &str) -> bool {
    diags.iter().any(|d| d.code == code && d.pointer == pointer)
}

fn count(doc: &VexDocument, status: Status) -> usize {
    doc.statements.iter().filter(|s| s.status == status).count()
}

#[test]
fn every_vex_file_meets_its_manifest_expectation() {
    let Some(dir) = corpus() else { return };
    let manifest = read(&dir, "MANIFEST.json");
    let files = manifest["files"].as_array().expect("files[]");
    let mut seen = 0;
    for entry in files {
        let path = entry["path"].as_str().unwrap_or_default();
        let Some(format) = format_of(path) else {
            continue;
        };
        seen += 1;
        let value = read(&dir, path);
        assert_eq!(vex::detect(&value), Some(format), "{path}: detected format");
        let (doc, diags) = vex::parse(format, &value);
        let loud: Vec<_> = diags
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(
            diags.iter().all(|d| d.file.is_empty()),
            "{path}: file is the caller's"
        );
        match entry["expect"].as_str() {
            Some("ok") => {
                assert!(doc.is_some(), "{path}: no document");
                assert!(loud.is_empty(), "{path}: unexpected diagnostics {loud:#?}");
            }
            Some("diagnostic") => assert!(!loud.is_empty(), "{path}: expected a diagnostic"),
            Some("legacy") => {
                let warned = diags.iter().any(|d| d.code == Code::WarnFormatLegacy);
                let has_statements =
                    value.get("statements").is_some() || value.get("vulnerabilities").is_some();
                assert!(
                    warned || !has_statements,
                    "{path}: legacy VEX content without WARN_FORMAT_LEGACY"
                );
            }
            other => panic!("{path}: unexpected expect value {other:?}"),
        }
    }
    assert_eq!(seen, 14 + 11 + 35, "all openvex/, csaf/ and cdx-vex/ files");
}

#[test]
fn diagnostics_name_the_documented_defects() {
    let Some(dir) = corpus() else { return };
    let expectations: &[(&str, &[(Code, &str)])] = &[
        (
            "openvex/v020-1.vex.json",
            &[
                (Code::DocSchema, "/timestamp"),
                (Code::DocSchema, "/version"),
            ],
        ),
        (
            "openvex/sample-history.openvex.json",
            &[
                (Code::DocSchema, "/statements/0/statement"),
                (Code::DocSchema, "/statements/1/statement"),
            ],
        ),
        (
            "openvex/open-vex-affected.json",
            &[
                (Code::DocSchema, "/@context"),
                (Code::DocSchema, "/version"),
            ],
        ),
        (
            "csaf/csaf-rs_csaf-csaf_2_0-6-1-27-05-s01.json",
            &[
                (Code::DocSchema, "/vulnerabilities/0/notes"),
                (Code::DocSchema, "/product_tree"),
                (Code::VexStatement, "/vulnerabilities/0"),
                (Code::VexStatement, "/vulnerabilities/0/product_status"),
            ],
        ),
        (
            "csaf/csaf-rs_csaf-csaf_2_0-6-1-27-09-s01.json",
            &[(
                Code::DocSchema,
                "/vulnerabilities/0/product_status/known_not_affected/2",
            )],
        ),
        (
            "csaf/csaf-rs_csaf-csaf_2_0-6-1-27-10-s01.json",
            &[
                (
                    Code::DocSchema,
                    "/vulnerabilities/0/product_status/known_affected/0",
                ),
                (
                    Code::DocSchema,
                    "/vulnerabilities/0/product_status/known_affected/2",
                ),
                (Code::DocSchema, "/vulnerabilities/0/notes"),
            ],
        ),
        (
            "csaf/csaf-rs_csaf-csaf_2_0-6-1-27-11-s01.json",
            &[(Code::DocSchema, "/vulnerabilities")],
        ),
        (
            "csaf/invalid-category.json",
            &[
                (Code::DocSchema, "/document/csaf_version"),
                (Code::DocSchema, "/document/publisher"),
                (Code::DocSchema, "/document/tracking/revision_history"),
            ],
        ),
        (
            "csaf/rhba-2023_0564.json",
            &[
                (Code::DocSchema, "/document/title"),
                (Code::DocSchema, "/document/publisher/name"),
                (Code::DocSchema, "/document/tracking/id"),
            ],
        ),
        (
            "csaf/rhsa-2023_1441.json",
            &[
                (Code::VexStatement, "/vulnerabilities/0"),
                (Code::DocSchema, "/vulnerabilities/0/ids"),
                (Code::DocSchema, "/vulnerabilities/0/product_status/fixed"),
                (
                    Code::DocSchema,
                    "/vulnerabilities/0/product_status/known_affected",
                ),
            ],
        ),
    ];
    for (path, expected) in expectations {
        let (_, diags) = load(&dir, path);
        for (code, pointer) in *expected {
            assert!(
                has(&diags, *code, pointer),
                "{path}: no {code} at {pointer}; got {diags:#?}"
            );
        }
    }
    // The exact exception of each csaf-rs test, so a wrong check cannot pass by accident.
    let (_, diags) = load(&dir, "csaf/csaf-rs_csaf-csaf_2_0-6-1-27-09-s01.json");
    assert_eq!(
        diags.len(),
        1,
        "6.1.27.9 is the file's only failure: {diags:#?}"
    );
    assert!(diags[0].message.contains("6.1.27.9") && diags[0].message.contains("CSAFPID-9080702"));
    let revisions = "/document/tracking/revision_history";
    let (_, diags) = load(&dir, "csaf/rhba-2023_0564.json");
    let revision_problems = diags
        .iter()
        .filter(|d| d.pointer.starts_with(revisions))
        .count();
    assert_eq!(
        revision_problems, 2,
        "one empty number, one empty summary: {diags:#?}"
    );
}

#[test]
fn rhsa_2021_3029_keeps_the_undefined_product_id() {
    let Some(dir) = corpus() else { return };
    let (doc, diags) = load(&dir, "csaf/rhsa-2021_3029.json");
    let bogus = "notexits-7ComputeNode-7.7.EUS:microcode_ctl-2:2.1-53.18.el7_7.src";
    let unresolved: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::VexProductUnresolved)
        .collect();
    assert_eq!(unresolved.len(), 1, "{diags:#?}");
    assert!(unresolved[0].message.contains(bogus));
    let doc = doc.unwrap();
    let kept = doc
        .statements
        .iter()
        .find(|s| s.target == bogus)
        .expect("kept as given");
    assert_eq!(
        (kept.vulnerability.as_str(), kept.status),
        ("CVE-2020-8698", Status::Fixed)
    );
    assert_eq!(doc.statements.len(), 9 * 6);
}

#[test]
fn cdx_cisa_case_1_statuses() {
    let Some(dir) = corpus() else { return };
    let cases = [
        ("not_affected", Status::NotAffected, "product-ABC"),
        ("affected", Status::Affected, "product-DEF"),
        ("fixed", Status::Fixed, "product-DEF"),
        (
            "under_investigation",
            Status::UnderInvestigation,
            "product-GHI",
        ),
    ];
    for (name, status, target) in cases {
        let path = format!("cdx-vex/bomex-VEX-CISA-Use-Cases-Case-1-vex-{name}.json");
        let doc = doc(&dir, &path);
        assert_eq!(doc.statements.len(), 1, "{path}");
        let s = &doc.statements[0];
        assert_eq!(
            (s.vulnerability.as_str(), s.status, s.target.as_str()),
            ("CVE-2021-44228", status, target),
            "{path}"
        );
        assert_eq!(
            s.timestamp, doc.timestamp,
            "{path}: metadata.timestamp applies"
        );
    }
    let s = &doc(
        &dir,
        "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-1-vex-not_affected.json",
    )
    .statements[0];
    assert_eq!(s.justification.as_deref(), Some("code_not_present"));
    assert_eq!(s.raw_status.as_deref(), Some("not_affected"));
}

#[test]
fn cdx_spec_vulnerability_documents_resolve_bom_refs_to_purls() {
    let Some(dir) = corpus() else { return };
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        let path = format!("cdx-vex/valid-vulnerability-{version}.json");
        let doc = doc(&dir, &path);
        let s = &doc.statements[0];
        assert_eq!(
            s.vulnerability, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111",
            "{path}"
        );
        assert_eq!(s.aliases, ["CVE-2018-7489"], "{path}");
        assert_eq!(
            s.target, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
            "{path}"
        );
        assert_eq!(s.status, Status::NotAffected, "{path}");
    }
    let s = &doc(&dir, "cdx-vex/valid-vulnerability-1.5.json").statements[0];
    let when = s.timestamp.map(|t| vex::statement::format_timestamp(&t));
    assert_eq!(
        when.as_deref(),
        Some("2022-02-01T00:00:00Z"),
        "lastUpdated wins over firstIssued"
    );
}

#[test]
fn cdx_statuses_of_case_3_and_the_product_agnostic_case_7() {
    let Some(dir) = corpus() else { return };
    let doc3 = doc(&dir, "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-3-vex.json");
    let counts: Vec<usize> = [
        Status::NotAffected,
        Status::Fixed,
        Status::UnderInvestigation,
        Status::Affected,
    ]
    .into_iter()
    .map(|s| count(&doc3, s))
    .collect();
    assert_eq!(counts, [6, 3, 5, 5]);
    let (doc7, diags) = load(&dir, "cdx-vex/bomex-VEX-Use-Cases-Case-7-vex.json");
    let doc7 = doc7.unwrap();
    assert!(doc7.statements.is_empty());
    assert_eq!(doc7.issuer.as_deref(), Some("Acme, Inc."));
    assert_eq!(diags.len(), 1);
    assert_eq!(
        (diags[0].code, diags[0].severity),
        (Code::VexStatement, Severity::Info)
    );
}

#[test]
fn cdx_bom_links_stay_as_given_and_resolve_only_against_their_bom() {
    let Some(dir) = corpus() else { return };
    let doc = doc(&dir, "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-7-vex.json");
    let abc = "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC";
    let targets: BTreeSet<&str> = doc.statements.iter().map(|s| s.target.as_str()).collect();
    assert!(targets.contains(abc), "{targets:?}");
    let bom1 = read(&dir, "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-7-bom-1.json");
    let bom2 = read(&dir, "cdx-vex/bomex-VEX-CISA-Use-Cases-Case-7-bom-2.json");
    // product-ABC has no purl in its BOM, so the resolved target is the link itself.
    assert_eq!(
        cyclonedx::resolve_bom_link(abc, &bom1).as_deref(),
        Some(abc)
    );
    assert_eq!(cyclonedx::resolve_bom_link(abc, &bom2), None);
    // The corpus quirk: the BOM shipped next to bomex-VEX-vex.json has another serial number.
    let vex_doc = self::doc(&dir, "cdx-vex/bomex-VEX-vex.json");
    let link = &vex_doc.statements[0].target;
    assert!(link.starts_with("urn:cdx:3e671687-"), "{link}");
    assert_eq!(
        vex_doc.statements[0].aliases,
        ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]
    );
    let bom = read(&dir, "cdx-vex/bomex-VEX-bom.json");
    assert_eq!(cyclonedx::resolve_bom_link(link, &bom), None);
}

#[test]
fn csaf_rhsa_has_fixed_and_affected_statements_for_its_cve() {
    let Some(dir) = corpus() else { return };
    let doc = doc(&dir, "csaf/rhsa-csaf.json");
    assert!(doc
        .statements
        .iter()
        .all(|s| s.vulnerability == "CVE-2023-0286"));
    assert_eq!(
        (count(&doc, Status::Fixed), count(&doc, Status::Affected)),
        (35, 1)
    );
    let affected = doc
        .statements
        .iter()
        .find(|s| s.status == Status::Affected)
        .unwrap();
    assert_eq!(
        affected.target,
        "BaseOS-8.6.0.Z.EUS:openssl-1:1.1.1k-7.el8_6.x86_64"
    );
    assert!(affected
        .action
        .as_deref()
        .is_some_and(|a| a.starts_with("vendor_fix: ")));
    assert_eq!(doc.issuer.as_deref(), Some("Red Hat Product Security"));
    assert_eq!(
        doc.issuer_namespace.as_deref(),
        Some("https://www.redhat.com")
    );
    assert_eq!(doc.self_declared, Some(vex::Authority::Vendor));
    assert_eq!(doc.id.as_deref(), Some("RHSA-2023:1441"));
}

#[test]
fn csaf_cve_2023_20593_counts() {
    let Some(dir) = corpus() else { return };
    let doc = doc(&dir, "csaf/cve-2023-20593.json");
    assert_eq!(
        (count(&doc, Status::Fixed), count(&doc, Status::NotAffected)),
        (2571, 210)
    );
    assert_eq!(doc.statements.len(), 2781);
    let targets: BTreeSet<&str> = doc.statements.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets.len(),
        2781,
        "relationship products have no purl: one target each"
    );
    let not_affected = doc
        .statements
        .iter()
        .filter(|s| s.status == Status::NotAffected);
    assert!(not_affected
        .clone()
        .all(|s| s.justification.as_deref() == Some("vulnerable_code_not_present")));
    assert!(doc.statements.iter().all(|s| s.aliases == ["2217845"]));
}

#[test]
fn openvex_subcomponents_and_legacy_documents() {
    let Some(dir) = corpus() else { return };
    let doc = doc(&dir, "openvex/v0.2.0.json");
    let image =
        "pkg:oci/alpine@sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126";
    let libssl = format!(
        "{}#pkg:apk/alpine/libssl3@3.0.8-r3",
        evx::vex::target::normalize_target(image)
    );
    let s = doc
        .statements
        .iter()
        .find(|s| s.vulnerability == "CVE-2023-3446" && s.target == libssl)
        .unwrap_or_else(|| panic!("no {libssl} in {:#?}", doc.statements));
    assert_eq!(s.status, Status::NotAffected);
    assert_eq!(
        s.impact.as_deref(),
        Some("affected functions were removed before packaging")
    );
    assert_eq!(
        doc.self_declared,
        Some(vex::Authority::ThirdParty),
        "role \"Demo Writer\""
    );

    let (legacy, diags) = load(&dir, "openvex/v0.0.1.json");
    assert!(has(&diags, Code::WarnFormatLegacy, ""));
    let legacy = legacy.unwrap();
    let got: Vec<_> = legacy
        .statements
        .iter()
        .map(|s| (s.target.as_str(), s.status))
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", Status::Fixed),
            ("pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64", Status::Fixed)
        ]
    );
    let (images, _) = load(&dir, "openvex/images.vex.json");
    assert_eq!(count(&images.unwrap(), Status::UnderInvestigation), 4);
    let (test_vex, diags) = load(&dir, "openvex/test.vex.json");
    assert!(test_vex.unwrap().statements.is_empty());
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.code == Code::VexStatement)
            .count(),
        2,
        "no products"
    );
}

#[test]
fn openvex_documents_merge_by_timestamp_and_aliases_group() {
    let Some(dir) = corpus() else { return };
    let candidates: Vec<Candidate<String>> =
        ["openvex/document1.vex.json", "openvex/document2.vex.json"]
            .into_iter()
            .flat_map(|path| {
                let doc = doc(&dir, path);
                let claim = evx::trust::authority_for(&doc, &[], None);
                doc.statements.into_iter().map(move |s| Candidate {
                    statement: format!(
                        "sha256:{}",
                        evx::json::jcs::sha256_hex(&serde_json::to_value(&s).unwrap())
                    ),
                    status: s.status,
                    timestamp: s.timestamp,
                    authority: claim.clone(),
                    provenance: path.to_string(),
                })
            })
            .collect();
    let decision = vex::resolve(candidates).unwrap();
    assert_eq!(
        (decision.status, decision.rule, decision.conflict),
        (Status::Fixed, vex::Rule::Timestamp, true)
    );
    let winner = decision.winner_candidate().unwrap();
    assert_eq!(winner.provenance, "openvex/document2.vex.json");
    assert_eq!(winner.authority.source, vex::AuthoritySource::SelfDeclared);

    let history = doc(&dir, "openvex/sample-history.openvex.json");
    let groups = vex::group_vulnerabilities(&history.statements);
    assert_eq!(
        groups.name_of("snyk-debian12-libde265-3361563"),
        Some("CVE-2023-27103")
    );
}
