//! The portable-v1 audit-pack checks (SPEC §5), in their fixed order: `schema`,
//! `manifest-signature`, `file-digests`, `dsse`, `rekor`. Every check runs and is reported;
//! one that cannot run because something an earlier one found missing is `skipped`. Files
//! named by the manifest are looked up in the loaded bundle, never on the filesystem.

use super::dsse::Envelope;
use super::keyring::{KeyEntry, KeyTrust, Keyring};
use super::keys::PublicKey;
use super::merkle::{leaf_hash, verify_inclusion, Hash};
use super::note::{verify_checkpoint, Checkpoint};
use super::profile::MANIFEST_PATH;
use super::report::{names, Check};
use super::schema::{case_duplicates, is_hex64_lower, SchemaReader};
use super::signatures::verify_dsse;
use super::tiles::{TileReader, TileRef, TILE_WIDTH};
use crate::bundle::Bundle;
use crate::diag::{escape_pointer_token, Code, Diagnostic};
use crate::json::{self, jcs};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// `payloadType` of `manifest.sig`.
pub const MANIFEST_PAYLOAD_TYPE: &str = "application/vnd.stellaops.audit-pack.manifest+json";
pub const CANONICAL_BOM: &str = "canonical_bom.json";
pub const DSSE_ENVELOPE: &str = "dsse_envelope.json";
pub const MANIFEST_SIG: &str = "manifest.sig";
pub const CHECKPOINT: &str = "rekor/checkpoint";
pub const PROOF: &str = "rekor/proof.json";
const REQUIRED_FILES: [&str; 3] = [CANONICAL_BOM, DSSE_ENVELOPE, MANIFEST_SIG];

/// Size and digest of a `files` entry.
#[derive(Debug)]
struct Listed {
    sha256: String,
    size: u64,
}

/// The fields of a schema-valid portable manifest that the later checks need.
#[derive(Debug)]
struct Pack<'a> {
    manifest: &'a Value,
    artifact_sha256: &'a str,
    files: BTreeMap<&'a str, Listed>,
    bom_sha256: &'a str,
    payload_sha256: &'a str,
    /// `(bundle path, tile)` per `rekor.tile_refs[]` entry.
    tile_refs: Vec<(&'a str, TileRef)>,
    root_hash: &'a str,
}

/// Runs the five checks over a manifest detected as portable-v1.
pub fn check(manifest: &Value, bundle: &Bundle, keyring: &Keyring) -> Vec<Check> {
    let (schema_check, pack) = schema(manifest);
    let mut checks = vec![schema_check];
    match pack {
        Some(pack) => {
            checks.push(manifest_signature(&pack, bundle, keyring));
            checks.push(file_digests(&pack, bundle));
            checks.push(dsse(&pack, bundle, keyring));
            checks.push(rekor(&pack, bundle, keyring));
        }
        None => {
            for name in [
                names::MANIFEST_SIGNATURE,
                names::FILE_DIGESTS,
                names::DSSE,
                names::REKOR,
            ] {
                checks.push(Check::skipped(
                    name,
                    "skipped: the manifest failed its schema check (ERR_MANIFEST_SCHEMA)",
                ));
            }
        }
    }
    checks
}

fn problem(code: Code, file: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, file, message)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---- 1. schema ------------------------------------------------------------------------------

