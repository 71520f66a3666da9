//! The headless command line (SPEC §6): argument parsing and one module per command. Commands
//! read the reconciled model and print it; they never change it.

pub mod conflicts;
pub mod output;
pub mod reconcile;
pub mod verify;

use crate::bundle::Limits;
use crate::pipeline::{self, Options, Reconciled};
use crate::progress::NoProgress;
use crate::trust::TrustPolicy;
use crate::verify::keyring::TrustFile;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
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
    /// Verify signatures, the audit-pack manifest, transparency proofs and job exports.
    Verify(VerifyArgs),
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

    /// The pipeline options these flags set, with the `--trust` file read and its policy
    /// checked (an invalid policy fails closed).
    ///
    /// # Errors
    /// One line per problem (file, code, pointer) when the trust file cannot be read or is not
    /// a valid policy: the caller exits 2.
    pub fn options(&self) -> Result<Options, String> {
        self.build_options(true)
    }

    /// Like [`CommonArgs::options`], but an invalid policy is left to `evx verify`'s
    /// `trust-policy` check, which reports it as a verification failure.
    ///
    /// # Errors
    /// A message naming the file when it cannot be read (exit code 2).
    pub fn options_for_verify(&self) -> Result<Options, String> {
        self.build_options(false)
    }

    fn build_options(&self, strict_policy: bool) -> Result<Options, String> {
        let mut options = Options {
            limits: self.limits(),
            trust: None,
            trust_policy: None,
        };
        let Some(path) = &self.trust else {
            return Ok(options);
        };
        let shown = output::sanitize(&path.display().to_string());
        let file =
            TrustFile::read(path).map_err(|e| format!("{shown}: cannot read trust policy: {e}"))?;
        match TrustPolicy::from_slice(&file.bytes) {
            Ok(policy) => options.trust_policy = Some(policy),
            Err(diagnostics) if strict_policy => return Err(policy_errors(&shown, &diagnostics)),
            Err(_) => {}
        }
        options.trust = Some(file);
        Ok(options)
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

/// `evx verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Bundle: a directory, .tar, .tar.gz/.tgz or .tar.zst/.tzst.
    pub bundle: PathBuf,
    /// Print the verification report as JSON (SPEC §6) instead of the grouped checks.
    #[arg(long)]
    pub json: bool,
}

/// One line per trust-policy problem: file, code, pointer, message.
fn policy_errors(shown: &str, diagnostics: &[crate::diag::Diagnostic]) -> String {
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
}

/// Opens the bundle with `options` and reconciles it; on failure prints the error (naming the
/// file) and returns exit code 2.
pub fn load_with(bundle: &Path, options: Result<Options, String>) -> Result<Reconciled, u8> {
    let options = options.map_err(|e| {
        eprintln!("evx: {e}");
        exit::USAGE
    })?;
    pipeline::reconcile_path(bundle, &options, &NoProgress).map_err(|e| {
        eprintln!("evx: {}", output::sanitize(&e.to_string()));
        exit::USAGE
    })
}

/// Ends the model's life without freeing it, for a command about to exit: a large bundle's
/// graph is millions of small allocations, and the operating system takes them back at once.
pub(crate) fn release_at_exit(model: Reconciled) {
    std::mem::forget(model);
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

/// Opens the explorer; without a terminal (a pipe, CI) prints the reconcile summary instead.
fn explore(bundle: PathBuf, common: &CommonArgs) -> u8 {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "evx: not a terminal; printing the reconcile summary (use `evx reconcile` in scripts)"
        );
        let args = ReconcileArgs {
            bundle,
            json: false,
            output: None,
            strict: false,
        };
        return reconcile::run(&args, common);
    }
    let options = match common.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("evx: {}", output::sanitize(&e));
            return exit::USAGE;
        }
    };
    let theme = crate::tui::theme::Theme {
        color: common.color(),
    };
    match crate::tui::run(bundle, options, theme) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("evx: terminal error: {e}");
            exit::USAGE
        }
    }
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Some(Command::Reconcile(args)) => reconcile::run(&args, &cli.common),
        Some(Command::Conflicts(args)) => conflicts::run(&args, &cli.common),
        Some(Command::Verify(args)) => verify::run(&args, &cli.common),
        None => explore(cli.bundle.unwrap_or_else(demo_bundle), &cli.common),
    };
    ExitCode::from(code)
}
