//! OpenVEX reader (SPEC §3): `statements[]`, `vulnerability.name` + `aliases`,
//! `products[].@id` with `subcomponents[].@id`, statement `timestamp` over document `timestamp`.
//!
//! Documents in the pre-0.2 shape (`vulnerability` and `products` as plain strings, context
//! `…/v0.0.1`) are read through a lenient legacy path and flagged `WARN_FORMAT_LEGACY`.
//! 0.2 documents are checked against the 0.2.0 JSON schema's required fields and
//! `additionalProperties: false`, and the status rules of the specification (`not_affected`
//! needs a justification or impact statement, `affected` an action statement).

use super::fields::{self, no_extra_keys, text, Diags, Need};
use super::statement::{authority_from_openvex_role, Status, VexDocument, VexFormat, VexStatement};
use super::target::{normalize_target, with_subcomponent};
use crate::diag::{pointer_join, Code, Diagnostic};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

const CONTEXT_PREFIX: &str = "https://openvex.dev/ns";
const LEGACY_CONTEXT: &str = "https://openvex.dev/ns/v0.0.1";

const DOCUMENT_KEYS: &[&str] = &[
    "@context",
    "@id",
    "author",
    "role",
    "timestamp",
    "last_updated",
    "version",
    "tooling",
    "statements",
];
const STATEMENT_KEYS: &[&str] = &[
    "@id",
    "version",
    "vulnerability",
    "timestamp",
    "last_updated",
    "products",
    "status",
    "supplier",
    "status_notes",
    "justification",
    "impact_statement",
    "action_statement",
    "action_statement_timestamp",
];
const VULNERABILITY_KEYS: &[&str] = &["@id", "name", "description", "aliases"];
const COMPONENT_KEYS: &[&str] = &["@id", "identifiers", "hashes", "subcomponents"];
const SUBCOMPONENT_KEYS: &[&str] = &["@id", "identifiers", "hashes"];
const JUSTIFICATIONS: &[&str] = &[
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// Reads an OpenVEX document. `None` only when there is no statement list to read.
pub fn parse(value: &Value) -> (Option<VexDocument>, Vec<Diagnostic>) {
    let mut diags = Diags::default();
    let doc = read_document(value, &mut diags);
    (doc, diags.0)
}

/// Document-level facts every statement needs.
struct Header {
    legacy: bool,
    timestamp: Option<DateTime<Utc>>,
}

fn read_document(value: &Value, d: &mut Diags) -> Option<VexDocument> {
    let Some(root) = value.as_object() else {
        d.schema("", "an OpenVEX document must be a JSON object");
        return None;
    };
    let legacy = is_legacy(root);
    if legacy {
        let message = "pre-0.2 OpenVEX document (plain-string vulnerability/products); \
                       read through the legacy path";
        d.push(Code::WarnFormatLegacy, "", message);
    }
    let need = if legacy {
        Need::Optional
    } else {
        Need::Required
    };
    check_context_and_version(root, legacy, d);
    let id = fields::string(root, "@id", "", need, d).map(str::to_string);
    let author = fields::string(root, "author", "", need, d);
    let role = fields::string(root, "role", "", Need::Optional, d);
    let timestamp = fields::timestamp(root, "timestamp", "", need, d);
    if !legacy {
        fields::timestamp(root, "last_updated", "", Need::Optional, d);
        no_extra_keys(root, DOCUMENT_KEYS, "", "an OpenVEX 0.2 document", d);
    }
    let list_need = if legacy {
        Need::Required
    } else {
        Need::NonEmpty
    };
    let list = fields::array(root, "statements", "", list_need, d)?;
    let header = Header { legacy, timestamp };
    let mut statements = Vec::new();
    for (i, item) in list.iter().enumerate() {
        read_statement(
            item,
            &pointer_join("/statements", i),
            &header,
            d,
            &mut statements,
        );
    }
    Some(VexDocument {
        format: VexFormat::OpenVex,
        id,
        issuer: author
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        issuer_namespace: None,
        issuer_role: role.map(str::to_string),
        self_declared: role.and_then(authority_from_openvex_role),
        timestamp,
        statements,
    })
}

/// Pre-0.2 documents: the v0.0.1 context, or statements using the plain-string shapes.
fn is_legacy(root: &Map<String, Value>) -> bool {
    if root.get("@context").and_then(Value::as_str) == Some(LEGACY_CONTEXT) {
        return true;
    }
    let statements = root.get("statements").and_then(Value::as_array);
    statements.into_iter().flatten().any(|s| {
        let plain_vulnerability = s.get("vulnerability").is_some_and(Value::is_string);
        let plain_product = s
            .get("products")
            .and_then(Value::as_array)
            .is_some_and(|p| p.iter().any(Value::is_string));
        plain_vulnerability || plain_product || s.get("subcomponents").is_some()
    })
}

fn check_context_and_version(root: &Map<String, Value>, legacy: bool, d: &mut Diags) {
    if legacy {
        return;
    }
    let context = fields::string(root, "@context", "", Need::Required, d);
    if context.is_some_and(|c| !c.starts_with(CONTEXT_PREFIX)) {
        let message = format!("`@context` must be an OpenVEX context ({CONTEXT_PREFIX}/…)");
        d.schema("/@context", message);
    }
    match root.get("version") {
        None => d.schema("/version", "required field `version` is missing"),
        Some(v) if v.as_u64().is_some_and(|n| n >= 1) => {}
        Some(_) => d.schema("/version", "`version` must be an integer of at least 1"),
    }
}

fn read_statement(
    value: &Value,
    base: &str,
    header: &Header,
    d: &mut Diags,
    out: &mut Vec<VexStatement>,
) {
    let Some(m) = d.statement_object(value, base, "statement") else {
        return;
    };
    if !header.legacy {
        no_extra_keys(m, STATEMENT_KEYS, base, "an OpenVEX 0.2 statement", d);
    }
    let Some((vulnerability, aliases)) = read_vulnerability(m, base, header.legacy, d) else {
        return;
    };
    let products = read_products(m, base, header.legacy, d);
    if products.is_empty() {
        let message = "statement names no product; skipped";
        d.push(Code::VexStatement, &pointer_join(base, "products"), message);
        return;
    }
    let (status, raw_status) = read_status(m, base, d);
    let justification = text(m.get("justification")).map(str::to_string);
    let impact = text(m.get("impact_statement")).map(str::to_string);
    let action = text(m.get("action_statement")).map(str::to_string);
    if !header.legacy {
        check_status_rules(m, status, base, d);
    }
    let own_time = fields::timestamp(m, "timestamp", base, Need::Optional, d);
    for product in products {
        out.push(VexStatement {
            vulnerability: vulnerability.clone(),
            aliases: aliases.clone(),
            target: product.target,
            product_ref: product.raw,
            status,
            raw_status: raw_status.clone(),
            justification: justification.clone(),
            impact: impact.clone(),
            action: action.clone(),
            timestamp: own_time.or(header.timestamp),
            pointer: product.pointer,
        });
    }
}

fn read_vulnerability(
    m: &Map<String, Value>,
    base: &str,
    legacy: bool,
    d: &mut Diags,
) -> Option<(String, Vec<String>)> {
    let pointer = pointer_join(base, "vulnerability");
    match m.get("vulnerability") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some((s.trim().to_string(), vec![])),
        Some(Value::Object(v)) => {
            if !legacy {
                no_extra_keys(
                    v,
                    VULNERABILITY_KEYS,
                    &pointer,
                    "an OpenVEX vulnerability",
                    d,
                );
            }
            let Some(name) = text(v.get("name")) else {
                let message = "vulnerability has no `name`; statement skipped";
                d.push(Code::VexStatement, &pointer_join(&pointer, "name"), message);
                return None;
            };
            Some((name.to_string(), read_aliases(v, &pointer, d)))
        }
        None => {
            d.push(
                Code::VexStatement,
                &pointer,
                "statement has no vulnerability; skipped",
            );
            None
        }
        Some(_) => {
            let message = "`vulnerability` must be an object with a `name`; statement skipped";
            d.push(Code::VexStatement, &pointer, message);
            None
        }
    }
}

