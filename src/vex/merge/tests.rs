use super::*;
use crate::vex::lattice::AuthoritySource;
use proptest::prelude::*;

fn at(day: u32) -> Option<DateTime<Utc>> {
    crate::vex::statement::parse_timestamp(&format!("2024-01-{day:02}T00:00:00Z"))
}

fn claim(authority: Authority) -> AuthorityClaim {
    let (source, explanation) = match authority {
        Authority::Vendor => (AuthoritySource::TrustPolicy, "trust policy, key acme-2026"),
        Authority::Unknown => (AuthoritySource::None, "no rule"),
        _ => (AuthoritySource::SelfDeclared, "self-declared"),
    };
    AuthorityClaim {
        authority,
        source,
        explanation: explanation.to_string(),
    }
}

fn cand(
    id: &str,
    status: Status,
    day: Option<u32>,
    authority: Authority,
) -> Candidate<&'static str> {
    Candidate {
        statement: format!("sha256:{id}"),
        status,
        timestamp: day.and_then(at),
        authority: claim(authority),
        provenance: "doc.json",
    }
}

use Authority::{Maintainer, ThirdParty, Vendor};
use Status::{Affected, Fixed, NotAffected, UnderInvestigation};

#[test]
fn precedence_beats_newer_and_higher_priority_statements() {
    // Reversing step 1 (lowest authority wins) or running step 2/3 first picks not_affected.
    let d = resolve(vec![
        cand("c", NotAffected, Some(9), ThirdParty),
        cand("a", Affected, Some(1), Vendor),
        cand("b", Affected, Some(5), ThirdParty),
    ])
    .unwrap();
    assert_eq!(
        (d.winner.as_str(), d.status, d.rule),
        ("sha256:a", Affected, Rule::Precedence)
    );
    assert!(d.conflict);
    assert_eq!(
        d.reason,
        "vendor statement (trust policy, key acme-2026) outranks 2 third-party statements (not_affected, affected)"
    );
}

#[test]
fn latest_timestamp_wins_among_equal_authority() {
    // Reversing step 2 (oldest wins) or running step 3 first picks not_affected.
    let d = resolve(vec![
        cand("a", NotAffected, Some(1), Vendor),
        cand("b", Affected, Some(2), Vendor),
    ])
    .unwrap();
    assert_eq!(
        (d.winner.as_str(), d.status, d.rule),
        ("sha256:b", Affected, Rule::Timestamp)
    );
    assert_eq!(
        d.reason,
        "vendor statement (trust policy, key acme-2026) of 2024-01-02T00:00:00Z supersedes 1 older statement (not_affected)"
    );
}

#[test]
fn missing_timestamp_is_the_oldest() {
    let d = resolve(vec![
        cand("a", NotAffected, None, Maintainer),
        cand("b", UnderInvestigation, Some(1), Maintainer),
    ])
    .unwrap();
    assert_eq!((d.status, d.rule), (UnderInvestigation, Rule::Timestamp));
}

#[test]
fn status_priority_breaks_a_tie_of_authority_and_time() {
    // Each pair: the higher-priority status must win although its id sorts last.
    let chain = [
        (Fixed, NotAffected),
        (UnderInvestigation, Fixed),
        (Affected, UnderInvestigation),
        (Status::Unknown, Affected),
    ];
    for (low, high) in chain {
        let d = resolve(vec![
            cand("a", low, Some(3), Vendor),
            cand("b", high, Some(3), Vendor),
        ])
        .unwrap();
        assert_eq!(
            (d.winner.as_str(), d.status, d.rule),
            ("sha256:b", high, Rule::StatusPriority),
            "{low} vs {high}"
        );
    }
    let d = resolve(vec![
        cand("a", Affected, Some(3), Vendor),
        cand("b", Fixed, Some(3), Vendor),
    ])
    .unwrap();
    assert_eq!(
        d.reason,
        "of 2 equally recent vendor statements, fixed takes priority over affected"
    );
}

#[test]
fn agreement_picks_the_smallest_statement_id() {
    // Reversing step 4 (largest id) picks sha256:b.
    let d = resolve(vec![
        cand("b", Fixed, Some(2), Vendor),
        cand("a", Fixed, Some(2), Vendor),
        cand("c", Fixed, Some(1), ThirdParty),
    ])
    .unwrap();
    assert_eq!(
        (d.winner.as_str(), d.rule, d.conflict),
        ("sha256:a", Rule::Agreement, false)
    );
    assert!(
        d.reason.starts_with("all 3 statements agree: fixed"),
        "{}",
        d.reason
    );
    let ids: Vec<_> = d.candidates.iter().map(|c| c.statement.as_str()).collect();
    assert_eq!(ids, ["sha256:a", "sha256:b", "sha256:c"]);
}

#[test]
fn rule_is_the_first_step_removing_a_different_status() {
    // Step 1 removes only an agreeing statement; step 2 removes the dissenting one.
    let d = resolve(vec![
        cand("a", Affected, Some(5), Vendor),
        cand("b", NotAffected, Some(1), Vendor),
        cand("c", Affected, Some(9), ThirdParty),
    ])
    .unwrap();
    assert_eq!((d.status, d.rule), (Affected, Rule::Timestamp));
}

