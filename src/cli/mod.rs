//! The headless command line (SPEC §6): argument parsing and one module per command. Commands
//! read the reconciled model and print it; they never change it.

pub mod conflicts;
pub mod output;
pub mod reconcile;

use crate::bundle::Limits;
use crate::pipeline::Options;
use crate::trust::TrustPolicy;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes of SPEC §6.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// A verification failure, or (`--strict`) any error diagnostic.
    pub const FAILURE: u8 = 1;
    /// Usage error or unreadable bundle.
    pub const USAGE: u8 = 2;
}

/// evx — explore and verify offline software-supply-chain evidence bundles.
#[derive(Debug, Parser)]
#[command(name = "evx", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Bundle to open in the explorer (default: the demo bundle in assets/).
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile a bundle into the evidence graph and print a summary or the graph JSON.
    Reconcile(ReconcileArgs),
    /// Show the VEX decisions: which statement won each conflict, by which rule, and why.
    Conflicts(ConflictsArgs),
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Trust policy pinning keys and issuer authorities (SPEC §4).
    #[arg(long, value_name = "FILE", global = true)]
    pub trust: Option<PathBuf>,
    /// Monochrome output (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Largest single file in the bundle, in bytes.
    #[arg(long, value_name = "BYTES", global = true, default_value_t = Limits::default().max_file_size)]
    pub max_file_size: u64,
    /// Most entries read from the bundle.
    #[arg(long, value_name = "N", global = true, default_value_t = Limits::default().max_entries)]
    pub max_entries: u64,
    /// Most bytes read from the bundle in total, after decompression.
    #[arg(long, value_name = "BYTES", global = true, default_value_t = Limits::default().max_total_size)]
    pub max_total_size: u64,
    /// Largest expansion ratio of a compressed archive.
    #[arg(long, value_name = "N", global = true, default_value_t = Limits::default().max_ratio)]
    pub max_ratio: u64,
}

impl CommonArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_size: self.max_file_size,
            max_entries: self.max_entries,
            max_total_size: self.max_total_size,
            max_ratio: self.max_ratio,
        }
    }

    /// The pipeline options these flags set, with the `--trust` policy read and checked.
    ///
    /// # Errors
    /// One line per problem (file, code, pointer) when the trust file cannot be read or is not
    /// a valid policy: the caller exits 2.
    pub fn options(&self) -> Result<Options, String> {
        let trust_policy = match &self.trust {
            Some(path) => Some(read_trust_policy(path)?),
            None => None,
        };
        Ok(Options {
            limits: self.limits(),
            trust_policy,
        })
    }

    /// Colour is off with `--no-color` or a non-empty `NO_COLOR`.
    pub fn color(&self) -> bool {
        !self.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    }
}

/// `evx reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Bundle: a directory, .tar, .tar.gz/.tgz or .tar.zst/.tzst.
    pub bundle: PathBuf,
    /// Print the graph as JSON (SPEC §6) instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when any error diagnostic was found.
    #[arg(long)]
    pub strict: bool,
}

/// `evx conflicts`.
#[derive(Debug, Args)]
pub struct ConflictsArgs {
    /// Bundle: a directory, .tar, .tar.gz/.tgz or .tar.zst/.tzst.
    pub bundle: PathBuf,
    /// Print the decisions as JSON (SPEC §6) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Show every decision, not only conflicts.
    #[arg(long)]
    pub all: bool,
}

/// Reads a trust policy file (SPEC §4); any problem fails closed.
fn read_trust_policy(path: &std::path::Path) -> Result<TrustPolicy, String> {
    let shown = output::sanitize(&path.display().to_string());
    let bytes =
        std::fs::read(path).map_err(|e| format!("{shown}: cannot read trust policy: {e}"))?;
    TrustPolicy::from_slice(&bytes).map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(|d| {
                let at = if d.pointer.is_empty() {
                    String::new()
                } else {
                    format!(" {}", d.pointer)
                };
                format!("{shown}: {}{at}: {}", d.code, output::sanitize(&d.message))
            })
            .collect::<Vec<_>>()
            .join("\nevx: ")
    })
}

/// The demo bundle shipped in `assets/`: found relative to the working directory first, then
/// to the source tree the binary was built from.
pub fn demo_bundle() -> PathBuf {
    let local = PathBuf::from("assets/demo");
    if local.is_dir() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Some(Command::Reconcile(args)) => reconcile::run(&args, &cli.common),
        Some(Command::Conflicts(args)) => conflicts::run(&args, &cli.common),
        None => {
            let bundle = cli.bundle.unwrap_or_else(demo_bundle);
            let args = ReconcileArgs {
                bundle,
                json: false,
                output: None,
                strict: false,
            };
            reconcile::run(&args, &cli.common)
        }
    };
    ExitCode::from(code)
}
