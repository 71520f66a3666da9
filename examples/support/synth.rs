//! The synthetic-bundle generator behind `examples/synth.rs` (and the test that reconciles a
//! tiny bundle): deterministic bundles of a realistic shape for benchmarks.
//!
//! A bundle is a portable-v1 audit pack at its root (signed manifest, canonical BOM, DSSE
//! envelope, checkpoint, tiles of a log of `log_leaves` leaves, inclusion proof) plus the
//! evidence a large vendor ships beside it:
//! - `sboms/`: CycloneDX 1.5 / 1.6 and SPDX 2.3 SBOMs (compact JSON) with nested components and
//!   dependency graphs; components come from one package pool, so the same purls recur across SBOMs;
//! - `attestations/`: DSSE envelopes (SLSA provenance) over each SBOM's image, signed with the
//!   seed-derived demo release key;
//! - `vex/`: per group of SBOMs, the vendor's OpenVEX (signed, in DSSE), the maintainers'
//!   CycloneDX VEX and a third party's CSAF, disagreeing on some statements;
//! - `exports/runs.ndjson`: the orchestrator's status stream for every image scan.
//!
//! Everything is a function of `(size, seed)`: the same arguments give the same bytes. Keys are
//! derived from public seed strings (see `support/mod.rs`); nothing signed here may be trusted.
#![allow(dead_code)]

use crate::support::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use evx::json::jcs;
use evx::verify::export::idempotency_key;
use evx::verify::keys::PublicKey;
use evx::verify::merkle::{leaf_hash, Hash, TreeLevels};
use evx::verify::note::ed25519_key_hash;
use evx::verify::portable::{signed_manifest_bytes, MANIFEST_PAYLOAD_TYPE};
use evx::verify::tiles::build_tiles;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The bundle sizes the benchmark knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// About 1 MB, a small log: for tests and the CI smoke run.
    Tiny,
    /// About 10 MB.
    Small,
    /// About 200 MB.
    Medium,
    /// About 1 GB, at least 1,000,000 distinct components.
    Large,
}

impl Size {
    pub fn parse(s: &str) -> Option<Size> {
        Some(match s {
            "tiny" => Size::Tiny,
            "small" => Size::Small,
            "medium" => Size::Medium,
            "large" => Size::Large,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    /// Approximate uncompressed bytes.
    fn target_bytes(self) -> u64 {
        match self {
            Size::Tiny => 1_000_000,
            Size::Small => 10_000_000,
            Size::Medium => 200_000_000,
            Size::Large => 1_000_000_000,
        }
    }

    /// Distinct components required (generation goes on past the byte target until reached).
    fn min_components(self) -> usize {
        match self {
            Size::Large => 1_000_000,
            _ => 0,
        }
    }

    fn log_leaves(self) -> u64 {
        match self {
            Size::Tiny => 1_000,
            _ => 100_000,
        }
    }

    /// Components per SBOM: from `lo` to `hi`, log-uniformly.
    fn sbom_components(self) -> (f64, f64) {
        match self {
            Size::Tiny => (8.0, 120.0),
            Size::Small => (20.0, 1_500.0),
            Size::Medium | Size::Large => (30.0, 4_000.0),
        }
    }
}

/// How the bundle is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dir,
    TarGz,
    TarZst,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "dir" => Format::Dir,
            "tar.gz" => Format::TarGz,
            "tar.zst" => Format::TarZst,
            _ => return None,
        })
    }
}

/// What was generated.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub sboms: usize,
    pub component_entries: usize,
    pub distinct_components: usize,
    pub attestations: usize,
    pub vex_documents: usize,
    pub vex_statements: usize,
    pub export_records: usize,
    pub log_leaves: u64,
}

/// Where generated files go, in generation order.
pub trait Sink {
    fn put(&mut self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn finish(self: Box<Self>) -> std::io::Result<()>;
}

struct DirSink {
    root: PathBuf,
}

impl Sink for DirSink {
    fn put(&mut self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        write(&self.root.join(path), bytes)
    }
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        Ok(())
    }
}

/// A tar stream with fixed metadata (mtime 0, mode 0644, uid/gid 0), so archives are
/// deterministic too.
struct TarSink<W: Write> {
    builder: tar::Builder<W>,
    finish: fn(W) -> std::io::Result<()>,
}

impl<W: Write> Sink for TarSink<W> {
    fn put(&mut self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        self.builder.append_data(&mut header, path, bytes)
    }
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        let this = *self;
        let inner = this.builder.into_inner()?;
        (this.finish)(inner)
    }
}

