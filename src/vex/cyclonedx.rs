//! CycloneDX VEX reader (SPEC §3): `vulnerabilities[].id` (+ `references[].id` as aliases),
//! `affects[].ref` resolved through `bom-ref` to a purl where possible.
//!
//! Policies:
//! - A `ref` naming a `bom-ref` of this document (components at any depth, `metadata.component`,
//!   services) becomes that component's purl, else the ref itself. A ref matching no `bom-ref`
//!   is `ERR_VEX_PRODUCT_UNRESOLVED` and kept as given.
//! - A BOM-Link (`urn:cdx:<serial>/<version>#<bom-ref>`) into *this* document is resolved like
//!   a plain ref. A BOM-Link into another document is kept verbatim as the target, without a
//!   diagnostic; the caller, which sees every document, may rewrite it with
//!   [`resolve_bom_link`] and report the links it cannot resolve.
//! - `affects[].versions` ranges are not part of the target.
//! - A vulnerability without `affects` is valid CycloneDX but names no product: it is dropped
//!   with an *info* `ERR_VEX_STATEMENT` (nothing to merge, nothing wrong with the document).
//! - A missing `analysis.state` is `Unknown` without a diagnostic (the table says so); a state
//!   outside the table is `ERR_VEX_STATUS`.

use super::fields::{self, text, Diags, Need};
use super::statement::{Status, VexDocument, VexFormat, VexStatement};
use super::target::normalize_target;
use crate::diag::{pointer_join, Code, Diagnostic, Severity};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Reads the VEX content of a CycloneDX BOM. A BOM without `vulnerabilities` is a document
/// with no statements. `None` only when the value is not a CycloneDX BOM.
pub fn parse(value: &Value) -> (Option<VexDocument>, Vec<Diagnostic>) {
    let mut diags = Diags::default();
    let doc = read_document(value, &mut diags);
    (doc, diags.0)
}

/// The parts of a BOM-Link `urn:cdx:<serial>/<version>[#<bom-ref>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomLink {
    /// The serial number's UUID, lowercase, without `urn:uuid:`.
    pub serial: String,
    /// The BOM version the link names.
    pub version: u64,
    /// The percent-decoded fragment; `None` for a link to the whole BOM.
    pub bom_ref: Option<String>,
}

/// Parses a BOM-Link; `None` if `link` is not one.
pub fn parse_bom_link(link: &str) -> Option<BomLink> {
    let rest = strip_prefix_ignore_case(link.trim(), "urn:cdx:")?;
    let (head, fragment) = match rest.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (rest, None),
    };
    let (serial, version) = head.split_once('/')?;
    let version = version.parse().ok()?;
    if serial.is_empty() || serial.contains(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
        return None;
    }
    Some(BomLink {
        serial: serial.to_ascii_lowercase(),
        version,
        bom_ref: fragment.map(percent_decode),
    })
}

/// Resolves a BOM-Link against one BOM: `Some(target)` when `bom` is the linked BOM (same
/// serial number and version) and holds the `bom-ref` (or, for a link without fragment, has a
/// `metadata.component`). The target is the component's normalised purl, else the link itself.
pub fn resolve_bom_link(link: &str, bom: &Value) -> Option<String> {
    resolve_bom_links([link], bom).pop().flatten()
}

/// [`resolve_bom_link`] for many links against one BOM, reading its `bom-ref`s only once.
pub fn resolve_bom_links<'a>(
    links: impl IntoIterator<Item = &'a str>,
    bom: &Value,
) -> Vec<Option<String>> {
    let mut index: Option<BomRefIndex> = None;
    links
        .into_iter()
        .map(|link| {
            let parsed = parse_bom_link(link)?;
            if !links_to(&parsed, bom) {
                return None;
            }
            let entry = match &parsed.bom_ref {
                Some(r) => index.get_or_insert_with(|| BomRefIndex::of(bom)).get(r)?,
                None => {
                    let component = bom.get("metadata")?.get("component")?;
                    text(component.get("purl"))
                }
            };
            Some(entry.map_or_else(|| link.trim().to_string(), normalize_target))
        })
        .collect()
}

/// Whether `bom` is the BOM `link` names (same serial number and version), whatever the fragment.
pub fn is_linked_bom(link: &BomLink, bom: &Value) -> bool {
    links_to(link, bom)
}

