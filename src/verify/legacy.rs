//! Legacy bundle checks (SPEC §5): `schema` (`manifestVersion`, `bundleId`, `createdAt`,
//! `entries[]` of `{path, sha256, size}`), `file-digests` (every manifest entry and every entry
//! of a checksums file matches), `dsse` (every DSSE envelope in the bundle verifies).

use super::profile::MANIFEST_PATH;
use super::report::{names, Check};
use super::schema::{case_duplicates, SchemaReader};
use super::signatures::{EnvelopeCheck, SignatureStatus};
use crate::bundle::Bundle;
use crate::diag::{Code, Diagnostic};
use crate::json;
use crate::pipeline::index::{DigestAlgorithm, DigestKey};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;

/// One file a manifest or checksums file vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Bundle-relative path.
    path: String,
    digest: DigestKey,
    size: Option<u64>,
    /// Where the entry was read (`manifest.json`, `checksums.txt`, …) and at which line.
    source: String,
    line: Option<usize>,
}

/// Runs the three checks over a manifest detected as legacy. `checksum_files` are the paths of
/// the bundle's checksums files; `envelopes` the signature outcome of every DSSE envelope.
pub fn check(
    manifest: &Value,
    bundle: &Bundle,
    checksum_files: &[&str],
    envelopes: &[EnvelopeCheck],
) -> Vec<Check> {
    let (schema_check, entries) = schema(manifest);
    let digests = match entries {
        Some(mut entries) => {
            let mut problems = Vec::new();
            for path in checksum_files {
                if let Some(bytes) = bundle.get(path) {
                    entries.extend(checksum_entries(path, &bytes, &mut problems));
                }
            }
            file_digests(&entries, bundle, problems)
        }
        None => Check::skipped(
            names::FILE_DIGESTS,
            "skipped: the manifest failed its schema check (ERR_MANIFEST_SCHEMA)",
        ),
    };
    vec![schema_check, digests, dsse(envelopes)]
}

fn schema(manifest: &Value) -> (Check, Option<Vec<Entry>>) {
    let mut r = SchemaReader::new(manifest, Code::ManifestSchema, MANIFEST_PATH);
    r.required("/manifestVersion");
    r.string("/bundleId");
    r.timestamp("/createdAt");
    let mut entries = Vec::new();
    let mut paths = Vec::new();
    let count = r.array("/entries").map_or(0, Vec::len);
    for i in 0..count {
        let base = format!("/entries/{i}");
        let path = r.string(&format!("{base}/path"));
        paths.extend(path.map(|p| (i, p)));
        let digest = r.string(&format!("{base}/sha256")).and_then(|d| {
            let key = DigestKey::from_named("sha256", d.strip_prefix("sha256:").unwrap_or(d));
            if key.is_err() {
                r.report(
                    &format!("{base}/sha256"),
                    format!("{d:?} is not a sha256 digest (64 hex digits)"),
                );
            }
            key.ok()
        });
        let size = r.size(&format!("{base}/size"));
        if let (Some(path), Some(digest), Some(size)) = (path, digest, size) {
            entries.push(Entry {
                path: path.to_string(),
                digest,
                size: Some(size),
                source: MANIFEST_PATH.into(),
                line: None,
            });
        }
    }
    for (at, path, first) in case_duplicates(paths.iter().map(|(_, p)| *p)) {
        r.report(
            &format!("/entries/{}/path", paths[at].0),
            format!("{path:?} is listed again (as {first:?}); paths must be unique, case folded"),
        );
    }
    let message = format!(
        "manifest.json has every legacy field ({} entries)",
        entries.len()
    );
    let clean = r.is_clean();
    (
        Check::from_problems(names::SCHEMA, r.problems, message),
        clean.then_some(entries),
    )
}

/// The entries of a `checksums.txt` (`<hex>  <path>` lines, `*` binary marker allowed) or a
/// `checksums.json` (`{path: digest}`, optionally under `files`, or `[{path, sha256}]`,
/// optionally under `entries`). Paths are relative to the checksums file's folder.
fn checksum_entries(file: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let pairs = if file.ends_with(".json") {
        json_pairs(file, bytes, problems)
    } else {
        text_pairs(file, bytes, problems)
    };
    pairs
        .into_iter()
        .filter_map(|(line, path, digest)| match DigestKey::parse(&digest) {
            Ok(digest) => Some(Entry {
                path: join(dir, &path),
                digest,
                size: None,
                source: file.to_string(),
                line,
            }),
            Err(e) => {
                problems.push(located(
                    Diagnostic::new(Code::DocSchema, file, format!("{path}: {e}")),
                    line,
                ));
                None
            }
        })
        .collect()
}