/// A sink writing `out` in `format` (a directory is replaced; an archive file is overwritten).
pub fn sink(out: &Path, format: Format) -> std::io::Result<Box<dyn Sink>> {
    if format == Format::Dir {
        if out.exists() {
            std::fs::remove_dir_all(out)?;
        }
        std::fs::create_dir_all(out)?;
        return Ok(Box::new(DirSink {
            root: out.to_path_buf(),
        }));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    Ok(match format {
        Format::TarGz => Box::new(TarSink {
            builder: tar::Builder::new(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            )),
            finish: |w| w.finish()?.flush(),
        }),
        _ => Box::new(TarSink {
            builder: tar::Builder::new(zstd::stream::write::Encoder::new(file, 3)?),
            finish: |w| w.finish()?.flush(),
        }),
    })
}

// ---- deterministic randomness ----------------------------------------------------------------

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---- the package pool -------------------------------------------------------------------------

const SYLLABLES: [&str; 64] = [
    "ar", "bel", "cor", "dex", "el", "fin", "gra", "hol", "io", "jun", "kal", "lum", "mor", "nex",
    "or", "pax", "quo", "ril", "sol", "tor", "ul", "vex", "wen", "xan", "yor", "zel", "ash", "bri",
    "cal", "dor", "eph", "fal", "gor", "hex", "isk", "jar", "kin", "lor", "mag", "nor", "oth",
    "pim", "qua", "ros", "syl", "tam", "umb", "val", "wyr", "xis", "yal", "zor", "ant", "bo", "cy",
    "da", "ex", "fy", "go", "hy", "ix", "ko", "ly", "mu",
];
const LICENSES: [&str; 8] = [
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "ISC",
    "MPL-2.0",
    "BSD-2-Clause",
    "LGPL-2.1-only",
    "Unlicense",
];
const SUPPLIERS: [&str; 6] = [
    "Acme Corp",
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam Inc",
    "Globex",
    "Initech",
];
const DESCRIPTIONS: [&str; 6] = [
    "Fast, small and safe parsing of structured data.",
    "A runtime for writing reliable asynchronous applications.",
    "Bindings to the platform's cryptographic library.",
    "Command-line argument parsing with derive support.",
    "Utilities for working with dates, times and time zones.",
    "HTTP client and server building blocks.",
];

/// A name made of syllables, injective in `i`.
fn name_of(mut i: u64) -> String {
    let mut out = String::new();
    loop {
        out.push_str(SYLLABLES[(i % 64) as usize]);
        i /= 64;
        if i == 0 {
            break;
        }
    }
    if out.len() < 5 {
        out.push_str("-core");
    }
    out
}

/// One package of the pool: everything is derived from its index.
pub struct Package {
    pub index: u64,
    pub ecosystem: &'static str,
    pub group: Option<String>,
    pub name: String,
    pub version: String,
    pub purl: String,
    pub sha256: String,
    pub license: &'static str,
    pub supplier: &'static str,
}

pub fn package(seed: u64, index: u64) -> Package {
    let mut r = Rng::new(seed, 0x5eed_0000_0000 + index);
    let name = name_of(index);
    let version = format!("{}.{}.{}", r.below(5), r.below(40), r.below(20));
    let (ecosystem, group, purl) = match index % 6 {
        0 => ("npm", None, format!("pkg:npm/{name}@{version}")),
        1 => ("pypi", None, format!("pkg:pypi/{name}@{version}")),
        2 => ("cargo", None, format!("pkg:cargo/{name}@{version}")),
        3 => {
            let group = format!("org.{}", name_of(index / 97 + 7));
            let purl = format!("pkg:maven/{group}/{name}@{version}");
            ("maven", Some(group), purl)
        }
        4 => {
            let group = format!("github.com/{}", name_of(index / 53 + 3));
            let purl = format!("pkg:golang/{group}/{name}@v{version}");
            ("golang", Some(group), purl)
        }
        _ => (
            "deb",
            None,
            format!("pkg:deb/debian/lib{name}@{version}-1?arch=amd64&distro=debian-12"),
        ),
    };
    Package {
        index,
        ecosystem,
        group,
        name: if ecosystem == "deb" {
            format!("lib{name}")
        } else {
            name
        },
        version,
        purl,
        sha256: sha256_hex(format!("evx synth artifact {seed} {index}").as_bytes()),
        license: LICENSES[r.below(LICENSES.len() as u64) as usize],
        supplier: SUPPLIERS[r.below(SUPPLIERS.len() as u64) as usize],
    }
}

