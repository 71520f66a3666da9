//! The trust policy file of SPEC §4 and authority rule 1–3 of SPEC §3.
//!
//! ```json
//! {"keys": [{"keyid": "acme-2026", "algorithm": "ed25519", "publicKey": "…"}],
//!  "issuers": [{"match": {"keyid": "acme-2026"}, "authority": "vendor"}]}
//! ```
//!
//! Parsing is strict and fails closed: an unknown field, a missing or empty value, a duplicate
//! key id, an unknown authority, a match on more or less than one property, or a `keyid` rule
//! for a key the policy does not pin is `ERR_TRUST_POLICY`, and no policy is returned.

use crate::diag::{pointer_join, Code, Diagnostic};
use crate::vex::lattice::{Authority, AuthorityClaim, AuthoritySource};
use crate::vex::statement::{VexDocument, VexFormat};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Signature algorithms a pinned key may declare.
pub const ALGORITHMS: &[&str] = &["ed25519", "ecdsa-p256-sha256"];

/// A parsed trust policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// The pinned keys.
    pub keys: Vec<TrustKey>,
    /// Issuer rules, in file order.
    pub issuers: Vec<IssuerRule>,
}

/// A pinned public key. The key material is kept as written; decoding is the verifier's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustKey {
    /// The id signatures name the key by.
    pub keyid: String,
    /// One of [`ALGORITHMS`].
    pub algorithm: String,
    /// Base64 of the raw key, or a PEM SubjectPublicKeyInfo block.
    pub public_key: String,
}

/// "Statements from issuers matching `matcher` have `authority`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRule {
    /// What the rule matches.
    pub matcher: IssuerMatch,
    /// The authority it grants.
    pub authority: Authority,
}

/// What an issuer rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerMatch {
    /// The id of a pinned key that signed the document.
    KeyId(String),
    /// The document's issuer (OpenVEX author, CSAF publisher name, CycloneDX supplier…), exactly.
    Author(String),
    /// The CSAF publisher namespace (URI; scheme and host compare case-insensitively, a
    /// trailing `/` is ignored).
    Namespace(String),
}

impl TrustPolicy {
    /// Parses a policy file. JSON syntax errors keep their own codes (`ERR_JSON_…`).
    pub fn from_slice(bytes: &[u8]) -> Result<TrustPolicy, Vec<Diagnostic>> {
        let value = crate::json::parse(bytes).map_err(|e| vec![e.into_diagnostic("")])?;
        TrustPolicy::from_value(&value)
    }

    /// Parses an already-read policy document.
    pub fn from_value(value: &Value) -> Result<TrustPolicy, Vec<Diagnostic>> {
        let mut errors = Errors::default();
        let policy = read_policy(value, &mut errors);
        if errors.0.is_empty() {
            Ok(policy)
        } else {
            Err(errors.0)
        }
    }

    /// The pinned key with this id.
    pub fn key(&self, keyid: &str) -> Option<&TrustKey> {
        self.keys.iter().find(|k| k.keyid == keyid)
    }
}

#[derive(Default)]
struct Errors(Vec<Diagnostic>);

impl Errors {
    fn push(&mut self, pointer: &str, message: impl Into<String>) {
        self.0
            .push(Diagnostic::new(Code::TrustPolicy, "", message).at(pointer));
    }
}

fn read_policy(value: &Value, e: &mut Errors) -> TrustPolicy {
    let Some(root) = value.as_object() else {
        e.push("", "a trust policy must be a JSON object");
        return TrustPolicy::default();
    };
    only_keys(root, &["keys", "issuers"], "", e);
    let keys: Vec<TrustKey> = list(root, "keys", "", e)
        .filter_map(|(item, pointer)| read_key(item, &pointer, e))
        .collect();
    // Sets, not scans: a hostile bundle's own trust.json can list a million keys.
    let mut pinned: HashSet<&str> = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        if !pinned.insert(&key.keyid) {
            e.push(
                &format!("/keys/{i}/keyid"),
                format!("key id {:?} is listed twice", key.keyid),
            );
        }
    }
    let issuers = list(root, "issuers", "", e)
        .filter_map(|(item, pointer)| read_rule(item, &pointer, &pinned, e))
        .collect();
    TrustPolicy { keys, issuers }
}

