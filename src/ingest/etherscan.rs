//! Etherscan CSV exports: the "Download CSV" files of the web site (normal
//! transactions, internal transactions, ERC-20 token transfers; amounts in
//! coin units) and the same lists saved from the Etherscan API
//! (`txlist`, `txlistinternal`, `tokentx`; amounts in base units).
//!
//! The kind of export is told by the header: a token value column
//! (`TokenValue`, `tokenDecimal`) means token transfers; a parent-transaction
//! or trace column (`ParentTxFrom`, `traceId`) means internal transactions;
//! anything else is a normal-transaction export.
//!
//! Decimal amounts are converted to base units exactly; a value with more
//! fractional digits than the asset has decimals is an error, never rounded.
//! Token exports of the web site do not give decimals: they come from
//! `tokenDecimal` when present, else from [`IngestOptions::token_decimals`],
//! else from a built-in table of well-known tokens; an unknown token is an
//! error naming the contract.
//!
//! A normal transaction is identified by its hash: two rows of one hash that
//! differ (values 10000 and 5) contradict each other. Internal and token
//! exports of the web site give no log or trace index: transfers of one
//! transaction are ordered by content (identical rows numbered, then
//! renumbered 0, 1, … by the builder), which does not depend on row order
//! but need not be execution order, and nothing identifies them, so they
//! cannot be checked for contradictions; the same row in two overlapping
//! exports is one transfer. API token exports with `logIndex` are
//! identified by (transaction, log index).
//!
//! [`IngestOptions::token_decimals`]: super::IngestOptions::token_decimals

use std::io::BufRead;

use super::records::{Context, Fields, Occurrences};
use super::table::{any_of, csv_header_names, for_each_record, Field, Values};
use super::time::parse_time;
use super::{Encoding, IngestError};
use crate::ledger::{Address, Asset, LedgerBuilder, Sink, TransferKind, TransferRecord};

/// Parses a token's decimals as the command line gives them:
/// `CONTRACT:N`, an EVM address and 0 to 38.
///
/// ```
/// use fundtrace::ingest::etherscan::parse_token_decimals;
/// let (_, n) = parse_token_decimals("0xdac17f958d2ee523a2206206994597c13d831ec7:6").unwrap();
/// assert_eq!(n, 6);
/// assert!(parse_token_decimals("0xdac17f958d2ee523a2206206994597c13d831ec7:39").is_err());
/// ```
///
/// # Errors
///
/// A message naming the part that is wrong.
pub fn parse_token_decimals(s: &str) -> Result<(crate::Address, u32), String> {
    let (addr, n) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("expected CONTRACT:DECIMALS, got {s:?}"))?;
    let addr = crate::Address::parse_evm_checked(addr).map_err(|e| format!("{addr:?}: {e}"))?;
    let n: u32 = n
        .parse()
        .ok()
        .filter(|&d| d <= MAX_DECIMALS)
        .ok_or_else(|| {
            format!("{n:?}: decimals must be a whole number from 0 to {MAX_DECIMALS}")
        })?;
    Ok((addr, n))
}

/// The most decimals a token may have: a `u128` amount holds 38 digits.
const MAX_DECIMALS: u32 = 38;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum ExportKind {
    Normal,
    Internal,
    Token,
}

