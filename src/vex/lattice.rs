//! The source-precedence lattice (SPEC §3 "Authority"): `Unknown < ThirdParty < Maintainer <
//! Vendor`, a bounded chain whose join is the maximum and whose meet is the minimum.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How much weight an issuer's statements carry. The derived order is the lattice order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// No rule gave the issuer any authority (the bottom).
    Unknown,
    /// Someone other than the maintainer or vendor.
    ThirdParty,
    /// The upstream maintainer of the component.
    Maintainer,
    /// The vendor of the product (the top).
    Vendor,
}

impl Authority {
    /// Every authority, from bottom to top.
    pub const ALL: [Authority; 4] = [
        Authority::Unknown,
        Authority::ThirdParty,
        Authority::Maintainer,
        Authority::Vendor,
    ];

    /// The stable spelling used in JSON and trust policies (`third_party`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Authority::Unknown => "unknown",
            Authority::ThirdParty => "third_party",
            Authority::Maintainer => "maintainer",
            Authority::Vendor => "vendor",
        }
    }

    /// Parses the stable spelling; anything else is `None`.
    pub fn from_name(name: &str) -> Option<Authority> {
        Authority::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The spelling used in human sentences (`third-party`, `unknown-authority`).
    pub fn human(self) -> &'static str {
        match self {
            Authority::Unknown => "unknown-authority",
            Authority::ThirdParty => "third-party",
            Authority::Maintainer => "maintainer",
            Authority::Vendor => "vendor",
        }
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule of SPEC §3 "Authority" gave an issuer its authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthoritySource {
    /// Rule 1: an issuer rule of the trust policy (by signing key, author or namespace).
    TrustPolicy,
    /// Rule 2: the document's own claim (CSAF publisher category, OpenVEX role).
    SelfDeclared,
    /// Rule 3: nothing applied; the authority is `Unknown`.
    None,
}

impl AuthoritySource {
    /// The stable spelling used in JSON (`trust-policy`, `self-declared`, `none`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthoritySource::TrustPolicy => "trust-policy",
            AuthoritySource::SelfDeclared => "self-declared",
            AuthoritySource::None => "none",
        }
    }
}

impl fmt::Display for AuthoritySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An issuer's authority together with the rule that gave it and a short human explanation
/// (e.g. `trust policy, key acme-2026`), as recorded in every decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AuthorityClaim {
    /// The authority.
    pub authority: Authority,
    /// The rule that gave it.
    pub source: AuthoritySource,
    /// A short phrase for humans, e.g. `trust policy, key acme-2026`.
    pub explanation: String,
}

impl AuthorityClaim {
    /// Rule 3: no rule applied.
    pub fn unknown() -> Self {
        AuthorityClaim {
            authority: Authority::Unknown,
            source: AuthoritySource::None,
            explanation: "no trust-policy rule and no self-declared role".to_string(),
        }
    }
}

/// The bounded lattice over [`Authority`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourcePrecedenceLattice;

impl SourcePrecedenceLattice {
    /// Least upper bound: the higher of the two authorities.
    pub fn join(a: Authority, b: Authority) -> Authority {
        if a >= b {
            a
        } else {
            b
        }
    }

    /// Greatest lower bound: the lower of the two authorities.
    pub fn meet(a: Authority, b: Authority) -> Authority {
        if a <= b {
            a
        } else {
            b
        }
    }

    /// The top element, `Vendor`.
    pub fn top() -> Authority {
        Authority::Vendor
    }

    /// The bottom element, `Unknown`.
    pub fn bottom() -> Authority {
        Authority::Unknown
    }

    /// The lattice order derived from `join`: `a ≤ b` iff `a ∨ b = b`.
    pub fn leq(a: Authority, b: Authority) -> bool {
        Self::join(a, b) == b
    }

    /// Join of any number of authorities; the empty join is the bottom.
    pub fn join_all(items: impl IntoIterator<Item = Authority>) -> Authority {
        items.into_iter().fold(Self::bottom(), Self::join)
    }

