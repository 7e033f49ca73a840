//! The fundtrace side of the peer comparisons (`benches/compare_peers.py`,
//! `benches/trace_python.py`; see `benches/README.md`).
//!
//! ```sh
//! # Writes DIR/transfers.csv (ethereum-etl transactions) and DIR/query.json
//! # (the five thefts as seeds, the 20 exchange addresses used as targets and exits).
//! cargo run --release --example peer_bench -- gen 1000000 /tmp/ftpeers-1m
//! # Loads DIR/transfers.csv, then answers one command per stdin line with one
//! # JSON line {"ms": …, "answer": …}: the Python drivers start it and interleave it
//! # with the Python peers.
//! cargo run --release --example peer_bench -- serve /tmp/ftpeers-1m
//! ```
//!
//! Every time is measured here around the query call alone (load, graph build,
//! answer formatting and the pipe excluded), the same way the Python servers
//! time theirs. `load` and `build` are commands of their own, so they are timed
//! like the queries.
//!
//! Each "to each of 20" row is answered twice: by the library's one-call
//! answer (`NeighborGraph::hops_to`, `PathQuery::best_to_each`) and by what a
//! user without it would write (a full `reach` then its levels; 20 queries).

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use fundtrace::graph::{AddressSet, EdgeFilter, NeighborGraph, ReachIndex, TransferGraph};
use fundtrace::ingest::{load, Format, IngestOptions, Source};
use fundtrace::paths::{PathKind, PathQuery, TemporalPath};
use fundtrace::synth::{generate, write_transactions_csv, GenConfig};
use fundtrace::trace::{trace, ExitInfo, Model, Seed, SeedTarget, TraceConfig, TraceResult};
use fundtrace::{Address, AddressId, Ledger};
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn Error>>;

/// CPU time of the whole process so far (every thread), in milliseconds:
/// the fairer figure on a machine shared with other work. The Python servers
/// report `time.process_time()`, the same clock.
#[cfg(unix)]
fn cpu_ms() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

/// Elsewhere: no CPU clock; wall time stands in (the drivers print both).
#[cfg(not(unix))]
fn cpu_ms() -> f64 {
    f64::NAN
}

/// Number of exchange addresses used as path targets and as trace exits.
const TARGETS: usize = 20;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") if args.len() == 3 => {
            gen(args[1].replace('_', "").parse()?, Path::new(&args[2]))
        }
        Some("serve") if args.len() == 2 => serve(Path::new(&args[1])),
        _ => Err("usage: peer_bench gen N DIR | peer_bench serve DIR".into()),
    }
}

/// Generates the ledger, writes it as CSV, and picks seeds and targets.
///
/// Targets: the 8 exchange hot wallets and 12 deposit addresses, taken at even
/// steps from the generator's deposit list among those the ledger holds (so
/// they spread over exchanges and time). Hot wallets are where deposits are
/// swept, so as exits they stop most taint; deposit addresses are what an
/// investigator's label set typically adds.
fn gen(n: usize, dir: &Path) -> Res<()> {
    std::fs::create_dir_all(dir)?;
    let cfg = GenConfig {
        transfers: n,
        ..GenConfig::default()
    };
    let g = generate(&cfg);
    let l = &g.ledger;
    let present: Vec<&Address> = g
        .exchange_deposits
        .iter()
        .filter(|a| l.address_id(a).is_some())
        .collect();
    let hot = g.exchange_hot_wallets.len().min(TARGETS);
    let want = TARGETS - hot;
    if present.len() < want {
        return Err(format!("only {} deposit addresses in the ledger", present.len()).into());
    }
    let mut targets: Vec<String> = g.exchange_hot_wallets[..hot]
        .iter()
        .map(ToString::to_string)
        .collect();
    targets.extend((0..want).map(|i| present[i * present.len() / want].to_string()));
    let seeds: Vec<Value> = g
        .thefts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"incident": format!("theft{i}"), "address": t.address.to_string(),
                   "time": t.time, "amount": t.amount.to_string()})
        })
        .collect();
    let csv = dir.join("transfers.csv");
    write_transactions_csv(&cfg, std::fs::File::create(&csv)?)?;
    let query = json!({
        "transfers": n,
        "generator": format!("{cfg:?}"),
        "seeds": seeds,
        "path_seed": 0,
        "targets": targets,
    });
    std::fs::write(
        dir.join("query.json"),
        serde_json::to_string_pretty(&query)?,
    )?;
    eprintln!(
        "wrote {} ({} transfers) and query.json",
        csv.display(),
        l.transfer_count()
    );
    Ok(())
}