const HASH: Field = any_of(&["Txhash", "Transaction Hash", "hash"], true);
const BLOCK: Field = any_of(&["Blockno", "blockNumber"], true);
const TIME: Field = any_of(&["UnixTimestamp", "timeStamp"], true);
const FROM: Field = any_of(&["From", "from"], true);
const TO: Field = any_of(&["To", "TxTo", "to"], false);
const CONTRACT: Field = any_of(&["ContractAddress", "contractAddress"], false);
const VALUE_IN: Field = any_of(&["Value_IN(ETH)", "Value_IN"], false);
const VALUE_OUT: Field = any_of(&["Value_OUT(ETH)", "Value_OUT"], false);
const VALUE_WEI: Field = any_of(&["value"], false);
const TOKEN_VALUE: Field = any_of(&["TokenValue", "Quantity"], false);
const TOKEN_DECIMALS: Field = any_of(&["tokenDecimal"], false);
const STATUS: Field = any_of(&["Status", "isError"], false);
const ERR_CODE: Field = any_of(&["ErrCode", "errCode"], false);
const RECEIPT_STATUS: Field = any_of(&["txreceipt_status"], false);
const FEE_ETH: Field = any_of(&["TxnFee(ETH)", "TxnFee"], false);
const GAS_USED: Field = any_of(&["gasUsed"], false);
const GAS_PRICE: Field = any_of(&["gasPrice"], false);
const POSITION: Field = any_of(&["transactionIndex"], false);
const LOG_INDEX: Field = any_of(&["logIndex"], false);

const FIELDS: &[Field] = &[
    HASH,
    BLOCK,
    TIME,
    FROM,
    TO,
    CONTRACT,
    VALUE_IN,
    VALUE_OUT,
    VALUE_WEI,
    TOKEN_VALUE,
    TOKEN_DECIMALS,
    STATUS,
    ERR_CODE,
    RECEIPT_STATUS,
    FEE_ETH,
    GAS_USED,
    GAS_PRICE,
    POSITION,
    LOG_INDEX,
];

fn kind_of(headers: &[String]) -> ExportKind {
    let has = |n: &str| headers.iter().any(|h| h == n);
    if has("TokenValue") || has("tokenDecimal") || has("TokenSymbol") || has("tokenSymbol") {
        ExportKind::Token
    } else if has("ParentTxFrom") || has("traceId") || has("ParentTxETH_Value") {
        ExportKind::Internal
    } else {
        ExportKind::Normal
    }
}

