//! The keyring (SPEC §4): every public key available for verification, with where it came from.
//!
//! A key is *pinned* when the trust policy given with `--trust FILE` lists it in `keys[]`; only
//! a pinned key makes a signature *trusted*. Keys found inside the bundle — `keys/` files (PEM
//! SubjectPublicKeyInfo or raw base64) and the root manifest's `verifiers.pubkeys[]` — are used
//! to check signatures but stay *bundle-supplied*. A `trust.json` at the bundle root is applied,
//! but its keys are *self-asserted* (`WARN_TRUST_SELF_ASSERTED`): the bundle vouching for itself.
//!
//! The same key material met several times is one entry with several origins; its trust is the
//! strongest origin. Only `keys[]` of a policy is read here; issuer rules are the VEX side's.

use super::keys::{KeyError, PublicKey};
use crate::bundle::Bundle;
use crate::diag::{Code, Diagnostic, Severity};
use crate::json;
use crate::pipeline::collect::{CollectedFile, FileKind};
use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where a key came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyTrust {
    /// Listed in `keys[]` of the `--trust` policy: signatures by it are trusted.
    Pinned,
    /// Listed in a `trust.json` at the bundle root: applied, but the bundle vouches for itself.
    SelfAsserted,
    /// Shipped in the bundle (`keys/`, manifest `verifiers.pubkeys[]`): checks, never trusts.
    BundleSupplied,
}

impl KeyTrust {
    /// `pinned`, `self-asserted` or `bundle-supplied`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyTrust::Pinned => "pinned",
            KeyTrust::SelfAsserted => "self-asserted",
            KeyTrust::BundleSupplied => "bundle-supplied",
        }
    }
}

impl fmt::Display for KeyTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place a key was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KeyOrigin {
    pub trust: KeyTrust,
    /// The `keyid` the source declares for the key; `None` for a bare key file.
    pub keyid: Option<String>,
    /// The policy path (for `--trust`) or bundle-relative file.
    pub file: String,
    /// JSON pointer of the key object inside `file`; empty for a key file.
    pub pointer: String,
}

impl KeyOrigin {
    /// `file` or `file#pointer`, for messages.
    pub fn place(&self) -> String {
        if self.pointer.is_empty() {
            self.file.clone()
        } else {
            format!("{}#{}", self.file, self.pointer)
        }
    }
}

/// A key and every place it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyEntry {
    pub key: PublicKey,
    /// Sorted, strongest first.
    pub origins: Vec<KeyOrigin>,
}

impl KeyEntry {
    /// `sha256:` + hex SHA-256 of the raw public key: the key's id here and in the graph.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key)
    }

    /// The strongest origin's trust.
    pub fn trust(&self) -> KeyTrust {
        self.origins
            .iter()
            .map(|o| o.trust)
            .min()
            .unwrap_or(KeyTrust::BundleSupplied)
    }

    /// Every `keyid` declared for the key by a source of the given trust, sorted, unique.
    pub fn keyids_from(&self, trust: KeyTrust) -> Vec<String> {
        let mut ids: Vec<String> = self
            .origins
            .iter()
            .filter(|o| o.trust == trust)
            .filter_map(|o| o.keyid.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Every declared `keyid`, whatever the source, sorted, unique.
    pub fn keyids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .origins
            .iter()
            .filter_map(|o| o.keyid.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// What a signature check records about the key (see [`VerifiedKey`]).
    pub fn verified(&self) -> VerifiedKey {
        VerifiedKey {
            fingerprint: self.fingerprint(),
            trust: self.trust(),
            pinned_keyids: self.keyids_from(KeyTrust::Pinned),
            self_asserted_keyids: self.keyids_from(KeyTrust::SelfAsserted),
        }
    }
}

/// `sha256:` + hex SHA-256 of the raw key bytes.
pub fn fingerprint(key: &PublicKey) -> String {
    format!("sha256:{}", key.key_id())
}

/// A key that verified a signature, as recorded on the attestation or export it verified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedKey {
    /// `sha256:<hex>` of the raw public key (the `key` node id).
    pub fingerprint: String,
    /// The key's strongest provenance.
    pub trust: KeyTrust,
    /// The `keyid`s the `--trust` policy pins this key under (empty unless pinned).
    pub pinned_keyids: Vec<String>,
    /// The `keyid`s a bundle-root `trust.json` gives it (self-asserted).
    pub self_asserted_keyids: Vec<String>,
}

/// A trust policy given on the command line: its name (for diagnostics) and its bytes. The
/// caller reads the file, so that the pipeline itself never touches the filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustFile {
    /// How diagnostics name the file (the path as given).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl TrustFile {
    /// Reads a policy file.
    ///
    /// # Errors
    /// The I/O error when the file cannot be read (the CLI turns it into exit code 2).
    pub fn read(path: &Path) -> std::io::Result<Self> {
        Ok(TrustFile {
            name: path.display().to_string(),
            bytes: std::fs::read(path)?,
        })
    }
}

