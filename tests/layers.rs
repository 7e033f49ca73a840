//! The layers of ARCHITECTURE.md, checked on the source: a module may use
//! only the layers below it. `ingest` knows no analysis, `report` reads no
//! input format, the ledger knows neither, and only the binary (`src/cli`,
//! `src/main.rs`) knows the argument parser.

use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules each module (directory or file under `src/`) may
/// not name, with why.
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "ingest",
        &[
            "trace",
            "paths",
            "graph",
            "heuristics",
            "labels",
            "report",
            "investigation",
            "synth",
        ],
        "ingest reads formats into ledgers and knows no analysis",
    ),
    (
        "ledger",
        &[
            "ingest",
            "trace",
            "paths",
            "graph",
            "heuristics",
            "labels",
            "report",
            "investigation",
            "synth",
        ],
        "the ledger knows nothing about formats, analysis or output",
    ),
    (
        "report",
        &["ingest", "investigation", "synth"],
        "report writes results and reads no input format",
    ),
    (
        "graph",
        &["ingest", "report", "investigation"],
        "analysis does no I/O",
    ),
    (
        "paths",
        &["ingest", "report", "investigation"],
        "analysis does no I/O",
    ),
    (
        "trace",
        &["ingest", "report", "investigation"],
        "analysis does no I/O",
    ),
    (
        "heuristics",
        &["ingest", "report", "investigation"],
        "analysis does no I/O",
    ),
    (
        "labels",
        &[
            "ingest",
            "report",
            "investigation",
            "trace",
            "paths",
            "graph",
        ],
        "labels are data below analysis",
    ),
    (
        "lake",
        &["paths", "graph", "heuristics", "report"],
        "the lake extracts a sub-ledger for an investigation and analyses nothing itself",
    ),
    (
        "amount",
        &["ingest", "ledger", "trace", "report"],
        "amounts are the bottom layer",
    ),
    (
        "id",
        &["ingest", "ledger", "trace", "report"],
        "ids are the bottom layer",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lines of code (comments and doc comments left out) naming `crate::<module>`.
fn offending_lines(text: &str, module: &str) -> Vec<(usize, String)> {
    let needle = format!("crate::{module}");
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.trim_start();
            !code.starts_with("//")
                && code.match_indices(&needle).any(|(i, _)| {
                    let after = code[i + needle.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
        })
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

fn files_of(module: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join(module), &mut files);
    let single = src.join(format!("{module}.rs"));
    if single.exists() {
        files.push(single);
    }
    files.sort();
    files
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let mut broken = Vec::new();
    for (module, forbidden, why) in RULES {
        let files = files_of(module);
        assert!(
            !files.is_empty(),
            "module {module} has no source files: update RULES"
        );
        for f in files {
            let text = fs::read_to_string(&f).expect("source file is readable");
            for target in *forbidden {
                for (line, code) in offending_lines(&text, target) {
                    broken.push(format!(
                        "{}:{line}: {module} uses {target} ({why}): {code}",
                        f.display()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layer violations:\n{}",
        broken.join("\n")
    );
}

#[test]
fn only_the_binary_knows_the_argument_parser() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let cli = src.join("cli");
    let main = src.join("main.rs");
    let mut broken = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&cli) && **f != main) {
        let text = fs::read_to_string(f).expect("source file is readable");
        for (i, l) in text.lines().enumerate() {
            if !l.trim_start().starts_with("//") && l.contains("clap::") {
                broken.push(format!("{}:{}: {}", f.display(), i + 1, l.trim()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "clap outside the binary:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_check_sees_a_violation() {
    let text = "use crate::trace::Model;\n// crate::trace in a comment\nlet x = crate::tracer;\n";
    assert_eq!(offending_lines(text, "trace").len(), 1);
}
