//! Generates a deterministic synthetic evidence bundle for benchmarks (see
//! `examples/support/synth.rs` for what it holds).
//!
//! Usage: `cargo run --release --example synth -- --size tiny|small|medium|large --seed N
//! --out PATH [--format dir|tar.gz|tar.zst]`. Sizes are about 1 MB, 10 MB, 200 MB and 1 GB
//! (large has at least 1,000,000 distinct components). The same size and seed always give the
//! same files.

#[path = "support/mod.rs"]
mod support;
#[path = "support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;
use synth::{Format, Size};

const USAGE: &str =
    "usage: synth --size tiny|small|medium|large --seed N --out PATH [--format dir|tar.gz|tar.zst]";

fn main() -> ExitCode {
    let mut size = None;
    let mut seed = None;
    let mut out = None;
    let mut format = Format::Dir;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let ok = match (arg.as_str(), value.as_deref()) {
            ("--size", Some(v)) => Size::parse(v).map(|s| size = Some(s)).is_some(),
            ("--seed", Some(v)) => v.parse::<u64>().map(|s| seed = Some(s)).is_ok(),
            ("--out", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            ("--format", Some(v)) => Format::parse(v).map(|f| format = f).is_some(),
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let (Some(size), Some(seed), Some(out)) = (size, seed, out) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let started = std::time::Instant::now();
    let result = synth::sink(&out, format).and_then(|mut sink| {
        let stats = synth::generate(size, seed, sink.as_mut())?;
        sink.finish()?;
        Ok(stats)
    });
    match result {
        Ok(s) => {
            println!(
                "{} seed {seed}: {} files, {:.1} MB uncompressed, {} SBOMs ({} component entries, {} distinct components), {} attestations, {} VEX documents ({} statements), {} export records, log of {} leaves -> {} ({:.1} s)",
                size.name(),
                s.files,
                s.bytes as f64 / 1e6,
                s.sboms,
                s.component_entries,
                s.distinct_components,
                s.attestations,
                s.vex_documents,
                s.vex_statements,
                s.export_records,
                s.log_leaves,
                out.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
