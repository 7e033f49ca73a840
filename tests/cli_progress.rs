//! A long load shows its progress on a terminal (here a pseudo-terminal
//! made by `script`, from util-linux) and stays silent when stderr is a
//! pipe or with `--quiet`.

use std::process::Command;

use fundtrace::synth::{write_transactions_csv, GenConfig};

fn ledger_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fundtrace-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("transactions.csv");
    let cfg = GenConfig {
        transfers: 400_000,
        ..GenConfig::default()
    };
    write_transactions_csv(&cfg, std::fs::File::create(&path).unwrap()).unwrap();
    path
}

fn inspect_args(path: &std::path::Path) -> String {
    format!(
        "{} inspect --transactions {} --address 0x0000000000000000000000000000000000000001",
        env!("CARGO_BIN_EXE_fundtrace"),
        path.display()
    )
}

#[test]
fn a_long_load_shows_progress_on_a_terminal_only() {
    let path = ledger_file();
    let tty = Command::new("script")
        .args(["-qec", &inspect_args(&path), "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    assert!(
        tty.status.success(),
        "{}",
        String::from_utf8_lossy(&tty.stderr)
    );
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(
        shown.contains("loading"),
        "no progress on a terminal: {shown:?}"
    );
    let piped = Command::new("sh")
        .args(["-c", &inspect_args(&path)])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("loading"));
    let quiet = Command::new("script")
        .args([
            "-qec",
            &format!("{} --quiet", inspect_args(&path)),
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("loading"));
    let _ = std::fs::remove_file(&path);
}
