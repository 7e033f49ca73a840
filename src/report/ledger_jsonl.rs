//! Writes a ledger in fundtrace's own JSON-lines format (schema and reader:
//! [`crate::ingest::own`]).

use std::io::Write;

use crate::ingest::own::OwnRecord;
use crate::ledger::Ledger;
use crate::TxIndex;

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
