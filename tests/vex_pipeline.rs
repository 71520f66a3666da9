//! VEX through the real pipeline (SPEC §3, §4): one golden test per resolution rule, each
//! written so that reversing the rule's direction makes it fail; authority from the trust
//! policy, the bundle's own trust.json and self-declared roles; alias groups; per-statement
//! diagnostics; BOM-Links across documents; the VEX part of the graph.

mod vex_support;

use evx::diag::{Code, Severity};
use evx::graph::{EdgeType, NodeKind};
use evx::pipeline::Reconciled;
use evx::vex::{Authority, AuthoritySource, Rule, Status};
use serde_json::{json, Value};
use vex_support::*;

const A: &str = "pkg:npm/a@1";
const B: &str = "pkg:npm/b@1";

fn third_party(name: &str) -> (&'static str, &str, &'static str) {
    ("coordinator", name, "https://third.example")
}

fn has_diagnostic(model: &Reconciled, code: Code, file: &str, pointer: &str) -> bool {
    model
        .diagnostics
        .iter()
        .any(|d| d.code == code && d.file == file && d.pointer == pointer)
}

#[test]
fn precedence_the_vendor_outranks_a_newer_third_party() {
    // Reversed (lowest authority wins), or timestamp or status priority applied first, the
    // third party's newer not_affected would win.
    let vendor = openvex(
        "v",
        "Acme",
        Some("vendor"),
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-1", A, "affected", None)],
    );
    let other = csaf(
        third_party("Other"),
        "2024-03-01T00:00:00Z",
        &[("CVE-2024-1", "known_not_affected", A)],
    );
    let model = reconcile(vec![("vendor.json", vendor), ("other.json", other)], None);
    let d = decision(&model, "CVE-2024-1");
    assert_eq!(
        (d.status, d.rule, d.conflict),
        (Status::Affected, Rule::Precedence, true)
    );
    let winner = d.winner_candidate().unwrap();
    assert_eq!(
        (winner.document.as_str(), winner.authority),
        ("vendor.json", Authority::Vendor)
    );
    assert_eq!(winner.authority_source, AuthoritySource::SelfDeclared);
    assert_eq!(winner.statement, d.winner);
    let loser = &d.candidates[1];
    assert_eq!(
        (loser.authority, loser.status),
        (Authority::ThirdParty, Status::NotAffected)
    );
    assert!(d.reason.starts_with("vendor statement (self-declared, OpenVEX role \"vendor\") outranks 1 third-party statement"), "{}", d.reason);
}

#[test]
fn timestamp_the_latest_of_equal_authority_wins() {
    // Reversed (oldest wins), or status priority applied first, not_affected would win.
    let old = openvex(
        "1",
        "M1",
        Some("maintainer"),
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-2", A, "not_affected", None)],
    );
    let new = openvex(
        "2",
        "M2",
        Some("maintainer"),
        "2024-02-01T00:00:00Z",
        vec![ov_statement("CVE-2024-2", A, "affected", None)],
    );
    let model = reconcile(vec![("old.json", old), ("new.json", new)], None);
    let d = decision(&model, "CVE-2024-2");
    assert_eq!((d.status, d.rule), (Status::Affected, Rule::Timestamp));
    assert_eq!(d.winner_candidate().unwrap().document, "new.json");
}

#[test]
fn timestamp_a_statement_time_overrides_its_document_time() {
    let doc = openvex(
        "1",
        "M",
        Some("maintainer"),
        "2024-05-01T00:00:00Z",
        vec![
            ov_statement(
                "CVE-2024-3",
                A,
                "not_affected",
                Some("2024-01-01T00:00:00Z"),
            ),
            ov_statement("CVE-2024-3", A, "affected", None),
        ],
    );
    let model = reconcile(vec![("doc.json", doc)], None);
    let d = decision(&model, "CVE-2024-3");
    assert_eq!((d.status, d.rule), (Status::Affected, Rule::Timestamp));
}

#[test]
fn status_priority_breaks_a_tie_of_authority_and_time() {
    // Reversed (lowest priority wins), affected would win.
    let date = "2024-03-01T00:00:00Z";
    let one = csaf(
        third_party("One"),
        date,
        &[("CVE-2024-4", "known_affected", A)],
    );
    let two = csaf(third_party("Two"), date, &[("CVE-2024-4", "fixed", A)]);
    let model = reconcile(vec![("one.json", one), ("two.json", two)], None);
    let d = decision(&model, "CVE-2024-4");
    assert_eq!((d.status, d.rule), (Status::Fixed, Rule::StatusPriority));
    assert_eq!(d.winner_candidate().unwrap().document, "two.json");
    assert_eq!(
        d.reason,
        "of 2 equally recent third-party statements, fixed takes priority over affected"
    );
}

