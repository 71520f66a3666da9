//! SPDX 2.3 JSON SBOMs (2.2 accepted with `WARN_SPDX_VERSION`): packages, purl external refs,
//! checksums, licences, supplier and relationships.

use super::{hash_alg_name, Component, Ctx, Sbom, SbomFormat};
use crate::diag::{pointer_join, Code};
use crate::json::tape::{Kind, J};
use crate::pipeline::normalise::normalise_purl;

/// How an SPDX relationship maps onto graph edges.
enum Rel {
    DependsOn { reversed: bool },
    Includes { reversed: bool },
    Describes { reversed: bool },
}

fn relationship(kind: &str) -> Option<Rel> {
    Some(match kind {
        "DEPENDS_ON" | "DYNAMIC_LINK" | "STATIC_LINK" => Rel::DependsOn { reversed: false },
        "DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF"
        | "DEV_DEPENDENCY_OF"
        | "BUILD_DEPENDENCY_OF"
        | "TEST_DEPENDENCY_OF"
        | "OPTIONAL_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF" => Rel::DependsOn { reversed: true },
        "CONTAINS" => Rel::Includes { reversed: false },
        "CONTAINED_BY" => Rel::Includes { reversed: true },
        "DESCRIBES" => Rel::Describes { reversed: false },
        "DESCRIBED_BY" => Rel::Describes { reversed: true },
        _ => return None,
    })
}

/// Collects an SPDX document. Returns `None` when its version or shape rules it out.
pub fn collect(ctx: &mut Ctx, doc: J<'_, '_>) -> Option<Sbom> {
    if !doc.is_object() {
        ctx.schema("", "an SPDX document must be a JSON object");
        return None;
    }
    let version = check_version(ctx, doc)?;
    check_document_fields(ctx, doc);
    let strict_22 = version == "SPDX-2.2";
    let mut sbom = Sbom {
        format: SbomFormat::Spdx,
        spec_version: version.trim_start_matches("SPDX-").to_string(),
        name: doc.get("name").and_then(J::as_str).map(str::to_string),
        components: Vec::new(),
        described: Vec::new(),
        dependencies: Vec::new(),
        includes: Vec::new(),
    };
    for (i, p) in ctx.optional_array(doc, "", "packages").enumerate() {
        if let Some(c) = collect_package(ctx, p, &format!("/packages/{i}"), strict_22) {
            sbom.components.push(c);
        }
    }
    let known = super::first_indices(&sbom.components);
    for (i, d) in ctx.optional_array(doc, "", "documentDescribes").enumerate() {
        match d.as_str() {
            Some(r) if known.contains_key(r) => sbom.described.push(r.to_string()),
            Some(_) => {} // describes a file or an external element: not a component
            None => ctx.schema(
                format!("/documentDescribes/{i}"),
                "`documentDescribes` entries must be strings",
            ),
        }
    }
    let mut pairs = Pairs::default();
    collect_relationships(ctx, doc, &known, &mut sbom.described, &mut pairs);
    sbom.dependencies = pairs.dependencies;
    sbom.includes = pairs.includes;
    sbom.described.sort();
    sbom.described.dedup();
    Some(sbom)
}

fn check_version(ctx: &mut Ctx, doc: J<'_, '_>) -> Option<String> {
    match doc.get("spdxVersion").map(|v| (v, v.kind())) {
        Some((_, Kind::String(v))) if v == "SPDX-2.3" => Some(v.to_string()),
        Some((_, Kind::String(v))) if v == "SPDX-2.2" => {
            ctx.report(
                Code::WarnSpdxVersion,
                "/spdxVersion",
                "SPDX-2.2 is accepted; SPDX-2.3 is the supported version",
            );
            Some(v.to_string())
        }
        Some((_, Kind::String(v))) => {
            ctx.schema(
                "/spdxVersion",
                format!("unsupported spdxVersion {v:?} (SPDX-2.3, or 2.2 with a warning)"),
            );
            None
        }
        Some((other, _)) => {
            ctx.schema(
                "/spdxVersion",
                format!(
                    "`spdxVersion` must be a string like \"SPDX-2.3\", found {}",
                    other.type_name()
                ),
            );
            None
        }
        None => {
            ctx.schema("/spdxVersion", "required field `spdxVersion` is missing");
            None
        }
    }
}