/// The low 64 bits of an address (its last 8 bytes), for order-free digests
/// of address sets that the Python side computes the same way.
fn key(a: &Address) -> u64 {
    match a {
        Address::Evm(b) => {
            let mut k = [0u8; 8];
            k.copy_from_slice(&b[12..]);
            u64::from_be_bytes(k)
        }
        _ => 0,
    }
}

/// Count and wrapping key sum of a set of addresses.
fn set_digest(l: &Ledger, ids: impl Iterator<Item = AddressId>) -> Value {
    let (mut n, mut s) = (0u64, 0u64);
    for a in ids {
        n += 1;
        s = s.wrapping_add(key(l.address(a)));
    }
    json!([n, s.to_string()])
}

fn load_ledger(csv: &Path) -> Res<Ledger> {
    // The generated CSV carries a constant gas price; the Python peers do not
    // model fees, so neither side loads them.
    let options = IngestOptions {
        no_fees: true,
        ..IngestOptions::default()
    };
    Ok(load(&[Source::new(Format::EthTransactions, csv)], options)?)
}

struct Query {
    /// Seeds of the traces: (incident, address, start time).
    seeds: Vec<(String, Address, u64)>,
    /// The path queries' seed and its start time.
    path_seed: Address,
    path_since: u64,
    targets: Vec<Address>,
}

fn read_query(dir: &Path) -> Res<Query> {
    let q: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("query.json"))?)?;
    let bad = || -> Box<dyn Error> { "malformed query.json".into() };
    let mut seeds = Vec::new();
    for s in q["seeds"].as_array().ok_or_else(bad)? {
        seeds.push((
            s["incident"].as_str().ok_or_else(bad)?.to_string(),
            s["address"].as_str().ok_or_else(bad)?.parse::<Address>()?,
            s["time"].as_u64().ok_or_else(bad)?,
        ));
    }
    let i = q["path_seed"].as_u64().ok_or_else(bad)? as usize;
    let (_, path_seed, path_since) = seeds.get(i).cloned().ok_or_else(bad)?;
    let mut targets = Vec::new();
    for t in q["targets"].as_array().ok_or_else(bad)? {
        targets.push(t.as_str().ok_or_else(bad)?.parse::<Address>()?);
    }
    Ok(Query {
        seeds,
        path_seed,
        path_since,
        targets,
    })
}

/// Answers of `best_to_each` (in the query's sorted target order) in the
/// order the targets were given.
fn in_given_order<T>(
    q: &PathQuery,
    given: &[AddressId],
    found: Vec<Option<TemporalPath>>,
    f: impl Fn(&TemporalPath) -> T,
) -> Vec<Option<T>> {
    given
        .iter()
        .map(|a| {
            q.targets()
                .binary_search(a)
                .ok()
                .and_then(|i| found[i].as_ref().map(&f))
        })
        .collect()
}

fn trace_answer(l: &Ledger, r: &TraceResult) -> Value {
    let t = r.totals.first().map(|(_, t)| *t).unwrap_or_default();
    let mut digest = 0u64;
    for h in &r.holders {
        digest = digest.wrapping_add((h.amount as u64).wrapping_mul(key(l.address(h.address))));
    }
    json!({
        "stolen": t.stolen.to_string(), "held": t.held.to_string(), "exited": t.exited.to_string(),
        "holders": r.holders.len(), "flows": r.flows.len(), "holders_digest": digest.to_string(),
    })
}