#[test]
fn agreement_the_smallest_statement_id_stands_for_all() {
    // Reversed (largest id wins), the other statement would stand for them.
    let date = "2024-03-01T00:00:00Z";
    let one = csaf(third_party("One"), date, &[("CVE-2024-5", "fixed", A)]);
    let two = csaf(third_party("Two"), date, &[("CVE-2024-5", "fixed", A)]);
    let model = reconcile(vec![("one.json", one), ("two.json", two)], None);
    let d = decision(&model, "CVE-2024-5");
    assert_eq!(
        (d.status, d.rule, d.conflict),
        (Status::Fixed, Rule::Agreement, false)
    );
    let smallest = d.candidates.iter().map(|c| &c.statement).min().unwrap();
    assert_eq!(&d.winner, smallest);
    assert_ne!(d.candidates[0].statement, d.candidates[1].statement);
}

#[test]
fn sole_one_statement_decides_alone() {
    let doc = openvex(
        "1",
        "Acme",
        None,
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-6", B, "under_investigation", None)],
    );
    let model = reconcile(vec![("doc.json", doc)], None);
    let d = decision(&model, "CVE-2024-6");
    assert_eq!(
        (d.status, d.rule, d.conflict),
        (Status::UnderInvestigation, Rule::Sole, false)
    );
    let c = &d.candidates[0];
    assert_eq!(
        (c.authority, c.authority_source),
        (Authority::Unknown, AuthoritySource::None)
    );
}

#[test]
fn conflicts_come_first_then_vulnerability_and_target() {
    let doc = openvex(
        "1",
        "Acme",
        None,
        "2024-01-01T00:00:00Z",
        vec![
            ov_statement("CVE-2024-1", B, "fixed", None),
            ov_statement("CVE-2024-1", A, "fixed", None),
            ov_statement("CVE-2024-9", A, "fixed", None),
            ov_statement("CVE-2024-9", A, "affected", Some("2023-01-01T00:00:00Z")),
        ],
    );
    let model = reconcile(vec![("doc.json", doc)], None);
    let order: Vec<(&str, &str, bool)> = model
        .decisions
        .iter()
        .map(|d| (d.vulnerability.as_str(), d.target.as_str(), d.conflict))
        .collect();
    assert_eq!(
        order,
        [
            ("CVE-2024-9", A, true),
            ("CVE-2024-1", A, false),
            ("CVE-2024-1", B, false)
        ]
    );
}

#[test]
fn aliases_from_any_document_form_one_group_named_by_its_cve() {
    let ghsa = json!({"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc", "aliases": ["cve-2024-7"]},
                      "products": [{"@id": A}], "status": "fixed"});
    let one = openvex(
        "1",
        "Acme",
        Some("vendor"),
        "2024-01-01T00:00:00Z",
        vec![ghsa],
    );
    let two = csaf(
        third_party("Other"),
        "2024-03-01T00:00:00Z",
        &[("CVE-2024-7", "known_affected", A)],
    );
    let model = reconcile(vec![("one.json", one), ("two.json", two)], None);
    assert_eq!(model.decisions.len(), 1);
    let d = decision(&model, "CVE-2024-7");
    assert_eq!(d.aliases, ["GHSA-aaaa-bbbb-cccc"]);
    assert_eq!((d.status, d.rule), (Status::Fixed, Rule::Precedence));
    let g = &model.graph;
    let alias = g
        .edges()
        .find(|e| e.kind == EdgeType::AliasOf)
        .expect("alias-of edge");
    assert_eq!(g.node(&alias.source).unwrap().label, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(g.node(&alias.target).unwrap().label, "CVE-2024-7");
}

