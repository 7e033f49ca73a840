//! `fundtrace incidents` and `fundtrace demix` on the real pool events.

mod common;
use common::fundtrace;

#[test]
fn incidents_lists_the_registry_with_sources() {
    let out = fundtrace(&["incidents", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|i| i["name"].as_str().unwrap()).collect();
    for want in [
        "bybit-2025",
        "ronin-2022",
        "harmony-2022",
        "wazirx-2024",
        "dmm-bitcoin-2024",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
    let ronin = list.iter().find(|i| i["name"] == "ronin-2022").unwrap();
    let addrs: Vec<&str> = ronin["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    assert!(
        addrs.contains(&"0x098b716b8aaf21512996dc57eb0615e2383e2f96"),
        "{addrs:?}"
    );
}

#[test]
#[ignore = "needs ../shared/data: tornado_cash_events/mainnet_eth_100_2022-06 (5.1 MB)"]
fn demix_reports_the_100_eth_pool() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/tornado_cash_events/mainnet_eth_100_2022-06"
    );
    let out = fundtrace(&[
        "demix",
        "--pool-events",
        &format!("{dir}/deposits_eth_100.json.zip"),
        "--pool-events",
        &format!("{dir}/withdrawals_eth_100.json.zip"),
        "--pool",
        "0xA160cdAB225685dA1d56aa342Ad8841c3b53f291",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pool = &v["pools"][0];
    assert_eq!(
        pool["address"],
        "0xa160cdab225685da1d56aa342ad8841c3b53f291"
    );
    assert_eq!(pool["deposits"], 27_544);
    assert_eq!(pool["withdrawals"], 25_608);
    assert_eq!(pool["anonymity_set"]["min"], 1);
    assert_eq!(pool["anonymity_set"]["median"], 14_593);
    assert!(
        v["links"].as_array().unwrap().is_empty(),
        "no depositors without a ledger"
    );

    let out = fundtrace(&[
        "demix",
        "--pool",
        "0xA160cdAB225685dA1d56aa342Ad8841c3b53f291",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to demix"));
}
