//! Authority of a VEX document's issuer (SPEC §3 "Authority", §4 "Trust").
//!
//! Rules, first that applies:
//! 1. the pinned trust policy (`--trust FILE`): a rule for a key whose signature over the
//!    document verified, else one for its author / publisher name or namespace;
//! 2. the bundle's own `trust.json`, the same way, but reported as **self-declared** (the
//!    bundle vouching for itself is a claim, not a pinned policy), its explanation starting with
//!    `self-asserted trust.json`;
//! 3. the document's own claim (OpenVEX `role`, CSAF `publisher.category`): self-declared;
//! 4. nothing: `unknown`, source `none`.

use crate::pipeline::collect::{Attestation, CollectedFile, Content, Document};
use crate::trust::{authority_for, AuthorityClaim, AuthoritySource, TrustPolicy};
use crate::vex::VexDocument;

/// The trust policies in force: the pinned one from `--trust`, and the bundle's `trust.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policies<'a> {
    /// `--trust FILE`: pinned by the user.
    pub pinned: Option<&'a TrustPolicy>,
    /// `trust.json` at the bundle root: applied, but self-asserted.
    pub bundle: Option<&'a TrustPolicy>,
}

/// The authority of the issuer of `vex`, read as document `doc` of `file`.
pub fn authority_of(
    vex: &VexDocument,
    doc: &Document,
    file: &CollectedFile,
    policies: Policies,
) -> AuthorityClaim {
    let by_policy = |policy: &TrustPolicy, pinned_by: PinnedBy| {
        let keyids = verified_signing_keyids(doc, file, pinned_by);
        Some(authority_for(vex, &keyids, Some(policy)))
            .filter(|claim| claim.source == AuthoritySource::TrustPolicy)
    };
    policies
        .pinned
        .and_then(|p| by_policy(p, PinnedBy::User))
        .or_else(|| {
            policies
                .bundle
                .and_then(|p| by_policy(p, PinnedBy::Bundle))
                .map(self_asserted)
        })
        .unwrap_or_else(|| authority_for(vex, &[], None))
}

/// A claim from the bundle's own `trust.json`: kept, but shown as self-declared.
fn self_asserted(claim: AuthorityClaim) -> AuthorityClaim {
    let detail = claim
        .explanation
        .strip_prefix("trust policy")
        .unwrap_or(&claim.explanation);
    AuthorityClaim {
        authority: claim.authority,
        source: AuthoritySource::SelfDeclared,
        explanation: format!("self-asserted trust.json{detail}"),
    }
}

/// Which trust policy a key id must be pinned by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinnedBy {
    /// `--trust FILE`.
    User,
    /// The bundle's own `trust.json`.
    Bundle,
}

/// The key ids under which a verified signature over the DSSE envelope carrying `doc` is
/// pinned — by the user's `--trust` policy or by the bundle's `trust.json` — as recorded by the
/// verification step ([`Attestation::verified_keyids`], [`Attestation::self_asserted_keyids`]).
/// Empty for a document outside any envelope. A `keyid` written on the envelope never counts by
/// itself, and a key the bundle merely supplies gives no authority.
pub fn verified_signing_keyids(
    doc: &Document,
    file: &CollectedFile,
    pinned_by: PinnedBy,
) -> Vec<String> {
    let Some(attestation) = carrying_envelope(doc, file) else {
        return Vec::new();
    };
    match pinned_by {
        PinnedBy::User => attestation.verified_keyids(),
        PinnedBy::Bundle => attestation.self_asserted_keyids(),
    }
}