/// Reads one export.
pub(crate) fn read(
    b: &mut LedgerBuilder,
    input: &mut impl BufRead,
    ctx: &mut Context<'_, '_>,
) -> Result<(), IngestError> {
    let headers = csv_header_names(input).map_err(|source| IngestError::Io {
        path: ctx.path.clone(),
        source,
    })?;
    let kind = kind_of(&headers);
    let chain = b.chain("ethereum", "ETH");
    let fees_wanted = ctx.fees_wanted();
    // Numbers identical rows of one transaction, so that they stay distinct
    // transfers whatever the row order.
    let mut occurrences = Occurrences::new();
    for_each_record(input, Encoding::Csv, FIELDS, ctx, |v: &Values<'_>, ctx| {
        b.at_line(v.line);
        let f = Fields { ctx, line: v.line };
        let hash = f.hash(v.name(0), v.req(0))?;
        let block: u64 = f.uint(v.name(1), v.req(1))?;
        let time = parse_time(v.req(2))
            .ok_or_else(|| ctx.field_error(v.line, v.name(2), v.req(2), "not a unix time"))?;
        let from = f.evm_address(v.name(3), v.req(3))?;
        let to = f.opt_evm_address(v.name(4), v.get(4).unwrap_or(""))?;
        let contract = f.opt_evm_address(v.name(5), v.get(5).unwrap_or(""))?;
        let position: Option<u32> = v.get(17).map(|s| f.uint(v.name(17), s)).transpose()?;
        let failed = match (v.get(11), v.get(13)) {
            (_, Some("0")) => true,
            (Some(s), _) => s != "0" && !s.is_empty(),
            (None, _) => v.get(12).is_some_and(|e| !e.trim().is_empty()),
        };
        let (asset, amount) = match kind {
            ExportKind::Token => {
                let token = contract.clone().ok_or_else(|| {
                    ctx.field_error(
                        v.line,
                        v.name(5),
                        "",
                        "token export row without contract address",
                    )
                })?;
                if let Some(raw) = v.get(8) {
                    (Asset::Token(token), f.base_units(v.name(8), raw)?)
                } else {
                    let decimals = match v.get(10) {
                        Some(d) => {
                            let n: u32 = f.uint(v.name(10), d)?;
                            // As `--token-decimals`: a u128 holds 38 digits.
                            if n > MAX_DECIMALS {
                                return Err(ctx.field_error(
                                    v.line,
                                    v.name(10),
                                    d,
                                    "decimals must be a whole number from 0 to 38",
                                ));
                            }
                            n
                        }
                        None => ctx
                            .token_decimals(&token)
                            .or_else(|| crate::assets::known_token(&token).map(|t| t.decimals))
                            .ok_or_else(|| {
                                ctx.field_error(
                                    v.line,
                                    v.name(5),
                                    &token.to_string(),
                                    "decimals of this token are unknown (give them with --token-decimals ADDR:N)",
                                )
                            })?,
                    };
                    let text = v.get(9).unwrap_or("0");
                    (
                        Asset::Token(token),
                        f.decimal_units(v.name(9), text, decimals)?,
                    )
                }
            }
            ExportKind::Normal | ExportKind::Internal => {
                let amount = if let Some(wei) = v.get(8) {
                    f.base_units(v.name(8), wei)?
                } else {
                    let vin = f.decimal_units(v.name(6), v.get(6).unwrap_or("0"), 18)?;
                    let vout = f.decimal_units(v.name(7), v.get(7).unwrap_or("0"), 18)?;
                    vin.max(vout)
                };
                (Asset::Native, amount)
            }
        };
        let to = match (to, kind) {
            (Some(t), _) => t,
            (None, ExportKind::Token) => {
                return Err(ctx.field_error(
                    v.line,
                    v.name(4),
                    "",
                    "token transfer without receiver",
                ))
            }
            (None, _) => contract.unwrap_or(Address::Sink(Sink::Creations)),
        };
        let transfer_kind = match kind {
            ExportKind::Normal => TransferKind::Native,
            ExportKind::Internal => TransferKind::Internal,
            ExportKind::Token => TransferKind::Token,
        };
        // Normal transactions are identified by their hash, other rows by
        // their log index when the export has one; rows without are only
        // numbered (see `Occurrences`).
        let keyed = kind == ExportKind::Normal || v.get(18).is_some();
        let sub_index = match (kind, v.get(18)) {
            (ExportKind::Normal, _) => 0,
            (_, Some(li)) => f.uint(v.name(18), li)?,
            _ => {
                let key = (
                    hash,
                    from.clone(),
                    to.clone(),
                    amount,
                    match &asset {
                        Asset::Token(t) => Some(t.clone()),
                        Asset::Native => None,
                    },
                );
                occurrences.next(key)
            }
        };
        let fee = if kind == ExportKind::Normal && fees_wanted {
            match (v.get(14), v.get(15), v.get(16)) {
                (Some(eth), _, _) => Some(f.decimal_units(v.name(14), eth, 18)?),
                (None, Some(g), Some(p)) => {
                    let g = f.base_units(v.name(15), g)?;
                    let p = f.base_units(v.name(16), p)?;
                    Some(g.checked_mul(p).ok_or_else(|| {
                        ctx.field_error(
                            v.line,
                            v.name(15),
                            &g.to_string(),
                            "fee overflows 128 bits",
                        )
                    })?)
                }
                _ => None,
            }
        } else {
            None
        };
        if ctx.gas_prices_wanted() {
            // The price the sender set (API exports of normal and token
            // transactions carry `gasPrice` in wei; the web exports have
            // none); a value beyond 64 bits (no real price) is left out.
            // Failed transactions keep theirs: they are transactions of
            // the ledger too.
            let set = v.get(16).map(|s| f.base_units(v.name(16), s));
            if let Some(p) = set.transpose()?.and_then(|p| u64::try_from(p).ok()) {
                b.record_gas_price(hash, p);
            }
        }
        let record = |kind, to, asset, amount, sub_index| TransferRecord {
            chain,
            tx_hash: hash,
            block,
            time,
            tx_position: 0,
            kind,
            sub_index,
            from: from.clone(),
            to,
            asset,
            amount,
        };
        if to == Address::Sink(Sink::Creations) {
            ctx.warn(
                "contract creation without created address: its value goes to the creations sink",
            );
        }
        if failed {
            b.add_transaction_loose(chain, hash, block, Some(time), position)
                .map_err(|e| ctx.conflict(v.line, e))?;
            ctx.ignore("failed transaction (value not moved)");
        } else {
            let r = record(transfer_kind, to, asset, amount, sub_index);
            let pushed = if keyed {
                b.push_checked(r, Some(time), position)
            } else {
                b.push_unkeyed(r, Some(time), position)
            };
            pushed.map_err(|e| ctx.conflict(v.line, e))?;
        }
        if let Some(fee) = fee.filter(|&x| x > 0) {
            b.push_checked(
                record(
                    TransferKind::Fee,
                    Address::Sink(Sink::Fees),
                    Asset::Native,
                    fee,
                    0,
                ),
                Some(time),
                position,
            )
            .map_err(|e| ctx.conflict(v.line, e))?;
        }
        ctx.accepted();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_from, Format, IngestOptions};
    use crate::{Ledger, TransferId};

    fn load(csv: &str, options: &mut IngestOptions<'_>) -> Result<Ledger, IngestError> {
        let mut b = LedgerBuilder::new();
        read_from(
            &mut b,
            "export.csv",
            Format::Etherscan,
            Encoding::Csv,
            csv.as_bytes(),
            options,
        )?;
        Ok(b.build()?)
    }

    const H1: &str = "0x0359814b48479156b804c8330878214943204c597d88affcb164d04907fa2b25";
    const A: &str = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2";
    const B: &str = "0x36ed3c0213565530c35115d93a80f9c04d94e4cb";

    #[test]
    fn normal_export_converts_coin_amounts_and_fees_exactly() {
        let csv = format!(
            "\"Txhash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"ContractAddress\",\"Value_IN(ETH)\",\"Value_OUT(ETH)\",\"CurrentValue @ $2000/Eth\",\"TxnFee(ETH)\",\"TxnFee(USD)\",\"Historical $Price/Eth\",\"Status\",\"ErrCode\",\"Method\"\n\
             \"{H1}\",\"21895451\",\"1740149771\",\"2025-02-21 14:56:11\",\"{A}\",\"{B}\",\"\",\"0\",\"10000\",\"1\",\"0.000123456789012345\",\"0.3\",\"2700\",\"\",\"\",\"Transfer\"\n"
        );
        let l = load(&csv, &mut IngestOptions::default()).unwrap();
        assert_eq!(l.transfer_count(), 2);
        let t = l.transfer(TransferId(0));
        assert_eq!(t.amount, 10_000 * 10u128.pow(18));
        assert_eq!(l.address(t.to).to_string(), B);
        assert_eq!(l.transfer(TransferId(1)).amount, 123_456_789_012_345);
        assert_eq!(l.time(TransferId(0)), 1_740_149_771);
    }

    #[test]
    fn token_export_needs_decimals_and_refuses_extra_precision() {
        let token = "0x1111111111111111111111111111111111111111";
        let csv = format!(
            "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,TokenValue,USDValueDayOfTx,ContractAddress,TokenName,TokenSymbol\n\
             {H1},1,100,x,{A},{B},\"1,000.5\",0,{token},T,T\n"
        );
        let err = load(&csv, &mut IngestOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("decimals of this token are unknown"),
            "{err}"
        );
        assert!(err.to_string().contains("export.csv:2"), "{err}");
        let mut o = IngestOptions::default();
        o.token_decimals.insert(token.parse().unwrap(), 2);
        let l = load(&csv, &mut o).unwrap();
        assert_eq!(l.transfer(TransferId(0)).amount, 100_050);
        o.token_decimals.insert(token.parse().unwrap(), 0);
        let err = load(&csv, &mut o).unwrap_err();
        assert!(
            err.to_string().contains("more than 0 decimal places"),
            "{err}"
        );
    }

    #[test]
    fn token_decimal_column_is_capped_like_the_flag() {
        let token = "0x1111111111111111111111111111111111111111";
        let csv = |d: &str| {
            format!(
                "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,TokenValue,USDValueDayOfTx,ContractAddress,TokenName,TokenSymbol,tokenDecimal\n\
                 {H1},1,100,x,{A},{B},2.5,0,{token},T,T,6\n\
                 {H1},1,100,x,{A},{B},1,0,{token},T,T,{d}\n"
            )
        };
        let l = load(&csv("38"), &mut IngestOptions::default()).unwrap();
        let mut amounts: Vec<u128> = (0..2).map(|i| l.transfer(TransferId(i)).amount).collect();
        amounts.sort_unstable();
        assert_eq!(amounts, [2_500_000, 10u128.pow(38)]);
        let t = std::time::Instant::now();
        let err = load(&csv("4294967295"), &mut IngestOptions::default()).unwrap_err();
        assert!(t.elapsed().as_secs() < 1);
        let msg = err.to_string();
        assert!(
            msg.contains("export.csv:3") && msg.contains("tokenDecimal") && msg.contains("0 to 38"),
            "{msg}"
        );
        assert!(load(&csv("39"), &mut IngestOptions::default()).is_err());
    }

    #[test]
    fn api_exports_in_base_units_and_identical_internal_rows_stay_distinct() {
        let csv = format!(
            "blockNumber,timeStamp,hash,from,to,value,contractAddress,input,type,gas,gasUsed,traceId,isError,errCode\n\
             5,50,{H1},{A},{B},7,,,call,0,0,0_1,0,\n\
             5,50,{H1},{A},{B},7,,,call,0,0,0_2,0,\n\
             5,50,{H1},{B},{A},9,,,call,0,0,0_3,1,reverted\n"
        );
        let l = load(&csv, &mut IngestOptions::default()).unwrap();
        assert_eq!(l.transfer_count(), 2);
        assert!(l
            .transfers()
            .all(|t| t.kind == TransferKind::Internal && t.amount == 7));
        assert_eq!(l.duplicates_dropped(), 0);
        assert_eq!(
            l.inputs()[0]
                .ignored
                .get("failed transaction (value not moved)"),
            Some(&1)
        );
    }

    #[test]
    fn api_exports_carry_gas_prices_when_asked() {
        let h2 = "0x1359814b48479156b804c8330878214943204c597d88affcb164d04907fa2b25";
        let csv = format!(
            "blockNumber,timeStamp,hash,from,to,value,gas,gasPrice,isError,txreceipt_status\n\
             5,50,{H1},{A},{B},7,21000,12345678901,0,1\n\
             6,60,{h2},{B},{A},9,21000,99999999999999999999999,1,0\n"
        );
        let tx = |l: &Ledger, h: &str| {
            let hash = crate::ledger::parse_hash32(h).unwrap();
            l.tx_by_hash(&hash).unwrap()
        };
        let mut asked = IngestOptions {
            gas_prices: true,
            ..IngestOptions::default()
        };
        let l = load(&csv, &mut asked).unwrap();
        assert_eq!(l.gas_price(tx(&l, H1)), Some(12_345_678_901));
        // A failed transaction is still a transaction; a price past 64 bits
        // is no price.
        assert_eq!(l.gas_price(tx(&l, h2)), None);
        let l = load(&csv, &mut IngestOptions::default()).unwrap();
        assert_eq!(l.gas_price(tx(&l, H1)), None);
        // A token export's gasPrice is the transaction's too.
        let token = format!(
            "blockNumber,timeStamp,hash,from,to,value,contractAddress,tokenDecimal,gasPrice\n\
             5,50,{H1},{A},{B},7,{B},6,7000000001\n"
        );
        let l = load(&token, &mut asked).unwrap();
        assert_eq!(l.gas_price(tx(&l, H1)), Some(7_000_000_001));
    }
}
