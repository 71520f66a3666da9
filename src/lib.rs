//! evx — a terminal explorer and headless CLI for offline software-supply-chain evidence.
//!
//! Module map (model first, views last; nothing outside `cli` imports a view):
//! - [`diag`]: diagnostics and their stable `ERR_…` codes.
//! - [`json`]: strict JSON parsing (duplicate keys, depth, encoding) and RFC 8785 JCS.
//! - [`bundle`]: SPEC §1 — directory / tar / tar.gz / tar.zst loading under limits.
//! - [`pipeline`]: SPEC §2 — index, collect, normalise, (lattice), graph; `reconcile` runs them.
//! - [`graph`]: the content-addressed evidence graph and its root digest.
//! - [`progress`]: the progress sink the pipeline reports to.
//! - [`vex`]: SPEC §3 — VEX readers (OpenVEX, CycloneDX, CSAF), the authority lattice, the merge.
//! - [`trust`]: SPEC §4 — the trust policy and issuer authority.
//! - [`verify`]: SPEC §5 — keys, DSSE, signed notes, Merkle proofs, tiles.
//! - [`cli`]: the headless commands and their human/JSON printers.
//! - [`tui`]: the explorer, a second view of the same model.

#![forbid(unsafe_code)]

pub mod bundle;
pub mod cli;
pub mod diag;
pub mod graph;
pub mod json;
pub mod pipeline;
pub mod progress;
pub mod trust;
pub mod tui;
pub mod verify;
pub mod vex;
