//! Audit-pack manifests and checksums: the input replaces the portable-v1 demo pack's
//! `manifest.json`, the legacy bundle's `manifest.json`, its `checksums.txt`, or adds a
//! `checksums.json` (first byte), and the pipeline with every profile check runs over it.
#![no_main]

use evx_fuzz::{reconcile, split_selector, with_file, AUDIT_PACK, LEGACY_BUNDLE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = split_selector(data) else {
        return;
    };
    let bundle = match selector % 4 {
        0 => with_file(AUDIT_PACK, "manifest.json", bytes),
        1 => with_file(LEGACY_BUNDLE, "manifest.json", bytes),
        2 => with_file(LEGACY_BUNDLE, "sboms/checksums.txt", bytes),
        _ => with_file(LEGACY_BUNDLE, "sboms/checksums.json", bytes),
    };
    reconcile(&bundle);
});
