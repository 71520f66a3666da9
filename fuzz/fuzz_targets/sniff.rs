//! Content sniffing and collection of one file, under a path picked by the first byte (the
//! path decides only where content cannot: tiles, keys, checksums, manifests, trust.json).
#![no_main]

use evx::pipeline::collect::collect_file;
use evx::pipeline::index::DigestKey;
use evx_fuzz::split_selector;
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 10] = [
    "doc.json",
    "notes.txt",
    "rekor/checkpoint",
    "rekor/tile/0/000",
    "keys/release.pub",
    "sboms/checksums.txt",
    "exports/runs.ndjson",
    "manifest.json",
    "trust.json",
    "checksums.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = split_selector(data) else {
        return;
    };
    let path = PATHS[usize::from(selector) % PATHS.len()];
    let digest = DigestKey::parse(&"0".repeat(64)).expect("a valid digest");
    let _ = collect_file(path, bytes, digest);
});