fn links_to(link: &BomLink, bom: &Value) -> bool {
    let serial =
        text(bom.get("serialNumber")).and_then(|s| strip_prefix_ignore_case(s, "urn:uuid:"));
    let version = bom.get("version").and_then(Value::as_u64).unwrap_or(1);
    serial.is_some_and(|s| s.eq_ignore_ascii_case(&link.serial)) && version == link.version
}

/// `bom-ref` → the purl of the element carrying it, if it has one.
struct BomRefIndex<'a>(HashMap<&'a str, Option<&'a str>>);

impl<'a> BomRefIndex<'a> {
    fn of(bom: &'a Value) -> Self {
        let mut index = BomRefIndex(HashMap::new());
        if let Some(component) = bom.get("metadata").and_then(|m| m.get("component")) {
            index.add_tree(std::slice::from_ref(component), "components");
        }
        for key in ["components", "services"] {
            if let Some(list) = bom.get(key).and_then(Value::as_array) {
                index.add_tree(list, key);
            }
        }
        index
    }

    /// Adds the elements of `list` and, recursively, their `child_key` children. An explicit
    /// stack keeps hostile nesting from exhausting the call stack.
    fn add_tree(&mut self, list: &'a [Value], child_key: &str) {
        let mut stack: Vec<&'a Value> = list.iter().collect();
        while let Some(item) = stack.pop() {
            if let Some(r) = text(item.get("bom-ref")) {
                self.0.entry(r).or_insert_with(|| text(item.get("purl")));
            }
            if let Some(children) = item.get(child_key).and_then(Value::as_array) {
                stack.extend(children);
            }
        }
    }

    /// `Some(purl or None)` when the ref exists.
    fn get(&self, bom_ref: &str) -> Option<Option<&'a str>> {
        self.0.get(bom_ref.trim()).copied()
    }
}

/// This document's identity, for BOM-Links that point back into it.
struct Context<'a> {
    index: BomRefIndex<'a>,
    this: Option<BomLink>,
    timestamp: Option<DateTime<Utc>>,
}

fn read_document(value: &Value, d: &mut Diags) -> Option<VexDocument> {
    let Some(root) = value.as_object() else {
        d.schema("", "a CycloneDX document must be a JSON object");
        return None;
    };
    if root.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        d.schema("/bomFormat", "`bomFormat` must be \"CycloneDX\"");
        return None;
    }
    let metadata = fields::object(root, "metadata", "", Need::Optional, d);
    let timestamp =
        metadata.and_then(|m| fields::timestamp(m, "timestamp", "/metadata", Need::Optional, d));
    let serial = fields::string(root, "serialNumber", "", Need::Optional, d);
    let ctx = Context {
        index: BomRefIndex::of(value),
        this: serial.and_then(|s| own_link(s, root)),
        timestamp,
    };
    let mut statements = Vec::new();
    if let Some(list) = fields::array(root, "vulnerabilities", "", Need::Optional, d) {
        warn_if_pre_1_4(root, d);
        for (i, item) in list.iter().enumerate() {
            let base = pointer_join("/vulnerabilities", i);
            read_vulnerability(item, &base, &ctx, d, &mut statements);
        }
    }
    Some(VexDocument {
        format: VexFormat::CycloneDx,
        id: serial.map(str::to_string),
        issuer: metadata.and_then(issuer),
        issuer_namespace: None,
        issuer_role: None,
        self_declared: None,
        timestamp,
        statements,
    })
}

fn own_link(serial: &str, root: &Map<String, Value>) -> Option<BomLink> {
    let uuid = strip_prefix_ignore_case(serial.trim(), "urn:uuid:")?;
    Some(BomLink {
        serial: uuid.to_ascii_lowercase(),
        version: root.get("version").and_then(Value::as_u64).unwrap_or(1),
        bom_ref: None,
    })
}

/// `vulnerabilities` became part of CycloneDX in 1.4; earlier documents used an extension.
fn warn_if_pre_1_4(root: &Map<String, Value>, d: &mut Diags) {
    let version = root
        .get("specVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let minor = version
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u32>().ok());
    if minor.is_some_and(|m| m < 4) {
        let message = format!(
            "CycloneDX {version} predates `vulnerabilities` (1.4); read with the 1.4 meaning"
        );
        d.push(Code::WarnFormatLegacy, "/specVersion", message);
    }
}

