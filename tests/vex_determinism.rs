//! SPEC §3 "The result never depends on input order": shuffling the statements inside each
//! document, which file holds which document, the file names and the file order never
//! changes any decision nor the VEX part of the graph, through `pipeline::reconcile`.
//! (The root digest may change with statement order: the CycloneDX document is also an SBOM,
//! whose id is its normalised digest, and array order is content there. With the statements
//! left in place it must not change.)

mod vex_support;

use evx::graph::NodeKind;
use evx::pipeline::Reconciled;
use evx::vex::{Authority, AuthoritySource, Rule, Status};
use proptest::prelude::*;
use serde_json::Value;
use vex_support::*;

const STATUSES: [&str; 4] = ["not_affected", "fixed", "under_investigation", "affected"];
const CSAF_KEYS: [&str; 4] = [
    "known_not_affected",
    "fixed",
    "under_investigation",
    "known_affected",
];
const CDX_STATES: [&str; 4] = ["not_affected", "resolved", "in_triage", "exploitable"];
const TARGETS: [&str; 3] = ["pkg:npm/a@1", "pkg:npm/b@1", "pkg:cargo/c@2"];

/// One generated statement: vulnerability, target, status (indices) and day of month.
type Gen = (usize, usize, usize, u32);

fn vulnerability(i: usize) -> String {
    format!("CVE-2024-{}", 100 + i)
}

fn day(d: u32) -> String {
    format!("2024-01-{d:02}T00:00:00Z")
}

/// Four documents: a vendor and a maintainer (OpenVEX), a third party (CSAF) and an issuer
/// without any claim (CycloneDX VEX), built from their statements in the given order.
fn documents(statements: &[Vec<Gen>; 4]) -> Vec<Value> {
    let ov = |id: &str, author: &str, role: &str, list: &[Gen]| {
        let list = list
            .iter()
            .map(|&(v, t, s, d)| {
                ov_statement(&vulnerability(v), TARGETS[t], STATUSES[s], Some(&day(d)))
            })
            .collect();
        openvex(id, author, Some(role), &day(1), list)
    };
    let csaf_claims: Vec<(String, &str, &str)> = statements[2]
        .iter()
        .map(|&(v, t, s, _)| (vulnerability(v), CSAF_KEYS[s], TARGETS[t]))
        .collect();
    let csaf_claims: Vec<CsafClaim> = csaf_claims
        .iter()
        .map(|(v, k, t)| (v.as_str(), *k, *t))
        .collect();
    let cdx_vulnerabilities = statements[3]
        .iter()
        .map(|&(v, t, s, d)| {
            cdx_vulnerability(&vulnerability(v), CDX_STATES[s], &[TARGETS[t]], &day(d))
        })
        .collect();
    let components: Vec<(&str, &str)> = TARGETS.iter().map(|t| (*t, *t)).collect();
    vec![
        ov("vendor", "Vendor Inc", "vendor", &statements[0]),
        ov("maintainer", "Maintainers", "maintainer", &statements[1]),
        csaf(
            ("coordinator", "Third", "https://third.example"),
            &day(2),
            &csaf_claims,
        ),
        cyclonedx(
            "eeeeeeee-0000-4000-8000-000000000005",
            "Nobody",
            &components,
            cdx_vulnerabilities,
        ),
    ]
}

/// A small deterministic permutation (Fisher–Yates over a linear congruential sequence).
fn permute<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

/// The bundle files for `docs`: document `i` is named by `names[i]`, files in `order`.
fn files(docs: &[Value], names: &[String], order: &[usize]) -> Vec<(String, Vec<u8>)> {
    order
        .iter()
        .map(|&i| (names[i].clone(), serde_json::to_vec(&docs[i]).unwrap()))
        .collect()
}

type Projection = Vec<(
    String,
    String,
    Status,
    Rule,
    bool,
    String,
    String,
    Vec<(String, Status, Authority, AuthoritySource, String)>,
)>;

/// Everything about the decisions except where documents sit in the bundle.
fn projection(model: &Reconciled) -> Projection {
    model
        .decisions
        .iter()
        .map(|d| {
            let candidates = d
                .candidates
                .iter()
                .map(|c| {
                    (
                        c.statement.to_string(),
                        c.status,
                        c.authority,
                        c.authority_source,
                        c.authority_detail.clone(),
                    )
                })
                .collect();
            (
                d.vulnerability.clone(),
                d.target.clone(),
                d.status,
                d.rule,
                d.conflict,
                d.reason.clone(),
                d.winner.to_string(),
                candidates,
            )
        })
        .collect()
}

const VEX_KINDS: [NodeKind; 4] = [
    NodeKind::VexDocument,
    NodeKind::VexStatement,
    NodeKind::Vulnerability,
    NodeKind::Verdict,
];

/// The VEX nodes (as in `nodes[]`) and every edge leaving them.
fn vex_graph(model: &Reconciled) -> (Vec<Value>, Vec<String>) {
    let g = &model.graph;
    let nodes = g
        .nodes()
        .filter(|n| VEX_KINDS.contains(&n.kind))
        .map(|n| n.to_json())
        .collect();
    let edges = g
        .edges()
        .filter(|e| {
            g.node(&e.source)
                .is_some_and(|n| VEX_KINDS.contains(&n.kind))
        })
        .map(|e| format!("{} {} {}", e.source, e.kind, e.target))
        .collect();
    (nodes, edges)
}

fn arb_statement() -> impl Strategy<Value = Gen> {
    (0..3usize, 0..3usize, 0..4usize, 1..5u32)
}

fn arb_documents() -> impl Strategy<Value = [Vec<Gen>; 4]> {
    let list = || prop::collection::vec(arb_statement(), 1..6);
    (list(), list(), list(), list()).prop_map(|(a, b, c, d)| [a, b, c, d])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shuffling_statements_documents_and_files_never_changes_a_decision(
        statements in arb_documents(),
        seed in any::<u64>(),
    ) {
        let names: Vec<String> = (0..4).map(|i| format!("vex/doc-{i}.json")).collect();
        let baseline = reconcile_bytes(files(&documents(&statements), &names, &[0, 1, 2, 3]), None);

        let mut shuffled = statements.clone();
        for (k, list) in shuffled.iter_mut().enumerate() {
            permute(list, seed.wrapping_add(k as u64));
        }
        let mut renamed: Vec<String> = (0..4).map(|i| format!("elsewhere/{}-{i}.bin", 9 - i)).collect();
        permute(&mut renamed, seed ^ 0x5eed);
        let mut order = vec![0, 1, 2, 3];
        permute(&mut order, seed.rotate_left(17));
        let other = reconcile_bytes(files(&documents(&shuffled), &renamed, &order), None);

        prop_assert!(!baseline.decisions.is_empty());
        prop_assert_eq!(projection(&baseline), projection(&other));
        prop_assert_eq!(vex_graph(&baseline), vex_graph(&other));
        let moved_only = reconcile_bytes(files(&documents(&statements), &renamed, &order), None);
        prop_assert_eq!(baseline.graph.root_digest(), moved_only.graph.root_digest());
        // Documents are the same ones, only renamed.
        for (a, b) in baseline.decisions.iter().zip(&other.decisions) {
            for (ca, cb) in a.candidates.iter().zip(&b.candidates) {
                let i = names.iter().position(|n| *n == ca.document).unwrap();
                prop_assert_eq!(&renamed[i], &cb.document);
            }
        }
    }
}
