//! The built-in registry: sources, address forms, consistency with the shared
//! data (the files it cites, copied into `tests/data/`).

use std::collections::BTreeSet;

use fundtrace::labels::{self, registry, Category};
use fundtrace::Address;

macro_rules! data {
    ($p:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/", $p)
    };
}

#[test]
fn registry_data_parses() {
    registry::check().unwrap();
}

#[test]
fn required_incidents_are_listed_with_sources() {
    for name in [
        "bybit-2025",
        "ronin-2022",
        "harmony-2022",
        "atomic-wallet-2023",
        "stake-2023",
        "coinex-2023",
        "alphapo-2023",
        "wazirx-2024",
        "dmm-bitcoin-2024",
    ] {
        let i = registry::incident(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(!i.attribution.is_empty(), "{name}");
        assert!(i
            .attribution
            .iter()
            .all(|a| !a.publisher.is_empty() && !a.title.is_empty() && a.date.len() == 10));
        assert!(!i.note.is_empty());
        for a in &i.addresses {
            assert!(
                !a.source.is_empty() && !a.data_file.is_empty(),
                "{name} {}",
                a.address
            );
        }
    }
    assert!(registry::incident("BYBIT-2025").is_some());
    assert!(registry::incident("nope").is_none());
}

#[test]
fn seeds_of_the_main_incidents() {
    let bybit = registry::incident("bybit-2025").unwrap();
    let seeds: Vec<String> = bybit.exploiters().iter().map(|a| a.to_string()).collect();
    assert_eq!(seeds.len(), 71);
    assert!(seeds.contains(&"0x47666fab8bd0ac7003bce3f5c3585383f09486e2".to_string()));
    let ronin = registry::incident("ronin-2022").unwrap();
    let seeds: Vec<String> = ronin.exploiters().iter().map(|a| a.to_string()).collect();
    assert_eq!(seeds.len(), 6);
    assert!(seeds.contains(&"0x098b716b8aaf21512996dc57eb0615e2383e2f96".to_string()));
    let laundering = ronin
        .addresses
        .iter()
        .filter(|a| a.role == Category::Laundering)
        .count();
    assert_eq!(laundering, 4);
    for name in [
        "stake-2023",
        "coinex-2023",
        "dmm-bitcoin-2024",
        "wazirx-2024",
    ] {
        assert!(
            registry::incident(name).unwrap().addresses.is_empty(),
            "{name}"
        );
    }
}

/// Every registry address occurs in the shared-data file it cites.
#[test]
fn every_address_is_in_its_data_file() {
    let mut cache = std::collections::BTreeMap::new();
    let root = data!("");
    let all = registry::incidents()
        .iter()
        .flat_map(|i| i.addresses.iter())
        .chain(
            registry::mixer_services()
                .iter()
                .flat_map(|m| m.addresses.iter()),
        );
    let mut n = 0;
    for a in all {
        let file = a.data_file.split(" (from").next().unwrap().to_string();
        let text = cache.entry(file.clone()).or_insert_with(|| {
            std::fs::read_to_string(format!("{root}{file}"))
                .unwrap()
                .to_lowercase()
        });
        assert!(
            text.contains(&a.address.to_string().to_lowercase()),
            "{} not in {file}",
            a.address
        );
        n += 1;
    }
    assert!(n > 250, "{n}");
}

#[test]
fn registry_addresses_are_well_formed_and_consistent() {
    let set = registry::labels();
    for l in set.iter() {
        assert!(
            labels::well_formed(&l.chain, &l.address),
            "{} on {}",
            l.address,
            l.chain
        );
        assert!(!l.source.is_empty());
    }
    // No address carries two incompatible categories without both sources.
    for c in set.conflicts() {
        assert!(!c.first.1.is_empty() && !c.second.1.is_empty(), "{c:?}");
    }
    eprintln!(
        "registry: {} labels on {} addresses, {} conflicts",
        set.len(),
        set.address_count(),
        set.conflicts().len()
    );
}

#[test]
fn tornado_pools_match_the_contract_list() {
    let pools = registry::tornado_pools();
    assert_eq!(pools.len(), 19);
    let eth: Vec<(String, u128)> = pools
        .iter()
        .filter(|p| p.asset == "ETH")
        .map(|p| (p.address.to_string(), p.denomination_base_units))
        .collect();
    assert_eq!(
        eth,
        vec![
            (
                "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc".to_string(),
                100_000_000_000_000_000
            ),
            (
                "0x47ce0c6ed5b0ce3d3a51fdb1c52dc66a7c3c2936".to_string(),
                1_000_000_000_000_000_000
            ),
            (
                "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf".to_string(),
                10_000_000_000_000_000_000
            ),
            (
                "0xa160cdab225685da1d56aa342ad8841c3b53f291".to_string(),
                100_000_000_000_000_000_000
            ),
        ]
    );
    // Same addresses and names as the pool map of the same source.
    let text =
        std::fs::read_to_string(data!("tornado_cash_contracts/tutela_tornado_pools.json")).unwrap();
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
    assert_eq!(map.len(), 19);
    for p in pools {
        assert_eq!(map.get(&p.address.to_string()), Some(&p.display_name()));
    }
    let a: Address = "0xA160cdAB225685dA1d56aa342Ad8841c3b53f291"
        .parse()
        .unwrap();
    assert_eq!(
        registry::tornado_pool(&a).map(|p| p.short_name.as_str()),
        Some("eth100")
    );
}

#[test]
fn mixer_services_are_listed() {
    let names: BTreeSet<&str> = registry::mixer_services()
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    for n in [
        "Tornado Cash",
        "Blender.io",
        "Sinbad.io",
        "ChipMixer",
        "Wasabi Wallet CoinJoin",
    ] {
        assert!(names.contains(n), "{n}");
    }
    assert!(registry::mixer_services()
        .iter()
        .all(|m| !m.addresses.is_empty()));
}