#[test]
fn a_pinned_signing_key_gives_vendor_authority_and_an_unverified_keyid_gives_none() {
    let signer = key(1);
    let role_says_third_party = openvex(
        "s",
        "Signer Inc",
        Some("downstream"),
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-8", A, "affected", None)],
    );
    let maintainer = openvex(
        "m",
        "Maint",
        Some("maintainer"),
        "2024-06-01T00:00:00Z",
        vec![ov_statement("CVE-2024-8", A, "not_affected", None)],
    );
    let files = |envelope: Value| {
        vec![
            ("signed.dsse.json", envelope),
            ("maint.json", maintainer.clone()),
        ]
    };
    let rules = json!([{"match": {"keyid": "acme"}, "authority": "vendor"}]);

    let pinned = policy(&signer, "acme", rules.clone());
    let model = reconcile(
        files(signed_envelope(
            &signer,
            "acme",
            role_says_third_party.clone(),
        )),
        Some(pinned),
    );
    let d = decision(&model, "CVE-2024-8");
    assert_eq!((d.status, d.rule), (Status::Affected, Rule::Precedence));
    let w = d.winner_candidate().unwrap();
    assert_eq!(
        (w.authority, w.authority_source),
        (Authority::Vendor, AuthoritySource::TrustPolicy)
    );
    assert_eq!(w.authority_detail, "trust policy, key acme");
    assert_eq!(w.pointer, "/payload/predicate/statements/0/products/0");
    assert!(
        d.reason
            .contains("(trust policy, key acme) outranks 1 maintainer statement"),
        "{}",
        d.reason
    );

    // The envelope names "acme" but another key signed it: the hint counts for nothing.
    let impostor = key(2);
    let pinned = policy(&signer, "acme", rules);
    let model = reconcile(
        files(signed_envelope(&impostor, "acme", role_says_third_party)),
        Some(pinned),
    );
    let d = decision(&model, "CVE-2024-8");
    assert_eq!(d.status, Status::NotAffected);
    let loser = d.candidates.iter().find(|c| !c.winner).unwrap();
    assert_eq!(
        (loser.authority, loser.authority_source),
        (Authority::ThirdParty, AuthoritySource::SelfDeclared)
    );
}

#[test]
fn the_bundle_trust_json_applies_as_self_asserted_and_a_pinned_policy_comes_first() {
    let doc = openvex(
        "1",
        "Acme",
        None,
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-10", A, "fixed", None)],
    );
    let own = json!({"issuers": [{"match": {"author": "Acme"}, "authority": "vendor"}]});
    let files = vec![("vex/doc.json", doc.clone()), ("trust.json", own.clone())];
    let model = reconcile(files.clone(), None);
    assert!(model
        .diagnostics
        .iter()
        .any(|d| d.code == Code::WarnTrustSelfAsserted
            && d.file == "trust.json"
            && d.severity == Severity::Warning));
    let c = &decision(&model, "CVE-2024-10").candidates[0];
    assert_eq!(
        (c.authority, c.authority_source),
        (Authority::Vendor, AuthoritySource::SelfDeclared)
    );
    assert_eq!(
        c.authority_detail,
        "self-asserted trust.json, author \"Acme\""
    );

    let pinned = vex_support::policy_file(
        &json!({"issuers": [{"match": {"author": "Acme"}, "authority": "maintainer"}]}),
    );
    let model = reconcile(files, Some(pinned));
    let c = &decision(&model, "CVE-2024-10").candidates[0];
    assert_eq!(
        (c.authority, c.authority_source),
        (Authority::Maintainer, AuthoritySource::TrustPolicy)
    );

    // Not at the root, a trust.json is just an unrecognised file.
    let model = reconcile(vec![("vex/doc.json", doc), ("sub/trust.json", own)], None);
    assert!(!model
        .diagnostics
        .iter()
        .any(|d| d.code == Code::WarnTrustSelfAsserted));
}

