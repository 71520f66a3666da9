//! Bounded mutation test (issue 8): byte flips, truncations, splices, duplications and token
//! insertions applied to the demo bundles and the shared corpus, run through the whole pipeline
//! (load → reconcile → verify → printers). Every case must finish without a panic, within
//! [`CASE_LIMIT`], with every problem reported as a diagnostic carrying a stable code, a
//! sensible severity and a file the bundle explains; every file of the bundle must still be
//! listed. A subset goes through `bundle::open` as a tar, tar.gz or tar.zst archive whose bytes
//! are mutated too.
//!
//! Deterministic: a seeded xorshift generator; `EVX_MUTATION_SEED` and `EVX_MUTATION_CASES`
//! change the seed and the number of cases (default 3,000, about 20 s on 2 cores in the dev
//! profile). A failing case prints its number and its mutations, and writes its bundle to
//! `target/tmp/mutation-failures/<case>/` (an archive case also as `<case>.archive.bin`) so
//! that it can be replayed with `evx reconcile`.

mod common;

use evx::bundle::{self, Bundle, BundleFile, Limits};
use evx::cli;
use evx::diag::Severity;
use evx::pipeline::{self, Options, Reconciled};
use evx::progress::NoProgress;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest one case may take.
const CASE_LIMIT: Duration = Duration::from_secs(2);
const DEFAULT_CASES: u64 = 3_000;
const DEFAULT_SEED: u64 = 0x5eed_e7c5_0000_0008;
/// One case in this many goes through an archive.
const ARCHIVE_EVERY: u64 = 8;
/// Corpus files larger than this are left out (they only slow the loop down).
const MAX_CORPUS_FILE: u64 = 128 * 1024;

/// xorshift64*: small, fast and deterministic; good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens whose insertion reaches the strict JSON parser's and the readers' edge cases.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"\\u0000",
    b"\\ud800",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\0",
    b"\x1b[2J",
    b"null",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"",
    b"\"pkg:\"",
    b"\"pkg:npm/%zz@1\"",
    b"\"sha256:\"",
    b"\"https://\"",
    b"\"../../etc/passwd\"",
    b"\n",
    b"\n\n\xe2\x80\x94 x AAAA\n",
    b"tile/0/x999/000",
];

/// One mutation, described for the failure message.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, donor: &[u8]) -> String {
    let len = bytes.len();
    match rng.below(6) {
        0 if len > 0 => {
            let at = rng.below(len);
            bytes[at] ^= 1 << rng.below(8);
            format!("flip bit at {at}")
        }
        1 if len > 0 => {
            let at = rng.below(len);
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        2 if !donor.is_empty() => {
            let at = rng.below(len + 1);
            let from = rng.below(donor.len());
            bytes.truncate(at);
            bytes.extend_from_slice(&donor[from..]);
            format!("splice donor[{from}..] at {at}")
        }
        3 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(len);
            let copy = bytes[start..end].to_vec();
            let at = rng.below(len + 1);
            bytes.splice(at..at, copy);
            format!("duplicate {start}..{end} at {at}")
        }
        4 => {
            let token = rng.pick(TOKENS);
            let at = rng.below(len + 1);
            bytes.splice(at..at, token.iter().copied());
            format!("insert {:?} at {at}", String::from_utf8_lossy(token))
        }
        _ if len > 0 => {
            let at = rng.below(len);
            bytes[at] = rng.next() as u8;
            format!("set byte {at}")
        }
        _ => {
            bytes.extend_from_slice(donor);
            "append donor".to_string()
        }
    }
}

/// Every regular file under `root`, as bundle paths and bytes.
fn read_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("readable tree");
        if !entry.file_type().is_file() || entry.metadata().unwrap().len() > MAX_CORPUS_FILE {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        files.push((rel, std::fs::read(entry.path()).unwrap()));
    }
    files
}

fn assets(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

fn in_memory(files: Vec<(String, Vec<u8>)>) -> Bundle {
    let files: Vec<BundleFile> = files
        .into_iter()
        .map(|(path, bytes)| BundleFile::new(path, bytes))
        .collect();
    Bundle::in_memory(PathBuf::from("mutation"), files)
}

/// The material: the demo bundles (as bases) and every file of them and of the corpus (as
/// donors and replacements).
struct Material {
    bases: Vec<Vec<(String, Vec<u8>)>>,
    donors: Vec<(String, Vec<u8>)>,
}

fn material() -> Material {
    let bases: Vec<_> = ["demo", "audit-pack", "legacy-bundle", "broken-exports"]
        .iter()
        .map(|name| read_tree(&assets(name)))
        .collect();
    let mut donors: Vec<_> = bases.iter().flatten().cloned().collect();
    if let Some(corpus) = common::corpus() {
        donors.extend(read_tree(&corpus));
    }
    Material { bases, donors }
}

/// One case: a base bundle with one to three files mutated (or swapped for a mutated donor).
fn make_case(rng: &mut Rng, material: &Material) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let mut files = rng.pick(&material.bases).clone();
    let mut log = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let target = rng.below(files.len());
        let (donor_path, donor) = rng.pick(&material.donors);
        if rng.below(4) == 0 {
            files[target].1 = donor.clone();
            log.push(format!("{} := {donor_path}", files[target].0));
        }
        for _ in 0..1 + rng.below(4) {
            let what = mutate(rng, &mut files[target].1, donor);
            log.push(format!("{}: {what}", files[target].0));
        }
    }
    (files, log)
}

