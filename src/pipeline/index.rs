//! Step 1 — index: every file's SHA-256 in an [`ArtifactIndex`] keyed by a normalised
//! [`DigestKey`].

use crate::diag::Code;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// A supported digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 64,
            DigestAlgorithm::Sha384 => 96,
            DigestAlgorithm::Sha512 => 128,
        }
    }

    /// Recognises `sha256`, `SHA-256`, `SHA256`, `sha-384`, … (case and dash insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "sha256" => Some(DigestAlgorithm::Sha256),
            "sha384" => Some(DigestAlgorithm::Sha384),
            "sha512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    fn from_hex_len(len: usize) -> Option<Self> {
        [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|a| a.hex_len() == len)
    }
}

/// A normalised digest: algorithm plus lowercase hex of the right length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DigestKey {
    pub algorithm: DigestAlgorithm,
    pub hex: String,
}

/// Why a digest string was rejected (`ERR_DIGEST_FORMAT`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a sha256/sha384/sha512 digest ({why})")]
pub struct DigestFormatError {
    pub input: String,
    pub why: &'static str,
}

impl DigestFormatError {
    pub fn code(&self) -> Code {
        Code::DigestFormat
    }
}

impl DigestKey {
    /// Parses `sha256:ABC…`, `SHA256:abc…`, `sha-256:…` or bare hex (length picks the algorithm).
    pub fn parse(input: &str) -> Result<DigestKey, DigestFormatError> {
        let err = |why| DigestFormatError {
            input: truncate(input),
            why,
        };
        match input.split_once(':') {
            Some((alg, hex)) => {
                let algorithm = DigestAlgorithm::from_name(alg).ok_or(err("unknown algorithm"))?;
                Self::from_parts(algorithm, hex).map_err(|_| err("wrong hex length or character"))
            }
            None => {
                let algorithm = DigestAlgorithm::from_hex_len(input.len())
                    .ok_or(err("bare hex of unknown length"))?;
                Self::from_parts(algorithm, input).map_err(|_| err("not hex"))
            }
        }
    }

    /// Builds a key from an algorithm name and hex (in-toto `{"sha256": "…"}`, CycloneDX
    /// `{"alg": "SHA-256", "content": "…"}`).
    pub fn from_named(algorithm: &str, hex: &str) -> Result<DigestKey, DigestFormatError> {
        let algorithm = DigestAlgorithm::from_name(algorithm).ok_or_else(|| DigestFormatError {
            input: truncate(algorithm),
            why: "unknown algorithm",
        })?;
        Self::from_parts(algorithm, hex)
    }

    fn from_parts(algorithm: DigestAlgorithm, hex: &str) -> Result<DigestKey, DigestFormatError> {
        if hex.len() != algorithm.hex_len() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DigestFormatError {
                input: truncate(hex),
                why: "wrong hex length or character",
            });
        }
        Ok(DigestKey {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        })
    }

    /// The 32 bytes of a SHA-256 digest; `None` for another algorithm.
    pub fn sha256_bytes(&self) -> Option<[u8; 32]> {
        let mut out = [0u8; 32];
        let is_sha256 = self.algorithm == DigestAlgorithm::Sha256;
        (is_sha256 && hex::decode_to_slice(&self.hex, &mut out).is_ok()).then_some(out)
    }

    /// SHA-256 of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> DigestKey {
        DigestKey {
            algorithm: DigestAlgorithm::Sha256,
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }
}

impl fmt::Display for DigestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.hex)
    }
}

impl Serialize for DigestKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Every file of the bundle by the SHA-256 of its bytes. Identical content at several paths is
/// one key with several paths.
#[derive(Debug, Clone, Default)]
pub struct ArtifactIndex {
    by_digest: BTreeMap<DigestKey, Vec<String>>,
}

impl ArtifactIndex {
    /// Hashes the files in parallel; paths under one digest are kept sorted.
    pub fn build<'a>(
        files: impl IntoParallelIterator<Item = (&'a str, &'a [u8])>,
    ) -> (ArtifactIndex, Vec<DigestKey>) {
        let hashed: Vec<(DigestKey, &str)> = files
            .into_par_iter()
            .map(|(path, bytes)| (DigestKey::sha256_of(bytes), path))
            .collect();
        let index = Self::from_digests(hashed.iter().map(|(key, path)| (key, *path)));
        (index, hashed.into_iter().map(|(k, _)| k).collect())
    }

    /// The index of files whose digests are known: `(digest, path)` pairs.
    pub fn from_digests<'a>(files: impl IntoIterator<Item = (&'a DigestKey, &'a str)>) -> Self {
        let mut by_digest: BTreeMap<DigestKey, Vec<String>> = BTreeMap::new();
        for (key, path) in files {
            by_digest
                .entry(key.clone())
                .or_default()
                .push(path.to_string());
        }
        for paths in by_digest.values_mut() {
            paths.sort();
        }
        ArtifactIndex { by_digest }
    }

    /// The paths holding content with this digest.
    pub fn paths(&self, key: &DigestKey) -> &[String] {
        self.by_digest.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn contains(&self, key: &DigestKey) -> bool {
        self.by_digest.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";

    #[test]
    fn spellings_normalise_to_one_key() {
        let want = format!("sha256:{}", HEX.to_lowercase());
        for input in [
            format!("sha256:{HEX}"),
            format!("SHA256:{HEX}"),
            format!("sha-256:{HEX}"),
            HEX.to_string(),
        ] {
            assert_eq!(
                DigestKey::parse(&input).unwrap().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn sha384_and_sha512_by_prefix_or_length() {
        let h384 = "a".repeat(96);
        let h512 = "B".repeat(128);
        assert_eq!(
            DigestKey::parse(&h384).unwrap().algorithm,
            DigestAlgorithm::Sha384
        );
        assert_eq!(
            DigestKey::parse(&format!("SHA512:{h512}"))
                .unwrap()
                .to_string(),
            format!("sha512:{}", "b".repeat(128))
        );
    }

    #[test]
    fn anything_else_is_a_digest_format_error() {
        for bad in [
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:abc",
            "sha256:",
            "zz",
            &"g".repeat(64),
            &format!("sha384:{}", "a".repeat(64)),
        ] {
            let e = DigestKey::parse(bad).unwrap_err();
            assert_eq!(e.code(), Code::DigestFormat, "{bad}");
        }
    }

    #[test]
    fn index_groups_identical_content() {
        let files = vec![
            ("b.json", &b"x"[..]),
            ("a.json", &b"x"[..]),
            ("c.json", &b"y"[..]),
        ];
        let (index, keys) = ArtifactIndex::build(files);
        assert_eq!(index.len(), 2);
        assert_eq!(index.paths(&keys[0]), ["a.json", "b.json"]);
    }
}
