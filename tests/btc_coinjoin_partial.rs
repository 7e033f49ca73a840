//! CoinJoins in partial data, on transactions built like the real ones.
//!
//! The shared data holds no block with Whirlpool or Wasabi transactions
//! (its real blocks are from 2009 and 2013), so three consecutive blocks are
//! built here, transaction by transaction, following the published
//! patterns (as the Dumplings CoinJoin scanner and Wasabi's own analyser
//! recognise them): seven Whirlpool mixes (5 P2WPKH inputs, 5 outputs of a
//! 0.001/0.01/0.05/0.5 BTC pool to distinct P2WPKH addresses) and a Wasabi
//! 1.x round (many equal ~0.1 BTC outputs, a second mixing level, change
//! and a coordinator fee, all P2WPKH), as the issue's 2021 block has; a
//! Wasabi 2.0 round (standard denominations, P2WPKH and taproot); a
//! JoinMarket CoinJoin (nested-segwit, five equal outputs and four
//! changes); a two-party equal-output CoinJoin; and ordinary transactions
//! (a consolidation, a payment with change, an exchange batch payout).
//!
//! Inputs carry well-formed spending scripts (P2PKH `scriptSig`, P2WPKH and
//! P2SH-P2WPKH witnesses, taproot key-path and P2PK spends that show no
//! address), and almost every spent output is outside the data, so input
//! values are unknown; a few inputs spend outputs of the first block, so
//! some CoinJoins are partly resolved.

mod common;

use fundtrace::heuristics::cluster::cluster;
use fundtrace::heuristics::coinjoin::CoinJoinKind;
use fundtrace::ingest::bitcoin::{
    utxo_ledger_from_blocks, Block, BlockHeader, Transaction, TxIn, TxOut,
};
use fundtrace::ledger::utxo::{
    hash160, script_address, sha256d, AddressOrigin, BlockHash, Network, OutPoint, Txid, UtxoLedger,
};

const FIRST_HEIGHT: u64 = 709_630;

/// Deterministic 32 bytes from a tag and a number.
fn bytes32(tag: &str, i: u32) -> [u8; 32] {
    sha256d(&[tag.as_bytes(), &i.to_le_bytes()].concat())
}

/// A compressed public key (shape only; spending scripts are not verified).
fn key(i: u32) -> Vec<u8> {
    [&[0x02][..], &bytes32("key", i)].concat()
}

/// A DER-shaped signature with SIGHASH_ALL: 30 44 02 20 r 02 20 s 01.
fn sig(i: u32) -> Vec<u8> {
    let mut r = bytes32("r", i);
    let mut s = bytes32("s", i);
    r[0] &= 0x7f;
    s[0] &= 0x7f;
    [
        &[0x30, 0x44, 0x02, 0x20][..],
        &r,
        &[0x02, 0x20],
        &s,
        &[0x01],
    ]
    .concat()
}

fn push(data: &[u8]) -> Vec<u8> {
    [&[data.len() as u8][..], data].concat()
}

fn p2wpkh(k: u32) -> Vec<u8> {
    [&[0x00, 0x14][..], &hash160(&key(k))].concat()
}

fn p2pkh(k: u32) -> Vec<u8> {
    [&[0x76, 0xa9, 0x14][..], &hash160(&key(k)), &[0x88, 0xac]].concat()
}

fn nested_program(k: u32) -> Vec<u8> {
    [&[0x00, 0x14][..], &hash160(&key(k))].concat()
}

fn p2sh_p2wpkh(k: u32) -> Vec<u8> {
    [&[0xa9, 0x14][..], &hash160(&nested_program(k)), &[0x87]].concat()
}

fn p2tr(k: u32) -> Vec<u8> {
    [&[0x51, 0x20][..], &bytes32("taproot", k)].concat()
}

