//! Transaction decoding never panics, and whatever decodes re-serializes to
//! the same bytes and decodes again to the same transaction.
#![no_main]

use fundtrace::ingest::bitcoin::Transaction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = Transaction::decode(data) {
        let bytes = tx.serialize();
        assert_eq!(bytes, data, "re-serialization differs");
        let again = Transaction::decode(&bytes).expect("re-serialized tx decodes");
        assert_eq!(again, tx);
        assert_eq!(again.txid(), tx.txid());
    }
});
