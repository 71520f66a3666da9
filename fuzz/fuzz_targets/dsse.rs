//! DSSE envelopes and in-toto Statements: the envelope reader and signature check against the
//! demo key, the collector (statement, subjects, a carried SBOM/VEX predicate), then the
//! pipeline over a bundle holding the input beside the demo key.
#![no_main]

use evx::pipeline::collect::FileKind;
use evx::verify::dsse::{verify_envelope, Envelope};
use evx::verify::keys::PublicKey;
use evx_fuzz::{bundle, reconcile};
use libfuzzer_sys::fuzz_target;

const DEMO_KEY: &[u8] = include_bytes!("../../assets/demo/keys/acme-release-2026.pub");

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = evx::json::parse(data) {
        if let Ok(envelope) = Envelope::from_json(&value) {
            let pem = std::str::from_utf8(DEMO_KEY).expect("PEM is text");
            let key = PublicKey::from_pem(pem).expect("the demo key decodes");
            let _ = verify_envelope(&envelope, &[("demo", key)]).result();
        }
        let mut ctx = evx::pipeline::collect::Ctx::new("att.json");
        for kind in [FileKind::Dsse, FileKind::InTotoStatement] {
            evx::json::tape::with_value(&value, |j| {
                evx::pipeline::collect::collect_document(&mut ctx, kind, j, "")
            });
        }
    }
    reconcile(&bundle(&[
        ("attestations/att.dsse.json", data),
        ("keys/acme-release-2026.pub", DEMO_KEY),
    ]));
});