fn read_aliases(v: &Map<String, Value>, base: &str, d: &mut Diags) -> Vec<String> {
    let Some(list) = fields::array(v, "aliases", base, Need::Optional, d) else {
        return vec![];
    };
    let mut aliases = Vec::new();
    for (i, alias) in list.iter().enumerate() {
        match text(Some(alias)) {
            Some(a) => aliases.push(a.to_string()),
            None => d.schema(
                &pointer_join(&pointer_join(base, "aliases"), i),
                "alias must be a non-empty string",
            ),
        }
    }
    aliases
}

/// One target of a statement, with the reference as written and where it was read.
struct Product {
    target: String,
    raw: String,
    pointer: String,
}

fn read_products(m: &Map<String, Value>, base: &str, legacy: bool, d: &mut Diags) -> Vec<Product> {
    let products_base = pointer_join(base, "products");
    let Some(list) = fields::array(m, "products", base, Need::Optional, d) else {
        return vec![];
    };
    let mut out = Vec::new();
    for (j, item) in list.iter().enumerate() {
        let pointer = pointer_join(&products_base, j);
        let Some(id) = component_id(item, &pointer, legacy, COMPONENT_KEYS, d) else {
            let message = "product has no `@id` or identifier; skipped";
            d.push(Code::VexStatement, &pointer, message);
            continue;
        };
        let subs = subcomponent_ids(item.get("subcomponents"), &pointer, legacy, d);
        // Pre-0.2 statements list subcomponents beside the products, applying to each of them.
        let subs = if subs.is_empty() {
            subcomponent_ids(m.get("subcomponents"), base, legacy, d)
        } else {
            subs
        };
        if subs.is_empty() {
            out.push(Product {
                target: normalize_target(&id),
                raw: id,
                pointer,
            });
            continue;
        }
        for (sub, sub_pointer) in subs {
            out.push(Product {
                target: with_subcomponent(&id, &sub),
                raw: format!("{id}#{sub}"),
                pointer: sub_pointer,
            });
        }
    }
    out
}

