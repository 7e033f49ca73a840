//! ethereum-etl / BigQuery `crypto_ethereum` exports: `transactions`,
//! `token_transfers` and `traces`, as CSV or JSON lines (same columns), or
//! as Parquet (feature `parquet`: BigQuery's exports, and cryo's
//! `transactions`, `erc20_transfers` and `traces` datasets under their own
//! column names; see `ingest::parquet_input`).
//!
//! Rules (DESIGN §3–§4):
//! - zero-value transactions and token transfers are kept (they change no
//!   balance, but they are part of the record, e.g. address poisoning);
//! - a transaction with `receipt_status` 0 moves no value (its fee is still paid);
//! - the fee is `receipt_gas_used × (receipt_effective_gas_price or gas_price)`,
//!   sent to the fee sink, when `receipt_gas_used` is present;
//! - a contract creation (empty `to_address`) sends its value to
//!   `receipt_contract_address` when present, else to the creations sink
//!   (counted, and a warning is recorded);
//! - internal transfers are traces with status 1, value > 0 and a non-empty
//!   `trace_address` (the top-level call is the transaction's own value);
//!   `delegatecall`, `staticcall` and `callcode` move no value between
//!   addresses; reward and genesis traces (no transaction) are counted and
//!   left out. Traces are ordered within their transaction by `trace_address`
//!   (execution order), whatever the row order, together with the traces of
//!   the same transaction from other `traces` inputs: a trace is identified
//!   by (transaction, `trace_address`), so overlapping exports load as one
//!   and two rows at one trace address that differ contradict each other;
//! - a missing `transaction_index` leaves the position open (taken from
//!   another input, else the transaction sorts after the others of its block);
//! - token transfers are identified and ordered by (transaction,
//!   `log_index`); when the file has no `log_index`, identical rows of one
//!   transaction are numbered so they stay distinct (and are not checked for
//!   contradictions: nothing identifies them); when the file has no
//!   `block_timestamp` or `transaction_index`, they come from the
//!   transactions input (or other records of the same block).

use std::io::BufRead;

use super::records::{Context, Fields, Occurrences};
use super::table::{for_each_record, opt, req, Field, Values};
use super::time::parse_time;
use super::{Encoding, IngestError};
use crate::ledger::{Address, Asset, LedgerBuilder, Movement, Sink, TransferKind, TransferRecord};

/// Chain name and native symbol of ethereum-etl data.
pub const CHAIN: (&str, &str) = ("ethereum", "ETH");

fn time_field(f: &Fields<'_, '_, '_>, name: &str, v: &str) -> Result<u64, IngestError> {
    parse_time(v).ok_or_else(|| {
        f.ctx
            .field_error(f.line, name, v, "not a unix time or UTC date-time")
    })
}

/// Exact amounts in cryo's Parquet datasets (`--u256-types binary string`;
/// its `value_f64` is never read).
const CRYO_VALUE: &[&str] = &["value_string", "value_binary"];

pub(crate) const TX_FIELDS: &[Field] = &[
    req("hash").or_parquet(&["transaction_hash"]),
    req("block_number"),
    opt("transaction_index"),
    req("from_address"),
    opt("to_address"),
    req("value").or_parquet(CRYO_VALUE),
    req("block_timestamp").or_parquet(&["timestamp"]),
    opt("receipt_status").or_parquet(&["success"]),
    opt("receipt_gas_used").or_parquet(&["gas_used"]),
    opt("gas_price"),
    opt("receipt_effective_gas_price"),
    opt("receipt_contract_address"),
];

/// A `transactions` record with its fields decoded: what
/// [`apply_transaction`] adds to the builder. Decoding needs nothing but the
/// record, so it can run on another thread (see `ingest::parallel`).
#[derive(Debug)]
pub(crate) struct TxRecord {
    line: u64,
    hash: [u8; 32],
    block: u64,
    position: Option<u32>,
    from: Address,
    to: Option<Address>,
    value: crate::amount::Amount,
    time: u64,
    failed: bool,
    fee: Option<crate::amount::Amount>,
    created: Option<Address>,
    /// The gas price the sender set, when asked for: its error is told
    /// only once the transaction is recorded, as it always was.
    gas_price: Result<Option<u64>, Box<IngestError>>,
}

