//! Label inputs on the command line: `category:NAME` targets in `paths`.

mod common;
use common::fundtrace;

#[test]
fn category_targets_come_from_the_labels() {
    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--labels",
        "examples/data/ronin/labels.csv",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:laundering",
        "--kind",
        "earliest",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hops = v["paths"][0]["hops"].as_array().unwrap();
    // The exploiter's first payment to a Lazarus laundering address (2022-04-18).
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0]["to"], "0x3cffd56b47b7b41c56258d9c7731abadc360e073");
    assert_eq!(hops[0]["amount"], "10129935000000000000000");

    // Without labels the category cannot be resolved, and the error says why.
    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:laundering",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no address of the ledger has a label of category laundering"));

    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--list",
        "examples/data/ronin/labels.csv:nonsense",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "category:mixer",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown category"));
}

#[test]
fn each_target_of_a_category_gets_its_own_path() {
    let run = |kind: &str| {
        let out = fundtrace(&[
            "paths",
            "--transactions",
            "examples/data/ronin/transactions.csv",
            "--labels",
            "examples/data/ronin/labels.csv",
            "--from",
            "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
            "--to",
            "category:laundering",
            "--kind",
            kind,
            "--each",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    for kind in ["earliest", "fewest", "widest"] {
        let v = run(kind);
        let paths = v["paths"].as_array().unwrap();
        let unreached = v["unreached"].as_array().unwrap();
        // Every laundering address of the labels is either reached by its
        // own path or listed as unreached, never both.
        let ends: Vec<&str> = paths
            .iter()
            .map(|p| {
                p["hops"].as_array().unwrap().last().unwrap()["to"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        let mut all: Vec<&str> = ends.clone();
        all.extend(unreached.iter().map(|u| u.as_str().unwrap()));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), paths.len() + unreached.len(), "{kind}: {v}");
        assert!(paths.len() >= 4, "{kind}: {v}");
        for p in paths {
            let hops = p["hops"].as_array().unwrap();
            assert_eq!(
                hops[0]["from"],
                "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
            );
        }
    }
    // One path per target and k paths are different questions.
    let out = fundtrace(&[
        "paths",
        "--transactions",
        "examples/data/ronin/transactions.csv",
        "--from",
        "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        "--to",
        "0x3cffd56b47b7b41c56258d9c7731abadc360e073",
        "--each",
        "--k",
        "2",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}