// ---- SBOMs ------------------------------------------------------------------------------------

/// What one SBOM will hold, decided sequentially (so that parallel generation stays
/// deterministic).
#[derive(Debug, Clone)]
struct SbomPlan {
    number: usize,
    format: SbomKind,
    /// Pool indices, distinct.
    components: Vec<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SbomKind {
    Cdx15,
    Cdx16,
    Spdx23,
}

/// The image an SBOM describes (its root component, attestation subject and export artifact).
fn image_digest(seed: u64, number: usize) -> String {
    sha256_hex(format!("evx synth image {seed} {number}").as_bytes())
}

fn image_name(number: usize) -> String {
    format!(
        "registry.example.com/acme/{}",
        name_of(number as u64 + 4096)
    )
}

/// A generated SBOM: its bundle path, bytes, and the purls it lists (for VEX).
struct SbomOut {
    number: usize,
    path: String,
    bytes: Vec<u8>,
    purls: Vec<String>,
    value_for_pack: Option<Value>,
}

/// Per-SBOM dependency and nesting shape: component `k` depends on up to four later ones; every
/// twentieth component nests the next two.
fn shape(rng: &mut Rng, n: usize) -> (Vec<Vec<usize>>, Vec<Option<usize>>) {
    let mut deps = vec![Vec::new(); n];
    let mut parent = vec![None; n];
    let mut k = 0;
    while k < n {
        if k % 20 == 5 && k + 2 < n {
            parent[k + 1] = Some(k);
            parent[k + 2] = Some(k);
        }
        k += 1;
    }
    for (k, d) in deps.iter_mut().enumerate() {
        let fan = rng.below(5) as usize;
        for _ in 0..fan {
            if k + 1 < n {
                let to = k + 1 + rng.below(((n - k - 1) as u64).min(200)) as usize;
                if !d.contains(&to) {
                    d.push(to);
                }
            }
        }
    }
    (deps, parent)
}

fn cdx_component(p: &Package, rng: &mut Rng) -> Value {
    let mut c = json!({
        "type": "library",
        "bom-ref": p.purl,
        "name": p.name,
        "version": p.version,
        "purl": p.purl,
        "hashes": [{"alg": "SHA-256", "content": p.sha256}],
        "licenses": [{"license": {"id": p.license}}],
        "supplier": {"name": p.supplier},
        "description": rng.pick(&DESCRIPTIONS),
    });
    if let Some(g) = &p.group {
        c["group"] = json!(g);
    }
    if rng.chance(0.3) {
        c["externalReferences"] = json!([{"type": "vcs", "url": format!("https://git.example.com/{}/{}", p.ecosystem, p.name)}]);
    }
    c
}

fn cyclonedx(seed: u64, plan: &SbomPlan) -> (Value, Vec<String>) {
    let mut rng = Rng::new(seed, 0xcd00_0000 + plan.number as u64);
    let packages: Vec<Package> = plan.components.iter().map(|i| package(seed, *i)).collect();
    let n = packages.len();
    let (deps, parent) = shape(&mut rng, n);
    let mut values: Vec<Option<Value>> = packages
        .iter()
        .map(|p| Some(cdx_component(p, &mut rng)))
        .collect();
    // Nest children into their parents (children come later, so walk backwards).
    for k in (0..n).rev() {
        if let Some(pk) = parent[k] {
            let child = values[k].take().expect("each child is nested once");
            let parent_value = values[pk].as_mut().expect("parents are not nested");
            match parent_value.get_mut("components") {
                Some(Value::Array(cs)) => cs.insert(0, child),
                _ => parent_value["components"] = json!([child]),
            }
        }
    }
    let components: Vec<Value> = values.into_iter().flatten().collect();
    let root = "image";
    let mut dependencies = vec![json!({
        "ref": root,
        "dependsOn": (0..n).filter(|k| parent[*k].is_none()).take(12).map(|k| packages[k].purl.clone()).collect::<Vec<_>>()
    })];
    for (k, d) in deps.iter().enumerate() {
        dependencies.push(json!({
            "ref": packages[k].purl,
            "dependsOn": d.iter().map(|t| packages[*t].purl.clone()).collect::<Vec<_>>()
        }));
    }
    let spec = if plan.format == SbomKind::Cdx15 {
        "1.5"
    } else {
        "1.6"
    };
    let serial = uuid_of(seed, plan.number as u64);
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-01T12:00:00Z",
            "tools": {"components": [{"type": "application", "name": "evx-synth", "version": "1"}]},
            "supplier": {"name": "Acme Corp"},
            "component": {
                "type": "container", "bom-ref": root, "name": image_name(plan.number), "version": format!("{}.0", plan.number % 9 + 1),
                "hashes": [{"alg": "SHA-256", "content": image_digest(seed, plan.number)}]
            }
        },
        "components": components,
        "dependencies": dependencies,
    });
    (doc, packages.into_iter().map(|p| p.purl).collect())
}

