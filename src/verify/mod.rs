//! Verification (SPEC §4–§5).
//!
//! Primitives — pure functions over bytes and `serde_json::Value`s, no knowledge of bundles:
//! [`keys`], [`dsse`], [`merkle`] (RFC 6962/9162 proofs), [`note`] (C2SP signed notes and
//! checkpoints), [`tiles`] (C2SP tlog tiles). Each error type maps to a stable
//! [`crate::diag::Code`] via `code()`; callers attach file names and pointers.
//!
//! Checks over a loaded bundle, run by the pipeline after collection:
//! [`keyring`] (pinned / bundle-supplied / self-asserted keys), [`signatures`] (every DSSE
//! envelope), [`export`] (orchestrator exports), [`profile`] (which audit-pack profile),
//! [`portable`] and [`legacy`] (the profile checks in their fixed order), all summed up in the
//! [`report::VerificationReport`] by [`audit`].

pub mod dsse;
pub mod export;
pub mod keyring;
pub mod keys;
pub mod legacy;
pub mod merkle;
pub mod note;
pub mod portable;
pub mod profile;
pub mod report;
pub mod schema;
pub mod signatures;
pub mod tiles;

use crate::bundle::Bundle;
use crate::diag::{Code, Diagnostic};
use crate::pipeline::collect::{CollectedFile, FileKind};
use export::ExportResult;
use keyring::Keyring;
use report::{names, Check, Profile, TrustSummary, VerificationReport};
use signatures::EnvelopeCheck;

/// Runs the profile checks in their fixed order and assembles the report: `trust-policy` (when
/// `--trust` was given), then the profile's checks (`profile` alone for `unknown`, which fails
/// closed), then `exports`. `policy_problems` are the `--trust` file's diagnostics.
pub fn audit(
    bundle: &Bundle,
    collected: &[CollectedFile],
    keyring: &Keyring,
    policy_problems: Vec<Diagnostic>,
    signatures: Vec<EnvelopeCheck>,
    exports: Vec<ExportResult>,
) -> VerificationReport {
    let detection = profile::detect(bundle);
    let mut checks = Vec::new();
    if let Some(name) = keyring.policy_name() {
        let pinned = keyring
            .entries()
            .iter()
            .filter(|e| e.trust() == keyring::KeyTrust::Pinned)
            .count();
        checks.push(Check::from_problems(
            names::TRUST_POLICY,
            policy_problems,
            format!("{pinned} key(s) pinned by {name}"),
        ));
    }
    match (&detection.profile, &detection.manifest) {
        (Profile::PortableV1, Some(manifest)) => {
            checks.extend(portable::check(manifest, bundle, keyring));
        }
        (Profile::Legacy, Some(manifest)) => {
            let checksums: Vec<&str> = collected
                .iter()
                .filter(|f| f.kind == FileKind::Checksums)
                .map(|f| f.path.as_str())
                .collect();
            checks.extend(legacy::check(manifest, bundle, &checksums, &signatures));
        }
        _ => checks.push(Check::from_problems(
            names::PROFILE,
            vec![Diagnostic::new(
                Code::ManifestProfileUnknown,
                "",
                &detection.reason,
            )],
            "",
        )),
    }
    checks.push(exports_check(&exports));
    VerificationReport {
        profile: detection.profile,
        notes: detection.notes,
        checks,
        exports,
        signatures,
        trust: TrustSummary::of(keyring),
    }
}

/// All export records pass; the first failing one in timeline order decides the code.
fn exports_check(exports: &[ExportResult]) -> Check {
    let problems: Vec<Diagnostic> = exports
        .iter()
        .flat_map(|e| e.problems.iter().cloned())
        .collect();
    let message = if exports.is_empty() {
        "no orchestrator exports in the bundle".to_string()
    } else {
        let mut runs: Vec<&str> = exports.iter().filter_map(|e| e.run_id.as_deref()).collect();
        runs.sort_unstable();
        runs.dedup();
        format!(
            "{} export record(s) of {} run(s) valid",
            exports.len(),
            runs.len()
        )
    };
    Check::from_problems(names::EXPORTS, problems, message)
}

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes standard or URL-safe base64, padded or not (SPEC §5 accepts both alphabets).
///
/// The alphabet is chosen from the text: any `-` or `_` selects URL-safe, so a string that mixes
/// `+`/`/` with `-`/`_` is rejected rather than guessed at.
pub fn decode_base64_any(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    if text.contains(['-', '_']) {
        URL_SAFE_LENIENT.decode(text)
    } else {
        STANDARD_LENIENT.decode(text)
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64_any;
    use super::{keys, merkle, note, tiles};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Parsers return errors, never panic, on arbitrary text.
        #[test]
        fn parsers_do_not_panic(text in "(?s)[a-z0-9+/=\n \u{2014}x.p-]{0,80}") {
            let _ = note::Note::parse(text.as_bytes());
            let _ = note::Checkpoint::parse(&text);
            let _ = note::VerifierKey::parse(&text);
            let _ = tiles::TileRef::parse(&text);
            let _ = keys::PublicKey::from_policy_str(&text);
            let _ = decode_base64_any(&text);
        }

        /// Proof checks reject arbitrary inputs without panicking.
        #[test]
        fn proof_checks_do_not_panic(
            index in any::<u64>(),
            size in any::<u64>(),
            proof in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..6),
        ) {
            let leaf = merkle::leaf_hash(b"x");
            prop_assert!(merkle::verify_inclusion(index, size, &leaf, &proof, &leaf).is_err() || size == 1);
            let _ = merkle::verify_consistency(index, size, &leaf, &leaf, &proof);
            let _ = merkle::consistency_proof_len(index, size);
            let _ = merkle::inclusion_proof_len(index, size);
        }
    }

    #[test]
    fn base64_any_accepts_both_alphabets_with_and_without_padding() {
        // 0xfb 0xff 0xfe encodes to "+//+" (standard) and "-__-" (URL-safe).
        for text in ["+//+", "-__-"] {
            assert_eq!(decode_base64_any(text).unwrap(), vec![0xfb, 0xff, 0xfe]);
        }
        assert_eq!(decode_base64_any("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64_any("aGk").unwrap(), b"hi");
    }

    #[test]
    fn base64_any_rejects_mixed_alphabets_and_garbage() {
        assert!(decode_base64_any("+_//").is_err());
        assert!(decode_base64_any("a b=").is_err());
        assert!(decode_base64_any("a").is_err());
    }
}
