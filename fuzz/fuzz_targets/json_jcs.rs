//! The strict JSON parser (duplicate keys, depth, encodings), NDJSON splitting, RFC 8785
//! canonicalisation and the normalised digest. JCS must be a fixed point: canonical bytes parse
//! back (strictly) to a value with the same canonical bytes.
#![no_main]

use evx::json::{self, jcs};
use evx::pipeline::normalise::{normalised_digest, Profile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = json::parse_ndjson(data);
    let Ok(value) = json::parse(data) else {
        return;
    };
    let canonical = jcs::canonical_bytes(&value);
    let again = json::parse(&canonical).expect("JCS output is strict JSON");
    assert_eq!(
        jcs::canonical_bytes(&again),
        canonical,
        "JCS is not a fixed point"
    );
    for profile in [Profile::CycloneDx, Profile::Spdx, Profile::Generic] {
        let _ = normalised_digest(&value, profile);
    }
});
