//! Property tests: the decoders never panic on arbitrary or mutated bytes,
//! and whatever decodes re-serializes to exactly the bytes it came from.
//! (The same properties as the cargo-fuzz targets under `fuzz/`, runnable on
//! stable Rust.)

use fundtrace::ingest::bitcoin::{decode_blocks, genesis_block, Block, Transaction};
use fundtrace::ledger::utxo::{script_address, script_type, Network};
use proptest::prelude::*;

const BLOCK170_TX: &str = "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d0901ffffffff0200ca9a3b00000000434104ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac00000000";
const SEGWIT_TX: &str = "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";

fn check_tx(data: &[u8]) {
    if let Ok(tx) = Transaction::decode(data) {
        assert_eq!(tx.serialize(), data);
        assert_eq!(Transaction::decode(&tx.serialize()).unwrap(), tx);
    }
}

fn check_block(data: &[u8]) {
    if let Ok(b) = Block::decode(data) {
        assert_eq!(b.serialize(), data);
    }
    let _ = decode_blocks(data);
}

/// Mutations of a seed: overwrite bytes, truncate, insert.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len();
    (
        proptest::collection::vec((0..len, any::<u8>()), 0..8),
        0..=len,
        proptest::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(move |(writes, cut, insert)| {
            let mut v = seed.clone();
            for (i, b) in writes {
                v[i] = b;
            }
            v.truncate(cut.max(1));
            let at = v.len() / 2;
            v.splice(at..at, insert);
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_tx(&data);
        check_block(&data);
    }

    #[test]
    fn arbitrary_scripts_never_panic(script in proptest::collection::vec(any::<u8>(), 0..200), lead in 0usize..6) {
        // steer some cases into the standard templates' shapes
        let prefixes: [&[u8]; 6] = [&[], &[0x51], &[0x00, 0x14], &[0x76, 0xa9, 0x14], &[0x21], &[0x6a]];
        let mut s = prefixes[lead].to_vec();
        s.extend_from_slice(&script);
        let _ = script_type(&s);
        for n in [Network::Mainnet, Network::Testnet, Network::Regtest] {
            if let Some(a) = script_address(&s, n) {
                prop_assert!(!a.is_empty());
            }
        }
    }

    #[test]
    fn mutated_transactions_never_panic(data in mutated(hex::decode(BLOCK170_TX).unwrap())) {
        check_tx(&data);
    }

    #[test]
    fn mutated_segwit_transactions_never_panic(data in mutated(hex::decode(SEGWIT_TX).unwrap())) {
        check_tx(&data);
    }

    #[test]
    fn mutated_blocks_never_panic(data in mutated(genesis_block().serialize())) {
        check_block(&data);
        let mut record = vec![0xf9, 0xbe, 0xb4, 0xd9];
        record.extend_from_slice(&(data.len() as u32).to_le_bytes());
        record.extend_from_slice(&data);
        let _ = decode_blocks(&record);
    }
}

fn sample(rel: &str) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bitcoin_etl_samples/bitcoin")
        .join(rel);
    std::fs::read_to_string(path).unwrap()
}

/// Character-level mutations of a text.
fn mutated_text(seed: String) -> impl Strategy<Value = String> {
    let len = seed.len();
    proptest::collection::vec((0..len, proptest::char::range(' ', '~')), 0..6).prop_map(
        move |edits| {
            let mut b = seed.clone().into_bytes();
            for (i, c) in edits {
                b[i] = c as u8;
            }
            String::from_utf8_lossy(&b).into_owned()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn json_loaders_never_panic_on_mutated_exports(
        etl in mutated_text(sample("block_with_transactions/expected_transactions.json")),
        core in mutated_text(sample("block_1/rpc_response_getblock_00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048_2.json")),
    ) {
        let _ = fundtrace::ingest::bitcoin::load_etl_transactions(etl.as_bytes(), Network::Mainnet);
        let _ = fundtrace::ingest::bitcoin::load_core_blocks_json(core.as_bytes());
        let _ = fundtrace::ingest::bitcoin::load_core_records_json(core.as_bytes(), Network::Mainnet);
        let _ = fundtrace::ingest::bitcoin::load_records_jsonl(etl.as_bytes());
    }
}