/// The items of an optional array field, each with its pointer.
fn list<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    base: &str,
    e: &mut Errors,
) -> impl Iterator<Item = (&'a Value, String)> {
    let pointer = pointer_join(base, key);
    let items = match map.get(key) {
        None => None,
        Some(Value::Array(items)) => Some(items),
        Some(_) => {
            e.push(&pointer, format!("`{key}` must be an array"));
            None
        }
    };
    items
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(i, item)| (item, pointer_join(&pointer, i)))
}

fn only_keys(map: &Map<String, Value>, allowed: &[&str], base: &str, e: &mut Errors) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        e.push(&pointer_join(base, key), format!("unknown field `{key}`"));
    }
}

fn required_string(
    map: &Map<String, Value>,
    key: &str,
    base: &str,
    e: &mut Errors,
) -> Option<String> {
    let pointer = pointer_join(base, key);
    match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::String(_)) => {
            e.push(&pointer, format!("`{key}` must not be empty"));
            None
        }
        Some(_) => {
            e.push(&pointer, format!("`{key}` must be a string"));
            None
        }
        None => {
            e.push(&pointer, format!("required field `{key}` is missing"));
            None
        }
    }
}

fn read_key(item: &Value, pointer: &str, e: &mut Errors) -> Option<TrustKey> {
    let Some(map) = item.as_object() else {
        e.push(pointer, "a key must be an object");
        return None;
    };
    only_keys(map, &["keyid", "algorithm", "publicKey"], pointer, e);
    let keyid = required_string(map, "keyid", pointer, e);
    let algorithm = required_string(map, "algorithm", pointer, e);
    let public_key = required_string(map, "publicKey", pointer, e);
    if let Some(a) = algorithm.as_deref().filter(|a| !ALGORITHMS.contains(a)) {
        let message = format!("algorithm {a:?} is not one of {}", ALGORITHMS.join(", "));
        e.push(&pointer_join(pointer, "algorithm"), message);
    }
    Some(TrustKey {
        keyid: keyid?,
        algorithm: algorithm?,
        public_key: public_key?,
    })
}

fn read_rule(
    item: &Value,
    pointer: &str,
    pinned: &HashSet<&str>,
    e: &mut Errors,
) -> Option<IssuerRule> {
    let Some(map) = item.as_object() else {
        e.push(pointer, "an issuer rule must be an object");
        return None;
    };
    only_keys(map, &["match", "authority"], pointer, e);
    let authority = required_string(map, "authority", pointer, e).and_then(|a| {
        let parsed = Authority::from_name(&a);
        if parsed.is_none() {
            let message =
                format!("authority {a:?} is not vendor, maintainer, third_party or unknown");
            e.push(&pointer_join(pointer, "authority"), message);
        }
        parsed
    });
    let matcher = read_match(map, &pointer_join(pointer, "match"), pinned, e);
    Some(IssuerRule {
        matcher: matcher?,
        authority: authority?,
    })
}

