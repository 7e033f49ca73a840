//! fundtrace's own JSON-lines format: one object per line, either a transfer
//! or a transaction that moves nothing. It holds everything a [`Ledger`](crate::Ledger)
//! holds, so writing a ledger ([`crate::report::ledger_jsonl::write`]) and
//! reading it back gives the same ledger.
//!
//! ```text
//! {"type":"transfer","chain":"ethereum","symbol":"ETH","tx":"0x…","block":17173049,"time":1683029999,"position":0,"kind":"native","index":0,"from":"0x…","to":"0x…","asset":"ETH","amount":"1642894143"}
//! {"type":"transaction","chain":"ethereum","symbol":"ETH","tx":"0x…","block":17173049,"time":1683029999,"position":5}
//! ```
//!
//! `asset` is the chain's native symbol or a token contract address;
//! `amount` is a decimal string of base units; `kind` is `native`,
//! `internal`, `token` or `fee`; `index` the log or trace rank. `chain` and
//! `symbol` default to `ethereum` and `ETH`.
//!
//! On account chains `(tx, kind, index)` identifies a transfer: a line that
//! repeats another is one transfer, a line with the same identity and other
//! content contradicts it (an error naming both lines; in lenient mode a
//! counted conflict). A ledger built through the public
//! [`LedgerBuilder`] push API with two transfers under one identity can be
//! written but not read back; the ingest readers never build one.

use std::io::BufRead;

use super::records::{Context, Fields};
use super::table::{for_each_record, opt, req, Field, Values};
use super::{Encoding, IngestError};
use crate::ledger::{Address, Asset, LedgerBuilder, TransferKind, TransferRecord};

const FIELDS: &[Field] = &[
    opt("type"),
    opt("chain"),
    opt("symbol"),
    req("tx"),
    req("block"),
    req("time"),
    req("position"),
    opt("kind"),
    opt("index"),
    opt("from"),
    opt("to"),
    opt("asset"),
    opt("amount"),
];

fn address(f: &Fields<'_, '_, '_>, name: &str, v: Option<&str>) -> Result<Address, IngestError> {
    let v = v.ok_or_else(|| f.ctx.field_error(f.line, name, "", "missing"))?;
    v.parse::<Address>()
        .map_err(|e| f.ctx.field_error(f.line, name, v, e))
}

fn is_utxo_chain(name: &str) -> bool {
    crate::ledger::ChainInfo {
        name: name.to_string(),
        native_symbol: String::new(),
    }
    .is_utxo()
}

/// Reads one file of the own format.
pub(crate) fn read(
    b: &mut LedgerBuilder,
    input: &mut impl BufRead,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    for_each_record(
        input,
        Encoding::JsonLines,
        FIELDS,
        ctx,
        |v: &Values<'_>, ctx| {
            b.at_line(v.line);
            let f = Fields { ctx, line: v.line };
            let chain_name = v.get(1).unwrap_or("ethereum");
            let symbol = v.get(2).unwrap_or(match chain_name {
                "bitcoin" => "BTC",
                _ => "ETH",
            });
            let chain = b.chain(chain_name, symbol);
            let hash = f.hash(v.name(3), v.req(3))?;
            let block: u64 = f.uint(v.name(4), v.req(4))?;
            let time: u64 = f.uint(v.name(5), v.req(5))?;
            let position: u32 = f.uint(v.name(6), v.req(6))?;
            match v.get(0).unwrap_or("transfer") {
                "transaction" => {
                    b.add_transaction(chain, hash, block, time, position)
                        .map_err(|e| ctx.conflict(v.line, e))?;
                }
                "transfer" => {
                    let kind = match v.get(7).unwrap_or("") {
                        "native" => TransferKind::Native,
                        "internal" => TransferKind::Internal,
                        "token" => TransferKind::Token,
                        "fee" => TransferKind::Fee,
                        other => {
                            return Err(ctx.field_error(
                                v.line,
                                v.name(7),
                                other,
                                "expected native, internal, token or fee",
                            ))
                        }
                    };
                    let index: u32 = match v.get(8) {
                        Some(s) => f.uint(v.name(8), s)?,
                        None => 0,
                    };
                    let from = address(&f, v.name(9), v.get(9))?;
                    let to = address(&f, v.name(10), v.get(10))?;
                    let asset_name = v.get(11).unwrap_or(symbol);
                    let asset = if asset_name.eq_ignore_ascii_case(symbol) {
                        Asset::Native
                    } else {
                        Asset::Token(address(&f, v.name(11), Some(asset_name))?)
                    };
                    let amount = f.base_units(v.name(12), v.get(12).unwrap_or(""))?;
                    let record = TransferRecord {
                        chain,
                        tx_hash: hash,
                        block,
                        time,
                        tx_position: position,
                        kind,
                        sub_index: index,
                        from,
                        to,
                        asset,
                        amount,
                    };
                    // (transaction, kind, index) identifies a transfer on
                    // account chains; in the address view of a UTXO chain
                    // one output's value is split over the input addresses
                    // under one index, so there it is taken as given.
                    let pushed = if is_utxo_chain(chain_name) {
                        b.push(record)
                    } else {
                        b.push_checked(record, Some(time), Some(position))
                    };
                    pushed.map_err(|e| ctx.conflict(v.line, e))?;
                }
                other => {
                    return Err(ctx.field_error(
                        v.line,
                        v.name(0),
                        other,
                        "expected transfer or transaction",
                    ))
                }
            }
            ctx.accepted();
            Ok(())
        },
    )
}
