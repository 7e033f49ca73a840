//! Label files: CSV (every header variant), JSON and plain address lists.
//!
//! The first byte picks the parser (modulo 3: CSV, JSON, list), bit 2 a
//! default chain and bit 3 a default category. What must hold:
//! - no panic, strict or lenient;
//! - determinism: parsing twice gives the same label set;
//! - a strict success is a lenient success with the same labels and no
//!   skips.
#![no_main]

use fundtrace::labels::{self, Category, LabelError, LabelSet, LoadOptions};
use libfuzzer_sys::fuzz_target;

fn parse(which: u8, text: &str, opts: &LoadOptions) -> Result<LabelSet, LabelError> {
    match which % 3 {
        0 => labels::parse_csv(text, "fuzz.csv", opts),
        1 => labels::parse_json(text, "fuzz.json", opts),
        _ => labels::parse_list(text, "fuzz.txt", Category::Sanctioned, opts),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    let base = LoadOptions {
        chain: (selector & 4 != 0).then(|| "ethereum".to_string()),
        category: (selector & 8 != 0).then_some(Category::Exchange),
        ..LoadOptions::default()
    };
    let lenient = LoadOptions {
        lenient: true,
        ..base.clone()
    };
    let strict = parse(selector, &text, &base);
    assert_eq!(
        strict.as_ref().map_err(ToString::to_string),
        parse(selector, &text, &base)
            .as_ref()
            .map_err(ToString::to_string),
        "two parses differ"
    );
    let relaxed = parse(selector, &text, &lenient);
    if let Ok(set) = &strict {
        let relaxed = relaxed.as_ref().expect("strict loads, lenient fails");
        assert_eq!(relaxed, set, "strict and lenient labels differ");
        assert_eq!(relaxed.skipped_total(), 0);
        // every label's address is one the set answers for
        for label in set.iter() {
            assert!(set.contains(&label.address));
        }
        let _ = set.conflicts();
    }
});