fn schema(manifest: &Value) -> (Check, Option<Pack<'_>>) {
    let mut r = SchemaReader::new(manifest, Code::ManifestSchema, MANIFEST_PATH);
    if !manifest.is_object() {
        r.report("", "the manifest is not a JSON object");
        return (Check::from_problems(names::SCHEMA, r.problems, ""), None);
    }
    r.string("/spec_version");
    r.timestamp("/created_utc");
    let artifact_sha256 = r.object("/artifact").and_then(|_| {
        r.string("/artifact/name");
        r.string("/artifact/version");
        r.string("/artifact/media_type");
        r.hex64("/artifact/digest/sha256")
    });
    let files = listed_files(&mut r);
    let digests = r.object("/digests").map(|_| {
        (
            r.hex64("/digests/canonical_bom_sha256"),
            r.hex64("/digests/dsse_payload_digest/sha256"),
        )
    });
    let rekor = r.object("/rekor").map(|_| {
        r.string("/rekor/log_id");
        r.string("/rekor/api_version");
        (tile_refs(&mut r), r.hex64("/rekor/root_hash"))
    });
    r.object("/timestamps");
    verifier_keys(&mut r);

    let pack = match (artifact_sha256, digests, rekor) {
        (Some(artifact_sha256), Some((Some(bom), Some(payload))), Some((refs, Some(root))))
            if r.is_clean() =>
        {
            Some(Pack {
                manifest,
                artifact_sha256,
                files,
                bom_sha256: bom,
                payload_sha256: payload,
                tile_refs: refs,
                root_hash: root,
            })
        }
        _ => None,
    };
    let message = match &pack {
        Some(p) => format!(
            "manifest.json has every portable-v1 field ({} files, {} tile refs)",
            p.files.len(),
            p.tile_refs.len()
        ),
        None => String::new(),
    };
    (
        Check::from_problems(names::SCHEMA, r.problems, message),
        pack,
    )
}

fn listed_files<'a>(r: &mut SchemaReader<'a>) -> BTreeMap<&'a str, Listed> {
    let mut out = BTreeMap::new();
    let Some(files) = r.object("/files") else {
        return out;
    };
    for (path, _) in files {
        let base = format!("/files/{}", escape_pointer_token(path));
        let sha256 = r.hex64(&format!("{base}/sha256"));
        let size = r.size(&format!("{base}/size"));
        if let (Some(sha256), Some(size)) = (sha256, size) {
            out.insert(
                path.as_str(),
                Listed {
                    sha256: sha256.to_string(),
                    size,
                },
            );
        }
    }
    for required in REQUIRED_FILES {
        if !files.contains_key(required) {
            r.report("/files", format!("`files` must list {required}"));
        }
    }
    for (_, path, first) in case_duplicates(files.keys().map(String::as_str)) {
        r.report(
            &format!("/files/{}", escape_pointer_token(path)),
            format!(
                "`files` lists {path:?} and {first:?}, which differ only in case: on a \
                 case-insensitive file system one would shadow the other"
            ),
        );
    }
    out
}

fn tile_refs<'a>(r: &mut SchemaReader<'a>) -> Vec<(&'a str, TileRef)> {
    let mut out = Vec::new();
    let Some(refs) = r.array("/rekor/tile_refs") else {
        return out;
    };
    for (i, item) in refs.iter().enumerate() {
        let pointer = format!("/rekor/tile_refs/{i}");
        match item.as_str().map(|s| (s, tile_of(s))) {
            Some((path, Some(tile))) => out.push((path, tile)),
            Some((path, None)) => r.report(
                &pointer,
                format!("{path:?} is not a C2SP tile path (…/tile/<L>/<N>[.p/<W>])"),
            ),
            None => r.report(&pointer, "tile_refs entries must be strings"),
        }
    }
    out
}

/// The tile a bundle path such as `rekor/tile/0/x001/234` names.
fn tile_of(path: &str) -> Option<TileRef> {
    let start = if path.starts_with("tile/") {
        0
    } else {
        path.rfind("/tile/")? + 1
    };
    TileRef::parse(&path[start..]).ok()
}

fn verifier_keys(r: &mut SchemaReader<'_>) {
    if r.object("/verifiers").is_none() {
        return;
    }
    r.optional_string("/verifiers/rekor_pub");
    let Some(keys) = r.array("/verifiers/pubkeys") else {
        return;
    };
    for (i, item) in keys.iter().enumerate() {
        if let Err(e) = PublicKey::from_key_object(item) {
            r.report(
                &format!("/verifiers/pubkeys/{i}"),
                format!("key object is not usable: {e}"),
            );
        }
    }
}

