//! CSAF 2.0 reader (SPEC §3): `vulnerabilities[].cve` (+ `ids[].text`), `product_status`,
//! product ids resolved through `product_tree` to `product_identification_helper.purl`.
//!
//! Besides the fields SPEC §3 needs, the reader checks the schema's required document fields
//! (`ERR_DOC_SCHEMA`) and, for `csaf_vex` documents, the CSAF 2.0 VEX-profile mandatory tests
//! 6.1.27.4 (product tree), .5 (vulnerability notes), .7 (VEX product status), .8
//! (vulnerability id), .9 (impact statement for `known_not_affected`), .10 (action statement
//! for `known_affected`) and .11 (vulnerabilities); test 6.1.1 (product id defined in the
//! tree) is `ERR_VEX_PRODUCT_UNRESOLVED`. `recommended` is a product status but no VEX claim:
//! it is skipped silently.

use super::fields::{self, text, Diags, Need};
use super::statement::{
    authority_from_csaf_category, Status, VexDocument, VexFormat, VexStatement,
};
use super::target::normalize_target;
use crate::diag::{pointer_join, Code, Diagnostic};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::HashMap;

const PUBLISHER_CATEGORIES: &[&str] = &[
    "coordinator",
    "discoverer",
    "other",
    "translator",
    "user",
    "vendor",
];
const TRACKING_STATUSES: &[&str] = &["draft", "final", "interim"];
const VEX_STATUS_KEYS: &[&str] = &[
    "fixed",
    "known_affected",
    "known_not_affected",
    "under_investigation",
];

/// Reads a CSAF 2.0 document. `None` only when there is no `document` object.
pub fn parse(value: &Value) -> (Option<VexDocument>, Vec<Diagnostic>) {
    let mut diags = Diags::default();
    let doc = read_document(value, &mut diags);
    (doc, diags.0)
}

fn read_document(value: &Value, d: &mut Diags) -> Option<VexDocument> {
    let Some(root) = value.as_object() else {
        d.schema("", "a CSAF document must be a JSON object");
        return None;
    };
    let document = fields::object(root, "document", "", Need::Required, d)?;
    let category = fields::string(document, "category", "/document", Need::NonEmpty, d);
    let version = fields::string(document, "csaf_version", "/document", Need::Required, d);
    if version.is_some_and(|v| v != "2.0") {
        d.schema("/document/csaf_version", "`csaf_version` must be \"2.0\"");
    }
    fields::string(document, "title", "/document", Need::NonEmpty, d);
    let publisher = read_publisher(document, d);
    let (id, timestamp) = read_tracking(document, d);
    let vex = category == Some("csaf_vex");
    if vex && !root.contains_key("product_tree") {
        d.schema(
            "/product_tree",
            "CSAF 6.1.27.4: a csaf_vex document needs a product_tree",
        );
    }
    let tree = ProductTree::of(root.get("product_tree"));
    let list = fields::array(root, "vulnerabilities", "", Need::Optional, d);
    if list.is_some_and(Vec::is_empty) {
        d.schema("/vulnerabilities", "`vulnerabilities` must not be empty");
    } else if vex && list.is_none() {
        d.schema(
            "/vulnerabilities",
            "CSAF 6.1.27.11: a csaf_vex document needs vulnerabilities",
        );
    }
    let ctx = Context {
        tree,
        vex,
        timestamp,
    };
    let mut statements = Vec::new();
    for (i, item) in list.into_iter().flatten().enumerate() {
        read_vulnerability(
            item,
            &pointer_join("/vulnerabilities", i),
            &ctx,
            d,
            &mut statements,
        );
    }
    Some(VexDocument {
        format: VexFormat::Csaf,
        id,
        issuer: publisher.name,
        issuer_namespace: publisher.namespace,
        self_declared: publisher
            .category
            .as_deref()
            .and_then(authority_from_csaf_category),
        issuer_role: publisher.category,
        timestamp,
        statements,
    })
}

