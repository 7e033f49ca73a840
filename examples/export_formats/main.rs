//! Writes one trace report in every output format into a directory, for
//! the format validators in `tests/validate/` (run by `.ci/run`).
//!
//! The report is the trace of a small synthetic theft built here
//! (`scenario.rs`): it reaches labelled exchanges, a mixer and holders,
//! and one exchange label is hostile markup.
//!
//! `cargo run --example export_formats -- OUTDIR`

mod scenario;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use fundtrace::report::{write_report, Destination, ExportOptions, OutputFormat};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: export_formats OUTDIR")?,
    );
    std::fs::create_dir_all(&dir)?;
    let report = scenario::report();
    let options = ExportOptions::default();
    for format in OutputFormat::ALL {
        match format.extension() {
            Some(ext) => {
                let path = dir.join(format!("report.{ext}"));
                let mut out = BufWriter::new(File::create(&path)?);
                write_report(&report, format, Destination::Writer(&mut out), &options)?;
                println!("{format}: {}", path.display());
            }
            None => {
                let sub = dir.join(format.name());
                let files = write_report(&report, format, Destination::Directory(&sub), &options)?;
                for f in files {
                    println!("{format}: {}", f.display());
                }
            }
        }
    }
    Ok(())
}