#[test]
fn broken_statements_are_diagnostics_and_the_others_still_merge() {
    let openvex_doc = openvex(
        "1",
        "Acme",
        Some("vendor"),
        "2024-01-01T00:00:00Z",
        vec![
            ov_statement("CVE-2024-11", A, "fixed", None),
            ov_statement("CVE-2024-12", A, "bogus", None),
            json!({"vulnerability": {"@id": "x"}, "products": [{"@id": A}], "status": "fixed"}),
        ],
    );
    let mut csaf_doc = csaf(
        third_party("Other"),
        "2024-03-01T00:00:00Z",
        &[("CVE-2024-13", "fixed", B)],
    );
    csaf_doc["vulnerabilities"][0]["product_status"]["fixed"]
        .as_array_mut()
        .unwrap()
        .push(json!("PID-404"));
    let cdx = cyclonedx(
        "11111111-1111-4111-8111-111111111111",
        "Acme",
        &[("a", A)],
        vec![cdx_vulnerability(
            "CVE-2024-14",
            "exploitable",
            &["a", "no-such-ref"],
            "2024-02-01T00:00:00Z",
        )],
    );
    let model = reconcile(
        vec![
            ("vex/o.json", openvex_doc),
            ("vex/c.json", csaf_doc),
            ("vex/x.cdx.json", cdx),
        ],
        None,
    );

    assert!(has_diagnostic(
        &model,
        Code::VexStatus,
        "vex/o.json",
        "/statements/1/status"
    ));
    assert!(has_diagnostic(
        &model,
        Code::VexStatement,
        "vex/o.json",
        "/statements/2/vulnerability/name"
    ));
    assert!(has_diagnostic(
        &model,
        Code::VexProductUnresolved,
        "vex/c.json",
        "/vulnerabilities/0/product_status/fixed/1"
    ));
    assert!(has_diagnostic(
        &model,
        Code::VexProductUnresolved,
        "vex/x.cdx.json",
        "/vulnerabilities/0/affects/1/ref"
    ));

    assert_eq!(decision(&model, "CVE-2024-11").status, Status::Fixed);
    assert_eq!(
        decision(&model, "CVE-2024-12").status,
        Status::Unknown,
        "kept as unknown"
    );
    let kept: Vec<&str> = model
        .decisions
        .iter()
        .filter(|d| d.vulnerability == "CVE-2024-13")
        .map(|d| d.target.as_str())
        .collect();
    assert_eq!(
        kept,
        ["PID-404", B],
        "the unresolved product id is kept as given"
    );
    let cdx_targets: Vec<&str> = model
        .decisions
        .iter()
        .filter(|d| d.vulnerability == "CVE-2024-14")
        .map(|d| d.target.as_str())
        .collect();
    assert_eq!(cdx_targets, ["no-such-ref", A]);
    assert_eq!(decision(&model, "CVE-2024-14").status, Status::Affected);
}

#[test]
fn bom_links_resolve_across_documents_or_say_why_not() {
    let sbom_serial = "aaaaaaaa-0000-4000-8000-000000000001";
    let sbom = cyclonedx(sbom_serial, "Acme", &[("lib-a", A)], vec![]);
    let link = |r: &str| format!("urn:cdx:{sbom_serial}/1#{r}");
    let (to_a, to_missing) = (link("lib-a"), link("missing"));
    let elsewhere = "urn:cdx:bbbbbbbb-0000-4000-8000-000000000002/1#x";
    let vex = cyclonedx(
        "cccccccc-0000-4000-8000-000000000003",
        "Maint",
        &[],
        vec![cdx_vulnerability(
            "CVE-2024-15",
            "not_affected",
            &[&to_a, &to_missing, elsewhere],
            "2024-02-01T00:00:00Z",
        )],
    );
    let model = reconcile(
        vec![("sboms/app.cdx.json", sbom), ("vex/links.cdx.json", vex)],
        None,
    );
    let targets: Vec<&str> = model.decisions.iter().map(|d| d.target.as_str()).collect();
    assert_eq!(targets, [A, to_missing.as_str(), elsewhere]);
    let unresolved: Vec<(Severity, &str)> = model
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::VexProductUnresolved && d.file == "vex/links.cdx.json")
        .map(|d| (d.severity, d.pointer.as_str()))
        .collect();
    assert_eq!(
        unresolved,
        [
            (Severity::Error, "/vulnerabilities/0/affects/1/ref"),
            (Severity::Warning, "/vulnerabilities/0/affects/2/ref"),
        ]
    );
    // The resolved statement applies to the SBOM's component.
    let g = &model.graph;
    let applies: Vec<String> = g
        .edges()
        .filter(|e| e.kind == EdgeType::AppliesTo)
        .filter_map(|e| Some(g.node(&e.target)?.field_str("purl")?.into_owned()))
        .collect();
    assert_eq!(applies, [A]);
}

#[test]
fn a_cyclonedx_file_that_is_sbom_and_vex_is_two_nodes() {
    let both = cyclonedx(
        "dddddddd-0000-4000-8000-000000000004",
        "Acme",
        &[("a", A)],
        vec![cdx_vulnerability(
            "CVE-2024-16",
            "resolved",
            &["a"],
            "2024-02-01T00:00:00Z",
        )],
    );
    let model = reconcile(vec![("both.cdx.json", both)], None);
    let g = &model.graph;
    let at_file = |kind: NodeKind| {
        g.nodes()
            .filter(|n| n.kind == kind && n.locations.iter().any(|l| &*l.file == "both.cdx.json"))
            .count()
    };
    assert_eq!(
        (at_file(NodeKind::Sbom), at_file(NodeKind::VexDocument)),
        (1, 1)
    );
    assert_eq!(decision(&model, "CVE-2024-16").status, Status::Fixed);
}

