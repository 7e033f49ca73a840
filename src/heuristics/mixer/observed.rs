//! Pool deposits and withdrawals read from a ledger's transfers and traces.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::events::{Hash32, PoolEvents};
use super::link::{DepositTx, WithdrawalTx};
use crate::amount::Amount;
use crate::id::{AssetId, TransferId, TxIndex};
use crate::ledger::{Address, Ledger, TransferKind};

/// A pool's deposit and withdrawal transactions as a ledger shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTxs {
    /// Deposits, in event order.
    pub deposits: Vec<DepositTx>,
    /// Withdrawals, in event order.
    pub withdrawals: Vec<WithdrawalTx>,
    /// Events left out because the ledger lacks their transaction (or, for
    /// a deposit, the transaction's sender).
    #[serde(default)]
    pub unmatched: u64,
}

/// Turns a pool's events into link inputs, taking from the ledger what the
/// events lack: the depositor (the sender of the deposit transaction: its
/// own value transfer or its fee) and the withdrawal's time. The
/// withdrawal's relayer is the event's, else the transaction's sender when
/// that is not the recipient. Events whose transaction the ledger lacks are
/// counted in [`PoolTxs::unmatched`].
#[must_use]
pub fn link_inputs_from_events(events: &PoolEvents, pool: &Address, ledger: &Ledger) -> PoolTxs {
    let mut senders: BTreeMap<TxIndex, &Address> = BTreeMap::new();
    for t in ledger.transfers() {
        if matches!(t.kind, TransferKind::Native | TransferKind::Fee) {
            senders
                .entry(t.tx)
                .or_insert_with(|| ledger.address(t.from));
        }
    }
    let mut out = PoolTxs::default();
    for d in &events.deposits {
        let found = ledger
            .tx_by_hash(&d.tx.0)
            .and_then(|tx| Some((tx, *senders.get(&tx)?)));
        match found {
            Some((tx, sender)) => out.deposits.push(DepositTx {
                tx: d.tx,
                depositor: sender.clone(),
                time: d.timestamp.unwrap_or_else(|| ledger.tx_block(tx).time),
                gas_price: None,
                pool: pool.clone(),
            }),
            None => out.unmatched += 1,
        }
    }
    for w in &events.withdrawals {
        match ledger.tx_by_hash(&w.tx.0) {
            Some(tx) => out.withdrawals.push(WithdrawalTx {
                tx: w.tx,
                recipient: w.to.clone(),
                relayer: w.relayer.clone().or_else(|| {
                    senders
                        .get(&tx)
                        .map(|s| (*s).clone())
                        .filter(|s| s != &w.to)
                }),
                time: w.timestamp.unwrap_or_else(|| ledger.tx_block(tx).time),
                gas_price: None,
                pool: pool.clone(),
            }),
            None => out.unmatched += 1,
        }
    }
    out
}