fn spdx(seed: u64, plan: &SbomPlan) -> (Value, Vec<String>) {
    let mut rng = Rng::new(seed, 0x5d00_0000 + plan.number as u64);
    let packages: Vec<Package> = plan.components.iter().map(|i| package(seed, *i)).collect();
    let n = packages.len();
    let (deps, parent) = shape(&mut rng, n);
    let id = |k: usize| format!("SPDXRef-Package-{k}");
    let mut spdx_packages = vec![json!({
        "SPDXID": "SPDXRef-Image", "name": image_name(plan.number), "versionInfo": format!("{}.0", plan.number % 9 + 1),
        "downloadLocation": "NOASSERTION", "licenseConcluded": "NOASSERTION", "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "CONTAINER",
        "checksums": [{"algorithm": "SHA256", "checksumValue": image_digest(seed, plan.number)}]
    })];
    for (k, p) in packages.iter().enumerate() {
        spdx_packages.push(json!({
            "SPDXID": id(k), "name": p.name, "versionInfo": p.version,
            "downloadLocation": format!("https://registry.example.com/{}/{}", p.ecosystem, p.name),
            "filesAnalyzed": false,
            "licenseConcluded": p.license, "licenseDeclared": p.license, "copyrightText": "NOASSERTION",
            "supplier": format!("Organization: {}", p.supplier),
            "primaryPackagePurpose": "LIBRARY",
            "description": rng.pick(&DESCRIPTIONS),
            "checksums": [{"algorithm": "SHA256", "checksumValue": p.sha256}],
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}]
        }));
    }
    let rel = |a: &str, t: &str, b: &str| json!({"spdxElementId": a, "relationshipType": t, "relatedSpdxElement": b});
    let mut relationships = vec![rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image")];
    for k in (0..n).filter(|k| parent[*k].is_none()).take(12) {
        relationships.push(rel("SPDXRef-Image", "DEPENDS_ON", &id(k)));
    }
    for (k, d) in deps.iter().enumerate() {
        for t in d {
            relationships.push(rel(&id(k), "DEPENDS_ON", &id(*t)));
        }
        if let Some(pk) = parent[k] {
            relationships.push(rel(&id(pk), "CONTAINS", &id(k)));
        }
    }
    let doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": image_name(plan.number),
        "documentNamespace": format!("https://sbom.example.com/spdx/{}", uuid_of(seed, plan.number as u64)),
        "creationInfo": {"created": "2026-11-01T12:00:00Z", "creators": ["Tool: evx-synth-1", "Organization: Acme Corp"]},
        "documentDescribes": ["SPDXRef-Image"],
        "packages": spdx_packages,
        "relationships": relationships,
    });
    (doc, packages.into_iter().map(|p| p.purl).collect())
}

fn uuid_of(seed: u64, n: u64) -> String {
    let h = sha256_hex(format!("evx synth uuid {seed} {n}").as_bytes());
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn generate_sbom(seed: u64, plan: &SbomPlan, keep_value: bool) -> SbomOut {
    let (value, purls) = match plan.format {
        SbomKind::Spdx23 => spdx(seed, plan),
        _ => cyclonedx(seed, plan),
    };
    let ext = if plan.format == SbomKind::Spdx23 {
        "spdx.json"
    } else {
        "cdx.json"
    };
    let path = format!(
        "sboms/{:03}/{}-{:05}.{ext}",
        plan.number / 100,
        name_of(plan.number as u64 + 4096),
        plan.number
    );
    SbomOut {
        number: plan.number,
        path,
        bytes: compact(&value),
        purls,
        value_for_pack: keep_value.then_some(value),
    }
}

/// Compact JSON with a final newline, as most SBOM tools write it (the pretty form would make
/// a gigabyte hold a third fewer components).
fn compact(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("JSON serialises");
    bytes.push(b'\n');
    bytes
}

// ---- attestations, VEX, exports -----------------------------------------------------------------

fn provenance(seed: u64, number: usize, key: &SigningKey) -> Vec<u8> {
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": image_name(number), "digest": {"sha256": image_digest(seed, number)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": format!("refs/tags/v{number}"), "repository": "https://git.example.com/acme/images", "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{"uri": "git+https://git.example.com/acme/images", "digest": {"gitCommit": &sha256_hex(format!("commit {number}").as_bytes())[..40]}}]
            },
            "runDetails": {"builder": {"id": "https://ci.example.com/acme/runners/hardened"}, "metadata": {"invocationId": format!("release-run-{number}")}}
        }
    });
    pretty(&sign_envelope(key, RELEASE_KEYID, IN_TOTO, &statement))
}