#[derive(Default)]
struct Publisher {
    name: Option<String>,
    namespace: Option<String>,
    category: Option<String>,
}

fn read_publisher(document: &Map<String, Value>, d: &mut Diags) -> Publisher {
    let base = "/document/publisher";
    let Some(p) = fields::object(document, "publisher", "/document", Need::Required, d) else {
        return Publisher::default();
    };
    let category = fields::string(p, "category", base, Need::Required, d);
    if category.is_some_and(|c| !PUBLISHER_CATEGORIES.contains(&c)) {
        d.schema("/document/publisher/category", "unknown publisher category");
    }
    let own = |s: Option<&str>| s.map(|s| s.trim().to_string());
    Publisher {
        name: own(fields::string(p, "name", base, Need::NonEmpty, d)),
        namespace: own(fields::string(p, "namespace", base, Need::NonEmpty, d)),
        category: own(category),
    }
}

/// `tracking.id` and `tracking.current_release_date`, checking the other required fields.
fn read_tracking(
    document: &Map<String, Value>,
    d: &mut Diags,
) -> (Option<String>, Option<DateTime<Utc>>) {
    let base = "/document/tracking";
    let Some(t) = fields::object(document, "tracking", "/document", Need::Required, d) else {
        return (None, None);
    };
    let id = fields::string(t, "id", base, Need::NonEmpty, d).map(str::to_string);
    let current = fields::timestamp(t, "current_release_date", base, Need::Required, d);
    fields::timestamp(t, "initial_release_date", base, Need::Required, d);
    fields::string(t, "version", base, Need::NonEmpty, d);
    let status = fields::string(t, "status", base, Need::Required, d);
    if status.is_some_and(|s| !TRACKING_STATUSES.contains(&s)) {
        d.schema(
            "/document/tracking/status",
            "`status` must be draft, final or interim",
        );
    }
    let history = fields::array(t, "revision_history", base, Need::NonEmpty, d);
    for (i, entry) in history.into_iter().flatten().enumerate() {
        let pointer = pointer_join("/document/tracking/revision_history", i);
        let Some(entry) = entry.as_object() else {
            d.schema(&pointer, "revision must be an object");
            continue;
        };
        fields::timestamp(entry, "date", &pointer, Need::Required, d);
        fields::string(entry, "number", &pointer, Need::NonEmpty, d);
        fields::string(entry, "summary", &pointer, Need::NonEmpty, d);
    }
    (id, current)
}

/// Product id → purl (when the tree gives one), and group id → product ids.
#[derive(Default)]
struct ProductTree<'a> {
    products: HashMap<&'a str, Option<&'a str>>,
    groups: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> ProductTree<'a> {
    fn of(tree: Option<&'a Value>) -> Self {
        let mut out = ProductTree::default();
        let Some(tree) = tree else { return out };
        let list = |key: &str| {
            tree.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        };
        // An explicit stack: branches nest arbitrarily deep.
        let mut stack: Vec<&Value> = list("branches").collect();
        while let Some(branch) = stack.pop() {
            out.add(branch.get("product"));
            stack.extend(
                branch
                    .get("branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
        }
        list("full_product_names").for_each(|p| out.add(Some(p)));
        list("relationships").for_each(|r| out.add(r.get("full_product_name")));
        for group in list("product_groups") {
            let Some(id) = text(group.get("group_id")) else {
                continue;
            };
            let members = group.get("product_ids").and_then(Value::as_array);
            let members = members.into_iter().flatten().filter_map(|m| text(Some(m)));
            out.groups.entry(id).or_default().extend(members);
        }
        out
    }

    fn add(&mut self, product: Option<&'a Value>) {
        let Some(product) = product else { return };
        let Some(id) = text(product.get("product_id")) else {
            return;
        };
        let purl = product
            .get("product_identification_helper")
            .and_then(|h| text(h.get("purl")));
        let slot = self.products.entry(id).or_insert(None);
        *slot = slot.or(purl);
    }

    /// `Some(purl or None)` when the product id is defined.
    fn resolve(&self, id: &str) -> Option<Option<&'a str>> {
        self.products.get(id).copied()
    }

    /// The product ids an item (flag, threat, remediation) applies to, groups expanded.
    fn covered(&self, item: &'a Value) -> Vec<&'a str> {
        let ids = |key: &str| {
            item.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        };
        let mut out: Vec<&'a str> = ids("product_ids").filter_map(|p| text(Some(p))).collect();
        for group in ids("group_ids").filter_map(|g| text(Some(g))) {
            out.extend(self.groups.get(group).into_iter().flatten().copied());
        }
        out
    }
}

struct Context<'a> {
    tree: ProductTree<'a>,
    vex: bool,
    timestamp: Option<DateTime<Utc>>,
}

