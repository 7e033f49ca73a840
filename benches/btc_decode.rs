//! Decoding throughput on real mainnet blocks (btcd's blocks 1–255 and
//! block 277,647), decompression excluded.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::ingest::bitcoin::{decode_blocks, read_maybe_bzip2};

fn data(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_maybe_bzip2(file).expect("decompresses")
}

fn bench_decode(c: &mut Criterion) {
    let inputs = [
        (
            "blocks_1_255",
            data("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2"),
        ),
        (
            "block_277647",
            data("bitcoin_raw/btcd/blockchain__testdata__277647.dat.bz2"),
        ),
    ];
    let mut g = c.benchmark_group("btc_decode");
    for (name, bytes) in &inputs {
        let n_tx: usize = decode_blocks(bytes)
            .expect("decodes")
            .iter()
            .map(|b| b.transactions().len())
            .sum();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("bytes", name), bytes, |b, bytes| {
            b.iter(|| decode_blocks(black_box(bytes)).expect("decodes"));
        });
        g.throughput(Throughput::Elements(n_tx as u64));
        g.bench_with_input(BenchmarkId::new("transactions", name), bytes, |b, bytes| {
            b.iter(|| decode_blocks(black_box(bytes)).expect("decodes"));
        });
    }
    g.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