fn read_match(
    rule: &Map<String, Value>,
    pointer: &str,
    pinned: &HashSet<&str>,
    e: &mut Errors,
) -> Option<IssuerMatch> {
    let Some(map) = rule.get("match").and_then(Value::as_object) else {
        e.push(
            pointer,
            "`match` must be an object with one of keyid, author, namespace",
        );
        return None;
    };
    only_keys(map, &["keyid", "author", "namespace"], pointer, e);
    if map.len() != 1 {
        e.push(
            pointer,
            "`match` must have exactly one of keyid, author, namespace",
        );
        return None;
    }
    let (field, _) = map.iter().next()?;
    let value = required_string(map, field, pointer, e)?;
    match field.as_str() {
        "keyid" if pinned.contains(value.as_str()) => Some(IssuerMatch::KeyId(value)),
        "keyid" => {
            let message =
                format!("key id {value:?} is not pinned in `keys`; the rule could never apply");
            e.push(&pointer_join(pointer, "keyid"), message);
            None
        }
        "author" => Some(IssuerMatch::Author(value)),
        "namespace" => Some(IssuerMatch::Namespace(value)),
        _ => None,
    }
}

/// The authority of `doc`'s issuer (SPEC §3, first rule that applies):
/// 1. a trust-policy rule matching a key that signed the document, else one matching its
///    issuer name or namespace (several matches: the highest authority, first in policy order);
/// 2. the document's self-declared authority;
/// 3. `Unknown`.
///
/// `signing_keyids` must be the ids of *policy* keys whose signature over the document
/// verified; a `keyid` rule only applies to a key the policy pins.
pub fn authority_for(
    doc: &VexDocument,
    signing_keyids: &[String],
    policy: Option<&TrustPolicy>,
) -> AuthorityClaim {
    let by_policy = policy.and_then(|p| by_key(p, signing_keyids).or_else(|| by_issuer(p, doc)));
    by_policy
        .or_else(|| self_declared(doc))
        .unwrap_or_else(AuthorityClaim::unknown)
}

fn by_key(policy: &TrustPolicy, signing_keyids: &[String]) -> Option<AuthorityClaim> {
    best(
        policy
            .issuers
            .iter()
            .filter_map(|rule| match &rule.matcher {
                IssuerMatch::KeyId(k) if signing_keyids.contains(k) && policy.key(k).is_some() => {
                    Some((rule.authority, format!("trust policy, key {k}")))
                }
                _ => None,
            }),
    )
}

fn by_issuer(policy: &TrustPolicy, doc: &VexDocument) -> Option<AuthorityClaim> {
    let issuer = doc.issuer.as_deref().map(str::trim);
    let namespace = doc.issuer_namespace.as_deref().map(normalize_namespace);
    best(
        policy
            .issuers
            .iter()
            .filter_map(|rule| match &rule.matcher {
                IssuerMatch::Author(a) if issuer == Some(a.trim()) => Some((
                    rule.authority,
                    format!("trust policy, author {:?}", a.trim()),
                )),
                IssuerMatch::Namespace(n)
                    if namespace.as_deref() == Some(&normalize_namespace(n)) =>
                {
                    Some((
                        rule.authority,
                        format!("trust policy, namespace {}", n.trim()),
                    ))
                }
                _ => None,
            }),
    )
}

/// The highest authority among matches; the first in policy order among equals.
fn best(matches: impl Iterator<Item = (Authority, String)>) -> Option<AuthorityClaim> {
    let mut found: Option<(Authority, String)> = None;
    for (authority, explanation) in matches {
        if found.as_ref().is_none_or(|(a, _)| authority > *a) {
            found = Some((authority, explanation));
        }
    }
    found.map(|(authority, explanation)| AuthorityClaim {
        authority,
        source: AuthoritySource::TrustPolicy,
        explanation,
    })
}

fn self_declared(doc: &VexDocument) -> Option<AuthorityClaim> {
    let authority = doc.self_declared?;
    let field = match doc.format {
        VexFormat::OpenVex => "OpenVEX role",
        VexFormat::Csaf => "CSAF publisher category",
        VexFormat::CycloneDx => "CycloneDX claim",
    };
    let claim = doc.issuer_role.as_deref().unwrap_or_default();
    Some(AuthorityClaim {
        authority,
        source: AuthoritySource::SelfDeclared,
        explanation: format!("self-declared, {field} {claim:?}"),
    })
}