#[test]
fn the_same_vex_signed_and_unsigned_is_one_document_with_the_signed_authority() {
    let signer = key(3);
    let doc = openvex(
        "1",
        "Acme",
        None,
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-17", A, "fixed", None)],
    );
    let pinned = policy(
        &signer,
        "acme",
        json!([{"match": {"keyid": "acme"}, "authority": "vendor"}]),
    );
    let model = reconcile(
        vec![
            ("a-plain.json", doc.clone()),
            ("z-signed.json", signed_envelope(&signer, "acme", doc)),
        ],
        Some(pinned),
    );
    let docs: Vec<_> = model
        .graph
        .nodes()
        .filter(|n| n.kind == NodeKind::VexDocument)
        .collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].locations.len(), 2);
    let d = decision(&model, "CVE-2024-17");
    assert_eq!(d.candidates.len(), 1);
    let c = &d.candidates[0];
    assert_eq!(
        (c.authority, c.document.as_str()),
        (Authority::Vendor, "z-signed.json")
    );
}

#[test]
fn verdict_nodes_decide_the_winner_and_override_the_losers() {
    let vendor = openvex(
        "v",
        "Acme",
        Some("vendor"),
        "2024-01-01T00:00:00Z",
        vec![ov_statement("CVE-2024-18", A, "affected", None)],
    );
    let other = csaf(
        third_party("Other"),
        "2024-03-01T00:00:00Z",
        &[("CVE-2024-18", "known_not_affected", A)],
    );
    let model = reconcile(vec![("vendor.json", vendor), ("other.json", other)], None);
    let d = decision(&model, "CVE-2024-18");
    let g = &model.graph;
    let verdict = g.node(&d.verdict).expect("verdict node");
    assert_eq!(verdict.kind, NodeKind::Verdict);
    assert_eq!(verdict.field_str("rule").as_deref(), Some("precedence"));
    assert_eq!(
        verdict.field_str("winner").as_deref(),
        Some(d.winner.to_string().as_str())
    );
    let out: Vec<(EdgeType, String)> = g
        .outgoing(&d.verdict)
        .iter()
        .map(|e| (e.kind, e.target.to_string()))
        .collect();
    let loser = d.candidates.iter().find(|c| !c.winner).unwrap();
    assert!(out.contains(&(EdgeType::Decides, d.winner.to_string())));
    assert!(out.contains(&(EdgeType::Overrides, loser.statement.to_string())));
    for c in &d.candidates {
        let kinds: Vec<EdgeType> = g.outgoing(&c.statement).iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&EdgeType::About), "{kinds:?}");
        assert!(g
            .incoming(&c.statement)
            .iter()
            .any(|e| e.kind == EdgeType::Asserts));
    }
}

#[test]
fn a_carried_vex_reports_below_payload_predicate_and_subcomponents_link_both_nodes() {
    let image = format!("sha256:{}", "cd".repeat(32));
    let sub = json!({"vulnerability": {"name": "CVE-2024-19"}, "status": "fixed",
                     "products": [{"@id": image, "subcomponents": [{"@id": A}]}]});
    let doc = openvex(
        "1",
        "Acme",
        None,
        "2024-01-01T00:00:00Z",
        vec![sub, ov_statement("CVE-2024-20", A, "bogus", None)],
    );
    let sbom = cyclonedx(
        "ffffffff-0000-4000-8000-000000000006",
        "Acme",
        &[("a", A)],
        vec![],
    );
    let envelope = signed_envelope(&key(4), "k", doc);
    let model = reconcile(
        vec![("vex.dsse.json", envelope), ("sbom.cdx.json", sbom)],
        None,
    );
    assert!(has_diagnostic(
        &model,
        Code::VexStatus,
        "vex.dsse.json",
        "/payload/predicate/statements/1/status"
    ));
    let d = decision(&model, "CVE-2024-19");
    assert_eq!(d.target, format!("{image}#{A}"));
    let g = &model.graph;
    let mut linked: Vec<NodeKind> = g
        .outgoing(&d.winner)
        .iter()
        .filter(|e| e.kind == EdgeType::AppliesTo)
        .filter_map(|e| g.node(&e.target).map(|n| n.kind))
        .collect();
    linked.sort();
    assert_eq!(linked, [NodeKind::Artifact, NodeKind::Component]);
}
