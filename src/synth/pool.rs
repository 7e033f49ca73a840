//! A generated mixer pool that is not in any registry, with ground truth:
//! which deposit every withdrawal spends, and which withdrawals were made
//! carelessly (to the depositor's own address, with the deposit's
//! distinctive gas price, or to an address that then transacts with the
//! depositor).
//!
//! One contract takes two denominations (1 and 10 ETH). Users deposit and
//! withdraw in the background; a thief splits stolen ETH over a few
//! wallets, deposits it in 10 ETH notes, and the recipients of its
//! withdrawals pay everything to exchange deposit addresses. Careful
//! withdrawals go through a relayer (which sends the transaction and takes
//! a fee) to a fresh address.
//!
//! ```
//! use fundtrace::synth::pool::{generate_pool, PoolGenConfig};
//! let s = generate_pool(&PoolGenConfig { slots: 2_000, ..PoolGenConfig::default() });
//! assert!(s.notes.iter().filter(|n| n.stolen).count() >= 10);
//! assert!(s.ledger.gas_price(s.ledger.transfer(fundtrace::TransferId::from_usize(0)).tx).is_some());
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;

use super::Rng;
use crate::amount::Amount;
use crate::ledger::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

const ETH: Amount = 1_000_000_000_000_000_000;
const GWEI: u64 = 1_000_000_000;
const START_TIME: u64 = 1_650_000_000;
const START_BLOCK: u64 = 14_500_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolGenConfig {
    /// Transactions (one per 12-second block).
    pub slots: usize,
    /// Ordinary users.
    pub users: u64,
    /// Exchanges (a hot wallet and deposit addresses each).
    pub exchanges: u64,
    /// Share of withdrawals (percent) paid to the depositor's own address.
    pub address_reuse: u32,
    /// Share of withdrawals (percent) sent by the recipient with the
    /// deposit's distinctive gas price.
    pub gas_reuse: u32,
    /// Share of withdrawals (percent) to a fresh address that later pays the
    /// depositor.
    pub linked: u32,
    /// Number of 10 ETH notes the thief deposits.
    pub stolen_notes: u64,
    /// PRNG seed.
    pub seed: u64,
}

impl Default for PoolGenConfig {
    fn default() -> Self {
        PoolGenConfig {
            slots: 8_000,
            users: 300,
            exchanges: 4,
            address_reuse: 20,
            gas_reuse: 10,
            linked: 5,
            stolen_notes: 20,
            seed: 0x5eed_9001,
        }
    }
}

/// How a withdrawal was made.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Behaviour {
    /// Through a relayer to a fresh address.
    Careful,
    /// To the depositor's own address, sent by it.
    AddressReuse,
    /// To a fresh address that sends it itself, with the gas price the
    /// deposit used (not a whole number of gwei, used by no one else).
    GasReuse,
    /// Through a relayer to a fresh address that later pays the depositor.
    Linked,
}

impl Behaviour {
    /// Whether the withdrawal gives its deposit away.
    #[must_use]
    pub fn careless(self) -> bool {
        self != Behaviour::Careful
    }
}

/// One note: a deposit and the withdrawal that spends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The deposit transaction.
    pub deposit_tx: [u8; 32],
    /// Who deposited.
    pub depositor: Address,
    /// The withdrawal transaction (none when the generation ended first).
    pub withdrawal_tx: Option<[u8; 32]>,
    /// Who was paid.
    pub recipient: Address,
    /// Denomination, wei.
    pub denomination: Amount,
    /// How the withdrawal was made.
    pub behaviour: Behaviour,
    /// Whether the note holds stolen value (the thief's).
    pub stolen: bool,
    /// For stolen notes: the exchange deposit address the recipient paid
    /// (index of the exchange, address), once paid.
    pub cashed_out: Option<(u64, Address)>,
}

/// One generated transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolGenTx {
    /// Hash.
    pub hash: [u8; 32],
    /// Block (one transaction per block).
    pub block: u64,
    /// Time.
    pub time: u64,
    /// Sender.
    pub from: Address,
    /// Receiver of its own value.
    pub to: Address,
    /// Its own value, wei.
    pub value: Amount,
    /// Gas price, wei.
    pub gas_price: u64,
    /// Internal transfers (from, to, value).
    pub internal: Vec<(Address, Address, Amount)>,
}

