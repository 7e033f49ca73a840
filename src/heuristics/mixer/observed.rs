//! Pool deposits and withdrawals read from a ledger's transfers and traces.

use serde::{Deserialize, Serialize};

use std::collections::{BTreeMap, BTreeSet};

use super::events::{Hash32, PoolEvents};
use super::link::{DepositTx, LinkedAddresses, WithdrawalTx};
use crate::amount::Amount;
use crate::id::{AddressId, AssetId, TransferId, TxIndex};
use crate::ledger::{Address, Ledger, TransferKind};

/// A pool's deposit and withdrawal transactions as a ledger shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTxs {
    /// Deposits, in event order.
    pub deposits: Vec<DepositTx>,
    /// Withdrawals, in event order.
    pub withdrawals: Vec<WithdrawalTx>,
    /// Deposit events left out of linking because the ledger lacks their
    /// transaction or its sender (the event does not name the depositor).
    #[serde(default)]
    pub unmatched: u64,
    /// Withdrawal events whose transaction the ledger lacks: kept (the
    /// event names the recipient, the block and the transaction), with a
    /// time estimated from the deposits' block times (see
    /// [`link_inputs_from_events`]) and no gas price.
    #[serde(default)]
    pub withdrawals_outside_ledger: u64,
}

/// Block → time, from the (block, time) pairs the events and the ledger
/// give: a block's time is the time of the latest known block at or before
/// it plus 12 seconds per block since, kept before the next known block's
/// time so that the order of events never changes.
struct BlockClock(Vec<(u64, u64)>);

impl BlockClock {
    fn new(mut known: Vec<(u64, u64)>) -> BlockClock {
        known.sort_unstable();
        known.dedup_by_key(|(b, _)| *b);
        BlockClock(known)
    }

    fn time(&self, block: u64) -> Option<u64> {
        let i = self.0.partition_point(|&(b, _)| b <= block);
        let (b0, t0) = *self.0.get(i.checked_sub(1)?)?;
        let t = t0.saturating_add(block.saturating_sub(b0).saturating_mul(12));
        Some(match self.0.get(i) {
            Some(&(_, next)) if block > b0 => t.min(next.saturating_sub(1)).max(t0),
            _ => t,
        })
    }
}

/// Each transaction's sender: the sender of its own value transfer or of
/// its fee.
fn senders(ledger: &Ledger) -> BTreeMap<TxIndex, &Address> {
    let mut senders: BTreeMap<TxIndex, &Address> = BTreeMap::new();
    for t in ledger.transfers() {
        if matches!(t.kind, TransferKind::Native | TransferKind::Fee) {
            senders
                .entry(t.tx)
                .or_insert_with(|| ledger.address(t.from));
        }
    }
    senders
}

/// Turns a pool's events into link inputs, taking from the ledger what the
/// events lack: the depositor (the sender of the deposit transaction: its
/// own value transfer or its fee), the gas prices (where the ledger kept
/// them) and the withdrawal's time. The withdrawal's relayer is the
/// event's, else the transaction's sender when that is not the recipient.
///
/// Deposits whose transaction the ledger lacks are counted in
/// [`PoolTxs::unmatched`] (nothing names their depositor). Withdrawals are
/// all kept: those the ledger lacks take their time from the event, else
/// from the block (see [`PoolTxs::withdrawals_outside_ledger`]), and are
/// counted. `denomination` is the pool's, where known.
#[must_use]
pub fn link_inputs_from_events(
    events: &PoolEvents,
    pool: &Address,
    denomination: Option<Amount>,
    ledger: Option<&Ledger>,
) -> PoolTxs {
    let senders = ledger.map(senders).unwrap_or_default();
    let lookup = |h: &Hash32| ledger.and_then(|l| l.tx_by_hash(&h.0).map(|tx| (l, tx)));
    let gas = |l: &Ledger, tx: TxIndex| l.gas_price(tx).map(u128::from);
    let mut known: Vec<(u64, u64)> = Vec::new();
    let mut out = PoolTxs::default();
    for d in &events.deposits {
        let found = lookup(&d.tx).map(|(l, tx)| (l, tx, senders.get(&tx)));
        let time = d
            .timestamp
            .or_else(|| found.map(|(l, tx, _)| l.tx_block(tx).time));
        if let Some(t) = time {
            known.push((d.block, t));
        }
        match (found, time) {
            (Some((l, tx, Some(sender))), Some(time)) => out.deposits.push(DepositTx {
                tx: d.tx,
                depositor: (*sender).clone(),
                time,
                gas_price: gas(l, tx),
                pool: pool.clone(),
                denomination,
            }),
            _ => out.unmatched += 1,
        }
    }
    for w in &events.withdrawals {
        if let Some((l, tx)) = lookup(&w.tx) {
            known.push((w.block, w.timestamp.unwrap_or_else(|| l.tx_block(tx).time)));
        }
    }
    let clock = BlockClock::new(known);
    for w in &events.withdrawals {
        let found = lookup(&w.tx);
        let time = w
            .timestamp
            .or_else(|| found.map(|(l, tx)| l.tx_block(tx).time))
            .or_else(|| clock.time(w.block))
            .unwrap_or(w.block);
        if found.is_none() {
            out.withdrawals_outside_ledger += 1;
        }
        out.withdrawals.push(WithdrawalTx {
            tx: w.tx,
            recipient: w.to.clone(),
            relayer: w.relayer.clone().or_else(|| {
                found
                    .and_then(|(_, tx)| senders.get(&tx))
                    .map(|s| (*s).clone())
                    .filter(|s| s != &w.to)
            }),
            time,
            gas_price: found.and_then(|(l, tx)| gas(l, tx)),
            pool: pool.clone(),
            denomination,
        });
    }
    out
}

