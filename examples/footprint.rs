//! Memory and time of ledger + graph on a generated ledger: ingest from an
//! ethereum-etl CSV file, build the ledger, build the CSR graph.
//!
//! `cargo run --release --example footprint -- 1000000`
//!
//! `footprint gen N FILE` writes the generated CSV; `footprint load FILE` only loads an ethereum-etl transactions CSV (what
//! `ingest::load` does, nothing after it) and prints the wall and CPU time,
//! the ledger's heap bytes, and the process's peak resident set (VmHWM), so
//! the peak while loading can be set against the ledger it makes.
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

fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// User plus system CPU seconds of this process (Linux only).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn load_only(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let (start, cpu) = (Instant::now(), cpu_seconds());
    // What `ingest::load` does, with the peak after reading told apart.
    let mut builder = fundtrace::LedgerBuilder::new();
    fundtrace::ingest::read_file(
        &mut builder,
        &Source::new(Format::EthTransactions, path),
        &mut IngestOptions::default(),
    )?;
    let (read, read_peak) = (start.elapsed().as_secs_f64(), status_bytes("VmHWM:"));
    let ledger = builder.build()?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
    let t = ledger.transfer_count().max(1) as f64;
    let heap = ledger.heap_bytes() as f64;
    let peak = status_bytes("VmHWM:").map_or(0.0, |b| b as f64);
    println!(
        "read {read:.3} s, peak rss after reading {:.1} B/transfer",
        read_peak.map_or(0.0, |b| b as f64) / t
    );
    println!(
        "transfers {} txs {} addresses {}",
        ledger.transfer_count(),
        ledger.tx_count(),
        ledger.address_count()
    );
    println!(
        "load {wall:.3} s wall, {:.2} s cpu; ledger {:.1} B/transfer; peak rss {:.1} B/transfer ({:.0} MB); peak/ledger {:.2}",
        cpu.unwrap_or(f64::NAN),
        heap / t,
        peak / t,
        peak / 1e6,
        peak / heap
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("gen") {
        let (n, out) = (args.get(2), args.get(3));
        let (Some(n), Some(out)) = (n, out) else {
            return Err("usage: footprint gen N FILE".into());
        };
        let cfg = GenConfig {
            transfers: n.replace('_', "").parse()?,
            ..GenConfig::default()
        };
        let file = std::io::BufWriter::new(std::fs::File::create(out)?);
        write_transactions_csv(&cfg, file)?;
        return Ok(());
    }
    if args.get(1).map(String::as_str) == Some("load") {
        return load_only(args.get(2).ok_or("usage: footprint load FILE")?);
    }
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
