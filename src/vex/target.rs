//! Target normalisation (SPEC §3 "Target"): package URLs in canonical form, digests in
//! lowercase, everything else (CPEs, plain ids, BOM-Links) as given.

use crate::pipeline::normalise::purl::{has_purl_scheme, normalise_purl};

/// Normalises a product id so that equal products compare equal as strings.
///
/// - `pkg:` ids are parsed with the `packageurl` crate and printed back (type lowercase,
///   per-type name/namespace case rules, qualifiers sorted); an unparsable purl is kept.
/// - `sha256:`/`sha384:`/`sha512:` digests (any case) become lowercase.
/// - Anything else is kept as given, trimmed.
pub fn normalize_target(id: &str) -> String {
    let id = id.trim();
    if let Some(purl) = normalize_purl(id) {
        return purl;
    }
    if let Some(digest) = normalize_digest(id) {
        return digest;
    }
    id.to_string()
}

/// The canonical form of a package URL, or `None` when `id` is not a parsable purl: the
/// pipeline's one purl normalisation ([`normalise_purl`]), so that targets and component purls
/// meet as strings.
pub fn normalize_purl(id: &str) -> Option<String> {
    if !has_purl_scheme(id) {
        return None;
    }
    normalise_purl(id).ok()
}

/// `algorithm:hex` with a known algorithm and the right length, lowercased.
pub fn normalize_digest(id: &str) -> Option<String> {
    let (algorithm, hex) = id.split_once(':')?;
    let algorithm = algorithm.to_ascii_lowercase();
    let len = match algorithm.as_str() {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    if hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(format!("{algorithm}:{}", hex.to_ascii_lowercase()))
    } else {
        None
    }
}

/// A product with a subcomponent: `product#subcomponent`, both normalised.
pub fn with_subcomponent(product: &str, subcomponent: &str) -> String {
    format!(
        "{}#{}",
        normalize_target(product),
        normalize_target(subcomponent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_type_is_lowercased_and_qualifiers_sorted() {
        assert_eq!(
            normalize_target("pkg:NPM/left-pad@1.0.0?os=linux&arch=x86"),
            "pkg:npm/left-pad@1.0.0?arch=x86&os=linux"
        );
        assert_eq!(
            normalize_target("PKG:pypi/Django_Rest@1.0"),
            "pkg:pypi/django-rest@1.0"
        );
    }

    #[test]
    fn encoded_and_plain_digest_versions_agree() {
        let a = normalize_target("pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126");
        let b = normalize_target("pkg:oci/alpine@sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126");
        assert_eq!(a, b);
        assert_eq!(normalize_target(&a), a, "normalisation is idempotent");
    }

    #[test]
    fn unparsable_purl_and_other_ids_are_kept() {
        assert_eq!(
            normalize_target("pkg:composer/no-namespace"),
            "pkg:composer/no-namespace"
        );
        assert_eq!(normalize_target(" product-ABC "), "product-ABC");
        assert_eq!(
            normalize_target("cpe:/o:redhat:rhel_eus:8.6::baseos"),
            "cpe:/o:redhat:rhel_eus:8.6::baseos"
        );
    }

    #[test]
    fn digests_are_lowercased_only_when_well_formed() {
        let upper = format!("SHA256:{}", "AB".repeat(32));
        assert_eq!(
            normalize_target(&upper),
            format!("sha256:{}", "ab".repeat(32))
        );
        assert_eq!(normalize_target("sha256:ABC"), "sha256:ABC");
        assert_eq!(normalize_target("md5:ABC"), "md5:ABC");
    }

    #[test]
    fn subcomponents_are_joined_with_a_hash() {
        assert_eq!(
            with_subcomponent("pkg:OCI/git", "pkg:APK/alpine/git@2.38.1-r0"),
            "pkg:oci/git#pkg:apk/alpine/git@2.38.1-r0"
        );
    }
}