impl TxRecord {
    /// The line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Whether the gas price asked for is an error (told when applied,
    /// with the record's raw bytes for the rejects).
    pub(crate) fn gas_price_failed(&self) -> bool {
        self.gas_price.is_err()
    }
}

/// Decodes a `transactions` record (every field error, in field order).
pub(crate) fn decode_transaction(
    v: &Values<'_>,
    ctx: &Context<'_, '_>,
) -> Result<TxRecord, IngestError> {
    let f = Fields { ctx, line: v.line };
    let hash = f.hash(v.name(0), v.req(0))?;
    let block: u64 = f.uint(v.name(1), v.req(1))?;
    let position: Option<u32> = v.get(2).map(|s| f.uint(v.name(2), s)).transpose()?;
    let from = f.evm_address(v.name(3), v.req(3))?;
    let to = f.opt_evm_address(v.name(4), v.get(4).unwrap_or(""))?;
    let value = f.base_units(v.name(5), v.req(5))?;
    let time = time_field(&f, v.name(6), v.req(6))?;
    let failed = match v.get(7) {
        None => false,
        Some(s) => match s.trim() {
            "1" | "true" => false,
            "0" | "false" => true,
            other => return Err(ctx.field_error(v.line, v.name(7), other, "expected 0 or 1")),
        },
    };
    let gas_used = v.get(8).map(|s| f.base_units(v.name(8), s)).transpose()?;
    // The price only matters with the gas used (exports without
    // receipts have a gas price but no fee).
    let price = match (gas_used, v.get(10)) {
        (None, _) => None,
        (Some(_), Some(s)) => Some(f.base_units(v.name(10), s)?),
        (Some(_), None) => v.get(9).map(|s| f.base_units(v.name(9), s)).transpose()?,
    };
    let created = f.opt_evm_address(v.name(11), v.get(11).unwrap_or(""))?;
    let fee = match (gas_used, price) {
        (Some(g), Some(p)) if ctx.fees_wanted() => Some(g.checked_mul(p).ok_or_else(|| {
            ctx.field_error(
                v.line,
                "receipt_gas_used",
                v.req(8),
                "fee overflows 128 bits",
            )
        })?),
        _ => None,
    };
    let gas_price = if ctx.gas_prices_wanted() {
        // The price the sender set; a value beyond 64 bits (no real
        // price) is left out.
        let set = v.get(9).or(v.get(10)).map(|s| f.base_units(v.name(9), s));
        set.transpose()
            .map(|p| p.and_then(|p| u64::try_from(p).ok()))
            .map_err(Box::new)
    } else {
        Ok(None)
    };
    Ok(TxRecord {
        line: v.line,
        hash,
        block,
        position,
        from,
        to,
        value,
        time,
        failed,
        fee,
        created,
        gas_price,
    })
}

