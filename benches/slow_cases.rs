//! The slow cases of issue 14, each at four sizes (doubling), to show that
//! their cost now grows linearly: the time per element that criterion
//! prints (`thrpt`) stays flat.
//!
//! - `k_paths_chain`: `paths --k 10` on a chain of N hops (the walk up each
//!   partial path used to be uncounted and quadratic);
//! - `inspect_text_assets`: `inspect` as text for an address holding N
//!   tokens, on one chain and with the same tokens on a second chain (an
//!   asset's name was found by scanning every asset: quadratic);
//! - `own_jsonl_chains`: the own JSON-lines format with N chains, one
//!   record each (the chain of every record was found by a linear scan);
//! - `getblock_json_lines`: Bitcoin Core `getblock` JSON lines, N blocks
//!   (the line number was counted from the file start for every block);
//! - `tagpack_aliases`: a TagPack with N anchors and N aliases;
//! - `etherscan_token_decimals`: an Etherscan token export of N rows with
//!   the largest `tokenDecimal` allowed (38; larger is an error).
//!
//! `cargo bench --bench slow_cases` (about two minutes on two cores).

use std::time::Duration;

mod common;

use common::{getblock_lines, tagpack_with_aliases};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fundtrace::graph::TransferGraph;
use fundtrace::ingest::bitcoin::load_core_blocks_json;
use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
use fundtrace::labels::{parse_tagpack, LoadOptions};
use fundtrace::paths::{PathKind, PathQuery, SearchLimits};
use fundtrace::report::inspect::{Inspection, InspectionTable};
use fundtrace::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

fn evm(i: u32, tag: u8) -> Address {
    let mut b = [tag; 20];
    b[..4].copy_from_slice(&i.to_be_bytes());
    Address::Evm(b)
}

fn hash(i: u64, tag: u8) -> [u8; 32] {
    let mut h = [tag; 32];
    h[..8].copy_from_slice(&i.to_be_bytes());
    h
}

/// A chain 0 → 1 → … → n, one transfer per block.
fn chain_ledger(n: u32) -> Ledger {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    for i in 0..n {
        b.push(TransferRecord {
            chain: eth,
            tx_hash: hash(u64::from(i), 1),
            block: u64::from(i),
            time: 1_000 + u64::from(i),
            tx_position: 0,
            kind: TransferKind::Native,
            sub_index: 0,
            from: evm(i, 1),
            to: evm(i + 1, 1),
            asset: Asset::Native,
            amount: 5,
        })
        .expect("pushes");
    }
    b.build().expect("builds")
}

/// Address `evm(0, 9)` receives one transfer of each of `n` tokens, on
/// `chains` chains.
fn token_ledger(n: u32, chains: &[&str]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let mut k = 0u64;
    for name in chains {
        let c = b.chain(name, "ETH");
        for i in 0..n {
            k += 1;
            b.push(TransferRecord {
                chain: c,
                tx_hash: hash(k, 2),
                block: k,
                time: 1_000 + k,
                tx_position: 0,
                kind: TransferKind::Token,
                sub_index: 0,
                from: evm(i, 3),
                to: evm(0, 9),
                asset: Asset::Token(evm(i, 4)),
                amount: 1_000 + u128::from(i),
            })
            .expect("pushes");
        }
    }
    b.build().expect("builds")
}

/// `n` own-format records, each on a chain of its own.
fn own_lines(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            r#"{{"type":"transfer","chain":"chain{i}","symbol":"C{i}","tx":"0x{:064x}","block":{i},"time":{},"position":0,"kind":"native","index":0,"from":"{}","to":"{}","amount":"{}"}}"#,
            i + 1,
            1_000 + i,
            evm(i as u32, 5),
            evm(i as u32 + 1, 5),
            i + 1
        ));
        s.push('\n');
    }
    s
}

