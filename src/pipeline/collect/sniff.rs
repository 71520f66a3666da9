//! Content sniffing: what kind of evidence a file is, decided by its content (SPEC §1 table);
//! folder names are only used where content alone cannot tell (binary tiles).

use crate::json::tape::{Tape, J};
use crate::json::{self, JsonError};
use serde::Serialize;
use std::fmt;

/// The kinds of file a bundle can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Cyclonedx,
    Spdx,
    Dsse,
    InTotoStatement,
    Openvex,
    Csaf,
    Export,
    ExportStream,
    AuditPackManifest,
    LegacyManifest,
    Checksums,
    TrustPolicy,
    Checkpoint,
    Tile,
    PublicKey,
    /// JSON that failed to parse, so its kind is unknown.
    Json,
    Unrecognised,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        use FileKind::*;
        match self {
            Cyclonedx => "cyclonedx",
            Spdx => "spdx",
            Dsse => "dsse",
            InTotoStatement => "in-toto-statement",
            Openvex => "openvex",
            Csaf => "csaf",
            Export => "export",
            ExportStream => "export-stream",
            AuditPackManifest => "audit-pack-manifest",
            LegacyManifest => "legacy-manifest",
            Checksums => "checksums",
            TrustPolicy => "trust-policy",
            Checkpoint => "checkpoint",
            Tile => "tile",
            PublicKey => "public-key",
            Json => "json",
            Unrecognised => "unrecognised",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of sniffing one file.
#[derive(Debug)]
pub struct Sniffed<'a> {
    pub kind: FileKind,
    /// The parsed document for JSON kinds.
    pub json: Option<Tape<'a>>,
    /// The parse error for a file that looked like JSON but is not acceptable JSON.
    pub error: Option<JsonError>,
}

/// Classifies a file by content.
pub fn sniff<'a>(path: &str, bytes: &'a [u8]) -> Sniffed<'a> {
    let name = path.rsplit('/').next().unwrap_or(path);
    // Tiles are binary hashes: one may start with the byte of `{` or `[`.
    if is_tile_path(path) {
        return Sniffed {
            kind: FileKind::Tile,
            json: None,
            error: None,
        };
    }
    if looks_like_json(bytes) || is_json_name(name) && !bytes.is_empty() {
        return sniff_json(path, name, bytes);
    }
    let kind = sniff_text_or_binary(path, name, bytes);
    Sniffed {
        kind,
        json: None,
        error: None,
    }
}

fn is_json_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".json", ".ndjson", ".jsonl", ".intoto.jsonl"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// First significant byte is `{` or `[` (after an optional BOM), or the data is UTF-16.
fn looks_like_json(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if body.starts_with(&[0xFF, 0xFE]) || body.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

fn sniff_json<'a>(path: &str, name: &str, bytes: &'a [u8]) -> Sniffed<'a> {
    match json::parse_doc(bytes) {
        Ok(tape) => {
            let kind = classify(path, name, tape.root());
            Sniffed {
                kind,
                json: Some(tape),
                error: None,
            }
        }
        Err(error) => match ndjson_kind(bytes) {
            Some(kind) => Sniffed {
                kind,
                json: None,
                error: None,
            },
            None => Sniffed {
                kind: FileKind::Json,
                json: None,
                error: Some(error),
            },
        },
    }
}

/// NDJSON whose first parseable record is an orchestrator export. A broken first line does not
/// hide the stream: the export validator reports it by line number.
fn ndjson_kind(bytes: &[u8]) -> Option<FileKind> {
    let first = bytes
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .find_map(|l| json::parse_doc(l).ok())?;
    is_export(first.root()).then_some(FileKind::ExportStream)
}

fn is_export(v: J<'_, '_>) -> bool {
    v.get("runId").is_some() && v.get("artifactHash").is_some()
}

/// Decides the kind of a parsed JSON document (SPEC §1 table, first match wins).
pub fn classify(path: &str, name: &str, v: J<'_, '_>) -> FileKind {
    if !v.is_object() {
        return FileKind::Unrecognised;
    }
    let has = |k: &str| v.get(k).is_some();
    let str_of = |k: &str| v.get(k).and_then(J::as_str);
    if has("bomFormat") || str_of("$schema").is_some_and(|s| s.contains("cyclonedx")) {
        return FileKind::Cyclonedx;
    }
    if has("spdxVersion") {
        return FileKind::Spdx;
    }
    if has("payloadType") && has("payload") && has("signatures") {
        return FileKind::Dsse;
    }
    if is_openvex(v) {
        return FileKind::Openvex;
    }
    if let Some(doc) = v.get("document") {
        if doc.get("category").is_some() || doc.get("csaf_version").is_some() {
            return FileKind::Csaf;
        }
    }
    if is_export(v) {
        return FileKind::Export;
    }
    if str_of("_type").is_some_and(|t| t.starts_with("https://in-toto.io/Statement")) {
        return FileKind::InTotoStatement;
    }
    if name == "manifest.json" {
        if has("spec_version") {
            return FileKind::AuditPackManifest;
        }
        if has("manifestVersion") {
            return FileKind::LegacyManifest;
        }
    }
    if name == "checksums.json" {
        return FileKind::Checksums;
    }
    if path == "trust.json" && (has("keys") || has("issuers")) {
        return FileKind::TrustPolicy;
    }
    if has("keytype") && has("keyval") {
        return FileKind::PublicKey; // a securesystemslib (in-toto) key
    }
    FileKind::Unrecognised
}