fn check_document_fields(ctx: &mut Ctx, doc: J<'_, '_>) {
    if let Some(id) = ctx.required_str(doc, "", "SPDXID") {
        if id != "SPDXRef-DOCUMENT" {
            ctx.schema(
                "/SPDXID",
                format!("document SPDXID must be \"SPDXRef-DOCUMENT\", found {id:?}"),
            );
        }
    }
    ctx.required_str(doc, "", "name");
    ctx.required_str(doc, "", "documentNamespace");
    let Some(info) = doc.get("creationInfo") else {
        ctx.schema("/creationInfo", "required field `creationInfo` is missing");
        return;
    };
    if let Some(created) = ctx.required_str(info, "/creationInfo", "created") {
        if chrono::DateTime::parse_from_rfc3339(created).is_err() {
            ctx.schema(
                "/creationInfo/created",
                format!("`created` {created:?} is not an RFC 3339 date-time"),
            );
        }
    }
    match info.get("creators") {
        Some(creators)
            if creators
                .as_array()
                .is_some_and(|mut cs| cs.next().is_some()) =>
        {
            for (i, c) in creators.as_array().into_iter().flatten().enumerate() {
                if c.as_str().is_none() {
                    ctx.schema(
                        format!("/creationInfo/creators/{i}"),
                        format!(
                            "creators must be strings like \"Tool: x\", found {}",
                            c.type_name()
                        ),
                    );
                }
            }
        }
        _ => ctx.schema(
            "/creationInfo/creators",
            "`creators` must be a non-empty array of strings",
        ),
    }
}

fn collect_package(
    ctx: &mut Ctx,
    p: J<'_, '_>,
    pointer: &str,
    strict_22: bool,
) -> Option<Component> {
    if !p.is_object() {
        ctx.schema(
            pointer,
            format!("a package must be an object, found {}", p.type_name()),
        );
        return None;
    }
    let id = ctx.required_str(p, pointer, "SPDXID");
    let name = ctx.required_str(p, pointer, "name");
    ctx.required_str(p, pointer, "downloadLocation");
    if strict_22 {
        ctx.required_str(p, pointer, "licenseConcluded");
        ctx.required_str(p, pointer, "copyrightText");
    }
    let (id, name) = (id?, name?);
    Some(Component {
        local_ref: id.to_string(),
        name: name.to_string(),
        version: ctx
            .optional_str(p, pointer, "versionInfo")
            .map(str::to_string),
        group: None,
        purl: collect_purl(ctx, p, pointer),
        component_type: ctx
            .optional_str(p, pointer, "primaryPackagePurpose")
            .map(|s| s.to_ascii_lowercase()),
        hashes: collect_checksums(ctx, p, pointer),
        licenses: collect_licenses(p),
        supplier: ctx
            .optional_str(p, pointer, "supplier")
            .and_then(strip_actor),
        pointer: pointer.to_string(),
    })
}

fn collect_purl(ctx: &mut Ctx, p: J<'_, '_>, pointer: &str) -> Option<String> {
    for (i, r) in ctx.optional_array(p, pointer, "externalRefs").enumerate() {
        let is_purl = r.get("referenceType").and_then(J::as_str) == Some("purl");
        let Some(locator) = r
            .get("referenceLocator")
            .and_then(J::as_str)
            .filter(|_| is_purl)
        else {
            continue;
        };
        return match normalise_purl(locator) {
            Ok(p) => Some(p),
            Err(e) => {
                ctx.schema(
                    format!("{pointer}/externalRefs/{i}/referenceLocator"),
                    format!("purl {locator:?} does not parse: {e}"),
                );
                Some(locator.to_string())
            }
        };
    }
    None
}

