//! The verification primitives against the shared corpus (`../shared/corpus`), read in place:
//! dsse/, checkpoints/ and merkle/ with their VECTORS.json files.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use evx::diag::Code;
use evx::verify::dsse::{pae, verify_envelope, DsseError, Envelope};
use evx::verify::keys::{KeyError, PublicKey};
use evx::verify::merkle::{leaf_hash, root_from_leaves, verify_consistency, verify_inclusion};
use evx::verify::note::{verify_checkpoint, Checkpoint, Note, NoteError, NoteKey, VerifierKey};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// The corpus directory `sub`, or `None` (with a message) when the corpus is absent.
fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(CORPUS).join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("corpus absent, skipping");
        None
    }
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
}

fn vectors<'a>(file: &'a Value, list: &str) -> &'a Vec<Value> {
    file[list].as_array().unwrap_or_else(|| panic!("{list}"))
}

/// The envelope of a DSSE vector: its file, or the inline `envelope` object.
fn vector_envelope(dir: &Path, vector: &Value) -> Envelope {
    let value = match vector["file"].as_str() {
        Some(file) => read_json(&dir.join(file)),
        None => vector["envelope"].clone(),
    };
    Envelope::from_json(&value).unwrap_or_else(|e| panic!("{vector}: {e}"))
}

#[test]
fn dsse_ed25519_vectors() {
    let Some(dir) = corpus("dsse") else { return };
    let file = read_json(&dir.join("VECTORS.json"));
    let mut checked = (0, 0);
    for vector in vectors(&file, "vectors") {
        if str_field(vector, "algorithm") != "ed25519" {
            continue;
        }
        let envelope = vector_envelope(&dir, vector);
        assert_eq!(envelope.payload_type, str_field(vector, "payloadType"));
        let key = PublicKey::from_policy_str(str_field(vector, "publicKey")).unwrap();
        let verdict = verify_envelope(&envelope, &[("vector-key", key)]);
        match str_field(vector, "expected") {
            "valid" => {
                assert_eq!(verdict.result(), Ok(()), "{vector}");
                assert_eq!(verdict.verified_by(), ["vector-key"]);
                checked.0 += 1;
            }
            _ => {
                let err = verdict.result().unwrap_err();
                assert!(
                    matches!(err, DsseError::NoValidSignature { .. }),
                    "{vector}"
                );
                assert_eq!(err.code(), Code::DsseSignature);
                checked.1 += 1;
            }
        }
    }
    assert_eq!(checked, (5, 2), "(valid, invalid) Ed25519 vectors");
}

#[test]
fn dsse_other_algorithms_are_reported_unsupported() {
    let Some(dir) = corpus("dsse") else { return };
    let file = read_json(&dir.join("VECTORS.json"));
    let mut count = 0;
    for vector in vectors(&file, "vectors") {
        let algorithm = str_field(vector, "algorithm");
        if algorithm == "ed25519" {
            continue;
        }
        // The envelope still parses; only the key is unusable.
        let envelope = vector_envelope(&dir, vector);
        assert!(!envelope.signatures.is_empty());
        let err = PublicKey::from_policy_str(str_field(vector, "publicKey")).unwrap_err();
        let expected = if algorithm.starts_with("rsa") {
            "rsa"
        } else {
            "ecdsa"
        };
        assert_eq!(
            err,
            KeyError::UnsupportedAlgorithm(expected.into()),
            "{vector}"
        );
        count += 1;
    }
    assert_eq!(count, 5);
}

#[test]
fn dsse_inline_vector_pae() {
    let Some(dir) = corpus("dsse") else { return };
    let file = read_json(&dir.join("VECTORS.json"));
    let vector = vectors(&file, "vectors")
        .iter()
        .find(|v| v["file"].is_null())
        .expect("inline vector");
    let envelope = vector_envelope(&dir, vector);
    let expected = str_field(vector, "expectedPAE").as_bytes();
    assert_eq!(envelope.pae(), expected);
    assert_eq!(pae(&envelope.payload_type, &envelope.payload), expected);
}