    /// Meet of any number of authorities; the empty meet is the top.
    pub fn meet_all(items: impl IntoIterator<Item = Authority>) -> Authority {
        items.into_iter().fold(Self::top(), Self::meet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type L = SourcePrecedenceLattice;

    fn authority() -> impl Strategy<Value = Authority> {
        prop::sample::select(Authority::ALL.to_vec())
    }

    #[test]
    fn serde_spelling_round_trips() {
        for a in Authority::ALL {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
            assert_eq!(serde_json::from_str::<Authority>(&json).unwrap(), a);
            assert_eq!(Authority::from_name(a.as_str()), Some(a));
        }
        assert_eq!(Authority::ThirdParty.as_str(), "third_party");
        assert_eq!(Authority::from_name("Vendor"), None);
        let src = serde_json::to_string(&AuthoritySource::TrustPolicy).unwrap();
        assert_eq!(src, "\"trust-policy\"");
    }

    #[test]
    fn chain_order_is_the_specified_one() {
        assert!(Authority::Unknown < Authority::ThirdParty);
        assert!(Authority::ThirdParty < Authority::Maintainer);
        assert!(Authority::Maintainer < Authority::Vendor);
        assert_eq!(
            L::join(Authority::ThirdParty, Authority::Vendor),
            Authority::Vendor
        );
        assert_eq!(
            L::meet(Authority::ThirdParty, Authority::Vendor),
            Authority::ThirdParty
        );
        assert_eq!(L::join_all([]), Authority::Unknown);
        assert_eq!(L::meet_all([]), Authority::Vendor);
    }

    proptest! {
        #[test]
        fn join_and_meet_commute(a in authority(), b in authority()) {
            prop_assert_eq!(L::join(a, b), L::join(b, a));
            prop_assert_eq!(L::meet(a, b), L::meet(b, a));
        }

        #[test]
        fn join_and_meet_associate(a in authority(), b in authority(), c in authority()) {
            prop_assert_eq!(L::join(L::join(a, b), c), L::join(a, L::join(b, c)));
            prop_assert_eq!(L::meet(L::meet(a, b), c), L::meet(a, L::meet(b, c)));
        }

        #[test]
        fn join_and_meet_are_idempotent(a in authority()) {
            prop_assert_eq!(L::join(a, a), a);
            prop_assert_eq!(L::meet(a, a), a);
        }

        #[test]
        fn absorption_laws_hold(a in authority(), b in authority()) {
            prop_assert_eq!(L::join(a, L::meet(a, b)), a);
            prop_assert_eq!(L::meet(a, L::join(a, b)), a);
        }

        #[test]
        fn join_is_the_least_upper_bound(a in authority(), b in authority(), c in authority()) {
            let j = L::join(a, b);
            prop_assert!(a <= j && b <= j);
            if a <= c && b <= c {
                prop_assert!(j <= c);
            }
        }

        #[test]
        fn meet_is_the_greatest_lower_bound(a in authority(), b in authority(), c in authority()) {
            let m = L::meet(a, b);
            prop_assert!(m <= a && m <= b);
            if c <= a && c <= b {
                prop_assert!(c <= m);
            }
        }

        #[test]
        fn join_order_is_reflexive(a in authority()) {
            prop_assert!(L::leq(a, a));
        }

        #[test]
        fn join_order_is_antisymmetric(a in authority(), b in authority()) {
            if L::leq(a, b) && L::leq(b, a) {
                prop_assert_eq!(a, b);
            }
        }

        #[test]
        fn join_order_is_transitive(a in authority(), b in authority(), c in authority()) {
            if L::leq(a, b) && L::leq(b, c) {
                prop_assert!(L::leq(a, c));
            }
        }

        #[test]
        fn join_order_agrees_with_the_chain_and_meet(a in authority(), b in authority()) {
            prop_assert_eq!(L::leq(a, b), a <= b);
            prop_assert_eq!(L::leq(a, b), L::meet(a, b) == a);
        }

        #[test]
        fn top_and_bottom_bound_everything(a in authority()) {
            prop_assert_eq!(L::join(a, L::bottom()), a);
            prop_assert_eq!(L::meet(a, L::top()), a);
            prop_assert_eq!(L::join(a, L::top()), L::top());
            prop_assert_eq!(L::meet(a, L::bottom()), L::bottom());
            prop_assert!(L::leq(L::bottom(), a) && L::leq(a, L::top()));
        }
    }
}
