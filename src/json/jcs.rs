//! RFC 8785 JSON Canonicalization Scheme: a streaming writer (into a buffer or straight into
//! SHA-256), checked against the maintained `serde_json_canonicalizer` crate.

use super::tape::{Kind, J};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// The JCS serialisation of `value` (written by [`write_canonical`]; numbers other than small
/// integers go through `serde_json_canonicalizer`, which the tests also check everything else
/// against).
pub fn canonical_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut Verbatim, &mut out);
    out
}

/// The JCS serialisation of `value` as a string.
pub fn canonical_string(value: &Value) -> String {
    String::from_utf8(canonical_bytes(value)).unwrap_or_default()
}

/// SHA-256 of the JCS form, as lowercase hex (hashed while it is written, never buffered).
pub fn sha256_hex(value: &Value) -> String {
    let mut out = HashOut::default();
    write_canonical(value, &mut Verbatim, &mut out);
    out.finish_hex()
}

/// What a streaming canonicalisation drops or rewrites on the way (the normalised form of
/// step 3 without building it).
pub trait Rewrite {
    /// Whether the member `key` of an object at `depth` (0 for the top level) is kept.
    fn keep(&self, depth: usize, key: &str) -> bool;
    /// The string to write for a string value (not for keys).
    fn string<'s>(&mut self, s: &'s str) -> std::borrow::Cow<'s, str>;
}

/// Writes everything as it is.
pub struct Verbatim;

impl Rewrite for Verbatim {
    fn keep(&self, _: usize, _: &str) -> bool {
        true
    }
    fn string<'s>(&mut self, s: &'s str) -> std::borrow::Cow<'s, str> {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Where canonical bytes go: a buffer, or a SHA-256 fed in large blocks.
pub trait Out {
    fn put(&mut self, bytes: &[u8]);
}

impl Out for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A SHA-256 fed through a 16 KiB buffer (many tiny writes cost less than many tiny updates).
pub struct HashOut {
    hasher: Sha256,
    buf: Vec<u8>,
}

impl Default for HashOut {
    fn default() -> Self {
        HashOut {
            hasher: Sha256::new(),
            buf: Vec::with_capacity(BUF),
        }
    }
}

const BUF: usize = 16 * 1024;

impl HashOut {
    /// The digest as lowercase hex.
    pub fn finish_hex(mut self) -> String {
        self.hasher.update(&self.buf);
        hex::encode(self.hasher.finalize())
    }
}

