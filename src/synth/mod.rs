//! A deterministic generator of synthetic account-chain ledgers with the
//! shape real theft cases have, for benchmarks, tests and examples.
//!
//! The same [`GenConfig`] always gives the same transfers, on every
//! platform (the generator carries its own small PRNG, SplitMix64, rather
//! than depending on a crate whose streams may change between versions).
//!
//! Shape:
//! - **background**: users send to users with power-law activity (a few
//!   addresses send and receive most transfers) and log-uniform amounts;
//! - **exchanges**: users deposit to per-user deposit addresses, which are
//!   swept to the exchange's hot wallet a little later; hot wallets pay
//!   withdrawals out to users;
//! - **a mixer pool** of one fixed denomination: deposits of exactly the
//!   denomination, each withdrawn later to a fresh address;
//! - **thefts**: a victim sends a large amount to a theft address (the
//!   seed); the thief splits it over several fresh addresses, each of which
//!   runs a peel chain (a small payment to an exchange deposit address at
//!   every hop, the rest onward) and ends in the mixer or at an exchange.
//!
//! ```
//! use fundtrace::synth::{generate, GenConfig};
//! let g = generate(&GenConfig { transfers: 2_000, ..GenConfig::default() });
//! assert_eq!(g.ledger.transfer_count(), 2_000);
//! assert_eq!(g.thefts.len(), 5);
//! ```

pub mod pool;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;

use crate::amount::Amount;
use crate::ledger::{Address, Asset, Ledger, LedgerBuilder, TransferKind, TransferRecord};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenConfig {
    /// Number of transfers (one per transaction).
    pub transfers: usize,
    /// Number of ordinary users (default: a fifth of the transfers).
    pub users: Option<usize>,
    /// Number of exchanges.
    pub exchanges: usize,
    /// Number of thefts.
    pub thefts: usize,
    /// Fresh addresses each theft is split over.
    pub theft_split: usize,
    /// Hops of each peel chain.
    pub peel_hops: usize,
    /// Denomination of the mixer pool, wei.
    pub mixer_denomination: Amount,
    /// PRNG seed.
    pub seed: u64,
    /// Transactions per block (12 seconds apart).
    pub per_block: usize,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            transfers: 100_000,
            users: None,
            exchanges: 8,
            thefts: 5,
            theft_split: 4,
            peel_hops: 12,
            mixer_denomination: 100 * ETH,
            seed: 0x00f0_0d5e_ed00_2025,
            per_block: 150,
        }
    }
}

const ETH: Amount = 1_000_000_000_000_000_000;
const START_TIME: u64 = 1_600_000_000;
const START_BLOCK: u64 = 11_000_000;

/// A generated theft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedTheft {
    /// The theft address (the seed of a trace).
    pub address: Address,
    /// When the stolen value arrived.
    pub time: u64,
    /// How much was stolen, wei.
    pub amount: Amount,
}

/// A generated ledger and what is known about its actors.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The ledger.
    pub ledger: Ledger,
    /// The thefts, in time order.
    pub thefts: Vec<GeneratedTheft>,
    /// Exchange hot wallets.
    pub exchange_hot_wallets: Vec<Address>,
    /// Exchange deposit addresses (swept to the hot wallets).
    pub exchange_deposits: Vec<Address>,
    /// The mixer pool.
    pub mixer: Address,
}

/// SplitMix64: small, fast, and fixed forever.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Power-law index in [0, n): low indices are much more likely.
    fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((n as f64) * u * u * u) as usize % n.max(1)
    }

    /// Log-uniform amount between 10^lo and 10^hi wei, rounded to gwei.
    fn amount(&mut self, lo: f64, hi: f64) -> Amount {
        let e = lo + (hi - lo) * self.unit();
        let v = 10f64.powf(e) as u128;
        (v / 1_000_000_000).max(1) * 1_000_000_000
    }
}

/// Address roles, mixed into the address bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Role {
    User = 1,
    Hot = 2,
    Deposit = 3,
    Fresh = 4,
    Mixer = 5,
    Victim = 6,
    Thief = 7,
}

