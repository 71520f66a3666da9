//! CycloneDX 1.4–1.7 JSON SBOMs: components (nested), hashes, purls, bom-refs, licences,
//! supplier, dependencies. Older versions load through the same path with a legacy warning.

use super::{hash_alg_name, Component, Ctx, Sbom, SbomFormat};
use crate::diag::{pointer_join, Code};
use crate::json::tape::{Kind, J};
use crate::pipeline::normalise::normalise_purl;

const SUPPORTED: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];
const LEGACY: [&str; 4] = ["1.0", "1.1", "1.2", "1.3"];

/// Component types across 1.4–1.7 (a document may use any type its version defines).
const COMPONENT_TYPES: [&str; 13] = [
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];
const SCOPES: [&str; 3] = ["required", "optional", "excluded"];

/// Collects a CycloneDX document. Returns `None` only when it is not CycloneDX at all.
pub fn collect(ctx: &mut Ctx, doc: J<'_, '_>) -> Option<Sbom> {
    if !doc.is_object() {
        ctx.schema("", "a CycloneDX document must be a JSON object");
        return None;
    }
    match doc.get("bomFormat").and_then(J::as_str) {
        Some("CycloneDX") => {}
        Some(other) => {
            ctx.schema(
                "/bomFormat",
                format!("`bomFormat` must be \"CycloneDX\", found {other:?}"),
            );
            return None;
        }
        None => {
            ctx.schema(
                "/bomFormat",
                "required field `bomFormat` is missing or not a string",
            );
            return None;
        }
    }
    let spec_version = check_spec_version(ctx, doc)?;
    check_serial_number(ctx, doc);
    let mut sbom = Sbom {
        format: SbomFormat::Cyclonedx,
        spec_version,
        name: None,
        components: Vec::new(),
        described: Vec::new(),
        dependencies: Vec::new(),
        includes: Vec::new(),
    };
    if let Some(meta) = doc.get("metadata") {
        collect_metadata(ctx, meta, &mut sbom);
    }
    let mut nesting = Vec::new();
    for (i, c) in ctx.optional_array(doc, "", "components").enumerate() {
        let pointer = format!("/components/{i}");
        collect_component(ctx, c, &pointer, None, &mut sbom, &mut nesting);
    }
    let first = super::first_indices(&sbom.components);
    // Each nested component's pair, through the first component with the same ref.
    let by_ref = |i: u32| first[sbom.components[i as usize].local_ref.as_str()];
    sbom.includes = nesting
        .iter()
        .map(|&(p, c)| (by_ref(p), by_ref(c)))
        .collect();
    sbom.dependencies = collect_dependencies(ctx, doc, &first);
    Some(sbom)
}

fn check_spec_version(ctx: &mut Ctx, doc: J<'_, '_>) -> Option<String> {
    let v = ctx.required_str(doc, "", "specVersion")?;
    if LEGACY.contains(&v) {
        ctx.report(
            Code::WarnFormatLegacy,
            "/specVersion",
            format!("CycloneDX {v} is a legacy version; read with the 1.4 rules"),
        );
    } else if !SUPPORTED.contains(&v) {
        ctx.schema(
            "/specVersion",
            format!("unsupported CycloneDX specVersion {v:?} (1.4–1.7 are supported)"),
        );
        return None;
    }
    Some(v.to_string())
}

fn check_serial_number(ctx: &mut Ctx, doc: J<'_, '_>) {
    if let Some(serial) = ctx.optional_str(doc, "", "serialNumber") {
        if !is_uuid_urn(serial) {
            ctx.schema(
                "/serialNumber",
                format!("`serialNumber` {serial:?} is not an RFC 4122 `urn:uuid:` URN"),
            );
        }
    }
}