/// Per-product texts of one vulnerability: flag labels, impact threats, remediations.
#[derive(Default)]
struct Remarks<'a> {
    justification: HashMap<&'a str, &'a str>,
    impact: HashMap<&'a str, &'a str>,
    action: HashMap<&'a str, Vec<String>>,
}

impl<'a> Remarks<'a> {
    fn of(v: &'a Map<String, Value>, tree: &ProductTree<'a>) -> Self {
        let mut out = Remarks::default();
        let list = |key: &str| v.get(key).and_then(Value::as_array).into_iter().flatten();
        for flag in list("flags") {
            let Some(label) = text(flag.get("label")) else {
                continue;
            };
            for p in tree.covered(flag) {
                out.justification.entry(p).or_insert(label);
            }
        }
        for threat in list("threats").filter(|t| text(t.get("category")) == Some("impact")) {
            let Some(details) = text(threat.get("details")) else {
                continue;
            };
            for p in tree.covered(threat) {
                out.impact.entry(p).or_insert(details);
            }
        }
        for remediation in list("remediations") {
            let category = text(remediation.get("category")).unwrap_or("remediation");
            let Some(details) = text(remediation.get("details")) else {
                continue;
            };
            for p in tree.covered(remediation) {
                out.action
                    .entry(p)
                    .or_default()
                    .push(format!("{category}: {details}"));
            }
        }
        out
    }
}

/// The vulnerability-wide part of every statement read from one `vulnerabilities[]` item.
struct VulnerabilityId {
    id: String,
    aliases: Vec<String>,
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
    let notes = v.get("notes").and_then(Value::as_array);
    if ctx.vex && notes.is_none_or(Vec::is_empty) {
        let message = "CSAF 6.1.27.5: a csaf_vex vulnerability needs notes";
        d.schema(&pointer_join(base, "notes"), message);
    }
    let id = read_id(v, base, d);
    let status_base = pointer_join(base, "product_status");
    let Some(product_status) = fields::object(v, "product_status", base, Need::Optional, d) else {
        let message = "vulnerability has no product_status (CSAF 6.1.27.7); no product to state";
        d.push(Code::VexStatement, &status_base, message);
        return;
    };
    let vulnerability = Vulnerability {
        id,
        remarks: Remarks::of(v, &ctx.tree),
    };
    let mut named_products = false;
    for (key, list) in product_status {
        let pointer = pointer_join(&status_base, key);
        let Some(status) = status_of(key, &pointer, d) else {
            continue;
        };
        let claim = Claim {
            key,
            status,
            pointer,
        };
        named_products |= read_status_list(list, &claim, &vulnerability, ctx, d, out);
    }
    if !named_products {
        let message = "product_status names no product; nothing to state";
        d.push(Code::VexStatement, &status_base, message);
    }
    let has_vex_status = |key: &&str| {
        let list = product_status.get(*key).and_then(Value::as_array);
        list.is_some_and(|l| !l.is_empty())
    };
    if ctx.vex && named_products && !VEX_STATUS_KEYS.iter().any(has_vex_status) {
        let message = "CSAF 6.1.27.7: a csaf_vex vulnerability needs fixed, known_affected, \
                       known_not_affected or under_investigation products";
        d.schema(&status_base, message);
    }
}

