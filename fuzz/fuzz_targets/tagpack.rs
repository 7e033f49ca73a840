//! GraphSense TagPacks (YAML), strict and lenient.
//!
//! What must hold: no panic and no unbounded memory (YAML aliases are
//! expanded within limits); determinism; a strict success is a lenient
//! success with the same labels and no skips.
#![no_main]

use fundtrace::labels::{parse_tagpack, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let strict = LoadOptions::default();
    let lenient = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let a = parse_tagpack(&text, "fuzz.yaml", &strict);
    let b = parse_tagpack(&text, "fuzz.yaml", &strict);
    assert_eq!(
        a.as_ref().map_err(ToString::to_string),
        b.as_ref().map_err(ToString::to_string),
        "two parses differ"
    );
    let relaxed = parse_tagpack(&text, "fuzz.yaml", &lenient);
    if let Ok(set) = &a {
        let relaxed = relaxed.as_ref().expect("strict loads, lenient fails");
        assert_eq!(relaxed, set, "strict and lenient labels differ");
        assert_eq!(relaxed.skipped_total(), 0);
    }
});