const VULNS_PER_GROUP: usize = 40;
const PRODUCTS_PER_VULN: usize = 3;

/// The VEX of one group of SBOMs: vendor (OpenVEX in DSSE), maintainers (CycloneDX VEX),
/// third party (CSAF). Statements overlap so that some decisions conflict.
fn vex_group(
    group: usize,
    purls: &[String],
    key: &SigningKey,
    subject: &str,
) -> Vec<(String, Vec<u8>, usize)> {
    let mut rng = Rng::new(group as u64, 0x7e70_0000);
    let vulns: Vec<(String, Vec<&String>)> = (0..VULNS_PER_GROUP)
        .map(|j| {
            let id = format!("CVE-2026-{}", 20000 + group * VULNS_PER_GROUP + j);
            let products = (0..PRODUCTS_PER_VULN).map(|_| rng.pick(purls)).collect();
            (id, products)
        })
        .collect();
    let mut out = Vec::new();

    // Vendor: every vulnerability, mostly not_affected.
    let mut statements = Vec::new();
    for (j, (id, products)) in vulns.iter().enumerate() {
        let ps: Vec<Value> = products.iter().map(|p| json!({"@id": p})).collect();
        statements.push(if j % 4 == 3 {
            json!({"vulnerability": {"name": id}, "products": ps, "status": "affected",
                   "action_statement": "Upgrade to the next patch release."})
        } else {
            json!({"vulnerability": {"name": id}, "products": ps, "status": "not_affected",
                   "justification": "vulnerable_code_not_in_execute_path",
                   "impact_statement": "The affected function is never called by the image."})
        });
    }
    let n_vendor = statements.len();
    let openvex = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://acme.example/vex/group-{group}"),
        "author": "Acme Payments PSIRT",
        "role": "vendor",
        "timestamp": "2026-11-03T10:00:00Z",
        "version": 1,
        "statements": statements
    });
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/acme/release", "digest": {"sha256": subject}}],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": openvex
    });
    out.push((
        format!("vex/{group:04}/acme-psirt.openvex.dsse.json"),
        pretty(&sign_envelope(key, RELEASE_KEYID, IN_TOTO, &statement)),
        n_vendor,
    ));

    // Maintainers: half of them, agreeing except on every fifth.
    let picked: Vec<&(String, Vec<&String>)> = vulns.iter().step_by(2).collect();
    let mut components: BTreeMap<&String, Value> = BTreeMap::new();
    let mut vulnerabilities = Vec::new();
    for (j, (id, products)) in picked.iter().enumerate() {
        for p in products {
            components.entry(p).or_insert_with(|| {
                json!({"type": "library", "bom-ref": p, "name": p.split('/').next_back().unwrap_or(p).split('@').next().unwrap_or(p), "purl": p})
            });
        }
        let analysis = if j % 5 == 4 {
            json!({"state": "exploitable", "detail": "Reachable from the public API.", "firstIssued": "2026-11-04T12:00:00Z"})
        } else {
            json!({"state": "not_affected", "justification": "code_not_reachable", "detail": "Not reachable.", "firstIssued": "2026-11-04T12:00:00Z"})
        };
        vulnerabilities.push(json!({
            "bom-ref": format!("vuln-{j}"), "id": id, "source": {"name": "NVD"},
            "analysis": analysis,
            "affects": products.iter().map(|p| json!({"ref": p})).collect::<Vec<_>>()
        }));
    }
    let n_maint = vulnerabilities.len();
    let cdx = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_of(group as u64, 0x7e7)),
        "version": 1,
        "metadata": {"timestamp": "2026-11-04T12:00:00Z", "supplier": {"name": "Acme Platform Maintainers"},
                     "component": {"type": "application", "bom-ref": "platform", "name": format!("platform-group-{group}"), "version": "1.0.0"}},
        "components": components.into_values().collect::<Vec<_>>(),
        "vulnerabilities": vulnerabilities
    });
    out.push((
        format!("vex/{group:04}/platform-maintainers.cdx.json"),
        pretty(&cdx),
        n_maint,
    ));

    // Third party: every third vulnerability, often disagreeing with the vendor.
    let mut full_product_names = Vec::new();
    let mut csaf_vulns = Vec::new();
    let mut pid = 0;
    for (j, (id, products)) in vulns.iter().enumerate().step_by(3) {
        let mut ids = Vec::new();
        for p in products {
            pid += 1;
            let product_id = format!("CSAFPID-{pid:04}");
            full_product_names.push(json!({"product_id": product_id, "name": p, "product_identification_helper": {"purl": p}}));
            ids.push(product_id);
        }
        let status = match j % 3 {
            0 => json!({"known_affected": ids}),
            _ => json!({"under_investigation": ids}),
        };
        let mut v = json!({
            "cve": id,
            "notes": [{"category": "description", "title": "Synthetic finding", "text": "Found by fuzzing the public API."}],
            "product_status": status
        });
        if j % 3 == 0 {
            v["remediations"] = json!([{"category": "vendor_fix", "details": "Upgrade to the next release.", "product_ids": ids}]);
        }
        csaf_vulns.push(v);
    }
    let n_csaf = csaf_vulns.len();
    let csaf = json!({
        "document": {
            "category": "csaf_vex", "csaf_version": "2.0",
            "title": format!("Northwind Security Research: VEX group {group}"),
            "publisher": {"category": "discoverer", "name": "Northwind Security Research", "namespace": "https://northwind.example"},
            "tracking": {
                "id": format!("NW-VEX-2026-{group:04}"), "status": "final", "version": "1",
                "initial_release_date": "2026-11-05T08:00:00Z", "current_release_date": "2026-11-05T08:00:00Z",
                "revision_history": [{"date": "2026-11-05T08:00:00Z", "number": "1", "summary": "Initial assessment."}]
            }
        },
        "product_tree": {"full_product_names": full_product_names},
        "vulnerabilities": csaf_vulns
    });
    out.push((
        format!("vex/{group:04}/northwind-security.csaf.json"),
        pretty(&csaf),
        n_csaf,
    ));
    out
}

