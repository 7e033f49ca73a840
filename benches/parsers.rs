//! Parsers whose cost used to grow faster than their input (issue 14):
//! Bitcoin Core `getblock` JSON lines (the line number of every block was
//! found by rescanning the file from its start) and TagPacks with many
//! aliases (each looked up by a linear scan of the anchors). Each runs at
//! four sizes, doubling; with the per-element throughput criterion prints,
//! linear growth shows as a constant time per block or alias. Pool-event
//! caches, now streamed record by record, are measured the same way.
//!
//! `cargo bench --bench parsers`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::heuristics::mixer::PoolEvents;
use fundtrace::ingest::bitcoin::{genesis_block, load_core_blocks_json};
use fundtrace::labels::{parse_tagpack, LoadOptions};

/// `n` copies of the genesis block as `getblock <hash> 2` JSON lines.
fn getblock_lines(n: usize) -> String {
    let g = genesis_block();
    let tx = &g.transactions()[0];
    let line = format!(
        r#"{{"hash":"{}","height":0,"version":1,"merkleroot":"{}","time":{},"bits":"{:08x}","nonce":{},"tx":[{{"txid":"{}","hex":"{}","vout":[{{"value":50.0,"n":0,"scriptPubKey":{{"hex":"{}"}}}}]}}]}}"#,
        g.block_hash(),
        g.header.merkle_root,
        g.header.time,
        g.header.bits,
        g.header.nonce,
        g.txids()[0],
        hex::encode(tx.serialize()),
        hex::encode(&tx.outputs[0].script_pubkey)
    );
    let mut text = String::with_capacity((line.len() + 1) * n);
    for _ in 0..n {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// A TagPack whose header anchors `n` values and lists them again by
/// alias (`concepts`, which every tag inherits), in a scattered order, so
/// the time is the anchors' and aliases' (the two tags are a constant).
fn tagpack_with_aliases(n: usize) -> String {
    let mut y = String::from("title: Bench\ncategory: exchange\ncurrency: ETH\nanchors:\n");
    for i in 0..n {
        y.push_str(&format!("- &c{i} concept{i}\n"));
    }
    y.push_str("concepts:\n");
    for i in 0..n {
        y.push_str(&format!("- *c{}\n", (i * 7919) % n));
    }
    y.push_str("tags:\n- address: '0x0000000000000000000000000000000000000001'\n- address: '0x0000000000000000000000000000000000000002'\n");
    y
}

/// A deposits cache of `n` records.
fn deposits(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "  {{\"transactionHash\": \"0x01{i:062x}\", \"blockNumber\": {},\n   \"leafIndex\": {i}, \"commitment\": \"0x02{i:062x}\", \"timestamp\": {}}}",
                10 + i,
                1_600_000_000 + i
            )
        })
        .collect();
    format!("[\n{}\n]\n", records.join(",\n"))
}

fn bench_parsers(c: &mut Criterion) {
    let mut g = c.benchmark_group("getblock_json_lines");
    g.sample_size(10);
    for n in [1_000, 2_000, 4_000, 8_000] {
        let text = getblock_lines(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("blocks", n), &text, |b, text| {
            b.iter(|| load_core_blocks_json(black_box(text.as_bytes())).expect("loads"));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("tagpack_aliases");
    g.sample_size(10);
    let opts = LoadOptions::default();
    for n in [4_000, 8_000, 16_000, 32_000] {
        let text = tagpack_with_aliases(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("aliases", n), &text, |b, text| {
            b.iter(|| parse_tagpack(black_box(text), "bench.yaml", &opts).expect("parses"));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("pool_event_cache");
    g.sample_size(10);
    for n in [10_000, 20_000, 40_000, 80_000] {
        let text = deposits(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("records", n), &text, |b, text| {
            b.iter(|| {
                PoolEvents::from_cache_json(black_box(text), "d.json", "[]", "w.json")
                    .expect("loads")
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parsers);
criterion_main!(benches);
