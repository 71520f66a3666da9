//! Criterion micro-benchmarks of the hot functions of reconciliation and verification:
//! JCS canonicalisation, the normalised digest, CycloneDX collection, DSSE verification and a
//! Merkle inclusion proof derived from tiles. Inputs come from the benchmark generator
//! (`examples/support/synth.rs`), so they have the shape of the bundles `benches/run` times.
//!
//! Run: `cargo bench --bench hot_paths` (add `-- --quick` for a shorter run).

#[path = "../examples/support/mod.rs"]
mod support;
#[path = "../examples/support/synth.rs"]
mod synth;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use evx::json::jcs;
use evx::pipeline::collect::{cyclonedx, Ctx};
use evx::pipeline::normalise::{normalised_digest, normalised_digest_of, Profile};
use evx::verify::dsse::{verify_envelope, Envelope};
use evx::verify::keys::PublicKey;
use evx::verify::merkle::{leaf_hash, Hash};
use evx::verify::tiles::{build_tiles, TileReader};
use std::hint::black_box;

fn json_benches(c: &mut Criterion) {
    let bom = synth::sample_sbom(1, 1_000, false);
    let bytes = serde_json::to_vec_pretty(&bom).expect("serialises");
    let mut g = c.benchmark_group("sbom_1000_components");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("strict_parse", |b| {
        b.iter(|| evx::json::parse(black_box(&bytes)).expect("parses"))
    });
    g.bench_function("jcs_canonical_bytes", |b| {
        b.iter(|| jcs::canonical_bytes(black_box(&bom)))
    });
    g.bench_function("tape_parse", |b| {
        b.iter(|| evx::json::parse_doc(black_box(&bytes)).expect("parses"))
    });
    g.bench_function("normalised_digest", |b| {
        b.iter(|| normalised_digest(black_box(&bom), Profile::CycloneDx))
    });
    let tape = evx::json::parse_doc(&bytes).expect("parses");
    g.bench_function("normalised_digest_of_tape", |b| {
        b.iter(|| normalised_digest_of(black_box(tape.root()), Profile::CycloneDx))
    });
    g.bench_function("cyclonedx_collect", |b| {
        b.iter(|| {
            let mut ctx = Ctx::new("bench.cdx.json");
            cyclonedx::collect(&mut ctx, black_box(tape.root())).expect("an SBOM")
        })
    });
    g.bench_function("sha256_of_bytes", |b| {
        b.iter(|| evx::pipeline::index::DigestKey::sha256_of(black_box(&bytes)))
    });
    g.finish();
}

fn dsse_bench(c: &mut Criterion) {
    let key = support::demo_key(support::RELEASE_SEED);
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/acme/x", "digest": {"sha256": "ab".repeat(32)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"builder": {"id": "https://ci.example.com"}}
    });
    let envelope =
        support::sign_envelope(&key, support::RELEASE_KEYID, support::IN_TOTO, &statement);
    let envelope = Envelope::from_json(&envelope).expect("an envelope");
    let public = PublicKey::ed25519_from_bytes(key.verifying_key().as_bytes()).expect("a key");
    let candidates = [("release", public)];
    c.bench_function("dsse_verify_envelope", |b| {
        b.iter(|| verify_envelope(black_box(&envelope), &candidates))
    });
}

fn merkle_bench(c: &mut Criterion) {
    const SIZE: u64 = 100_000;
    let leaves: Vec<Hash> = (0..SIZE)
        .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
        .collect();
    let tiles = build_tiles(&leaves);
    c.bench_function("merkle_proof_from_tiles_100k", |b| {
        b.iter_batched(
            || TileReader::new(SIZE, |p: &str| tiles.get(p).cloned()),
            |mut reader| reader.inclusion_proof(black_box(77_777)).expect("a proof"),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, json_benches, dsse_bench, merkle_bench);
criterion_main!(benches);