fn subcomponent_ids(
    list: Option<&Value>,
    base: &str,
    legacy: bool,
    d: &mut Diags,
) -> Vec<(String, String)> {
    let Some(list) = list.and_then(Value::as_array) else {
        return vec![];
    };
    let list_base = pointer_join(base, "subcomponents");
    let mut out = Vec::new();
    for (k, item) in list.iter().enumerate() {
        let pointer = pointer_join(&list_base, k);
        match component_id(item, &pointer, legacy, SUBCOMPONENT_KEYS, d) {
            Some(id) => out.push((id, pointer)),
            None => d.push(
                Code::VexStatement,
                &pointer,
                "subcomponent has no `@id` or identifier; skipped",
            ),
        }
    }
    out
}

/// The id of a product or subcomponent: a plain string (legacy), `@id`, else an identifier
/// (`purl`, `@cpe23`, `@cpe22`), else a SHA-2 hash as `sha256:…`/`sha384:…`/`sha512:…`.
fn component_id(
    item: &Value,
    pointer: &str,
    legacy: bool,
    allowed: &[&str],
    d: &mut Diags,
) -> Option<String> {
    if let Some(s) = item.as_str() {
        return text(Some(item)).map(|_| s.trim().to_string());
    }
    let o = item.as_object()?;
    if !legacy {
        no_extra_keys(o, allowed, pointer, "an OpenVEX component", d);
    }
    let identifiers = o.get("identifiers");
    let hashes = o.get("hashes");
    let identifier = ["purl", "@cpe23", "@cpe22"]
        .into_iter()
        .find_map(|k| text(identifiers.and_then(|i| i.get(k))));
    let hash = [
        ("sha-256", "sha256"),
        ("sha-384", "sha384"),
        ("sha-512", "sha512"),
    ]
    .into_iter()
    .find_map(|(k, alg)| text(hashes.and_then(|h| h.get(k))).map(|h| format!("{alg}:{h}")));
    text(o.get("@id"))
        .or(identifier)
        .map(str::to_string)
        .or(hash)
}

