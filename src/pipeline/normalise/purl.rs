//! Package URL normalisation on top of the `packageurl` crate (which lowercases the type and,
//! per type, namespace and name, and sorts qualifiers when printing).

use packageurl::PackageUrl;
use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

/// Purls remembered per thread: a purl recurs in one document (collection, then the
/// normalised digest) and across a bundle's SBOMs, and parsing and printing one is most of the
/// cost of normalising it. Bounded: the map is emptied when it is full.
const MEMO_ENTRIES: usize = 1 << 15;

type Memo = HashMap<Box<str>, Result<Box<str>, Box<str>>, foldhash::fast::RandomState>;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The canonical spelling of a purl, or an error message if it does not parse. The one purl
/// normalisation of the program: component purls (collection), the normalised digest and VEX
/// targets ([`crate::vex::target::normalize_target`]) all go through it, so a component's stored
/// purl is compared with a target's as it is.
pub fn normalise_purl(input: &str) -> Result<String, String> {
    let remembered = MEMO.with_borrow(|memo| memo.get(input).cloned());
    let result = match remembered {
        Some(result) => result,
        None => {
            let result = parse_and_print(input)
                .map(String::into_boxed_str)
                .map_err(String::into_boxed_str);
            MEMO.with_borrow_mut(|memo| {
                if memo.len() >= MEMO_ENTRIES {
                    memo.clear();
                }
                memo.insert(input.into(), result.clone());
            });
            result
        }
    };
    result.map(String::from).map_err(String::from)
}

fn parse_and_print(input: &str) -> Result<String, String> {
    let input = input.trim();
    // The scheme is case-insensitive (purl spec); the parser only takes it in lowercase.
    let lowered;
    let text = if has_purl_scheme(input) && !input.starts_with("pkg:") {
        lowered = format!("pkg:{}", &input[4..]);
        lowered.as_str()
    } else {
        input
    };
    let purl = PackageUrl::from_str(text).map_err(|e| e.to_string())?;
    let mut out = purl.to_string();
    if purl.ty() == "pypi" {
        out = pypi_name_dashes(&purl, out);
    }
    Ok(out)
}

/// Whether `s` starts with the `pkg:` scheme (any case) and has something after it. Compares
/// bytes, so a multi-byte character straddling the fourth byte is no problem.
pub fn has_purl_scheme(s: &str) -> bool {
    s.len() > 4 && s.as_bytes()[..4].eq_ignore_ascii_case(b"pkg:")
}

/// Normalises if the string is a purl; otherwise returns it unchanged.
pub fn normalise_if_purl(input: &str) -> String {
    if has_purl_scheme(input) {
        normalise_purl(input).unwrap_or_else(|_| input.to_string())
    } else {
        input.to_string()
    }
}

/// PyPI names compare with `_` and `-` equal (PEP 503); the purl spec says to use `-`.
fn pypi_name_dashes(purl: &PackageUrl<'_>, printed: String) -> String {
    if !purl.name().contains('_') {
        return printed;
    }
    let name = purl.name().replace('_', "-");
    match PackageUrl::new(purl.ty().to_string(), name) {
        Ok(mut renamed) => {
            if let Some(v) = purl.version() {
                let _ = renamed.with_version(v.to_string());
            }
            if let Some(s) = purl.subpath() {
                let _ = renamed.with_subpath(s.to_string());
            }
            for (k, v) in purl.qualifiers() {
                let _ = renamed.add_qualifier(k.to_string(), v.to_string());
            }
            renamed.to_string()
        }
        Err(_) => printed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_case_and_qualifier_order_normalise() {
        let a = normalise_purl("pkg:NPM/Lodash@4.17.21?os=linux&arch=x86").unwrap();
        let b = normalise_purl("pkg:npm/lodash@4.17.21?arch=x86&os=linux").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "pkg:npm/lodash@4.17.21?arch=x86&os=linux");
    }

    #[test]
    fn per_type_case_rules() {
        assert_eq!(
            normalise_purl("pkg:github/Package-URL/Purl-Spec").unwrap(),
            "pkg:github/package-url/purl-spec"
        );
        // Maven names are case-sensitive and must stay as written.
        assert_eq!(
            normalise_purl("pkg:maven/org.Apache/Commons@1").unwrap(),
            "pkg:maven/org.Apache/Commons@1"
        );
    }

    #[test]
    fn pypi_underscores_become_dashes() {
        assert_eq!(
            normalise_purl("pkg:PyPI/Django_Rest@1.0").unwrap(),
            "pkg:pypi/django-rest@1.0"
        );
    }

    #[test]
    fn a_multibyte_character_at_the_scheme_boundary_is_not_a_purl() {
        // U+02DE takes bytes 3..5: slicing the string at 4 would panic.
        assert!(!has_purl_scheme("pkg\u{2de}lpine/openssl@3.0.4"));
        assert_eq!(normalise_if_purl("pkg\u{2de}x"), "pkg\u{2de}x");
        assert!(has_purl_scheme("PKG:npm/a"));
        assert_eq!(normalise_purl(" PKG:NPM/a@1 ").unwrap(), "pkg:npm/a@1");
        assert!(!has_purl_scheme("pkg:"));
    }

    #[test]
    fn a_remembered_purl_gives_the_same_answer() {
        for _ in 0..3 {
            assert_eq!(
                normalise_purl("pkg:NPM/Remembered@1?b=2&a=1").unwrap(),
                "pkg:npm/remembered@1?a=1&b=2"
            );
            assert!(normalise_purl("pkg:").is_err());
        }
    }

    #[test]
    fn the_memo_stays_bounded() {
        for i in 0..MEMO_ENTRIES + 10 {
            normalise_purl(&format!("pkg:npm/bounded-{i}@1")).unwrap();
        }
        assert!(MEMO.with_borrow(|memo| memo.len()) <= MEMO_ENTRIES);
        assert_eq!(
            normalise_purl("pkg:npm/bounded-0@1").unwrap(),
            "pkg:npm/bounded-0@1"
        );
    }

    #[test]
    fn non_purls_pass_through() {
        assert_eq!(normalise_if_purl("cpe:2.3:a:x"), "cpe:2.3:a:x");
        assert!(normalise_purl("pkg:").is_err());
    }
}