#[test]
fn sole_candidate_and_empty_input() {
    let d = resolve(vec![cand(
        "a",
        UnderInvestigation,
        None,
        Authority::Unknown,
    )])
    .unwrap();
    assert_eq!((d.rule, d.conflict), (Rule::Sole, false));
    assert_eq!(
        d.reason,
        "sole statement: unknown-authority statement (no rule) says under_investigation"
    );
    assert_eq!(
        d.winner_candidate().map(|c| c.status),
        Some(UnderInvestigation)
    );
    assert!(resolve::<u8>(vec![]).is_none());
}

#[test]
fn rules_serialise_in_kebab_case() {
    assert_eq!(
        serde_json::to_string(&Rule::StatusPriority).unwrap(),
        "\"status-priority\""
    );
    assert_eq!(Rule::Precedence.to_string(), "precedence");
}

#[test]
fn resolve_all_groups_by_vulnerability_and_target() {
    let items = vec![
        (
            "CVE-1".to_string(),
            "t2".to_string(),
            cand("a", Fixed, Some(1), Vendor),
        ),
        (
            "CVE-1".to_string(),
            "t1".to_string(),
            cand("b", Affected, Some(1), Vendor),
        ),
        (
            "CVE-1".to_string(),
            "t1".to_string(),
            cand("c", NotAffected, Some(1), ThirdParty),
        ),
    ];
    let out = resolve_all(items);
    let got: Vec<_> = out
        .iter()
        .map(|t| {
            (
                t.target.as_str(),
                t.decision.status,
                t.decision.candidates.len(),
            )
        })
        .collect();
    assert_eq!(got, [("t1", Affected, 2), ("t2", Fixed, 1)]);
}

#[test]
fn aliases_link_groups_transitively_and_name_them_by_smallest_cve() {
    let groups = VulnerabilityGroups::from_links([
        ("GHSA-xxxx", vec!["CVE-2024-2"]),
        ("cve-2024-1", vec!["ghsa-XXXX"]),
        ("SNYK-B", vec!["GHSA-a"]),
        ("OSV-9", vec![]),
    ]);
    assert_eq!(groups.name_of("ghsa-xxxx"), Some("CVE-2024-1"));
    assert_eq!(groups.name_of("CVE-2024-2"), Some("CVE-2024-1"));
    assert_eq!(groups.name_of("Cve-2024-1"), Some("CVE-2024-1"));
    assert_eq!(groups.name_of("snyk-b"), Some("GHSA-a"));
    assert_eq!(groups.name_of("OSV-9"), Some("OSV-9"));
    assert_eq!(groups.name_of("CVE-2099-1"), None);
    assert_eq!(groups.len(), 3);
    let (name, members) = groups.groups().next().unwrap();
    assert_eq!(name, "CVE-2024-1");
    assert_eq!(members, ["cve-2024-1", "cve-2024-2", "ghsa-xxxx"]);
}

#[test]
fn groups_from_statements() {
    let statement = |id: &str, aliases: &[&str]| VexStatement {
        vulnerability: id.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        target: "t".to_string(),
        product_ref: "t".to_string(),
        status: Fixed,
        raw_status: None,
        justification: None,
        impact: None,
        action: None,
        timestamp: None,
        pointer: String::new(),
    };
    let s = [
        statement("SNYK-1", &["CVE-2023-27103"]),
        statement("cve-2023-27103", &[]),
    ];
    let groups = group_vulnerabilities(&s);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups.name_of("SNYK-1"), Some("CVE-2023-27103"));
}

fn candidate() -> impl Strategy<Value = Candidate<u8>> {
    (
        prop::sample::select(vec!["a", "b", "c", "d"]),
        prop::sample::select(Status::ALL.to_vec()),
        prop::option::of(1u32..4),
        prop::sample::select(Authority::ALL.to_vec()),
        0u8..3,
    )
        .prop_map(|(id, status, day, authority, provenance)| Candidate {
            statement: format!("sha256:{id}"),
            status,
            timestamp: day.and_then(at),
            authority: claim(authority),
            provenance,
        })
}

proptest! {
    #[test]
    fn shuffling_candidates_never_changes_the_decision(
        (original, shuffled) in prop::collection::vec(candidate(), 1..8)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        prop_assert_eq!(resolve(original), resolve(shuffled));
    }

    #[test]
    fn decisions_are_consistent(cands in prop::collection::vec(candidate(), 1..8)) {
        let d = resolve(cands.clone()).unwrap();
        let winner = d.winner_candidate().unwrap();
        prop_assert_eq!(winner.status, d.status);
        let top = cands.iter().map(|c| c.authority.authority).max().unwrap();
        prop_assert_eq!(winner.authority.authority, top);
        let deciding = matches!(d.rule, Rule::Precedence | Rule::Timestamp | Rule::StatusPriority);
        prop_assert_eq!(d.conflict, deciding);
        prop_assert_eq!(d.rule == Rule::Sole, cands.len() == 1);
    }

    #[test]
    fn alias_groups_ignore_link_order(
        links in prop::collection::vec((0usize..6, 0usize..6), 0..8).prop_shuffle()
    ) {
        const IDS: [&str; 6] = ["CVE-1", "cve-2", "GHSA-x", "ghsa-X", "SNYK-1", "OSV-1"];
        let forward = VulnerabilityGroups::from_links(links.iter().map(|&(a, b)| (IDS[a], vec![IDS[b]])));
        let backward = VulnerabilityGroups::from_links(links.iter().rev().map(|&(a, b)| (IDS[b], vec![IDS[a]])));
        prop_assert_eq!(forward, backward);
    }
}
