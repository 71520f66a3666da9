//! DSSE v1 envelopes (SPEC §5 "DSSE"): parsing, PAE and signature verification.
//!
//! `keyid` is only a hint: every signature is tried against every candidate key, and the
//! envelope verifies when at least one signature verifies with at least one candidate.

use super::decode_base64_any;
use super::keys::PublicKey;
use crate::diag::Code;
use serde_json::Value;

/// A parsed DSSE envelope with its payload and signatures base64-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `payloadType`, used verbatim in PAE.
    pub payload_type: String,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// The signatures, in envelope order.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One entry of an envelope's `signatures` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// `keyid`, if present and non-empty (a hint only).
    pub keyid: Option<String>,
    /// The decoded signature bytes.
    pub sig: Vec<u8>,
}

/// Why an envelope is malformed or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsseError {
    /// The envelope is not a JSON object.
    #[error("DSSE envelope is not a JSON object")]
    NotAnObject,
    /// A required field is missing or has the wrong JSON type.
    #[error("DSSE envelope field {field} is missing or not {expected}")]
    Field {
        field: String,
        expected: &'static str,
    },
    /// `payload` is not base64.
    #[error("DSSE payload is not valid base64: {0}")]
    PayloadEncoding(String),
    /// A `sig` is not base64.
    #[error("DSSE signature {index} is not valid base64: {reason}")]
    SignatureEncoding { index: usize, reason: String },
    /// No candidate key was available to check the envelope.
    #[error("no key available to verify the DSSE envelope")]
    KeyUnknown,
    /// The envelope carries no signatures.
    #[error("DSSE envelope has no signatures")]
    NoSignatures,
    /// Keys were available but no signature verified with any of them.
    #[error("none of {signatures} signature(s) verifies with any of {keys} candidate key(s)")]
    NoValidSignature { signatures: usize, keys: usize },
    /// Checking the envelope would exceed the run's bound on signature checks.
    #[error(
        "not checked: it needs {needed} signature check(s) (signatures × candidate keys) and only \
         {left} of the run's {budget} remain"
    )]
    CheckBudget { needed: u64, left: u64, budget: u64 },
}

impl DsseError {
    /// Stable code: `ERR_DSSE_KEY_UNKNOWN` without keys, `ERR_DSSE_PAYLOAD` for an undecodable
    /// payload, `ERR_DSSE_SIGNATURE` otherwise.
    pub fn code(&self) -> Code {
        match self {
            DsseError::KeyUnknown => Code::DsseKeyUnknown,
            DsseError::PayloadEncoding(_) => Code::DssePayload,
            _ => Code::DsseSignature,
        }
    }
}

impl Envelope {
    /// Parses an envelope object: `payloadType`, `payload` (base64) and `signatures[]` of
    /// `{keyid?, sig}`. Standard and URL-safe base64, with or without padding, are accepted.
    /// Unknown fields are ignored.
    pub fn from_json(value: &Value) -> Result<Self, DsseError> {
        let object = value.as_object().ok_or(DsseError::NotAnObject)?;
        let payload_type = string_field(object.get("payloadType"), "payloadType")?;
        let payload_b64 = string_field(object.get("payload"), "payload")?;
        let payload = decode_base64_any(payload_b64)
            .map_err(|e| DsseError::PayloadEncoding(e.to_string()))?;
        let entries = object
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| field_error("signatures", "an array"))?;
        let signatures = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_signature(index, entry))
            .collect::<Result<_, _>>()?;
        Ok(Envelope {
            payload_type: payload_type.to_string(),
            payload,
            signatures,
        })
    }

    /// The bytes the signatures are over: `PAE(payloadType, payload)`.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

fn field_error(field: impl Into<String>, expected: &'static str) -> DsseError {
    DsseError::Field {
        field: field.into(),
        expected,
    }
}

fn string_field<'a>(value: Option<&'a Value>, field: &str) -> Result<&'a str, DsseError> {
    value
        .and_then(Value::as_str)
        .ok_or_else(|| field_error(field, "a string"))
}

