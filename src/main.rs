//! The `fundtrace` command line: a thin shell over the library.

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", fundtrace::error::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
