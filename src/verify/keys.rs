//! Public keys as they appear in trust policies and manifests (SPEC §4).
//!
//! A key object's `publicKey` is either base64 (standard or URL-safe, padded or not) of the raw
//! 32-byte Ed25519 key, or a PEM `PUBLIC KEY` block holding a SubjectPublicKeyInfo. Only Ed25519
//! is implemented; RSA and ECDSA keys are recognised and reported as unsupported.

use crate::diag::Code;
use base64::Engine as _;
use ed25519_dalek::pkcs8::spki::der::Decode as _;
use ed25519_dalek::pkcs8::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Signature algorithm of a [`PublicKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), verified strictly.
    Ed25519,
}

impl Algorithm {
    /// The name used in trust policies (`"ed25519"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a key could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is neither a PEM block nor valid base64.
    #[error("public key is neither a PEM block nor base64: {0}")]
    Encoding(String),
    /// The PEM block is malformed or is not a `PUBLIC KEY` block.
    #[error("malformed PEM public key: {0}")]
    Pem(String),
    /// The DER SubjectPublicKeyInfo could not be parsed.
    #[error("malformed SubjectPublicKeyInfo: {0}")]
    Spki(String),
    /// The raw key has the wrong number of bytes.
    #[error("{algorithm} public key must be {expected} bytes, got {actual}")]
    WrongLength {
        algorithm: &'static str,
        expected: usize,
        actual: usize,
    },
    /// The bytes do not encode a point on the curve.
    #[error("{0} public key bytes are not a valid curve point")]
    InvalidPoint(&'static str),
    /// A recognised but unimplemented algorithm (RSA, ECDSA) or an unknown one.
    #[error("unsupported key algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The key object declares one algorithm but the key material is another.
    #[error("key declared as {declared} but the key material is {actual}")]
    AlgorithmMismatch { declared: String, actual: String },
    /// A JSON key object lacks a field or has the wrong shape.
    #[error("malformed key object: {0}")]
    KeyObject(String),
}

impl KeyError {
    /// Stable code. Keys come from trust policies, so the default is `ERR_TRUST_POLICY`;
    /// callers reading manifest `verifiers` map this to their own schema code.
    pub fn code(&self) -> Code {
        Code::TrustPolicy
    }
}

/// Why a signature did not verify with a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature has the wrong length for the key's algorithm.
    #[error("{algorithm} signature must be {expected} bytes, got {actual}")]
    WrongLength {
        algorithm: &'static str,
        expected: usize,
        actual: usize,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    Mismatch,
}

/// A public key usable for verification.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An Ed25519 key.
    Ed25519(VerifyingKey),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm(), self.key_id())
    }
}