/// The status history of one image scan: pending, running, succeeded (the last one signed
/// every tenth run).
fn export_lines(seed: u64, number: usize, key: &SigningKey) -> Vec<String> {
    let run = uuid_of(seed ^ 0xe4, number as u64);
    let artifact = format!("sha256:{}", image_digest(seed, number));
    let record = |status: &str| {
        json!({
            "runId": run, "jobType": "scan", "artifactHash": artifact, "tenantId": "acme", "environment": "prod",
            "policyHash": format!("sha256:{}", sha256_hex(b"acme release policy 2026.11")),
            "startedAt": "2026-11-02T09:00:00Z", "status": status,
            "manifestPath": format!("cas://sha256/{}/manifest.json", sha256_hex(run.as_bytes())),
            "idempotencyKey": idempotency_key(&run, &artifact, "acme")
        })
    };
    let mut done = record("succeeded");
    done["completedAt"] = json!("2026-11-02T09:05:00Z");
    done["logsPath"] = json!(format!(
        "cas://sha256/{}/logs.ndjson",
        sha256_hex(format!("logs {number}").as_bytes())
    ));
    if number % 10 == 0 {
        done = sign_export(done, key, RELEASE_KEYID);
    }
    [record("pending"), record("running"), done]
        .iter()
        .map(|r| serde_json::to_string(r).expect("serialises"))
        .collect()
}

// ---- the audit pack -----------------------------------------------------------------------------

const LOG_ORIGIN: &str = "rekor.evx-synth.example/log";

