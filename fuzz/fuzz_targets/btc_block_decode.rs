//! Block and block-file decoding never panic, and a decoded block
//! re-serializes to the bytes it came from.
#![no_main]

use fundtrace::ingest::bitcoin::{decode_blocks, Block};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = Block::decode(data) {
        assert_eq!(block.serialize(), data, "re-serialization differs");
        let _ = block.check_merkle_root();
        let _ = block.bip34_height();
    }
    // every input form: blk records, hex lines, a raw block
    let _ = decode_blocks(data);
});
