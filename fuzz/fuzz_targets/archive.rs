//! Bundle archive reading: the input is written to a temporary file and opened as a bundle
//! (tar, tar.gz or tar.zst, detected by magic bytes), then reconciled.
#![no_main]

use evx::bundle;
use evx::progress::NoProgress;
use evx_fuzz::{reconcile, FUZZ_LIMITS};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(data).is_err() {
        return;
    }
    if let Ok(loaded) = bundle::open(file.path(), &FUZZ_LIMITS, &NoProgress) {
        reconcile(&loaded);
    }
});
