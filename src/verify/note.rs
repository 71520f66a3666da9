//! C2SP signed notes, verifier keys and tlog checkpoints (SPEC §5 "rekor").
//!
//! A note is text (valid UTF-8, no control characters but newline, ending in a newline), one
//! blank line, then signature lines `— <name> <base64(4-byte key hash || signature)>`, each
//! ending in a newline. The signed message is the text up to and including the newline before
//! the last blank line. Only Ed25519 (type 0x01) signatures are verified; ECDSA (0x02),
//! timestamped Ed25519 cosignatures (0x04) and RFC 6962 tree-head signatures (0x05) are parsed
//! and reported as unsupported.

use super::keys::PublicKey;
use crate::diag::Code;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Signature lines start with an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Bound on signature lines, so a hostile note cannot make us verify forever.
const MAX_SIGNATURES: usize = 100;

const TYPE_ED25519: u8 = 0x01;
const TYPE_ECDSA: u8 = 0x02;
const TYPE_COSIGNATURE: u8 = 0x04;
const TYPE_RFC6962: u8 = 0x05;

/// Why a note, key or checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note does not follow the signed-note format.
    #[error("malformed signed note: {0}")]
    Malformed(String),
    /// A verifier key string is invalid.
    #[error("invalid verifier key: {0}")]
    VerifierKey(String),
    /// The note text is not a valid checkpoint.
    #[error("malformed checkpoint: {0}")]
    Checkpoint(String),
    /// No signature line carries the key's name and key hash.
    #[error("no signature line for key {name}+{key_hash}")]
    NoMatchingSignature { name: String, key_hash: String },
    /// A signature line for the key does not verify.
    #[error("signature by {name} does not verify")]
    BadSignature { name: String },
    /// The key's signature type is not implemented.
    #[error("signature type {algorithm} of key {name} is not supported")]
    UnsupportedAlgorithm {
        name: String,
        algorithm: &'static str,
    },
}

impl NoteError {
    /// Stable code: always `ERR_REKOR_CHECKPOINT_INVALID`.
    pub fn code(&self) -> Code {
        Code::RekorCheckpointInvalid
    }
}

fn malformed(reason: impl Into<String>) -> NoteError {
    NoteError::Malformed(reason.into())
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key hash that prefixes the signature.
    pub key_hash: [u8; 4],
    /// The signature bytes after the key hash.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The key hash as 8 lowercase hex digits.
    pub fn key_hash_hex(&self) -> String {
        hex::encode(self.key_hash)
    }
}

/// A parsed signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed message: the text including its final newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// Parses a signed note.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        let note = std::str::from_utf8(bytes).map_err(|_| malformed("not valid UTF-8"))?;
        if let Some(c) = note.chars().find(|&c| c.is_ascii_control() && c != '\n') {
            return Err(malformed(format!(
                "control character U+{:04X} in note",
                c as u32
            )));
        }
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| malformed("no blank line before the signatures"))?;
        let (text, block) = (&note[..=split], &note[split + 2..]);
        let lines = block
            .strip_suffix('\n')
            .ok_or_else(|| malformed("signature block is empty or lacks a final newline"))?;
        let signatures = lines
            .split('\n')
            .map(parse_signature_line)
            .collect::<Result<Vec<_>, _>>()?;
        if signatures.len() > MAX_SIGNATURES {
            return Err(malformed(format!(
                "more than {MAX_SIGNATURES} signature lines"
            )));
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    /// Signature lines whose name and key hash match `key`.
    pub fn signatures_for<'a>(
        &'a self,
        key: &'a VerifierKey,
    ) -> impl Iterator<Item = &'a NoteSignature> + 'a {
        self.signatures
            .iter()
            .filter(move |s| s.name == key.name && s.key_hash == key.key_hash)
    }

    /// Verifies the note with `key`: at least one signature line must carry the key's name and
    /// hash, and every such line must verify. Lines by other keys are ignored.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), NoteError> {
        let lines: Vec<&NoteSignature> = self.signatures_for(key).collect();
        if lines.is_empty() {
            return Err(NoteError::NoMatchingSignature {
                name: key.name.clone(),
                key_hash: hex::encode(key.key_hash),
            });
        }
        let public = match &key.key {
            NoteKey::Ed25519(public) => public,
            NoteKey::Unsupported { algorithm, .. } => {
                return Err(NoteError::UnsupportedAlgorithm {
                    name: key.name.clone(),
                    algorithm,
                })
            }
        };
        for line in lines {
            public
                .verify(self.text.as_bytes(), &line.signature)
                .map_err(|_| NoteError::BadSignature {
                    name: line.name.clone(),
                })?;
        }
        Ok(())
    }
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, NoteError> {
    let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
        malformed(format!(
            "signature line does not start with an em dash: {line:?}"
        ))
    })?;
    let (name, encoded) = rest
        .split_once(' ')
        .ok_or_else(|| malformed(format!("signature line lacks a signature: {line:?}")))?;
    if !is_valid_name(name) {
        return Err(malformed(format!("invalid key name {name:?}")));
    }
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|e| malformed(format!("signature by {name} is not base64 ({e})")))?;
    if bytes.len() < 5 {
        return Err(malformed(format!("signature by {name} is too short")));
    }
    Ok(NoteSignature {
        name: name.to_string(),
        key_hash: [bytes[0], bytes[1], bytes[2], bytes[3]],
        signature: bytes[4..].to_vec(),
    })
}