/// Packs the files as a tar archive, compressed by the case's choice, with its bytes mutated.
fn archive_of(rng: &mut Rng, files: &[(String, Vec<u8>)], log: &mut Vec<String>) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, path, bytes.as_slice())
            .unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut bytes = match rng.below(3) {
        0 => tar,
        1 => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&tar).unwrap();
            gz.finish().unwrap()
        }
        _ => zstd::stream::encode_all(tar.as_slice(), 1).unwrap(),
    };
    for _ in 0..rng.below(3) {
        let what = mutate(rng, &mut bytes, b"");
        log.push(format!("archive: {what}"));
    }
    bytes
}

/// The invariants every outcome must hold.
fn check_model(bundle: &Bundle, model: &Reconciled) -> Result<(), String> {
    let listed: std::collections::HashSet<&str> =
        model.files.iter().map(|f| f.path.as_str()).collect();
    if let Some(missing) = bundle
        .files
        .iter()
        .find(|f| !listed.contains(f.path.as_str()))
    {
        return Err(format!("{} was loaded but is not listed", missing.path));
    }
    for d in &model.diagnostics {
        let code = d.code.as_str();
        if !(code.starts_with("ERR_") || code.starts_with("WARN_")) {
            return Err(format!("unstable code {code}"));
        }
        if code.starts_with("WARN_") && d.severity != Severity::Warning {
            return Err(format!("{code} with severity {}", d.severity));
        }
        if d.message.trim().is_empty() {
            return Err(format!("{code} without a message"));
        }
        if !d.file.is_empty() && !explains(bundle, model, d) {
            return Err(format!(
                "{code} names a file the bundle does not explain: {d}"
            ));
        }
    }
    Ok(())
}

/// A diagnostic's file is one the bundle holds or skipped, one a manifest or checksums file
/// names and that is missing, or the archive entry where the damage was found.
fn explains(bundle: &Bundle, model: &Reconciled, d: &evx::diag::Diagnostic) -> bool {
    use evx::diag::Code;
    bundle.get(&d.file).is_some()
        || model.files.iter().any(|f| f.path == d.file)
        || matches!(
            d.code,
            Code::FileMissing | Code::RekorTileMissing | Code::BundleCorrupt
        )
}

/// Everything a user can ask of a model: the printers of the three commands.
fn print_all(model: &Reconciled) {
    let _ = cli::reconcile::graph_json(model, "1970-01-01T00:00:00Z");
    let _ = cli::reconcile::summary(model);
    let _ = cli::conflicts::conflicts_json(model, true, None);
    let _ = cli::conflicts::tables(model, true, None);
    let _ = cli::verify::report_json(&model.verification);
}

fn run_case(files: &[(String, Vec<u8>)], archive: Option<&[u8]>) -> Result<(), String> {
    let limits = Limits {
        max_file_size: 8 * 1024 * 1024,
        max_total_size: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let options = Options {
        limits,
        ..Options::default()
    };
    let bundle = match archive {
        Some(bytes) => {
            let tmp = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(tmp.path(), bytes).unwrap();
            match bundle::open(tmp.path(), &limits, &NoProgress) {
                Ok(bundle) => bundle,
                Err(_) => return Ok(()), // not a bundle at all: exit code 2, nothing to check
            }
        }
        None => in_memory(files.to_vec()),
    };
    let model = pipeline::reconcile(&bundle, &options, &NoProgress);
    print_all(&model);
    check_model(&bundle, &model)
}

/// Keeps a failing case where it can be replayed: `evx reconcile target/tmp/mutation-failures/N`
/// (or `N.archive.bin` for an archive case).
fn save_failure(case: u64, files: &[(String, Vec<u8>)], archive: Option<&[u8]>) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mutation-failures");
    let dir = root.join(case.to_string());
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    if let Some(bytes) = archive {
        std::fs::write(root.join(format!("{case}.archive.bin")), bytes).unwrap();
    }
    dir
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_bundles_never_panic_hang_or_lose_a_code() {
    let material = material();
    let seed = env_u64("EVX_MUTATION_SEED", DEFAULT_SEED);
    let cases = env_u64("EVX_MUTATION_CASES", DEFAULT_CASES);
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let mut slowest = (Duration::ZERO, 0);
    for case in 0..cases {
        let (files, mut log) = make_case(&mut rng, &material);
        let archive = (case % ARCHIVE_EVERY == 0).then(|| archive_of(&mut rng, &files, &mut log));
        let clock = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run_case(&files, archive.as_deref())));
        let took = clock.elapsed();
        let failure = match outcome {
            Ok(Ok(())) if took <= CASE_LIMIT => None,
            Ok(Ok(())) => Some(format!("took {took:?}, more than {CASE_LIMIT:?}")),
            Ok(Err(why)) => Some(why),
            Err(panic) => Some(format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        };
        if let Some(why) = failure {
            let saved = save_failure(case, &files, archive.as_deref());
            panic!(
                "case {case} (seed {seed:#x}): {why}\nmutations:\n  {}\nbundle saved in {}",
                log.join("\n  "),
                saved.display()
            );
        }
        slowest = slowest.max((took, case));
    }
    eprintln!(
        "{cases} cases in {:?}; slowest: case {} in {:?}",
        started.elapsed(),
        slowest.1,
        slowest.0
    );
}
