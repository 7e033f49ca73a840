//! Issue 6, Done-when 4: a constructed two-chain ledger where stolen ETH is
//! deposited into two Tornado pools (100 ETH and 10 ETH), withdrawn by a
//! relayer to a fresh address, swapped to a token, bridged to another
//! chain and deposited at an exchange through a deposit address. The trace
//! follows it end to end and the report names every step.

use std::collections::BTreeMap;

use fundtrace::heuristics::bridge::{match_bridges, BridgeConfig, BridgeSpec};
use fundtrace::heuristics::deposit::{find_deposit_addresses, DepositConfig};
use fundtrace::heuristics::mixer::{LinkConfig, LinkedAddresses};
use fundtrace::labels::registry;
use fundtrace::report::trace::TraceReport;
use fundtrace::trace::links::{find_mixer_links, registry_pools};
use fundtrace::trace::{trace, ConversionKind, ExitInfo, Model, Seed, TraceConfig};
use fundtrace::{Address, Asset, ChainId, Ledger, LedgerBuilder, TransferKind, TransferRecord};

const ETH: u128 = 1_000_000_000_000_000_000;
const USDC: u128 = 1_000_000;
const HOUR: u64 = 3_600;

fn a(n: u8) -> Address {
    Address::Evm([n; 20])
}

const VICTIM: u8 = 0x01;
const THIEF: u8 = 0x10;
const FRESH: u8 = 0x20;
const RELAYER: u8 = 0x30;
const ROUTER: u8 = 0x50;
const DEXPOOL: u8 = 0x51;
const BRIDGE_A: u8 = 0x60;
const BRIDGE_B: u8 = 0x61;
const DEPOSIT: u8 = 0x70;
const HOT: u8 = 0x71;
const NOT_DEPOSIT: u8 = 0x72;

fn usdc_a() -> Asset {
    Asset::Token(a(0xaa))
}
fn usdc_b() -> Asset {
    Asset::Token(a(0xbb))
}

struct Builder {
    b: LedgerBuilder,
    eth: ChainId,
    bsc: ChainId,
    n: u8,
}

impl Builder {
    /// A transfer; `same_tx` keeps the previous transaction.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        bsc: bool,
        time: u64,
        kind: TransferKind,
        from: &Address,
        to: &Address,
        asset: Asset,
        amount: u128,
        same_tx: bool,
    ) {
        if !same_tx {
            self.n += 1;
        }
        self.b
            .push(TransferRecord {
                chain: if bsc { self.bsc } else { self.eth },
                tx_hash: [self.n; 32],
                block: time,
                time,
                tx_position: 0,
                kind,
                // One index per transfer of a transaction: (transaction,
                // kind, index) identifies a transfer, and the ledger is
                // written to and read back from the own format below.
                sub_index: u32::from(kind != TransferKind::Native) * self.b.len() as u32,
                from: from.clone(),
                to: to.clone(),
                asset,
                amount,
            })
            .unwrap();
    }
}

fn pools() -> (Address, Address) {
    let p = |s: &str| {
        registry::tornado_pools()
            .iter()
            .find(|p| p.short_name == s)
            .unwrap()
            .address
            .clone()
    };
    (p("eth100"), p("eth10"))
}