/// `urn:uuid:` followed by 8-4-4-4-12 hex digits.
fn is_uuid_urn(s: &str) -> bool {
    let Some(uuid) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn collect_metadata(ctx: &mut Ctx, meta: J<'_, '_>, sbom: &mut Sbom) {
    if let Some(ts) = ctx.optional_str(meta, "/metadata", "timestamp") {
        if chrono::DateTime::parse_from_rfc3339(ts).is_err() {
            ctx.schema(
                "/metadata/timestamp",
                format!("`metadata.timestamp` {ts:?} is not an RFC 3339 date-time"),
            );
        }
    }
    if let Some(root) = meta.get("component") {
        let before = sbom.components.len();
        let mut nesting = Vec::new();
        collect_component(ctx, root, "/metadata/component", None, sbom, &mut nesting);
        if sbom.components.len() > before {
            let root_ref = sbom.components[before].local_ref.clone();
            sbom.name = Some(sbom.components[before].name.clone());
            sbom.described.push(root_ref);
        }
    }
}

/// Collects a component and its nested ones; `nesting` gets `(parent, child)` indices.
fn collect_component(
    ctx: &mut Ctx,
    c: J<'_, '_>,
    pointer: &str,
    parent: Option<u32>,
    sbom: &mut Sbom,
    nesting: &mut Vec<(u32, u32)>,
) {
    if !c.is_object() {
        ctx.schema(
            pointer,
            format!("a component must be an object, found {}", c.type_name()),
        );
        return;
    }
    check_component_type(ctx, c, pointer);
    if let Some(scope) = ctx.optional_str(c, pointer, "scope") {
        if !SCOPES.contains(&scope) {
            ctx.schema(
                pointer_join(pointer, "scope"),
                format!("scope {scope:?} is not one of required, optional, excluded"),
            );
        }
    }
    let Some(name) = ctx.required_str(c, pointer, "name") else {
        return;
    };
    let local_ref = ctx
        .optional_str(c, pointer, "bom-ref")
        .map(str::to_string)
        .unwrap_or_else(|| pointer.to_string());
    let component = Component {
        local_ref,
        name: name.to_string(),
        version: ctx.optional_str(c, pointer, "version").map(str::to_string),
        group: ctx
            .optional_str(c, pointer, "group")
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        purl: collect_purl(ctx, c, pointer),
        component_type: c.get("type").and_then(J::as_str).map(str::to_string),
        hashes: collect_hashes(ctx, c, pointer),
        licenses: collect_licenses(ctx, c, pointer),
        supplier: c
            .get("supplier")
            .and_then(|s| s.get("name"))
            .and_then(J::as_str)
            .map(str::to_string),
        pointer: pointer.to_string(),
    };
    let index = sbom.components.len() as u32;
    sbom.components.push(component);
    if let Some(parent) = parent {
        nesting.push((parent, index));
    }
    for (i, child) in ctx.optional_array(c, pointer, "components").enumerate() {
        collect_component(
            ctx,
            child,
            &format!("{pointer}/components/{i}"),
            Some(index),
            sbom,
            nesting,
        );
    }
}

fn check_component_type(ctx: &mut Ctx, c: J<'_, '_>, pointer: &str) {
    match c.get("type").map(|t| (t, t.kind())) {
        Some((_, Kind::String(t))) if COMPONENT_TYPES.contains(&t) => {}
        Some((_, Kind::String(t))) => ctx.schema(
            pointer_join(pointer, "type"),
            format!("component type {t:?} is not a CycloneDX component type"),
        ),
        Some((other, _)) => ctx.schema(
            pointer_join(pointer, "type"),
            format!(
                "component `type` must be a string, found {}",
                other.type_name()
            ),
        ),
        None => ctx.schema(
            pointer_join(pointer, "type"),
            "required field `type` is missing",
        ),
    }
}

fn collect_purl(ctx: &mut Ctx, c: J<'_, '_>, pointer: &str) -> Option<String> {
    let purl = ctx.optional_str(c, pointer, "purl")?;
    match normalise_purl(purl) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.schema(
                pointer_join(pointer, "purl"),
                format!("purl {purl:?} does not parse: {e}"),
            );
            Some(purl.to_string())
        }
    }
}

fn collect_hashes(ctx: &mut Ctx, c: J<'_, '_>, pointer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, h) in ctx.optional_array(c, pointer, "hashes").enumerate() {
        let hp = format!("{pointer}/hashes/{i}");
        let (Some(alg), Some(content)) = (
            ctx.required_str(h, &hp, "alg"),
            ctx.required_str(h, &hp, "content"),
        ) else {
            continue;
        };
        if !is_hash_content(content) {
            ctx.schema(
                format!("{hp}/content"),
                format!(
                    "hash content {content:?} for {alg} is not 32, 40, 64, 96 or 128 hex digits"
                ),
            );
            continue;
        }
        out.push(format!(
            "{}:{}",
            hash_alg_name(alg),
            content.to_ascii_lowercase()
        ));
    }
    out.sort();
    out.dedup();
    out
}