/// Most signature checks (one signature against one candidate key) a keyring performs in one
/// run. A bundle chooses how many keys and signatures it carries and each check costs tens of
/// microseconds, so without a bound a few megabytes of keys and signatures would keep evx busy
/// for hours; a million checks take seconds.
pub const MAX_SIGNATURE_CHECKS: u64 = 1_000_000;

/// Every key available for verification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keyring {
    /// Sorted by fingerprint; one entry per key material.
    entries: Vec<KeyEntry>,
    /// The name of the `--trust` policy, when one was given (even one without usable keys).
    policy: Option<String>,
    /// Signature checks performed so far, against [`MAX_SIGNATURE_CHECKS`].
    checks_spent: CheckBudget,
}

/// Signature checks spent so far; shared by the threads that check envelopes in parallel.
#[derive(Debug, Default)]
struct CheckBudget(AtomicU64);

impl Clone for CheckBudget {
    fn clone(&self) -> Self {
        CheckBudget(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

impl PartialEq for CheckBudget {
    fn eq(&self, other: &Self) -> bool {
        self.0.load(Ordering::Relaxed) == other.0.load(Ordering::Relaxed)
    }
}

/// The path of the self-asserted policy inside a bundle.
pub const BUNDLE_TRUST_FILE: &str = "trust.json";

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key found at `origin`, merging with an entry of the same key material.
    pub fn add(&mut self, key: PublicKey, origin: KeyOrigin) {
        let fp = fingerprint(&key);
        match self
            .entries
            .binary_search_by(|e| e.fingerprint().as_str().cmp(&fp))
        {
            Ok(i) => {
                let origins = &mut self.entries[i].origins;
                if let Err(at) = origins.binary_search(&origin) {
                    origins.insert(at, origin);
                }
            }
            Err(i) => self.entries.insert(
                i,
                KeyEntry {
                    key,
                    origins: vec![origin],
                },
            ),
        }
    }

    /// Every key, sorted by fingerprint.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The entry with this `sha256:<hex>` fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&KeyEntry> {
        self.entries
            .binary_search_by(|e| e.fingerprint().as_str().cmp(fingerprint))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Takes `checks` signature checks from the run's budget; `Err` with the checks left when
    /// fewer remain (nothing is taken then).
    pub fn spend_checks(&self, checks: u64) -> Result<(), u64> {
        // Which envelopes get checks once the budget runs out depends on thread timing; below
        // the budget (every real bundle) every envelope is checked and results are ordered.
        self.checks_spent
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |spent| {
                let left = MAX_SIGNATURE_CHECKS.saturating_sub(spent);
                (checks <= left).then_some(spent + checks)
            })
            .map(|_| ())
            .map_err(|spent| MAX_SIGNATURE_CHECKS.saturating_sub(spent))
    }

    /// The `--trust` policy's name, when one was given.
    pub fn policy_name(&self) -> Option<&str> {
        self.policy.as_deref()
    }

    /// The keys `accept` admits, labelled by fingerprint, for [`super::dsse::verify_envelope`].
    pub fn candidates(&self, accept: impl Fn(&KeyEntry) -> bool) -> Vec<(String, PublicKey)> {
        self.entries
            .iter()
            .filter(|e| accept(e))
            .map(|e| (e.fingerprint(), e.key.clone()))
            .collect()
    }

    /// A keyring of the keys the `--trust` policy pins (none without a policy). A broken policy
    /// or key entry is an `ERR_TRUST_POLICY` diagnostic; the entries that decode still count.
    pub fn from_policy(policy: Option<&TrustFile>) -> (Keyring, Vec<Diagnostic>) {
        let mut ring = Keyring::new();
        let mut diagnostics = Vec::new();
        let Some(policy) = policy else {
            return (ring, diagnostics);
        };
        ring.policy = Some(policy.name.clone());
        match json::parse(&policy.bytes) {
            Ok(value) => {
                ring.add_policy_keys(&value, &policy.name, KeyTrust::Pinned, &mut diagnostics);
            }
            Err(e) => diagnostics.push(
                Diagnostic::new(
                    Code::TrustPolicy,
                    &policy.name,
                    format!("trust policy is not valid JSON: {}", e.message),
                )
                .at(e.pointer),
            ),
        }
        (ring, diagnostics)
    }

    /// Adds the keys found in the bundle: key files (PEM or securesystemslib JSON anywhere, raw
    /// base64 under `keys/`),
    /// the root manifest's `verifiers.pubkeys[]` and a bundle-root `trust.json`. Returns
    /// `WARN_TRUST_SELF_ASSERTED` for a bundle that vouches for itself, `ERR_TRUST_POLICY` for a
    /// broken entry of that file, `ERR_DOC_SCHEMA` for an undecodable key file.
    pub fn add_bundle_keys(
        &mut self,
        bundle: &Bundle,
        collected: &[CollectedFile],
    ) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for file in collected.iter().filter(|f| f.kind == FileKind::PublicKey) {
            if let Some(bytes) = bundle.get(&file.path) {
                self.add_key_file(&file.path, &bytes, &mut diagnostics);
            }
        }
        self.add_manifest_keys(bundle);
        self.add_self_asserted(bundle, &mut diagnostics);
        diagnostics
    }

