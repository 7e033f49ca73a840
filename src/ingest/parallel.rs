//! CSV `transactions` records decoded on several threads, the ledger built
//! on one, so that the result is the serial one to the byte.
//!
//! The reading thread cuts the input into chunks of about 1 MiB that each
//! start at a record start and end after a `\n`, and hands them round in
//! turn to the decoding threads (splitting, UTF-8 check and field decoding:
//! [`decode_transaction`]). It takes their answers back in the same turn,
//! so in file order, and applies each record to the builder
//! ([`apply_transaction`]) exactly as the serial reader would: the same
//! builder calls in the same order, so the same ids, counts, skips,
//! rejects and first error. The SHA-256 of the input keeps its own thread
//! (`digest.rs`).
//!
//! A cut is only made where it is certainly a record boundary: in a chunk
//! that holds no quote byte at all, every `\n` ends a record. When a quote
//! byte turns up (a quoted field may hold a line end), or no line end turns
//! up in a long stretch, the rest of the file is read by the serial reader,
//! taking over at the last boundary; ethereum-etl exports hold no quotes.
//!
//! Threads are `std::thread::scope` threads and `std::sync::mpsc` channels:
//! nothing here needs a crate.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, ErrorKind, Read};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};

use memchr::{memchr, memchr_iter, memrchr};

use super::csv_split::{CsvSplitter, MAX_RECORD};
use super::ethereum_etl::{apply_transaction, decode_transaction, TxRecord, TX_FIELDS};
use super::records::Context;
use super::table::{csv_body, csv_header, csv_next, csv_values, recycle, CsvColumns, Next};
use super::table::{Values, READ_BUFFER};
use super::{IngestError, IngestOptions};
use crate::ledger::LedgerBuilder;
use crate::ChainId;

/// Bytes per chunk handed to a decoding thread (a few records in unit
/// tests, so that small inputs are cut in many places).
const CHUNK: usize = if cfg!(test) { 150 } else { 1 << 20 };
/// Chunks in flight per decoding thread: enough to keep it busy while the
/// reading thread applies the answers, few enough that memory stays flat.
const DEPTH: usize = 2;
/// Longest stretch without a line end cut into chunks; beyond, the serial
/// reader takes over (and tells an over-long record as it does).
const MAX_STRETCH: usize = if cfg!(test) { 400 } else { MAX_RECORD / 2 };

/// How many decoding threads to use, or `None` to read on one thread.
pub(crate) fn workers(ctx: &Context<'_, '_>) -> Option<usize> {
    match ctx.parse_threads() {
        Some(0) => None,
        Some(n) => Some(n),
        None => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            // The reading thread (which also builds) is the busier: on 1M
            // generated rows it took 59 % of the CPU time, the decoding
            // 30 % and SHA-256 10 %, so one decoding thread per core
            // beyond the first keeps it fed.
            (cores > 1).then_some((cores - 1).min(3))
        }
    }
}

/// A record as a decoding thread leaves it.
enum Decoded {
    /// Decoded; with its raw bytes when applying it will refuse it with
    /// an error the rejects file shows.
    Tx(TxRecord, Option<Vec<u8>>),
    /// Refused: the error, the raw bytes, whether they are only the start
    /// of the record, and the line when the serial reader would have set
    /// the builder's line before refusing it.
    Refused {
        at_line: Option<u64>,
        err: IngestError,
        raw: Vec<u8>,
        truncated: bool,
    },
}

/// A chunk to decode: bytes from a record start to just after a `\n` (or
/// the end of the input), the line it starts on, and a buffer for the
/// answers.
struct Job {
    bytes: Vec<u8>,
    line: u64,
    out: Vec<Decoded>,
}

/// A decoded chunk, its buffers given back for reuse.
struct Done {
    bytes: Vec<u8>,
    out: Vec<Decoded>,
}