/// The mixer part: background deposits, the thief's two deposits, the two
/// relayed withdrawals to FRESH and two background withdrawals.
fn mixer_part(b: &mut Builder) {
    use TransferKind::*;
    let (p100, p10) = pools();
    let n = Asset::Native;
    for (i, (pool, amount)) in [(&p100, 100), (&p10, 10), (&p100, 100), (&p10, 10)]
        .into_iter()
        .enumerate()
    {
        let u = a(i as u8 + 2);
        b.push(
            false,
            i as u64 * 2 * HOUR,
            Native,
            &u,
            pool,
            n.clone(),
            amount * ETH,
            false,
        );
    }
    b.push(
        false,
        9 * HOUR,
        Native,
        &a(VICTIM),
        &a(THIEF),
        n.clone(),
        110 * ETH,
        false,
    );
    b.push(
        false,
        10 * HOUR,
        Native,
        &a(THIEF),
        &p100,
        n.clone(),
        100 * ETH,
        false,
    );
    b.push(
        false,
        10 * HOUR + 60,
        Native,
        &a(THIEF),
        &p10,
        n.clone(),
        10 * ETH,
        false,
    );
    let (fresh, relayer) = (a(FRESH), a(RELAYER));
    b.push(
        false,
        14 * HOUR,
        Internal,
        &p100,
        &fresh,
        n.clone(),
        100 * ETH - 3 * ETH / 10,
        false,
    );
    b.push(
        false,
        14 * HOUR,
        Internal,
        &p100,
        &relayer,
        n.clone(),
        3 * ETH / 10,
        true,
    );
    b.push(
        false,
        15 * HOUR,
        Internal,
        &p10,
        &fresh,
        n.clone(),
        10 * ETH - 3 * ETH / 100,
        false,
    );
    b.push(
        false,
        15 * HOUR,
        Internal,
        &p10,
        &relayer,
        n.clone(),
        3 * ETH / 100,
        true,
    );
    b.push(
        false,
        16 * HOUR,
        Internal,
        &p100,
        &a(0x41),
        n.clone(),
        100 * ETH,
        false,
    );
    b.push(
        false,
        17 * HOUR,
        Internal,
        &p10,
        &a(0x42),
        n,
        10 * ETH,
        false,
    );
}

fn scenario() -> Ledger {
    use TransferKind::*;
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let bsc = b.chain("bsc", "BNB");
    let mut b = Builder { b, eth, bsc, n: 0 };
    mixer_part(&mut b);
    let fresh = a(FRESH);
    // Swap: 100 ETH through a router for 250,000 USDC.
    b.push(
        false,
        18 * HOUR,
        Native,
        &fresh,
        &a(ROUTER),
        Asset::Native,
        100 * ETH,
        false,
    );
    b.push(
        false,
        18 * HOUR,
        Internal,
        &a(ROUTER),
        &a(DEXPOOL),
        Asset::Native,
        100 * ETH,
        true,
    );
    b.push(
        false,
        18 * HOUR,
        Token,
        &a(DEXPOOL),
        &fresh,
        usdc_a(),
        250_000 * USDC,
        true,
    );
    // Bridge: 250,000 USDC in on Ethereum, 249,900 out on BSC ten minutes later.
    b.push(
        false,
        19 * HOUR,
        Token,
        &fresh,
        &a(BRIDGE_A),
        usdc_a(),
        250_000 * USDC,
        false,
    );
    b.push(
        true,
        19 * HOUR + 600,
        Token,
        &a(BRIDGE_B),
        &fresh,
        usdc_b(),
        249_900 * USDC,
        false,
    );
    // A release to someone else, 5 % short: not a match.
    b.push(
        true,
        19 * HOUR + 700,
        Token,
        &a(BRIDGE_B),
        &a(0x43),
        usdc_b(),
        237_500 * USDC,
        false,
    );
    // Exchange: FRESH pays a deposit address, which sweeps to the hot wallet.
    b.push(
        true,
        20 * HOUR,
        Token,
        &fresh,
        &a(DEPOSIT),
        usdc_b(),
        249_900 * USDC,
        false,
    );
    b.push(
        true,
        20 * HOUR + 300,
        Token,
        &a(DEPOSIT),
        &a(HOT),
        usdc_b(),
        249_900 * USDC,
        false,
    );
    // Must not cluster: forwards half of what it received.
    b.push(
        true,
        21 * HOUR,
        Token,
        &a(0x44),
        &a(NOT_DEPOSIT),
        usdc_b(),
        1_000 * USDC,
        false,
    );
    b.push(
        true,
        21 * HOUR + 60,
        Token,
        &a(NOT_DEPOSIT),
        &a(HOT),
        usdc_b(),
        500 * USDC,
        false,
    );
    b.b.build().unwrap()
}

fn exit(label: &str, category: &str) -> ExitInfo {
    ExitInfo {
        label: label.into(),
        category: category.into(),
    }
}