fn parse_signature(index: usize, entry: &Value) -> Result<EnvelopeSignature, DsseError> {
    let sig_b64 = string_field(entry.get("sig"), &format!("signatures[{index}].sig"))?;
    let keyid = match entry.get("keyid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(field_error(
                format!("signatures[{index}].keyid"),
                "a string",
            ))
        }
    };
    let sig = decode_base64_any(sig_b64).map_err(|e| DsseError::SignatureEncoding {
        index,
        reason: e.to_string(),
    })?;
    Ok(EnvelopeSignature { keyid, sig })
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths as decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let head = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(head.len() + payload.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// Outcome for one envelope signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// Position in the envelope's `signatures` array.
    pub index: usize,
    /// The signature's `keyid` hint.
    pub keyid: Option<String>,
    /// Label of the first candidate key that verified it, if any.
    pub verified_by: Option<String>,
}

/// Result of [`verify_envelope`]: per-signature outcomes and the overall verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeVerdict {
    /// One entry per envelope signature, in order.
    pub signatures: Vec<SignatureCheck>,
    /// How many candidate keys were tried.
    pub candidate_count: usize,
}

impl EnvelopeVerdict {
    /// Whether at least one signature verified with a candidate key.
    pub fn is_verified(&self) -> bool {
        self.signatures.iter().any(|s| s.verified_by.is_some())
    }

    /// Labels of the keys that verified some signature, in signature order, deduplicated.
    pub fn verified_by(&self) -> Vec<&str> {
        let mut labels: Vec<&str> = Vec::new();
        for label in self
            .signatures
            .iter()
            .filter_map(|s| s.verified_by.as_deref())
        {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }

    /// The overall verdict: `KeyUnknown` when no key was given, `NoSignatures` for an unsigned
    /// envelope, `NoValidSignature` when keys exist but nothing verifies.
    pub fn result(&self) -> Result<(), DsseError> {
        if self.candidate_count == 0 {
            Err(DsseError::KeyUnknown)
        } else if self.signatures.is_empty() {
            Err(DsseError::NoSignatures)
        } else if self.is_verified() {
            Ok(())
        } else {
            Err(DsseError::NoValidSignature {
                signatures: self.signatures.len(),
                keys: self.candidate_count,
            })
        }
    }
}

/// Tries every candidate key (label, key) against every signature over the envelope's PAE.
pub fn verify_envelope<L: AsRef<str>>(
    envelope: &Envelope,
    candidates: &[(L, PublicKey)],
) -> EnvelopeVerdict {
    let message = envelope.pae();
    let signatures = envelope
        .signatures
        .iter()
        .enumerate()
        .map(|(index, signature)| SignatureCheck {
            index,
            keyid: signature.keyid.clone(),
            verified_by: candidates
                .iter()
                .find(|(_, key)| key.verify(&message, &signature.sig).is_ok())
                .map(|(label, _)| label.as_ref().to_string()),
        })
        .collect();
    EnvelopeVerdict {
        signatures,
        candidate_count: candidates.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    use ed25519_dalek::{Signer, SigningKey};
    use serde_json::json;

    const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

    fn signer(seed: u8) -> (SigningKey, PublicKey) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let public = PublicKey::Ed25519(signing.verifying_key());
        (signing, public)
    }

    fn signed_envelope(signing: &SigningKey, payload: &[u8], keyid: &str) -> Value {
        let sig = signing.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes();
        json!({
            "payloadType": PAYLOAD_TYPE,
            "payload": STANDARD.encode(payload),
            "signatures": [{"keyid": keyid, "sig": STANDARD.encode(sig)}],
        })
    }

    #[test]
    fn pae_matches_dsse_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
        // Lengths count bytes, not characters.
        let mut expected = "DSSEv1 2 é 1 ".as_bytes().to_vec();
        expected.push(0xff);
        assert_eq!(pae("é", b"\xff"), expected);
    }

    #[test]
    fn verifies_with_any_candidate_regardless_of_keyid() {
        let (alice, alice_pub) = signer(1);
        let (_, bob_pub) = signer(2);
        let env = Envelope::from_json(&signed_envelope(&alice, b"{}", "bob")).unwrap();
        let verdict = verify_envelope(&env, &[("bob", bob_pub), ("alice", alice_pub)]);
        assert_eq!(verdict.result(), Ok(()));
        assert_eq!(verdict.verified_by(), vec!["alice"]);
        assert_eq!(verdict.signatures[0].keyid.as_deref(), Some("bob"));
    }

