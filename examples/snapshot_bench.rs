//! Ledger snapshot benchmark: builds a generated ledger from ethereum-etl
//! CSV, writes it as a snapshot, and times reloading it.
//!
//! ```sh
//! cargo run --release --example snapshot_bench -- [TRANSFERS] [DIR] [ROUNDS]
//! # defaults: 10000000 /tmp/ftsnap-bench 7
//! cargo run --release --example snapshot_bench -- --reload FILE [ROUNDS]
//! ```
//!
//! Prints the CSV size and ingest time (`ingest::load_dataset`, SHA-256 of
//! the input included, gas prices kept as `fundtrace snapshot` keeps them),
//! the snapshot's size and write time, and the reload time (min and median
//! of ROUNDS, after one untimed warm-up read) two ways: `read_from` (one
//! thread: the columns, their CRC-32 and every id check) and `read_file`
//! (both cores: the same plus the file's SHA-256, as the command-line tool
//! reads it for the report's provenance). Every column of both reloaded
//! ledgers is compared with the original. The files are deleted at the end
//! (about 2.9 GB of CSV and 1 GB of snapshot at 10M transfers) unless
//! `FTSNAP_KEEP` is set. `--reload FILE` times the reloads of an existing
//! snapshot only (after checking that both readers give the same ledger).
//!
//! Beside wall-clock times it prints CPU times (Linux `/proc/self/stat`:
//! user + system time of every thread of the process, 10 ms ticks) and the
//! load average before and after, since on a machine shared with other
//! work wall-clock times include waiting for a core.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fundtrace::ingest::{load_dataset, Format, IngestOptions, Source};
use fundtrace::ledger::snapshot;
use fundtrace::synth::{write_transactions_csv, GenConfig};
use fundtrace::{Ledger, TxIndex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--reload") {
        args.next();
        let snap = PathBuf::from(args.next().ok_or("--reload FILE [ROUNDS]")?);
        let rounds: usize = args.next().map_or(Ok(7), |s| s.parse())?;
        let f = std::fs::File::open(&snap)?;
        let len = f.metadata()?.len();
        assert_same(&snapshot::read_from(f, len)?, &snapshot::read_file(&snap)?);
        println!("read_file and read_from give the same ledger, column by column");
        time_reloads(&snap, rounds)?;
        return Ok(());
    }
    let n: usize = args.next().map_or(Ok(10_000_000), |s| s.parse())?;
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/ftsnap-bench".into()));
    let rounds: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("transactions.csv");
    let snap = dir.join("ledger.ftsnap");

    let t = Instant::now();
    let cfg = GenConfig {
        transfers: n,
        ..GenConfig::default()
    };
    write_transactions_csv(&cfg, std::fs::File::create(&csv)?)?;
    let csv_len = std::fs::metadata(&csv)?.len();
    println!(
        "generated {n} transfers: {} ({:.1} MB) in {:.2} s",
        csv.display(),
        csv_len as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let c = process_cpu();
    let data = load_dataset(
        &[Source::new(Format::EthTransactions, &csv)],
        IngestOptions {
            gas_prices: true,
            ..IngestOptions::default()
        },
    )?;
    let ingest = t.elapsed();
    let ingest_cpu = process_cpu() - c;
    let ledger = data.ledger;
    println!(
        "CSV ingest (load_dataset): {:.3} s wall, {:.2} s CPU; {} transfers, {} addresses, {} transactions, heap {:.1} MB",
        ingest.as_secs_f64(),
        ingest_cpu.as_secs_f64(),
        ledger.transfer_count(),
        ledger.address_count(),
        ledger.tx_count(),
        ledger.heap_bytes() as f64 / 1e6
    );

    let t = Instant::now();
    let c = process_cpu();
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&snap)?);
        snapshot::write(&ledger, &mut w)?;
        w.flush()?;
    }
    let write = t.elapsed();
    let write_cpu = process_cpu() - c;
    let snap_len = std::fs::metadata(&snap)?.len();
    println!(
        "snapshot write: {:.3} s wall, {:.2} s CPU; {} ({:.1} MB, {:.1} bytes per transfer)",
        write.as_secs_f64(),
        write_cpu.as_secs_f64(),
        snap.display(),
        snap_len as f64 / 1e6,
        snap_len as f64 / n.max(1) as f64
    );

    // Warm-up (the page cache holds the file, as on any re-run), and the
    // check that every column came back.
    let back = snapshot::read_file(&snap)?;
    assert_same(&ledger, &back);
    drop(back);
    let f = std::fs::File::open(&snap)?;
    let len = f.metadata()?.len();
    let back = snapshot::read_from(f, len)?;
    assert_same(&ledger, &back);
    drop(back);
    println!("reloaded ledger (read_file and read_from) equals the ingested one, column by column");

    let med = time_reloads(&snap, rounds)?;
    println!(
        "CSV ingest / snapshot reload (read_file median): {:.1}x",
        ingest.as_secs_f64() / med.as_secs_f64()
    );
    if std::env::var_os("FTSNAP_KEEP").is_some() {
        println!("kept (FTSNAP_KEEP): {} {}", csv.display(), snap.display());
    } else {
        std::fs::remove_file(&csv)?;
        std::fs::remove_file(&snap)?;
    }
    Ok(())
}

