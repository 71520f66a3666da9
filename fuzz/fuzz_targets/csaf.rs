//! The CSAF 2.0 VEX reader, given any JSON whatever it looks like, then the whole pipeline over a
//! bundle holding the input.
#![no_main]

use evx::pipeline::collect::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    evx_fuzz::document(FileKind::Csaf, "vex/doc.csaf.json", data);
});