fn serve(dir: &Path) -> Res<()> {
    let q = read_query(dir)?;
    let csv: PathBuf = dir.join("transfers.csv");
    let t0 = Instant::now();
    let ledger = load_ledger(&csv)?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let l = &ledger;
    let id = |a: &Address| {
        l.address_id(a)
            .ok_or_else(|| format!("{a} is not in the ledger"))
    };
    let seed = id(&q.path_seed)?;
    let seeds = [seed];
    let targets = q.targets.iter().map(id).collect::<Result<Vec<_>, _>>()?;
    let graph = TransferGraph::new(l);
    let ng = NeighborGraph::new(&graph, &EdgeFilter::default());
    let to_set = PathQuery::on(&graph)
        .from(seeds)
        .to(targets.iter().copied())
        .since(q.path_since)
        .build()?;
    let open = PathQuery::on(&graph)
        .from(seeds)
        .since(q.path_since)
        .build()?;
    let to_each = targets
        .iter()
        .map(|&t| {
            PathQuery::on(&graph)
                .from(seeds)
                .to([t])
                .since(q.path_since)
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let trace_seeds: Vec<Seed> = q
        .seeds
        .iter()
        .map(|(incident, address, start)| Seed {
            incident: incident.clone(),
            target: SeedTarget::Address {
                address: address.clone(),
                start: Some(*start),
            },
        })
        .collect();
    let exits: BTreeMap<Address, ExitInfo> = q
        .targets
        .iter()
        .map(|a| {
            let info = ExitInfo {
                label: "exchange".into(),
                category: "exchange".into(),
            };
            (a.clone(), info)
        })
        .collect();
    let cfg = |model: Model, with_exits: bool| -> Res<TraceConfig> {
        let c = TraceConfig::new(model, trace_seeds.clone())?;
        Ok(if with_exits {
            c.with_exits(exits.clone())
        } else {
            c
        })
    };
    let traces = [
        ("haircut_exits", cfg(Model::Haircut, true)?),
        ("haircut_noexits", cfg(Model::Haircut, false)?),
        ("fifo_exits", cfg(Model::Fifo, true)?),
        ("fifo_noexits", cfg(Model::Fifo, false)?),
    ];
    let bottleneck =
        |p: Option<fundtrace::paths::TemporalPath>| p.map(|p| p.bottleneck.to_string());

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "{}",
        json!({"ready": true, "load_ms": load_ms, "transfers": l.transfer_count(), "addresses": l.address_count()})
    )?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let cmd = line?;
        let cmd = cmd.trim();
        if cmd.is_empty() || cmd == "quit" {
            break;
        }
        let c = cpu_ms();
        let t = Instant::now();
        // Each arm runs the query (timed) and returns a closure-free result,
        // turned into the answer after the clock stops.
        let (ms, answer) = match cmd {
            "load" => {
                let fresh = load_ledger(&csv)?;
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!([fresh.transfer_count(), fresh.address_count()]))
            }
            "build" => {
                let g = TransferGraph::new(l);
                let n = NeighborGraph::new(&g, &EdgeFilter::default());
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(n.edge_count()))
            }
            "static_reach" => {
                let r = ng.reach(&seeds, None, None);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, set_digest(l, r.addresses()))
            }
            "static_reach_index" => {
                let index = ReachIndex::new(&ng);
                let r = index.reach(&seeds);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, set_digest(l, r.into_iter()))
            }
            "static_fewest_20" => {
                let r = ng.reach(&seeds, None, None);
                let mut is_target = AddressSet::with_bound(l.address_count());
                for &a in &targets {
                    is_target.insert(a);
                }
                let mut level: BTreeMap<AddressId, usize> = BTreeMap::new();
                let mut h = 0;
                while !r.at_hops(h).is_empty() {
                    for &a in r.at_hops(h) {
                        if is_target.contains(a) {
                            level.insert(a, h);
                        }
                    }
                    h += 1;
                }
                let hops: Vec<Option<usize>> =
                    targets.iter().map(|a| level.get(a).copied()).collect();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(hops))
            }
            "static_fewest_20_early" => {
                let hops = ng.hops_to(&seeds, &targets, None);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(hops))
            }
            "temporal_reach" => {
                let r = open.temporal_reach();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, set_digest(l, r.addresses()))
            }
            "earliest_20" => {
                let p = to_set.earliest_arrival();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(p.and_then(|p| p.arrival()).map(|a| a.0)))
            }
            "fewest_20" => {
                let p = to_set.fewest_hops();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(p.map(|p| p.hops())))
            }
            "widest_20" => {
                let p = to_set.widest();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(bottleneck(p)))
            }
            "fewest_each_20" => {
                let found = to_set.best_to_each(PathKind::Fewest);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let hops = in_given_order(&to_set, &targets, found, |p| p.hops());
                (ms, json!(hops))
            }
            "fewest_each_20_reach" => {
                // One temporal pass with no targets gives every address's fewest hops.
                let r = open.temporal_reach();
                let hops: Vec<Option<u32>> = targets.iter().map(|&a| r.hops(a)).collect();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(hops))
            }
            "fewest_each_20_queries" => {
                let hops: Vec<Option<usize>> = to_each
                    .iter()
                    .map(|q| q.fewest_hops().map(|p| p.hops()))
                    .collect();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(hops))
            }
            "widest_each_20" => {
                let found = to_set.best_to_each(PathKind::Widest);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let w = in_given_order(&to_set, &targets, found, |p| p.bottleneck.to_string());
                (ms, json!(w))
            }
            "widest_each_20_queries" => {
                let w: Vec<_> = to_each.iter().map(|q| q.widest()).collect();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                (ms, json!(w.into_iter().map(bottleneck).collect::<Vec<_>>()))
            }
            other => match traces.iter().find(|(name, _)| *name == other) {
                Some((_, c)) => {
                    let r = trace(l, c);
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    (ms, trace_answer(l, &r))
                }
                None => (0.0, json!({"error": format!("unknown command {other}")})),
            },
        };
        let cpu = cpu_ms() - c;
        writeln!(
            out,
            "{}",
            json!({"ms": ms, "cpu_ms": cpu, "answer": answer})
        )?;
        out.flush()?;
    }
    Ok(())
}