fn read_status(m: &Map<String, Value>, base: &str, d: &mut Diags) -> (Status, Option<String>) {
    let pointer = pointer_join(base, "status");
    match m.get("status") {
        Some(Value::String(raw)) => match Status::from_openvex(raw) {
            Some(status) => (status, Some(raw.clone())),
            None => {
                let message = format!("status {raw:?} is not an OpenVEX status; kept as unknown");
                d.push(Code::VexStatus, &pointer, message);
                (Status::Unknown, Some(raw.clone()))
            }
        },
        None => {
            d.push(
                Code::VexStatus,
                &pointer,
                "statement has no status; kept as unknown",
            );
            (Status::Unknown, None)
        }
        Some(other) => {
            let message = format!("status must be a string, found {other}; kept as unknown");
            d.push(Code::VexStatus, &pointer, message);
            (Status::Unknown, None)
        }
    }
}

/// The specification's per-status requirements. The 0.2.0 schema says *exactly one* of
/// justification/impact statement for `not_affected`; published documents give both, so only
/// "at least one" is enforced.
fn check_status_rules(m: &Map<String, Value>, status: Status, base: &str, d: &mut Diags) {
    if let Some(j) = m.get("justification") {
        if !j.as_str().is_some_and(|j| JUSTIFICATIONS.contains(&j)) {
            let message = format!("justification {j} is not an OpenVEX justification");
            d.schema(&pointer_join(base, "justification"), message);
        }
    }
    let has = |key: &str| text(m.get(key)).is_some();
    if status == Status::NotAffected && !has("justification") && !has("impact_statement") {
        let message = "a not_affected statement needs a justification or an impact_statement";
        d.schema(base, message);
    }
    if status == Status::Affected && !has("action_statement") {
        d.schema(base, "an affected statement needs an action_statement");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
        diags.iter().map(|d| d.code.as_str()).collect()
    }

    fn minimal(statements: Value) -> Value {
        json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex-1",
            "author": "Example Maintainers",
            "role": "Project Maintainer",
            "timestamp": "2024-01-01T00:00:00Z",
            "version": 1,
            "statements": statements
        })
    }

    #[test]
    fn statement_per_product_and_subcomponent() {
        let v = minimal(json!([{
            "vulnerability": {"name": "CVE-2024-1", "aliases": ["GHSA-aaaa-bbbb-cccc"]},
            "timestamp": "2024-02-01T00:00:00+01:00",
            "products": [
                {"@id": "pkg:OCI/app", "subcomponents": [{"@id": "pkg:apk/x/a@1"}, {"@id": "pkg:apk/x/b@1"}]},
                {"@id": "pkg:npm/c@1"}
            ],
            "status": "fixed"
        }]));
        let (doc, diags) = parse(&v);
        assert!(diags.is_empty(), "{diags:?}");
        let doc = doc.unwrap();
        let targets: Vec<_> = doc.statements.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "pkg:oci/app#pkg:apk/x/a@1",
                "pkg:oci/app#pkg:apk/x/b@1",
                "pkg:npm/c@1"
            ]
        );
        let first = &doc.statements[0];
        assert_eq!(first.aliases, ["GHSA-aaaa-bbbb-cccc"]);
        assert_eq!(first.pointer, "/statements/0/products/0/subcomponents/0");
        assert_eq!(
            first.timestamp.map(|t| t.to_rfc3339()),
            Some("2024-01-31T23:00:00+00:00".to_string()),
            "statement timestamp overrides the document's"
        );
        assert_eq!(
            doc.self_declared,
            Some(super::super::lattice::Authority::Maintainer)
        );
        assert_eq!(doc.issuer.as_deref(), Some("Example Maintainers"));
    }

    #[test]
    fn document_timestamp_is_the_fallback() {
        let v = minimal(json!([{
            "vulnerability": {"name": "CVE-2024-1"},
            "products": [{"@id": "pkg:npm/c@1"}],
            "status": "under_investigation"
        }]));
        let (doc, _) = parse(&v);
        let doc = doc.unwrap();
        assert_eq!(doc.statements[0].timestamp, doc.timestamp);
        assert!(doc.timestamp.is_some());
    }

    #[test]
    fn bad_status_is_kept_as_unknown_and_bad_statements_are_dropped() {
        let v = minimal(json!([
            {"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "p"}], "status": "exploitable"},
            {"vulnerability": {"name": "CVE-2"}, "status": "fixed"},
            {"products": [{"@id": "p"}], "status": "fixed"},
            {"vulnerability": {"name": "CVE-4"}, "products": [{"@id": "p"}], "status": "fixed"}
        ]));
        let (doc, diags) = parse(&v);
        let doc = doc.unwrap();
        assert_eq!(
            codes(&diags),
            ["ERR_VEX_STATUS", "ERR_VEX_STATEMENT", "ERR_VEX_STATEMENT"]
        );
        assert_eq!(diags[0].pointer, "/statements/0/status");
        assert_eq!(diags[1].pointer, "/statements/1/products");
        assert_eq!(diags[2].pointer, "/statements/2/vulnerability");
        let got: Vec<_> = doc
            .statements
            .iter()
            .map(|s| (s.vulnerability.as_str(), s.status))
            .collect();
        assert_eq!(got, [("CVE-1", Status::Unknown), ("CVE-4", Status::Fixed)]);
        assert_eq!(doc.statements[0].raw_status.as_deref(), Some("exploitable"));
    }

    #[test]
    fn schema_problems_are_reported_with_pointers() {
        let mut v = minimal(json!([{
            "vulnerability": {"name": "CVE-1"},
            "products": [{"@id": "p"}],
            "status": "not_affected",
            "statement": "extra"
        }]));
        v["version"] = json!(0);
        v["@context"] = json!("");
        v.as_object_mut().unwrap().remove("timestamp");
        let (doc, diags) = parse(&v);
        assert!(doc.is_some());
        let pointers: Vec<_> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.pointer.as_str()))
            .collect();
        for expected in [
            ("ERR_DOC_SCHEMA", "/@context"),
            ("ERR_DOC_SCHEMA", "/version"),
            ("ERR_DOC_SCHEMA", "/timestamp"),
            ("ERR_DOC_SCHEMA", "/statements/0/statement"),
            ("ERR_DOC_SCHEMA", "/statements/0"),
        ] {
            assert!(
                pointers.contains(&expected),
                "{expected:?} missing from {pointers:?}"
            );
        }
    }

    #[test]
    fn legacy_shape_is_read_with_a_warning() {
        let v = json!({
            "@context": "https://openvex.dev/ns",
            "author": "Someone",
            "statements": [{
                "vulnerability": "CVE-2023-12345",
                "products": ["pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64", "nginx"],
                "subcomponents": ["pkg:generic/lib@1"],
                "status": "fixed",
                "status_notes": ""
            }]
        });
        let (doc, diags) = parse(&v);
        assert_eq!(codes(&diags), ["WARN_FORMAT_LEGACY"]);
        let targets: Vec<_> = doc
            .unwrap()
            .statements
            .into_iter()
            .map(|s| s.target)
            .collect();
        assert_eq!(
            targets,
            [
                "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64#pkg:generic/lib@1",
                "nginx#pkg:generic/lib@1"
            ]
        );
    }

    #[test]
    fn identifiers_and_hashes_stand_in_for_a_missing_id() {
        let digest = "AB".repeat(32);
        let v = minimal(json!([{
            "vulnerability": {"name": "CVE-1"},
            "products": [{"identifiers": {"purl": "pkg:NPM/a@1"}}, {"hashes": {"sha-256": digest}}, {}],
            "status": "fixed"
        }]));
        let (doc, diags) = parse(&v);
        let targets: Vec<_> = doc
            .unwrap()
            .statements
            .into_iter()
            .map(|s| s.target)
            .collect();
        assert_eq!(
            targets,
            [
                "pkg:npm/a@1".to_string(),
                format!("sha256:{}", "ab".repeat(32))
            ]
        );
        assert_eq!(codes(&diags), ["ERR_VEX_STATEMENT"]);
        assert_eq!(diags[0].pointer, "/statements/0/products/2");
    }

    #[test]
    fn non_documents_do_not_panic() {
        for v in [
            json!(null),
            json!([]),
            json!("x"),
            json!({"statements": 3}),
            json!({}),
        ] {
            let (doc, diags) = parse(&v);
            assert!(doc.is_none());
            assert!(!diags.is_empty());
        }
        let (doc, _) = parse(&json!({"statements": [1, null, {"vulnerability": 7}]}));
        assert!(doc.unwrap().statements.is_empty());
    }
}