impl Out for HashOut {
    fn put(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > BUF {
            self.hasher.update(&self.buf);
            self.buf.clear();
            if bytes.len() > BUF {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }
}

/// Writes the JCS form of `value` after `rewrite` to `out`, in one pass over the value.
pub fn write_canonical(value: &Value, rewrite: &mut impl Rewrite, out: &mut impl Out) {
    write_value(value, 0, rewrite, out);
}

fn write_value(value: &Value, depth: usize, rewrite: &mut impl Rewrite, out: &mut impl Out) {
    match value {
        Value::Null => out.put(b"null"),
        Value::Bool(true) => out.put(b"true"),
        Value::Bool(false) => out.put(b"false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => {
            let s = rewrite.string(s);
            write_string(&s, out);
        }
        Value::Array(items) => {
            out.put(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put(b",");
                }
                write_value(item, depth + 1, rewrite, out);
            }
            out.put(b"]");
        }
        Value::Object(map) => {
            out.put(b"{");
            let mut first = true;
            // serde_json's map iterates in UTF-8 byte order, which is JCS's UTF-16 order unless
            // a key holds a character at or above U+E000.
            if map.keys().any(|k| k.bytes().any(|b| b >= 0xEE)) {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
                for (k, v) in members {
                    write_member(k, v, depth, &mut first, rewrite, out);
                }
            } else {
                for (k, v) in map {
                    write_member(k, v, depth, &mut first, rewrite, out);
                }
            }
            out.put(b"}");
        }
    }
}

/// [`write_canonical`] over a value of a [`Tape`](super::tape::Tape).
pub fn write_canonical_tape(value: J<'_, '_>, rewrite: &mut impl Rewrite, out: &mut impl Out) {
    let mut scratch = Vec::new();
    write_tape_value(value, 0, rewrite, out, &mut scratch);
}

/// `scratch` holds the members of the objects being written, innermost last, so that sorting
/// them needs no allocation per object.
fn write_tape_value<'t, 'a>(
    value: J<'t, 'a>,
    depth: usize,
    rewrite: &mut impl Rewrite,
    out: &mut impl Out,
    scratch: &mut Vec<(&'t str, J<'t, 'a>)>,
) {
    match value.kind() {
        Kind::Null => out.put(b"null"),
        Kind::Bool(true) => out.put(b"true"),
        Kind::Bool(false) => out.put(b"false"),
        Kind::Number(n) => write_number(n, out),
        Kind::String(s) => match rewrite.string(s) {
            // Unchanged and escape-free: written without looking for escapes.
            Cow::Borrowed(same) if std::ptr::eq(same, s) && value.is_escape_free_string() => {
                out.put(b"\"");
                out.put(s.as_bytes());
                out.put(b"\"");
            }
            rewritten => write_string(&rewritten, out),
        },
        Kind::Array(items) => {
            out.put(b"[");
            for (i, item) in items.enumerate() {
                if i > 0 {
                    out.put(b",");
                }
                write_tape_value(item, depth + 1, rewrite, out, scratch);
            }
            out.put(b"]");
        }
        Kind::Object(members) => {
            let start = scratch.len();
            scratch.extend(members.filter(|(k, _)| rewrite.keep(depth, k)));
            let own = &mut scratch[start..];
            // UTF-8 byte order is JCS's UTF-16 order unless a key holds a character at or
            // above U+E000.
            if own.iter().any(|(k, _)| k.bytes().any(|b| b >= 0xEE)) {
                own.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            } else {
                own.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            out.put(b"{");
            for i in start..scratch.len() {
                let (key, value) = scratch[i];
                if i > start {
                    out.put(b",");
                }
                write_string(key, out);
                out.put(b":");
                write_tape_value(value, depth + 1, rewrite, out, scratch);
            }
            out.put(b"}");
            scratch.truncate(start);
        }
    }
}

fn write_member(
    key: &str,
    value: &Value,
    depth: usize,
    first: &mut bool,
    rewrite: &mut impl Rewrite,
    out: &mut impl Out,
) {
    if !rewrite.keep(depth, key) {
        return;
    }
    if !*first {
        out.put(b",");
    }
    *first = false;
    write_string(key, out);
    out.put(b":");
    write_value(value, depth + 1, rewrite, out);
}

fn write_number(n: &serde_json::Number, out: &mut impl Out) {
    const EXACT: i64 = 1 << 53;
    match n.as_i64() {
        // ES6 prints integers below 2^53 as plain decimals.
        Some(i) if (-EXACT..=EXACT).contains(&i) => out.put(i.to_string().as_bytes()),
        // Serialising a finite number cannot fail.
        _ => out
            .put(&serde_json_canonicalizer::to_vec(&Value::Number(n.clone())).unwrap_or_default()),
    }
}

/// A JSON string as JCS writes it: `"` and `\` escaped, control characters as `\b \t \n \f \r`
/// or `\u00xx`, everything else as UTF-8.
pub fn write_string(s: &str, out: &mut impl Out) {
    out.put(b"\"");
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.put(bytes);
        out.put(b"\"");
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.put(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.put(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        } else {
            out.put(escape);
        }
        start = i + 1;
    }
    out.put(&bytes[start..]);
    out.put(b"\"");
}

/// Whether any byte of `bytes` must be escaped in a JSON string (a quote, a backslash, a
/// control character). Most strings need nothing; the test runs over fixed-size chunks without an early
/// exit inside a chunk, which the compiler turns into vector compares.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if has_special_byte(u64::from_le_bytes(word)) {
            return true;
        }
    }
    let rest = words.remainder();
    // Spaces fill the last word: a space needs no escape.
    let mut word = [b' '; 8];
    word[..rest.len()].copy_from_slice(rest);
    has_special_byte(u64::from_le_bytes(word))
}

