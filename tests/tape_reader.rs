//! The tape reader (`json::parse_doc`, the collectors' hot path) must accept exactly what the
//! strict `Value` reader accepts, read the same values, and give the same normalised digests:
//! over every file of the public corpus and over generated JSON-like input.

mod common;

use evx::json::{self, tape};
use evx::pipeline::normalise::{normalised_digest, normalised_digest_of, Profile};
use proptest::prelude::*;

const PROFILES: [Profile; 3] = [Profile::CycloneDx, Profile::Spdx, Profile::Generic];

/// Whether both readers agree on `bytes`; on a difference, says which.
fn agreement(bytes: &[u8]) -> Result<bool, String> {
    let strict = json::parse(bytes);
    let fast = json::parse_doc(bytes);
    match (&strict, &fast) {
        (Ok(value), Ok(tape)) => {
            if tape.root().to_value() != *value {
                return Err("the readers read different values".into());
            }
            for profile in PROFILES {
                if normalised_digest_of(tape.root(), profile) != normalised_digest(value, profile) {
                    return Err(format!("normalised digests differ ({profile:?})"));
                }
            }
            Ok(true)
        }
        (Err(a), Err(b)) if a == b => Ok(false),
        (Err(a), Err(b)) => Err(format!("different errors: {a} / {b}")),
        (Ok(_), Err(e)) => Err(format!("only the tape reader refuses: {e}")),
        (Err(e), Ok(_)) => Err(format!("only the strict reader refuses: {e}")),
    }
}

#[test]
fn the_readers_agree_on_every_corpus_file() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut accepted = 0;
    let mut refused = 0;
    for entry in walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("corpus file readable");
        match agreement(&bytes) {
            Ok(true) => accepted += 1,
            Ok(false) => refused += 1,
            Err(why) => panic!("{}: {why}", entry.path().display()),
        }
    }
    assert!(accepted > 200, "{accepted} JSON files read");
    assert!(
        refused > 0,
        "the corpus has files that are not acceptable JSON"
    );
}

#[test]
fn hostile_shapes_are_refused_by_both() {
    let wide = format!(
        "{{{}}}",
        (0..5000)
            .map(|i| format!("\"k{}\":{i}", i % 4999))
            .collect::<Vec<_>>()
            .join(",")
    );
    for bad in [
        wide.as_bytes(),
        b"\xEF\xBB\xBF{\"a\":1,\"a\":1}",
        b"{\"a\":\"\xC3\x28\"}",
        b"\xFF\xFE{\x00}\x00",
        b"[1e999]",
        b"{\"a\":[{\"b\":1,\"b\":{}}]}",
    ] {
        assert_eq!(
            agreement(bad),
            Ok(false),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(agreement(b"\xEF\xBB\xBF{\"a\":1}"), Ok(true));
}

#[test]
fn a_value_handed_over_reads_the_same() {
    let value = serde_json::json!({"b": [1, {"c": null}], "a": "x\u{1}y", "é": 2.5});
    let digest = tape::with_value(&value, |j| normalised_digest_of(j, Profile::Generic));
    assert_eq!(digest, normalised_digest(&value, Profile::Generic));
}

/// Strings over JSON's own alphabet: mostly near-JSON, so that both readers get far.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"\"a\"".to_vec()),
        Just(b"\"b\"".to_vec()),
        Just(b"\"\\u0061\"".to_vec()),
        Just(b"\"\\ud83d\\ude00\"".to_vec()),
        Just(b"1".to_vec()),
        Just(b"-0.5e3".to_vec()),
        Just(b"true".to_vec()),
        Just(b"null".to_vec()),
        Just(b" ".to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn the_readers_agree_on_generated_input(bytes in jsonish()) {
        prop_assert_eq!(agreement(&bytes).err(), None);
    }

    #[test]
    fn the_readers_agree_on_objects_with_repeated_keys(keys in prop::collection::vec(0u8..24, 0..40)) {
        let members: Vec<String> = keys.iter().map(|k| format!("\"k{k}\":[{k}]")).collect();
        let text = format!("{{\"outer\":{{{}}}}}", members.join(","));
        prop_assert_eq!(agreement(text.as_bytes()).err(), None);
    }
}
