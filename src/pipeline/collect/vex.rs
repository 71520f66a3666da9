//! VEX documents (OpenVEX, CSAF, CycloneDX `vulnerabilities[].analysis`) through the readers of
//! [`crate::vex`], and the bundle's own `trust.json`.
//!
//! The readers leave a diagnostic's `file` empty; here it becomes the file being collected, and
//! pointers stay relative to the document (a carried document's pointers are prefixed with
//! `/payload/predicate` by the DSSE collector).

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::json::tape::J;
use crate::trust::TrustPolicy;
use crate::vex::{self, VexDocument, VexFormat};
use serde_json::Value;

/// Reads a VEX document of a known format, moving the reader's diagnostics into `ctx`.
pub fn collect(ctx: &mut Ctx, format: VexFormat, value: &Value) -> Option<VexDocument> {
    let (doc, diagnostics) = vex::parse(format, value);
    let file = ctx.file.clone();
    ctx.diagnostics
        .extend(diagnostics.into_iter().map(|d| Diagnostic {
            file: file.clone(),
            ..d
        }));
    doc
}

/// A CycloneDX BOM is VEX when one of its `vulnerabilities[]` carries `analysis` (SPEC §1).
pub fn is_cyclonedx_vex(bom: J<'_, '_>) -> bool {
    bom.get("vulnerabilities")
        .and_then(J::as_array)
        .is_some_and(|mut list| list.any(|v| v.get("analysis").is_some()))
}

/// A CycloneDX BOM is an SBOM unless it is VEX and lists no `components` at all: a VEX-only
/// BOM names its product in `metadata.component`, which does not make it an inventory.
pub fn is_cyclonedx_sbom(bom: J<'_, '_>) -> bool {
    let has_components = bom
        .get("components")
        .and_then(J::as_array)
        .is_some_and(|mut c| c.next().is_some());
    has_components || !is_cyclonedx_vex(bom)
}

/// Reads the bundle-root `trust.json`. It is applied, but marked self-asserted
/// (`WARN_TRUST_SELF_ASSERTED`); a policy with any error is not applied at all (fail closed).
pub fn collect_trust_policy(ctx: &mut Ctx, value: &Value) -> Option<TrustPolicy> {
    match TrustPolicy::from_value(value) {
        Ok(policy) => {
            ctx.report(
                Code::WarnTrustSelfAsserted,
                "",
                "trust.json inside the bundle is applied, but only as a self-asserted claim: \
                 authorities it gives are reported as self-declared; pin keys with --trust FILE",
            );
            Some(policy)
        }
        Err(errors) => {
            let file = ctx.file.clone();
            ctx.diagnostics
                .extend(errors.into_iter().map(|d| Diagnostic {
                    file: file.clone(),
                    ..d
                }));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::tape::with_value;
    use serde_json::json;

    #[test]
    fn cyclonedx_roles() {
        let vex =
            json!({"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "x", "analysis": {}}]});
        assert!(with_value(&vex, |j| is_cyclonedx_vex(j) && !is_cyclonedx_sbom(j)));
        let both = json!({"bomFormat": "CycloneDX", "components": [{"name": "a"}],
                          "vulnerabilities": [{"id": "x", "analysis": {"state": "in_triage"}}]});
        assert!(with_value(&both, |j| is_cyclonedx_vex(j) && is_cyclonedx_sbom(j)));
        let vdr = json!({"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "x"}]});
        assert!(with_value(&vdr, |j| !is_cyclonedx_vex(j) && is_cyclonedx_sbom(j)));
    }

    #[test]
    fn reader_diagnostics_get_the_file() {
        let mut ctx = Ctx::new("vex/a.json");
        let doc = json!({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a",
                         "timestamp": "2024-01-01T00:00:00Z", "version": 1,
                         "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "p"}], "status": "bogus"}]});
        let parsed = collect(&mut ctx, VexFormat::OpenVex, &doc).unwrap();
        assert_eq!(parsed.statements.len(), 1);
        let d = &ctx.diagnostics[0];
        assert_eq!((d.code, d.file.as_str()), (Code::VexStatus, "vex/a.json"));
        assert_eq!(d.pointer, "/statements/0/status");
    }

    #[test]
    fn a_broken_trust_json_is_not_applied() {
        let mut ctx = Ctx::new("trust.json");
        assert!(collect_trust_policy(&mut ctx, &json!({"issuers": [{"match": {}}]})).is_none());
        assert!(ctx
            .diagnostics
            .iter()
            .all(|d| d.code == Code::TrustPolicy && d.file == "trust.json"));
        let mut ctx = Ctx::new("trust.json");
        assert!(collect_trust_policy(&mut ctx, &json!({"issuers": []})).is_some());
        assert_eq!(ctx.diagnostics[0].code, Code::WarnTrustSelfAsserted);
    }
}