/// The output script of a bech32 address (for the coordinator's).
fn bech32_script(address: &str) -> Vec<u8> {
    let (_, version, program) = bech32::segwit::decode(address).unwrap();
    let v = version.to_u8();
    let op = if v == 0 { 0 } else { 0x50 + v };
    [&[op, program.len() as u8][..], &program].concat()
}

/// An outpoint of a transaction that is not in the data.
fn elsewhere(i: u32) -> OutPoint {
    OutPoint {
        txid: Txid(bytes32("elsewhere", i)),
        vout: i % 3,
    }
}

#[derive(Clone, Copy)]
enum Spend {
    /// scriptSig: push(sig), push(key)
    Pkh,
    /// witness [sig, key]
    Wpkh,
    /// scriptSig: push(0014 hash160(key)); witness [sig, key]
    ShWpkh,
    /// witness [64-byte Schnorr signature]: no address shown
    TrKeyPath,
    /// scriptSig: push(sig): no address shown
    Pk,
}

fn input(prevout: OutPoint, spend: Spend, k: u32) -> TxIn {
    let (script_sig, witness) = match spend {
        Spend::Pkh => ([push(&sig(k)), push(&key(k))].concat(), vec![]),
        Spend::Wpkh => (vec![], vec![sig(k), key(k)]),
        Spend::ShWpkh => (push(&nested_program(k)), vec![sig(k), key(k)]),
        Spend::TrKeyPath => (vec![], vec![bytes32("schnorr", k).repeat(2)]),
        Spend::Pk => (push(&sig(k)), vec![]),
    };
    TxIn {
        previous_output: prevout,
        script_sig,
        sequence: 0xffff_fffd,
        witness,
    }
}

fn tx(inputs: Vec<TxIn>, outputs: Vec<(u64, Vec<u8>)>) -> Transaction {
    Transaction {
        version: 2,
        inputs,
        outputs: outputs
            .into_iter()
            .map(|(value, script_pubkey)| TxOut {
                value,
                script_pubkey,
            })
            .collect(),
        lock_time: 0,
    }
}

fn coinbase(height: u64) -> Transaction {
    let h = height.to_le_bytes();
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint::NULL,
            script_sig: [&[0x03][..], &h[..3]].concat(),
            sequence: u32::MAX,
            witness: vec![vec![0; 32]],
        }],
        outputs: vec![TxOut {
            value: 625_000_000,
            script_pubkey: p2wpkh(9_999),
        }],
        lock_time: 0,
    }
}

fn block(prev: BlockHash, height: u64, txs: Vec<Transaction>) -> Block {
    let mut all = vec![coinbase(height)];
    all.extend(txs);
    let mut b = Block::new(
        BlockHeader {
            version: 0x2000_0000,
            prev_blockhash: prev,
            time: 1_636_000_000 + (height - FIRST_HEIGHT) as u32 * 600,
            ..BlockHeader::default()
        },
        all,
    );
    b.header.merkle_root = b.compute_merkle_root();
    b
}

/// What the test knows about the transactions it built.
struct Built {
    blocks: Vec<Block>,
    /// (txid, kind) of every CoinJoin built, in block order.
    coinjoins: Vec<(Txid, CoinJoinKind)>,
    /// The partly resolved Whirlpool mix and the spent-output addresses of
    /// its two resolved inputs.
    partly_resolved: (Txid, [String; 2]),
    /// The consolidation and the three addresses its scripts show.
    consolidation: (Txid, [String; 3]),
    /// The payment: the resolved input's address and the script-read one.
    payment: (Txid, [String; 2]),
    /// Inputs whose scripts show no address and whose spent output is unknown.
    unplaceable: usize,
    /// Inputs spending outputs of the data.
    resolved: usize,
}

fn mainnet(script: &[u8]) -> String {
    script_address(script, Network::Mainnet).unwrap()
}

