//! Tlog tiles and inclusion proofs: tile path parsing, proofs derived from fuzzed tiles, the
//! RFC 6962 proof check on fuzzed hashes, and the input as the demo pack's `rekor/proof.json`
//! or one of its tiles through the whole `rekor` check.
#![no_main]

use evx::verify::merkle::{verify_consistency, verify_inclusion};
use evx::verify::tiles::{TileReader, TileRef};
use evx_fuzz::{reconcile, split_selector, with_file, AUDIT_PACK};
use libfuzzer_sys::fuzz_target;

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    for (i, b) in data.iter().skip(at).take(8).enumerate() {
        bytes[i] = *b;
    }
    u64::from_le_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = TileRef::parse(text);
    }
    let (index, size) = (u64_at(rest, 0), u64_at(rest, 8) % 100_000);
    let tiles = rest.get(16..).unwrap_or_default().to_vec();
    let mut reader = TileReader::new(size, |_: &str| Some(tiles.clone()));
    let _ = reader.inclusion_proof(index % size.max(1));
    let _ = reader.root();
    let hashes: Vec<&[u8]> = tiles.chunks(32).take(64).collect();
    let leaf = [selector; 32];
    let _ = verify_inclusion(index, size, &leaf, &hashes, &leaf);
    let _ = verify_consistency(index % size.max(1), size, &leaf, &leaf, &hashes);
    let replaced = match selector % 4 {
        0 => "rekor/proof.json",
        1 => "rekor/tile/0/000",
        2 => "rekor/tile/0/001.p/44",
        _ => "rekor/tile/1/000.p/1",
    };
    reconcile(&with_file(AUDIT_PACK, replaced, rest));
});
