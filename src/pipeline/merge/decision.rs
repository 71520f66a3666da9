//! The merged VEX decisions as both views read them (`evx conflicts`, the Conflicts tab).

use crate::graph::NodeId;
use crate::vex::{Authority, AuthoritySource, Rule, Status, TargetDecision, VexFormat};
use chrono::{DateTime, Utc};
use std::cmp::Reverse;

/// Where a candidate statement came from; carried through [`crate::vex::resolve`] unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Provenance {
    /// Bundle path of the document's file.
    pub document: String,
    /// Pointer of the statement inside that file.
    pointer: String,
    format: VexFormat,
    issuer: Option<String>,
    /// The vulnerability id as the statement wrote it.
    vulnerability: String,
    justification: Option<String>,
    impact: Option<String>,
    action: Option<String>,
}

impl Provenance {
    /// Provenance of one statement read from one document.
    pub fn new(
        document: &str,
        pointer: String,
        doc: &crate::vex::VexDocument,
        s: &crate::vex::VexStatement,
    ) -> Self {
        Provenance {
            document: document.to_string(),
            pointer,
            format: doc.format,
            issuer: doc.issuer.clone(),
            vulnerability: s.vulnerability.clone(),
            justification: s.justification.clone(),
            impact: s.impact.clone(),
            action: s.action.clone(),
        }
    }
}

/// The decision for one (vulnerability group, target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDecision {
    /// The `verdict` node id.
    pub verdict: NodeId,
    /// The vulnerability group's name (smallest `CVE-` id, else smallest id).
    pub vulnerability: String,
    /// The group's other ids, sorted.
    pub aliases: Vec<String>,
    /// The normalised target (purl, `sha256:` digest, CPE or id as given).
    pub target: String,
    /// The winner's status: the verdict.
    pub status: Status,
    /// The resolution step that decided.
    pub rule: Rule,
    /// The winning statement's node id.
    pub winner: NodeId,
    /// Two or more distinct statuses among the candidates.
    pub conflict: bool,
    /// One sentence: which step decided and against whom.
    pub reason: String,
    /// Every candidate: the winner first, then by authority, newest first, then by id.
    pub candidates: Vec<DecisionCandidate>,
}

/// One statement competing in a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionCandidate {
    /// The `vex-statement` node id.
    pub statement: NodeId,
    /// Whether this statement won.
    pub winner: bool,
    /// Bundle path of the document that makes the statement.
    pub document: String,
    /// Pointer of the statement inside that file.
    pub pointer: String,
    /// The document's format.
    pub format: VexFormat,
    /// The document's issuer (SPEC §3).
    pub issuer: Option<String>,
    /// The issuer's authority.
    pub authority: Authority,
    /// Which rule gave it: trust policy, self-declared or none.
    pub authority_source: AuthoritySource,
    /// How, in words: `trust policy, key acme-2026`.
    pub authority_detail: String,
    /// The vulnerability id as the statement wrote it.
    pub vulnerability: String,
    /// The statement's status.
    pub status: Status,
    /// The statement's time; `None` sorts as the oldest.
    pub timestamp: Option<DateTime<Utc>>,
    /// Why not affected.
    pub justification: Option<String>,
    /// Impact statement.
    pub impact: Option<String>,
    /// Action statement.
    pub action: Option<String>,
}

impl VexDecision {
    /// The winning candidate.
    pub fn winner_candidate(&self) -> Option<&DecisionCandidate> {
        self.candidates.iter().find(|c| c.winner)
    }

    /// Builds the model from a resolved target.
    pub fn from_resolved(d: TargetDecision<Provenance>, aliases: Vec<String>) -> Self {
        let winner_index = d.decision.winner_index;
        let mut candidates: Vec<DecisionCandidate> = d
            .decision
            .candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| DecisionCandidate {
                statement: NodeId::from_text(&c.statement),
                winner: i == winner_index,
                document: c.provenance.document,
                pointer: c.provenance.pointer,
                format: c.provenance.format,
                issuer: c.provenance.issuer,
                authority: c.authority.authority,
                authority_source: c.authority.source,
                authority_detail: c.authority.explanation,
                vulnerability: c.provenance.vulnerability,
                status: c.status,
                timestamp: c.timestamp,
                justification: c.provenance.justification,
                impact: c.provenance.impact,
                action: c.provenance.action,
            })
            .collect();
        candidates.sort_by(|a, b| {
            let key = |c: &DecisionCandidate| {
                (
                    !c.winner,
                    Reverse(c.authority),
                    Reverse(c.timestamp),
                    c.statement,
                )
            };
            key(a).cmp(&key(b))
        });
        VexDecision {
            verdict: super::identity::verdict_id(&d.vulnerability, &d.target),
            vulnerability: d.vulnerability,
            aliases,
            target: d.target,
            status: d.decision.status,
            rule: d.decision.rule,
            winner: NodeId::from_text(&d.decision.winner),
            conflict: d.decision.conflict,
            reason: d.decision.reason,
            candidates,
        }
    }
}

/// Conflicts first, then by vulnerability and target.
pub fn sort_decisions(decisions: &mut [VexDecision]) {
    decisions.sort_by(|a, b| {
        (!a.conflict, &a.vulnerability, &a.target).cmp(&(!b.conflict, &b.vulnerability, &b.target))
    });
}
