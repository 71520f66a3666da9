//! Signature checks of every DSSE envelope in the bundle against the keyring (SPEC §4–§5):
//! each signature is *trusted* (pinned key), *self-asserted*, *bundle-supplied* or *failed*.
//! `keyid` is only a hint: every available key is tried.

use super::dsse::{verify_envelope, DsseError, Envelope, EnvelopeSignature};
use super::keyring::{KeyEntry, KeyTrust, Keyring, VerifiedKey, MAX_SIGNATURE_CHECKS};
use crate::diag::{Code, Diagnostic};
use crate::graph::NodeId;
use crate::pipeline::collect::{Attestation, CollectedFile, Content, Document};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;

/// What became of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// Verified with a key pinned by the `--trust` policy.
    Trusted,
    /// Verified with a key named by the bundle's own `trust.json`.
    SelfAsserted,
    /// Verified with a key shipped in the bundle.
    BundleSupplied,
    /// Verified with no available key.
    Failed,
}

impl SignatureStatus {
    /// `trusted`, `self-asserted`, `bundle-supplied` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Trusted => "trusted",
            SignatureStatus::SelfAsserted => "self-asserted",
            SignatureStatus::BundleSupplied => "bundle-supplied",
            SignatureStatus::Failed => "failed",
        }
    }
}

impl From<KeyTrust> for SignatureStatus {
    fn from(trust: KeyTrust) -> Self {
        match trust {
            KeyTrust::Pinned => SignatureStatus::Trusted,
            KeyTrust::SelfAsserted => SignatureStatus::SelfAsserted,
            KeyTrust::BundleSupplied => SignatureStatus::BundleSupplied,
        }
    }
}

impl fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One signature and the key that verified it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureOutcome {
    /// Position in the `signatures` array.
    pub index: usize,
    /// The signature's `keyid` hint as written.
    pub keyid: Option<String>,
    /// Fingerprint (`sha256:<hex>`) of the key that verified it.
    pub key: Option<String>,
    pub status: SignatureStatus,
}

/// The outcome of checking one envelope against a keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseOutcome {
    pub signatures: Vec<SignatureOutcome>,
    pub verdict: Result<(), DsseError>,
}

impl DsseOutcome {
    /// The best status among the signatures (`Failed` when none verified).
    pub fn status(&self) -> SignatureStatus {
        best_status(&self.signatures)
    }

    /// The keys that verified a signature, sorted by fingerprint, unique.
    pub fn verified_by(&self, keyring: &Keyring) -> Vec<VerifiedKey> {
        let mut keys: Vec<VerifiedKey> = self
            .signatures
            .iter()
            .filter_map(|s| s.key.as_deref())
            .filter_map(|fp| keyring.get(fp))
            .map(KeyEntry::verified)
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// `sha256:1a2b3c4d5e6f… (bundle-supplied)` for the verifying keys, for messages.
    pub fn describe(&self) -> String {
        describe_keys(&self.signatures)
    }
}

fn best_status(signatures: &[SignatureOutcome]) -> SignatureStatus {
    signatures
        .iter()
        .map(|s| s.status)
        .min()
        .unwrap_or(SignatureStatus::Failed)
}

fn describe_keys(signatures: &[SignatureOutcome]) -> String {
    let mut parts: Vec<String> = signatures
        .iter()
        .filter_map(|s| {
            s.key
                .as_deref()
                .map(|k| format!("{} ({})", short(k), s.status))
        })
        .collect();
    parts.dedup();
    parts.join(", ")
}

/// `sha256:` and the first 12 hex digits of a fingerprint.
pub fn short(fingerprint: &str) -> String {
    let hex = fingerprint.strip_prefix("sha256:").unwrap_or(fingerprint);
    format!("sha256:{}…", &hex[..hex.len().min(12)])
}

/// Tries every key `accept` admits against every signature of `envelope`, within the keyring's
/// budget of signature checks: past it the envelope fails closed, unchecked.
pub fn verify_dsse(
    envelope: &Envelope,
    keyring: &Keyring,
    accept: impl Fn(&KeyEntry) -> bool,
) -> DsseOutcome {
    let mut candidates = keyring.candidates(accept);
    let needed = (envelope.signatures.len() as u64).saturating_mul(candidates.len() as u64);
    if let Err(left) = keyring.spend_checks(needed) {
        return unchecked(envelope, needed, left);
    }
    // Keys named by a signature's `keyid` hint first: the hint is not trusted (any candidate
    // may verify), but it spares the failed Ed25519 checks of the keys tried before the right one.
    let hints: Vec<&str> = envelope
        .signatures
        .iter()
        .filter_map(|s| s.keyid.as_deref())
        .collect();
    if !hints.is_empty() && candidates.len() > 1 {
        candidates.sort_by_key(|(fingerprint, _)| {
            !keyring.get(fingerprint).is_some_and(|e| {
                e.origins
                    .iter()
                    .any(|o| o.keyid.as_deref().is_some_and(|k| hints.contains(&k)))
            })
        });
    }
    let verdict = verify_envelope(envelope, &candidates);
    let signatures = verdict
        .signatures
        .iter()
        .map(|s| {
            let status = s
                .verified_by
                .as_deref()
                .and_then(|fp| keyring.get(fp))
                .map_or(SignatureStatus::Failed, |e| e.trust().into());
            SignatureOutcome {
                index: s.index,
                keyid: s.keyid.clone(),
                key: s.verified_by.clone(),
                status,
            }
        })
        .collect();
    DsseOutcome {
        signatures,
        verdict: verdict.result(),
    }
}

/// The outcome of an envelope left unchecked for want of budget: every signature failed.
fn unchecked(envelope: &Envelope, needed: u64, left: u64) -> DsseOutcome {
    let signatures = envelope
        .signatures
        .iter()
        .enumerate()
        .map(|(index, s)| SignatureOutcome {
            index,
            keyid: s.keyid.clone(),
            key: None,
            status: SignatureStatus::Failed,
        })
        .collect();
    DsseOutcome {
        signatures,
        verdict: Err(DsseError::CheckBudget {
            needed,
            left,
            budget: MAX_SIGNATURE_CHECKS,
        }),
    }
}

/// The signature outcome of one DSSE envelope of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeCheck {
    pub file: String,
    /// Where the envelope sits in its file (empty for a whole file).
    pub pointer: String,
    /// The attestation node.
    pub node: NodeId,
    pub payload_type: Option<String>,
    pub signatures: Vec<SignatureOutcome>,
    /// The best signature status (`failed` when nothing verified).
    pub status: SignatureStatus,
    /// `ERR_DSSE_SIGNATURE` or `ERR_DSSE_KEY_UNKNOWN` when nothing verified.
    pub code: Option<Code>,
    pub message: String,
}