    /// Reads `keys[]` of a policy document; a broken entry is reported and skipped.
    fn add_policy_keys(
        &mut self,
        policy: &Value,
        file: &str,
        trust: KeyTrust,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> usize {
        let report = |pointer: String, message: String| {
            Diagnostic::new(Code::TrustPolicy, file, message).at(pointer)
        };
        if !policy.is_object() {
            diagnostics.push(report(
                String::new(),
                "trust policy is not a JSON object".into(),
            ));
            return 0;
        }
        let keys = match policy.get("keys") {
            None => return 0,
            Some(Value::Array(keys)) => keys,
            Some(_) => {
                diagnostics.push(report("/keys".into(), "`keys` must be an array".into()));
                return 0;
            }
        };
        let mut added = 0;
        for (i, item) in keys.iter().enumerate() {
            let pointer = format!("/keys/{i}");
            match policy_key(item) {
                Ok((keyid, key)) => {
                    self.add(
                        key,
                        KeyOrigin {
                            trust,
                            keyid: Some(keyid),
                            file: file.to_string(),
                            pointer,
                        },
                    );
                    added += 1;
                }
                Err(message) => diagnostics.push(report(pointer, message)),
            }
        }
        added
    }

    /// A key file: PEM SubjectPublicKeyInfo, raw base64, or a securesystemslib JSON key.
    fn add_key_file(&mut self, path: &str, bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) {
        let decoded = match json::parse(bytes) {
            Ok(value) => PublicKey::from_securesystemslib_json(&value),
            Err(_) => PublicKey::from_policy_str(&String::from_utf8_lossy(bytes)),
        };
        match decoded {
            Ok(key) => self.add(
                key,
                KeyOrigin {
                    trust: KeyTrust::BundleSupplied,
                    keyid: None,
                    file: path.to_string(),
                    pointer: String::new(),
                },
            ),
            Err(e) => {
                let severity = match e {
                    KeyError::UnsupportedAlgorithm(_) => Severity::Warning,
                    _ => Severity::Error,
                };
                diagnostics.push(
                    Diagnostic::new(Code::DocSchema, path, format!("key not usable: {e}"))
                        .with_severity(severity),
                );
            }
        }
    }

    /// `verifiers.pubkeys[]` of the root `manifest.json`. Malformed entries are left to the
    /// manifest schema check, which reports them.
    fn add_manifest_keys(&mut self, bundle: &Bundle) {
        let Some(manifest) = bundle
            .get(super::profile::MANIFEST_PATH)
            .and_then(|b| json::parse(&b).ok())
        else {
            return;
        };
        let Some(keys) = manifest
            .pointer("/verifiers/pubkeys")
            .and_then(Value::as_array)
        else {
            return;
        };
        for (i, item) in keys.iter().enumerate() {
            if let Ok(key) = PublicKey::from_key_object(item) {
                let keyid = item.get("keyid").and_then(Value::as_str);
                self.add(
                    key,
                    KeyOrigin {
                        trust: KeyTrust::BundleSupplied,
                        keyid: keyid.filter(|k| !k.is_empty()).map(str::to_string),
                        file: super::profile::MANIFEST_PATH.to_string(),
                        pointer: format!("/verifiers/pubkeys/{i}"),
                    },
                );
            }
        }
    }

    /// A bundle-root `trust.json`: its keys are used but marked self-asserted. A file that is
    /// not JSON was already reported by the collector.
    fn add_self_asserted(&mut self, bundle: &Bundle, diagnostics: &mut Vec<Diagnostic>) {
        let Some(value) = bundle
            .get(BUNDLE_TRUST_FILE)
            .and_then(|b| json::parse(&b).ok())
        else {
            return;
        };
        let added = self.add_policy_keys(
            &value,
            BUNDLE_TRUST_FILE,
            KeyTrust::SelfAsserted,
            diagnostics,
        );
        diagnostics.push(Diagnostic::new(
            Code::WarnTrustSelfAsserted,
            BUNDLE_TRUST_FILE,
            format!(
                "the bundle carries its own trust policy: its {added} key(s) and issuer rules \
                 are applied but self-asserted, never trusted (pin keys with --trust FILE)"
            ),
        ));
    }
}

/// Decodes one policy key object; the `keyid` is required because issuer rules name keys by it.
fn policy_key(item: &Value) -> Result<(String, PublicKey), String> {
    let keyid = match item.get("keyid") {
        Some(Value::String(k)) if !k.trim().is_empty() => k.clone(),
        Some(_) => return Err("`keyid` must be a non-empty string".into()),
        None => return Err("key object lacks `keyid`".into()),
    };
    let key = PublicKey::from_key_object(item).map_err(|e| format!("key {keyid:?}: {e}"))?;
    Ok((keyid, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    fn key(seed: u8) -> PublicKey {
        PublicKey::Ed25519(SigningKey::from_bytes(&[seed; 32]).verifying_key())
    }

    fn bundle(files: &[(&str, Vec<u8>)]) -> Bundle {
        Bundle::from_files(files)
    }

    fn collected(b: &Bundle) -> Vec<CollectedFile> {
        b.files
            .iter()
            .map(|f| {
                let d = crate::pipeline::index::DigestKey::sha256_of(&f.bytes);
                crate::pipeline::collect::collect_file(&f.path, &f.bytes, d)
            })
            .collect()
    }

    /// Policy keys, then bundle keys, as the pipeline adds them.
    fn build(
        policy: Option<&TrustFile>,
        bundle: &Bundle,
        collected: &[CollectedFile],
    ) -> (Keyring, Vec<Diagnostic>) {
        let (mut ring, mut diags) = Keyring::from_policy(policy);
        diags.extend(ring.add_bundle_keys(bundle, collected));
        (ring, diags)
    }

    fn policy(keys: Value) -> TrustFile {
        TrustFile {
            name: "policy.json".into(),
            bytes: json!({"keys": keys, "issuers": []})
                .to_string()
                .into_bytes(),
        }
    }

    #[test]
    fn pinned_bundle_supplied_and_self_asserted_keys_are_told_apart() {
        let (a, b, c) = (key(1), key(2), key(3));
        let trust_json = json!({"keys": [{"keyid": "c-key", "publicKey": c.to_base64()}]});
        let bundle = bundle(&[
            ("keys/b.pub", b.to_base64().into_bytes()),
            ("keys/a.pub", a.to_base64().into_bytes()),
            ("trust.json", trust_json.to_string().into_bytes()),
        ]);
        let pinned = policy(
            json!([{"keyid": "a-2026", "algorithm": "ed25519", "publicKey": a.to_base64()}]),
        );
        let (ring, diags) = build(Some(&pinned), &bundle, &collected(&bundle));
        assert_eq!(ring.entries().len(), 3);
        let trust_of = |k: &PublicKey| ring.get(&fingerprint(k)).unwrap().trust();
        assert_eq!(trust_of(&a), KeyTrust::Pinned);
        assert_eq!(trust_of(&b), KeyTrust::BundleSupplied);
        assert_eq!(trust_of(&c), KeyTrust::SelfAsserted);
        let entry_a = ring.get(&fingerprint(&a)).unwrap();
        assert_eq!(entry_a.origins.len(), 2, "pinned and shipped in keys/");
        assert_eq!(entry_a.verified().pinned_keyids, ["a-2026"]);
        assert_eq!(
            ring.get(&fingerprint(&c))
                .unwrap()
                .verified()
                .self_asserted_keyids,
            ["c-key"]
        );
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::WarnTrustSelfAsserted]);
    }

    #[test]
    fn pem_key_files_are_read_anywhere_by_content() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA4cY7wTJvwmZCIs2p8V48If441CPkK5s9u3P5K383QvQ=\n-----END PUBLIC KEY-----\n";
        let bundle = bundle(&[("elsewhere/release.pem", pem.as_bytes().to_vec())]);
        let (ring, diags) = build(None, &bundle, &collected(&bundle));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(ring.entries().len(), 1);
        assert_eq!(ring.entries()[0].trust(), KeyTrust::BundleSupplied);
        assert_eq!(ring.policy_name(), None);
    }