/// Key names are non-empty and contain neither whitespace nor `+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key material of a [`VerifierKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKey {
    /// An Ed25519 key (type 0x01).
    Ed25519(PublicKey),
    /// A well-formed key of a type this crate does not verify.
    Unsupported {
        /// The signature type byte.
        key_type: u8,
        /// A short name for the type.
        algorithm: &'static str,
    },
}

/// A signed-note verifier key: name, key hash and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// The key name that signature lines carry.
    pub name: String,
    /// The 4-byte key hash that signature lines carry.
    pub key_hash: [u8; 4],
    /// The key itself.
    pub key: NoteKey,
}

impl VerifierKey {
    /// A verifier for a raw Ed25519 key under `name` (SPEC §5: name = checkpoint origin).
    pub fn ed25519(name: &str, key: &PublicKey) -> Self {
        VerifierKey {
            name: name.to_string(),
            key_hash: ed25519_key_hash(name, key),
            key: NoteKey::Ed25519(key.clone()),
        }
    }

    /// Parses `name+hexkeyhash+base64(type || key)`, checking that the hash matches the key.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let bad = |reason: String| NoteError::VerifierKey(reason);
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(hash_hex), Some(key_b64)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected name+keyhash+key".into()));
        };
        if !is_valid_name(name) {
            return Err(bad(format!("invalid key name {name:?}")));
        }
        let key_hash: [u8; 4] = hex::decode(hash_hex)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad(format!("key hash {hash_hex:?} is not 8 hex digits")))?;
        let blob = STANDARD
            .decode(key_b64)
            .map_err(|e| bad(format!("key is not base64 ({e})")))?;
        let (key, expected_hash) = decode_key_blob(name, &blob)?;
        if expected_hash != key_hash {
            return Err(bad(format!(
                "key hash {hash_hex} does not match the key (expected {})",
                hex::encode(expected_hash)
            )));
        }
        Ok(VerifierKey {
            name: name.to_string(),
            key_hash,
            key,
        })
    }
}

/// Decodes `type || key` and computes the key hash the type prescribes.
fn decode_key_blob(name: &str, blob: &[u8]) -> Result<(NoteKey, [u8; 4]), NoteError> {
    let bad = |reason: &str| NoteError::VerifierKey(reason.to_string());
    let (&key_type, key) = blob.split_first().ok_or_else(|| bad("empty key"))?;
    let unsupported = |algorithm| NoteKey::Unsupported {
        key_type,
        algorithm,
    };
    match key_type {
        TYPE_ED25519 | TYPE_COSIGNATURE if key.len() != 32 => {
            Err(bad("Ed25519 key must be 32 bytes"))
        }
        TYPE_ED25519 => {
            let public = PublicKey::ed25519_from_bytes(key)
                .map_err(|e| NoteError::VerifierKey(e.to_string()))?;
            Ok((NoteKey::Ed25519(public), name_key_hash(name, blob)))
        }
        TYPE_COSIGNATURE => Ok((
            unsupported("ed25519-cosignature"),
            name_key_hash(name, blob),
        )),
        TYPE_ECDSA | TYPE_RFC6962 if key.is_empty() => Err(bad("missing DER public key")),
        TYPE_ECDSA => Ok((
            unsupported("ecdsa-p256-sha256"),
            truncate(&Sha256::digest(key)),
        )),
        TYPE_RFC6962 => {
            let mut input = vec![TYPE_RFC6962];
            input.extend_from_slice(&Sha256::digest(key));
            Ok((
                unsupported("rfc6962-tree-head"),
                name_key_hash(name, &input),
            ))
        }
        other => Err(NoteError::VerifierKey(format!(
            "unknown signature type 0x{other:02x}"
        ))),
    }
}

