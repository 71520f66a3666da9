//! RFC 8785 JSON Canonicalization Scheme, via the maintained `serde_json_canonicalizer` crate.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The JCS serialisation of `value`.
pub fn canonical_bytes(value: &Value) -> Vec<u8> {
    // Serialising an in-memory `Value` cannot fail: keys are strings and numbers are finite.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

/// The JCS serialisation of `value` as a string.
pub fn canonical_string(value: &Value) -> String {
    String::from_utf8(canonical_bytes(value)).unwrap_or_default()
}

/// SHA-256 of the JCS form, as lowercase hex.
pub fn sha256_hex(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_bytes(value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": [1, {"y":2,"x":1}]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":[1,{"x":1,"y":2}],"b":1}"#).unwrap();
        assert_eq!(sha256_hex(&a), sha256_hex(&b));
    }
}