fn collect_checksums(ctx: &mut Ctx, p: J<'_, '_>, pointer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in ctx.optional_array(p, pointer, "checksums").enumerate() {
        let cp = format!("{pointer}/checksums/{i}");
        if let (Some(alg), Some(value)) = (
            ctx.required_str(c, &cp, "algorithm"),
            ctx.required_str(c, &cp, "checksumValue"),
        ) {
            if value.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push(format!(
                    "{}:{}",
                    hash_alg_name(alg),
                    value.to_ascii_lowercase()
                ));
            } else {
                ctx.schema(
                    pointer_join(&cp, "checksumValue"),
                    format!("checksum {value:?} is not hex"),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn collect_licenses(p: J<'_, '_>) -> Vec<String> {
    let mut out: Vec<String> = ["licenseConcluded", "licenseDeclared"]
        .iter()
        .filter_map(|k| p.get(k).and_then(J::as_str))
        .filter(|l| !matches!(*l, "NOASSERTION" | "NONE" | ""))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `Organization: Acme` → `Acme`; `NOASSERTION` → none.
fn strip_actor(s: &str) -> Option<String> {
    let name = s.split_once(':').map(|(_, n)| n).unwrap_or(s).trim();
    (!name.is_empty() && s != "NOASSERTION").then(|| name.to_string())
}

/// Component-index pairs found in `relationships[]`.
#[derive(Default)]
struct Pairs {
    dependencies: Vec<(u32, u32)>,
    includes: Vec<(u32, u32)>,
}

fn collect_relationships(
    ctx: &mut Ctx,
    doc: J<'_, '_>,
    known: &super::RefIndex<'_>,
    described: &mut Vec<String>,
    pairs: &mut Pairs,
) {
    for (i, r) in ctx.optional_array(doc, "", "relationships").enumerate() {
        let rp = format!("/relationships/{i}");
        let (Some(a), Some(kind), Some(b)) = (
            ctx.required_str(r, &rp, "spdxElementId"),
            ctx.required_str(r, &rp, "relationshipType"),
            ctx.required_str(r, &rp, "relatedSpdxElement"),
        ) else {
            continue;
        };
        match relationship(kind) {
            Some(Rel::Describes { reversed }) => {
                let target = if reversed { a } else { b };
                if known.contains_key(target) {
                    described.push(target.to_string());
                }
            }
            Some(Rel::DependsOn { reversed }) => {
                push_pair(&mut pairs.dependencies, known, a, b, reversed)
            }
            Some(Rel::Includes { reversed }) => {
                push_pair(&mut pairs.includes, known, a, b, reversed)
            }
            None => {}
        }
    }
}

fn push_pair(
    out: &mut Vec<(u32, u32)>,
    known: &super::RefIndex<'_>,
    a: &str,
    b: &str,
    reversed: bool,
) {
    let (from, to) = if reversed { (b, a) } else { (a, b) };
    if let (Some(&from), Some(&to)) = (known.get(from), known.get(to)) {
        out.push((from, to));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use serde_json::Value;

    fn doc(version: &str) -> Value {
        json!({
            "spdxVersion": version, "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/1",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
            "packages": [
                {"SPDXID": "SPDXRef-app", "name": "app", "downloadLocation": "NOASSERTION",
                 "licenseConcluded": "MIT", "copyrightText": "NONE",
                 "checksums": [{"algorithm": "SHA256", "checksumValue": "AA".repeat(32)}]},
                {"SPDXID": "SPDXRef-lib", "name": "lib", "versionInfo": "1", "downloadLocation": "NOASSERTION",
                 "licenseConcluded": "NOASSERTION", "copyrightText": "NONE",
                 "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:PyPI/Lib_X@1"}]}
            ],
            "relationships": [
                {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"},
                {"spdxElementId": "SPDXRef-lib", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app"}
            ]
        })
    }

    #[test]
    fn packages_relationships_and_purls() {
        let mut ctx = Ctx::new("s.json");
        let sbom =
            crate::json::tape::with_value(&doc("SPDX-2.3"), |j| collect(&mut ctx, j)).unwrap();
        assert!(ctx.diagnostics.is_empty(), "{:?}", ctx.diagnostics);
        assert_eq!(sbom.described, ["SPDXRef-app"]);
        assert_eq!(sbom.dependencies, [(0, 1)], "app depends on lib");
        assert_eq!(sbom.components[1].purl.as_deref(), Some("pkg:pypi/lib-x@1"));
        assert_eq!(
            sbom.components[0].hashes,
            [format!("sha256:{}", "aa".repeat(32))]
        );
    }

    #[test]
    fn spdx_22_is_accepted_with_a_warning() {
        let mut ctx = Ctx::new("s.json");
        assert!(
            crate::json::tape::with_value(&doc("SPDX-2.2"), |j| collect(&mut ctx, j)).is_some()
        );
        assert_eq!(ctx.diagnostics.len(), 1);
        assert_eq!(ctx.diagnostics[0].code, Code::WarnSpdxVersion);
    }

    #[test]
    fn numeric_version_is_a_schema_error() {
        let mut d = doc("x");
        d["spdxVersion"] = json!(2);
        let mut ctx = Ctx::new("s.json");
        assert!(crate::json::tape::with_value(&d, |j| collect(&mut ctx, j)).is_none());
        assert_eq!(ctx.diagnostics[0].pointer, "/spdxVersion");
    }
}