fn is_hash_content(s: &str) -> bool {
    matches!(s.len(), 32 | 40 | 64 | 96 | 128) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn collect_licenses(ctx: &mut Ctx, c: J<'_, '_>, pointer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, entry) in ctx.optional_array(c, pointer, "licenses").enumerate() {
        let lp = format!("{pointer}/licenses/{i}");
        let license = entry.get("license");
        let expression = entry.get("expression").and_then(J::as_str);
        match (license, expression) {
            (Some(_), Some(_)) => ctx.schema(
                lp,
                "a licence choice has both `license` and `expression`; it must have exactly one",
            ),
            (Some(l), None) => {
                if let Some(id) = l.get("id").or_else(|| l.get("name")).and_then(J::as_str) {
                    out.push(id.to_string());
                }
            }
            (None, Some(e)) => out.push(e.to_string()),
            (None, None) => ctx.schema(lp, "a licence choice needs `license` or `expression`"),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `(from, to)` component indices of `dependencies[]`; refs to no component are left out.
fn collect_dependencies(
    ctx: &mut Ctx,
    doc: J<'_, '_>,
    first: &super::RefIndex<'_>,
) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (i, dep) in ctx.optional_array(doc, "", "dependencies").enumerate() {
        let dp = format!("/dependencies/{i}");
        let Some(from) = ctx.required_str(dep, &dp, "ref") else {
            continue;
        };
        for (j, to) in ctx.optional_array(dep, &dp, "dependsOn").enumerate() {
            match to.as_str() {
                Some(to) if !to.is_empty() => {
                    if let (Some(&f), Some(&t)) = (first.get(from), first.get(to)) {
                        out.push((f, t));
                    }
                }
                _ => ctx.schema(
                    format!("{dp}/dependsOn/{j}"),
                    "`dependsOn` entries must be non-empty strings",
                ),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use serde_json::Value;

    fn run(doc: Value) -> (Option<Sbom>, Vec<crate::diag::Diagnostic>) {
        let mut ctx = Ctx::new("t.json");
        let sbom = crate::json::tape::with_value(&doc, |j| collect(&mut ctx, j));
        (sbom, ctx.diagnostics)
    }

    #[test]
    fn nested_components_dependencies_and_hashes() {
        let (sbom, diags) = run(json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
            "components": [{"type": "library", "name": "a", "bom-ref": "a", "purl": "pkg:NPM/a@1",
                            "hashes": [{"alg": "SHA-256", "content": "AB".repeat(32)}],
                            "licenses": [{"license": {"id": "MIT"}}],
                            "components": [{"type": "library", "name": "b", "version": "2"}]}],
            "dependencies": [{"ref": "app", "dependsOn": ["a"]}]
        }));
        assert!(diags.is_empty(), "{diags:?}");
        let sbom = sbom.unwrap();
        assert_eq!(sbom.components.len(), 3);
        assert_eq!(sbom.described, ["app"]);
        assert_eq!(sbom.components[1].purl.as_deref(), Some("pkg:npm/a@1"));
        assert_eq!(
            sbom.components[1].hashes,
            [format!("sha256:{}", "ab".repeat(32))]
        );
        let refs = |pairs: &[(u32, u32)]| -> Vec<(String, String)> {
            let local = |i: u32| sbom.components[i as usize].local_ref.clone();
            pairs.iter().map(|&(a, b)| (local(a), local(b))).collect()
        };
        assert_eq!(
            refs(&sbom.includes),
            [("a".to_string(), "/components/0/components/0".to_string())]
        );
        assert_eq!(
            refs(&sbom.dependencies),
            [("app".to_string(), "a".to_string())]
        );
    }

    #[test]
    fn schema_problems_are_located() {
        let (_, diags) = run(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:1",
            "components": [{"type": "foo", "name": "x", "scope": "bar", "hashes": [{"alg": "MD5", "content": "foo"}]}]}),
        );
        let pointers: Vec<&str> = diags.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/serialNumber",
                "/components/0/type",
                "/components/0/scope",
                "/components/0/hashes/0/content"
            ]
        );
        assert!(diags.iter().all(|d| d.code == Code::DocSchema));
    }

    #[test]
    fn wrong_bom_format_is_a_schema_error() {
        let (sbom, diags) = run(json!({"bomFormat": "AnotherFormat", "specVersion": "1.6"}));
        assert!(sbom.is_none());
        assert_eq!(diags[0].pointer, "/bomFormat");
    }
}
