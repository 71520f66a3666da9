//! The format-independent VEX model: the five statuses and their mapping tables (SPEC §3),
//! one statement per (vulnerability, target), and the document that carries them.

use super::lattice::Authority;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// A VEX status. The order (`Ord`) is the *priority* of SPEC §3 resolution step 3:
/// `NotAffected > Fixed > UnderInvestigation > Affected > Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The product is not affected (highest priority).
    NotAffected,
    /// The vulnerability is fixed in the product.
    Fixed,
    /// Not yet known; being investigated.
    UnderInvestigation,
    /// The product is affected.
    Affected,
    /// No usable status (missing or outside the mapping table).
    Unknown,
}

impl Status {
    /// Every status, from the highest priority to the lowest.
    pub const ALL: [Status; 5] = [
        Status::NotAffected,
        Status::Fixed,
        Status::UnderInvestigation,
        Status::Affected,
        Status::Unknown,
    ];

    /// Resolution priority: 4 for `NotAffected` down to 0 for `Unknown`.
    pub fn priority(self) -> u8 {
        match self {
            Status::NotAffected => 4,
            Status::Fixed => 3,
            Status::UnderInvestigation => 2,
            Status::Affected => 1,
            Status::Unknown => 0,
        }
    }

    /// The stable spelling used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
            Status::Affected => "affected",
            Status::Unknown => "unknown",
        }
    }

    /// OpenVEX `status`; `None` means outside the table (`ERR_VEX_STATUS`, kept as Unknown).
    pub fn from_openvex(status: &str) -> Option<Status> {
        match status {
            "not_affected" => Some(Status::NotAffected),
            "fixed" => Some(Status::Fixed),
            "under_investigation" => Some(Status::UnderInvestigation),
            "affected" => Some(Status::Affected),
            _ => None,
        }
    }

    /// CycloneDX `analysis.state`; `None` means outside the table. A *missing* state is
    /// `Unknown` by the table and is the caller's business.
    pub fn from_cyclonedx(state: &str) -> Option<Status> {
        match state {
            "not_affected" | "false_positive" => Some(Status::NotAffected),
            "resolved" | "resolved_with_pedigree" => Some(Status::Fixed),
            "in_triage" => Some(Status::UnderInvestigation),
            "exploitable" => Some(Status::Affected),
            _ => None,
        }
    }

    /// CSAF `product_status` key; `None` means the key is not a VEX status.
    pub fn from_csaf(key: &str) -> Option<Status> {
        match key {
            "known_not_affected" => Some(Status::NotAffected),
            "fixed" | "first_fixed" => Some(Status::Fixed),
            "under_investigation" => Some(Status::UnderInvestigation),
            "known_affected" | "first_affected" | "last_affected" => Some(Status::Affected),
            _ => None,
        }
    }
}

impl Ord for Status {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority().cmp(&other.priority())
    }
}

impl PartialOrd for Status {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The document formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VexFormat {
    /// OpenVEX (0.2.0, and pre-0.2 through the legacy path).
    OpenVex,
    /// CycloneDX `vulnerabilities[]` with `analysis` (1.4 and later).
    CycloneDx,
    /// CSAF 2.0.
    Csaf,
}

impl VexFormat {
    /// The stable spelling used in JSON (`openvex`, `cyclonedx`, `csaf`).
    pub fn as_str(self) -> &'static str {
        match self {
            VexFormat::OpenVex => "openvex",
            VexFormat::CycloneDx => "cyclonedx",
            VexFormat::Csaf => "csaf",
        }
    }
}

impl fmt::Display for VexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One claim: `status` of `vulnerability` for `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexStatement {
    /// The vulnerability id as the document gives it (`CVE-…`, `GHSA-…`, …).
    pub vulnerability: String,
    /// Other ids the document links to `vulnerability`.
    pub aliases: Vec<String>,
    /// The normalised product id (purl, `sha256:` digest, CPE or id as given), with
    /// `#subcomponent` appended for OpenVEX subcomponents.
    pub target: String,
    /// The product reference exactly as written (bom-ref, CSAF product id, `@id`).
    pub product_ref: String,
    /// The mapped status.
    pub status: Status,
    /// The status as written (`exploitable`, `known_affected`, …); `None` when absent.
    pub raw_status: Option<String>,
    /// Why not affected: OpenVEX/CycloneDX `justification`, CSAF flag label.
    pub justification: Option<String>,
    /// OpenVEX `impact_statement`, CycloneDX `analysis.detail`, CSAF impact threat.
    pub impact: Option<String>,
    /// OpenVEX `action_statement`, CycloneDX responses and recommendation, CSAF remediations.
    pub action: Option<String>,
    /// When the claim was made: the statement's own timestamp, else the document's.
    #[serde(serialize_with = "serialize_timestamp")]
    pub timestamp: Option<DateTime<Utc>>,
    /// RFC 6901 pointer of the most specific element this statement was read from.
    pub pointer: String,
}

/// One parsed VEX document, before any trust decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexDocument {
    /// The format the document was read as.
    pub format: VexFormat,
    /// Document id: OpenVEX `@id`, CSAF `tracking.id`, CycloneDX `serialNumber`.
    pub id: Option<String>,
    /// SPEC §3 issuer: OpenVEX `author`, CSAF `publisher.name`, CycloneDX supplier/manufacturer/author.
    pub issuer: Option<String>,
    /// CSAF `publisher.namespace`.
    pub issuer_namespace: Option<String>,
    /// The raw claim behind `self_declared`: OpenVEX `role` or CSAF `publisher.category`.
    pub issuer_role: Option<String>,
    /// Authority rule 2 (the document's own claim); `None` when it makes none.
    pub self_declared: Option<Authority>,
    /// Document time: OpenVEX `timestamp`, CSAF `current_release_date`, CycloneDX `metadata.timestamp`.
    #[serde(serialize_with = "serialize_timestamp")]
    pub timestamp: Option<DateTime<Utc>>,
    /// The statements that could be read, one per (vulnerability, target).
    pub statements: Vec<VexStatement>,
}