/// Decodes every record of a chunk.
fn decode_chunk(job: Job, columns: &CsvColumns, ctx: &Context<'_, '_>) -> Done {
    let Job {
        bytes,
        line,
        mut out,
    } = job;
    out.clear();
    let mut splitter = CsvSplitter::over(bytes, line);
    let mut spare: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(TX_FIELDS.len());
    loop {
        let record = match csv_next(&mut splitter, ctx) {
            Ok(Next::Record(r)) => r,
            Ok(Next::End) => break,
            Ok(Next::Unsplit(err, raw, truncated)) => {
                out.push(Decoded::Refused {
                    at_line: None,
                    err,
                    raw,
                    truncated,
                });
                continue;
            }
            // Bytes in memory cannot fail to read.
            Err(err) => {
                out.push(Decoded::Refused {
                    at_line: None,
                    err,
                    raw: Vec::new(),
                    truncated: false,
                });
                break;
            }
        };
        let values = csv_values(
            &record,
            columns,
            TX_FIELDS,
            ctx,
            recycle(std::mem::take(&mut spare)),
        );
        match values {
            Ok(values) => {
                let decoded = decode_transaction(&values, ctx);
                spare = recycle(Values::into_buffer(values));
                out.push(match decoded {
                    Ok(t) => {
                        let raw = t.gas_price_failed().then(|| record.raw.to_vec());
                        Decoded::Tx(t, raw)
                    }
                    Err(err) => Decoded::Refused {
                        at_line: Some(record.line),
                        err,
                        raw: record.raw.to_vec(),
                        truncated: false,
                    },
                });
            }
            Err((err, buffer)) => {
                spare = recycle(buffer);
                out.push(Decoded::Refused {
                    at_line: None,
                    err: *err,
                    raw: record.raw.to_vec(),
                    truncated: false,
                });
            }
        }
    }
    drop(spare);
    Done {
        bytes: splitter.into_buffer(),
        out,
    }
}

/// A decoding thread: decodes the chunks it is given, in turn.
fn decode_chunks(
    jobs: Receiver<Job>,
    done: Sender<Done>,
    columns: CsvColumns,
    path: String,
    no_fees: bool,
    gas_prices: bool,
) {
    let mut options = IngestOptions {
        no_fees,
        gas_prices,
        ..IngestOptions::default()
    };
    let ctx = Context::new(path, &mut options);
    for job in jobs {
        if done.send(decode_chunk(job, &columns, &ctx)).is_err() {
            return;
        }
    }
}

/// Applies a decoded chunk's records to the builder, as the serial reader
/// does record by record (see `table::csv_body`).
fn apply_chunk(
    b: &mut LedgerBuilder,
    chain: ChainId,
    out: &mut Vec<Decoded>,
    ctx: &mut Context<'_, '_>,
    seen: &mut u64,
) -> Result<(), IngestError> {
    for d in out.drain(..) {
        *seen += 1;
        match d {
            Decoded::Tx(r, raw) => {
                b.at_line(r.line());
                if let Err(e) = apply_transaction(b, chain, r, ctx) {
                    ctx.reject(e, raw.as_deref().unwrap_or(&[]))?;
                }
            }
            Decoded::Refused {
                at_line,
                err,
                raw,
                truncated,
            } => {
                if let Some(line) = at_line {
                    b.at_line(line);
                }
                ctx.reject_with(err, &raw, truncated)?;
            }
        }
    }
    Ok(())
}

/// How the chunked part of the reading ended.
enum Ended {
    /// At the end of the input.
    Input,
    /// Where the serial reader takes over: the bytes read and not yet
    /// decoded, which start at a record start, and their line.
    Serial(Vec<u8>, u64),
}

