//! Label loaders on the real shared data: the small files are copied into
//! `tests/data/`; the large label tables are read from `../shared/data/`
//! by ignored tests (`cargo test -- --include-ignored`).

use fundtrace::labels::{self, Category, LoadOptions};
use fundtrace::Address;

macro_rules! data {
    ($p:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/", $p)
    };
}

/// A file of the shared data beside the repository (too large to copy).
macro_rules! shared {
    ($p:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/", $p)
    };
}

fn addr(s: &str) -> Address {
    s.parse().unwrap()
}

const RONIN: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
const BYBIT: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";

#[test]
fn tagpacks_count_exactly() {
    let lazarus = labels::load_tagpack(data!("graphsense_tagpacks/packs/lazarus.yaml")).unwrap();
    assert_eq!(lazarus.len(), 21);
    assert_eq!(lazarus.with_category(Category::Sanctioned).count(), 21);
    assert_eq!(lazarus.iter().filter(|l| l.chain == "bitcoin").count(), 20);
    assert!(lazarus
        .iter()
        .all(|l| l.actor.as_deref() == Some("lazarusgroup")));
    assert!(lazarus.iter().all(|l| l.confidence.level() == 60));

    let ronin = labels::load_tagpack(data!("graphsense_tagpacks/packs/ronin_bridge.yaml")).unwrap();
    assert_eq!(ronin.len(), 6);
    assert_eq!(ronin.with_category(Category::Exploiter).count(), 6);
    let first = &ronin.get(&addr(RONIN))[0];
    assert_eq!(first.entity, "Ronin bridge exploiter");
    assert_eq!(first.chain, "ethereum");
    assert_eq!(
        first.source,
        "https://roninblockchain.substack.com/p/community-alert-ronin-validators"
    );

    let tornado =
        labels::load_tagpack(data!("graphsense_tagpacks/packs/tornado_cash.yaml")).unwrap();
    assert_eq!(tornado.len(), 39);
    assert_eq!(tornado.with_category(Category::Mixer).count(), 39);
    assert!(tornado.contains(&addr("0xa160cdab225685da1d56aa342ad8841c3b53f291")));
}

#[test]
fn every_shipped_tagpack_loads_strictly() {
    let dir = data!("graphsense_tagpacks/packs");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let lenient = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let mut total = 0;
    let mut skipped = Vec::new();
    for p in &names {
        let file = p.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(p).unwrap();
        let s = labels::parse_tagpack(&text, &file, &lenient).unwrap_or_else(|e| panic!("{e}"));
        total += s.len();
        if s.skipped_total() > 0 {
            skipped.push((file.clone(), s.skipped().clone()));
        } else {
            // Packs without bad tags also load strictly.
            labels::parse_tagpack(&text, &file, &LoadOptions::default()).unwrap();
        }
    }
    assert_eq!(names.len(), 24);
    eprintln!("all 24 packs: {total} labels; skipped {skipped:?}");
    // Only the Bitfinex pack has addresses that are not addresses (a
    // Liquid address followed by "(AMP ID: …)").
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, "exchange-wallets-bitfinexcom.yaml");
}

#[test]
fn ofac_eth_list() {
    let set = labels::load_list(
        data!("ofac_lists_0xB10C/sanctioned_addresses_ETH.txt"),
        Category::Sanctioned,
    )
    .unwrap();
    assert_eq!(set.len(), 152);
    assert_eq!(set.address_count(), 152);
    assert!(set.contains(&addr(RONIN)));
    assert!(!set.contains(&addr(BYBIT)));
    assert_eq!(
        set.category_for_exits(&addr(RONIN)),
        Some(Category::Sanctioned)
    );
    assert!(set.iter().all(|l| l.chain == "ethereum"));
    // The JSON twin holds the same addresses.
    let text =
        std::fs::read_to_string(data!("ofac_lists_0xB10C/sanctioned_addresses_ETH.json")).unwrap();
    let list: Vec<String> = serde_json::from_str(&text).unwrap();
    assert_eq!(list.len(), 152);
    assert!(list.iter().all(|a| set.contains(&addr(a))));
}

