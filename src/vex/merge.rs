//! Resolution of competing statements (SPEC §3 "Resolution") and vulnerability alias groups.
//!
//! Per (vulnerability group, target), over all candidate statements:
//! 1. keep the candidates whose authority is the join of all authorities;
//! 2. of those, keep the latest (a missing timestamp is the oldest);
//! 3. of those, keep the highest status priority;
//! 4. the winner is the one with the smallest statement id.
//!
//! Candidates are sorted by a total order before anything else, so the decision never depends
//! on input order.

use super::lattice::{Authority, AuthorityClaim, SourcePrecedenceLattice};
use super::statement::{format_timestamp, serialize_timestamp, Status, VexStatement};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Which step decided (SPEC §3): the first step that removed a candidate whose status differs
/// from the winner's; `agreement` when all candidates share it; `sole` for one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Step 1: a higher authority outranked a dissenting statement.
    Precedence,
    /// Step 2: a later statement superseded a dissenting one.
    Timestamp,
    /// Step 3: a higher-priority status won over a dissenting one.
    StatusPriority,
    /// Several candidates, all with the winner's status.
    Agreement,
    /// Exactly one candidate.
    Sole,
}

impl Rule {
    /// The stable spelling used in JSON (`precedence`, `status-priority`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Precedence => "precedence",
            Rule::Timestamp => "timestamp",
            Rule::StatusPriority => "status-priority",
            Rule::Agreement => "agreement",
            Rule::Sole => "sole",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One statement competing for a (vulnerability group, target). `provenance` is opaque to the
/// resolution (document path, issuer, …) and carried through; it must be `Ord` so that the
/// candidate order, and with it the decision, is total.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Candidate<P> {
    /// The statement's node id, `sha256:<hex>`.
    pub statement: String,
    /// The statement's status.
    pub status: Status,
    /// The statement's timestamp; `None` sorts as the oldest.
    #[serde(serialize_with = "serialize_timestamp")]
    pub timestamp: Option<DateTime<Utc>>,
    /// The issuer's authority and where it came from.
    pub authority: AuthorityClaim,
    /// Caller data carried through unchanged.
    pub provenance: P,
}

/// The outcome of resolution for one (vulnerability group, target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision<P> {
    /// Statement id of the winner.
    pub winner: String,
    /// Index of the winner in `candidates` (statement ids need not be unique there).
    #[serde(skip)]
    pub winner_index: usize,
    /// The winner's status: the verdict.
    pub status: Status,
    /// The step that decided.
    pub rule: Rule,
    /// Two or more distinct statuses among the candidates.
    pub conflict: bool,
    /// One sentence naming the deciding step and the losers.
    pub reason: String,
    /// All candidates, in their canonical (sorted) order.
    pub candidates: Vec<Candidate<P>>,
}

impl<P> Decision<P> {
    /// The winning candidate.
    pub fn winner_candidate(&self) -> Option<&Candidate<P>> {
        self.candidates.get(self.winner_index)
    }
}

/// Resolves one target's candidates; `None` when there are none.
pub fn resolve<P: Ord>(mut candidates: Vec<Candidate<P>>) -> Option<Decision<P>> {
    candidates.sort();
    let steps = Steps::run(&candidates)?;
    let winner = &candidates[steps.winner];
    let distinct: BTreeSet<u8> = candidates.iter().map(|c| c.status.priority()).collect();
    let rule = steps.rule(&candidates);
    let reason = explain(rule, &steps, &candidates);
    Some(Decision {
        winner: winner.statement.clone(),
        winner_index: steps.winner,
        status: winner.status,
        rule,
        conflict: distinct.len() > 1,
        reason,
        candidates,
    })
}

/// The survivors of steps 1–3, as indices into the sorted candidates.
struct Steps {
    all: Vec<usize>,
    by_authority: Vec<usize>,
    by_time: Vec<usize>,
    by_status: Vec<usize>,
    winner: usize,
}