/// Finds the deposits into and withdrawals from `pool` (denomination
/// `denomination` of `asset`) among the ledger's transfers.
///
/// - A *deposit* is a transfer of exactly `denomination` into the pool. The
///   depositor is the transaction's sender (the sender of its own value
///   transfer or of its fee, where the ledger has one), else the transfer's
///   sender (a router or proxy contract).
/// - A *withdrawal* is a transaction whose transfers out of the pool add up
///   to exactly `denomination`: the largest goes to the recipient, another
///   one (the fee) to the relayer. Without a fee transfer, the relayer is
///   the transaction's sender when that is not the recipient.
///
/// Gas prices are not in the ledger: `gas_price` is `None`; fill it in
/// from the transactions export to use the unique-gas-price heuristic.
#[must_use]
pub fn pool_txs_from_ledger(
    ledger: &Ledger,
    pool: &Address,
    asset: AssetId,
    denomination: Amount,
) -> PoolTxs {
    let mut out = PoolTxs::default();
    let Some(pool_id) = ledger.address_id(pool) else {
        return out;
    };
    let txs = ledger.transfer_txs();
    let n = txs.len();
    let mut start = 0;
    while start < n {
        let tx = txs[start];
        let mut end = start + 1;
        while end < n && txs[end] == tx {
            end += 1;
        }
        let ids = (start..end).map(TransferId::from_usize);
        let group: Vec<_> = ids.map(|id| ledger.transfer(id)).collect();
        start = end;
        if !group
            .iter()
            .any(|t| t.asset == asset && (t.from == pool_id || t.to == pool_id))
        {
            continue;
        }
        let hash = Hash32(*ledger.tx_hash(tx));
        let time = ledger.time(group[0].id);
        let sender = group
            .iter()
            .find(|t| matches!(t.kind, TransferKind::Native | TransferKind::Fee))
            .map(|t| ledger.address(t.from).clone());
        for t in group
            .iter()
            .filter(|t| t.asset == asset && t.to == pool_id && t.amount == denomination)
        {
            out.deposits.push(DepositTx {
                tx: hash,
                depositor: sender
                    .clone()
                    .unwrap_or_else(|| ledger.address(t.from).clone()),
                time,
                gas_price: None,
                pool: pool.clone(),
            });
        }
        let mut outs: Vec<_> = group
            .iter()
            .filter(|t| t.asset == asset && t.from == pool_id && t.kind != TransferKind::Fee)
            .collect();
        let total = outs
            .iter()
            .try_fold(0u128, |acc, t| acc.checked_add(t.amount));
        if outs.is_empty() || total != Some(denomination) {
            continue;
        }
        outs.sort_by_key(|t| (std::cmp::Reverse(t.amount), t.id));
        let recipient = ledger.address(outs[0].to).clone();
        let relayer = outs
            .get(1)
            .map(|t| ledger.address(t.to).clone())
            .or_else(|| sender.clone().filter(|s| s != &recipient));
        out.withdrawals.push(WithdrawalTx {
            tx: hash,
            recipient,
            relayer,
            time,
            gas_price: None,
            pool: pool.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Asset, LedgerBuilder, TransferRecord};

    const ETH: u128 = 1_000_000_000_000_000_000;

    #[test]
    fn deposits_and_withdrawals_from_transfers_and_traces() {
        let mut b = LedgerBuilder::new();
        let chain = b.chain("ethereum", "ETH");
        let pool = Address::Evm([0xaa; 20]);
        let user = Address::Evm([1; 20]);
        let router = Address::Evm([2; 20]);
        let fresh = Address::Evm([3; 20]);
        let relayer = Address::Evm([4; 20]);
        let rec = |hash: u8,
                   time: u64,
                   kind: TransferKind,
                   sub: u32,
                   from: &Address,
                   to: &Address,
                   amount: u128| TransferRecord {
            chain,
            tx_hash: [hash; 32],
            block: time,
            time,
            tx_position: 0,
            kind,
            sub_index: sub,
            from: from.clone(),
            to: to.clone(),
            asset: Asset::Native,
            amount,
        };
        // Deposit through a router: user → router (value), router → pool (trace).
        b.push(rec(
            1,
            100,
            TransferKind::Native,
            0,
            &user,
            &router,
            10 * ETH,
        ))
        .unwrap();
        b.push(rec(
            1,
            100,
            TransferKind::Internal,
            1,
            &router,
            &pool,
            10 * ETH,
        ))
        .unwrap();
        // Withdrawal by a relayer: pool → fresh (10 ETH − fee), pool → relayer (fee).
        b.push(rec(
            2,
            200,
            TransferKind::Internal,
            1,
            &pool,
            &fresh,
            10 * ETH - ETH / 10,
        ))
        .unwrap();
        b.push(rec(
            2,
            200,
            TransferKind::Internal,
            2,
            &pool,
            &relayer,
            ETH / 10,
        ))
        .unwrap();
        // Not a deposit: wrong amount.
        b.push(rec(3, 300, TransferKind::Native, 0, &user, &pool, ETH))
            .unwrap();
        let ledger = b.build().unwrap();
        let asset = ledger.asset_by_name("ETH").unwrap();
        let txs = pool_txs_from_ledger(&ledger, &pool, asset, 10 * ETH);
        assert_eq!(txs.deposits.len(), 1);
        assert_eq!(txs.deposits[0].depositor, user);
        assert_eq!(txs.deposits[0].time, 100);
        assert_eq!(txs.withdrawals.len(), 1);
        assert_eq!(txs.withdrawals[0].recipient, fresh);
        assert_eq!(txs.withdrawals[0].relayer.as_ref(), Some(&relayer));
        assert_eq!(txs.withdrawals[0].tx, Hash32([2; 32]));

        // The same transactions as pool events, joined with the ledger.
        let events = PoolEvents {
            pool: Some(pool.clone()),
            deposits: vec![crate::heuristics::mixer::Deposit {
                tx: Hash32([1; 32]),
                block: 100,
                log_index: None,
                timestamp: None,
                commitment: Hash32([9; 32]),
                leaf_index: 0,
            }],
            withdrawals: vec![
                crate::heuristics::mixer::Withdrawal {
                    tx: Hash32([2; 32]),
                    block: 200,
                    log_index: None,
                    timestamp: None,
                    to: fresh.clone(),
                    relayer: None,
                    nullifier_hash: Hash32([8; 32]),
                    fee: ETH / 10,
                },
                crate::heuristics::mixer::Withdrawal {
                    tx: Hash32([7; 32]),
                    block: 300,
                    log_index: None,
                    timestamp: None,
                    to: fresh.clone(),
                    relayer: None,
                    nullifier_hash: Hash32([6; 32]),
                    fee: 0,
                },
            ],
        };
        let joined = link_inputs_from_events(&events, &pool, &ledger);
        assert_eq!(joined.deposits.len(), 1);
        assert_eq!(joined.deposits[0].depositor, user);
        assert_eq!(joined.withdrawals.len(), 1);
        assert_eq!(joined.withdrawals[0].time, 200);
        assert_eq!(joined.unmatched, 1);
    }
}
