//! Diagnostics: the one shape every problem takes, from archive reading to verification.
//!
//! A diagnostic carries a stable [`Code`] (`ERR_…`/`WARN_…`), a severity, the bundle-relative
//! file, a JSON pointer (RFC 6901) and, where the parser knows it, a line and column.

use serde::Serialize;
use std::fmt;

/// Stable diagnostic codes. Their spelling is part of the CLI contract (SPEC §1–§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    // bundle (SPEC §1)
    #[serde(rename = "ERR_BUNDLE_UNSAFE_ENTRY")]
    BundleUnsafeEntry,
    #[serde(rename = "ERR_BUNDLE_LIMIT")]
    BundleLimit,
    #[serde(rename = "ERR_BUNDLE_CORRUPT")]
    BundleCorrupt,
    #[serde(rename = "ERR_BUNDLE_UNREADABLE")]
    BundleUnreadable,
    // index and collect (SPEC §2)
    #[serde(rename = "ERR_DIGEST_FORMAT")]
    DigestFormat,
    #[serde(rename = "ERR_JSON_PARSE")]
    JsonParse,
    #[serde(rename = "ERR_JSON_DUPLICATE_KEY")]
    JsonDuplicateKey,
    #[serde(rename = "ERR_DOC_SCHEMA")]
    DocSchema,
    #[serde(rename = "WARN_SPDX_VERSION")]
    WarnSpdxVersion,
    #[serde(rename = "WARN_FORMAT_LEGACY")]
    WarnFormatLegacy,
    // VEX (SPEC §3)
    #[serde(rename = "ERR_VEX_STATUS")]
    VexStatus,
    #[serde(rename = "ERR_VEX_STATEMENT")]
    VexStatement,
    #[serde(rename = "ERR_VEX_PRODUCT_UNRESOLVED")]
    VexProductUnresolved,
    // trust (SPEC §4)
    #[serde(rename = "WARN_TRUST_SELF_ASSERTED")]
    WarnTrustSelfAsserted,
    #[serde(rename = "ERR_TRUST_POLICY")]
    TrustPolicy,
    // verification (SPEC §5)
    #[serde(rename = "ERR_DSSE_SIGNATURE")]
    DsseSignature,
    #[serde(rename = "ERR_DSSE_KEY_UNKNOWN")]
    DsseKeyUnknown,
    #[serde(rename = "ERR_DSSE_PAYLOAD")]
    DssePayload,
    #[serde(rename = "ERR_MANIFEST_PROFILE_UNKNOWN")]
    ManifestProfileUnknown,
    #[serde(rename = "ERR_MANIFEST_SCHEMA")]
    ManifestSchema,
    #[serde(rename = "ERR_MANIFEST_SIGNATURE")]
    ManifestSignature,
    #[serde(rename = "ERR_FILE_MISSING")]
    FileMissing,
    #[serde(rename = "ERR_FILE_DIGEST_MISMATCH")]
    FileDigestMismatch,
    #[serde(rename = "ERR_CANONICAL_BOM_DIGEST")]
    CanonicalBomDigest,
    #[serde(rename = "ERR_DSSE_PAYLOAD_DIGEST")]
    DssePayloadDigest,
    #[serde(rename = "ERR_DSSE_SUBJECT_MISMATCH")]
    DsseSubjectMismatch,
    #[serde(rename = "ERR_REKOR_CHECKPOINT_INVALID")]
    RekorCheckpointInvalid,
    #[serde(rename = "ERR_REKOR_TILE_MISSING")]
    RekorTileMissing,
    #[serde(rename = "ERR_REKOR_TILE_DIGEST_MISMATCH")]
    RekorTileDigestMismatch,
    #[serde(rename = "ERR_REKOR_REFERENCE_UNCOVERED")]
    RekorReferenceUncovered,
    #[serde(rename = "ERR_REKOR_PROOF_INVALID")]
    RekorProofInvalid,
    #[serde(rename = "ERR_REKOR_ROOT_MISMATCH")]
    RekorRootMismatch,
    #[serde(rename = "ERR_EXPORT_SCHEMA")]
    ExportSchema,
    #[serde(rename = "ERR_EXPORT_HASH_FORMAT")]
    ExportHashFormat,
    #[serde(rename = "ERR_EXPORT_IDEMPOTENCY")]
    ExportIdempotency,
    #[serde(rename = "ERR_EXPORT_STATUS")]
    ExportStatus,
    #[serde(rename = "ERR_EXPORT_DUPLICATE")]
    ExportDuplicate,
    #[serde(rename = "ERR_EXPORT_EXTERNAL_URI")]
    ExportExternalUri,
    #[serde(rename = "ERR_EXPORT_TOO_LARGE")]
    ExportTooLarge,
    #[serde(rename = "ERR_EXPORT_SIGNATURE")]
    ExportSignature,
}