fn build() -> Built {
    let mut k = 0u32; // next key
    let mut fresh = || {
        k += 1;
        k
    };
    let mut far = 0u32; // next outpoint outside the data
    let mut away = || {
        far += 1;
        elsewhere(far)
    };
    let mut unplaceable = 0usize;
    let mut resolved = 0usize;

    // Block 1: a wallet's transaction whose outputs later inputs spend:
    // two Whirlpool premixes (0.05 pool), three Wasabi inputs, two
    // JoinMarket nested-segwit inputs, one payer.
    let fkeys: Vec<u32> = (0..8).map(|_| fresh()).collect();
    let mut funding_outs: Vec<(u64, Vec<u8>)> = vec![
        (5_000_213, p2wpkh(fkeys[0])),
        (5_000_197, p2wpkh(fkeys[1])),
        (31_415_926, p2wpkh(fkeys[2])),
        (12_000_000, p2wpkh(fkeys[3])),
        (27_182_818, p2wpkh(fkeys[4])),
        (9_100_000, p2sh_p2wpkh(fkeys[5])),
        (8_400_000, p2sh_p2wpkh(fkeys[6])),
        (2_500_000, p2wpkh(fkeys[7])),
    ];
    let payer = fresh();
    funding_outs.push((1, p2wpkh(payer)));
    let funding = tx(vec![input(away(), Spend::Wpkh, fresh())], funding_outs);
    let funding_txid = funding.txid();
    let fund = |vout: u32| OutPoint {
        txid: funding_txid,
        vout,
    };
    let b1 = block(BlockHash::default(), FIRST_HEIGHT, vec![funding]);

    // Block 2, like the issue's 2021 block: seven Whirlpool mixes and a
    // Wasabi 1.x round, among ordinary transactions.
    let mut txs2 = Vec::new();
    let mut coinjoins = Vec::new();
    let pools = [
        1_000_000u64,
        5_000_000,
        1_000_000,
        50_000_000,
        100_000,
        5_000_000,
        1_000_000,
    ];
    let mut partly_resolved = None;
    for (m, &pool) in pools.iter().enumerate() {
        let mut ins: Vec<TxIn> = Vec::new();
        if m == 1 {
            // the partly resolved mix: two premixes from block 1
            ins.push(input(fund(0), Spend::Wpkh, fkeys[0]));
            ins.push(input(fund(1), Spend::Wpkh, fkeys[1]));
            resolved += 2;
        }
        while ins.len() < 5 {
            ins.push(input(away(), Spend::Wpkh, fresh()));
        }
        let outs = (0..5).map(|_| (pool, p2wpkh(fresh()))).collect();
        let t = tx(ins, outs);
        if m == 1 {
            partly_resolved = Some((
                t.txid(),
                [mainnet(&p2wpkh(fkeys[0])), mainnet(&p2wpkh(fkeys[1]))],
            ));
        }
        coinjoins.push((t.txid(), CoinJoinKind::Whirlpool));
        txs2.push(t);
    }
    // Wasabi 1.x: 60 inputs (3 from block 1), 45 outputs at the round's
    // denomination, 6 at twice it, 40 change, the coordinator's fee
    let d = 9_998_764u64;
    let mut ins = vec![
        input(fund(2), Spend::Wpkh, fkeys[2]),
        input(fund(3), Spend::Wpkh, fkeys[3]),
        input(fund(4), Spend::Wpkh, fkeys[4]),
    ];
    resolved += 3;
    while ins.len() < 60 {
        ins.push(input(away(), Spend::Wpkh, fresh()));
    }
    let mut outs: Vec<(u64, Vec<u8>)> = (0..45).map(|_| (d, p2wpkh(fresh()))).collect();
    outs.extend((0..6).map(|_| (2 * d, p2wpkh(fresh()))));
    outs.extend((0..40u64).map(|i| (1_234_567 + 10_007 * i, p2wpkh(fresh()))));
    outs.push((1_711_940, p2wpkh(fresh())));
    let ww1 = tx(ins, outs);
    coinjoins.push((ww1.txid(), CoinJoinKind::Wasabi1));
    txs2.push(ww1);
    // a consolidation of three P2PKH coins and a P2PK coin
    let ck: Vec<u32> = (0..3).map(|_| fresh()).collect();
    let mut ins: Vec<TxIn> = ck.iter().map(|&c| input(away(), Spend::Pkh, c)).collect();
    ins.push(input(away(), Spend::Pk, fresh()));
    unplaceable += 1;
    let consolidation = tx(ins, vec![(48_000_000, p2wpkh(fresh()))]);
    let consolidation_info = (
        consolidation.txid(),
        [
            mainnet(&p2pkh(ck[0])),
            mainnet(&p2pkh(ck[1])),
            mainnet(&p2pkh(ck[2])),
        ],
    );
    txs2.push(consolidation);
    // a payment with change: one coin from block 1, one from elsewhere
    let other = fresh();
    let payment = tx(
        vec![
            input(fund(7), Spend::Wpkh, fkeys[7]),
            input(away(), Spend::Wpkh, other),
        ],
        vec![(3_000_000, p2pkh(fresh())), (1_480_000, p2wpkh(fresh()))],
    );
    resolved += 1;
    let payment_info = (
        payment.txid(),
        [mainnet(&p2wpkh(fkeys[7])), mainnet(&p2wpkh(other))],
    );
    txs2.push(payment);
    // an exchange batch payout: one input, ten equal withdrawals and change
    let mut outs: Vec<(u64, Vec<u8>)> = (0..10).map(|_| (1_000_000, p2wpkh(fresh()))).collect();
    outs.push((88_000_000, p2wpkh(fresh())));
    txs2.push(tx(vec![input(away(), Spend::Wpkh, fresh())], outs));
    let b2 = block(b1.block_hash(), FIRST_HEIGHT + 1, txs2);

    // Block 3: Wasabi 2.0, JoinMarket and a two-party CoinJoin.
    let mut txs3 = Vec::new();
    let mut ins: Vec<TxIn> = (0..60)
        .map(|_| input(away(), Spend::Wpkh, fresh()))
        .collect();
    ins.extend((0..20).map(|_| input(away(), Spend::TrKeyPath, fresh())));
    unplaceable += 20;
    let levels: [(u64, usize); 7] = [
        (5_000_000, 8),
        (2_000_000, 10),
        (1_062_882, 12),
        (531_441, 9),
        (200_000, 15),
        (100_000, 10),
        (50_000, 6),
    ];
    let mut outs: Vec<(u64, Vec<u8>)> = Vec::new();
    for &(v, n) in &levels {
        for j in 0..n {
            let s = if j % 3 == 0 {
                p2tr(fresh())
            } else {
                p2wpkh(fresh())
            };
            outs.push((v, s));
        }
    }
    outs.extend((0..8u64).map(|i| (43_210 + 1_001 * i, p2wpkh(fresh()))));
    outs.push((
        268_123,
        bech32_script(fundtrace::heuristics::coinjoin::WASABI2_COORDINATORS[0]),
    ));
    let ww2 = tx(ins, outs);
    coinjoins.push((ww2.txid(), CoinJoinKind::Wasabi2));
    txs3.push(ww2);
    // JoinMarket: taker and four makers (one with two coins), nested
    // segwit; two makers' coins come from block 1
    let mut ins = vec![
        input(fund(5), Spend::ShWpkh, fkeys[5]),
        input(fund(6), Spend::ShWpkh, fkeys[6]),
    ];
    resolved += 2;
    while ins.len() < 6 {
        ins.push(input(away(), Spend::ShWpkh, fresh()));
    }
    let mut outs: Vec<(u64, Vec<u8>)> = (0..5).map(|_| (7_250_000, p2sh_p2wpkh(fresh()))).collect();
    outs.extend((0..4u64).map(|i| (1_850_003 + 97_531 * i, p2sh_p2wpkh(fresh()))));
    let jm = tx(ins, outs);
    coinjoins.push((jm.txid(), CoinJoinKind::JoinMarket));
    txs3.push(jm);
    // two parties, legacy coins: two equal outputs and one change
    let generic = tx(
        vec![
            input(away(), Spend::Pkh, fresh()),
            input(away(), Spend::Pkh, fresh()),
        ],
        vec![
            (2_000_000, p2pkh(fresh())),
            (2_000_000, p2pkh(fresh())),
            (531_000, p2pkh(fresh())),
        ],
    );
    coinjoins.push((generic.txid(), CoinJoinKind::Generic));
    txs3.push(generic);
    let b3 = block(b2.block_hash(), FIRST_HEIGHT + 2, txs3);

    Built {
        blocks: vec![b1, b2, b3],
        coinjoins,
        partly_resolved: partly_resolved.unwrap(),
        consolidation: consolidation_info,
        payment: payment_info,
        unplaceable,
        resolved,
    }
}