impl Steps {
    fn run<P>(c: &[Candidate<P>]) -> Option<Steps> {
        let all: Vec<usize> = (0..c.len()).collect();
        let top = SourcePrecedenceLattice::join_all(c.iter().map(|c| c.authority.authority));
        let by_authority = keep(&all, |i| c[i].authority.authority == top);
        let latest = by_authority.iter().map(|&i| c[i].timestamp).max().flatten();
        let by_time = keep(&by_authority, |i| c[i].timestamp == latest);
        let best = by_time.iter().map(|&i| c[i].status).max()?;
        let by_status = keep(&by_time, |i| c[i].status == best);
        // Candidates are sorted by statement id first, so the first survivor is the smallest.
        let winner = *by_status.first()?;
        Some(Steps {
            all,
            by_authority,
            by_time,
            by_status,
            winner,
        })
    }

    /// Candidates removed by step 1, 2 or 3 (survivor lists are ascending, hence the search).
    fn removed(&self, rule: Rule) -> Vec<usize> {
        let (before, after) = match rule {
            Rule::Precedence => (&self.all, &self.by_authority),
            Rule::Timestamp => (&self.by_authority, &self.by_time),
            _ => (&self.by_time, &self.by_status),
        };
        before
            .iter()
            .copied()
            .filter(|i| after.binary_search(i).is_err())
            .collect()
    }

    fn rule<P>(&self, c: &[Candidate<P>]) -> Rule {
        let status = c[self.winner].status;
        if c.len() == 1 {
            return Rule::Sole;
        }
        [Rule::Precedence, Rule::Timestamp, Rule::StatusPriority]
            .into_iter()
            .find(|&rule| self.removed(rule).iter().any(|&i| c[i].status != status))
            .unwrap_or(Rule::Agreement)
    }
}

fn keep(from: &[usize], pred: impl Fn(usize) -> bool) -> Vec<usize> {
    from.iter().copied().filter(|&i| pred(i)).collect()
}

fn explain<P>(rule: Rule, steps: &Steps, c: &[Candidate<P>]) -> String {
    let w = &c[steps.winner];
    let who = format!(
        "{} statement ({})",
        w.authority.authority.human(),
        w.authority.explanation
    );
    let losers = steps.removed(rule);
    let statuses = status_list(losers.iter().map(|&i| c[i].status));
    match rule {
        Rule::Sole => format!("sole statement: {who} says {}", w.status),
        Rule::Agreement => format!(
            "all {} statements agree: {}; {who} stands for them",
            c.len(),
            w.status
        ),
        Rule::Precedence => {
            let mut authorities: Vec<Authority> =
                losers.iter().map(|&i| c[i].authority.authority).collect();
            authorities.sort_by(|a, b| b.cmp(a));
            authorities.dedup();
            let names: Vec<&str> = authorities.iter().map(|a| a.human()).collect();
            format!(
                "{who} outranks {} ({statuses})",
                counted(losers.len(), &format!("{} statement", names.join("/")))
            )
        }
        Rule::Timestamp => format!(
            "{who} of {} supersedes {} ({statuses})",
            w.timestamp
                .as_ref()
                .map_or("unknown date".to_string(), format_timestamp),
            counted(losers.len(), "older statement")
        ),
        Rule::StatusPriority => format!(
            "of {} equally recent {} statements, {} takes priority over {statuses}",
            steps.by_time.len(),
            w.authority.authority.human(),
            w.status
        ),
    }
}

/// Distinct statuses, highest priority first: `affected, unknown`.
fn status_list(statuses: impl Iterator<Item = Status>) -> String {
    let mut list: Vec<Status> = statuses.collect();
    list.sort_by(|a, b| b.cmp(a));
    list.dedup();
    list.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A decision with the (vulnerability group, target) it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetDecision<P> {
    /// The vulnerability group name.
    pub vulnerability: String,
    /// The normalised target.
    pub target: String,
    /// How the target's candidates were resolved.
    pub decision: Decision<P>,
}

/// Resolves every (vulnerability group, target) among `items`, sorted by that pair. The
/// vulnerability must already be the group name (see [`VulnerabilityGroups::name_of`]).
pub fn resolve_all<P: Ord>(
    items: impl IntoIterator<Item = (String, String, Candidate<P>)>,
) -> Vec<TargetDecision<P>> {
    let mut by_key: BTreeMap<(String, String), Vec<Candidate<P>>> = BTreeMap::new();
    for (vulnerability, target, candidate) in items {
        by_key
            .entry((vulnerability, target))
            .or_default()
            .push(candidate);
    }
    by_key
        .into_iter()
        .filter_map(|((vulnerability, target), candidates)| {
            let decision = resolve(candidates)?;
            Some(TargetDecision {
                vulnerability,
                target,
                decision,
            })
        })
        .collect()
}

/// Vulnerability ids linked by aliases into groups (SPEC §3 "Target"). Ids compare
/// case-insensitively; a group is named by its smallest `CVE-` id (uppercase), else by its
/// smallest id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VulnerabilityGroups {
    /// Lowercase id → index into `names`/`members`.
    index: BTreeMap<String, usize>,
    names: Vec<String>,
    /// Lowercase ids of each group, sorted.
    members: Vec<Vec<String>>,
}