/// Reads into `carry` until it holds `target` bytes; false at end of input.
fn fill(input: &mut impl Read, carry: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    while carry.len() < target {
        let old = carry.len();
        carry.resize(target, 0);
        let got = loop {
            match input.read(&mut carry[old..]) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match got {
            Ok(n) => {
                carry.truncate(old + n);
                if n == 0 {
                    return Ok(false);
                }
            }
            Err(e) => {
                carry.truncate(old);
                return Err(e);
            }
        }
    }
    Ok(true)
}

/// Reads a CSV `transactions` input with `workers` decoding threads.
pub(crate) fn read_transactions_csv(
    b: &mut LedgerBuilder,
    chain: ChainId,
    input: &mut impl BufRead,
    ctx: &mut Context<'_, '_>,
    workers: usize,
) -> Result<(), IngestError> {
    // The header is read by the serial splitter (byte-order mark, quotes),
    // which then hands over what it read ahead.
    let mut reader = CsvSplitter::new(&mut *input, 2 * READ_BUFFER);
    let columns = csv_header(&mut reader, TX_FIELDS, ctx)?;
    let Some((carry, line, input)) = reader.into_parts() else {
        // Only while an over-long record is dropped, which a header that
        // was read is not.
        return Err(ctx.file_error("unreadable header"));
    };
    let mut seen = 0u64;
    let workers = workers.max(1);
    let (no_fees, gas_prices) = (!ctx.fees_wanted(), ctx.gas_prices_wanted());
    let ended = std::thread::scope(|s| -> Result<Ended, IngestError> {
        let mut lanes = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (job_tx, job_rx) = sync_channel::<Job>(DEPTH);
            let (done_tx, done_rx) = channel::<Done>();
            let (columns, path) = (columns.clone(), ctx.path.clone());
            let spawned = std::thread::Builder::new()
                .name("fundtrace-decode".into())
                .spawn_scoped(s, move || {
                    decode_chunks(job_rx, done_tx, columns, path, no_fees, gas_prices);
                });
            // Where no thread can be started, fewer (or none) decode.
            if spawned.is_ok() {
                lanes.push((job_tx, done_rx));
            }
        }
        let workers = lanes.len();
        if workers == 0 {
            return Ok(Ended::Serial(carry, line));
        }
        let mut inflight: VecDeque<usize> = VecDeque::new();
        let mut spares: Vec<Done> = Vec::new();
        let (mut carry, mut line, mut next_lane) = (carry, line, 0usize);
        let mut receive = |lane: usize,
                           spares: &mut Vec<Done>,
                           b: &mut LedgerBuilder,
                           ctx: &mut Context<'_, '_>|
         -> Result<bool, IngestError> {
            let Ok(mut done) = lanes[lane].1.recv() else {
                // The thread panicked; the scope passes the panic on.
                return Ok(false);
            };
            apply_chunk(b, chain, &mut done.out, ctx, &mut seen)?;
            spares.push(done);
            Ok(true)
        };
        let mut io_error = None;
        let mut target = CHUNK;
        let ended = loop {
            let more = match fill(input, &mut carry, target) {
                Ok(more) => more,
                Err(e) => {
                    io_error = Some(e);
                    false
                }
            };
            if memchr(b'"', &carry).is_some() {
                break Ended::Serial(carry, line);
            }
            let cut = match memrchr(b'\n', &carry) {
                Some(i) => i + 1,
                // The last record, without a line end (not when reading
                // failed: the serial reader stops before it too).
                None if !more && io_error.is_none() => carry.len(),
                None if carry.len() > MAX_STRETCH => break Ended::Serial(carry, line),
                None if more => {
                    target = carry.len() + CHUNK;
                    continue;
                }
                None => 0,
            };
            if cut == 0 {
                break Ended::Input;
            }
            target = CHUNK;
            let (mut next, out) = match spares.pop() {
                Some(d) => (d.bytes, d.out),
                None => (Vec::with_capacity(CHUNK + CHUNK / 4), Vec::new()),
            };
            next.clear();
            next.extend_from_slice(&carry[cut..]);
            carry.truncate(cut);
            let bytes = std::mem::replace(&mut carry, next);
            let lines = memchr_iter(b'\n', &bytes).count() as u64;
            let job = Job { bytes, line, out };
            line += lines;
            let lane = next_lane;
            next_lane = (next_lane + 1) % workers;
            if lanes[lane].0.send(job).is_err() {
                // The thread panicked; the scope passes the panic on.
                break Ended::Input;
            }
            inflight.push_back(lane);
            while inflight.len() >= workers * DEPTH {
                match inflight.pop_front() {
                    Some(l) if receive(l, &mut spares, b, ctx)? => {}
                    _ => break,
                }
            }
            if io_error.is_some() {
                break Ended::Input;
            }
        };
        while let Some(l) = inflight.pop_front() {
            if !receive(l, &mut spares, b, ctx)? {
                break;
            }
        }
        if let Some(source) = io_error {
            return Err(IngestError::Io {
                path: ctx.path.clone(),
                source,
            });
        }
        Ok(ended)
    })?;
    if let Ended::Serial(carry, line) = ended {
        let mut rest = CsvSplitter::resume(carry, line, &mut *input, 2 * READ_BUFFER);
        seen += csv_body(&mut rest, &columns, TX_FIELDS, ctx, &mut |v, ctx| {
            b.at_line(v.line);
            let r = decode_transaction(v, ctx)?;
            apply_transaction(b, chain, r, ctx)
        })?;
    }
    if seen == 0 {
        return Err(ctx.file_error("no records after the header"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::ingest::{read_from, Encoding, Format, IngestOptions};
    use crate::LedgerBuilder;

    /// Everything a read leaves: the ledger (every table, inputs with
    /// digests and counts, conflicts, warnings) or the error, and the
    /// rejects written.
    fn read(csv: &[u8], lenient: bool, threads: usize) -> (String, String) {
        let mut rejects = Vec::new();
        let mut options = IngestOptions {
            lenient,
            rejects: Some(&mut rejects),
            parse_threads: Some(threads),
            gas_prices: true,
            ..IngestOptions::default()
        };
        let mut b = LedgerBuilder::new();
        let read = read_from(
            &mut b,
            "t.csv",
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
            Err(e) => format!("error: {e} at {:?}", e.position()),
        };
        (outcome, String::from_utf8_lossy(&rejects).into_owned())
    }

    fn hash(n: u8) -> String {
        format!("0x{}", format!("{n:02x}").repeat(32))
    }

    fn address(n: u8) -> String {
        format!("0x{}", format!("{n:02x}").repeat(20))
    }

    /// One field value: mostly valid, sometimes bad or quoted.
    fn cell(column: usize, pick: u8, bad: u8) -> String {
        let text = match (column, bad) {
            (_, 0) => "zz".to_string(),
            (_, 1) if column != 4 && column != 7 => String::new(),
            (0, _) => hash(pick % 7),
            (1, _) => format!("{}", 100 + u64::from(pick % 3)),
            (2, _) => format!("{}", pick % 4),
            (3 | 4, _) => address(pick % 9),
            (5, _) => format!("{}", u64::from(pick) * 1_000),
            (6, _) => format!("{}", 1_600_000_000 + u64::from(pick % 3) * 12),
            (7, _) => ["1", "0", "1", "1"][usize::from(pick % 4)].to_string(),
            (8, _) => format!("{}", 21_000 + u64::from(pick)),
            _ => format!("{}", 7 + u64::from(pick % 5)),
        };
        if bad == 2 {
            format!("\"{text}\"")
        } else {
            text
        }
    }

    const HEADER: &str = "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp,receipt_status,receipt_gas_used,gas_price,nonce";

    fn csv(rows: &[(Vec<(u8, u8)>, u8)], crlf: bool) -> Vec<u8> {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut out = format!("{HEADER}{end}");
        for (cells, shape) in rows {
            let mut fields: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, &(pick, bad))| cell(i, pick, bad))
                .collect();
            match shape {
                0 => fields.pop().map(drop).unwrap_or(()),
                1 => out.push_str(end),
                2 => fields[10] = "\"a,\nb\"".into(),
                _ => {}
            }
            out.push_str(&fields.join(","));
            out.push_str(end);
        }
        out.into_bytes()
    }

    fn rows() -> impl Strategy<Value = Vec<(Vec<(u8, u8)>, u8)>> {
        proptest::collection::vec(
            (
                proptest::collection::vec((any::<u8>(), 0u8..60), 11),
                0u8..40,
            ),
            0..40,
        )
    }

    proptest! {
        /// Decoding on 1 to 3 threads gives what one thread gives: the
        /// same ledger or the same first error, the same counted skips and
        /// the same rejects, with quoted fields (also holding line ends),
        /// CRLF, blank lines, repeated and contradicting transactions,
        /// bad values and records with a missing field.
        #[test]
        fn threads_change_nothing(rows in rows(), crlf: bool, lenient: bool) {
            let input = csv(&rows, crlf);
            let serial = read(&input, lenient, 0);
            for threads in 1..=3 {
                prop_assert_eq!(&read(&input, lenient, threads), &serial);
            }
        }

        /// As above, without quotes, so every chunk is decoded in parallel.
        #[test]
        fn threads_change_nothing_without_quotes(rows in rows(), crlf: bool, lenient: bool) {
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(cells, shape)| {
                    let cells = cells.into_iter().map(|(p, b)| (p, if b == 2 { 3 } else { b })).collect();
                    (cells, if shape == 2 { 3 } else { shape })
                })
                .collect();
            let input = csv(&rows, crlf);
            prop_assert!(!input.contains(&b'"'));
            let serial = read(&input, lenient, 0);
            for threads in 1..=3 {
                prop_assert_eq!(&read(&input, lenient, threads), &serial);
            }
        }
    }

    #[test]
    fn a_last_record_without_line_end_and_a_byte_order_mark() {
        let mut input = b"\xef\xbb\xbf".to_vec();
        input.extend_from_slice(&csv(&[(vec![(1, 9); 11], 9), (vec![(2, 9); 11], 9)], false));
        input.pop();
        let serial = read(&input, false, 0);
        assert!(serial.0.starts_with("Ledger"), "{}", serial.0);
        assert_eq!(read(&input, false, 2), serial);
    }
}