/// A generated pool scenario.
#[derive(Clone, Debug)]
pub struct PoolScenario {
    /// The ledger (with gas prices).
    pub ledger: Ledger,
    /// The transactions it was built from.
    pub txs: Vec<PoolGenTx>,
    /// The pool contract (no registry knows it).
    pub pool: Address,
    /// Its denominations, wei.
    pub denominations: Vec<Amount>,
    /// Every note, in deposit order.
    pub notes: Vec<Note>,
    /// The address that received the stolen value (the seed).
    pub thief: Address,
    /// Per exchange: hot wallet and deposit addresses.
    pub exchanges: Vec<(Address, Vec<Address>)>,
    /// The relayers.
    pub relayers: Vec<Address>,
}

fn address(seed: u64, role: u8, index: u64) -> Address {
    let mut r = Rng(seed ^ (u64::from(role) << 56) ^ index.wrapping_mul(0x1000_0000_01b3));
    let mut bytes = [0u8; 20];
    for chunk in bytes.chunks_mut(8) {
        let v = r.next().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    Address::Evm(bytes)
}

/// What happens at a slot.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// The theft: the victim pays the thief.
    Theft,
    /// The thief pays its wallets.
    Split,
    /// The thief's wallet `w` deposits a 10 ETH note.
    StolenDeposit(u64),
    /// Withdraw note `n`.
    Withdraw(usize),
    /// Note `n`'s recipient pays the depositor (linked withdrawals).
    PayBack(usize),
    /// Stolen note `n`'s recipient pays an exchange.
    CashOut(usize),
}

/// Which behaviour a withdrawal gets, by the configured shares.
fn pick_behaviour(cfg: &PoolGenConfig, rng: &mut Rng) -> Behaviour {
    let r = rng.below(100) as u32;
    if r < cfg.address_reuse {
        Behaviour::AddressReuse
    } else if r < cfg.address_reuse + cfg.gas_reuse {
        Behaviour::GasReuse
    } else if r < cfg.address_reuse + cfg.gas_reuse + cfg.linked {
        Behaviour::Linked
    } else {
        Behaviour::Careful
    }
}