type Pair = (Option<usize>, String, String);

fn text_pairs(file: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) -> Vec<Pair> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once([' ', '\t']) {
            Some((digest, path)) if !path.trim().is_empty() => {
                let path = path.trim_start();
                let path = path.strip_prefix('*').unwrap_or(path);
                out.push((Some(i + 1), path.to_string(), digest.to_string()));
            }
            _ => problems.push(located(
                Diagnostic::new(Code::DocSchema, file, "checksum lines read `<hex>  <path>`"),
                Some(i + 1),
            )),
        }
    }
    out
}

fn json_pairs(file: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) -> Vec<Pair> {
    let value = match json::parse(bytes) {
        Ok(v) => v,
        Err(_) => return Vec::new(), // the collector already reported it
    };
    let body = value
        .get("files")
        .or_else(|| value.get("entries"))
        .unwrap_or(&value);
    let pair = |path: &str, digest: Option<&Value>| {
        digest
            .and_then(Value::as_str)
            .map(|d| (None, path.to_string(), d.to_string()))
    };
    let pairs: Vec<Option<Pair>> = match body {
        Value::Object(map) => map.iter().map(|(p, d)| pair(p, Some(d))).collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let path = item.get("path").and_then(Value::as_str)?;
                pair(path, item.get("sha256").or_else(|| item.get("digest")))
            })
            .collect(),
        _ => vec![None],
    };
    if pairs.iter().any(Option::is_none) {
        problems.push(Diagnostic::new(
            Code::DocSchema,
            file,
            "checksums.json entries need a path and a digest string",
        ));
    }
    pairs.into_iter().flatten().collect()
}

fn join(dir: &str, path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

fn located(d: Diagnostic, line: Option<usize>) -> Diagnostic {
    match line {
        Some(l) => d.at_line(l, 1),
        None => d,
    }
}

fn digest_of(algorithm: DigestAlgorithm, bytes: &[u8]) -> String {
    match algorithm {
        DigestAlgorithm::Sha256 => hex::encode(Sha256::digest(bytes)),
        DigestAlgorithm::Sha384 => hex::encode(Sha384::digest(bytes)),
        DigestAlgorithm::Sha512 => hex::encode(Sha512::digest(bytes)),
    }
}

/// The digest (in `algorithm`) and size of the file at each listed path that the bundle holds.
/// SHA-256 comes from the bundle's record when it has one; other algorithms read the bytes,
/// all in one pass.
fn actual_digests<'a>(
    entries: &'a [Entry],
    bundle: &Bundle,
) -> HashMap<(&'a str, DigestAlgorithm), (String, u64)> {
    let mut out = HashMap::new();
    let mut others = Vec::new();
    for e in entries {
        match e.digest.algorithm {
            DigestAlgorithm::Sha256 => {
                if let Some((sha256, size)) = bundle.sha256_and_size(&e.path) {
                    out.insert(
                        (e.path.as_str(), e.digest.algorithm),
                        (hex::encode(sha256), size),
                    );
                }
            }
            _ => others.push(e),
        }
    }
    let bytes = bundle.get_many(others.iter().map(|e| e.path.as_str()));
    for e in others {
        if let Some(b) = bytes.get(e.path.as_str()) {
            let actual = (digest_of(e.digest.algorithm, b), b.len() as u64);
            out.insert((e.path.as_str(), e.digest.algorithm), actual);
        }
    }
    out
}

fn file_digests(entries: &[Entry], bundle: &Bundle, mut problems: Vec<Diagnostic>) -> Check {
    let actual_digests = actual_digests(entries, bundle);
    for e in entries {
        let listed_in = match e.line {
            Some(line) => format!("{} line {line}", e.source),
            None => e.source.clone(),
        };
        let report = |code, message: String| {
            Diagnostic::new(code, &e.path, format!("{message} (listed in {listed_in})"))
        };
        match actual_digests.get(&(e.path.as_str(), e.digest.algorithm)) {
            None => problems.push(report(Code::FileMissing, "absent from the bundle".into())),
            Some((actual, size)) => {
                let size = *size;
                if e.size.is_some_and(|s| s != size) {
                    let listed = e.size.unwrap_or_default();
                    problems.push(report(
                        Code::FileDigestMismatch,
                        format!("size is {size} bytes, {listed} listed"),
                    ));
                } else if *actual != e.digest.hex {
                    problems.push(report(
                        Code::FileDigestMismatch,
                        format!(
                            "{} is {actual}, {} listed",
                            e.digest.algorithm.as_str(),
                            e.digest.hex
                        ),
                    ));
                }
            }
        }
    }
    Check::from_problems(
        names::FILE_DIGESTS,
        problems,
        format!("{} listed files match", entries.len()),
    )
}