/// Labels: the hot wallet (exchange) and the Ethereum side of the bridge.
fn labelled_exits() -> BTreeMap<Address, ExitInfo> {
    let mut exits = BTreeMap::new();
    exits.insert(a(HOT), exit("Binance", "exchange"));
    exits.insert(a(BRIDGE_A), exit("Example Bridge", "bridge"));
    exits
}

fn seed() -> Vec<Seed> {
    vec![Seed::parse("heist", &a(THIEF).to_string()).unwrap()]
}

#[test]
fn stolen_eth_is_followed_through_mixer_swap_bridge_and_exchange() {
    let ledger = scenario();
    let mixer = find_mixer_links(
        &ledger,
        &registry_pools(&ledger),
        &LinkedAddresses::new(),
        &LinkConfig::default(),
    );
    let bridges = match_bridges(
        &ledger,
        &[BridgeSpec {
            name: "Example Bridge".into(),
            deposit: a(BRIDGE_A),
            release: a(BRIDGE_B),
        }],
        &BTreeMap::new(),
        &BridgeConfig::default(),
    );
    assert_eq!(bridges.len(), 1, "{bridges:#?}");
    assert_eq!(bridges[0].heuristic, "bridge_recipient");
    let mut exits = labelled_exits();
    let hot: BTreeMap<Address, ExitInfo> = exits
        .iter()
        .filter(|(_, e)| e.category == "exchange")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let inferred = find_deposit_addresses(
        &ledger,
        &hot,
        |x| exits.contains_key(x),
        &DepositConfig::default(),
    );
    assert_eq!(
        inferred
            .iter()
            .map(|d| d.address.clone())
            .collect::<Vec<_>>(),
        vec![a(DEPOSIT)]
    );
    for d in &inferred {
        exits.insert(d.address.clone(), d.exit_info());
    }
    let mut carries = mixer.conversions();
    carries.extend(bridges.iter().map(|m| m.conversion(&ledger)));

    let eth = ledger.asset_by_name("ETH").unwrap();
    let ua = ledger.asset_by_name(&a(0xaa).to_string()).unwrap();
    let ub = ledger.asset_by_name(&a(0xbb).to_string()).unwrap();
    for model in Model::ACCOUNT {
        let config = TraceConfig::new(model, seed())
            .unwrap()
            .with_exits(exits.clone())
            .with_swaps(true)
            .with_conversions(carries.clone());
        let r = trace(&ledger, &config);
        let kinds: Vec<ConversionKind> = r.conversions.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ConversionKind::MixerLink,
                ConversionKind::MixerLink,
                ConversionKind::Swap,
                ConversionKind::Bridge
            ],
            "{model}"
        );
        let (te, ta, tb) = (r.totals_of(eth), r.totals_of(ua), r.totals_of(ub));
        assert_eq!(te.stolen, 110 * ETH, "{model}");
        assert_eq!(te.linked_out, 110 * ETH, "{model}");
        assert_eq!(te.linked_in, 110 * ETH, "{model}");
        assert_eq!(te.swapped_out, 100 * ETH, "{model}");
        assert_eq!(ta.swapped_in, 250_000 * USDC, "{model}");
        assert_eq!(ta.bridged_out, 250_000 * USDC, "{model}");
        assert_eq!(tb.bridged_in, 249_900 * USDC, "{model}");
        assert_eq!(tb.exited, 249_900 * USDC, "{model}");
        if model.conserves_value() {
            // FRESH keeps 9.67 ETH, the relayer 0.33 ETH.
            assert_eq!(te.held, 10 * ETH, "{model}");
            for t in [te, ta, tb] {
                assert_eq!(t.entered(), t.accounted(), "{model} {t:?}");
            }
        }
        assert_eq!(r.exits.len(), 1, "{model}");
        assert_eq!(r.exits[0].address, ledger.address_id(&a(DEPOSIT)).unwrap());
    }

    // The report names each step.
    let config = TraceConfig::new(Model::Haircut, seed())
        .unwrap()
        .with_exits(exits)
        .with_swaps(true)
        .with_conversions(carries);
    let r = trace(&ledger, &config);
    let report = TraceReport::new(&ledger, &config, &r).with_mixer(&ledger, &mixer, &r);
    let v = serde_json::to_value(&report).unwrap();
    let conv = v["conversions"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = conv
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["heuristic"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("mixer_link", "multi_denomination"),
            ("mixer_link", "multi_denomination"),
            ("swap", "swap"),
            ("bridge", "bridge_recipient"),
        ]
    );
    assert_eq!(conv[2]["from_tainted"], (100 * ETH).to_string());
    assert_eq!(conv[2]["to_tainted"], (250_000 * USDC).to_string());
    assert_eq!(conv[3]["to_asset"], a(0xbb).to_string());
    assert_eq!(conv[3]["to_tainted"], (249_900 * USDC).to_string());
    let exit = &v["exits"][0];
    assert_eq!(exit["category"], "exchange");
    assert_eq!(exit["label"], "Binance (inferred deposit address)");
    assert_eq!(exit["amount"], (249_900 * USDC).to_string());
    let m = &v["mixer"];
    assert_eq!(m["links"].as_array().unwrap().len(), 2);
    assert!(m["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["carried_taint"] == true && l["confidence"] == 50));
    let sets: Vec<u64> = m["anonymity_sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["anonymity_set"].as_u64().unwrap())
        .collect();
    assert_eq!(sets, vec![3, 3]);
    assert_eq!(v["totals"]["linked_in"]["ETH"], (110 * ETH).to_string());
}

/// Without links, each pool is one purse: under haircut a withdrawal
/// carries the pool's tainted share.
#[test]
fn unlinked_pools_pass_on_their_share() {
    let mut b = LedgerBuilder::new();
    let eth = b.chain("ethereum", "ETH");
    let bsc = b.chain("bsc", "BNB");
    let mut b = Builder { b, eth, bsc, n: 0 };
    mixer_part(&mut b);
    let ledger = b.b.build().unwrap();
    let config = TraceConfig::new(Model::Haircut, seed()).unwrap();
    let r = trace(&ledger, &config);
    let eth = ledger.asset_by_name("ETH").unwrap();
    let fresh = ledger.address_id(&a(FRESH)).unwrap();
    // pool100 holds 200 clean + 100 stolen when FRESH withdraws 99.7:
    // floor(99.7e18 · 100 / 300) = 33_233_333_333_333_333_333; pool10
    // holds 20 clean + 10 stolen when FRESH withdraws 9.97:
    // floor(9.97e18 · 10 / 30) = 3_323_333_333_333_333_333.
    assert_eq!(
        r.held_by(fresh, eth),
        33_233_333_333_333_333_333 + 3_323_333_333_333_333_333
    );
    assert!(r.conversions.is_empty());
}

#[test]
fn bridge_matching_must_and_must_not() {
    let ledger = scenario();
    let spec = BridgeSpec {
        name: "Example Bridge".into(),
        deposit: a(BRIDGE_A),
        release: a(BRIDGE_B),
    };
    // A fee limit of 0.01 % refuses the 0.04 % fee: no match.
    let strict = BridgeConfig {
        fee_bps: 1,
        ..BridgeConfig::default()
    };
    assert!(match_bridges(
        &ledger,
        std::slice::from_ref(&spec),
        &BTreeMap::new(),
        &strict
    )
    .is_empty());
    // A five-minute window refuses the ten-minute release.
    let short = BridgeConfig {
        window: 300,
        ..BridgeConfig::default()
    };
    assert!(match_bridges(
        &ledger,
        std::slice::from_ref(&spec),
        &BTreeMap::new(),
        &short
    )
    .is_empty());
    // A memo naming the other recipient moves the match to it when its
    // amount fits (a 10 % fee limit lets the 5 % short release in).
    let loose = BridgeConfig {
        fee_bps: 1_000,
        ..BridgeConfig::default()
    };
    let plain = match_bridges(
        &ledger,
        std::slice::from_ref(&spec),
        &BTreeMap::new(),
        &loose,
    );
    assert_eq!(plain[0].recipient, a(FRESH));
    let deposit_tx = *ledger.tx_hash(ledger.transfer(plain[0].deposit).tx);
    let mut memos = BTreeMap::new();
    memos.insert(deposit_tx, a(0x43));
    let m = match_bridges(&ledger, std::slice::from_ref(&spec), &memos, &loose);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].recipient, a(0x43));
    assert_eq!(
        (m[0].heuristic.as_str(), m[0].confidence),
        ("bridge_memo", 90)
    );
    // Same-chain releases never match: DEPOSIT receives 249,900 and
    // pays out 249,900 five minutes later, both on BSC.
    let same_chain = BridgeSpec {
        deposit: a(DEPOSIT),
        release: a(DEPOSIT),
        ..spec
    };
    assert!(match_bridges(&ledger, &[same_chain], &BTreeMap::new(), &loose).is_empty());
}