#[test]
fn attributed_addresses_csv() {
    let set = labels::load_csv(data!("attributed_addresses/attributed_addresses.csv")).unwrap();
    assert_eq!(set.len(), 582);
    let ronin = set.get(&addr(RONIN));
    // OFAC SDN (Lazarus Group), GraphSense lazarus.yaml, GraphSense ronin_bridge.yaml.
    assert_eq!(ronin.len(), 3);
    assert_eq!(ronin[0].category, Category::Exploiter);
    assert_eq!(
        set.category_for_exits(&addr(RONIN)),
        Some(Category::Exploiter)
    );
    assert_eq!(
        set.category_for_exits(&addr(BYBIT)),
        Some(Category::Exploiter)
    );
    let pool = addr("0xa160cdab225685da1d56aa342ad8841c3b53f291");
    assert_eq!(set.category_for_exits(&pool), Some(Category::Mixer));
    assert!(set.conflicts().is_empty(), "{:?}", set.conflicts());
    assert!(
        set.iter()
            .all(|l| labels::well_formed(&l.chain, &l.address)),
        "malformed address"
    );
    // Merging with the OFAC list: the exploiter stays an exploiter for exits.
    let mut all = set.clone();
    all.merge(
        labels::load_list(
            data!("ofac_lists_0xB10C/sanctioned_addresses_ETH.txt"),
            Category::Sanctioned,
        )
        .unwrap(),
    );
    assert_eq!(
        all.category_for_exits(&addr(RONIN)),
        Some(Category::Exploiter)
    );
}

#[test]
#[ignore = "needs ../shared/data: labels_etherscan_brianleect/combinedAllLabels.json (3.2 MB)"]
fn lenient_json_on_the_etherscan_dump() {
    let opts = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let text = std::fs::read_to_string(shared!(
        "labels_etherscan_brianleect/combinedAllLabels.json"
    ))
    .unwrap();
    let set = labels::parse_json(&text, "combinedAllLabels.json", &opts).unwrap();
    // Every record is labelled or counted as skipped (173 addresses occur
    // twice, with keys in different case; such a pair may be labelled once
    // and skipped once, hence `>=`).
    let keys: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap();
    assert_eq!(keys.len(), 29_945);
    let labelled = keys.keys().filter(|k| set.contains(&addr(k))).count() as u64;
    assert!(labelled + set.skipped_total() >= 29_945);
    assert!(set.address_count() <= 29_772);
    let router = addr("0xd90e2f925da726b50c4ed8d0fb90ad053324f31b");
    assert_eq!(set.get(&router)[0].entity, "Tornado.Cash: Router");
    assert_eq!(set.category_for_exits(&router), Some(Category::Mixer));
    assert_eq!(set.get(&addr(RONIN))[0].entity, "Ronin Bridge Exploiter");
    assert_eq!(
        set.category_for_exits(&addr(RONIN)),
        Some(Category::Sanctioned)
    );
    eprintln!(
        "etherscan dump: {} addresses with a known category",
        set.address_count()
    );
    eprintln!(
        "etherscan dump: {} labels, skipped {:?}",
        set.len(),
        set.skipped()
    );
}

#[test]
#[ignore = "needs ../shared/data: labels_forta/chain_1/etherscan_malicious_labels.csv (680 KB)"]
fn forta_malicious_labels_csv() {
    let set = labels::load_csv(shared!(
        "labels_forta/chain_1/etherscan_malicious_labels.csv"
    ))
    .unwrap();
    assert_eq!(set.len(), 7_780);
    assert_eq!(set.with_category(Category::Exploiter).count(), 7_780);
}

#[test]
#[ignore = "needs ../shared/data: labels_tutela/known_addresses.csv (1.6 MB)"]
fn tutela_known_addresses_csv() {
    let opts = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let text = std::fs::read_to_string(shared!("labels_tutela/known_addresses.csv")).unwrap();
    let set = labels::parse_csv(&text, "known_addresses.csv", &opts).unwrap();
    let count = |c| set.with_category(c).count();
    eprintln!(
        "tutela: {} labels, skipped {:?}; exchange {}, dex {}, service {}, mixer {}",
        set.len(),
        set.skipped(),
        count(Category::Exchange),
        count(Category::Dex),
        count(Category::Service),
        count(Category::Mixer)
    );
    assert_eq!(count(Category::Exchange), 340);
    assert_eq!(count(Category::Mixer), 8);
    // Rows with an empty `entity` (17,456, among them the Tornado pools)
    // have no category: skipped, and counted.
    assert_eq!(set.len() as u64 + set.skipped_total(), 19_261);
}