    #[test]
    fn wrong_key_and_missing_key_have_distinct_codes() {
        let (alice, _) = signer(1);
        let (_, bob_pub) = signer(2);
        let env = Envelope::from_json(&signed_envelope(&alice, b"{}", "")).unwrap();
        assert_eq!(env.signatures[0].keyid, None);
        let wrong = verify_envelope(&env, &[("bob", bob_pub)])
            .result()
            .unwrap_err();
        assert_eq!(wrong.code(), Code::DsseSignature);
        let none: &[(&str, PublicKey)] = &[];
        let missing = verify_envelope(&env, none).result().unwrap_err();
        assert_eq!(missing, DsseError::KeyUnknown);
        assert_eq!(missing.code(), Code::DsseKeyUnknown);
    }

    #[test]
    fn tampered_payload_fails() {
        let (alice, alice_pub) = signer(1);
        let mut value = signed_envelope(&alice, b"{\"a\":1}", "k");
        value["payload"] = json!(STANDARD.encode(b"{\"a\":2}"));
        let env = Envelope::from_json(&value).unwrap();
        let verdict = verify_envelope(&env, &[("alice", alice_pub)]);
        assert!(!verdict.is_verified());
        assert!(matches!(
            verdict.result(),
            Err(DsseError::NoValidSignature {
                signatures: 1,
                keys: 1
            })
        ));
    }

    #[test]
    fn url_safe_unpadded_encoding_is_accepted() {
        let (alice, alice_pub) = signer(3);
        let payload = b"\xfb\xff subject?";
        let sig = alice.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes();
        let value = json!({
            "payloadType": PAYLOAD_TYPE,
            "payload": URL_SAFE_NO_PAD.encode(payload),
            "signatures": [{"sig": URL_SAFE_NO_PAD.encode(sig)}],
        });
        let env = Envelope::from_json(&value).unwrap();
        assert_eq!(env.payload, payload);
        assert!(verify_envelope(&env, &[("a", alice_pub)]).is_verified());
    }

    #[test]
    fn malformed_envelopes_are_errors() {
        let cases = [
            (json!([]), Code::DsseSignature),
            (
                json!({"payload": "", "signatures": []}),
                Code::DsseSignature,
            ),
            (
                json!({"payloadType": "t", "payload": "!!", "signatures": []}),
                Code::DssePayload,
            ),
            (
                json!({"payloadType": "t", "payload": ""}),
                Code::DsseSignature,
            ),
            (
                json!({"payloadType": "t", "payload": "", "signatures": [{"sig": 5}]}),
                Code::DsseSignature,
            ),
            (
                json!({"payloadType": "t", "payload": "", "signatures": [{"sig": "%%"}]}),
                Code::DsseSignature,
            ),
            (
                json!({"payloadType": "t", "payload": "", "signatures": [{"sig": "", "keyid": 1}]}),
                Code::DsseSignature,
            ),
        ];
        for (value, code) in cases {
            let err = Envelope::from_json(&value).unwrap_err();
            assert_eq!(err.code(), code, "{value}");
        }
    }

    #[test]
    fn unsigned_envelope_does_not_verify() {
        let (_, key) = signer(4);
        let value = json!({"payloadType": "t", "payload": "", "signatures": []});
        let env = Envelope::from_json(&value).unwrap();
        assert_eq!(
            verify_envelope(&env, &[("k", key)]).result(),
            Err(DsseError::NoSignatures)
        );
    }

    #[test]
    fn short_signature_is_a_failed_check_not_a_panic() {
        let (_, key) = signer(5);
        let value = json!({"payloadType": "t", "payload": "", "signatures": [{"sig": "AAAA"}]});
        let env = Envelope::from_json(&value).unwrap();
        let verdict = verify_envelope(&env, &[("k", key)]);
        assert_eq!(verdict.signatures[0].verified_by, None);
        assert!(verdict.result().is_err());
    }
}