/// Parses an RFC 3339 date-time into UTC.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The normalised RFC 3339 spelling: UTC, `Z`, only as many fraction digits as needed.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Serialises an optional timestamp in its normalised RFC 3339 spelling (or `null`).
pub(crate) fn serialize_timestamp<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_timestamp(t)),
        None => s.serialize_none(),
    }
}

/// The self-declared authority of an OpenVEX `role` (SPEC §3 Authority rule 2).
pub fn authority_from_openvex_role(role: &str) -> Option<Authority> {
    let role = role.trim().to_ascii_lowercase();
    if role.is_empty() {
        None
    } else if role.contains("vendor") {
        Some(Authority::Vendor)
    } else if role.contains("maintainer") {
        Some(Authority::Maintainer)
    } else {
        Some(Authority::ThirdParty)
    }
}

/// The self-declared authority of a CSAF `publisher.category` (SPEC §3 Authority rule 2).
pub fn authority_from_csaf_category(category: &str) -> Option<Authority> {
    match category.trim() {
        "" => None,
        "vendor" => Some(Authority::Vendor),
        _ => Some(Authority::ThirdParty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_order_is_the_specified_one() {
        let mut shuffled = vec![
            Status::Affected,
            Status::Unknown,
            Status::NotAffected,
            Status::UnderInvestigation,
            Status::Fixed,
        ];
        shuffled.sort_by(|a, b| b.cmp(a));
        assert_eq!(shuffled, Status::ALL.to_vec());
        assert!(Status::NotAffected > Status::Fixed);
        assert!(Status::Affected > Status::Unknown);
    }

    #[test]
    fn serde_spelling_is_stable() {
        for s in Status::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Status::UnderInvestigation.as_str(), "under_investigation");
        assert_eq!(
            serde_json::to_string(&VexFormat::CycloneDx).unwrap(),
            "\"cyclonedx\""
        );
    }

    #[test]
    fn openvex_table() {
        assert_eq!(
            Status::from_openvex("not_affected"),
            Some(Status::NotAffected)
        );
        assert_eq!(Status::from_openvex("fixed"), Some(Status::Fixed));
        assert_eq!(
            Status::from_openvex("under_investigation"),
            Some(Status::UnderInvestigation)
        );
        assert_eq!(Status::from_openvex("affected"), Some(Status::Affected));
        assert_eq!(Status::from_openvex("Affected"), None);
        assert_eq!(Status::from_openvex("exploitable"), None);
    }

    #[test]
    fn cyclonedx_table() {
        let table = [
            ("not_affected", Status::NotAffected),
            ("false_positive", Status::NotAffected),
            ("resolved", Status::Fixed),
            ("resolved_with_pedigree", Status::Fixed),
            ("in_triage", Status::UnderInvestigation),
            ("exploitable", Status::Affected),
        ];
        for (raw, status) in table {
            assert_eq!(Status::from_cyclonedx(raw), Some(status), "{raw}");
        }
        assert_eq!(Status::from_cyclonedx("affected"), None);
        assert_eq!(Status::from_cyclonedx("fixed"), None);
    }

    #[test]
    fn csaf_table() {
        let table = [
            ("known_not_affected", Status::NotAffected),
            ("fixed", Status::Fixed),
            ("first_fixed", Status::Fixed),
            ("under_investigation", Status::UnderInvestigation),
            ("known_affected", Status::Affected),
            ("first_affected", Status::Affected),
            ("last_affected", Status::Affected),
        ];
        for (raw, status) in table {
            assert_eq!(Status::from_csaf(raw), Some(status), "{raw}");
        }
        assert_eq!(Status::from_csaf("recommended"), None);
        assert_eq!(Status::from_csaf("not_affected"), None);
    }

    #[test]
    fn self_declared_roles_and_categories() {
        assert_eq!(
            authority_from_openvex_role("Software Vendor"),
            Some(Authority::Vendor)
        );
        assert_eq!(
            authority_from_openvex_role("maintainer"),
            Some(Authority::Maintainer)
        );
        assert_eq!(
            authority_from_openvex_role("Document Creator"),
            Some(Authority::ThirdParty)
        );
        assert_eq!(authority_from_openvex_role("  "), None);
        assert_eq!(
            authority_from_csaf_category("vendor"),
            Some(Authority::Vendor)
        );
        assert_eq!(
            authority_from_csaf_category("coordinator"),
            Some(Authority::ThirdParty)
        );
        assert_eq!(authority_from_csaf_category(""), None);
    }

    #[test]
    fn timestamps_normalise_to_utc() {
        let t = parse_timestamp("2023-12-04T21:55:19.945014473-06:00").unwrap();
        assert_eq!(format_timestamp(&t), "2023-12-05T03:55:19.945014473Z");
        let t = parse_timestamp("2022-01-01T00:00:00.000Z").unwrap();
        assert_eq!(format_timestamp(&t), "2022-01-01T00:00:00Z");
        assert_eq!(parse_timestamp("2022-01-01"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
