//! The `fundtrace` command line: a thin shell over the library.

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Recorded in reports as given, so `fundtrace verify` can run it again.
    let command_line: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let args = cli::Cli::parse();
    match cli::run(args, &command_line) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", fundtrace::error::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
