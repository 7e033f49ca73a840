//! Issue 11: Etherscan API exports carry gas prices into the ledger, so the
//! unique-gas-price mixer heuristic fires from Etherscan data as it does
//! from ethereum-etl CSV.

mod common;

use fundtrace::synth::pool::{generate_pool, PoolGenConfig};

fn hex(h: [u8; 32]) -> String {
    let mut s = String::from("0x");
    for b in h {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[test]
fn unique_gas_price_links_from_etherscan_exports() {
    let s = generate_pool(&PoolGenConfig {
        slots: 4_000,
        ..PoolGenConfig::default()
    });
    let dir = std::env::temp_dir().join(format!("fundtrace-etherscan-gas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The generated transactions as Etherscan API exports: `txlist`
    // (normal, with gasPrice) and `txlistinternal` (the pool's payouts).
    let mut normal = String::from(
        "blockNumber,timeStamp,hash,from,to,value,gas,gasPrice,isError,txreceipt_status\n",
    );
    let mut internal = String::from(
        "blockNumber,timeStamp,hash,from,to,value,contractAddress,input,type,gas,gasUsed,traceId,isError,errCode\n",
    );
    for t in &s.txs {
        normal.push_str(&format!(
            "{},{},{},{},{},{},21000,{},0,1\n",
            t.block,
            t.time,
            hex(t.hash),
            t.from,
            t.to,
            t.value,
            t.gas_price
        ));
        for (i, (from, to, v)) in t.internal.iter().enumerate() {
            internal.push_str(&format!(
                "{},{},{},{from},{to},{v},,,call,0,0,0_{i},0,\n",
                t.block,
                t.time,
                hex(t.hash)
            ));
        }
    }
    let (n, i, l) = (
        dir.join("normal.csv"),
        dir.join("internal.csv"),
        dir.join("labels.csv"),
    );
    std::fs::write(&n, normal).unwrap();
    std::fs::write(&i, internal).unwrap();
    std::fs::write(&l, s.labels_csv(false)).unwrap();
    let (t, r) = (dir.join("transactions.csv"), dir.join("traces.csv"));
    s.write_csv(
        std::fs::File::create(&t).unwrap(),
        std::fs::File::create(&r).unwrap(),
    )
    .unwrap();
    let pool = s.pool.to_string();
    let thief = s.thief.to_string();
    let common_args = [
        "--labels",
        l.to_str().unwrap(),
        "--seed",
        &thief,
        "--pool",
        &pool,
        "--json",
        "-q",
    ];
    let mut etherscan = vec![
        "trace",
        "--etherscan",
        n.to_str().unwrap(),
        "--etherscan",
        i.to_str().unwrap(),
    ];
    etherscan.extend(common_args);
    let mut etl = vec![
        "trace",
        "--transactions",
        t.to_str().unwrap(),
        "--traces",
        r.to_str().unwrap(),
    ];
    etl.extend(common_args);
    let a = common::fundtrace_json(&etherscan);
    let b = common::fundtrace_json(&etl);
    let gas = |v: &serde_json::Value| v["mixer"]["by_heuristic"]["unique_gas_price"].clone();
    assert!(
        gas(&a)["links"].as_u64().unwrap() > 0,
        "{}",
        a["mixer"]["by_heuristic"]
    );
    // The same links, heuristic by heuristic, as from ethereum-etl CSV.
    assert_eq!(a["mixer"]["by_heuristic"], b["mixer"]["by_heuristic"]);
    assert_eq!(a["links"], b["links"]);
    let _ = std::fs::remove_dir_all(&dir);
}