/// Every DSSE envelope of the bundle verifies (`ERR_DSSE_SIGNATURE`, or `ERR_DSSE_KEY_UNKNOWN`
/// when no key is available).
fn dsse(envelopes: &[EnvelopeCheck]) -> Check {
    let problems: Vec<Diagnostic> = envelopes
        .iter()
        .filter_map(|e| {
            let code = e.code?;
            let pointer = format!("{}/signatures", e.pointer);
            Some(Diagnostic::new(code, &e.file, &e.message).at(pointer))
        })
        .collect();
    let count = |s: SignatureStatus| envelopes.iter().filter(|e| e.status == s).count();
    let message = if envelopes.is_empty() {
        "no DSSE envelopes in the bundle".to_string()
    } else {
        format!(
            "{} envelope(s) verify: {} trusted · {} bundle-supplied · {} self-asserted",
            envelopes.len(),
            count(SignatureStatus::Trusted),
            count(SignatureStatus::BundleSupplied),
            count(SignatureStatus::SelfAsserted)
        )
    };
    Check::from_problems(names::DSSE, problems, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::report::CheckStatus;
    use serde_json::json;

    fn bundle(files: &[(&str, &[u8])]) -> Bundle {
        Bundle::from_files(files)
    }

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn manifest(entries: Value) -> Value {
        json!({"manifestVersion": "1", "bundleId": "b-1", "createdAt": "2026-01-02T03:04:05Z", "entries": entries})
    }

    #[test]
    fn entries_and_checksums_files_are_checked() {
        let b = bundle(&[
            ("sboms/a.json", b"{}"),
            ("sboms/b.json", b"[]"),
            (
                "sboms/checksums.txt",
                format!("{}  b.json\n", sha(b"[]")).as_bytes(),
            ),
        ]);
        let m = manifest(
            json!([{"path": "sboms/a.json", "sha256": format!("sha256:{}", sha(b"{}")), "size": 2}]),
        );
        let checks = check(&m, &b, &["sboms/checksums.txt"], &[]);
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Pass),
            "{checks:?}"
        );
        assert_eq!(checks[1].message, "2 listed files match");
        assert_eq!(checks[2].message, "no DSSE envelopes in the bundle");
    }

    #[test]
    fn missing_and_mismatching_files_have_their_codes() {
        let b = bundle(&[
            ("a.json", b"{}"),
            (
                "checksums.txt",
                format!("{}  a.json\nnot a line\n", sha(b"x")).as_bytes(),
            ),
        ]);
        let m = manifest(json!([{"path": "gone.json", "sha256": sha(b""), "size": 0}]));
        let checks = check(&m, &b, &["checksums.txt"], &[]);
        let codes: Vec<Code> = checks[1].problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [Code::DocSchema, Code::FileMissing, Code::FileDigestMismatch]
        );
        assert_eq!(checks[1].problems[0].line, Some(2));
    }

    #[test]
    fn schema_problems_skip_the_digest_check() {
        let m =
            json!({"manifestVersion": 2, "entries": [{"path": "a", "sha256": "xyz", "size": 1}]});
        let checks = check(&m, &bundle(&[]), &[], &[]);
        assert_eq!(checks[0].code, Some(Code::ManifestSchema));
        let pointers: Vec<&str> = checks[0]
            .problems
            .iter()
            .map(|p| p.pointer.as_str())
            .collect();
        assert_eq!(pointers, ["/bundleId", "/createdAt", "/entries/0/sha256"]);
        assert_eq!(checks[1].status, CheckStatus::Skipped);
        assert_eq!(checks[2].status, CheckStatus::Pass);
    }

    #[test]
    fn checksums_json_forms() {
        let mut problems = Vec::new();
        let map = json!({"files": {"a": sha(b"a")}}).to_string();
        let list = json!([{"path": "./b", "sha256": sha(b"b")}]).to_string();
        let a = checksum_entries("x/checksums.json", map.as_bytes(), &mut problems);
        let b = checksum_entries("checksums.json", list.as_bytes(), &mut problems);
        assert!(problems.is_empty());
        assert_eq!((a[0].path.as_str(), b[0].path.as_str()), ("x/a", "b"));
    }
}
