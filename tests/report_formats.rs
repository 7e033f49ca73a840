//! Issue 12: every export of one trace report. The report is the trace of
//! the synthetic theft in `examples/export_formats/scenario.rs` (labelled
//! exchanges, a mixer, holders, a swap, a hostile label). The formats'
//! reference tools (stix2-validator, PyMISP, networkx, pydot, headless
//! Chromium) check the same files in `.ci/run`; these tests check what
//! can be checked without them.

#[path = "../examples/export_formats/scenario.rs"]
#[allow(dead_code)]
mod scenario;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fundtrace::report::csv::entity_slug;
use fundtrace::report::html::HtmlOptions;
use fundtrace::report::trace::{ExitEntry, FlowEntry, SeedEntry, TraceReport};
use fundtrace::report::{write_report, Destination, ExportError, ExportOptions, OutputFormat};
use scenario::{addr, HOSTILE_LABEL};

fn render(report: &TraceReport, format: OutputFormat, options: &ExportOptions) -> String {
    let mut out = Vec::new();
    write_report(report, format, Destination::Writer(&mut out), options).unwrap();
    String::from_utf8(out).unwrap()
}

fn text(report: &TraceReport, format: OutputFormat) -> String {
    render(report, format, &ExportOptions::default())
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Every address the flows, seeds, exits and holders name.
fn addresses(r: &TraceReport) -> BTreeSet<String> {
    let mut s: BTreeSet<String> = r
        .flows
        .iter()
        .flat_map(|f| [f.from.clone(), f.to.clone()])
        .collect();
    s.extend(r.exits.iter().map(|e| e.address.clone()));
    s.extend(r.holders.iter().map(|h| h.address.clone()));
    s
}

#[test]
fn the_scenario_reaches_labelled_exits() {
    let r = scenario::report();
    let labels: BTreeSet<&str> = r.exits.iter().map(|e| e.label.as_str()).collect();
    assert!(
        labels.contains("Binance") && labels.contains(HOSTILE_LABEL),
        "{labels:?}"
    );
    assert!(!r.holders.is_empty() && !r.conversions.is_empty());
}

#[test]
fn html_is_self_contained_and_escapes_labels() {
    let r = scenario::report();
    let html = text(&r, OutputFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // No script, no reference to anything outside the file.
    assert!(
        !html.to_lowercase().contains("<script"),
        "a raw <script> in the page"
    );
    for needle in ["src=", "href=", "@import", "url(http", "//fonts"] {
        assert!(!html.contains(needle), "{needle}");
    }
    let outside: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg") && !s.starts_with("http-equiv"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    // The hostile label is there, as text.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Every address is a node of the picture; every flow an edge.
    for a in addresses(&r) {
        assert!(
            html.contains(&format!("data-address=\"{a}\"")),
            "{a} not drawn"
        );
    }
    for f in &r.flows {
        assert!(
            html.contains(&format!(
                "data-from-address=\"{}\" data-to-address=\"{}\"",
                f.from, f.to
            )),
            "flow {} not drawn",
            f.tx
        );
    }
    assert!(html.contains("All 12 addresses and 12 transfers drawn"));
    assert!(html.contains("2022-03-23 01:46"), "times in UTC");
}

#[test]
fn html_caps_the_picture_and_says_so() {
    let r = scenario::report();
    let options = ExportOptions {
        html: HtmlOptions {
            max_nodes: 5,
            max_rows: 2,
        },
        ..ExportOptions::default()
    };
    let html = render(&r, OutputFormat::Html, &options);
    assert_eq!(html.matches("<g class=\"node ").count(), 5);
    assert!(
        html.contains("5 of 12 addresses drawn: 7 address(es)"),
        "no note"
    );
    // The seed and the exits come first.
    assert!(html.contains(&format!("data-address=\"{}\"", addr(scenario::THIEF))));
    assert!(html.contains(&format!("data-address=\"{}\"", addr(scenario::BINANCE_1))));
    assert!(html.contains("2 of 12 rows shown"));
}

#[test]
fn csv_files_and_evidence_per_exchange() {
    let r = scenario::report();
    let dir = tempdir("csv");
    let files = write_report(
        &r,
        OutputFormat::Csv,
        Destination::Directory(&dir),
        &ExportOptions::default(),
    )
    .unwrap();
    assert!(files.iter().all(|f| f.starts_with(&dir)));
    let flows = read_csv(&dir.join("flows.csv"));
    assert_eq!(flows.len(), r.flows.len());
    assert_eq!(flows[0]["time"], "2022-03-23T01:46:40Z");
    assert_eq!(read_csv(&dir.join("exits.csv")).len(), r.exits.len());
    assert_eq!(read_csv(&dir.join("holders.csv")).len(), r.holders.len());
    // Binance: two deposit addresses, three tainted deposits.
    let binance = read_csv(&dir.join("evidence/binance.csv"));
    let want: Vec<&FlowEntry> = r
        .flows
        .iter()
        .filter(|f| {
            [addr(scenario::BINANCE_1), addr(scenario::BINANCE_2)]
                .iter()
                .any(|a| a.to_string() == f.to)
        })
        .collect();
    assert_eq!(want.len(), 3);
    assert_eq!(binance.len(), 3);
    for (row, f) in binance.iter().zip(&want) {
        assert_eq!(row["tx"], f.tx);
        assert_eq!(row["tainted"], f.tainted.to_string());
        assert_eq!(row["amount"], f.amount.to_string());
        assert_eq!(row["deposit_address"], f.to);
        let path: Vec<&str> = row["path_addresses"].split(" > ").collect();
        assert_eq!(
            path.first(),
            Some(&addr(scenario::THIEF).to_string().as_str())
        );
        assert_eq!(path.last(), Some(&f.to.as_str()));
        assert_eq!(
            row["path_txs"].split(" > ").last(),
            Some(f.tx.as_str()),
            "the path ends with the deposit"
        );
    }
    // The first deposit came thief → P1 → exchange.
    assert_eq!(
        binance[0]["path_addresses"],
        format!(
            "{} > {} > {}",
            addr(scenario::THIEF),
            addr(scenario::P1),
            addr(scenario::BINANCE_1)
        )
    );
    // The hostile label gets a plain file name and its text unchanged.
    let hostile = read_csv(&dir.join("evidence/script-alert-1-script.csv"));
    assert_eq!(hostile.len(), 1);
    assert_eq!(hostile[0]["entity"], HOSTILE_LABEL);
    let index = read_csv(&dir.join("evidence/index.csv"));
    assert_eq!(index.len(), 3, "Binance, the hostile exchange, the mixer");
}

#[test]
fn evidence_file_names_cannot_escape_the_directory() {
    let mut r = scenario::report();
    for (e, label) in r.exits.iter_mut().zip([
        "../../../tmp/x",
        "/etc/passwd",
        "..",
        "=HYPERLINK(\"http://x\")",
    ]) {
        e.label = label.to_string();
    }
    let dir = tempdir("traversal");
    let files = write_report(
        &r,
        OutputFormat::Csv,
        Destination::Directory(&dir),
        &ExportOptions::default(),
    )
    .unwrap();
    let evidence = dir.join("evidence");
    for f in files.iter().filter(|f| f.starts_with(&evidence)) {
        assert_eq!(f.parent(), Some(evidence.as_path()), "{}", f.display());
    }
    assert_eq!(entity_slug("../../../tmp/x"), "tmp-x");
    // A formula-looking label is written so a spreadsheet shows it as text.
    let index = std::fs::read_to_string(evidence.join("index.csv")).unwrap();
    assert!(index.contains("'=HYPERLINK"), "{index}");
}

#[test]
fn dot_and_graphml_hold_every_flow_escaped() {
    let r = scenario::report();
    let dot = text(&r, OutputFormat::Dot);
    assert!(dot.starts_with("digraph fundtrace {"));
    assert_eq!(dot.matches(" -> ").count(), r.flows.len());
    assert_eq!(
        dot.matches(" [label=").count() - r.flows.len(),
        addresses(&r).len()
    );
    assert!(dot.contains("entity=\"<script>alert(1)</script>\""));
    let gml = text(&r, OutputFormat::Graphml);
    assert!(gml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(gml.matches("<node id=").count(), addresses(&r).len());
    assert_eq!(gml.matches("<edge id=").count(), r.flows.len());
    assert!(gml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!gml.contains(HOSTILE_LABEL));
    assert!(gml.contains("attr.name=\"amount\" attr.type=\"string\""));
    assert!(gml.contains("attr.name=\"time\" attr.type=\"long\""));
    // A label that tries to close the DOT string stays inside it.
    let mut evil = r.clone();
    evil.exits[0].label = "x\"]; n0 -> n1; a [label=\"".to_string();
    let dot = text(&evil, OutputFormat::Dot);
    let is_edge = |l: &&str| {
        let l = l.trim_start();
        l.starts_with('n')
            && l.split_once(' ')
                .is_some_and(|(_, rest)| rest.starts_with("-> n"))
    };
    assert_eq!(dot.lines().filter(is_edge).count(), r.flows.len());
    assert_eq!(
        dot.lines().count(),
        text(&r, OutputFormat::Dot).lines().count()
    );
}

#[test]
fn stix_bundle_is_linked_and_deterministic() {
    let r = scenario::report();
    let s = text(&r, OutputFormat::Stix);
    assert_eq!(s, text(&r, OutputFormat::Stix), "same report, same bytes");
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["type"], "bundle");
    let objects = v["objects"].as_array().unwrap();
    let ids: BTreeSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objects.len());
    for o in objects {
        let id = o["id"].as_str().unwrap();
        assert!(
            id.starts_with(&format!("{}--", o["type"].as_str().unwrap())),
            "{id}"
        );
        for k in ["created_by_ref", "source_ref", "target_ref"] {
            if let Some(x) = o[k].as_str() {
                assert!(ids.contains(x), "{id} {k} {x}");
            }
        }
        // Times from the report, never the clock.
        if let Some(t) = o["modified"].as_str() {
            assert!(
                t == "2022-03-23T13:46:40.000Z" || t == "2025-01-01T00:00:00.000Z",
                "{t}"
            );
        }
    }
    let report = objects.iter().find(|o| o["type"] == "report").unwrap();
    assert_eq!(
        report["object_refs"].as_array().unwrap().len(),
        objects.len() - 1
    );
    let thief = addr(scenario::THIEF).to_string();
    let indicator = objects
        .iter()
        .find(|o| o["pattern"] == format!("[cryptocurrency-wallet:value = '{thief}']"))
        .expect("an indicator for the seed");
    assert_eq!(indicator["indicator_types"][0], "malicious-activity");
    let exchange = objects
        .iter()
        .find(|o| o["type"] == "identity" && o["name"] == HOSTILE_LABEL)
        .expect("the hostile exchange as an identity");
    assert_eq!(exchange["identity_class"], "organization");
    // Another report gets other ids.
    let mut other = r.clone();
    other.model = "fifo".into();
    let o: serde_json::Value = serde_json::from_str(&text(&other, OutputFormat::Stix)).unwrap();
    assert_ne!(o["id"], v["id"]);
}

#[test]
fn misp_event_has_an_object_per_address() {
    let r = scenario::report();
    let s = text(&r, OutputFormat::Misp);
    assert_eq!(s, text(&r, OutputFormat::Misp));
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let e = &v["Event"];
    assert_eq!(e["date"], "2022-03-23");
    assert_eq!(e["timestamp"], "1648043200");
    let objects = e["Object"].as_array().unwrap();
    assert_eq!(objects.len(), addresses(&r).len());
    let uuids: BTreeSet<&str> = objects
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    for o in objects {
        assert_eq!(o["name"], "coin-address");
        for reference in o["ObjectReference"].as_array().into_iter().flatten() {
            assert!(uuids.contains(reference["referenced_uuid"].as_str().unwrap()));
        }
    }
    let hostile = objects
        .iter()
        .find(|o| o["comment"].as_str().unwrap_or("").contains(HOSTILE_LABEL))
        .expect("the hostile exit");
    assert_eq!(hostile["Attribute"][0]["object_relation"], "address-crypto");
}

#[test]
fn utxo_shaped_flows_and_tx_seeds() {
    // A UTXO report names every input address of a transaction as `from`.
    let flow = |tx: &str, from: &str, to: &str, v: u128, t: u64| FlowEntry {
        tx: tx.into(),
        from: from.into(),
        to: to.into(),
        asset: "BTC".into(),
        amount: v,
        tainted: v,
        time: t,
    };
    let mut r = scenario::report();
    r.seeds = vec![SeedEntry {
        incident: "btc".into(),
        seed: format!("{}:0", "aa".repeat(32)),
        found: true,
    }];
    const VICTIM: &str = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
    const THIEF: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    const OTHER: &str = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy";
    const EXCHANGE: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    r.flows = vec![
        flow(&"aa".repeat(32), VICTIM, THIEF, 500, 1_000),
        flow(
            &"bb".repeat(32),
            &format!("{THIEF},{OTHER}"),
            EXCHANGE,
            400,
            2_000,
        ),
        flow(&"cc".repeat(32), "", "op_return", 1, 3_000),
    ];
    r.exits = vec![ExitEntry {
        address: EXCHANGE.into(),
        label: "Kraken".into(),
        category: "exchange".into(),
        asset: "BTC".into(),
        amount: 400,
        first_time: 2_000,
        last_time: 2_000,
        first_tx: "bb".repeat(32),
        last_tx: "bb".repeat(32),
        incidents: BTreeMap::new(),
        probable: 0,
    }];
    r.holders.clear();
    r.conversions.clear();
    let dot = text(&r, OutputFormat::Dot);
    assert_eq!(dot.matches(" -> ").count(), 4, "one edge per input address");
    let html = text(&r, OutputFormat::Html);
    assert!(html.contains("0.000004 BTC"), "satoshis in coin units");
    let dir = tempdir("utxo");
    write_report(
        &r,
        OutputFormat::Csv,
        Destination::Directory(&dir),
        &ExportOptions::default(),
    )
    .unwrap();
    let kraken = read_csv(&dir.join("evidence/kraken.csv"));
    assert_eq!(kraken.len(), 1);
    assert_eq!(
        kraken[0]["path_addresses"],
        format!("{VICTIM} > {THIEF} > {EXCHANGE}")
    );
    let misp: serde_json::Value = serde_json::from_str(&text(&r, OutputFormat::Misp)).unwrap();
    let types: BTreeSet<&str> = misp["Event"]["Object"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Attribute"][0]["type"].as_str().unwrap())
        .collect();
    assert!(types.contains("btc"), "{types:?}");
}

#[test]
fn formats_by_name_and_wrong_destinations() {
    for f in OutputFormat::ALL {
        assert_eq!(f.name().parse::<OutputFormat>().unwrap(), f);
    }
    let r = scenario::report();
    let mut out = Vec::new();
    let err = write_report(
        &r,
        OutputFormat::Csv,
        Destination::Writer(&mut out),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::WrongDestination { .. }), "{err}");
    let err = write_report(
        &r,
        OutputFormat::Html,
        Destination::Directory(Path::new("/nonexistent")),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("one file"), "{err}");
    // text and json through the same function.
    assert!(text(&r, OutputFormat::Text).contains("exits (4 reached):"));
    let json: serde_json::Value = serde_json::from_str(&text(&r, OutputFormat::Json)).unwrap();
    assert_eq!(json["model"], "haircut");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fundtrace-report-formats-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
