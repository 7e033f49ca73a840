//! Building a UTXO ledger, clustering (multi-input heuristic with CoinJoin
//! skipping) and haircut / FIFO traces on a generated ledger of 1M
//! transactions.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use fundtrace::heuristics::cluster::cluster;
use fundtrace::ledger::utxo::{
    BlockHash, InputRecord, OutPoint, OutputRecord, ScriptType, TxRecord, Txid, UtxoLedger,
};
use fundtrace::trace::utxo::trace;
use fundtrace::trace::{Model, SeedTarget};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn txid(i: u64) -> Txid {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&i.to_le_bytes());
    b[8..16].copy_from_slice(&(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_le_bytes());
    Txid(b)
}

/// `n` transactions in blocks of 1,000: every 1,000th a coinbase, the rest
/// spending 1–3 random unspent outputs into 1–3 outputs to addresses drawn
/// from a pool of `n / 2`.
fn generate(n: u64) -> Vec<TxRecord> {
    let mut rng = Rng(0x5eed);
    let mut unspent: Vec<(OutPoint, u64)> = Vec::new();
    let mut records = Vec::with_capacity(n as usize);
    let pool = (n / 2).max(1);
    for i in 0..n {
        let height = i / 1000;
        let coinbase = i % 1000 == 0 || unspent.len() < 3;
        let mut inputs = Vec::new();
        let mut total = 0u64;
        if !coinbase {
            for _ in 0..1 + rng.below(3) {
                let k = rng.below(unspent.len() as u64) as usize;
                let (op, v) = unspent.swap_remove(k);
                total += v;
                inputs.push(InputRecord {
                    prevout: op,
                    value: None,
                    address: None,
                    script_address: None,
                });
            }
        } else {
            total = 5_000_000_000;
        }
        let n_out = 1 + rng.below(3);
        let mut outputs = Vec::new();
        let mut left = total - total / 1000; // fee
        for j in 0..n_out {
            let v = if j + 1 == n_out { left } else { left / 2 };
            left -= v;
            outputs.push(OutputRecord {
                value: v,
                address: Some(format!("addr{}", rng.below(pool))),
                script_type: ScriptType::P2pkh,
            });
            unspent.push((
                OutPoint {
                    txid: txid(i),
                    vout: j as u32,
                },
                v,
            ));
        }
        records.push(TxRecord {
            txid: txid(i),
            block_hash: BlockHash([0; 32]),
            height,
            position: (i % 1000) as u32,
            time: height * 600,
            coinbase,
            inputs,
            outputs,
        });
    }
    records
}

fn bench_cluster(c: &mut Criterion) {
    let n = 1_000_000;
    let records = generate(n);
    let ledger = UtxoLedger::from_records(records.clone());
    let mut g = c.benchmark_group("btc_1m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("ledger_from_records", |b| {
        b.iter_batched(
            || records.clone(),
            UtxoLedger::from_records,
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("cluster", |b| b.iter(|| cluster(black_box(&ledger))));
    let seeds = [SeedTarget::Output(OutPoint {
        txid: txid(0),
        vout: 0,
    })];
    for p in [Model::Haircut, Model::Fifo] {
        let r = trace(&ledger, &seeds, p).expect("a UTXO model");
        eprintln!(
            "{p}: {} transactions reached, {} tainted outputs",
            r.reached.len(),
            r.outputs.len()
        );
    }
    g.bench_function("trace_haircut", |b| {
        b.iter(|| trace(black_box(&ledger), &seeds, Model::Haircut).expect("a UTXO model"))
    });
    g.bench_function("trace_fifo", |b| {
        b.iter(|| trace(black_box(&ledger), &seeds, Model::Fifo).expect("a UTXO model"))
    });
    g.finish();
}

criterion_group!(benches, bench_cluster);
criterion_main!(benches);