/// The pack at the bundle root; returns its files (manifest.json last).
fn audit_pack(
    seed: u64,
    size: Size,
    bom: &Value,
    artifact: &str,
    keys: &(SigningKey, SigningKey, SigningKey),
) -> Vec<(String, Vec<u8>)> {
    let (release, locker, rekor) = keys;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let bom_bytes = jcs::canonical_bytes(bom);
    files.insert("canonical_bom.json".into(), bom_bytes);
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/acme/release", "digest": {"sha256": artifact}}],
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": bom
    });
    let payload = serde_json::to_vec(&statement).expect("serialises");
    let envelope = pretty(&sign_payload(release, RELEASE_KEYID, IN_TOTO, &payload));

    let leaves_n = size.log_leaves();
    let at = Rng::new(seed, 0x106).below(leaves_n);
    let leaves: Vec<Hash> = (0..leaves_n)
        .into_par_iter()
        .map(|i| {
            if i == at {
                leaf_hash(&envelope)
            } else {
                leaf_hash(format!("evx synth log entry {seed} {i}").as_bytes())
            }
        })
        .collect();
    let tree = TreeLevels::new(&leaves);
    let root = tree.root();
    let text = format!("{LOG_ORIGIN}\n{leaves_n}\n{}\n", STANDARD.encode(root));
    let public =
        PublicKey::ed25519_from_bytes(rekor.verifying_key().as_bytes()).expect("a valid key");
    let mut blob = ed25519_key_hash(LOG_ORIGIN, &public).to_vec();
    blob.extend_from_slice(&rekor.sign(text.as_bytes()).to_bytes());
    files.insert(
        "rekor/checkpoint".into(),
        format!("{text}\n\u{2014} {LOG_ORIGIN} {}\n", STANDARD.encode(blob)).into_bytes(),
    );
    let hashes: Vec<String> = tree
        .inclusion_proof(at)
        .expect("index in range")
        .iter()
        .map(hex::encode)
        .collect();
    files.insert(
        "rekor/proof.json".into(),
        pretty(&json!({"logIndex": at, "treeSize": leaves_n, "hashes": hashes})),
    );
    let mut tile_refs = Vec::new();
    for (path, bytes) in build_tiles(&leaves) {
        let path = format!("rekor/{path}");
        tile_refs.push(path.clone());
        files.insert(path, bytes);
    }
    files.insert("dsse_envelope.json".into(), envelope);
    let listing: serde_json::Map<String, Value> = files
        .iter()
        .map(|(p, b)| (p.clone(), json!({"sha256": sha256_hex(b), "size": b.len()})))
        .collect();
    let mut manifest = json!({
        "spec_version": "1.0",
        "created_utc": "2026-11-06T12:00:00Z",
        "artifact": {"name": "registry.example.com/acme/release", "version": "2026.11",
                     "digest": {"sha256": artifact}, "media_type": "application/vnd.oci.image.manifest.v1+json"},
        "files": listing,
        "digests": {"canonical_bom_sha256": jcs::sha256_hex(bom), "dsse_payload_digest": {"sha256": sha256_hex(&payload)}},
        "rekor": {"log_id": LOG_ORIGIN, "api_version": "v2", "tile_refs": tile_refs, "root_hash": hex::encode(root)},
        "timestamps": {"bom_generated_utc": "2026-11-06T11:58:00Z", "logged_utc": "2026-11-06T11:59:12Z"},
        "verifiers": {
            "pubkeys": [key_object(LOCKER_KEYID, locker), key_object(RELEASE_KEYID, release)],
            "rekor_pub": public_b64(rekor)
        }
    });
    let sig = pretty(&sign_payload(
        locker,
        LOCKER_KEYID,
        MANIFEST_PAYLOAD_TYPE,
        &signed_manifest_bytes(&manifest),
    ));
    manifest["files"]["manifest.sig"] = json!({"sha256": sha256_hex(&sig), "size": sig.len()});
    files.insert("manifest.sig".into(), sig);
    let mut out: Vec<(String, Vec<u8>)> = files.into_iter().collect();
    out.push(("manifest.json".into(), pretty(&manifest)));
    out
}

// ---- the whole bundle ---------------------------------------------------------------------------

/// SBOMs per VEX group.
const SBOMS_PER_VEX_GROUP: usize = 20;
/// SBOMs generated in parallel per round (small bundles stop closer to their size).
fn batch(size: Size) -> usize {
    match size {
        Size::Tiny => 4,
        Size::Small => 8,
        _ => 32,
    }
}
/// Share of an SBOM's components that are new to the bundle (the rest recur).
const FRESH: f64 = 0.7;