/// Checks every enveloped attestation of `collected` against the keyring, records the verifying
/// keys on the attestation ([`Attestation::verified_by`]) and reports envelopes that nothing
/// verifies as `ERR_DSSE_SIGNATURE` (keys available) or `ERR_DSSE_KEY_UNKNOWN` (none).
pub fn check_attestations(
    collected: &mut [CollectedFile],
    keyring: &Keyring,
) -> (Vec<EnvelopeCheck>, Vec<Diagnostic>) {
    // Envelopes are checked in parallel, file by file; results keep the files' order.
    let per_file: Vec<(Vec<EnvelopeCheck>, Vec<Diagnostic>)> = collected
        .par_iter_mut()
        .map(|file| {
            let mut checks = Vec::new();
            let mut diagnostics = Vec::new();
            for doc in file.documents.iter_mut() {
                check_document(doc, keyring, &mut checks, &mut diagnostics);
            }
            (checks, diagnostics)
        })
        .collect();
    let mut checks = Vec::new();
    let mut diagnostics = Vec::new();
    for (c, d) in per_file {
        checks.extend(c);
        diagnostics.extend(d);
    }
    (checks, diagnostics)
}

fn check_document(
    doc: &mut Document,
    keyring: &Keyring,
    checks: &mut Vec<EnvelopeCheck>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Content::Attestation(att) = &mut doc.content else {
        return;
    };
    if !att.enveloped {
        return;
    }
    let outcome = verify_dsse(&envelope_of(att), keyring, |_| true);
    att.verified_by = outcome.verified_by(keyring);
    let (code, message) = match &outcome.verdict {
        Ok(()) => (None, format!("verified by {}", outcome.describe())),
        Err(e) => (Some(e.code()), unverified_message(e)),
    };
    if let Some(code) = code {
        let pointer = format!("{}/signatures", doc.pointer);
        diagnostics.push(Diagnostic::new(code, &doc.file, &message).at(pointer));
    }
    checks.push(EnvelopeCheck {
        file: doc.file.clone(),
        pointer: doc.pointer.clone(),
        node: NodeId::from_digest_hex(&doc.normalised_digest),
        payload_type: att.payload_type.clone(),
        status: outcome.status(),
        signatures: outcome.signatures,
        code,
        message,
    });
}

fn unverified_message(e: &DsseError) -> String {
    match e {
        DsseError::KeyUnknown => {
            "no key available to verify the envelope (ship keys/ in the bundle or pin keys with --trust)"
                .into()
        }
        other => other.to_string(),
    }
}