/// SPEC §3 issuer: supplier, else manufacturer (1.5's `manufacture`), else the first author.
fn issuer(metadata: &Map<String, Value>) -> Option<String> {
    let named = ["supplier", "manufacturer", "manufacture"]
        .into_iter()
        .find_map(|key| metadata.get(key).and_then(|party| text(party.get("name"))));
    let author = || {
        let authors = metadata.get("authors")?.as_array()?;
        authors.iter().find_map(|a| text(a.get("name")))
    };
    named.or_else(author).map(str::to_string)
}

fn read_vulnerability(
    value: &Value,
    base: &str,
    ctx: &Context,
    d: &mut Diags,
    out: &mut Vec<VexStatement>,
) {
    let Some(v) = d.statement_object(value, base, "vulnerability") else {
        return;
    };
    let Some(id) = text(v.get("id")) else {
        let message = "vulnerability has no `id`; skipped";
        d.push(Code::VexStatement, &pointer_join(base, "id"), message);
        return;
    };
    let Some(affects) = read_affects(v, base, d) else {
        return;
    };
    let analysis = v.get("analysis").and_then(Value::as_object);
    let analysis_base = pointer_join(base, "analysis");
    let (status, raw_status) = read_state(analysis, &analysis_base, d);
    let template = VexStatement {
        vulnerability: id.to_string(),
        aliases: aliases(v, id),
        target: String::new(),
        product_ref: String::new(),
        status,
        raw_status,
        justification: analysis
            .and_then(|a| text(a.get("justification")))
            .map(str::to_string),
        impact: analysis
            .and_then(|a| text(a.get("detail")))
            .map(str::to_string),
        action: action(v, analysis),
        timestamp: statement_time(analysis, &analysis_base, d).or(ctx.timestamp),
        pointer: String::new(),
    };
    let affects_base = pointer_join(base, "affects");
    for (j, entry) in affects.iter().enumerate() {
        let pointer = pointer_join(&affects_base, j);
        let Some(raw) = text(entry.get("ref")) else {
            let message = "affects entry has no `ref`; skipped";
            d.push(Code::VexStatement, &pointer_join(&pointer, "ref"), message);
            continue;
        };
        out.push(VexStatement {
            target: resolve_ref(raw, ctx, &pointer, d),
            product_ref: raw.to_string(),
            pointer,
            ..template.clone()
        });
    }
}

/// The `affects` list, or `None` (with a diagnostic) when there is no product to read.
fn read_affects<'a>(
    v: &'a Map<String, Value>,
    base: &str,
    d: &mut Diags,
) -> Option<&'a Vec<Value>> {
    let pointer = pointer_join(base, "affects");
    match v.get("affects") {
        None => {
            let message = "vulnerability has no `affects` (a product-agnostic statement); \
                           not merged"
                .to_string();
            d.push_with(Code::VexStatement, Severity::Info, &pointer, message);
            None
        }
        Some(Value::Array(list)) if !list.is_empty() => Some(list),
        Some(_) => {
            let message = "`affects` must be a non-empty array; vulnerability skipped";
            d.push(Code::VexStatement, &pointer, message);
            None
        }
    }
}

fn read_state(
    analysis: Option<&Map<String, Value>>,
    base: &str,
    d: &mut Diags,
) -> (Status, Option<String>) {
    let Some(state) = analysis.and_then(|a| a.get("state")) else {
        return (Status::Unknown, None);
    };
    let raw = state.as_str().map(str::to_string);
    match raw.as_deref().and_then(Status::from_cyclonedx) {
        Some(status) => (status, raw),
        None => {
            let message =
                format!("analysis.state {state} is outside the status table; kept as unknown");
            d.push(Code::VexStatus, &pointer_join(base, "state"), message);
            (Status::Unknown, raw)
        }
    }
}

/// `analysis.lastUpdated`, else `analysis.firstIssued` (the document time is the caller's fallback).
fn statement_time(
    analysis: Option<&Map<String, Value>>,
    base: &str,
    d: &mut Diags,
) -> Option<DateTime<Utc>> {
    let analysis = analysis?;
    let last = fields::timestamp(analysis, "lastUpdated", base, Need::Optional, d);
    last.or_else(|| fields::timestamp(analysis, "firstIssued", base, Need::Optional, d))
}