#[test]
fn dsse_payload_statements_match_vectors() {
    let Some(dir) = corpus("dsse") else { return };
    let file = read_json(&dir.join("VECTORS.json"));
    for vector in vectors(&file, "vectors") {
        let Some(expected_type) = vector["payload"]["_type"].as_str() else {
            continue;
        };
        let envelope = vector_envelope(&dir, vector);
        let statement: Value = serde_json::from_slice(&envelope.payload).unwrap();
        // clone.fe1c6281.json spells the field "type" (the corpus edge case).
        let actual = statement["_type"].as_str().or(statement["type"].as_str());
        assert_eq!(actual, Some(expected_type), "{vector}");
    }
}

#[test]
fn dsse_corpus_keys_decode() {
    let Some(dir) = corpus("dsse") else { return };
    let raw = |b64: &str| STANDARD.decode(b64).unwrap();
    let key = PublicKey::from_securesystemslib_json(&read_json(&dir.join("key.pub"))).unwrap();
    assert_eq!(
        key.raw_bytes(),
        raw("c0W4PBIeoNn/w7ONaZWHGLhDXoywVS+InWlVhmk+G4k=")
    );
    let carol = std::fs::read_to_string(dir.join("carol.pub")).unwrap();
    let carol = PublicKey::from_policy_str(&carol).unwrap();
    assert_eq!(
        carol.raw_bytes(),
        raw("OT5nGyAPlkxJCD00qGf12YnsHGnfe2Z1j+RxyFkbE5w=")
    );
    let alice = std::fs::read_to_string(dir.join("alice.pub")).unwrap();
    assert_eq!(
        PublicKey::from_pem(&alice),
        Err(KeyError::UnsupportedAlgorithm("rsa".into()))
    );
}

#[test]
fn dsse_corpus_files_parse_or_fail_cleanly() {
    let Some(dir) = corpus("dsse") else { return };
    let mut envelopes = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".pub") || name == "VECTORS.json" {
            continue;
        }
        match Envelope::from_json(&read_json(&path)) {
            Ok(envelope) => {
                assert!(!envelope.signatures.is_empty(), "{name}");
                envelopes += 1;
            }
            // The bare in-toto Statement is not an envelope.
            Err(e) => assert_eq!(name, "oci-kubectl-linux-amd64-in-toto.json", "{e}"),
        }
    }
    assert_eq!(envelopes, 9);
}

fn b64_field(value: &Value, field: &str) -> Vec<u8> {
    // Invalid vectors may hold non-base64 text; the undecodable string itself stands in.
    let text = value[field].as_str().unwrap_or("");
    STANDARD
        .decode(text)
        .unwrap_or_else(|_| text.as_bytes().to_vec())
}

fn proof_field(value: &Value) -> Vec<Vec<u8>> {
    match &value["proof"] {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let text = item.as_str().unwrap();
                STANDARD
                    .decode(text)
                    .unwrap_or_else(|_| text.as_bytes().to_vec())
            })
            .collect(),
        other => panic!("proof {other}"),
    }
}

fn u64_field(value: &Value, field: &str) -> u64 {
    value[field].as_u64().unwrap_or_else(|| panic!("{field}"))
}

fn run_merkle_vector(data: &Value, kind: &str) -> bool {
    let proof = proof_field(data);
    match kind {
        "inclusion" => verify_inclusion(
            u64_field(data, "leafIdx"),
            u64_field(data, "treeSize"),
            &b64_field(data, "leafHash"),
            &proof,
            &b64_field(data, "root"),
        )
        .is_ok(),
        "consistency" => verify_consistency(
            u64_field(data, "size1"),
            u64_field(data, "size2"),
            &b64_field(data, "root1"),
            &b64_field(data, "root2"),
            &proof,
        )
        .is_ok(),
        other => panic!("kind {other}"),
    }
}