impl Code {
    /// The stable spelling, e.g. `ERR_JSON_PARSE`.
    pub fn as_str(self) -> &'static str {
        use Code::*;
        match self {
            BundleUnsafeEntry => "ERR_BUNDLE_UNSAFE_ENTRY",
            BundleLimit => "ERR_BUNDLE_LIMIT",
            BundleCorrupt => "ERR_BUNDLE_CORRUPT",
            BundleUnreadable => "ERR_BUNDLE_UNREADABLE",
            DigestFormat => "ERR_DIGEST_FORMAT",
            JsonParse => "ERR_JSON_PARSE",
            JsonDuplicateKey => "ERR_JSON_DUPLICATE_KEY",
            DocSchema => "ERR_DOC_SCHEMA",
            WarnSpdxVersion => "WARN_SPDX_VERSION",
            WarnFormatLegacy => "WARN_FORMAT_LEGACY",
            VexStatus => "ERR_VEX_STATUS",
            VexStatement => "ERR_VEX_STATEMENT",
            VexProductUnresolved => "ERR_VEX_PRODUCT_UNRESOLVED",
            WarnTrustSelfAsserted => "WARN_TRUST_SELF_ASSERTED",
            TrustPolicy => "ERR_TRUST_POLICY",
            DsseSignature => "ERR_DSSE_SIGNATURE",
            DsseKeyUnknown => "ERR_DSSE_KEY_UNKNOWN",
            DssePayload => "ERR_DSSE_PAYLOAD",
            ManifestProfileUnknown => "ERR_MANIFEST_PROFILE_UNKNOWN",
            ManifestSchema => "ERR_MANIFEST_SCHEMA",
            ManifestSignature => "ERR_MANIFEST_SIGNATURE",
            FileMissing => "ERR_FILE_MISSING",
            FileDigestMismatch => "ERR_FILE_DIGEST_MISMATCH",
            CanonicalBomDigest => "ERR_CANONICAL_BOM_DIGEST",
            DssePayloadDigest => "ERR_DSSE_PAYLOAD_DIGEST",
            DsseSubjectMismatch => "ERR_DSSE_SUBJECT_MISMATCH",
            RekorCheckpointInvalid => "ERR_REKOR_CHECKPOINT_INVALID",
            RekorTileMissing => "ERR_REKOR_TILE_MISSING",
            RekorTileDigestMismatch => "ERR_REKOR_TILE_DIGEST_MISMATCH",
            RekorReferenceUncovered => "ERR_REKOR_REFERENCE_UNCOVERED",
            RekorProofInvalid => "ERR_REKOR_PROOF_INVALID",
            RekorRootMismatch => "ERR_REKOR_ROOT_MISMATCH",
            ExportSchema => "ERR_EXPORT_SCHEMA",
            ExportHashFormat => "ERR_EXPORT_HASH_FORMAT",
            ExportIdempotency => "ERR_EXPORT_IDEMPOTENCY",
            ExportStatus => "ERR_EXPORT_STATUS",
            ExportDuplicate => "ERR_EXPORT_DUPLICATE",
            ExportExternalUri => "ERR_EXPORT_EXTERNAL_URI",
            ExportTooLarge => "ERR_EXPORT_TOO_LARGE",
            ExportSignature => "ERR_EXPORT_SIGNATURE",
        }
    }

    /// The severity a diagnostic with this code has unless a caller says otherwise.
    pub fn default_severity(self) -> Severity {
        match self {
            Code::WarnSpdxVersion | Code::WarnFormatLegacy | Code::WarnTrustSelfAsserted => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a diagnostic is. `--strict` turns any `Error` into exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem found in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Bundle-relative path (`/`-separated); empty for bundle-level problems.
    pub file: String,
    /// RFC 6901 JSON pointer inside the file; empty for the whole file.
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            file: file.into(),
            pointer: String::new(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// Sets the JSON pointer.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = pointer.into();
        self
    }

    /// Sets line and column (1-based).
    pub fn at_line(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Rebases the diagnostic into an embedded document: `file` becomes the outer file and the
    /// pointer is prefixed (used for SBOM/VEX predicates carried in DSSE envelopes).
    pub fn nested_in(mut self, file: &str, prefix: &str) -> Self {
        self.file = file.to_string();
        self.pointer = format!("{prefix}{}", self.pointer);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.file)?;
        if !self.pointer.is_empty() {
            write!(f, " {}", self.pointer)?;
        }
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " ({l}:{c})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Escapes one JSON-pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends a reference token to a pointer.
pub fn pointer_join(base: &str, token: impl fmt::Display) -> String {
    format!("{base}/{}", escape_pointer_token(&token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_serialises_as_its_stable_spelling() {
        for code in [Code::JsonParse, Code::BundleLimit, Code::ExportSignature] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer_join("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
