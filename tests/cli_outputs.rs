//! `--out` (and `--rejects`) naming an input is refused before anything is
//! read, in every command that writes output (issue 14, Done-when 4). The
//! inputs here are not valid files: had a command read them first, it would
//! fail with a parse error instead of the refusal.

mod common;

use std::path::{Path, PathBuf};

use common::fundtrace;

const A: &str = "0x1111111111111111111111111111111111111111";
const B: &str = "0x2222222222222222222222222222222222222222";
const GARBAGE: &[u8] = b"not a ledger, not labels\n\x01\x02\n";

/// A fresh folder with `names` holding garbage.
fn setup(tag: &str, names: &[&str]) -> (PathBuf, Vec<String>) {
    let dir = std::env::temp_dir().join(format!(
        "fundtrace-cli-outputs-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let paths = names
        .iter()
        .map(|n| {
            let p = dir.join(n);
            std::fs::write(&p, GARBAGE).unwrap();
            p.to_str().unwrap().to_string()
        })
        .collect();
    (dir, paths)
}

/// The command failed with the refusal naming `input`, and `input` is intact.
fn assert_refused(args: &[&str], input: &str) {
    let out = fundtrace(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(
        err.contains("refusing to overwrite") && err.contains(input),
        "{args:?}: {err}"
    );
    assert_eq!(std::fs::read(input).unwrap(), GARBAGE, "{input} changed");
}

fn cleanup(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn inspect_refuses_out_or_rejects_over_an_input() {
    let (dir, p) = setup("inspect", &["tx.csv"]);
    let tx = p[0].as_str();
    assert_refused(
        &["inspect", "--transactions", tx, "--address", A, "--out", tx],
        tx,
    );
    assert_refused(
        &[
            "inspect",
            "--transactions",
            tx,
            "--address",
            A,
            "--lenient",
            "--rejects",
            tx,
        ],
        tx,
    );
    // The same file under another spelling.
    let other = format!(
        "{}/./../{}/tx.csv",
        dir.display(),
        dir.file_name().unwrap().to_str().unwrap()
    );
    assert_refused(
        &[
            "inspect",
            "--transactions",
            tx,
            "--address",
            A,
            "--out",
            &other,
        ],
        tx,
    );
    cleanup(&dir);
}

#[test]
fn paths_refuses_out_over_a_ledger_or_a_label_file() {
    let (dir, p) = setup("paths", &["tx.csv", "labels.csv", "list.txt"]);
    let (tx, labels, list) = (p[0].as_str(), p[1].as_str(), p[2].as_str());
    let list_spec = format!("{list}:exchange");
    for out in [tx, labels, list] {
        assert_refused(
            &[
                "paths",
                "--transactions",
                tx,
                "--labels",
                labels,
                "--list",
                &list_spec,
                "--from",
                A,
                "--to",
                B,
                "--k",
                "3",
                "--out",
                out,
            ],
            out,
        );
    }
    cleanup(&dir);
}

#[test]
fn flow_refuses_out_over_an_input() {
    let (dir, p) = setup("flow", &["tt.csv", "pack.yaml"]);
    let (tt, pack) = (p[0].as_str(), p[1].as_str());
    for out in [tt, pack] {
        assert_refused(
            &[
                "flow",
                "--token-transfers",
                tt,
                "--tagpack",
                pack,
                "--from",
                A,
                "--to",
                B,
                "--out",
                out,
            ],
            out,
        );
    }
    cleanup(&dir);
}

#[test]
fn demix_refuses_out_over_pool_events_or_a_ledger() {
    let (dir, p) = setup("demix", &["deposits_eth_100.json", "tx.csv"]);
    let (events, tx) = (p[0].as_str(), p[1].as_str());
    for out in [events, tx] {
        assert_refused(
            &[
                "demix",
                "--pool",
                A,
                "--pool-events",
                events,
                "--transactions",
                tx,
                "--out",
                out,
            ],
            out,
        );
    }
    cleanup(&dir);
}

#[test]
fn cluster_refuses_out_over_an_input() {
    let (dir, p) = setup("cluster", &["blocks.json"]);
    let blocks = p[0].as_str();
    assert_refused(&["cluster", "--btc-json", blocks, "--out", blocks], blocks);
    cleanup(&dir);
}

#[test]
fn trace_and_compare_refuse_out_over_labels_and_seeds_files() {
    let (dir, p) = setup("trace", &["tx.csv", "labels.csv", "seeds.txt"]);
    let (tx, labels, seeds) = (p[0].as_str(), p[1].as_str(), p[2].as_str());
    for cmd in ["trace", "compare"] {
        for out in [tx, labels, seeds] {
            assert_refused(
                &[
                    cmd,
                    "--transactions",
                    tx,
                    "--labels",
                    labels,
                    "--seeds-file",
                    seeds,
                    "--seed",
                    A,
                    "--out",
                    out,
                ],
                out,
            );
        }
    }
    cleanup(&dir);
}