/// URIs compare with scheme and host lowercased, default ports dropped, no trailing `/`.
fn normalize_namespace(namespace: &str) -> String {
    let namespace = namespace.trim();
    let text = match url::Url::parse(namespace) {
        Ok(url) => url.to_string(),
        Err(_) => namespace.to_string(),
    };
    text.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> Value {
        json!({
            "keys": [{"keyid": "acme-2026", "algorithm": "ed25519", "publicKey": "MCowBQYDK2VwAyEA"}],
            "issuers": [
                {"match": {"keyid": "acme-2026"}, "authority": "vendor"},
                {"match": {"author": "Example Maintainers"}, "authority": "maintainer"},
                {"match": {"namespace": "https://thirdparty.example"}, "authority": "third_party"}
            ]
        })
    }

    fn doc(
        format: VexFormat,
        issuer: &str,
        namespace: Option<&str>,
        role: Option<(&str, Authority)>,
    ) -> VexDocument {
        VexDocument {
            format,
            id: None,
            issuer: Some(issuer.to_string()),
            issuer_namespace: namespace.map(str::to_string),
            issuer_role: role.map(|(r, _)| r.to_string()),
            self_declared: role.map(|(_, a)| a),
            timestamp: None,
            statements: vec![],
        }
    }

    fn errors(value: Value) -> Vec<(String, String)> {
        let diags = TrustPolicy::from_value(&value).unwrap_err();
        assert!(diags.iter().all(|d| d.code == Code::TrustPolicy));
        diags.into_iter().map(|d| (d.pointer, d.message)).collect()
    }

    #[test]
    fn parses_the_spec_example() {
        let policy = TrustPolicy::from_value(&example()).unwrap();
        assert_eq!(
            policy.key("acme-2026").map(|k| k.algorithm.as_str()),
            Some("ed25519")
        );
        assert_eq!(
            policy
                .issuers
                .iter()
                .map(|r| r.authority)
                .collect::<Vec<_>>(),
            [
                Authority::Vendor,
                Authority::Maintainer,
                Authority::ThirdParty
            ]
        );
        assert_eq!(
            policy.issuers[1].matcher,
            IssuerMatch::Author("Example Maintainers".into())
        );
    }

    #[test]
    fn strict_parsing_rejects_every_malformed_part() {
        let mut v = example();
        v["extra"] = json!(1);
        let keys = v["keys"].as_array_mut().unwrap();
        keys.push(json!({"keyid": "acme-2026", "algorithm": "rsa", "publicKey": "x"}));
        keys.push(json!({"keyid": "k2", "algorithm": "ed25519", "publicKey": " "}));
        v["issuers"].as_array_mut().unwrap().extend([
            json!({"match": {"keyid": "ghost"}, "authority": "vendor"}),
            json!({"match": {"author": "a", "namespace": "n"}, "authority": "vendor"}),
            json!({"match": {"author": "a"}, "authority": "Vendor"}),
            json!({"match": {"author": "a"}}),
        ]);
        let got = errors(v);
        let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/extra",
                "/keys/1/algorithm",
                "/keys/2/publicKey",
                "/keys/1/keyid",
                "/issuers/3/match/keyid",
                "/issuers/4/match",
                "/issuers/5/authority",
                "/issuers/6/authority",
            ]
        );
        assert!(got[4].1.contains("not pinned"));
    }

    #[test]
    fn non_objects_and_bad_json_are_rejected() {
        assert_eq!(errors(json!([]))[0].0, "");
        assert_eq!(errors(json!({"keys": {}}))[0].0, "/keys");
        let diags = TrustPolicy::from_slice(b"{\"keys\": [], \"keys\": []}").unwrap_err();
        assert_eq!(diags[0].code, Code::JsonDuplicateKey);
        assert_eq!(
            TrustPolicy::from_slice(b"{}").unwrap(),
            TrustPolicy::default()
        );
    }

    #[test]
    fn signing_key_rule_comes_first() {
        let policy = TrustPolicy::from_value(&example()).unwrap();
        let d = doc(
            VexFormat::OpenVex,
            "Example Maintainers",
            None,
            Some(("vendor", Authority::Vendor)),
        );
        let claim = authority_for(&d, &["acme-2026".to_string()], Some(&policy));
        assert_eq!(claim.authority, Authority::Vendor);
        assert_eq!(claim.source, AuthoritySource::TrustPolicy);
        assert_eq!(claim.explanation, "trust policy, key acme-2026");
    }

    #[test]
    fn author_rule_applies_when_no_signing_key_matches() {
        let policy = TrustPolicy::from_value(&example()).unwrap();
        let d = doc(
            VexFormat::OpenVex,
            "Example Maintainers",
            None,
            Some(("vendor", Authority::Vendor)),
        );
        let claim = authority_for(&d, &["other-key".to_string()], Some(&policy));
        assert_eq!(
            (claim.authority, claim.source),
            (Authority::Maintainer, AuthoritySource::TrustPolicy)
        );
        assert_eq!(
            claim.explanation,
            "trust policy, author \"Example Maintainers\""
        );
    }

    #[test]
    fn namespace_rule_compares_normalised_uris() {
        let policy = TrustPolicy::from_value(&example()).unwrap();
        let d = doc(
            VexFormat::Csaf,
            "Someone",
            Some("HTTPS://ThirdParty.example:443/"),
            None,
        );
        let claim = authority_for(&d, &[], Some(&policy));
        assert_eq!(
            (claim.authority, claim.source),
            (Authority::ThirdParty, AuthoritySource::TrustPolicy)
        );
    }

    #[test]
    fn self_declared_when_no_rule_matches_or_no_policy() {
        let policy = TrustPolicy::from_value(&example()).unwrap();
        let d = doc(
            VexFormat::Csaf,
            "Red Hat Product Security",
            None,
            Some(("vendor", Authority::Vendor)),
        );
        for p in [Some(&policy), None] {
            let claim = authority_for(&d, &["acme-2026".to_string()][..0], p);
            assert_eq!(
                (claim.authority, claim.source),
                (Authority::Vendor, AuthoritySource::SelfDeclared)
            );
            assert_eq!(
                claim.explanation,
                "self-declared, CSAF publisher category \"vendor\""
            );
        }
    }

    #[test]
    fn unknown_when_nothing_applies() {
        let d = doc(VexFormat::CycloneDx, "Acme", None, None);
        let claim = authority_for(&d, &["acme-2026".to_string()], None);
        assert_eq!(
            (claim.authority, claim.source),
            (Authority::Unknown, AuthoritySource::None)
        );
    }

    #[test]
    fn keyid_rules_need_a_pinned_key_and_the_best_match_wins() {
        // Built by hand: a rule whose key is not pinned (e.g. only bundle-supplied) never applies.
        let policy = TrustPolicy {
            keys: vec![],
            issuers: vec![IssuerRule {
                matcher: IssuerMatch::KeyId("bundle-key".into()),
                authority: Authority::Vendor,
            }],
        };
        let d = doc(VexFormat::CycloneDx, "Acme", None, None);
        assert_eq!(
            authority_for(&d, &["bundle-key".to_string()], Some(&policy)).authority,
            Authority::Unknown
        );
        let mut v = example();
        v["keys"]
            .as_array_mut()
            .unwrap()
            .push(json!({"keyid": "tp", "algorithm": "ed25519", "publicKey": "x"}));
        v["issuers"].as_array_mut().unwrap().insert(
            0,
            json!({"match": {"keyid": "tp"}, "authority": "third_party"}),
        );
        let policy = TrustPolicy::from_value(&v).unwrap();
        let claim = authority_for(
            &d,
            &["tp".to_string(), "acme-2026".to_string()],
            Some(&policy),
        );
        assert_eq!(claim.authority, Authority::Vendor);
    }
}