/// OpenVEX: an `@context` under openvex.dev, or (for defective documents) an `@context` key
/// beside `statements[]`, so the VEX parser can say what is wrong.
fn is_openvex(v: J<'_, '_>) -> bool {
    match v.get("@context").and_then(J::as_str) {
        Some(ctx) if ctx.starts_with("https://openvex.dev/ns") => true,
        Some(_) => v.get("statements").is_some_and(J::is_array),
        None => false,
    }
}

/// A tile of a transparency log mirrored in the bundle (`rekor/tile/…`, `…/rekor/…/tile/…`).
fn is_tile_path(path: &str) -> bool {
    let in_rekor = path.starts_with("rekor/") || path.contains("/rekor/");
    in_rekor && (path.contains("/tile/") || path.starts_with("rekor/tile/"))
}

fn sniff_text_or_binary(path: &str, name: &str, bytes: &[u8]) -> FileKind {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return FileKind::Unrecognised;
    };
    if name == "checksums.txt" || name.ends_with(".sha256sum") || name == "SHA256SUMS" {
        return FileKind::Checksums;
    }
    if text.contains("-----BEGIN PUBLIC KEY-----") || is_raw_key_file(path, text) {
        return FileKind::PublicKey;
    }
    if looks_like_signed_note(text) {
        return FileKind::Checkpoint;
    }
    FileKind::Unrecognised
}

/// A raw 32-byte key as base64 in a `keys/` folder (content alone is too weak a signal: any
/// 43-character base64 string would match).
fn is_raw_key_file(path: &str, text: &str) -> bool {
    let in_keys = path.starts_with("keys/") || path.contains("/keys/");
    in_keys && crate::verify::decode_base64_any(text.trim()).is_ok_and(|raw| raw.len() == 32)
}

/// A C2SP signed note: text, a blank line, then lines starting with the em dash.
fn looks_like_signed_note(text: &str) -> bool {
    match text.split_once("\n\n") {
        Some((body, sigs)) => !body.is_empty() && sigs.starts_with("\u{2014} "),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str, s: &str) -> FileKind {
        sniff(path, s.as_bytes()).kind
    }

    #[test]
    fn classification_is_by_content_not_folder() {
        assert_eq!(
            kind(
                "vex/x.json",
                r#"{"bomFormat":"CycloneDX","specVersion":"1.5"}"#
            ),
            FileKind::Cyclonedx
        );
        assert_eq!(
            kind("sboms/x.txt", r#"{"spdxVersion":"SPDX-2.3"}"#),
            FileKind::Spdx
        );
        assert_eq!(
            kind("a", r#"{"payloadType":"x","payload":"","signatures":[]}"#),
            FileKind::Dsse
        );
        assert_eq!(
            kind(
                "a",
                r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}"#
            ),
            FileKind::Openvex
        );
        assert_eq!(
            kind("a", r#"{"document":{"category":"csaf_vex"}}"#),
            FileKind::Csaf
        );
        assert_eq!(
            kind("a", r#"{"runId":"r","artifactHash":"h"}"#),
            FileKind::Export
        );
        assert_eq!(
            kind("x/manifest.json", r#"{"spec_version":"1.0"}"#),
            FileKind::AuditPackManifest
        );
        assert_eq!(
            kind("manifest.json", r#"{"manifestVersion":"1"}"#),
            FileKind::LegacyManifest
        );
        assert_eq!(kind("notes.md", "hello"), FileKind::Unrecognised);
        assert_eq!(
            kind(
                "key.pub",
                r#"{"keytype":"ed25519","keyval":{"public":"00"}}"#
            ),
            FileKind::PublicKey
        );
    }

    #[test]
    fn a_tile_starting_with_a_brace_byte_is_a_tile() {
        let mut tile = vec![b'{'; 1];
        tile.extend([0u8; 31]);
        assert_eq!(sniff("rekor/tile/0/124", &tile).kind, FileKind::Tile);
        assert!(sniff("rekor/tile/0/124", &tile).error.is_none());
        assert_eq!(
            sniff("pack/rekor/tile/1/000.p/7", b"[x").kind,
            FileKind::Tile
        );
    }

    #[test]
    fn ndjson_export_streams_are_recognised() {
        let s =
            "{\"runId\":\"a\",\"artifactHash\":\"h\"}\n{\"runId\":\"b\",\"artifactHash\":\"h\"}\n";
        assert_eq!(kind("exports/runs.ndjson", s), FileKind::ExportStream);
        let broken_first = "{\"runId\": \n{\"runId\":\"b\",\"artifactHash\":\"h\"}\n";
        assert_eq!(
            kind("exports/runs.ndjson", broken_first),
            FileKind::ExportStream
        );
    }

    #[test]
    fn broken_json_is_reported_not_classified() {
        let s = sniff("sboms/broken.json", b"{\"bomFormat\": ");
        assert_eq!(s.kind, FileKind::Json);
        assert!(s.error.is_some());
    }

    #[test]
    fn raw_base64_keys_are_public_keys_only_in_a_keys_folder() {
        let raw = "4cY7wTJvwmZCIs2p8V48If441CPkK5s9u3P5K383QvQ=\n";
        assert_eq!(kind("keys/release.pub", raw), FileKind::PublicKey);
        assert_eq!(kind("x/keys/release", raw), FileKind::PublicKey);
        assert_eq!(kind("notes/release.txt", raw), FileKind::Unrecognised);
        assert_eq!(kind("keys/short.pub", "AAAA"), FileKind::Unrecognised);
    }

    #[test]
    fn signed_notes_are_checkpoints() {
        let note = "example.com/log\n2\nAAAA\n\n\u{2014} example.com/log abcd\n";
        assert_eq!(kind("rekor/checkpoint", note), FileKind::Checkpoint);
    }
}