/// Times `rounds` reloads of `snap` each way, after one untimed warm-up
/// read, prints min and median wall and CPU times with the load average,
/// and returns the median wall time of `read_file`.
fn time_reloads(snap: &Path, rounds: usize) -> Result<Duration, Box<dyn std::error::Error>> {
    let rounds = rounds.max(1);
    drop(snapshot::read_file(snap)?);
    let mut plain = Vec::new();
    let mut plain_cpu = Vec::new();
    let mut with_sha = Vec::new();
    let mut with_sha_cpu = Vec::new();
    println!("load average before: {}", load_average());
    for _ in 0..rounds {
        let t = Instant::now();
        let c = process_cpu();
        let f = std::fs::File::open(snap)?;
        let len = f.metadata()?.len();
        let l = snapshot::read_from(f, len)?;
        plain_cpu.push(process_cpu() - c);
        plain.push(t.elapsed());
        drop(l);
        let t = Instant::now();
        let c = process_cpu();
        let l = snapshot::read_file(snap)?;
        with_sha_cpu.push(process_cpu() - c);
        with_sha.push(t.elapsed());
        drop(l);
    }
    println!("load average after: {}", load_average());
    let row = |what: &str, wall: &mut [Duration], cpu: &mut [Duration]| {
        let (min, med) = stats(wall);
        let (cmin, cmed) = stats(cpu);
        println!(
            "reload {what}: wall min {:.3} s, median {:.3} s; CPU (all threads) min {:.2} s, median {:.2} s ({rounds} rounds)",
            min.as_secs_f64(),
            med.as_secs_f64(),
            cmin.as_secs_f64(),
            cmed.as_secs_f64()
        );
        med
    };
    row(
        "read_from (one thread: columns, CRC-32, id checks)",
        &mut plain,
        &mut plain_cpu,
    );
    Ok(row(
        "read_file (both cores: the same + SHA-256 of the file)",
        &mut with_sha,
        &mut with_sha_cpu,
    ))
}

/// The first three fields of `/proc/loadavg` (empty elsewhere).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// User + system CPU seconds of the process, threads that ended included
/// (Linux `/proc/self/stat`, 100 ticks a second; zero elsewhere).
fn process_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn stats(v: &mut [Duration]) -> (Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2])
}

fn assert_same(a: &Ledger, b: &Ledger) {
    assert_eq!(a.chains(), b.chains());
    assert_eq!(a.addresses(), b.addresses());
    assert_eq!(a.assets(), b.assets());
    assert_eq!(a.senders(), b.senders());
    assert_eq!(a.receivers(), b.receivers());
    assert_eq!(a.transfer_assets(), b.transfer_assets());
    assert_eq!(a.amounts(), b.amounts());
    assert_eq!(a.transfer_txs(), b.transfer_txs());
    assert_eq!(a.kinds(), b.kinds());
    assert!(a.transfers().zip(b.transfers()).all(|(x, y)| x == y));
    assert_eq!(a.tx_count(), b.tx_count());
    for i in 0..a.tx_count() {
        let tx = TxIndex::from_usize(i);
        assert_eq!(a.tx_hash(tx), b.tx_hash(tx));
        assert_eq!(a.tx_block(tx), b.tx_block(tx));
        assert_eq!(a.tx_position(tx), b.tx_position(tx));
        assert_eq!(a.gas_price(tx), b.gas_price(tx));
    }
    assert_eq!(a.inputs(), b.inputs());
    assert_eq!(a.conflicts(), b.conflicts());
    assert_eq!(a.duplicates_dropped(), b.duplicates_dropped());
    assert_eq!(a.warnings(), b.warnings());
}
