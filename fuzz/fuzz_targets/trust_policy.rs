//! The trust policy: strict parsing, the keyring built from it as a `--trust` file, and the
//! input as a bundle's own (self-asserted) `trust.json` beside the demo VEX, so that issuer
//! rules reach the authority step of the merge.
#![no_main]

use evx::trust::TrustPolicy;
use evx::verify::keyring::{Keyring, TrustFile};
use evx_fuzz::{reconcile, with_file, DEMO_VEX};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = TrustPolicy::from_slice(data);
    let file = TrustFile {
        name: "trust.json".into(),
        bytes: data.to_vec(),
    };
    let _ = Keyring::from_policy(Some(&file));
    reconcile(&with_file(DEMO_VEX, "trust.json", data));
});