impl PublicKey {
    /// An Ed25519 key from its raw 32 bytes.
    pub fn ed25519_from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let raw: [u8; 32] = bytes.try_into().map_err(|_| KeyError::WrongLength {
            algorithm: "ed25519",
            expected: 32,
            actual: bytes.len(),
        })?;
        VerifyingKey::from_bytes(&raw)
            .map(PublicKey::Ed25519)
            .map_err(|_| KeyError::InvalidPoint("ed25519"))
    }

    /// Decodes a trust-policy `publicKey` string: a PEM SubjectPublicKeyInfo block, or base64
    /// (standard or URL-safe, padded or not) of the raw 32-byte Ed25519 key.
    pub fn from_policy_str(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim();
        if trimmed.starts_with("-----BEGIN") {
            return Self::from_pem(trimmed);
        }
        let raw = super::decode_base64_any(trimmed)
            .map_err(|e| KeyError::Encoding(format!("invalid base64 ({e})")))?;
        Self::ed25519_from_bytes(&raw)
    }

    /// Decodes a trust-policy key, checking the declared `algorithm` (if any) against the key.
    pub fn from_policy(algorithm: Option<&str>, public_key: &str) -> Result<Self, KeyError> {
        let key = Self::from_policy_str(public_key)?;
        match algorithm {
            Some(declared) if !declared.eq_ignore_ascii_case(key.algorithm().as_str()) => {
                Err(KeyError::AlgorithmMismatch {
                    declared: declared.to_string(),
                    actual: key.algorithm().to_string(),
                })
            }
            _ => Ok(key),
        }
    }

    /// Decodes a trust-policy key object `{"keyid", "algorithm"?, "publicKey"}` (SPEC §4).
    pub fn from_key_object(value: &Value) -> Result<Self, KeyError> {
        let public_key = value
            .get("publicKey")
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::KeyObject("missing string field publicKey".into()))?;
        let algorithm = match value.get("algorithm") {
            None => None,
            Some(Value::String(name)) => Some(name.as_str()),
            Some(_) => return Err(KeyError::KeyObject("algorithm is not a string".into())),
        };
        Self::from_policy(algorithm, public_key)
    }

    /// Decodes a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_spki_der(&pem_body(pem)?)
    }

    /// Decodes a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki =
            SubjectPublicKeyInfoRef::from_der(der).map_err(|e| KeyError::Spki(e.to_string()))?;
        let oid = spki.algorithm.oid;
        if oid != OID_ED25519 {
            return Err(KeyError::UnsupportedAlgorithm(algorithm_name(oid)));
        }
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| KeyError::Spki("public key bit string has unused bits".into()))?;
        Self::ed25519_from_bytes(bits)
    }

    /// Decodes a securesystemslib JSON key (`{"keytype": "ed25519", "keyval": {"public":
    /// "<hex>"}}`), as used by in-toto and the corpus `dsse/key.pub`.
    pub fn from_securesystemslib_json(value: &Value) -> Result<Self, KeyError> {
        let keytype = value
            .get("keytype")
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::KeyObject("missing string field keytype".into()))?;
        if keytype != "ed25519" {
            return Err(KeyError::UnsupportedAlgorithm(keytype.to_string()));
        }
        let public = value
            .pointer("/keyval/public")
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::KeyObject("missing string field keyval.public".into()))?;
        let raw = hex::decode(public)
            .map_err(|e| KeyError::Encoding(format!("keyval.public is not hex ({e})")))?;
        Self::ed25519_from_bytes(&raw)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// The raw key bytes (32 bytes for Ed25519).
    pub fn raw_bytes(&self) -> &[u8] {
        match self {
            PublicKey::Ed25519(key) => key.as_bytes(),
        }
    }

    /// Display key id: lowercase hex SHA-256 of the raw key bytes.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.raw_bytes()))
    }

    /// The raw key as standard padded base64 (the trust-policy form).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.raw_bytes())
    }

    /// Verifies `signature` over `message`. Ed25519 uses `verify_strict` (rejects small-order
    /// keys and non-canonical signatures).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        match self {
            PublicKey::Ed25519(key) => {
                let sig =
                    Signature::from_slice(signature).map_err(|_| SignatureError::WrongLength {
                        algorithm: "ed25519",
                        expected: 64,
                        actual: signature.len(),
                    })?;
                key.verify_strict(message, &sig)
                    .map_err(|_| SignatureError::Mismatch)
            }
        }
    }
}

/// The DER body of a single PEM `PUBLIC KEY` block. Lenient about line length and surrounding
/// whitespace, since keys travel inside JSON strings.
fn pem_body(pem: &str) -> Result<Vec<u8>, KeyError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let text = pem.trim();
    let rest = text
        .strip_prefix(BEGIN)
        .ok_or_else(|| KeyError::Pem(format!("expected {BEGIN}")))?;
    let body = rest
        .strip_suffix(END)
        .ok_or_else(|| KeyError::Pem(format!("expected {END} at the end")))?;
    if body.contains("-----") {
        return Err(KeyError::Pem("more than one PEM block".into()));
    }
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| KeyError::Pem(format!("invalid base64 body ({e})")))
}

fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid {
        o if o == OID_RSA => "rsa".into(),
        o if o == OID_RSA_PSS => "rsassa-pss".into(),
        o if o == OID_EC => "ecdsa".into(),
        other => format!("with OID {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    /// RFC 8032 §7.1 TEST 1–3: (secret seed, public key, message, signature), hex.
    const RFC8032: [(&str, &str, &str, &str); 3] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac\
             18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc8032_vectors_verify_and_reproduce() {
        for (seed, public, message, signature) in RFC8032 {
            let key = PublicKey::ed25519_from_bytes(&unhex(public)).unwrap();
            let (msg, sig) = (unhex(message), unhex(signature));
            key.verify(&msg, &sig).unwrap();
            let signer = SigningKey::from_bytes(&unhex(seed).try_into().unwrap());
            assert_eq!(signer.verifying_key().as_bytes(), key.raw_bytes());
            assert_eq!(signer.sign(&msg).to_bytes().to_vec(), sig);
        }
    }

    #[test]
    fn rfc8032_vectors_reject_tampering() {
        for (_, public, message, signature) in RFC8032 {
            let key = PublicKey::ed25519_from_bytes(&unhex(public)).unwrap();
            let mut msg = unhex(message);
            msg.push(0);
            assert_eq!(
                key.verify(&msg, &unhex(signature)),
                Err(SignatureError::Mismatch)
            );
            let mut sig = unhex(signature);
            sig[10] ^= 1;
            assert!(key.verify(&unhex(message), &sig).is_err());
            assert!(matches!(
                key.verify(&unhex(message), &sig[..63]),
                Err(SignatureError::WrongLength { actual: 63, .. })
            ));
        }
    }

    #[test]
    fn policy_string_accepts_base64_variants_and_pem() {
        let raw = unhex(RFC8032[0].1);
        let std = base64::engine::general_purpose::STANDARD.encode(&raw);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        let unpadded = std.trim_end_matches('=').to_string();
        for text in [&std, &url, &unpadded] {
            assert_eq!(
                PublicKey::from_policy_str(text).unwrap().raw_bytes(),
                &raw[..]
            );
        }
        // SPKI = fixed 12-byte Ed25519 prefix followed by the raw key.
        let mut der = unhex("302a300506032b6570032100");
        der.extend_from_slice(&raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        let key = PublicKey::from_policy_str(&pem).unwrap();
        assert_eq!(key.raw_bytes(), &raw[..]);
        assert_eq!(key.to_base64(), std);
    }

    #[test]
    fn policy_string_errors_are_specific() {
        assert!(matches!(
            PublicKey::from_policy_str("not base64!"),
            Err(KeyError::Encoding(_))
        ));
        assert!(matches!(
            PublicKey::from_policy_str("AAAA"),
            Err(KeyError::WrongLength { actual: 3, .. })
        ));
        assert!(matches!(
            PublicKey::from_policy_str("-----BEGIN PUBLIC KEY-----\nAAAA\n"),
            Err(KeyError::Pem(_))
        ));
        assert!(matches!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err(KeyError::Spki(_))
        ));
        let declared = PublicKey::from_policy(Some("rsa"), RFC8032[0].1);
        assert!(declared.is_err());
        assert_eq!(KeyError::Pem(String::new()).code(), Code::TrustPolicy);
    }

    #[test]
    fn key_objects_from_trust_policy() {
        let public = base64::engine::general_purpose::STANDARD.encode(unhex(RFC8032[2].1));
        let object =
            serde_json::json!({"keyid": "acme", "algorithm": "ed25519", "publicKey": public});
        let key = PublicKey::from_key_object(&object).unwrap();
        assert_eq!(key.raw_bytes(), &unhex(RFC8032[2].1)[..]);
        let undeclared = serde_json::json!({"publicKey": public});
        assert_eq!(PublicKey::from_key_object(&undeclared).unwrap(), key);
        let mismatch = serde_json::json!({"algorithm": "ecdsa-p256", "publicKey": public});
        assert!(matches!(
            PublicKey::from_key_object(&mismatch),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        for bad in [
            serde_json::json!({"algorithm": "ed25519"}),
            serde_json::json!({"algorithm": 1, "publicKey": public}),
        ] {
            assert!(matches!(
                PublicKey::from_key_object(&bad),
                Err(KeyError::KeyObject(_))
            ));
        }
    }

    #[test]
    fn rejects_key_bytes_off_the_curve() {
        // y = 2 has no x on edwards25519, so decompression fails.
        let mut raw = [0u8; 32];
        raw[0] = 2;
        assert_eq!(
            PublicKey::ed25519_from_bytes(&raw),
            Err(KeyError::InvalidPoint("ed25519"))
        );
    }

    #[test]
    fn securesystemslib_key_and_key_id() {
        let public = RFC8032[1].1;
        let json = serde_json::json!({"keytype": "ed25519", "keyval": {"public": public}});
        let key = PublicKey::from_securesystemslib_json(&json).unwrap();
        assert_eq!(hex::encode(key.raw_bytes()), public);
        assert_eq!(key.key_id(), hex::encode(Sha256::digest(unhex(public))));
        let rsa = serde_json::json!({"keytype": "rsa", "keyval": {"public": "x"}});
        assert_eq!(
            PublicKey::from_securesystemslib_json(&rsa),
            Err(KeyError::UnsupportedAlgorithm("rsa".into()))
        );
        let missing = serde_json::json!({"keytype": "ed25519"});
        assert!(matches!(
            PublicKey::from_securesystemslib_json(&missing),
            Err(KeyError::KeyObject(_))
        ));
    }
}