    #[test]
    fn manifest_verifiers_are_bundle_supplied_with_their_keyid() {
        let k = key(4);
        let manifest = json!({"spec_version": "1.0", "verifiers": {"pubkeys": [
            {"keyid": "pack", "algorithm": "ed25519", "publicKey": STANDARD.encode(k.raw_bytes())},
            {"keyid": "broken", "publicKey": "AAAA"}
        ]}});
        let bundle = bundle(&[("manifest.json", manifest.to_string().into_bytes())]);
        let (ring, _) = build(None, &bundle, &collected(&bundle));
        assert_eq!(ring.entries().len(), 1);
        let e = &ring.entries()[0];
        assert_eq!(e.trust(), KeyTrust::BundleSupplied);
        assert_eq!(e.keyids(), ["pack"]);
        assert!(e.verified().pinned_keyids.is_empty());
    }

    #[test]
    fn broken_policies_are_trust_policy_diagnostics() {
        let bundle = bundle(&[]);
        let cases = [
            (b"{\"keys\": [".to_vec(), ""),
            (b"[]".to_vec(), ""),
            (b"{\"keys\": {}}".to_vec(), "/keys"),
            (
                json!({"keys": [{"publicKey": key(1).to_base64()}]})
                    .to_string()
                    .into_bytes(),
                "/keys/0",
            ),
            (
                json!({"keys": [{"keyid": "x", "algorithm": "rsa", "publicKey": key(1).to_base64()}]})
                    .to_string()
                    .into_bytes(),
                "/keys/0",
            ),
            (
                json!({"keys": [{"keyid": "x", "publicKey": "AAAA"}]})
                    .to_string()
                    .into_bytes(),
                "/keys/0",
            ),
        ];
        for (bytes, pointer) in cases {
            let file = TrustFile {
                name: "t.json".into(),
                bytes: bytes.clone(),
            };
            let (ring, diags) = build(Some(&file), &bundle, &[]);
            assert!(ring.entries().is_empty());
            assert_eq!(diags.len(), 1, "{}", String::from_utf8_lossy(&bytes));
            assert_eq!(diags[0].code, Code::TrustPolicy);
            assert_eq!(diags[0].file, "t.json");
            if !pointer.is_empty() {
                assert_eq!(diags[0].pointer, pointer);
            }
        }
    }

    #[test]
    fn securesystemslib_json_keys_are_read() {
        let hex = hex::encode(key(5).raw_bytes());
        let json = format!(
            r#"{{"keytype": "ed25519", "scheme": "ed25519", "keyval": {{"public": "{hex}"}}}}"#
        );
        let rsa = r#"{"keytype": "rsa", "keyval": {"public": "-----BEGIN PUBLIC KEY-----"}}"#;
        let bundle = bundle(&[
            ("layout/key.pub", json.into_bytes()),
            ("rsa.pub", rsa.into()),
        ]);
        let (ring, diags) = build(None, &bundle, &collected(&bundle));
        assert_eq!(ring.entries().len(), 1);
        assert_eq!(ring.entries()[0].key, key(5));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].severity,
            Severity::Warning,
            "unsupported, not broken"
        );
    }

    #[test]
    fn a_broken_key_file_is_reported_and_skipped() {
        let bundle = bundle(&[(
            "keys/x.pub",
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
        )]);
        let (ring, diags) = build(None, &bundle, &collected(&bundle));
        assert!(ring.entries().is_empty());
        assert_eq!(diags[0].code, Code::DocSchema);
        assert_eq!(diags[0].file, "keys/x.pub");
    }
}