#[test]
fn deposit_addresses_must_and_must_not() {
    let ledger = scenario();
    let hot: BTreeMap<Address, ExitInfo> = [(a(HOT), exit("Binance", "exchange"))]
        .into_iter()
        .collect();
    let found = |cfg: &DepositConfig, labelled: &[Address]| -> Vec<Address> {
        find_deposit_addresses(&ledger, &hot, |x| labelled.contains(x), cfg)
            .into_iter()
            .map(|d| d.address)
            .collect()
    };
    let dflt = DepositConfig::default();
    // DEPOSIT forwards all it got within 5 minutes; NOT_DEPOSIT half.
    assert_eq!(found(&dflt, &[]), vec![a(DEPOSIT)]);
    // τ of one minute is too short for the 5-minute sweep.
    assert!(found(
        &DepositConfig {
            tau: 60,
            ..dflt.clone()
        },
        &[]
    )
    .is_empty());
    // α of 50 % admits the half forward.
    assert_eq!(
        found(
            &DepositConfig {
                alpha_bps: 5_000,
                ..dflt.clone()
            },
            &[]
        ),
        vec![a(DEPOSIT), a(NOT_DEPOSIT)]
    );
    // A labelled address is what its label says.
    assert!(found(&dflt, &[a(DEPOSIT)]).is_empty());
    // FRESH sends to many places: never a deposit address.
    assert!(!found(
        &DepositConfig {
            alpha_bps: 10_000,
            tau: u64::MAX
        },
        &[]
    )
    .contains(&a(FRESH)));
}