/// Adds a decoded `transactions` record to the builder.
pub(crate) fn apply_transaction(
    b: &mut LedgerBuilder,
    chain: crate::ChainId,
    r: TxRecord,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    let line = r.line;
    let tx = b
        .add_transaction_loose(chain, r.hash, r.block, Some(r.time), r.position)
        .map_err(|e| ctx.conflict(line, e))?;
    if let Some(p) = r.gas_price.map_err(|e| *e)? {
        b.record_gas_price(r.hash, p);
    }
    // The fee is built first so that `from` is cloned only when there is one.
    let fee = r.fee.filter(|&x| x > 0).map(|fee| Movement {
        kind: TransferKind::Fee,
        sub_index: 0,
        from: r.from.clone(),
        to: Address::Sink(Sink::Fees),
        asset: Asset::Native,
        amount: fee,
    });
    if r.failed {
        ctx.ignore("failed transaction (value not moved)");
    } else {
        let to = match (r.to, r.created) {
            (Some(t), _) => t,
            (None, Some(c)) => c,
            (None, None) => {
                ctx.warn("contract creation without receipt_contract_address: its value goes to the creations sink");
                Address::Sink(Sink::Creations)
            }
        };
        let movement = Movement {
            kind: TransferKind::Native,
            sub_index: 0,
            from: r.from,
            to,
            asset: Asset::Native,
            amount: r.value,
        };
        b.push_in_checked(tx, movement)
            .map_err(|e| ctx.conflict(line, e))?;
    }
    if let Some(movement) = fee {
        b.push_in_checked(tx, movement)
            .map_err(|e| ctx.conflict(line, e))?;
    }
    ctx.accepted();
    Ok(())
}

/// Reads a `transactions` file: CSV on several threads when the options
/// allow (`ingest::parallel`; the same ledger, counts and errors as one).
pub(crate) fn read_transactions(
    b: &mut LedgerBuilder,
    input: &mut impl BufRead,
    encoding: Encoding,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    let chain = b.chain(CHAIN.0, CHAIN.1);
    if encoding == Encoding::Csv {
        if let Some(workers) = super::parallel::workers(ctx) {
            return super::parallel::read_transactions_csv(b, chain, input, ctx, workers);
        }
    }
    for_each_record(input, encoding, TX_FIELDS, ctx, |v: &Values<'_>, ctx| {
        b.at_line(v.line);
        let r = decode_transaction(v, ctx)?;
        apply_transaction(b, chain, r, ctx)
    })
}

const TOKEN_FIELDS: &[Field] = &[
    req("token_address").or_parquet(&["erc20"]),
    req("from_address"),
    req("to_address"),
    req("value").or_parquet(CRYO_VALUE),
    req("transaction_hash"),
    opt("log_index"),
    req("block_number"),
    opt("block_timestamp"),
    opt("transaction_index"),
];

/// Reads a `token_transfers` file.
pub(crate) fn read_token_transfers(
    b: &mut LedgerBuilder,
    input: &mut impl BufRead,
    encoding: Encoding,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    let chain = b.chain(CHAIN.0, CHAIN.1);
    // Without log_index, identical rows of one transaction are numbered so
    // they stay distinct whatever the row order.
    let mut occurrences = Occurrences::new();
    for_each_record(input, encoding, TOKEN_FIELDS, ctx, |v: &Values<'_>, ctx| {
        b.at_line(v.line);
        let f = Fields { ctx, line: v.line };
        let token = f.evm_address(v.name(0), v.req(0))?;
        let from = f.evm_address(v.name(1), v.req(1))?;
        let to = f.evm_address(v.name(2), v.req(2))?;
        let value = f.base_units(v.name(3), v.req(3))?;
        let hash = f.hash(v.name(4), v.req(4))?;
        let log_index: Option<u32> = v.get(5).map(|s| f.uint(v.name(5), s)).transpose()?;
        let keyed = log_index.is_some();
        let log_index = match log_index {
            Some(i) => i,
            None => occurrences.next((hash, token.clone(), from.clone(), to.clone(), value)),
        };
        let block: u64 = f.uint(v.name(6), v.req(6))?;
        let time = v.get(7).map(|s| time_field(&f, v.name(7), s)).transpose()?;
        let position: Option<u32> = v.get(8).map(|s| f.uint(v.name(8), s)).transpose()?;
        let record = TransferRecord {
            chain,
            tx_hash: hash,
            block,
            time: 0,
            tx_position: 0,
            kind: TransferKind::Token,
            sub_index: log_index,
            from,
            to,
            asset: Asset::Token(token),
            amount: value,
        };
        let pushed = if keyed {
            b.push_checked(record, time, position)
        } else {
            b.push_unkeyed(record, time, position)
        };
        pushed.map_err(|e| ctx.conflict(v.line, e))?;
        ctx.accepted();
        Ok(())
    })
}

