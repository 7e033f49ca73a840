//! The shipped Bybit sample: the widest path from the exploiter to
//! `0xdd90…5f92` passes through `0xa4b2…449e` (issue 4, Done-when 3).

use std::path::PathBuf;
use std::process::Command;

use fundtrace::graph::TransferGraph;
use fundtrace::ingest::{self, Format, IngestOptions, Source};
use fundtrace::paths::{FlowLimits, FlowQuery, PathKind, PathQuery, SearchLimits};
use fundtrace::{Address, Ledger};

const EXPLOITER: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";
const HOP1: &str = "0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e";
const TARGET: &str = "0xdd90071d52f20e85c89802e5dc1ec0a7b6475f92";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/bybit")
        .join(name)
}

fn ledger() -> Ledger {
    ingest::load(
        &[
            Source::new(Format::EthTransactions, data("transactions.csv")),
            Source::new(Format::EthTokenTransfers, data("token_transfers.csv")),
        ],
        IngestOptions::default(),
    )
    .unwrap()
}

fn id(l: &Ledger, a: &str) -> fundtrace::AddressId {
    l.address_id(&a.parse::<Address>().unwrap()).unwrap()
}

#[test]
fn widest_path_to_dd90_passes_through_a4b2() {
    let l = ledger();
    let g = TransferGraph::new(&l);
    let q = PathQuery::on(&g)
        .from([id(&l, EXPLOITER)])
        .to([id(&l, TARGET)])
        .build()
        .unwrap();
    let p = q.widest().unwrap();
    assert!(p.is_temporal_path(&l));
    let via: Vec<String> = p
        .transfers
        .iter()
        .map(|&t| l.address(l.transfer(t).to).to_string())
        .collect();
    assert_eq!(via, vec![HOP1.to_string(), TARGET.to_string()]);
    // Every ETH path goes through the 1 ETH test transfer to 0xa4b2: that is
    // the bottleneck, and the maximum flow equals it with that transfer as cut.
    assert_eq!(p.bottleneck, 1_000_000_000_000_000_000);
    let all = q.k_paths(PathKind::Widest, 10, &SearchLimits::default());
    assert!(all.complete);
    assert_eq!(all.paths.len(), 3);
    let f = FlowQuery::new(q, None, FlowLimits::default())
        .unwrap()
        .max_flow();
    assert!(f.exact);
    assert_eq!(f.value, 1_000_000_000_000_000_000);
    assert_eq!(f.cut, vec![p.transfers[0]]);
}

#[test]
fn cli_prints_the_widest_path_as_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .arg("paths")
        .arg("--transactions")
        .arg(data("transactions.csv"))
        .arg("--token-transfers")
        .arg(data("token_transfers.csv"))
        .args([
            "--from", EXPLOITER, "--to", TARGET, "--kind", "widest", "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hops = v["paths"][0]["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0]["from"], EXPLOITER);
    assert_eq!(hops[0]["to"], HOP1);
    assert_eq!(hops[1]["to"], TARGET);
    assert_eq!(hops[0]["amount"], "1000000000000000000");
    assert_eq!(
        hops[0]["tx"],
        "0xdd5cd734d4d67ff5af7e53cdd72c26d4d7d28d08c8f0ff32d12ab3e2a277e4bc"
    );
    assert_eq!(v["paths"][0]["bottleneck"], "1000000000000000000");

    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .arg("flow")
        .arg("--transactions")
        .arg(data("transactions.csv"))
        .args([
            "--from", EXPLOITER, "--to", TARGET, "--cap", "500", "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["max_flow"], "500");
    assert_eq!(v["cap_in_cut"], true);
    assert_eq!(v["cut"].as_array().unwrap().len(), 0);

    // category:NAME is a clear usage error until labels are wired.
    let out = Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .arg("paths")
        .arg("--transactions")
        .arg(data("transactions.csv"))
        .args(["--from", EXPLOITER, "--to", "category:exchange"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("category:exchange"));
}