fn ledger(b: &Built) -> UtxoLedger {
    utxo_ledger_from_blocks(&b.blocks, FIRST_HEIGHT).unwrap()
}

#[test]
fn every_coinjoin_is_detected_with_input_values_unknown() {
    let b = build();
    let l = ledger(&b);
    // the spent outputs in the data agree with what the scripts show
    assert!(l.warnings().is_empty(), "{:?}", l.warnings());
    let c = cluster(&l);
    let found: Vec<(Txid, CoinJoinKind)> = c
        .coinjoins()
        .iter()
        .map(|(t, v)| (l.tx(*t).txid, v.kind))
        .collect();
    assert_eq!(found, b.coinjoins);
    let whirlpools = found
        .iter()
        .filter(|(_, k)| *k == CoinJoinKind::Whirlpool)
        .count();
    assert_eq!(whirlpools, 7);
    for (t, v) in c.coinjoins() {
        // every CoinJoin has inputs of unknown value
        assert!(v.unknown_inputs > 0, "{v:?}");
        assert_eq!(l.fee(*t), None);
        // and merges nothing
        assert!(c.merges().iter().all(|m| m.tx != *t));
    }
    // the same list from the detector alone
    let alone: Vec<(Txid, CoinJoinKind)> = fundtrace::heuristics::coinjoin::coinjoins(&l)
        .into_iter()
        .map(|(_, txid, v)| (txid, v.kind))
        .collect();
    assert_eq!(alone, b.coinjoins);
}

