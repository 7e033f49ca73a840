//! Writes a ledger in fundtrace's own JSON-lines format (its reader is
//! `ingest::own`; the two agree on the fields of [`OwnRecord`] and a
//! round-trip test holds them to it).

use std::io::Write;

use serde::Serialize;

use crate::ledger::{Ledger, TransferKind};
use crate::TxIndex;

/// One line of the own format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnRecord {
    /// `transfer` or `transaction`.
    #[serde(rename = "type")]
    pub record_type: &'static str,
    /// Chain name.
    pub chain: String,
    /// Native symbol of the chain.
    pub symbol: String,
    /// Transaction hash, `0x` and hex.
    pub tx: String,
    /// Block number.
    pub block: u64,
    /// Block time, unix seconds.
    pub time: u64,
    /// Position of the transaction in its block.
    pub position: u32,
    /// Transfer kind (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransferKind>,
    /// Log index or trace rank (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Sender (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Receiver (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Asset name (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// Amount in base units, decimal (transfers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
}

/// Writes `ledger` in the own format: transactions without transfers and
/// every transfer, in event order.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write(ledger: &Ledger, mut out: impl Write) -> std::io::Result<()> {
    let mut has_transfer = vec![false; ledger.tx_count()];
    for &tx in ledger.transfer_txs() {
        has_transfer[tx.index()] = true;
    }
    let tx_record = |tx: TxIndex, record_type| {
        let block = ledger.tx_block(tx);
        let chain = &ledger.chains()[block.chain.index()];
        OwnRecord {
            record_type,
            chain: chain.name.clone(),
            symbol: chain.native_symbol.clone(),
            tx: ledger.tx_hash_hex(tx),
            block: block.number,
            time: block.time,
            position: ledger.tx_position(tx),
            kind: None,
            index: None,
            from: None,
            to: None,
            asset: None,
            amount: None,
        }
    };
    let mut next_transfer = ledger.transfers().peekable();
    for (i, &moves_value) in has_transfer.iter().enumerate() {
        let tx = TxIndex::from_usize(i);
        if !moves_value {
            serde_json::to_writer(&mut out, &tx_record(tx, "transaction"))?;
            out.write_all(b"\n")?;
            continue;
        }
        while let Some(t) = next_transfer.next_if(|t| t.tx == tx) {
            let mut r = tx_record(tx, "transfer");
            r.kind = Some(t.kind);
            r.index = Some(t.sub_index);
            r.from = Some(ledger.address(t.from).to_string());
            r.to = Some(ledger.address(t.to).to_string());
            r.asset = Some(ledger.asset_name(t.asset));
            r.amount = Some(t.amount.to_string());
            serde_json::to_writer(&mut out, &r)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
