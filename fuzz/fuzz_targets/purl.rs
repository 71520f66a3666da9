//! Package URL, target, digest and URI normalisation on arbitrary text.
#![no_main]

use evx::pipeline::index::DigestKey;
use evx::pipeline::normalise::{
    normalise_if_purl, normalise_purl, normalise_string, normalise_uri,
};
use evx::vex::target::{normalize_target, with_subcomponent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = normalise_purl(text);
    let _ = normalise_if_purl(text);
    let _ = normalise_string(text);
    let _ = normalise_uri(text);
    let _ = normalize_target(text);
    let _ = DigestKey::parse(text);
    if let Some((product, sub)) = text.split_once('#') {
        let _ = with_subcomponent(product, sub);
    }
});