/// What one `vulnerabilities[]` item contributes to each of its statements.
struct Vulnerability<'a> {
    /// `None` when the item has no id: its products are still checked, but yield no statement.
    id: Option<VulnerabilityId>,
    remarks: Remarks<'a>,
}

/// One `product_status` key: its raw name, status and pointer.
struct Claim<'k> {
    key: &'k str,
    status: Status,
    pointer: String,
}

/// Reads the product ids of one `product_status` key; returns whether it named any product.
fn read_status_list(
    list: &Value,
    claim: &Claim,
    vulnerability: &Vulnerability,
    ctx: &Context,
    d: &mut Diags,
    out: &mut Vec<VexStatement>,
) -> bool {
    let (key, pointer) = (claim.key, claim.pointer.as_str());
    let Some(list) = list.as_array() else {
        d.schema(pointer, format!("`{key}` must be an array of product ids"));
        return false;
    };
    if list.is_empty() {
        d.schema(pointer, format!("`{key}` must not be empty"));
    }
    let mut named = false;
    for (k, item) in list.iter().enumerate() {
        let item_pointer = pointer_join(pointer, k);
        let Some(product) = text(Some(item)) else {
            d.schema(&item_pointer, "product id must be a non-empty string");
            continue;
        };
        named = true;
        check_profile(key, product, &vulnerability.remarks, ctx, &item_pointer, d);
        let target = resolve_product(product, &ctx.tree, &item_pointer, d);
        if let Some(id) = &vulnerability.id {
            let remarks = &vulnerability.remarks;
            out.push(VexStatement {
                vulnerability: id.id.clone(),
                aliases: id.aliases.clone(),
                target,
                product_ref: product.to_string(),
                status: claim.status,
                raw_status: Some(key.to_string()),
                justification: remarks.justification.get(product).map(|s| s.to_string()),
                impact: remarks.impact.get(product).map(|s| s.to_string()),
                action: remarks.action.get(product).map(|a| a.join("\n")),
                timestamp: ctx.timestamp,
                pointer: item_pointer,
            });
        }
    }
    named
}

/// `cve`, else the first `ids[].text`; the other ids are aliases. Reports 6.1.27.8.
fn read_id(v: &Map<String, Value>, base: &str, d: &mut Diags) -> Option<VulnerabilityId> {
    let cve = fields::string(v, "cve", base, Need::Optional, d)
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let ids_base = pointer_join(base, "ids");
    let mut ids = Vec::new();
    for (i, entry) in fields::array(v, "ids", base, Need::Optional, d)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pointer = pointer_join(&ids_base, i);
        let Some(entry) = entry.as_object() else {
            d.schema(&pointer, "id must be an object with system_name and text");
            continue;
        };
        fields::string(entry, "system_name", &pointer, Need::NonEmpty, d);
        if let Some(t) = fields::string(entry, "text", &pointer, Need::NonEmpty, d) {
            ids.push(t.trim().to_string());
        }
    }
    if v.get("ids")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        d.schema(&ids_base, "`ids` must not be empty");
    }
    let Some(id) = cve.map(str::to_string).or_else(|| ids.first().cloned()) else {
        let message =
            "vulnerability has neither cve nor ids (CSAF 6.1.27.8); its statements are dropped";
        d.push(Code::VexStatement, base, message);
        return None;
    };
    ids.retain(|a| !a.eq_ignore_ascii_case(&id));
    Some(VulnerabilityId { id, aliases: ids })
}

/// The status of a `product_status` key; `None` for `recommended` (no VEX claim).
fn status_of(key: &str, pointer: &str, d: &mut Diags) -> Option<Status> {
    if key == "recommended" {
        return None;
    }
    Some(Status::from_csaf(key).unwrap_or_else(|| {
        let message =
            format!("product_status `{key}` is outside the status table; kept as unknown");
        d.push(Code::VexStatus, pointer, message);
        Status::Unknown
    }))
}