fn load(format: Format, encoding: Encoding, text: &str) -> Ledger {
    let mut b = LedgerBuilder::new();
    let mut options = IngestOptions::default();
    read_from(
        &mut b,
        "bench",
        format,
        encoding,
        text.as_bytes(),
        &mut options,
    )
    .expect("reads");
    b.build().expect("builds")
}

/// An Etherscan token export of `n` rows, 38 decimals each.
fn etherscan_tokens(n: usize) -> String {
    let mut s = String::from("Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,TokenValue,USDValueDayOfTx,ContractAddress,TokenName,TokenSymbol,tokenDecimal\n");
    for i in 0..n {
        s.push_str(&format!(
            "0x{:064x},{},{},x,{},{},1.{:037},0,{},T,T,38\n",
            i + 1,
            1 + i,
            1_000 + i,
            evm(i as u32, 6),
            evm(i as u32 + 1, 6),
            i,
            evm(7, 7)
        ));
    }
    s
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    g
}

fn bench_slow_cases(c: &mut Criterion) {
    let mut g = group(c, "k_paths_chain");
    for n in [25_000u32, 50_000, 100_000, 200_000] {
        let l = chain_ledger(n);
        let graph = TransferGraph::new(&l);
        let q = PathQuery::on(&graph)
            .from([l.address_id(&evm(0, 1)).expect("source")])
            .to([l.address_id(&evm(n, 1)).expect("target")])
            .build()
            .expect("query");
        g.throughput(Throughput::Elements(u64::from(n)));
        g.bench_function(BenchmarkId::new("hops", n), |b| {
            b.iter(|| {
                let k = q.k_paths(PathKind::Fewest, 10, &SearchLimits::default());
                assert_eq!(k.paths.len(), 1);
                black_box(k)
            });
        });
    }
    g.finish();

    for (name, chains) in [
        ("inspect_text_assets", &["ethereum"][..]),
        (
            "inspect_text_assets_two_chains",
            &["ethereum", "polygon"][..],
        ),
    ] {
        let mut g = group(c, name);
        for n in [2_500u32, 5_000, 10_000, 20_000] {
            let l = token_ledger(n, chains);
            let who = evm(0, 9);
            g.throughput(Throughput::Elements(u64::from(n) * chains.len() as u64));
            g.bench_function(BenchmarkId::new("tokens", n), |b| {
                b.iter(|| {
                    let inspection = Inspection::of(&l, &who).expect("sums");
                    let text = InspectionTable {
                        inspection: &inspection,
                        ledger: &l,
                    }
                    .to_string();
                    black_box(text.len())
                });
            });
        }
        g.finish();
    }

    let mut g = group(c, "own_jsonl_chains");
    for n in [2_500, 5_000, 10_000, 20_000] {
        let text = own_lines(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("chains", n), |b| {
            b.iter(|| black_box(load(Format::Fundtrace, Encoding::JsonLines, &text)));
        });
    }
    g.finish();

    let mut g = group(c, "getblock_json_lines");
    for n in [2_000, 4_000, 8_000, 16_000] {
        let text = getblock_lines(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("blocks", n), |b| {
            b.iter(|| load_core_blocks_json(black_box(text.as_bytes())).expect("loads"));
        });
    }
    g.finish();

    let mut g = group(c, "tagpack_aliases");
    let opts = LoadOptions::default();
    for n in [4_000, 8_000, 16_000, 32_000] {
        let text = tagpack_with_aliases(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("aliases", n), |b| {
            b.iter(|| parse_tagpack(black_box(&text), "bench.yaml", &opts).expect("parses"));
        });
    }
    g.finish();

    let mut g = group(c, "etherscan_token_decimals");
    for n in [5_000, 10_000, 20_000, 40_000] {
        let text = etherscan_tokens(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("rows", n), |b| {
            b.iter(|| black_box(load(Format::Etherscan, Encoding::Csv, &text)));
        });
    }
    g.finish();
}

criterion_group!(benches, bench_slow_cases);
criterion_main!(benches);