// ---- 2. manifest-signature ------------------------------------------------------------------

/// Keys the manifest signature may verify with: `verifiers.pubkeys` or a trust policy.
fn is_manifest_verifier(entry: &KeyEntry) -> bool {
    entry
        .origins
        .iter()
        .any(|o| o.trust != KeyTrust::BundleSupplied || o.file == MANIFEST_PATH)
}

/// The signed form: JCS of the manifest without its `files["manifest.sig"]` entry.
pub fn signed_manifest_bytes(manifest: &Value) -> Vec<u8> {
    let mut unsigned = manifest.clone();
    if let Some(files) = unsigned.get_mut("files").and_then(Value::as_object_mut) {
        files.remove(MANIFEST_SIG);
    }
    jcs::canonical_bytes(&unsigned)
}

fn manifest_signature(pack: &Pack<'_>, bundle: &Bundle, keyring: &Keyring) -> Check {
    let fail = |code, message: String| {
        Check::from_problems(
            names::MANIFEST_SIGNATURE,
            vec![problem(code, MANIFEST_SIG, message)],
            "",
        )
    };
    let Some(bytes) = bundle.get(MANIFEST_SIG) else {
        return fail(
            Code::ManifestSignature,
            "missing: the manifest is unsigned".into(),
        );
    };
    let envelope = match read_envelope(&bytes) {
        Ok(env) => env,
        Err(why) => return fail(Code::ManifestSignature, why),
    };
    if envelope.payload_type != MANIFEST_PAYLOAD_TYPE {
        return fail(
            Code::ManifestSignature,
            format!(
                "payloadType is {:?}, expected {MANIFEST_PAYLOAD_TYPE:?}",
                envelope.payload_type
            ),
        );
    }
    if envelope.payload != signed_manifest_bytes(pack.manifest) {
        return fail(
            Code::ManifestSignature,
            "the signed payload is not the JCS form of manifest.json without \
             files[\"manifest.sig\"]: the manifest changed after signing"
                .into(),
        );
    }
    let outcome = verify_dsse(&envelope, keyring, is_manifest_verifier);
    match outcome.verdict {
        Ok(()) => Check::pass(
            names::MANIFEST_SIGNATURE,
            format!("manifest.json signed by {}", outcome.describe()),
        ),
        Err(e) if e.code() == Code::DsseKeyUnknown => fail(
            Code::DsseKeyUnknown,
            "no key in verifiers.pubkeys or a trust policy to verify it with".into(),
        ),
        Err(e) => fail(Code::ManifestSignature, e.to_string()),
    }
}

fn read_envelope(bytes: &[u8]) -> Result<Envelope, String> {
    let value = json::parse(bytes).map_err(|e| format!("not valid JSON: {}", e.message))?;
    Envelope::from_json(&value).map_err(|e| e.to_string())
}

// ---- 3. file-digests ------------------------------------------------------------------------

fn file_digests(pack: &Pack<'_>, bundle: &Bundle) -> Check {
    let mut problems = Vec::new();
    let mut checked = 0;
    let tiles: HashSet<&str> = pack.tile_refs.iter().map(|(p, _)| *p).collect();
    for (path, listed) in &pack.files {
        if tiles.contains(path) {
            continue; // tiles are the rekor check's
        }
        checked += 1;
        match bundle.sha256_and_size(path) {
            None => problems.push(problem(
                Code::FileMissing,
                path,
                "listed in the manifest's files but absent from the bundle",
            )),
            Some(actual) => {
                if let Some(why) = digest_mismatch(actual, listed) {
                    problems.push(problem(Code::FileDigestMismatch, path, why));
                }
            }
        }
    }
    if let Some(bytes) = bundle.get(CANONICAL_BOM) {
        let actual = json::parse(&bytes).map(|v| jcs::sha256_hex(&v));
        match actual {
            Ok(actual) if actual == pack.bom_sha256 => {}
            Ok(actual) => problems.push(problem(
                Code::CanonicalBomDigest,
                CANONICAL_BOM,
                format!(
                    "SHA-256 of its JCS form is {actual}, digests.canonical_bom_sha256 says {}",
                    pack.bom_sha256
                ),
            )),
            Err(e) => problems.push(problem(
                Code::CanonicalBomDigest,
                CANONICAL_BOM,
                format!("not valid JSON, so it has no JCS form: {}", e.message),
            )),
        }
    }
    Check::from_problems(
        names::FILE_DIGESTS,
        problems,
        format!("{checked} listed files match size and sha256; canonical BOM JCS digest matches"),
    )
}

