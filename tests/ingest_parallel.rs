//! CSV `transactions` decoded on several threads give exactly what one
//! thread gives, on generated inputs big enough to be cut into many 1 MiB
//! chunks (`src/ingest/parallel.rs` property-tests small random inputs).

use fundtrace::ingest::{read_from, Encoding, Format, IngestOptions};
use fundtrace::synth::{write_transactions_csv, GenConfig};
use fundtrace::LedgerBuilder;

/// The ledger (every table, inputs with digests and counts, conflicts,
/// warnings) or the error, and the rejects written.
fn read(csv: &[u8], lenient: bool, threads: usize) -> (String, String) {
    let mut rejects = Vec::new();
    let mut options = IngestOptions {
        lenient,
        rejects: Some(&mut rejects),
        parse_threads: Some(threads),
        ..IngestOptions::default()
    };
    let mut b = LedgerBuilder::new();
    let read = read_from(
        &mut b,
        "gen.csv",
        Format::EthTransactions,
        Encoding::Csv,
        csv,
        &mut options,
    );
    drop(options);
    let outcome = match read {
        Ok(()) => match b.build() {
            Ok(l) => format!("{l:?}"),
            Err(e) => format!("build error: {e}"),
        },
        Err(e) => format!("error: {e}"),
    };
    (outcome, String::from_utf8_lossy(&rejects).into_owned())
}

fn generated(transfers: usize) -> Vec<u8> {
    let mut csv = Vec::new();
    write_transactions_csv(
        &GenConfig {
            transfers,
            ..GenConfig::default()
        },
        &mut csv,
    )
    .expect("writing to memory");
    csv
}

/// `csv` with line `at` (0-based, after the header) changed by `edit`.
fn edit_line(csv: &[u8], at: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8(csv.to_vec()).expect("generated CSV is UTF-8");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[at + 1] = edit(&lines[at + 1]);
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

#[test]
fn generated_transactions_load_the_same_on_any_number_of_threads() {
    let csv = generated(20_000);
    assert!(csv.len() > 4 << 20, "several chunks: {} bytes", csv.len());
    let serial = read(&csv, false, 0);
    assert!(serial.0.starts_with("Ledger"), "{}", &serial.0[..200]);
    for threads in [1, 2, 3] {
        assert!(read(&csv, false, threads) == serial, "{threads} threads");
    }
}

#[test]
fn bad_rows_repeats_and_a_late_quote_give_the_same_skips_rejects_and_errors() {
    let csv = generated(20_000);
    // A bad value far in, a repeated transaction with another block, a
    // record with a field short, CRLF on one line, and a quoted field
    // near the end (the serial reader takes over there).
    let set = |l: &str, i: usize, v: &str| {
        let mut f: Vec<&str> = l.split(',').collect();
        f[i] = v;
        f.join(",")
    };
    // Columns: hash, nonce, block_hash, block_number, transaction_index,
    // from_address, ...
    assert!(csv.starts_with(b"hash,nonce,block_hash,block_number,transaction_index,from_address,"));
    let csv = edit_line(&csv, 9_000, |l| set(l, 5, "0xzz"));
    let repeat = String::from_utf8(csv.clone())
        .expect("UTF-8")
        .lines()
        .nth(5)
        .map(str::to_string)
        .expect("line 5");
    let csv = edit_line(&csv, 11_000, |_| repeat.clone());
    let csv = edit_line(&csv, 12_000, |_| set(&repeat, 3, "1"));
    let csv = edit_line(&csv, 13_000, |l| {
        l.rsplit_once(',')
            .map_or(String::new(), |p| p.0.to_string())
    });
    let csv = edit_line(&csv, 14_000, |l| format!("{l}\r"));
    let csv = edit_line(&csv, 19_000, |l| {
        let (head, last) = l.rsplit_once(',').expect("fields");
        format!("{head},\"{last}\"")
    });
    for lenient in [false, true] {
        let serial = read(&csv, lenient, 0);
        if lenient {
            assert!(serial.0.starts_with("Ledger"), "{}", &serial.0[..200]);
            assert!(serial.1.lines().count() >= 2, "{}", serial.1);
        } else {
            assert!(serial.0.contains("gen.csv:9002"), "{}", serial.0);
        }
        for threads in [1, 2, 3] {
            let got = read(&csv, lenient, threads);
            assert!(
                got == serial,
                "{threads} threads, lenient {lenient}: {} / {}",
                got.1,
                serial.1
            );
        }
    }
}
