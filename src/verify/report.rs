//! The verification result both views read: the profile validated, every check in its fixed
//! order with status and code, the exports, the signature outcome of every DSSE envelope, and
//! which keys were pinned, bundle-supplied or self-asserted.

use super::export::ExportResult;
use super::keyring::{KeyOrigin, KeyTrust, Keyring};
use super::signatures::EnvelopeCheck;
use crate::diag::{Code, Diagnostic};
use serde::Serialize;
use std::fmt;

/// The audit-pack profile that was validated (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Profile {
    #[serde(rename = "portable-v1")]
    PortableV1,
    #[serde(rename = "legacy")]
    Legacy,
    #[serde(rename = "unknown")]
    Unknown,
}

impl Profile {
    /// `portable-v1`, `legacy` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::PortableV1 => "portable-v1",
            Profile::Legacy => "legacy",
            Profile::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Could not run because something an earlier check found missing or broken.
    Skipped,
}

impl CheckStatus {
    /// `pass`, `fail` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// Check names, in the order they are reported.
pub mod names {
    /// The `--trust` policy could be read (only present when `--trust` was given).
    pub const TRUST_POLICY: &str = "trust-policy";
    /// The manifest names a known profile (only present for profile `unknown`).
    pub const PROFILE: &str = "profile";
    pub const SCHEMA: &str = "schema";
    pub const MANIFEST_SIGNATURE: &str = "manifest-signature";
    pub const FILE_DIGESTS: &str = "file-digests";
    pub const DSSE: &str = "dsse";
    pub const REKOR: &str = "rekor";
    pub const EXPORTS: &str = "exports";
}

/// One check: its name, status, the code of its first problem and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: CheckStatus,
    /// The code of the first problem; `None` when the check passed or was skipped.
    pub code: Option<Code>,
    pub message: String,
    /// Every problem found, in the order found (the first gives `code` and `message`).
    pub problems: Vec<Diagnostic>,
}

impl Check {
    /// A passing check.
    pub fn pass(name: &'static str, message: impl Into<String>) -> Self {
        Check {
            name,
            status: CheckStatus::Pass,
            code: None,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// A check that could not run; `why` says what it needed.
    pub fn skipped(name: &'static str, why: impl Into<String>) -> Self {
        Check {
            name,
            status: CheckStatus::Skipped,
            code: None,
            message: why.into(),
            problems: Vec::new(),
        }
    }

    /// Fails with the problems found, or passes with `pass_message` when there are none.
    pub fn from_problems(
        name: &'static str,
        problems: Vec<Diagnostic>,
        pass_message: impl Into<String>,
    ) -> Self {
        let Some(first) = problems.first() else {
            return Check::pass(name, pass_message);
        };
        let mut message = match (first.file.as_str(), first.line) {
            ("", _) => first.message.clone(),
            (file, Some(line)) => format!("{file}:{line}: {}", first.message),
            (file, None) => format!("{file}: {}", first.message),
        };
        if problems.len() > 1 {
            message.push_str(&format!(" (and {} more)", problems.len() - 1));
        }
        Check {
            name,
            status: CheckStatus::Fail,
            code: Some(first.code),
            message,
            problems,
        }
    }

    /// The group a check is shown under: manifest → file digests → DSSE → Rekor → exports.
    pub fn group(&self) -> &'static str {
        match self.name {
            names::TRUST_POLICY => "trust policy",
            names::PROFILE | names::SCHEMA | names::MANIFEST_SIGNATURE => "manifest",
            names::FILE_DIGESTS => "file digests",
            names::DSSE => "DSSE",
            names::REKOR => "Rekor",
            _ => "exports",
        }
    }
}

/// One key as the trust summary shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeySummary {
    /// `sha256:<hex>` of the raw key.
    pub key: String,
    pub algorithm: &'static str,
    pub trust: KeyTrust,
    /// Declared `keyid`s, whatever their source.
    pub keyids: Vec<String>,
    /// Every place the key was found, strongest first.
    pub origins: Vec<KeyOrigin>,
}

/// Which keys were available, by provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrustSummary {
    /// The `--trust` file, when one was given.
    pub policy: Option<String>,
    /// Every key, sorted by fingerprint.
    pub keys: Vec<KeySummary>,
}

impl TrustSummary {
    /// Summarises a keyring.
    pub fn of(keyring: &Keyring) -> Self {
        let keys = keyring
            .entries()
            .iter()
            .map(|e| KeySummary {
                key: e.fingerprint(),
                algorithm: e.key.algorithm().as_str(),
                trust: e.trust(),
                keyids: e.keyids(),
                origins: e.origins.clone(),
            })
            .collect();
        TrustSummary {
            policy: keyring.policy_name().map(str::to_string),
            keys,
        }
    }

    /// The key with this fingerprint.
    pub fn key(&self, fingerprint: &str) -> Option<&KeySummary> {
        self.keys.iter().find(|k| k.key == fingerprint)
    }

    /// Keys whose strongest provenance is `trust`.
    pub fn with_trust(&self, trust: KeyTrust) -> impl Iterator<Item = &KeySummary> + '_ {
        self.keys.iter().filter(move |k| k.trust == trust)
    }
}

/// Everything `evx verify` and the Validation tab show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationReport {
    pub profile: Profile,
    /// Remarks that are not failures (e.g. a legacy field in a portable manifest).
    pub notes: Vec<String>,
    /// Every check in its fixed order.
    pub checks: Vec<Check>,
    /// Every export record, in timeline order `(runId, startedAt)`.
    pub exports: Vec<ExportResult>,
    /// The signature outcome of every DSSE envelope in the bundle, by file.
    pub signatures: Vec<EnvelopeCheck>,
    pub trust: TrustSummary,
}

impl Default for VerificationReport {
    fn default() -> Self {
        VerificationReport {
            profile: Profile::Unknown,
            notes: Vec::new(),
            checks: Vec::new(),
            exports: Vec::new(),
            signatures: Vec::new(),
            trust: TrustSummary::default(),
        }
    }
}

impl VerificationReport {
    /// Whether every check passed (fail closed: a report without checks is not ok).
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.status == CheckStatus::Pass)
    }

    /// The first failing check in order: it decides `firstFailure` and the exit code.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.status == CheckStatus::Fail)
    }

    /// The check with this name.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_failure_is_the_first_failing_check_in_order() {
        let problem = |code| Diagnostic::new(code, "f", "bad");
        let report = VerificationReport {
            checks: vec![
                Check::pass(names::SCHEMA, "ok"),
                Check::from_problems(
                    names::FILE_DIGESTS,
                    vec![
                        problem(Code::FileMissing),
                        problem(Code::FileDigestMismatch),
                    ],
                    "",
                ),
                Check::skipped(names::DSSE, "needs a file"),
                Check::from_problems(names::REKOR, vec![problem(Code::RekorRootMismatch)], ""),
            ],
            ..VerificationReport::default()
        };
        assert!(!report.ok());
        let first = report.first_failure().unwrap();
        assert_eq!(first.code, Some(Code::FileMissing));
        assert_eq!(first.message, "f: bad (and 1 more)");
        assert_eq!(report.check(names::DSSE).unwrap().group(), "DSSE");
    }

    #[test]
    fn no_checks_is_not_ok() {
        assert!(!VerificationReport::default().ok());
        let passing = VerificationReport {
            checks: vec![Check::pass(names::SCHEMA, "ok")],
            ..VerificationReport::default()
        };
        assert!(passing.ok());
        assert!(passing.first_failure().is_none());
    }
}
