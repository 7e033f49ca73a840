//! Writes the synthetic sample of the README's quick start: a ledger made
//! by the repo's generator (`fundtrace::synth`), not real data, in which a
//! theft is split, peeled down chains with small payments to exchange
//! deposit addresses, and ends in a mixer pool or at an exchange; with the
//! labels of its exchanges' hot wallets, its mixer and its thief, and a
//! seeds file.
//!
//! ```sh
//! cargo run --example synthetic_sample -- examples/data/synthetic
//! ```
//!
//! The output is the same bytes on every run and platform (the generator
//! carries its own PRNG).

use std::io::Write;
use std::path::PathBuf;

use fundtrace::synth::{generate_with, write_transactions_csv, GenConfig};

/// One ether in wei.
const ETH: u128 = 1_000_000_000_000_000_000;

/// The sample's configuration: small enough to ship (about 2,400
/// transactions), with one theft whose chains reach three exchanges and
/// the mixer.
fn config() -> GenConfig {
    GenConfig {
        transfers: 2_400,
        users: Some(300),
        exchanges: 3,
        thefts: 1,
        theft_split: 4,
        peel_hops: 4,
        mixer_denomination: 100 * ETH,
        seed: 0x5a17_2025,
        per_block: 1,
    }
}

/// Entity names: short, so the quick start's tables show them whole; the
/// source column says they are synthetic.
const EXCHANGES: [&str; 3] = ["Alpha Exchange", "Beta Exchange", "Gamma Exchange"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: synthetic_sample OUT_DIR")?,
    );
    std::fs::create_dir_all(&dir)?;
    let cfg = config();
    let thefts =
        write_transactions_csv(&cfg, std::fs::File::create(dir.join("transactions.csv"))?)?;
    let (_, hot, _, mixer) = generate_with(&cfg, |_| {});
    let mut labels = std::io::BufWriter::new(std::fs::File::create(dir.join("labels.csv"))?);
    writeln!(labels, "address,entity,category,actor,source")?;
    for (address, name) in hot.iter().zip(EXCHANGES) {
        writeln!(
            labels,
            "{address},{name},exchange,,synthetic (fundtrace synth)"
        )?;
    }
    writeln!(
        labels,
        "{mixer},Mixer pool 100 ETH,mixer,,synthetic (fundtrace synth)"
    )?;
    for t in &thefts {
        writeln!(
            labels,
            "{},Synthetic thief,exploiter,synthetic-actor,synthetic (fundtrace synth)",
            t.address
        )?;
    }
    labels.flush()?;
    let mut seeds = std::fs::File::create(dir.join("seeds.txt"))?;
    writeln!(
        seeds,
        "# The synthetic theft (fundtrace synth, not real data): INCIDENT,ADDRESS@UNIX_TIME"
    )?;
    for t in &thefts {
        writeln!(seeds, "synthetic-theft,{}@{}", t.address, t.time)?;
    }
    println!(
        "wrote {} (transactions.csv, labels.csv, seeds.txt): {} transfers, {} theft(s)",
        dir.display(),
        cfg.transfers,
        thefts.len()
    );
    Ok(())
}
