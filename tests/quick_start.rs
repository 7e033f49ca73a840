//! The README's main command, taken from the README itself, run on the
//! sample shipped in the repo: a trace that reaches labelled exchanges,
//! with amounts in coin units and symbols, ISO times and labels, in lines
//! of at most 100 columns.

mod common;

fn main_command() -> Vec<String> {
    let readme = include_str!("../README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- trace"))
        .expect("the README has a main command");
    line.trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn the_main_command_reaches_labelled_exchanges_in_readable_units() {
    let args = main_command();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::fundtrace(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let exits = text
        .lines()
        .find_map(|l| l.strip_prefix("exits ("))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("an exits heading with a count");
    assert!(exits >= 2, "{text}");
    let exit_lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("exits ("))
        .skip(2)
        .take(exits)
        .collect();
    assert!(
        exit_lines.iter().filter(|l| l.contains("Exchange")).count() >= 2,
        "exits at labelled exchanges: {text}"
    );
    for l in &exit_lines {
        assert!(l.contains(" ETH "), "coin units with the symbol: {l}");
        assert!(!l.contains("000000000000000000 "), "not wei: {l}");
        assert!(
            l.split_whitespace()
                .any(|w| w.len() == 20 && w.ends_with('Z') && w.contains('T')),
            "an ISO 8601 UTC time: {l}"
        );
    }
    assert!(text.contains("why taint stops here"), "{text}");
    for l in text.lines() {
        assert!(l.chars().count() <= 100, "over 100 columns: {l:?}");
    }
}

#[test]
fn the_main_command_s_json_report_verifies() {
    let dir = std::env::temp_dir().join(format!("fundtrace-qs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.json");
    let mut args = main_command();
    args.extend([
        "--json".into(),
        "--out".into(),
        report.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::fundtrace(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::fundtrace(&["verify", &report.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