/// Generates the bundle of `size` for `seed` into `sink`.
pub fn generate(size: Size, seed: u64, sink: &mut dyn Sink) -> std::io::Result<Stats> {
    let keys = (
        demo_key(RELEASE_SEED),
        demo_key(LOCKER_SEED),
        demo_key(REKOR_SEED),
    );
    let mut stats = Stats {
        log_leaves: size.log_leaves(),
        ..Stats::default()
    };
    let mut put = |stats: &mut Stats, path: &str, bytes: &[u8]| {
        stats.files += 1;
        stats.bytes += bytes.len() as u64;
        sink.put(path, bytes)
    };
    let mut rng = Rng::new(seed, 1);
    let mut cursor: u64 = 0;
    let mut number = 0usize;
    let mut group_purls: Vec<String> = Vec::new();
    let mut exports = String::new();
    let mut pack_bom: Option<Value> = None;
    let (lo, hi) = size.sbom_components();
    // Room for the pack's tiles and the rest beside the SBOMs.
    let sbom_budget = size.target_bytes() - size.log_leaves() * 34 - size.target_bytes() / 20;
    let mut sbom_bytes = 0u64;
    while sbom_bytes < sbom_budget || (cursor as usize) < size.min_components() {
        let plans: Vec<SbomPlan> = (0..batch(size))
            .map(|_| {
                let n = (lo * (hi / lo).powf(rng.unit())).round() as usize;
                let mut picked = std::collections::BTreeSet::new();
                let known = cursor;
                // Recurring packages come from those already in the pool; while the pool is
                // small, an SBOM takes fresh ones instead.
                let recurring = ((n as f64) * (1.0 - FRESH)).round() as u64;
                let recurring = recurring.min(known / 2) as usize;
                let fresh = (n - recurring) as u64;
                let mut components = Vec::with_capacity(n);
                for i in cursor..cursor + fresh {
                    picked.insert(i);
                    components.push(i);
                }
                cursor += fresh;
                while components.len() < n {
                    // Popular packages (the first 2 % of the pool so far) come up more often.
                    let i = if rng.chance(0.5) {
                        rng.below((known / 50).max(1))
                    } else {
                        rng.below(known)
                    };
                    if picked.insert(i) {
                        components.push(i);
                    }
                }
                let format = match rng.below(10) {
                    0..=3 => SbomKind::Cdx16,
                    4..=6 => SbomKind::Cdx15,
                    _ => SbomKind::Spdx23,
                };
                let plan = SbomPlan {
                    number,
                    format: if number == 0 { SbomKind::Cdx16 } else { format },
                    components,
                };
                number += 1;
                plan
            })
            .collect();
        let outs: Vec<(SbomOut, Vec<u8>)> = plans
            .par_iter()
            .map(|plan| {
                let keep = plan.number == 0;
                (
                    generate_sbom(seed, plan, keep),
                    provenance(seed, plan.number, &keys.0),
                )
            })
            .collect();
        for (sbom, att) in outs {
            stats.sboms += 1;
            stats.component_entries += sbom.purls.len();
            sbom_bytes += sbom.bytes.len() as u64;
            put(&mut stats, &sbom.path, &sbom.bytes)?;
            let att_path = format!(
                "attestations/{:03}/{}.provenance.dsse.json",
                sbom.number / 100,
                name_of(sbom.number as u64 + 4096)
            );
            put(&mut stats, &att_path, &att)?;
            stats.attestations += 1;
            for line in export_lines(seed, sbom.number, &keys.0) {
                exports.push_str(&line);
                exports.push('\n');
                stats.export_records += 1;
            }
            if pack_bom.is_none() {
                pack_bom = sbom.value_for_pack;
            }
            group_purls.extend(sbom.purls.iter().take(200).cloned());
            if (sbom.number + 1) % SBOMS_PER_VEX_GROUP == 0 {
                let group = sbom.number / SBOMS_PER_VEX_GROUP;
                let subject = image_digest(seed, sbom.number);
                for (path, bytes, n) in vex_group(group, &group_purls, &keys.0, &subject) {
                    put(&mut stats, &path, &bytes)?;
                    stats.vex_documents += 1;
                    stats.vex_statements += n;
                }
                group_purls.clear();
            }
        }
    }
    if !group_purls.is_empty() {
        let group = number / SBOMS_PER_VEX_GROUP;
        for (path, bytes, n) in vex_group(group, &group_purls, &keys.0, &image_digest(seed, 0)) {
            put(&mut stats, &path, &bytes)?;
            stats.vex_documents += 1;
            stats.vex_statements += n;
        }
    }
    put(&mut stats, "exports/runs.ndjson", exports.as_bytes())?;
    let bom = pack_bom.expect("at least one SBOM");
    for (path, bytes) in audit_pack(seed, size, &bom, &image_digest(seed, 0), &keys) {
        put(&mut stats, &path, &bytes)?;
    }
    stats.distinct_components = cursor as usize;
    Ok(stats)
}

/// A realistic SBOM of about `components` components (CycloneDX 1.6, or SPDX 2.3), for the
/// micro-benchmarks.
pub fn sample_sbom(seed: u64, components: u64, spdx_format: bool) -> Value {
    let plan = SbomPlan {
        number: 1,
        format: if spdx_format {
            SbomKind::Spdx23
        } else {
            SbomKind::Cdx16
        },
        components: (0..components).collect(),
    };
    if spdx_format {
        spdx(seed, &plan).0
    } else {
        cyclonedx(seed, &plan).0
    }
}
