//! The SPDX 2.2/2.3 SBOMs reader, given any JSON whatever it looks like, then the whole pipeline over a
//! bundle holding the input.
#![no_main]

use evx::pipeline::collect::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    evx_fuzz::document(FileKind::Spdx, "sboms/app.spdx.json", data);
});