#[test]
fn merkle_vectors() {
    let Some(dir) = corpus("merkle") else { return };
    let file = read_json(&dir.join("VECTORS.json"));
    let mut counts = (0, 0);
    for vector in vectors(&file, "vectors") {
        let name = str_field(vector, "file");
        let data = read_json(&dir.join(name));
        let valid = str_field(vector, "expected") == "valid";
        assert_eq!(valid, !data["wantErr"].as_bool().unwrap(), "{name}");
        let verified = run_merkle_vector(&data, str_field(vector, "kind"));
        assert_eq!(verified, valid, "{name}: {}", str_field(vector, "desc"));
        if valid {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    assert_eq!(counts, (12, 77), "(valid, invalid) merkle vectors");
}

fn checkpoint_vectors() -> Option<(PathBuf, Value)> {
    let dir = corpus("checkpoints")?;
    let file = read_json(&dir.join("VECTORS.json"));
    Some((dir, file))
}

fn parse_note_file(dir: &Path, file: &str) -> Note {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    Note::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn assert_checkpoint_fields(note: &Note, vector: &Value) {
    let checkpoint = Checkpoint::parse(&note.text).unwrap();
    assert_eq!(checkpoint.origin, str_field(vector, "origin"));
    assert_eq!(checkpoint.size, u64_field(vector, "treeSize"));
    assert_eq!(
        STANDARD.encode(checkpoint.root_hash),
        str_field(vector, "rootHash")
    );
}

#[test]
fn checkpoint_signature_vectors() {
    let Some((dir, file)) = checkpoint_vectors() else {
        return;
    };
    let (mut ed25519, mut unsupported) = ((0, 0), 0);
    for vector in vectors(&file, "signatureVectors") {
        let note = parse_note_file(&dir, str_field(vector, "file"));
        if str_field(vector, "kind") == "checkpoint" {
            assert_checkpoint_fields(&note, vector);
        }
        let key = VerifierKey::parse(str_field(vector, "verifierKey")).unwrap();
        let valid = str_field(vector, "expected") == "valid";
        let outcome = note.verify(&key);
        match (&key.key, str_field(vector, "signatureType")) {
            (NoteKey::Ed25519(_), "ed25519") => {
                assert_eq!(outcome.is_ok(), valid, "{vector}: {outcome:?}");
                if valid {
                    ed25519.0 += 1;
                } else {
                    ed25519.1 += 1;
                }
            }
            (NoteKey::Unsupported { .. }, _) => {
                // Never reported as valid; a matching line is reported as unsupported.
                assert!(outcome.is_err());
                if valid {
                    assert!(matches!(
                        outcome,
                        Err(NoteError::UnsupportedAlgorithm { .. })
                    ));
                }
                unsupported += 1;
            }
            other => panic!("key/type mismatch {other:?}"),
        }
    }
    assert_eq!(ed25519, (29, 4), "(valid, invalid) Ed25519 vectors");
    assert_eq!(unsupported, 6, "ECDSA and RFC 6962 vectors");
}

/// SPEC §5 step 5 path: raw Ed25519 key, key name = checkpoint origin.
#[test]
fn checkpoint_verification_with_raw_key() {
    let Some((dir, file)) = checkpoint_vectors() else {
        return;
    };
    let mut checked = 0;
    for vector in vectors(&file, "signatureVectors") {
        let Ok(key) = VerifierKey::parse(str_field(vector, "verifierKey")) else {
            continue;
        };
        let (NoteKey::Ed25519(raw), "checkpoint") = (&key.key, str_field(vector, "kind")) else {
            continue;
        };
        let bytes = std::fs::read(dir.join(str_field(vector, "file"))).unwrap();
        let result = verify_checkpoint(&bytes, raw);
        // The origin names the signing key in these logs except sum.golang.org's
        // ("go.sum database tree" signed as "sum.golang.org") and the cosigners'.
        let origin_is_key_name = str_field(vector, "origin") == key.name;
        let expected = str_field(vector, "expected") == "valid" && origin_is_key_name;
        assert_eq!(result.is_ok(), expected, "{vector}: {result:?}");
        if let Err(e) = result {
            assert_eq!(e.code(), Code::RekorCheckpointInvalid);
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn rekor_tiles_pem_key_verifies_its_checkpoints() {
    let Some(dir) = corpus("checkpoints") else {
        return;
    };
    let pem = std::fs::read_to_string(dir.join("rekor-tiles-ed25519-pub-key.pem")).unwrap();
    let key = PublicKey::from_policy_str(&pem).unwrap();
    for (file, size) in [
        ("rekor-tiles-rekor-local-1.checkpoint", 1),
        ("rekor-tiles-rekor-local-2-read_test.checkpoint", 2),
        ("rekor-tiles-rekor-local-2-write_test.checkpoint", 2),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let checkpoint = verify_checkpoint(&bytes, &key).unwrap();
        assert_eq!(
            (checkpoint.origin.as_str(), checkpoint.size),
            ("rekor-local", size)
        );
    }
    let wrong = std::fs::read(dir.join("rekor-tiles-wrong-origin-2-read_test.checkpoint")).unwrap();
    assert!(matches!(
        verify_checkpoint(&wrong, &key),
        Err(NoteError::NoMatchingSignature { .. })
    ));
}

#[test]
fn checkpoint_parse_only_vectors() {
    let Some((dir, file)) = checkpoint_vectors() else {
        return;
    };
    let entries = vectors(&file, "parseOnly");
    for vector in entries {
        let note = parse_note_file(&dir, str_field(vector, "file"));
        if str_field(vector, "kind") == "checkpoint" {
            assert_checkpoint_fields(&note, vector);
        } else {
            assert!(Checkpoint::parse(&note.text).is_err());
        }
        let expected = vector["signatures"].as_array().unwrap();
        assert_eq!(note.signatures.len(), expected.len());
        for (actual, want) in note.signatures.iter().zip(expected) {
            assert_eq!(actual.name, str_field(want, "name"));
            assert_eq!(actual.key_hash_hex(), str_field(want, "keyHash"));
            assert_eq!(
                actual.signature.len() as u64,
                u64_field(want, "signatureBytes")
            );
        }
    }
    assert_eq!(entries.len(), 3);
}

#[test]
fn sum_golang_key_does_not_verify_illustrative_signature() {
    let Some(dir) = corpus("checkpoints") else {
        return;
    };
    let key =
        VerifierKey::parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
            .unwrap();
    let NoteKey::Ed25519(raw) = &key.key else {
        panic!("ed25519")
    };
    let bytes = std::fs::read(dir.join("c2sp-tlog-checkpoint-behind-the-sofa.checkpoint")).unwrap();
    // Same key hash as the line, but the signature is illustrative: it must not verify.
    let result = verify_checkpoint(&bytes, raw);
    assert!(result.is_err());
    let renamed = VerifierKey {
        name: "example.com/behind-the-sofa".into(),
        ..key
    };
    let note = Note::parse(&bytes).unwrap();
    assert!(matches!(
        note.verify(&renamed),
        Err(NoteError::BadSignature { .. })
    ));
}

#[test]
fn bad_verifier_keys_are_rejected() {
    let Some((_, file)) = checkpoint_vectors() else {
        return;
    };
    let entries = vectors(&file, "badVerifierKeys");
    for vector in entries {
        let text = str_field(vector, "verifierKey");
        let err = VerifierKey::parse(text).unwrap_err();
        assert!(matches!(err, NoteError::VerifierKey(_)), "{text}: {err}");
    }
    assert_eq!(entries.len(), 6);
}

#[test]
fn serverless_log_roots_from_leaves() {
    let Some((dir, file)) = checkpoint_vectors() else {
        return;
    };
    let entries = vectors(&file, "rootFromLeaves");
    for vector in entries {
        let leaves: Vec<[u8; 32]> = vector["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|leaf| leaf_hash(&std::fs::read(dir.join(leaf.as_str().unwrap())).unwrap()))
            .collect();
        assert_eq!(leaves.len() as u64, u64_field(vector, "treeSize"));
        let root = STANDARD.encode(root_from_leaves(&leaves));
        assert_eq!(root, str_field(vector, "rootHash"), "{vector}");
        // The checkpoint file itself states the same root.
        let note = parse_note_file(&dir, str_field(vector, "checkpoint"));
        let checkpoint = Checkpoint::parse(&note.text).unwrap();
        assert_eq!(STANDARD.encode(checkpoint.root_hash), root);
    }
    assert_eq!(entries.len(), 16);
}