/// `SHA-256(name || 0x0A || data)[..4]`, the key hash rule for name-bound types.
fn name_key_hash(name: &str, data: &[u8]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n']);
    hasher.update(data);
    truncate(&hasher.finalize())
}

fn truncate(digest: &[u8]) -> [u8; 4] {
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The Ed25519 key hash: first 4 bytes of `SHA-256(name || 0x0A || 0x01 || key)`.
pub fn ed25519_key_hash(name: &str, key: &PublicKey) -> [u8; 4] {
    let mut blob = vec![TYPE_ED25519];
    blob.extend_from_slice(key.raw_bytes());
    name_key_hash(name, &blob)
}

/// Verifies `note` with a raw Ed25519 key under the key name `name`.
pub fn verify_note_ed25519(note: &Note, name: &str, key: &PublicKey) -> Result<(), NoteError> {
    note.verify(&VerifierKey::ed25519(name, key))
}

/// A C2SP tlog checkpoint: the body of a signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root_hash: [u8; 32],
    /// Any further (extension) lines, without newlines.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// Parses checkpoint text: origin, decimal tree size (no sign or leading zeros), base64
    /// 32-byte root hash, then optional non-empty extension lines; every line ends in `\n`.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let bad = |reason: String| NoteError::Checkpoint(reason);
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("text does not end with a newline".into()))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(bad("fewer than three lines".into()));
        };
        if origin.is_empty() {
            return Err(bad("empty origin line".into()));
        }
        let size =
            parse_tree_size(size).ok_or_else(|| bad(format!("invalid tree size {size:?}")))?;
        let root_hash: [u8; 32] = STANDARD
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad(format!("root hash {root:?} is not base64 of 32 bytes")))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line".into()));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root_hash,
            extensions,
        })
    }
}

