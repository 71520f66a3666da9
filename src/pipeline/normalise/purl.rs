//! Package URL normalisation on top of the `packageurl` crate (which lowercases the type and,
//! per type, namespace and name, and sorts qualifiers when printing).

use packageurl::PackageUrl;
use std::cell::RefCell;
use std::hash::BuildHasher;
use std::str::FromStr;

/// Purls remembered per thread: a purl recurs in one document (collection, then the
/// normalised digest) and across a bundle's SBOMs, and parsing and printing one is most of the
/// cost of normalising it. Bounded: the memo is emptied when either limit is reached.
const MEMO_ENTRIES: usize = 1 << 16;
const MEMO_TEXT_BYTES: usize = 4 << 20;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// What normalising one purl gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// The input is already canonical.
    Same,
    /// The canonical spelling, at this place in the memo's text.
    Canonical(u32, u32),
    /// The input does not parse; the message, at this place in the memo's text.
    Invalid(u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    key: (u32, u32),
    answer: Answer,
}

/// Keys and answers live side by side in one string and the table holds only their places and
/// hashes: a lookup compares hashes first, touches the text once, and allocates nothing
/// (a `HashMap<Box<str>, Box<str>>` cost two dependent cache misses and a copy per hit). The
/// hasher is randomly seeded: purls come from the bundle, which must not be able to choose
/// colliding keys.
#[derive(Default)]
struct Memo {
    text: String,
    table: hashbrown::HashTable<Entry>,
    hasher: foldhash::fast::RandomState,
}

impl Memo {
    fn slice(&self, (start, len): (u32, u32)) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }

    fn find(&self, hash: u64, input: &str) -> Option<Answer> {
        self.table
            .find(hash, |e| e.hash == hash && self.slice(e.key) == input)
            .map(|e| e.answer)
    }

    fn push_text(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }

    /// Keeps `input`'s answer (unless either is too long to be worth a place).
    fn remember(&mut self, hash: u64, input: &str, result: &Result<String, String>) {
        let answer_text = match result {
            Ok(canonical) if canonical == input => "",
            Ok(text) | Err(text) => text,
        };
        if input.len() + answer_text.len() > MEMO_TEXT_BYTES / 16 {
            return;
        }
        if self.table.len() >= MEMO_ENTRIES
            || self.text.len() + input.len() + answer_text.len() > MEMO_TEXT_BYTES
        {
            self.table.clear();
            self.text.clear();
        }
        let answer = match result {
            Ok(canonical) if canonical == input => Answer::Same,
            Ok(canonical) => {
                let (start, len) = self.push_text(canonical);
                Answer::Canonical(start, len)
            }
            Err(message) => {
                let (start, len) = self.push_text(message);
                Answer::Invalid(start, len)
            }
        };
        let key = self.push_text(input);
        self.table
            .insert_unique(hash, Entry { hash, key, answer }, |e| e.hash);
    }

    /// What `read` takes from `input`'s answer; the answer is computed once per memo.
    fn answer<R>(&mut self, input: &str, read: impl FnOnce(Result<&str, &str>) -> R) -> R {
        let hash = self.hasher.hash_one(input);
        match self.find(hash, input) {
            Some(Answer::Same) => read(Ok(input)),
            Some(Answer::Canonical(start, len)) => read(Ok(self.slice((start, len)))),
            Some(Answer::Invalid(start, len)) => read(Err(self.slice((start, len)))),
            None => {
                let result = parse_and_print(input);
                self.remember(hash, input, &result);
                read(result.as_deref().map_err(String::as_str))
            }
        }
    }
}

/// The canonical spelling of a purl, or an error message if it does not parse. The one purl
/// normalisation of the program: component purls (collection), the normalised digest and VEX
/// targets ([`crate::vex::target::normalize_target`]) all go through it, so a component's stored
/// purl is compared with a target's as it is.
pub fn normalise_purl(input: &str) -> Result<String, String> {
    MEMO.with_borrow_mut(|memo| {
        memo.answer(input, |result| {
            result.map(str::to_string).map_err(str::to_string)
        })
    })
}

/// The canonical spelling of `input` if it is a purl that parses and is not already written
/// canonically; `None` otherwise. Allocates only for a changed spelling.
pub fn changed_purl_spelling(input: &str) -> Option<String> {
    MEMO.with_borrow_mut(|memo| {
        memo.answer(input, |result| match result {
            Ok(canonical) if canonical != input => Some(canonical.to_string()),
            _ => None,
        })
    })
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
        assert!(MEMO.with_borrow(|memo| memo.table.len()) <= MEMO_ENTRIES);
        assert_eq!(
            normalise_purl("pkg:npm/bounded-0@1").unwrap(),
            "pkg:npm/bounded-0@1"
        );
    }

    #[test]
    fn a_changed_spelling_is_given_only_when_it_differs() {
        for _ in 0..2 {
            assert_eq!(
                changed_purl_spelling("pkg:NPM/Changed@1").as_deref(),
                Some("pkg:npm/changed@1")
            );
            assert_eq!(changed_purl_spelling("pkg:npm/unchanged@1"), None);
            assert_eq!(changed_purl_spelling("pkg:"), None);
        }
    }

    #[test]
    fn a_purl_too_long_to_remember_is_still_answered() {
        let long = format!("pkg:NPM/{}@1", "a".repeat(MEMO_TEXT_BYTES / 8));
        let canonical = format!("pkg:npm/{}@1", "a".repeat(MEMO_TEXT_BYTES / 8));
        for _ in 0..2 {
            assert_eq!(normalise_purl(&long).unwrap(), canonical);
            assert_eq!(changed_purl_spelling(&long), Some(canonical.clone()));
        }
        assert!(MEMO.with_borrow(|memo| memo.text.len()) <= MEMO_TEXT_BYTES);
    }

    #[test]
    fn the_memo_text_stays_bounded() {
        let name = "n".repeat(4096);
        for i in 0..(MEMO_TEXT_BYTES / 4096 + 10) {
            normalise_purl(&format!("pkg:NPM/{name}-{i}@1")).unwrap();
            assert!(MEMO.with_borrow(|memo| memo.text.len()) <= MEMO_TEXT_BYTES);
        }
        assert_eq!(
            normalise_purl(&format!("pkg:NPM/{name}-0@1")).unwrap(),
            format!("pkg:npm/{name}-0@1")
        );
    }

    #[test]
    fn non_purls_pass_through() {
        assert_eq!(normalise_if_purl("cpe:2.3:a:x"), "cpe:2.3:a:x");
        assert!(normalise_purl("pkg:").is_err());
    }
}
