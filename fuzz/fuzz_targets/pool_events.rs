//! Mixer pool events: tornado-cli / classic-UI caches (JSON, plain or in a
//! `.zip`) and ethereum-etl `logs.csv`.
//!
//! The first byte picks the reader (modulo 3): 0 caches given as text
//! (deposits, a NUL byte, withdrawals), 1 `logs.csv` for one pool, 2 the
//! rest written to disk as a `.zip` deposits cache and read with
//! `load_cache` (so the zip limits are exercised). What must hold: no
//! panic and no unbounded memory; determinism; events that load are sorted
//! (sorting again changes nothing), survive a JSON round trip, and their
//! checks, anonymity sets and pool summary compute without panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use fundtrace::heuristics::mixer::{
    anonymity_sets, load_cache, pool_summary, MixerError, PoolEvents,
};
use fundtrace::Address;
use libfuzzer_sys::fuzz_target;

const POOL: &str = "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf";

/// A scratch directory for this process, with an empty withdrawals cache.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("fundtrace-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        std::fs::write(dir.join("withdrawals_eth_1.json"), b"[]").expect("scratch file");
        dir
    })
}

fn read(selector: u8, bytes: &[u8]) -> Result<PoolEvents, MixerError> {
    match selector % 3 {
        0 => {
            let text = String::from_utf8_lossy(bytes);
            let (d, w) = text.split_once('\0').unwrap_or((&text, "[]"));
            PoolEvents::from_cache_json(d, "deposits.json", w, "withdrawals.json")
        }
        1 => {
            let pool: Address = POOL.parse().expect("pool address");
            PoolEvents::from_logs_csv(&String::from_utf8_lossy(bytes), "logs.csv", &pool)
        }
        _ => {
            let dir = scratch();
            let zip = dir.join("deposits_eth_1.json.zip");
            std::fs::write(&zip, bytes).expect("scratch write");
            load_cache(&zip, dir.join("withdrawals_eth_1.json"))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let first = read(selector, bytes);
    let second = read(selector, bytes);
    assert_eq!(
        first.as_ref().map_err(ToString::to_string),
        second.as_ref().map_err(ToString::to_string),
        "two reads differ"
    );
    if let Ok(events) = first {
        let mut sorted = events.clone();
        sorted.sort();
        assert_eq!(sorted, events, "loaded events are not sorted");
        let json = serde_json::to_string(&events).expect("events serialize");
        let back: PoolEvents = serde_json::from_str(&json).expect("events deserialize");
        assert_eq!(back, events, "JSON round trip changes the events");
        let _ = events.check();
        let _ = anonymity_sets(&events, &[]);
        let _ = pool_summary(&events, &[]);
    }
});