/// Why `bytes` do not match a `files` entry, if they do not.
/// Why a file's recorded `(sha256, size)` differs from what the manifest lists, if it does.
fn digest_mismatch((sha256, size): ([u8; 32], u64), listed: &Listed) -> Option<String> {
    if size != listed.size {
        return Some(format!(
            "size is {size} bytes, the manifest says {}",
            listed.size
        ));
    }
    let actual = hex::encode(sha256);
    (actual != listed.sha256)
        .then(|| format!("sha256 is {actual}, the manifest says {}", listed.sha256))
}

// ---- 4. dsse --------------------------------------------------------------------------------

fn dsse(pack: &Pack<'_>, bundle: &Bundle, keyring: &Keyring) -> Check {
    let Some(bytes) = bundle.get(DSSE_ENVELOPE) else {
        return Check::skipped(
            names::DSSE,
            "skipped: dsse_envelope.json is missing (ERR_FILE_MISSING)",
        );
    };
    let envelope = match json::parse(&bytes)
        .map_err(|e| {
            (
                Code::DsseSignature,
                format!("not valid JSON: {}", e.message),
            )
        })
        .and_then(|v| Envelope::from_json(&v).map_err(|e| (e.code(), e.to_string())))
    {
        Ok(env) => env,
        Err((code, why)) => {
            return Check::from_problems(names::DSSE, vec![problem(code, DSSE_ENVELOPE, why)], "")
        }
    };
    let mut problems = Vec::new();
    let payload_digest = sha256_hex(&envelope.payload);
    if payload_digest != pack.payload_sha256 {
        problems.push(problem(
            Code::DssePayloadDigest,
            DSSE_ENVELOPE,
            format!(
                "SHA-256 of the decoded payload is {payload_digest}, \
                 digests.dsse_payload_digest.sha256 says {}",
                pack.payload_sha256
            ),
        ));
    }
    let outcome = verify_dsse(&envelope, keyring, |_| true);
    if let Err(e) = &outcome.verdict {
        problems.push(problem(e.code(), DSSE_ENVELOPE, e.to_string()));
    }
    if let Some(p) = subject_problem(&envelope.payload, pack.artifact_sha256) {
        problems.push(p);
    }
    Check::from_problems(
        names::DSSE,
        problems,
        format!(
            "payload digest matches; signed by {}; a subject is the artifact sha256:{}…",
            outcome.describe(),
            &pack.artifact_sha256[..12]
        ),
    )
}

/// `ERR_DSSE_SUBJECT_MISMATCH` unless a subject's sha256 is the artifact's.
fn subject_problem(payload: &[u8], artifact: &str) -> Option<Diagnostic> {
    let statement = match json::parse(payload) {
        Ok(v) => v,
        Err(e) => {
            let code = match e.code {
                Code::JsonDuplicateKey => Code::JsonDuplicateKey,
                _ => Code::DssePayload,
            };
            return Some(
                problem(
                    code,
                    DSSE_ENVELOPE,
                    format!("payload is not a JSON statement: {}", e.message),
                )
                .at(format!("/payload{}", e.pointer)),
            );
        }
    };
    let subjects = statement
        .get("subject")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let matches = subjects.iter().any(|s| {
        s.pointer("/digest/sha256")
            .and_then(Value::as_str)
            .is_some_and(|d| d.eq_ignore_ascii_case(artifact))
    });
    (!matches).then(|| {
        problem(
            Code::DsseSubjectMismatch,
            DSSE_ENVELOPE,
            format!(
                "none of its {} subject(s) has the artifact digest sha256:{artifact}",
                subjects.len()
            ),
        )
    })
}

