//! The label and pool-event parsers return errors, never panic, on any input.

use fundtrace::heuristics::mixer::PoolEvents;
use fundtrace::labels::{self, Category, LoadOptions};
use proptest::prelude::*;

const CSV: &str = "chain,address,entity,category,attribution_source,source_file\nETH,0x098b716b8aaf21512996dc57eb0615e2383e2f96,Lazarus Group,dprk_lazarus,\"OFAC SDN\",x.csv\n";
const PACK: &str = "title: t\ncategory: exchange\ntags:\n- address: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'\n  currency: ETH\n";
const CACHE: &str = r#"[{"timestamp":"1577309522","commitment":"0x04b0b397af86289595530ea0a5d34e4edc64429a2cd207e51b146d4480a2b0dc","blockNumber":9162622,"transactionHash":"0x6448bf9837b8ef7d9bff2ae929b12cfdfb4170454a2bd3f6ff573317885367f1","leafIndex":0}]"#;

fn mutate(base: &str, cuts: &[(usize, char)]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for &(i, c) in cuts {
        if chars.is_empty() {
            break;
        }
        let i = i % chars.len();
        if c == '\u{0}' {
            chars.remove(i);
        } else {
            chars[i] = c;
        }
    }
    chars.into_iter().collect()
}

fn all_parsers(s: &str) {
    for lenient in [false, true] {
        let o = LoadOptions {
            lenient,
            ..LoadOptions::default()
        };
        let _ = labels::parse_csv(s, "f", &o);
        let _ = labels::parse_json(s, "f", &o);
        let _ = labels::parse_list(s, "f", Category::Sanctioned, &o);
        let _ = labels::parse_tagpack(s, "f", &o);
    }
    let _ = PoolEvents::from_cache_json(s, "d", "[]", "w");
    let _ = PoolEvents::from_cache_json("[]", "d", s, "w");
    if let Ok(pool) = "0xa160cdab225685da1d56aa342ad8841c3b53f291".parse() {
        let _ = PoolEvents::from_logs_csv(s, "l", &pool);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text(s in "\\PC{0,200}") {
        all_parsers(&s);
    }

    #[test]
    fn mutated_valid_inputs(cuts in proptest::collection::vec((0usize..400, prop_oneof![Just('\u{0}'), Just(','), Just('"'), Just('\n'), Just(':'), Just('-'), Just('['), Just('x'), Just('9')]), 1..6)) {
        for base in [CSV, PACK, CACHE] {
            all_parsers(&mutate(base, &cuts));
        }
    }
}