const TRACE_FIELDS: &[Field] = &[
    opt("transaction_hash"),
    req("block_number"),
    opt("transaction_index"),
    opt("from_address").or_parquet(&["action_from"]),
    // cryo: `action_to`, or for a creation the created `result_address`.
    opt("to_address").or_parquet(&["action_to", "result_address"]),
    req("value").or_parquet(&["action_value"]),
    opt("trace_type").or_parquet(&["action_type"]),
    opt("call_type").or_parquet(&["action_call_type"]),
    opt("trace_address"),
    opt("status"),
    opt("error"),
    opt("block_timestamp"),
];

fn parse_trace_address(s: &str) -> Option<Vec<u32>> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    if s.trim().is_empty() {
        return Some(Vec::new());
    }
    s.split(',').map(|p| p.trim().parse().ok()).collect()
}

/// Reads a `traces` file.
pub(crate) fn read_traces(
    b: &mut LedgerBuilder,
    input: &mut impl BufRead,
    encoding: Encoding,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    let chain = b.chain(CHAIN.0, CHAIN.1);
    for_each_record(input, encoding, TRACE_FIELDS, ctx, |v: &Values<'_>, ctx| {
        b.at_line(v.line);
        let f = Fields { ctx, line: v.line };
        let value = f.base_units(v.name(5), v.req(5))?;
        let block: u64 = f.uint(v.name(1), v.req(1))?;
        let path = match v.get(8) {
            None => Vec::new(),
            Some(s) => parse_trace_address(s).ok_or_else(|| {
                ctx.field_error(v.line, v.name(8), s, "expected comma-separated integers")
            })?,
        };
        let failed = match v.get(9) {
            Some(s) => s.trim() != "1",
            None => v.get(10).is_some(),
        };
        let call_type = v.get(7).unwrap_or("");
        let Some(hash_text) = v.get(0) else {
            ctx.ignore("reward or genesis trace (no transaction)");
            ctx.accepted();
            return Ok(());
        };
        let hash = f.hash(v.name(0), hash_text)?;
        let time = v
            .get(11)
            .map(|s| time_field(&f, v.name(11), s))
            .transpose()?;
        let position: Option<u32> = v.get(2).map(|s| f.uint(v.name(2), s)).transpose()?;
        let reason = if failed {
            Some("failed trace")
        } else if value == 0 {
            Some("zero value")
        } else if path.is_empty() {
            Some("top-level call (the transaction's own value)")
        } else if matches!(call_type, "delegatecall" | "staticcall" | "callcode") {
            Some("delegatecall, staticcall or callcode (no value between addresses)")
        } else {
            None
        };
        if let Some(r) = reason {
            ctx.ignore(r);
            ctx.accepted();
            return Ok(());
        }
        let from = f.evm_address(v.name(3), v.get(3).unwrap_or(""))?;
        let to = match f.opt_evm_address(v.name(4), v.get(4).unwrap_or(""))? {
            Some(t) => t,
            None => {
                ctx.warn(
                    "creation trace without created address: its value goes to the creations sink",
                );
                Address::Sink(Sink::Creations)
            }
        };
        // Ranked by trace address with the traces of the same transaction
        // from every input when the ledger is built.
        b.push_trace(chain, hash, path, block, time, position, from, to, value);
        ctx.accepted();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::parse_trace_address;

    #[test]
    fn trace_addresses_in_csv_and_json_forms() {
        assert_eq!(parse_trace_address(""), Some(vec![]));
        assert_eq!(parse_trace_address("0,1,2"), Some(vec![0, 1, 2]));
        assert_eq!(parse_trace_address("[0, 1]"), Some(vec![0, 1]));
        assert_eq!(parse_trace_address("[]"), Some(vec![]));
        assert_eq!(parse_trace_address("a"), None);
    }
}