impl VulnerabilityGroups {
    /// Builds groups from `(id, aliases)` links; empty ids are ignored.
    pub fn from_links<'a, A>(links: impl IntoIterator<Item = (&'a str, A)>) -> Self
    where
        A: IntoIterator<Item = &'a str>,
    {
        let mut spelling: BTreeMap<String, String> = BTreeMap::new();
        let mut edges: Vec<(String, String)> = Vec::new();
        for (id, aliases) in links {
            let Some(id) = remember(&mut spelling, id) else {
                continue;
            };
            for alias in aliases {
                if let Some(alias) = remember(&mut spelling, alias) {
                    edges.push((id.clone(), alias));
                }
            }
        }
        Self::build(spelling, &edges)
    }

    fn build(spelling: BTreeMap<String, String>, edges: &[(String, String)]) -> Self {
        let keys: Vec<&String> = spelling.keys().collect();
        let position = |k: &String| keys.binary_search(&k).unwrap_or(0);
        let mut sets = UnionFind::new(keys.len());
        for (a, b) in edges {
            sets.union(position(a), position(b));
        }
        let mut by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (i, key) in keys.iter().enumerate() {
            by_root
                .entry(sets.find(i))
                .or_default()
                .push((*key).clone());
        }
        let mut groups: Vec<(String, Vec<String>)> = by_root
            .into_values()
            .map(|members| (group_name(&members, &spelling), members))
            .collect();
        groups.sort();
        let mut out = VulnerabilityGroups::default();
        for (i, (name, members)) in groups.into_iter().enumerate() {
            out.index.extend(members.iter().map(|m| (m.clone(), i)));
            out.names.push(name);
            out.members.push(members);
        }
        out
    }

    /// The name of the group holding `id` (any case), or `None` if `id` was never seen.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        let i = *self.index.get(&id.trim().to_lowercase())?;
        self.names.get(i).map(String::as_str)
    }

    /// Every group: its name and its members (lowercase), sorted by name.
    pub fn groups(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.members.iter().map(Vec::as_slice))
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Groups the vulnerability ids and aliases of `statements` (from any number of documents).
pub fn group_vulnerabilities<'a>(
    statements: impl IntoIterator<Item = &'a VexStatement>,
) -> VulnerabilityGroups {
    VulnerabilityGroups::from_links(statements.into_iter().map(|s| {
        (
            s.vulnerability.as_str(),
            s.aliases.iter().map(String::as_str),
        )
    }))
}

/// Records an id's smallest spelling under its lowercase key; returns the key.
fn remember(spelling: &mut BTreeMap<String, String>, id: &str) -> Option<String> {
    let id = id.trim();
    if id.is_empty() {
        return None;
    }
    let key = id.to_lowercase();
    let slot = spelling
        .entry(key.clone())
        .or_insert_with(|| id.to_string());
    if id < slot.as_str() {
        *slot = id.to_string();
    }
    Some(key)
}

fn group_name(members: &[String], spelling: &BTreeMap<String, String>) -> String {
    // `members` is sorted, so the first match is the smallest.
    if let Some(cve) = members.iter().find(|m| m.starts_with("cve-")) {
        return cve.to_uppercase();
    }
    let first = members.first().map(String::as_str).unwrap_or_default();
    spelling
        .get(first)
        .cloned()
        .unwrap_or_else(|| first.to_string())
}

/// Disjoint sets over `0..n` with path halving; the smaller index becomes the root.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[high] = low;
    }
}

#[cfg(test)]
mod tests;