#[test]
fn a_partly_resolved_coinjoin_does_not_merge_its_inputs() {
    let b = build();
    let l = ledger(&b);
    let c = cluster(&l);
    let (txid, [a, bb]) = &b.partly_resolved;
    let t = l.tx_by_txid(txid).unwrap();
    // two of its five inputs spend outputs of the data (values known)
    let known = l
        .inputs_of(t)
        .iter()
        .filter(|i| l.input_value(i).is_some())
        .count();
    assert_eq!(known, 2);
    let origins: Vec<AddressOrigin> = l.input_addresses(t).flatten().map(|(_, o)| o).collect();
    assert_eq!(
        origins
            .iter()
            .filter(|&&o| o == AddressOrigin::SpentOutput)
            .count(),
        2
    );
    assert_eq!(origins.len(), 5);
    let (ia, ib) = (l.address_id(a).unwrap(), l.address_id(bb).unwrap());
    assert_ne!(c.cluster_of(ia), c.cluster_of(ib));
    assert_eq!(c.explain(ia, ib), None);
    assert!(c.skipped_coinjoins().iter().any(|(s, _)| *s == t));
    // every CoinJoin's input addresses stay in clusters of their own
    for (t, _) in c.coinjoins() {
        let addrs: Vec<_> = l.input_addresses(*t).flatten().map(|(a, _)| a).collect();
        for w in addrs.windows(2) {
            assert_ne!(c.cluster_of(w[0]), c.cluster_of(w[1]));
        }
    }
}

