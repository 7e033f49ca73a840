//! `fundtrace snapshot [ledger inputs] --out FILE`: read the ledger inputs
//! once and write the built ledger as a snapshot, which every command reads
//! back with `--snapshot FILE` in a fraction of the time.
//!
//! The format and its checks are the library's
//! ([`fundtrace::ledger::snapshot`]); this file loads the inputs and writes
//! the file atomically (a temporary file beside it, renamed).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::inputs::LedgerInputs;
use super::CliError;

/// Arguments of `snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    inputs: LedgerInputs,
    /// The snapshot file to write (never one of the inputs; written to a
    /// temporary file beside it and renamed when complete).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs `snapshot`.
pub fn run(args: &SnapshotArgs) -> Result<(), CliError> {
    args.inputs.check_outputs(Some(&args.out), &[])?;
    if !args.inputs.btc_blocks.is_empty() || !args.inputs.btc_json.is_empty() {
        // Refused before a possibly long load.
        return Err(CliError::Usage(
            fundtrace::ledger::snapshot::SnapshotError::Bitcoin.to_string(),
        ));
    }
    super::check_output_path(Some(&args.out))?;
    // Gas prices are kept, so that demixing from the snapshot finds them.
    let data = args.inputs.load_with(true)?;
    if data.utxo.is_some() {
        return Err(CliError::Usage(
            fundtrace::ledger::snapshot::SnapshotError::Bitcoin.to_string(),
        ));
    }
    let written = fundtrace::report::output::write_atomic(&args.out, |w| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
        let n =
            fundtrace::ledger::snapshot::write_dataset(&data.ledger, data.utxo.as_ref(), &mut w)
                .map_err(std::io::Error::other)?;
        w.flush()?;
        Ok(n)
    })
    .map_err(|e| CliError::Output {
        path: args.out.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    if !args.inputs.quiet {
        eprintln!(
            "wrote {}: {} transfers, {} addresses, {} transactions, {written} bytes",
            args.out.display(),
            data.ledger.transfer_count(),
            data.ledger.address_count(),
            data.ledger.tx_count()
        );
    }
    Ok(())
}