fn aliases(v: &Map<String, Value>, id: &str) -> Vec<String> {
    let references = v.get("references").and_then(Value::as_array);
    let mut out: Vec<String> = references
        .into_iter()
        .flatten()
        .filter_map(|r| text(r.get("id")))
        .filter(|r| !r.eq_ignore_ascii_case(id))
        .map(str::to_string)
        .collect();
    out.dedup();
    out
}

/// `analysis.response` (e.g. `will_not_fix, update`) and the vulnerability's `recommendation`.
fn action(v: &Map<String, Value>, analysis: Option<&Map<String, Value>>) -> Option<String> {
    let responses: Vec<&str> = analysis
        .and_then(|a| a.get("response"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| text(Some(r)))
        .collect();
    let parts: Vec<String> = [
        (!responses.is_empty()).then(|| responses.join(", ")),
        text(v.get("recommendation")).map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn resolve_ref(raw: &str, ctx: &Context, pointer: &str, d: &mut Diags) -> String {
    let local_ref = match parse_bom_link(raw) {
        Some(link) if is_this_document(&link, ctx) => match link.bom_ref {
            Some(r) => r,
            None => return raw.trim().to_string(),
        },
        // A link into another document: left for the caller (see the module docs).
        Some(_) => return raw.trim().to_string(),
        None => raw.to_string(),
    };
    match ctx.index.get(&local_ref) {
        Some(Some(purl)) => normalize_target(purl),
        Some(None) => normalize_target(&local_ref),
        None => {
            let message =
                format!("affects ref {raw:?} matches no bom-ref in this document; kept as given");
            d.push(
                Code::VexProductUnresolved,
                &pointer_join(pointer, "ref"),
                message,
            );
            normalize_target(raw)
        }
    }
}

fn is_this_document(link: &BomLink, ctx: &Context) -> bool {
    ctx.this
        .as_ref()
        .is_some_and(|this| this.serial == link.serial && this.version == link.version)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Decodes `%XX` escapes; malformed escapes and non-UTF-8 results leave the text unchanged.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bom(vulnerabilities: Value) -> Value {
        json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "version": 2,
            "metadata": {
                "timestamp": "2024-01-01T00:00:00Z",
                "authors": [{"email": "x@example.com"}, {"name": "Jane Author"}],
                "component": {"bom-ref": "app", "name": "app", "purl": "pkg:NPM/app@1",
                              "components": [{"bom-ref": "nested", "name": "n"}]}
            },
            "components": [
                {"bom-ref": "lib", "name": "lib", "purl": "pkg:maven/g/lib@1?type=jar&classifier=x",
                 "components": [{"bom-ref": "deep", "name": "deep", "purl": "pkg:pypi/Deep_Lib@2"}]}
            ],
            "vulnerabilities": vulnerabilities
        })
    }

    #[test]
    fn refs_resolve_through_bom_refs_at_any_depth() {
        let v = bom(json!([{
            "id": "CVE-2024-1",
            "references": [{"id": "GHSA-1"}, {"id": "cve-2024-1"}],
            "analysis": {"state": "resolved", "firstIssued": "2024-02-01T00:00:00Z",
                         "justification": "code_not_present", "detail": "why",
                         "response": ["update"]},
            "recommendation": "upgrade",
            "affects": [{"ref": "app"}, {"ref": "deep"}, {"ref": "nested"}, {"ref": "lib"},
                        {"ref": "urn:cdx:3E671687-395b-41f5-a30f-a58921a69b79/2#deep"}]
        }]));
        let (doc, diags) = parse(&v);
        assert!(diags.is_empty(), "{diags:?}");
        let doc = doc.unwrap();
        let targets: Vec<_> = doc.statements.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "pkg:npm/app@1",
                "pkg:pypi/deep-lib@2",
                "nested",
                "pkg:maven/g/lib@1?classifier=x&type=jar",
                "pkg:pypi/deep-lib@2"
            ]
        );
        let s = &doc.statements[0];
        assert_eq!(s.status, Status::Fixed);
        assert_eq!(s.aliases, ["GHSA-1"]);
        assert_eq!(s.action.as_deref(), Some("update; upgrade"));
        assert_eq!(s.pointer, "/vulnerabilities/0/affects/0");
        assert_eq!(
            s.timestamp.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-02-01T00:00:00+00:00")
        );
        assert_eq!(doc.issuer.as_deref(), Some("Jane Author"));
    }

    #[test]
    fn unresolved_ref_and_foreign_bom_link() {
        let v = bom(json!([{
            "id": "CVE-2024-2",
            "analysis": {"state": "exploitable"},
            "affects": [{"ref": "ghost"}, {"ref": "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC"}]
        }]));
        let (doc, diags) = parse(&v);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::VexProductUnresolved);
        assert_eq!(diags[0].pointer, "/vulnerabilities/0/affects/0/ref");
        let doc = doc.unwrap();
        assert_eq!(doc.statements[0].target, "ghost");
        assert_eq!(
            doc.statements[1].target,
            "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC"
        );
        assert_eq!(
            doc.statements[0].timestamp, doc.timestamp,
            "metadata.timestamp is the fallback"
        );
    }

    #[test]
    fn states_outside_the_table_and_missing_state() {
        let v = bom(json!([
            {"id": "CVE-1", "analysis": {"state": "affected"}, "affects": [{"ref": "app"}]},
            {"id": "CVE-2", "affects": [{"ref": "app"}]},
            {"id": "CVE-3", "analysis": {"state": "false_positive"}},
            {"affects": [{"ref": "app"}]}
        ]));
        let (doc, diags) = parse(&v);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.severity, d.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Code::VexStatus,
                    Severity::Error,
                    "/vulnerabilities/0/analysis/state"
                ),
                (
                    Code::VexStatement,
                    Severity::Info,
                    "/vulnerabilities/2/affects"
                ),
                (Code::VexStatement, Severity::Error, "/vulnerabilities/3/id"),
            ]
        );
        let statuses: Vec<_> = doc.unwrap().statements.iter().map(|s| s.status).collect();
        assert_eq!(statuses, [Status::Unknown, Status::Unknown]);
    }

    #[test]
    fn issuer_prefers_supplier_then_manufacturer() {
        let mut v = bom(json!([]));
        v["metadata"]["manufacture"] = json!({"name": "Old Manufacture"});
        assert_eq!(
            parse(&v).0.unwrap().issuer.as_deref(),
            Some("Old Manufacture")
        );
        v["metadata"]["manufacturer"] = json!({"name": "Maker"});
        assert_eq!(parse(&v).0.unwrap().issuer.as_deref(), Some("Maker"));
        v["metadata"]["supplier"] = json!({"name": "Supplier"});
        assert_eq!(parse(&v).0.unwrap().issuer.as_deref(), Some("Supplier"));
    }

    #[test]
    fn bom_links_parse_and_resolve_across_documents() {
        let link = "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#pkg%3Apypi%2FDeep_Lib%402";
        let parsed = parse_bom_link(link).unwrap();
        assert_eq!(parsed.version, 2);
        assert_eq!(parsed.bom_ref.as_deref(), Some("pkg:pypi/Deep_Lib@2"));
        let other = bom(json!([]));
        assert_eq!(
            resolve_bom_link(
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#deep",
                &other
            )
            .as_deref(),
            Some("pkg:pypi/deep-lib@2")
        );
        assert_eq!(
            resolve_bom_link(
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#nested",
                &other
            )
            .as_deref(),
            Some("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#nested")
        );
        assert_eq!(
            resolve_bom_link(
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#deep",
                &other
            ),
            None,
            "version must match"
        );
        assert_eq!(
            resolve_bom_link(
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#ghost",
                &other
            ),
            None
        );
        assert_eq!(
            resolve_bom_link("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2", &other).as_deref(),
            Some("pkg:npm/app@1")
        );
        assert_eq!(parse_bom_link("urn:uuid:3e671687"), None);
        assert_eq!(parse_bom_link("urn:cdx:zz/1#x"), None);
    }

    #[test]
    fn hostile_shapes_do_not_panic() {
        for v in [
            json!(null),
            json!({"bomFormat": "SPDX"}),
            json!({"bomFormat": "CycloneDX", "vulnerabilities": {}}),
            json!({"bomFormat": "CycloneDX", "vulnerabilities": [1, {"id": 3}, {"id": "X", "affects": [{}]}]}),
        ] {
            let _ = parse(&v);
        }
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