fn address(seed: u64, role: Role, index: u64) -> Address {
    let mut r = Rng(seed ^ ((role as u64) << 56) ^ index.wrapping_mul(0x1000_0000_01b3));
    let mut bytes = [0u8; 20];
    for chunk in bytes.chunks_mut(8) {
        let v = r.next().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    Address::Evm(bytes)
}

/// A transfer waiting for its slot.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Scheduled {
    from: (Role, u64),
    to: (Role, u64),
    amount: Amount,
    /// What happens when it is emitted.
    then: Then,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Then {
    Nothing,
    /// A deposit to an exchange deposit address: sweep it later.
    Sweep {
        exchange: u64,
    },
    /// A mixer deposit: withdraw the denomination later to a fresh address.
    MixerWithdraw,
    /// A peel-chain hop with this many hops left.
    Peel {
        hops_left: u32,
    },
    /// The arrival of a theft: split it.
    Split,
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// One generated transfer, before it becomes a ledger or CSV row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenTransfer {
    /// Transaction hash.
    pub hash: [u8; 32],
    /// Block number.
    pub block: u64,
    /// Block time.
    pub time: u64,
    /// Position in block.
    pub position: u32,
    /// Sender.
    pub from: Address,
    /// Receiver.
    pub to: Address,
    /// Amount, wei.
    pub amount: Amount,
}

/// Calls `emit` for every generated transfer, in event order, and returns
/// the thefts and actors.
pub fn generate_with(
    cfg: &GenConfig,
    mut emit: impl FnMut(GenTransfer),
) -> (Vec<GeneratedTheft>, Vec<Address>, Vec<Address>, Address) {
    let n = cfg.transfers;
    let users = cfg.users.unwrap_or(n / 5).max(16) as u64;
    let exchanges = cfg.exchanges.max(1) as u64;
    let deposits_per_exchange = (users / 4).max(1);
    let mut rng = Rng(cfg.seed);
    let mut heap: BinaryHeap<Reverse<(usize, u64, Scheduled)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut fresh = 0u64;
    let mut thefts = Vec::new();
    // Thefts spread over the middle of the ledger.
    for t in 0..cfg.thefts {
        let slot = n / 10 + t * (n / 2) / cfg.thefts.max(1);
        let amount = (1_000 + rng.below(20_000) as u128) * ETH;
        thefts.push((slot, t as u64, amount));
        heap.push(Reverse((
            slot,
            seq,
            Scheduled {
                from: (Role::Victim, t as u64),
                to: (Role::Thief, t as u64),
                amount,
                then: Then::Split,
            },
        )));
        seq += 1;
    }
    let mut theft_times = Vec::new();
    let per_block = cfg.per_block.max(1);
    for slot in 0..n {
        let block = START_BLOCK + (slot / per_block) as u64;
        let time = START_TIME + (slot / per_block) as u64 * 12;
        let ev = match heap.peek() {
            Some(Reverse((due, _, _))) if *due <= slot => heap.pop().map(|Reverse((_, _, e))| e),
            _ => None,
        };
        let ev = ev.unwrap_or_else(|| {
            let r = rng.unit();
            let user = rng.skewed(users as usize) as u64;
            if r < 0.55 {
                let to = rng.skewed(users as usize) as u64;
                Scheduled {
                    from: (Role::User, user),
                    to: (Role::User, if to == user { (to + 1) % users } else { to }),
                    amount: rng.amount(15.0, 20.0),
                    then: Then::Nothing,
                }
            } else if r < 0.80 {
                let e = rng.below(exchanges as usize) as u64;
                Scheduled {
                    from: (Role::User, user),
                    to: (
                        Role::Deposit,
                        e * deposits_per_exchange + user % deposits_per_exchange,
                    ),
                    amount: rng.amount(16.0, 21.0),
                    then: Then::Sweep { exchange: e },
                }
            } else if r < 0.98 {
                let e = rng.below(exchanges as usize) as u64;
                Scheduled {
                    from: (Role::Hot, e),
                    to: (Role::User, user),
                    amount: rng.amount(16.0, 21.0),
                    then: Then::Nothing,
                }
            } else {
                Scheduled {
                    from: (Role::User, user),
                    to: (Role::Mixer, 0),
                    amount: cfg.mixer_denomination,
                    then: Then::MixerWithdraw,
                }
            }
        });
        // Follow-up events.
        let later =
            |rng: &mut Rng, min: usize, spread: usize| slot + min + rng.below(spread.max(1));
        match ev.then {
            Then::Nothing => {}
            Then::Sweep { exchange } => {
                let due = later(&mut rng, 50, 500);
                heap.push(Reverse((
                    due,
                    seq,
                    Scheduled {
                        from: ev.to,
                        to: (Role::Hot, exchange),
                        amount: ev.amount,
                        then: Then::Nothing,
                    },
                )));
                seq += 1;
            }
            Then::MixerWithdraw => {
                fresh += 1;
                let due = later(&mut rng, 200, 5_000);
                heap.push(Reverse((
                    due,
                    seq,
                    Scheduled {
                        from: (Role::Mixer, 0),
                        to: (Role::Fresh, fresh),
                        amount: cfg.mixer_denomination,
                        then: Then::Peel { hops_left: 0 },
                    },
                )));
                seq += 1;
            }
            Then::Split => {
                theft_times.push(time);
                let parts = cfg.theft_split.max(1) as u128;
                let share = ev.amount / parts;
                for p in 0..parts {
                    fresh += 1;
                    let amount = if p + 1 == parts {
                        ev.amount - share * (parts - 1)
                    } else {
                        share
                    };
                    let due = later(&mut rng, 5, 50);
                    heap.push(Reverse((
                        due,
                        seq,
                        Scheduled {
                            from: ev.to,
                            to: (Role::Fresh, fresh),
                            amount,
                            then: Then::Peel {
                                hops_left: cfg.peel_hops as u32,
                            },
                        },
                    )));
                    seq += 1;
                }
            }
            Then::Peel { hops_left } => {
                let holder = ev.to;
                if hops_left > 0 {
                    // A small payment to an exchange deposit address, the rest onward.
                    let peel = ev.amount / (20 + rng.below(30) as u128);
                    let e = rng.below(exchanges as usize) as u64;
                    let deposit = (
                        Role::Deposit,
                        e * deposits_per_exchange
                            + rng.below(deposits_per_exchange as usize) as u64,
                    );
                    let due = later(&mut rng, 2, 40);
                    heap.push(Reverse((
                        due,
                        seq,
                        Scheduled {
                            from: holder,
                            to: deposit,
                            amount: peel,
                            then: Then::Sweep { exchange: e },
                        },
                    )));
                    seq += 1;
                    fresh += 1;
                    heap.push(Reverse((
                        due + 1,
                        seq,
                        Scheduled {
                            from: holder,
                            to: (Role::Fresh, fresh),
                            amount: ev.amount - peel,
                            then: Then::Peel {
                                hops_left: hops_left - 1,
                            },
                        },
                    )));
                    seq += 1;
                } else if holder.0 == Role::Fresh
                    && ev.amount >= cfg.mixer_denomination
                    && rng.below(2) == 0
                {
                    // End of a chain: into the mixer in whole denominations.
                    let k = (ev.amount / cfg.mixer_denomination).min(50);
                    for _ in 0..k {
                        let due = later(&mut rng, 2, 200);
                        heap.push(Reverse((
                            due,
                            seq,
                            Scheduled {
                                from: holder,
                                to: (Role::Mixer, 0),
                                amount: cfg.mixer_denomination,
                                then: Then::MixerWithdraw,
                            },
                        )));
                        seq += 1;
                    }
                } else {
                    // Or cash out at an exchange.
                    let e = rng.below(exchanges as usize) as u64;
                    let due = later(&mut rng, 2, 200);
                    heap.push(Reverse((
                        due,
                        seq,
                        Scheduled {
                            from: holder,
                            to: (
                                Role::Deposit,
                                e * deposits_per_exchange
                                    + rng.below(deposits_per_exchange as usize) as u64,
                            ),
                            amount: ev.amount,
                            then: Then::Sweep { exchange: e },
                        },
                    )));
                    seq += 1;
                }
            }
        }
        let mut h = Rng(cfg.seed ^ 0x7478_6861_7368 ^ (slot as u64).wrapping_mul(0x9e37_79b9));
        let mut hash = [0u8; 32];
        for chunk in hash.chunks_mut(8) {
            chunk.copy_from_slice(&h.next().to_le_bytes());
        }
        emit(GenTransfer {
            hash,
            block,
            time,
            position: (slot % per_block) as u32,
            from: address(cfg.seed, ev.from.0, ev.from.1),
            to: address(cfg.seed, ev.to.0, ev.to.1),
            amount: ev.amount,
        });
    }
    let thefts = thefts
        .iter()
        .zip(theft_times.iter().chain(std::iter::repeat(&0)))
        .map(|(&(_, t, amount), &time)| GeneratedTheft {
            address: address(cfg.seed, Role::Thief, t),
            time,
            amount,
        })
        .filter(|t| t.time > 0)
        .collect();
    let hot = (0..exchanges)
        .map(|e| address(cfg.seed, Role::Hot, e))
        .collect();
    let deposits = (0..exchanges * deposits_per_exchange)
        .map(|d| address(cfg.seed, Role::Deposit, d))
        .collect();
    (thefts, hot, deposits, address(cfg.seed, Role::Mixer, 0))
}

/// Generates a ledger.
///
/// # Panics
///
/// Never for configurations under `u32::MAX` transfers; larger ones are
/// refused by the ledger builder, which this function treats as a bug in
/// the caller.
#[must_use]
pub fn generate(cfg: &GenConfig) -> Generated {
    let mut b = LedgerBuilder::new();
    let chain = b.chain("ethereum", "ETH");
    b.reserve(cfg.transfers);
    let mut failure = None;
    let (thefts, hot, deposits, mixer) = generate_with(cfg, |t| {
        if failure.is_some() {
            return;
        }
        if let Err(e) = b.push(TransferRecord {
            chain,
            tx_hash: t.hash,
            block: t.block,
            time: t.time,
            tx_position: t.position,
            kind: TransferKind::Native,
            sub_index: 0,
            from: t.from,
            to: t.to,
            asset: Asset::Native,
            amount: t.amount,
        }) {
            failure = Some(e);
        }
    });
    let ledger = match failure.map_or_else(|| b.build(), Err) {
        Ok(l) => l,
        Err(e) => panic!("generated ledger refused: {e}"),
    };
    Generated {
        ledger,
        thefts,
        exchange_hot_wallets: hot,
        exchange_deposits: deposits,
        mixer,
    }
}

/// Writes the generated transfers as an ethereum-etl `transactions.csv`
/// (all columns; those the generator does not model are plausible constants),
/// and returns the thefts.
///
/// # Errors
///
/// I/O errors of `out`.
pub fn write_transactions_csv(
    cfg: &GenConfig,
    out: impl Write,
) -> std::io::Result<Vec<GeneratedTheft>> {
    let mut out = std::io::BufWriter::new(out);
    writeln!(
        out,
        "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type"
    )?;
    let mut result = Ok(());
    let (thefts, _, _, _) = generate_with(cfg, |t| {
        if result.is_err() {
            return;
        }
        let mut block_hash = [0u8; 32];
        block_hash[..8].copy_from_slice(&t.block.to_be_bytes());
        result = writeln!(
            out,
            "0x{},{},0x{},{},{},{},{},{},21000,30000000000,0x,{},,,0",
            hex::encode(t.hash),
            t.position,
            hex::encode(block_hash),
            t.block,
            t.position,
            t.from,
            t.to,
            t.amount,
            t.time
        );
    });
    result?;
    out.flush()?;
    Ok(thefts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_from, Encoding, Format, IngestOptions};

    #[test]
    fn generation_is_deterministic_and_csv_matches_the_ledger() {
        let cfg = GenConfig {
            transfers: 3_000,
            ..GenConfig::default()
        };
        let a = generate(&cfg);
        let b = generate(&cfg);
        assert_eq!(a.ledger.amounts(), b.ledger.amounts());
        assert_eq!(a.thefts, b.thefts);
        let mut csv = Vec::new();
        let thefts = write_transactions_csv(&cfg, &mut csv).unwrap();
        assert_eq!(thefts, a.thefts);
        let mut builder = LedgerBuilder::new();
        read_from(
            &mut builder,
            "gen.csv",
            Format::EthTransactions,
            Encoding::Csv,
            &csv[..],
            &mut IngestOptions::default(),
        )
        .unwrap();
        let c = builder.build().unwrap();
        assert_eq!(c.amounts(), a.ledger.amounts());
        assert_eq!(c.senders(), a.ledger.senders());
        assert_eq!(c.receivers(), a.ledger.receivers());
    }

    #[test]
    fn thefts_are_followed_by_splits_and_peels() {
        let g = generate(&GenConfig {
            transfers: 20_000,
            ..GenConfig::default()
        });
        assert_eq!(g.thefts.len(), 5);
        let l = &g.ledger;
        for theft in &g.thefts {
            let id = l.address_id(&theft.address).unwrap();
            let received: Amount = l.transfers().filter(|t| t.to == id).map(|t| t.amount).sum();
            let sent: Amount = l
                .transfers()
                .filter(|t| t.from == id)
                .map(|t| t.amount)
                .sum();
            assert_eq!(received, theft.amount);
            assert_eq!(sent, theft.amount, "the thief splits everything");
            assert_eq!(l.transfers().filter(|t| t.from == id).count(), 4);
        }
        let mixer = l.address_id(&g.mixer).unwrap();
        assert!(l.transfers().any(|t| t.to == mixer));
        assert!(l
            .transfers()
            .filter(|t| t.to == mixer)
            .all(|t| t.amount == 100 * ETH));
    }
}
