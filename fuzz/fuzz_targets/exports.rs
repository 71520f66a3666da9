//! Orchestrator exports: the input as a single-record file and as an NDJSON stream, checked
//! by the export validator (schema, hashes, idempotency, transitions, duplicates, signatures)
//! whatever the sniffer thinks, then the pipeline over the same bundle.
#![no_main]

use evx::pipeline::collect::{collect_file, FileKind};
use evx::pipeline::index::DigestKey;
use evx::verify::export;
use evx::verify::keyring::Keyring;
use evx_fuzz::{bundle, reconcile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files: [(&str, &[u8]); 2] = [("exports/one.json", data), ("exports/runs.ndjson", data)];
    let bundle = bundle(&files);
    let digest = DigestKey::parse(&"0".repeat(64)).expect("a valid digest");
    let mut collected: Vec<_> = files
        .iter()
        .map(|(path, bytes)| collect_file(path, bytes, digest.clone()))
        .collect();
    collected[0].kind = FileKind::Export;
    collected[1].kind = FileKind::ExportStream;
    let _ = export::validate(&bundle, &collected, &Keyring::new());
    reconcile(&bundle);
});
