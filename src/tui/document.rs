//! The normalised JSON of a node, read again from the loaded bundle when the node is selected
//! (the model keeps no document bodies).

use crate::bundle::Bundle;
use crate::graph::{Node, NodeKind};
use crate::pipeline::collect::dsse::decode_base64;
use crate::pipeline::normalise::{normalised_value, Profile};
use serde_json::Value;

/// What the JSON pane shows for a node with no document to read (no location), or `None` when
/// there is one: then [`normalised_json_lines`] reads it.
pub fn without_document(node: &Node) -> Option<Vec<String>> {
    node.locations.is_empty().then(|| {
        vec![format!(
            "({} nodes have no document of their own)",
            node.kind
        )]
    })
}

/// Pretty-printed normalised JSON of the node's first location, or a line saying why not. May
/// read a file from the bundle's source again: call it off the frame ([`super::reader`]).
pub fn normalised_json_lines(bundle: &Bundle, node: &Node) -> Vec<String> {
    if let Some(lines) = without_document(node) {
        return lines;
    }
    let Some(loc) = node.locations.first() else {
        return Vec::new();
    };
    let Some(bytes) = bundle.get(&loc.file) else {
        return vec![format!(
            "({} is not in the bundle, or changed on disk since it was loaded)",
            loc.file
        )];
    };
    let pointer = match node.kind {
        // An envelope's interesting part is its statement, not the base64.
        NodeKind::Attestation if loc.pointer.is_empty() => "/payload",
        _ => loc.pointer.as_str(),
    };
    match value_at(&bytes, pointer).or_else(|| value_at(&bytes, &loc.pointer)) {
        Some(v) => {
            let normalised = normalised_value(&v, profile(node));
            serde_json::to_string_pretty(&normalised)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect()
        }
        None => vec![format!("(nothing at {} {})", loc.file, loc.pointer)],
    }
}

fn profile(node: &Node) -> Profile {
    match (node.kind, node.field_str("format").as_deref()) {
        (NodeKind::Sbom, Some("CycloneDX")) => Profile::CycloneDx,
        (NodeKind::Sbom, Some("SPDX")) => Profile::Spdx,
        _ => Profile::Generic,
    }
}

/// The value at `pointer`; a pointer through `/payload` continues in the decoded DSSE payload.
/// Only the value itself is parsed: the document around it is scanned, never built.
fn value_at(bytes: &[u8], pointer: &str) -> Option<Value> {
    if let Some(rest) = pointer.strip_prefix("/payload") {
        if let Some(envelope) = crate::json::locate(bytes, "")
            .and_then(|b| crate::json::parse(b).ok())
            .filter(|doc| doc.get("payloadType").is_some())
        {
            let payload = decode_base64(envelope.get("payload")?.as_str()?)?;
            return if rest.is_empty() {
                crate::json::parse(&payload).ok()
            } else {
                crate::json::parse(crate::json::locate(&payload, rest)?).ok()
            };
        }
    }
    crate::json::parse(crate::json::locate(bytes, pointer)?).ok()
}
