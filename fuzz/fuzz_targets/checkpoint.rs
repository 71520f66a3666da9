//! C2SP signed notes, verifier keys and checkpoints: the parsers on arbitrary text, the
//! checkpoint check with the demo log key, and the input as the demo pack's `rekor/checkpoint`
//! through the whole `rekor` check (every other byte of the first one set).
#![no_main]

use evx::verify::keys::PublicKey;
use evx::verify::note::{verify_checkpoint, Checkpoint, Note, VerifierKey};
use evx_fuzz::{reconcile, with_file, AUDIT_PACK};
use libfuzzer_sys::fuzz_target;

/// The demo log's key, as the pack's `verifiers.rekor_pub` names it.
fn log_key() -> PublicKey {
    let manifest: serde_json::Value =
        serde_json::from_slice(AUDIT_PACK[2].1).expect("the demo manifest is JSON");
    let encoded = manifest["verifiers"]["rekor_pub"]
        .as_str()
        .expect("rekor_pub");
    PublicKey::from_policy_str(encoded).expect("the demo log key decodes")
}

fuzz_target!(|data: &[u8]| {
    let _ = Note::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Checkpoint::parse(text);
        let _ = VerifierKey::parse(text);
    }
    let _ = verify_checkpoint(data, &log_key());
    if data.first().is_some_and(|b| b % 2 == 0) {
        reconcile(&with_file(AUDIT_PACK, "rekor/checkpoint", data));
    }
});
