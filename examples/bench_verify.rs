//! Ed25519 throughput of evx's own verification code over the DSSE envelopes of a bundle: the
//! rate of `PublicKey::verify` (Ed25519 `verify_strict`) on one thread and on all threads, and
//! the end-to-end rate of the pipeline's signature step (`check_attestations`).
//!
//! Usage: `cargo run --release --example bench_verify -- BUNDLE [--seconds S]`. Prints
//! `key value` lines for `benches/run` to read.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use evx::bundle::{self, Limits};
use evx::pipeline::collect::{collect_file, CollectedFile, Content};
use evx::pipeline::index::DigestKey;
use evx::progress::NoProgress;
use evx::verify::dsse::pae;
use evx::verify::keyring::Keyring;
use evx::verify::keys::PublicKey;
use evx::verify::signatures::check_attestations;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// The allocator the `evx` binary uses: the explorer's load and the verification it measures
/// allocate heavily, and the system allocator would time something users never run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: bench_verify BUNDLE [--seconds S]");
        std::process::exit(2);
    };
    let seconds: f64 = match (args.next().as_deref(), args.next()) {
        (Some("--seconds"), Some(s)) => s.parse().unwrap_or(3.0),
        _ => 3.0,
    };
    let bundle = bundle::open(&path, &Limits::default(), &NoProgress).expect("bundle opens");
    let mut collected: Vec<CollectedFile> = bundle
        .files
        .par_iter()
        .filter(|f| f.path.ends_with(".dsse.json") || f.path == "manifest.json")
        .map(|f| collect_file(&f.path, &f.bytes, DigestKey::sha256_of(&f.bytes)))
        .collect();
    let (mut keyring, _) = Keyring::from_policy(None);
    keyring.add_bundle_keys(&bundle, &collected);
    let keys: Vec<PublicKey> = keyring
        .candidates(|_| true)
        .into_iter()
        .map(|(_, k)| k)
        .collect();

    // (message, signature, the key that verifies it)
    let mut work: Vec<(Vec<u8>, Vec<u8>, PublicKey)> = Vec::new();
    for doc in collected.iter().flat_map(|f| &f.documents) {
        let Content::Attestation(att) = &doc.content else {
            continue;
        };
        let message = pae(att.payload_type.as_deref().unwrap_or(""), &att.payload);
        for s in &att.signatures {
            let sig = STANDARD.decode(&s.sig).unwrap_or_default();
            if let Some(key) = keys.iter().find(|k| k.verify(&message, &sig).is_ok()) {
                work.push((message.clone(), sig, key.clone()));
            }
        }
    }
    if work.is_empty() {
        eprintln!("no verifiable DSSE signatures in {}", path.display());
        std::process::exit(1);
    }
    let mean_len = work.iter().map(|w| w.0.len()).sum::<usize>() / work.len();

    let rate = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let started = Instant::now();
        let mut done = 0usize;
        while started.elapsed().as_secs_f64() < seconds {
            done += pool.install(|| {
                work.par_iter()
                    .filter(|(m, s, k)| k.verify(m, s).is_ok())
                    .count()
            });
        }
        done as f64 / started.elapsed().as_secs_f64()
    };
    let one = rate(1);
    let all = rate(rayon::current_num_threads());

    let started = Instant::now();
    let mut rounds = 0;
    let mut envelopes = 0;
    while started.elapsed().as_secs_f64() < seconds.min(2.0) || rounds == 0 {
        let (checks, _) = check_attestations(&mut collected, &keyring);
        envelopes += checks.len();
        rounds += 1;
    }
    let pipeline = envelopes as f64 / started.elapsed().as_secs_f64();

    println!("signatures {}", work.len());
    println!("mean_message_bytes {mean_len}");
    println!("verify_per_s_1_thread {one:.0}");
    println!(
        "verify_per_s_{}_threads {all:.0}",
        rayon::current_num_threads()
    );
    println!("check_attestations_envelopes_per_s {pipeline:.0}");
}