/// Whether any of the 8 bytes of `word` is a control character, `"` or `\\`: the bytes JCS
/// escapes, tested a word at a time (the exact "has a zero byte" and "has a byte below n"
/// tests of bit-twiddling lore).
fn has_special_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_escaped_wherever_the_special_byte_sits() {
        for len in [0, 1, 31, 32, 33, 64, 70] {
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é'] {
                    let mut text: String = "a".repeat(len);
                    text.replace_range(at..at + 1, &special.to_string());
                    let mut out = Vec::new();
                    write_string(&text, &mut out);
                    let expected = serde_json::to_string(&text).unwrap();
                    assert_eq!(String::from_utf8(out).unwrap(), expected, "{text:?}");
                }
            }
        }
    }

    /// RFC 8785 §3.2.2 sample: literals, numbers and strings.
    #[test]
    fn rfc8785_sample_input() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let expected = r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#;
        assert_eq!(canonical_string(&v), expected);
    }

    /// RFC 8785 §3.2.3: properties sorted by UTF-16 code units.
    #[test]
    fn rfc8785_sorting_by_utf16_code_units() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let values: Vec<String> = {
            let s = canonical_string(&v);
            let back: serde_json::Map<String, Value> = serde_json::from_str(&s).unwrap();
            // Map iteration is sorted by bytes; recover JCS order from the text instead.
            let mut order: Vec<(usize, String)> = back
                .iter()
                .map(|(k, val)| {
                    (
                        s.find(&format!("\"{}\"", k.replace('\r', "\\r"))).unwrap(),
                        val.as_str().unwrap().to_string(),
                    )
                })
                .collect();
            order.sort();
            order.into_iter().map(|(_, v)| v).collect()
        };
        assert_eq!(
            values,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    /// RFC 8785 Appendix B number serialisation samples.
    #[test]
    fn rfc8785_number_samples() {
        let cases = [
            (json!(0.0), "0"),
            (json!(-0.0), "0"),
            (json!(1e21), "1e+21"),
            (json!(1e20), "100000000000000000000"),
            (json!(5e-324), "5e-324"),
            (json!(1.7976931348623157e308), "1.7976931348623157e+308"),
            (json!(9007199254740992.0), "9007199254740992"),
            (json!(295147905179352830000.0), "295147905179352830000"),
            (json!(0.000001), "0.000001"),
            (json!(1e-7), "1e-7"),
        ];
        for (v, want) in cases {
            assert_eq!(canonical_string(&v), want, "{v}");
        }
    }

    /// The maintained crate's JCS, the reference for the streaming writer.
    fn reference(v: &Value) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(v).unwrap()
    }

    fn streamed(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        write_canonical(v, &mut Verbatim, &mut out);
        out
    }

    #[test]
    fn streaming_writer_matches_the_canonicalizer_on_samples() {
        let samples = [
            json!({"\u{e000}": 1, "\u{1f600}": 2, "a": [1.5, -0.0, 1e21, 12345678901234567890u64, -9007199254740993i64]}),
            json!({"s": "\u{0}\u{1f}\u{7f}\"\\/\u{8}\u{c}\n\r\t é € 😀", "n": null, "b": [true, false]}),
            json!([{"z": {}, "y": []}, "x", 0, 9007199254740992u64, 0.1, 1e-7]),
        ];
        for v in samples {
            assert_eq!(streamed(&v), canonical_bytes(&v), "{v}");
            assert_eq!(
                sha256_hex(&v),
                hex::encode(Sha256::digest(canonical_bytes(&v)))
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn streaming_writer_matches_the_canonicalizer(v in arb_json()) {
            proptest::prop_assert_eq!(streamed(&v), reference(&v));
        }

        #[test]
        fn word_at_a_time_escape_test_matches_byte_by_byte(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let special = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
            proptest::prop_assert_eq!(needs_escape(&bytes), bytes.iter().any(special));
        }
    }

    #[test]
    fn every_escaped_byte_is_found_at_every_place() {
        for len in 1..=24 {
            for at in 0..len {
                for b in (0u8..=0x1f).chain([b'"', b'\\']) {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert!(needs_escape(&bytes), "{b:#x} at {at} of {len}");
                }
                for b in [0x20u8, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xdc, 0xff] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert!(!needs_escape(&bytes), "{b:#x} at {at} of {len}");
                }
            }
        }
        assert!(!needs_escape(b""));
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[a-z\u{0}-\u{1f}\u{e000}-\u{e010}\u{10000}-\u{10010}]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(
                    "[a-c\u{e000}\u{10000}\u{1f600}]{0,3}|.{0,4}",
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": [1, {"y":2,"x":1}]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":[1,{"x":1,"y":2}],"b":1}"#).unwrap();
        assert_eq!(sha256_hex(&a), sha256_hex(&b));
    }
}