// ---- 5. rekor -------------------------------------------------------------------------------

fn rekor(pack: &Pack<'_>, bundle: &Bundle, keyring: &Keyring) -> Check {
    let Some(entry) = bundle.get(DSSE_ENVELOPE) else {
        return Check::skipped(
            names::REKOR,
            "skipped: dsse_envelope.json, the logged entry, is missing (ERR_FILE_MISSING)",
        );
    };
    let mut problems = Vec::new();
    let checkpoint = match verified_checkpoint(pack.manifest, bundle, keyring) {
        Ok(found) => Some(found),
        Err(why) => {
            problems.push(problem(Code::RekorCheckpointInvalid, CHECKPOINT, why));
            None
        }
    };
    problems.extend(tile_problems(pack, bundle));
    let leaf = leaf_hash(&entry);
    let index = find_leaf(pack, bundle, &leaf, checkpoint.as_ref().map(|c| c.0.size));
    if index.is_none() {
        problems.push(problem(
            Code::RekorReferenceUncovered,
            DSSE_ENVELOPE,
            format!(
                "its leaf hash {} is in none of the level-0 tiles of rekor.tile_refs",
                hex::encode(leaf)
            ),
        ));
    }
    let mut summary = String::new();
    if let Some((cp, key_trust)) = &checkpoint {
        match inclusion(bundle, pack, cp, &leaf, index) {
            Ok(Some((at, source))) => {
                summary = format!(
                    "checkpoint {} (size {}, log key {key_trust}) verified; leaf {at} included \
                     (proof from {source})",
                    cp.origin, cp.size
                );
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        let root = hex::encode(cp.root_hash);
        if root != pack.root_hash {
            problems.push(
                problem(
                    Code::RekorRootMismatch,
                    MANIFEST_PATH,
                    format!(
                        "the checkpoint root is {root}, rekor.root_hash says {}",
                        pack.root_hash
                    ),
                )
                .at("/rekor/root_hash"),
            );
        }
    }
    Check::from_problems(
        names::REKOR,
        problems,
        format!("{summary}; root matches rekor.root_hash"),
    )
}

/// Verifies `rekor/checkpoint` with `verifiers.rekor_pub`; returns it with the log key's trust
/// (`pinned` when a trust policy pins the same key, else `bundle-supplied`).
fn verified_checkpoint(
    manifest: &Value,
    bundle: &Bundle,
    keyring: &Keyring,
) -> Result<(Checkpoint, KeyTrust), String> {
    let encoded = manifest
        .pointer("/verifiers/rekor_pub")
        .and_then(Value::as_str)
        .ok_or("verifiers.rekor_pub is missing: no key to verify the checkpoint with")?;
    let key = PublicKey::from_policy_str(encoded)
        .map_err(|e| format!("verifiers.rekor_pub is not a usable key: {e}"))?;
    let bytes = bundle.get(CHECKPOINT).ok_or("missing from the bundle")?;
    let checkpoint = verify_checkpoint(&bytes, &key).map_err(|e| e.to_string())?;
    let trust = keyring
        .get(&super::keyring::fingerprint(&key))
        .map_or(KeyTrust::BundleSupplied, KeyEntry::trust);
    Ok((checkpoint, trust))
}

/// `ERR_REKOR_TILE_MISSING` / `ERR_REKOR_TILE_DIGEST_MISMATCH` per referenced tile.
fn tile_problems(pack: &Pack<'_>, bundle: &Bundle) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (path, _) in &pack.tile_refs {
        match bundle.get(path) {
            None => problems.push(problem(
                Code::RekorTileMissing,
                path,
                "named in rekor.tile_refs but absent from the bundle",
            )),
            Some(bytes) => {
                let actual = (Sha256::digest(&*bytes).into(), bytes.len() as u64);
                let why = pack
                    .files
                    .get(path)
                    .and_then(|l| digest_mismatch(actual, l));
                if let Some(why) = why {
                    problems.push(problem(Code::RekorTileDigestMismatch, path, why));
                }
            }
        }
    }
    problems
}

/// The index of `leaf` in the referenced level-0 tiles (below `size` when known).
fn find_leaf(pack: &Pack<'_>, bundle: &Bundle, leaf: &Hash, size: Option<u64>) -> Option<u64> {
    let mut found: Vec<u64> = Vec::new();
    for (path, tile) in pack.tile_refs.iter().filter(|(_, t)| t.level == 0) {
        let Some(bytes) = bundle.get(path) else {
            continue;
        };
        let hashes = bytes.chunks_exact(32).take(usize::from(tile.width));
        for (offset, hash) in hashes.enumerate() {
            // A hostile tile path can name an index near u64::MAX.
            let index = tile
                .index
                .checked_mul(TILE_WIDTH)
                .and_then(|start| start.checked_add(offset as u64));
            if let Some(index) = index.filter(|_| hash == leaf) {
                found.push(index);
            }
        }
    }
    found
        .into_iter()
        .filter(|&i| size.is_none_or(|s| i < s))
        .min()
}

/// Checks the inclusion proof against the checkpoint root: `rekor/proof.json` when the bundle
/// has one, else a proof derived from the referenced tiles. Returns the leaf index and where
/// the proof came from; `None` when neither is possible (the leaf is uncovered).
fn inclusion(
    bundle: &Bundle,
    pack: &Pack<'_>,
    cp: &Checkpoint,
    leaf: &Hash,
    index: Option<u64>,
) -> Result<Option<(u64, &'static str)>, Diagnostic> {
    let invalid = |file: &str, why: String| problem(Code::RekorProofInvalid, file, why);
    if let Some(bytes) = bundle.get(PROOF) {
        let proof = read_proof(&bytes).map_err(|why| invalid(PROOF, why))?;
        if proof.tree_size != cp.size {
            return Err(invalid(
                PROOF,
                format!(
                    "the proof is for tree size {}, the checkpoint for {}",
                    proof.tree_size, cp.size
                ),
            ));
        }
        verify_inclusion(
            proof.log_index,
            proof.tree_size,
            leaf,
            &proof.hashes,
            &cp.root_hash,
        )
        .map_err(|e| invalid(PROOF, format!("{e} (leaf {})", proof.log_index)))?;
        return Ok(Some((proof.log_index, PROOF)));
    }
    let Some(index) = index else {
        return Ok(None);
    };
    let tiles: HashMap<String, &str> = pack
        .tile_refs
        .iter()
        .map(|(path, tile)| (tile.path(), *path))
        .collect();
    let mut reader = TileReader::new(cp.size, |tile_path: &str| {
        tiles
            .get(tile_path)
            .and_then(|path| bundle.get(path))
            .map(std::borrow::Cow::into_owned)
    });
    let proof = reader.inclusion_proof(index).map_err(|e| {
        problem(
            e.code(),
            CHECKPOINT,
            format!("cannot derive the proof: {e}"),
        )
    })?;
    verify_inclusion(index, cp.size, leaf, &proof, &cp.root_hash).map_err(|e| {
        invalid(
            CHECKPOINT,
            format!("the proof derived from the tiles fails: {e}"),
        )
    })?;
    Ok(Some((index, "the tiles")))
}

/// `rekor/proof.json`: `{"logIndex", "treeSize", "hashes": [hex…]}`.
struct Proof {
    log_index: u64,
    tree_size: u64,
    hashes: Vec<Vec<u8>>,
}

fn read_proof(bytes: &[u8]) -> Result<Proof, String> {
    let v = json::parse(bytes).map_err(|e| format!("not valid JSON: {}", e.message))?;
    let number = |key: &str| {
        v.get(key)
            .and_then(Value::as_u64)
            .ok_or(format!("`{key}` must be a non-negative integer"))
    };
    let hashes = v
        .get("hashes")
        .and_then(Value::as_array)
        .ok_or("`hashes` must be an array of hex strings")?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            h.as_str()
                .filter(|s| is_hex64_lower(&s.to_ascii_lowercase()))
                .and_then(|s| hex::decode(s).ok())
                .ok_or(format!("hashes[{i}] is not 64 hex digits"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Proof {
        log_index: number("logIndex")?,
        tree_size: number("treeSize")?,
        hashes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tile_paths_under_any_prefix() {
        assert_eq!(tile_of("rekor/tile/0/x001/234").unwrap().index, 1234);
        assert_eq!(tile_of("tile/1/000.p/5").unwrap().width, 5);
        assert!(tile_of("rekor/tiles/0/000").is_none());
        assert!(tile_of("rekor/tile/0/1").is_none());
    }

    #[test]
    fn schema_names_every_missing_field_and_skips_the_rest() {
        let manifest = json!({"spec_version": "1.0", "files": {"canonical_bom.json": {"sha256": "AB", "size": -1}}});
        let bundle = Bundle::from_files::<&[u8]>(&[]);
        let checks = check(&manifest, &bundle, &Keyring::new());
        let statuses: Vec<(&str, &str)> =
            checks.iter().map(|c| (c.name, c.status.as_str())).collect();
        assert_eq!(
            statuses,
            [
                ("schema", "fail"),
                ("manifest-signature", "skipped"),
                ("file-digests", "skipped"),
                ("dsse", "skipped"),
                ("rekor", "skipped")
            ]
        );
        let pointers: Vec<&str> = checks[0]
            .problems
            .iter()
            .map(|p| p.pointer.as_str())
            .collect();
        for expected in [
            "/created_utc",
            "/artifact",
            "/files/canonical_bom.json/sha256",
            "/files/canonical_bom.json/size",
            "/files",
            "/digests",
            "/rekor",
            "/timestamps",
            "/verifiers",
        ] {
            assert!(pointers.contains(&expected), "{expected} in {pointers:?}");
        }
        assert!(checks[0]
            .problems
            .iter()
            .all(|p| p.code == Code::ManifestSchema));
    }

    #[test]
    fn a_tile_index_near_u64_max_does_not_overflow() {
        let path = "rekor/tile/0/x018/x446/x744/x073/x709/x551/615.p/1";
        let tile = tile_of(path).unwrap();
        assert_eq!(tile.index, u64::MAX);
        let leaf = leaf_hash(b"entry");
        let bundle = Bundle::from_files(&[(path, leaf.to_vec())]);
        let manifest = json!({});
        let pack = Pack {
            manifest: &manifest,
            artifact_sha256: "",
            files: BTreeMap::new(),
            bom_sha256: "",
            payload_sha256: "",
            tile_refs: vec![(path, tile)],
            root_hash: "",
        };
        assert_eq!(find_leaf(&pack, &bundle, &leaf, None), None);
    }

    #[test]
    fn proof_json_shape() {
        let ok = read_proof(br#"{"logIndex": 3, "treeSize": 7, "hashes": ["00000000000000000000000000000000000000000000000000000000000000AA"]}"#).unwrap();
        assert_eq!((ok.log_index, ok.tree_size, ok.hashes[0][31]), (3, 7, 0xaa));
        for bad in [
            &br#"{"logIndex": -1, "treeSize": 7, "hashes": []}"#[..],
            br#"{"logIndex": 1, "treeSize": 7, "hashes": ["abc"]}"#,
            b"[]",
        ] {
            assert!(read_proof(bad).is_err());
        }
    }

    #[test]
    fn signed_form_drops_only_the_signature_entry() {
        let m = json!({"b": 1, "files": {"manifest.sig": {"sha256": "x"}, "a": {}}});
        assert_eq!(
            signed_manifest_bytes(&m),
            br#"{"b":1,"files":{"a":{}}}"#.to_vec()
        );
    }
}
