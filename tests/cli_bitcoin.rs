//! The command line on Bitcoin inputs: the real blocks 1–255 of the btcd
//! test data (`tests/data/bitcoin_raw/btcd/`).

mod common;
use common::{fundtrace, fundtrace_json};

use std::collections::BTreeSet;

const BLOCKS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bitcoin_raw/btcd/database__testdata__blocks1-256.bz2"
);
const BLOCK9_COINBASE: &str = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0";

#[test]
fn trace_from_the_block_9_coinbase_under_every_policy() {
    for model in ["poison", "haircut", "fifo", "lifo", "tiho"] {
        let v = fundtrace_json(&[
            "trace",
            "--btc-blocks",
            BLOCKS,
            "--seed",
            BLOCK9_COINBASE,
            "--model",
            model,
            "--json",
        ]);
        assert_eq!(v["model"], model);
        assert_eq!(v["totals"]["stolen"]["BTC"], "5000000000", "{model}");
        assert_eq!(
            v["totals"]["held"]["BTC"], "5000000000",
            "{model}: no fees or exits in these blocks"
        );
        // Flows are the seed's coinbase output and outputs of the 7 spending transactions.
        let txs: BTreeSet<&str> = v["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["tx"].as_str().unwrap())
            .collect();
        assert_eq!(txs.len(), 8, "{model}: {txs:?}");
        assert!(txs.contains("0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9"));
        assert!(
            txs.contains("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"),
            "the first payment, to Hal Finney"
        );
        assert!(v["inputs"][0]["sha256"]
            .as_str()
            .unwrap()
            .starts_with("bb53cfcf"));
    }
    let out = fundtrace(&[
        "trace",
        "--btc-blocks",
        BLOCKS,
        "--seed",
        BLOCK9_COINBASE,
        "--model",
        "clean-first",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not apply to UTXO chains"));
}

#[test]
fn inspect_paths_and_cluster_run_on_bitcoin() {
    let out = fundtrace(&[
        "inspect",
        "--btc-blocks",
        BLOCKS,
        "--address",
        "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BTC"), "{text}");

    let v = fundtrace_json(&[
        "paths",
        "--btc-blocks",
        BLOCKS,
        "--from",
        "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",
        "--to",
        "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
        "--kind",
        "widest",
        "--json",
    ]);
    let hop = &v["paths"][0]["hops"][0];
    assert_eq!(
        hop["tx"],
        "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
    );
    assert_eq!(hop["amount"], "1000000000");

    let v = fundtrace_json(&["cluster", "--btc-blocks", BLOCKS, "--json"]);
    assert!(v["address_count"].as_u64().unwrap() > 200);
    let out = fundtrace(&[
        "cluster",
        "--btc-blocks",
        BLOCKS,
        "--explain",
        "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
        "1NotAnAddressInTheseBlocks",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1NotAnAddressInTheseBlocks"));
}
