//! Classifying any output script and rendering its address never panics.
#![no_main]

use fundtrace::ledger::utxo::{script_address, script_type, Network};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = script_type(data);
    for n in [Network::Mainnet, Network::Testnet, Network::Regtest] {
        let _ = script_address(data, n);
    }
});