/// Pairs of a depositor and a withdrawal recipient of `pools` that
/// transacted with each other directly in the ledger (either way, any
/// asset), each with the first transaction between them as evidence: the
/// input of the linked-addresses heuristic.
///
/// Pool contracts and relayers are left out (everyone transacts with them).
///
/// # Complexity
///
/// One pass over the ledger's transfers: O(E log(D + W)).
#[must_use]
pub fn linked_addresses_in_ledger(
    ledger: &Ledger,
    deposits: &[DepositTx],
    withdrawals: &[WithdrawalTx],
) -> LinkedAddresses {
    let mut out = LinkedAddresses::new();
    let mut excluded: BTreeSet<AddressId> = BTreeSet::new();
    for a in deposits
        .iter()
        .map(|d| &d.pool)
        .chain(withdrawals.iter().map(|w| &w.pool))
        .chain(withdrawals.iter().filter_map(|w| w.relayer.as_ref()))
    {
        if let Some(id) = ledger.address_id(a) {
            excluded.insert(id);
        }
    }
    let ids = |it: &mut dyn Iterator<Item = &Address>| -> BTreeSet<AddressId> {
        it.filter_map(|a| ledger.address_id(a))
            .filter(|id| !excluded.contains(id))
            .collect()
    };
    let depositors = ids(&mut deposits.iter().map(|d| &d.depositor));
    let recipients = ids(&mut withdrawals.iter().map(|w| &w.recipient));
    if depositors.is_empty() || recipients.is_empty() {
        return out;
    }
    let (from, to) = (ledger.senders(), ledger.receivers());
    for i in 0..ledger.transfer_count() {
        let (f, t) = (from[i], to[i]);
        if f == t {
            continue;
        }
        let pair = (depositors.contains(&f) && recipients.contains(&t))
            || (recipients.contains(&f) && depositors.contains(&t));
        if pair {
            let tx = ledger.transfer_txs()[i];
            out.add_with_evidence(
                ledger.address(f).clone(),
                ledger.address(t).clone(),
                Hash32(*ledger.tx_hash(tx)),
            );
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
/// Gas prices come from the ledger where it kept them
/// ([`Ledger::gas_price`]), else are `None`.
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
                gas_price: ledger.gas_price(tx).map(u128::from),
                pool: pool.clone(),
                denomination: Some(denomination),
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
            gas_price: ledger.gas_price(tx).map(u128::from),
            pool: pool.clone(),
            denomination: Some(denomination),
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
        let joined = link_inputs_from_events(&events, &pool, None, Some(&ledger));
        assert_eq!(joined.deposits.len(), 1);
        assert_eq!(joined.deposits[0].depositor, user);
        // The withdrawal the ledger lacks is kept, timed from its block.
        assert_eq!(joined.withdrawals.len(), 2);
        assert_eq!(joined.withdrawals[0].time, 200);
        assert_eq!(joined.withdrawals[1].time, 200 + 100 * 12);
        assert_eq!(joined.withdrawals[1].recipient, fresh);
        assert_eq!(joined.unmatched, 0);
        assert_eq!(joined.withdrawals_outside_ledger, 1);
    }
}