/// The DSSE envelope `doc` was carried in (as `<envelope>/payload/predicate`), if any.
fn carrying_envelope<'a>(doc: &Document, file: &'a CollectedFile) -> Option<&'a Attestation> {
    let envelope_pointer = doc.pointer.strip_suffix("/payload/predicate")?;
    file.documents.iter().find_map(|d| match &d.content {
        Content::Attestation(att) if d.pointer == envelope_pointer && att.enveloped => Some(att),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::collect::collect_file;
    use crate::pipeline::index::DigestKey;
    use crate::verify::keyring::{KeyTrust, VerifiedKey};
    use crate::vex::Authority;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use ed25519_dalek::{Signer, SigningKey};
    use serde_json::{json, Value};

    fn openvex(role: Option<&str>) -> Value {
        let mut doc = json!({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://a.example/vex", "author": "Acme PSIRT",
                         "timestamp": "2024-01-01T00:00:00Z", "version": 1,
                         "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a@1"}], "status": "fixed"}]});
        if let Some(role) = role {
            doc["role"] = json!(role);
        }
        doc
    }

    fn envelope(key: &SigningKey, keyid: &str, predicate: Value) -> Vec<u8> {
        let statement = json!({"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://openvex.dev/ns/v0.2.0",
                               "subject": [{"name": "x", "digest": {"sha256": "ab".repeat(32)}}], "predicate": predicate});
        let payload = serde_json::to_vec(&statement).unwrap();
        let pae = crate::verify::dsse::pae("application/vnd.in-toto+json", &payload);
        let sig = key.sign(&pae).to_bytes();
        serde_json::to_vec(&json!({"payloadType": "application/vnd.in-toto+json", "payload": STANDARD.encode(&payload),
                                   "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig)}]}))
        .unwrap()
    }

    fn policy(key: &SigningKey, keyid: &str) -> TrustPolicy {
        TrustPolicy::from_value(&json!({
            "keys": [{"keyid": keyid, "algorithm": "ed25519", "publicKey": STANDARD.encode(key.verifying_key().to_bytes())}],
            "issuers": [{"match": {"keyid": keyid}, "authority": "vendor"}]
        }))
        .unwrap()
    }

    /// What the verification step records when `key` verified the envelope and a policy names
    /// it `keyid` (pinned by the user, or self-asserted by the bundle).
    fn verified(key: &SigningKey, keyid: &str, pinned_by: PinnedBy) -> VerifiedKey {
        let public =
            crate::verify::keys::PublicKey::ed25519_from_bytes(&key.verifying_key().to_bytes())
                .unwrap();
        let names = vec![keyid.to_string()];
        let (trust, pinned_keyids, self_asserted_keyids) = match pinned_by {
            PinnedBy::User => (KeyTrust::Pinned, names, Vec::new()),
            PinnedBy::Bundle => (KeyTrust::SelfAsserted, Vec::new(), names),
        };
        VerifiedKey {
            fingerprint: crate::verify::keyring::fingerprint(&public),
            trust,
            pinned_keyids,
            self_asserted_keyids,
        }
    }

    /// The authority of the VEX carried in `bytes`, with `verified_by` as the verification step
    /// recorded it.
    fn claim_verified(
        bytes: &[u8],
        policies: Policies,
        verified_by: Vec<VerifiedKey>,
    ) -> AuthorityClaim {
        let mut file = collect_file("vex/a.dsse.json", bytes, DigestKey::sha256_of(bytes));
        for d in &mut file.documents {
            if let Content::Attestation(att) = &mut d.content {
                att.verified_by = verified_by.clone();
            }
        }
        let doc = file
            .documents
            .iter()
            .find(|d| matches!(d.content, Content::Vex(_)))
            .expect("carried VEX");
        let Content::Vex(vex) = &doc.content else {
            unreachable!()
        };
        authority_of(vex, doc, &file, policies)
    }

    fn claim(bytes: &[u8], policies: Policies) -> AuthorityClaim {
        claim_verified(bytes, policies, Vec::new())
    }

    #[test]
    fn a_verified_pinned_key_gives_trust_policy_authority() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let pinned = policy(&key, "acme");
        let bytes = envelope(&key, "acme", openvex(None));
        let policies = Policies {
            pinned: Some(&pinned),
            bundle: None,
        };
        let unverified = claim(&bytes, policies);
        assert_eq!(
            unverified.authority,
            Authority::Unknown,
            "no verification result, no authority by key"
        );
        let c = claim_verified(
            &bytes,
            policies,
            vec![verified(&key, "acme", PinnedBy::User)],
        );
        assert_eq!(
            (c.authority, c.source),
            (Authority::Vendor, AuthoritySource::TrustPolicy)
        );
        assert_eq!(c.explanation, "trust policy, key acme");
    }

    #[test]
    fn a_keyid_hint_without_a_verifying_signature_counts_for_nothing() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let pinned = policy(&SigningKey::from_bytes(&[8; 32]), "acme");
        let bytes = envelope(&signer, "acme", openvex(None));
        let c = claim(
            &bytes,
            Policies {
                pinned: Some(&pinned),
                bundle: None,
            },
        );
        assert_eq!(
            (c.authority, c.source),
            (Authority::Unknown, AuthoritySource::None)
        );
    }

    #[test]
    fn the_bundle_trust_json_is_applied_but_self_declared() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let own = policy(&key, "acme");
        let bytes = envelope(&key, "acme", openvex(Some("maintainer")));
        let c = claim_verified(
            &bytes,
            Policies {
                pinned: None,
                bundle: Some(&own),
            },
            vec![verified(&key, "acme", PinnedBy::Bundle)],
        );
        assert_eq!(
            (c.authority, c.source),
            (Authority::Vendor, AuthoritySource::SelfDeclared)
        );
        assert_eq!(c.explanation, "self-asserted trust.json, key acme");
        let c = claim(&bytes, Policies::default());
        assert_eq!(
            (c.authority, c.source),
            (Authority::Maintainer, AuthoritySource::SelfDeclared)
        );
    }
}