/// The same ledger through the command line: `--demix --swaps
/// --infer-deposits` with a label file (bridges have no command-line
/// option, so the labelled bridge is an exit there).
#[test]
fn command_line_demix_swaps_and_labels() {
    let ledger = scenario();
    let dir = std::env::temp_dir().join(format!("fundtrace-demix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lpath = dir.join("ledger.jsonl");
    let mut buf = Vec::new();
    fundtrace::report::ledger_jsonl::write(&ledger, &mut buf).unwrap();
    std::fs::write(&lpath, buf).unwrap();
    let labels = dir.join("labels.csv");
    std::fs::write(
        &labels,
        format!(
            "address,entity,category\n{},Binance,exchange\n{},Example Bridge,bridge\n",
            a(HOT),
            a(BRIDGE_A)
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fundtrace"))
            .args([
                "trace",
                "--ledger",
                lpath.to_str().unwrap(),
                "--seed",
                &a(THIEF).to_string(),
                "--labels",
                labels.to_str().unwrap(),
                "--json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = run(&["--demix", "--swaps", "--infer-deposits"]);
    let kinds: Vec<&str> = v["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["mixer_link", "mixer_link", "swap"]);
    assert_eq!(v["mixer"]["links"].as_array().unwrap().len(), 2);
    // The swapped USDC ends at the bridge (an exit on the command line).
    let exits = v["exits"].as_array().unwrap();
    assert_eq!(exits.len(), 1);
    assert_eq!(exits[0]["category"], "bridge");
    assert_eq!(exits[0]["amount"], (250_000 * USDC).to_string());
    // With the bridge given, the trace crosses to BSC and ends at the
    // inferred deposit address of the exchange.
    let bridge = format!("{}:{}", a(BRIDGE_A), a(BRIDGE_B));
    let v = run(&[
        "--demix",
        "--swaps",
        "--infer-deposits",
        "--bridge",
        &bridge,
    ]);
    let steps: Vec<&str> = v["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["mixer_link", "mixer_link", "swap", "bridge"]);
    assert_eq!(v["parameters"]["swaps"], true);
    assert_eq!(v["parameters"]["conversions_given"], 3);
    let exits = v["exits"].as_array().unwrap();
    assert_eq!(exits.len(), 1);
    assert_eq!(exits[0]["address"], a(DEPOSIT).to_string());
    assert_eq!(exits[0]["label"], "Binance (inferred deposit address)");
    assert_eq!(exits[0]["amount"], (249_900 * USDC).to_string());
    // Without --demix the Tornado pools are mixer exits (registry labels
    // are not loaded without --incident, so nothing is an exit but the
    // labelled two; the pools pass value on under the model).
    let plain = run(&[]);
    assert!(plain["conversions"].as_array().unwrap().is_empty());
    assert!(plain.get("mixer").is_none());
    // The readable summary names the steps too.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fundtrace"))
        .args([
            "trace",
            "--ledger",
            lpath.to_str().unwrap(),
            "--seed",
            &a(THIEF).to_string(),
            "--labels",
            labels.to_str().unwrap(),
            "--demix",
            "--swaps",
            "--infer-deposits",
            "--bridge",
            &bridge,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        // The summary fits 100 columns: long lines wrap, labels are cut.
        "conversions (4):",
        "- mixer_link: 100 ETH tainted of 100 ETH",
        "multi_denomination,",
        "- swap at 0x2020202020202020202020202020202020202020:",
        "swap, confidence 100",
        "bridge_recipient, confidence 80",
        "anonymity sets met: 3,",
        "Binance (in",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A bridge release to a recipient nothing else connects to the theft (a
/// memo names it) still carries the deposit's taint: the trace's skip of
/// unreachable transfers counts conversion targets as reachable.
#[test]
fn a_memo_recipient_no_transfer_reaches_gets_the_bridged_taint() {
    let ledger = scenario();
    let spec = BridgeSpec {
        name: "Example Bridge".into(),
        deposit: a(BRIDGE_A),
        release: a(BRIDGE_B),
    };
    let loose = BridgeConfig {
        fee_bps: 1_000,
        ..BridgeConfig::default()
    };
    let plain = match_bridges(
        &ledger,
        std::slice::from_ref(&spec),
        &BTreeMap::new(),
        &loose,
    );
    let deposit_tx = *ledger.tx_hash(ledger.transfer(plain[0].deposit).tx);
    let memos: BTreeMap<[u8; 32], Address> = [(deposit_tx, a(0x43))].into_iter().collect();
    let m = match_bridges(&ledger, &[spec], &memos, &loose);
    let mixer = find_mixer_links(
        &ledger,
        &registry_pools(&ledger),
        &LinkedAddresses::new(),
        &LinkConfig::default(),
    );
    let mut carries = mixer.conversions();
    carries.extend(m.iter().map(|x| x.conversion(&ledger)));
    let ub = ledger.asset_by_name(&a(0xbb).to_string()).unwrap();
    let other = ledger.address_id(&a(0x43)).unwrap();
    for model in Model::ACCOUNT {
        let config = TraceConfig::new(model, seed())
            .unwrap()
            .with_exits(labelled_exits())
            .with_swaps(true)
            .with_conversions(carries.clone());
        let r = trace(&ledger, &config);
        // 237,500 of the 250,000 bridged, all of it tainted.
        let t = r.totals_of(ub);
        assert_eq!(t.bridged_in, 237_500 * USDC, "{model}");
        assert_eq!(r.held_by(other, ub), 237_500 * USDC, "{model}");
    }
}
