//! Reads a generated transactions CSV N times (for profiling ingest).
//! `cargo run --release --example ingest_profile -- 1000000 [THREADS]`
//! (THREADS: decoding threads, `IngestOptions::parse_threads`; 0 reads on
//! one thread; default: one per core beyond the first).
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let parse_threads: Option<usize> = std::env::args().nth(2).and_then(|s| s.parse().ok());
    let cfg = fundtrace::synth::GenConfig {
        transfers: n,
        ..Default::default()
    };
    let cache = std::env::temp_dir().join(format!("fundtrace-gen-{n}.csv"));
    let csv = match std::fs::read(&cache) {
        Ok(bytes) => bytes,
        Err(_) => {
            let mut csv = Vec::new();
            if let Err(e) = fundtrace::synth::write_transactions_csv(&cfg, &mut csv) {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
            let _ = std::fs::write(&cache, &csv);
            csv
        }
    };
    let start = std::time::Instant::now();
    let mut b = fundtrace::LedgerBuilder::new();
    let r = fundtrace::ingest::read_from(
        &mut b,
        "gen.csv",
        fundtrace::ingest::Format::EthTransactions,
        fundtrace::ingest::Encoding::Csv,
        &csv[..],
        &mut fundtrace::ingest::IngestOptions {
            parse_threads,
            ..fundtrace::ingest::IngestOptions::default()
        },
    );
    let parsed = start.elapsed();
    if let Err(e) = r {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let l = match b.build() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let total = start.elapsed();
    println!(
        "{} rows, {} bytes: parse {:.3} s ({:.0} rows/s), parse+build {:.3} s ({:.0} rows/s); ledger heap {} bytes/transfer",
        l.transfer_count(),
        csv.len(),
        parsed.as_secs_f64(),
        n as f64 / parsed.as_secs_f64(),
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        l.heap_bytes() / n.max(1)
    );
}