/// Generates the scenario.
///
/// # Panics
///
/// Never for the configurations of [`PoolGenConfig`] under `u32::MAX`
/// slots (the ledger builder refuses nothing the generator makes).
#[must_use]
pub fn generate_pool(cfg: &PoolGenConfig) -> PoolScenario {
    let seed = cfg.seed;
    let mut rng = Rng(seed);
    let pool = address(seed, 0x50, 0);
    let thief = address(seed, 0x70, 0);
    let victim = address(seed, 0x60, 0);
    let user = |i: u64| address(seed, 0x10, i);
    let relayers: Vec<Address> = (0..3).map(|i| address(seed, 0x30, i)).collect();
    let deposits_per_exchange = 20u64;
    let exchanges: Vec<(Address, Vec<Address>)> = (0..cfg.exchanges.max(1))
        .map(|e| {
            (
                address(seed, 0x20, e),
                (0..deposits_per_exchange)
                    .map(|d| address(seed, 0x21, e * 1_000 + d))
                    .collect(),
            )
        })
        .collect();
    let wallets: Vec<Address> = (0..4).map(|i| address(seed, 0x71, i)).collect();
    let denominations = vec![ETH, 10 * ETH];
    let users = cfg.users.max(2);
    let mut notes: Vec<Note> = Vec::new();
    let mut deposit_gas: Vec<u64> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(usize, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 1u64;
    let mut fresh_n = 0u64;
    let mut txs: Vec<PoolGenTx> = Vec::new();
    heap.push(Reverse((cfg.slots / 10, 0, Ev::Theft)));
    for slot in 0..cfg.slots {
        let due = match heap.peek() {
            Some(Reverse((s, _, _))) if *s <= slot => heap.pop().map(|Reverse((_, _, e))| e),
            _ => None,
        };
        let mut later: Vec<(usize, Ev)> = Vec::new();
        let mut tx = PoolGenTx {
            hash: [0; 32],
            block: START_BLOCK + slot as u64,
            time: START_TIME + 12 * slot as u64,
            from: victim.clone(),
            to: victim.clone(),
            value: 0,
            gas_price: (5 + rng.below(60) as u64) * GWEI,
            internal: Vec::new(),
        };
        let mut h = Rng(seed ^ 0x706f_6f6c ^ (slot as u64).wrapping_mul(0x9e37_79b9));
        for chunk in tx.hash.chunks_mut(8) {
            chunk.copy_from_slice(&h.next().to_le_bytes());
        }
        // A deposit: (depositor, denomination, stolen, forced behaviour).
        let mut deposit: Option<(Address, Amount, bool, Option<Behaviour>)> = None;
        match due {
            Some(Ev::Theft) => {
                tx.to = thief.clone();
                tx.value = 10 * ETH * u128::from(cfg.stolen_notes);
                later.push((slot + 1, Ev::Split));
                for i in 0..cfg.stolen_notes {
                    later.push((slot + 10 + 7 * i as usize, Ev::StolenDeposit(i % 4)));
                }
            }
            Some(Ev::Split) => {
                let share = 10 * ETH * u128::from(cfg.stolen_notes) / 4;
                tx.from = thief.clone();
                tx.to = wallets[0].clone();
                tx.value = share;
                for w in &wallets[1..] {
                    tx.internal.push((thief.clone(), w.clone(), share));
                }
            }
            Some(Ev::StolenDeposit(w)) => {
                let k = notes.iter().filter(|n| n.stolen).count();
                // A fixed mix: of every ten stolen notes, two withdrawn to
                // the depositing wallet, one with its gas price, one to an
                // address linked to it, six carefully.
                let forced = match k % 10 {
                    0 | 5 => Behaviour::AddressReuse,
                    2 => Behaviour::GasReuse,
                    7 => Behaviour::Linked,
                    _ => Behaviour::Careful,
                };
                deposit = Some((wallets[w as usize].clone(), 10 * ETH, true, Some(forced)));
            }
            Some(Ev::Withdraw(n)) => {
                let den = notes[n].denomination;
                let b = notes[n].behaviour;
                let recipient = if b == Behaviour::AddressReuse {
                    notes[n].depositor.clone()
                } else {
                    fresh_n += 1;
                    address(seed, 0x40, fresh_n)
                };
                tx.to = pool.clone();
                if matches!(b, Behaviour::AddressReuse | Behaviour::GasReuse) {
                    tx.from = recipient.clone();
                    if b == Behaviour::GasReuse {
                        tx.gas_price = deposit_gas[n];
                    }
                    tx.internal.push((pool.clone(), recipient.clone(), den));
                } else {
                    let relayer = relayers[rng.below(relayers.len())].clone();
                    let fee = den / 200;
                    tx.from = relayer.clone();
                    tx.internal
                        .push((pool.clone(), recipient.clone(), den - fee));
                    tx.internal.push((pool.clone(), relayer, fee));
                }
                notes[n].recipient = recipient;
                notes[n].withdrawal_tx = Some(tx.hash);
                if b == Behaviour::Linked {
                    later.push((slot + 5 + rng.below(40), Ev::PayBack(n)));
                }
                if notes[n].stolen {
                    later.push((slot + 60 + rng.below(60), Ev::CashOut(n)));
                }
            }
            Some(Ev::PayBack(n)) => {
                tx.from = notes[n].recipient.clone();
                tx.to = notes[n].depositor.clone();
                tx.value = ETH / 100;
            }
            Some(Ev::CashOut(n)) => {
                let e = rng.below(exchanges.len()) as u64;
                let d = exchanges[e as usize].1[rng.below(deposits_per_exchange as usize)].clone();
                let den = notes[n].denomination;
                let received = match notes[n].behaviour {
                    Behaviour::AddressReuse | Behaviour::GasReuse => den,
                    _ => den - den / 200,
                };
                let paid_back = if notes[n].behaviour == Behaviour::Linked {
                    ETH / 100
                } else {
                    0
                };
                tx.from = notes[n].recipient.clone();
                tx.to = d.clone();
                tx.value = received - paid_back;
                notes[n].cashed_out = Some((e, d));
            }
            None => {
                let r = rng.below(100);
                let u = rng.below(users as usize) as u64;
                if r < 45 {
                    let v = (rng.below(users as usize - 1) as u64 + u + 1) % users;
                    tx.from = user(u);
                    tx.to = user(v);
                    tx.value = rng.amount(15.0, 19.5);
                } else if r < 65 {
                    let e = rng.below(exchanges.len());
                    tx.from = user(u);
                    tx.to = exchanges[e].1[(u % deposits_per_exchange) as usize].clone();
                    tx.value = rng.amount(16.0, 20.0);
                } else if r < 80 {
                    let e = rng.below(exchanges.len());
                    tx.from = exchanges[e].0.clone();
                    tx.to = user(u);
                    tx.value = rng.amount(16.0, 20.0);
                } else {
                    deposit = Some((user(u), denominations[rng.below(2)], false, None));
                }
            }
        }
        if let Some((who, den, stolen, forced)) = deposit {
            let n = notes.len();
            let b = forced.unwrap_or_else(|| pick_behaviour(cfg, &mut rng));
            if b == Behaviour::GasReuse {
                // Not a whole number of gwei, and different for every note.
                tx.gas_price = (7 + n as u64 % 50) * GWEI + 1 + (n as u64) * 7_919;
            }
            deposit_gas.push(tx.gas_price);
            tx.from = who.clone();
            tx.to = pool.clone();
            tx.value = den;
            notes.push(Note {
                deposit_tx: tx.hash,
                depositor: who,
                withdrawal_tx: None,
                recipient: pool.clone(),
                denomination: den,
                behaviour: b,
                stolen,
                cashed_out: None,
            });
            later.push((slot + 30 + rng.below(1_500), Ev::Withdraw(n)));
        }
        for (at, ev) in later {
            heap.push(Reverse((at, seq, ev)));
            seq += 1;
        }
        txs.push(tx);
    }
    let ledger = build(&txs);
    PoolScenario {
        ledger,
        txs,
        pool,
        denominations,
        notes,
        thief,
        exchanges,
        relayers,
    }
}

fn build(txs: &[PoolGenTx]) -> Ledger {
    let mut b = LedgerBuilder::new();
    let chain = b.chain("ethereum", "ETH");
    let mut failure = None;
    for t in txs {
        let rec = |kind, sub, from: &Address, to: &Address, amount| TransferRecord {
            chain,
            tx_hash: t.hash,
            block: t.block,
            time: t.time,
            tx_position: 0,
            kind,
            sub_index: sub,
            from: from.clone(),
            to: to.clone(),
            asset: Asset::Native,
            amount,
        };
        let mut rows = vec![rec(TransferKind::Native, 0, &t.from, &t.to, t.value)];
        for (i, (f, to, v)) in t.internal.iter().enumerate() {
            rows.push(rec(TransferKind::Internal, i as u32 + 1, f, to, *v));
        }
        for r in rows {
            if let Err(e) = b.push(r) {
                failure.get_or_insert(e);
            }
        }
        b.record_gas_price(t.hash, t.gas_price);
    }
    match failure.map_or_else(|| b.build(), Err) {
        Ok(l) => l,
        Err(e) => panic!("generated ledger refused: {e}"),
    }
}

impl PoolScenario {
    /// Writes the scenario as ethereum-etl `transactions.csv` (with
    /// `gas_price`) and `traces.csv` (the pool's payouts and other internal
    /// transfers).
    ///
    /// # Errors
    ///
    /// I/O errors of the writers.
    pub fn write_csv(
        &self,
        mut transactions: impl Write,
        mut traces: impl Write,
    ) -> std::io::Result<()> {
        writeln!(
            transactions,
            "hash,block_number,transaction_index,from_address,to_address,value,block_timestamp,gas_price"
        )?;
        writeln!(
            traces,
            "transaction_hash,block_number,transaction_index,from_address,to_address,value,trace_type,call_type,trace_address,block_timestamp,status"
        )?;
        for t in &self.txs {
            writeln!(
                transactions,
                "0x{},{},0,{},{},{},{},{}",
                hex::encode(t.hash),
                t.block,
                t.from,
                t.to,
                t.value,
                t.time,
                t.gas_price
            )?;
            for (i, (f, to, v)) in t.internal.iter().enumerate() {
                writeln!(
                    traces,
                    "0x{},{},0,{},{},{},call,call,{},{},1",
                    hex::encode(t.hash),
                    t.block,
                    f,
                    to,
                    v,
                    i,
                    t.time
                )?;
            }
        }
        Ok(())
    }

    /// Labels as CSV (`address,entity,category`): every exchange address,
    /// and, when `pool_label`, the pool as a mixer.
    #[must_use]
    pub fn labels_csv(&self, pool_label: bool) -> String {
        let mut out = String::from("address,entity,category\n");
        for (e, (hot, deposits)) in self.exchanges.iter().enumerate() {
            out.push_str(&format!("{hot},Exchange {e},exchange\n"));
            for d in deposits {
                out.push_str(&format!("{d},Exchange {e},exchange\n"));
            }
        }
        if pool_label {
            out.push_str(&format!("{},Unlisted mixer,mixer\n", self.pool));
        }
        out
    }
}
