//! Trust (SPEC §4): the trust policy and how it, or a document's own claim, gives an issuer
//! its authority (SPEC §3 "Authority").

#![warn(missing_docs)]

pub mod policy;

pub use crate::vex::lattice::{AuthorityClaim, AuthoritySource};
pub use policy::{authority_for, IssuerMatch, IssuerRule, TrustKey, TrustPolicy};