/// The envelope an attestation was collected from. A signature that is not base64 becomes an
/// empty signature, which no key verifies.
fn envelope_of(att: &Attestation) -> Envelope {
    Envelope {
        payload_type: att.payload_type.clone().unwrap_or_default(),
        payload: att.payload.clone(),
        signatures: att
            .signatures
            .iter()
            .map(|s| EnvelopeSignature {
                keyid: s.keyid.clone(),
                sig: super::decode_base64_any(&s.sig).unwrap_or_default(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::collect::collect_file;
    use crate::pipeline::index::DigestKey;
    use crate::verify::dsse::pae;
    use crate::verify::keyring::KeyOrigin;
    use crate::verify::keys::PublicKey;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use ed25519_dalek::{Signer, SigningKey};
    use serde_json::json;

    const IN_TOTO: &str = "application/vnd.in-toto+json";

    fn signed_file(signer: &SigningKey, keyid: &str) -> CollectedFile {
        let payload = json!({"_type": "https://in-toto.io/Statement/v1", "predicateType": "x",
            "subject": [{"name": "a", "digest": {"sha256": "ab".repeat(32)}}]})
        .to_string();
        let sig = signer.sign(&pae(IN_TOTO, payload.as_bytes())).to_bytes();
        let env = json!({"payloadType": IN_TOTO, "payload": STANDARD.encode(&payload),
            "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig)}]});
        let bytes = env.to_string().into_bytes();
        collect_file("att.json", &bytes, DigestKey::sha256_of(&bytes))
    }

    fn ring(keys: &[(u8, KeyTrust, Option<&str>)]) -> Keyring {
        let mut ring = Keyring::new();
        for (seed, trust, keyid) in keys {
            let key = PublicKey::Ed25519(SigningKey::from_bytes(&[*seed; 32]).verifying_key());
            ring.add(
                key,
                KeyOrigin {
                    trust: *trust,
                    keyid: keyid.map(str::to_string),
                    file: "k".into(),
                    pointer: String::new(),
                },
            );
        }
        ring
    }

    fn attestation(file: &CollectedFile) -> &Attestation {
        match &file.documents[0].content {
            Content::Attestation(att) => att,
            _ => panic!("not an attestation"),
        }
    }

    #[test]
    fn past_the_check_budget_an_envelope_fails_closed_unchecked() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let keyring = ring(&[
            (7, KeyTrust::BundleSupplied, None),
            (8, KeyTrust::BundleSupplied, None),
        ]);
        let mut files = vec![signed_file(&signer, "release")];
        // Two keys × one signature: two checks needed, one left.
        keyring.spend_checks(MAX_SIGNATURE_CHECKS - 1).unwrap();
        let (checks, diags) = check_attestations(&mut files, &keyring);
        assert_eq!(checks[0].status, SignatureStatus::Failed);
        assert_eq!(checks[0].signatures[0].status, SignatureStatus::Failed);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::DsseSignature);
        assert!(
            diags[0].message.contains("not checked"),
            "{}",
            diags[0].message
        );
        assert!(attestation(&files[0]).verified_by.is_empty());
        // The budget was not spent by the refusal: one check still fits.
        assert_eq!(keyring.spend_checks(2), Err(1));
        assert_eq!(keyring.spend_checks(1), Ok(()));
    }

    #[test]
    fn bundle_supplied_key_verifies_but_is_not_trusted() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let mut files = vec![signed_file(&signer, "release")];
        let keyring = ring(&[
            (7, KeyTrust::BundleSupplied, None),
            (8, KeyTrust::Pinned, Some("other")),
        ]);
        let (checks, diags) = check_attestations(&mut files, &keyring);
        assert!(diags.is_empty());
        assert_eq!(checks[0].status, SignatureStatus::BundleSupplied);
        assert_eq!(checks[0].signatures[0].keyid.as_deref(), Some("release"));
        let att = attestation(&files[0]);
        assert!(att.is_verified());
        assert!(
            att.verified_keyids().is_empty(),
            "nothing pinned verified it"
        );
    }

    #[test]
    fn pinned_key_is_trusted_and_gives_verified_keyids() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let mut files = vec![signed_file(&signer, "hint-is-ignored")];
        let keyring = ring(&[
            (7, KeyTrust::Pinned, Some("acme-2026")),
            (7, KeyTrust::BundleSupplied, None),
        ]);
        let (checks, _) = check_attestations(&mut files, &keyring);
        assert_eq!(checks[0].status, SignatureStatus::Trusted);
        let fp = keyring.entries()[0].fingerprint();
        assert_eq!(
            attestation(&files[0]).verified_keyids(),
            vec!["acme-2026".to_string(), fp]
        );
    }

    #[test]
    fn self_asserted_keyids_are_kept_apart() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let mut files = vec![signed_file(&signer, "")];
        let keyring = ring(&[(7, KeyTrust::SelfAsserted, Some("mine"))]);
        let (checks, _) = check_attestations(&mut files, &keyring);
        assert_eq!(checks[0].status, SignatureStatus::SelfAsserted);
        let att = attestation(&files[0]);
        assert!(att.verified_keyids().is_empty());
        assert!(att.self_asserted_keyids().contains(&"mine".to_string()));
    }

    #[test]
    fn wrong_key_and_no_key_are_diagnostics() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let mut files = vec![signed_file(&signer, "k")];
        let (checks, diags) =
            check_attestations(&mut files, &ring(&[(9, KeyTrust::Pinned, Some("x"))]));
        assert_eq!(checks[0].status, SignatureStatus::Failed);
        assert_eq!(diags[0].code, Code::DsseSignature);
        assert_eq!(diags[0].pointer, "/signatures");
        assert!(!attestation(&files[0]).is_verified());
        let (_, diags) = check_attestations(&mut files, &Keyring::new());
        assert_eq!(diags[0].code, Code::DsseKeyUnknown);
    }
}