#[test]
fn ordinary_transactions_merge_with_addresses_read_from_scripts() {
    let b = build();
    let l = ledger(&b);
    let c = cluster(&l);
    let id = |s: &str| l.address_id(s).unwrap();
    // the consolidation: three P2PKH coins, addresses from their scriptSigs
    let (txid, addrs) = &b.consolidation;
    let t = l.tx_by_txid(txid).unwrap();
    let cl = c.cluster_of(id(&addrs[0]));
    assert!(addrs.iter().all(|a| c.cluster_of(id(a)) == cl));
    let ms: Vec<_> = c.merges().iter().filter(|m| m.tx == t).collect();
    assert_eq!(ms.len(), 2);
    assert!(ms
        .iter()
        .all(|m| (m.a_origin, m.b_origin)
            == (AddressOrigin::InputScript, AddressOrigin::InputScript)));
    // the payment: a spent output's address joined to a script-read one
    let (txid, [known, read]) = &b.payment;
    let t = l.tx_by_txid(txid).unwrap();
    let m = c.merges().iter().find(|m| m.tx == t).unwrap();
    assert_eq!((m.a, m.b), (id(known), id(read)));
    assert_eq!(
        (m.a_origin, m.b_origin),
        (AddressOrigin::SpentOutput, AddressOrigin::InputScript)
    );
    assert_eq!(c.explain(id(known), id(read)).unwrap().len(), 1);
    // the batch payout has one input: no merge, no CoinJoin
    // placement: resolved inputs from spent outputs, taproot key-path and
    // P2PK spends unplaced, everything else from scripts
    let p = c.input_placement();
    assert_eq!(p.from_spent_outputs, b.resolved);
    assert_eq!(p.unresolved, b.unplaceable);
    assert_eq!(
        p.from_spent_outputs + p.from_input_scripts + p.unresolved,
        l.input_count()
    );
    assert_eq!(c.merges().len(), 3);
}

#[test]
fn cluster_json_lists_coinjoins_and_unresolved_inputs() {
    let b = build();
    let l = ledger(&b);
    let r = cluster(&l).report(&l, 2);
    let v = serde_json::to_value(&r).unwrap();
    let cj = v["coinjoins"].as_array().unwrap();
    assert_eq!(cj.len(), b.coinjoins.len());
    for (entry, (txid, kind)) in cj.iter().zip(&b.coinjoins) {
        assert_eq!(entry["tx"], txid.to_string());
        assert_eq!(entry["kind"], kind.name());
        assert_eq!(entry.as_object().unwrap().len(), 2);
    }
    assert_eq!(v["unresolved_inputs"], b.unplaceable);

    // and through the command line, from a block file
    let mut file = Vec::new();
    for blk in &b.blocks {
        let bytes = blk.serialize();
        file.extend_from_slice(&[0xf9, 0xbe, 0xb4, 0xd9]);
        file.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        file.extend_from_slice(&bytes);
    }
    let path = std::env::temp_dir().join(format!("fundtrace-coinjoin-{}.dat", std::process::id()));
    std::fs::write(&path, &file).unwrap();
    let height = FIRST_HEIGHT.to_string();
    let out = common::fundtrace_json(&[
        "cluster",
        "--btc-blocks",
        path.to_str().unwrap(),
        "--btc-height",
        &height,
        "--json",
    ]);
    let text = common::fundtrace(&[
        "cluster",
        "--btc-blocks",
        path.to_str().unwrap(),
        "--btc-height",
        &height,
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out["coinjoins"], v["coinjoins"]);
    assert_eq!(out["unresolved_inputs"], v["unresolved_inputs"]);
    let kinds: Vec<&str> = out["coinjoins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "whirlpool",
            "whirlpool",
            "whirlpool",
            "whirlpool",
            "whirlpool",
            "whirlpool",
            "whirlpool",
            "wasabi1",
            "wasabi2",
            "joinmarket",
            "generic"
        ]
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("21 unresolved"), "{text}");
    assert!(text.contains("coinjoin "), "{text}");
}
