//! The `evx` binary: parse arguments, run, exit 0/1/2. Everything else lives in the library.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match evx::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(evx::cli::exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    evx::cli::run(cli)
}
