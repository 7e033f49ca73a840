//! Memory and time of ledger + graph on a generated ledger: ingest from an
//! ethereum-etl CSV file, build the ledger, build the CSR graph.
//!
//! `cargo run --release --example footprint -- 1000000`
//!
//! Prints the exact heap bytes of the ledger's and the graph's tables per
//! transfer (transaction hashes included) and, as a cross-check, the growth
//! of the process's resident set (VmRSS, Linux only) from before reading to
//! after building, which also counts what the allocator keeps.

use std::time::Instant;

use fundtrace::graph::TransferGraph;
use fundtrace::ingest::{load, Format, IngestOptions, Source};
use fundtrace::synth::{write_transactions_csv, GenConfig};

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("fundtrace-footprint-{n}.csv"));
    if !path.exists() {
        let file = std::fs::File::create(&path)?;
        write_transactions_csv(
            &GenConfig {
                transfers: n,
                ..GenConfig::default()
            },
            file,
        )?;
    }
    let before = rss_bytes();
    let start = Instant::now();
    let ledger = load(
        &[Source::new(Format::EthTransactions, &path)],
        IngestOptions::default(),
    )?;
    let ingest = start.elapsed();
    let start = Instant::now();
    let graph = TransferGraph::new(&ledger);
    let build = start.elapsed();
    let after = rss_bytes();
    let t = ledger.transfer_count().max(1);
    let (lb, gb) = (ledger.heap_bytes(), graph.heap_bytes());
    println!("transfers            {}", ledger.transfer_count());
    println!("addresses            {}", ledger.address_count());
    println!(
        "ingest + ledger      {:.3} s ({:.0} rows/s)",
        ingest.as_secs_f64(),
        t as f64 / ingest.as_secs_f64()
    );
    println!("graph build          {:.3} s", build.as_secs_f64());
    println!(
        "ledger heap          {:.1} bytes/transfer",
        lb as f64 / t as f64
    );
    println!(
        "graph heap           {:.1} bytes/transfer",
        gb as f64 / t as f64
    );
    println!(
        "ledger + graph heap  {:.1} bytes/transfer",
        (lb + gb) as f64 / t as f64
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "resident growth      {:.1} bytes/transfer (includes allocator slack)",
            a.saturating_sub(b) as f64 / t as f64
        );
    }
    Ok(())
}