fn parse_tree_size(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// SPEC §5 step 5: parses the signed checkpoint and verifies it with the log's raw Ed25519 key,
/// using the signature line named after the checkpoint origin with the matching key hash.
pub fn verify_checkpoint(note_bytes: &[u8], key: &PublicKey) -> Result<Checkpoint, NoteError> {
    let note = Note::parse(note_bytes)?;
    let checkpoint = Checkpoint::parse(&note.text)?;
    verify_note_ed25519(&note, &checkpoint.origin, key)?;
    Ok(checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn sign_line(name: &str, signing: &SigningKey, text: &str) -> String {
        let key = PublicKey::Ed25519(signing.verifying_key());
        let mut blob = ed25519_key_hash(name, &key).to_vec();
        blob.extend_from_slice(&signing.sign(text.as_bytes()).to_bytes());
        format!("\u{2014} {name} {}\n", STANDARD.encode(blob))
    }

    fn checkpoint_text(origin: &str) -> String {
        format!("{origin}\n12\n{}\n", STANDARD.encode([7u8; 32]))
    }

    #[test]
    fn verifies_own_checkpoint_and_ignores_unknown_lines() {
        let log = SigningKey::from_bytes(&[1; 32]);
        let witness = SigningKey::from_bytes(&[2; 32]);
        let text = checkpoint_text("example.com/log");
        let note = format!(
            "{text}\n{}{}",
            sign_line("witness.example", &witness, &text),
            sign_line("example.com/log", &log, &text)
        );
        let key = PublicKey::Ed25519(log.verifying_key());
        let checkpoint = verify_checkpoint(note.as_bytes(), &key).unwrap();
        assert_eq!(checkpoint.origin, "example.com/log");
        assert_eq!(checkpoint.size, 12);
        assert_eq!(checkpoint.root_hash, [7u8; 32]);
        let wrong = PublicKey::Ed25519(witness.verifying_key());
        assert!(matches!(
            verify_checkpoint(note.as_bytes(), &wrong),
            Err(NoteError::NoMatchingSignature { .. })
        ));
    }

    #[test]
    fn bad_signature_by_the_expected_key_fails() {
        let log = SigningKey::from_bytes(&[1; 32]);
        let text = checkpoint_text("log");
        let good = sign_line("log", &log, &text);
        let other_text = checkpoint_text("log2");
        let bad = sign_line("log", &log, &other_text);
        let key = PublicKey::Ed25519(log.verifying_key());
        let one_bad = format!("{text}\n{bad}");
        assert_eq!(
            verify_checkpoint(one_bad.as_bytes(), &key),
            Err(NoteError::BadSignature { name: "log".into() })
        );
        // Every line for the key must verify, even if another one does.
        let mixed = format!("{text}\n{good}{bad}");
        assert!(verify_checkpoint(mixed.as_bytes(), &key).is_err());
        assert_eq!(
            NoteError::BadSignature {
                name: String::new()
            }
            .code(),
            Code::RekorCheckpointInvalid
        );
    }

    #[test]
    fn malformed_notes_are_rejected() {
        let log = SigningKey::from_bytes(&[1; 32]);
        let text = "hello\n";
        let line = sign_line("n", &log, text);
        let cases = [
            format!("{text}{line}"),                              // no blank line
            format!("{text}\n{}", line.trim_end()),               // no final newline
            format!("{text}\n"),                                  // no signatures
            format!("{text}\n{}", line.replace('\u{2014}', "-")), // ASCII dash
            format!("{text}\n{}", line.replacen(' ', "  ", 2)),   // empty name
            format!("{text}\n\u{2014} a+b AAAAAAAA\n"),           // '+' in name
            format!("{text}\n\u{2014} n AAAA\n"),                 // too short
            format!("{text}\n\u{2014} n !!!!\n"),                 // not base64
            format!("he\rllo\n\n{line}"),                         // control character
            format!("{text}\n{line}\n"),                          // trailing blank line
        ];
        for case in cases {
            assert!(
                matches!(Note::parse(case.as_bytes()), Err(NoteError::Malformed(_))),
                "{case:?}"
            );
        }
        assert!(Note::parse(b"\xff\n\n").is_err());
        let too_many = format!("{text}\n{}", line.repeat(MAX_SIGNATURES + 1));
        assert!(Note::parse(too_many.as_bytes()).is_err());
    }

    #[test]
    fn text_may_contain_blank_lines() {
        let log = SigningKey::from_bytes(&[3; 32]);
        let text = "a\n\nb\n";
        let note =
            Note::parse(format!("{text}\n{}", sign_line("n", &log, text)).as_bytes()).unwrap();
        assert_eq!(note.text, text);
        let key = PublicKey::Ed25519(log.verifying_key());
        verify_note_ed25519(&note, "n", &key).unwrap();
    }

    #[test]
    fn checkpoint_parsing_rules() {
        let root = STANDARD.encode([1u8; 32]);
        let ok = Checkpoint::parse(&format!("o\n0\n{root}\next one\n")).unwrap();
        assert_eq!(ok.size, 0);
        assert_eq!(ok.extensions, vec!["ext one".to_string()]);
        for bad in [
            format!("o\n1\n{root}"),
            "o\n1\n".to_string(),
            format!("\n1\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            format!("o\n1\n{}\n", STANDARD.encode([1u8; 31])),
            format!("o\n1\n{root}\n\nx\n"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\n"))
                .unwrap()
                .size,
            u64::MAX
        );
    }

    #[test]
    fn verifier_key_round_trip_and_errors() {
        let signing = SigningKey::from_bytes(&[9; 32]);
        let key = PublicKey::Ed25519(signing.verifying_key());
        let vk = VerifierKey::ed25519("example.com/log", &key);
        let mut blob = vec![TYPE_ED25519];
        blob.extend_from_slice(key.raw_bytes());
        let text = format!(
            "example.com/log+{}+{}",
            hex::encode(vk.key_hash),
            STANDARD.encode(&blob)
        );
        assert_eq!(VerifierKey::parse(&text).unwrap(), vk);
        let wrong_hash = format!("example.com/log+00000000+{}", STANDARD.encode(&blob));
        assert!(VerifierKey::parse(&wrong_hash).is_err());
        assert!(VerifierKey::parse("name+0000+AQ==").is_err());
        assert!(VerifierKey::parse("name").is_err());
    }
}