/// CSAF 6.1.27.9 and 6.1.27.10 for one product of a `csaf_vex` document.
fn check_profile(
    key: &str,
    product: &str,
    remarks: &Remarks,
    ctx: &Context,
    pointer: &str,
    d: &mut Diags,
) {
    if !ctx.vex {
        return;
    }
    let impact =
        remarks.justification.contains_key(product) || remarks.impact.contains_key(product);
    if key == "known_not_affected" && !impact {
        let message = format!(
            "CSAF 6.1.27.9: known_not_affected product {product:?} has no impact statement \
             (flag or impact threat)"
        );
        d.schema(pointer, message);
    }
    if key == "known_affected" && !remarks.action.contains_key(product) {
        let message =
            format!("CSAF 6.1.27.10: known_affected product {product:?} has no remediation");
        d.schema(pointer, message);
    }
}

fn resolve_product(product: &str, tree: &ProductTree, pointer: &str, d: &mut Diags) -> String {
    match tree.resolve(product) {
        Some(Some(purl)) => normalize_target(purl),
        Some(None) => normalize_target(product),
        None => {
            let message = format!(
                "product id {product:?} is not defined in product_tree (CSAF 6.1.1); kept as given"
            );
            d.push(Code::VexProductUnresolved, pointer, message);
            normalize_target(product)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vex::lattice::Authority;
    use serde_json::json;

    fn document(category: &str, publisher_category: &str) -> Value {
        json!({
            "category": category,
            "csaf_version": "2.0",
            "publisher": {"category": publisher_category, "name": "ACME PSIRT", "namespace": "https://acme.example"},
            "title": "t",
            "tracking": {
                "current_release_date": "2024-03-01T00:00:00Z",
                "id": "ACME-1",
                "initial_release_date": "2024-01-01T00:00:00Z",
                "revision_history": [{"date": "2024-01-01T00:00:00Z", "number": "1", "summary": "s"}],
                "status": "final",
                "version": "1"
            }
        })
    }

    fn vex(vulnerabilities: Value) -> Value {
        json!({
            "document": document("csaf_vex", "vendor"),
            "product_tree": {
                "branches": [{"category": "vendor", "name": "acme", "branches": [{
                    "category": "product_version", "name": "a",
                    "product": {"name": "a", "product_id": "A",
                                "product_identification_helper": {"purl": "pkg:RPM/acme/a@1?arch=x86_64&epoch=1"}}
                }]}],
                "full_product_names": [{"name": "b", "product_id": "B"}],
                "relationships": [{"category": "default_component_of", "product_reference": "A",
                                   "relates_to_product_reference": "B",
                                   "full_product_name": {"name": "a in b", "product_id": "B:A"}}],
                "product_groups": [{"group_id": "G", "product_ids": ["A", "B"]}]
            },
            "vulnerabilities": vulnerabilities
        })
    }

    #[test]
    fn product_ids_resolve_and_remarks_attach() {
        let v = vex(json!([{
            "cve": "CVE-2024-9",
            "ids": [{"system_name": "ACME", "text": "ACME-BUG-1"}],
            "notes": [{"category": "description", "text": "n"}],
            "product_status": {"known_not_affected": ["A", "B"], "known_affected": ["B:A"], "recommended": ["A"]},
            "flags": [{"label": "component_not_present", "group_ids": ["G"]}],
            "threats": [{"category": "impact", "details": "not reachable", "product_ids": ["A"]}],
            "remediations": [{"category": "vendor_fix", "details": "update", "product_ids": ["B:A"]}]
        }]));
        let (doc, diags) = parse(&v);
        assert!(diags.is_empty(), "{diags:?}");
        let doc = doc.unwrap();
        assert_eq!(doc.self_declared, Some(Authority::Vendor));
        assert_eq!(
            doc.issuer_namespace.as_deref(),
            Some("https://acme.example")
        );
        let got: Vec<_> = doc
            .statements
            .iter()
            .map(|s| (s.target.as_str(), s.status))
            .collect();
        assert_eq!(
            got,
            [
                ("B:A", Status::Affected),
                ("pkg:rpm/acme/a@1?arch=x86_64&epoch=1", Status::NotAffected),
                ("B", Status::NotAffected),
            ]
        );
        let affected = &doc.statements[0];
        assert_eq!(affected.action.as_deref(), Some("vendor_fix: update"));
        assert_eq!(affected.aliases, ["ACME-BUG-1"]);
        assert_eq!(
            affected.pointer,
            "/vulnerabilities/0/product_status/known_affected/0"
        );
        let a = &doc.statements[1];
        assert_eq!(a.justification.as_deref(), Some("component_not_present"));
        assert_eq!(a.impact.as_deref(), Some("not reachable"));
        assert_eq!(a.timestamp, doc.timestamp);
    }

    #[test]
    fn vex_profile_failures_are_reported() {
        let v = vex(json!([
            {"cve": "CVE-1", "product_status": {"known_not_affected": ["A"], "known_affected": ["B"]}},
            {"notes": [{"category": "description", "text": "n"}], "product_status": {"fixed": ["A"]}},
            {"cve": "CVE-3", "notes": [{"category": "description", "text": "n"}]}
        ]));
        let (doc, diags) = parse(&v);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("ERR_DOC_SCHEMA", "/vulnerabilities/0/notes"),
                (
                    "ERR_DOC_SCHEMA",
                    "/vulnerabilities/0/product_status/known_affected/0"
                ),
                (
                    "ERR_DOC_SCHEMA",
                    "/vulnerabilities/0/product_status/known_not_affected/0"
                ),
                ("ERR_VEX_STATEMENT", "/vulnerabilities/1"),
                ("ERR_VEX_STATEMENT", "/vulnerabilities/2/product_status"),
            ]
        );
        assert!(diags[1].message.contains("6.1.27.10") && diags[2].message.contains("6.1.27.9"));
        assert_eq!(
            doc.unwrap().statements.len(),
            2,
            "CVE-1's statements are kept"
        );
    }

    #[test]
    fn undefined_product_and_unknown_status_key() {
        let v = vex(json!([{
            "cve": "CVE-1", "notes": [{"category": "description", "text": "n"}],
            "product_status": {"fixed": ["nope"], "maybe_affected": ["B"]}
        }]));
        let (doc, diags) = parse(&v);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "ERR_VEX_PRODUCT_UNRESOLVED",
                    "/vulnerabilities/0/product_status/fixed/0"
                ),
                (
                    "ERR_VEX_STATUS",
                    "/vulnerabilities/0/product_status/maybe_affected"
                ),
            ]
        );
        let got: Vec<_> = doc
            .unwrap()
            .statements
            .into_iter()
            .map(|s| (s.target, s.status))
            .collect();
        assert_eq!(
            got,
            [
                ("nope".to_string(), Status::Fixed),
                ("B".to_string(), Status::Unknown)
            ]
        );
    }

    #[test]
    fn required_document_fields_and_third_party_publisher() {
        let mut v = vex(json!([]));
        v["document"]["title"] = json!("");
        v["document"]["publisher"]["category"] = json!("coordinator");
        v["document"]["tracking"]["revision_history"][0]["number"] = json!("");
        v["document"]
            .as_object_mut()
            .unwrap()
            .remove("csaf_version");
        let (doc, diags) = parse(&v);
        let pointers: Vec<_> = diags.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/document/csaf_version",
                "/document/title",
                "/document/tracking/revision_history/0/number",
                "/vulnerabilities"
            ]
        );
        assert_eq!(doc.unwrap().self_declared, Some(Authority::ThirdParty));
    }

    #[test]
    fn hostile_shapes_do_not_panic() {
        for v in [
            json!(null),
            json!({}),
            json!({"document": 1}),
            json!({"document": {}, "product_tree": {"branches": [1, {"branches": 2}]}, "vulnerabilities": [1, {"product_status": 3}, {"cve": 4, "product_status": {"fixed": "A"}}]}),
        ] {
            let _ = parse(&v);
        }
    }
}
