//! The CycloneDX SBOM and CycloneDX VEX (`vulnerabilities[].analysis`) reader, given any JSON whatever it looks like, then the whole pipeline over a
//! bundle holding the input.
#![no_main]

use evx::pipeline::collect::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    evx_fuzz::document(FileKind::Cyclonedx, "sboms/app.cdx.json", data);
});
