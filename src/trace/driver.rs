//! The chronological driver: one walk over the ledger's events in total
//! order, applying a model.
//!
//! Every purse (address, asset) keeps its balance in a flat table of 16-byte
//! entries; a purse that is a seed or meets taint becomes "special" (its
//! entry then points into a side table) and gets a model "book" (lots, or
//! haircut amounts), kept in its side-table entry next to its balance, while
//! it holds taint. A transfer between two
//! ordinary purses costs two table reads, a subtraction, an addition and two
//! writes, with no allocation: that is the case for almost every event, and
//! walking every event from the start of the ledger is what makes the clean
//! balance that stolen funds mix with exact.

use std::collections::{BTreeMap, HashMap};

use super::books::{incident_of, is_probable, push_part, Book, Part, CLEAN};
use super::config::TraceConfig;
use super::convert::{ConversionKind, Plan};
use super::result::{
    AssetTotals, ExitFlow, Flow, Gap, Holding, IncidentIndex, SeedStatus, TraceResult,
};
use super::seed::SeedTarget;
use crate::amount::Amount;
use crate::id::{AddressId, AssetId, TransferId};
use crate::ledger::{Address, Ledger, Sink, TransferKind};

const NONE: u32 = u32::MAX;

/// What an address is to the trace. Exits are looked up lazily, the first
/// time taint moves towards an address, so that a large exit set costs
/// nothing for the (many) addresses taint never approaches.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Role {
    Unknown,
    Plain,
    Exit,
    Fees,
    Creations,
}

/// Marks an entry of the balance table as an index into the special purses.
const SPECIAL: u128 = 1 << 127;

/// A purse that is a seed, holds or held taint, or whose balance reached
/// 2^127: its state, kept out of the hot balance table. `X` is the model's
/// book, kept inline so that one random load brings a purse's balance and
/// its taint (`()` for the poison model, whose marks are indexed by `book`).
///
/// Aligned to a cache line: with a haircut book an entry is 64 bytes, and
/// one that straddled two lines would cost two misses.
#[derive(Clone, Debug)]
#[repr(align(64))]
struct Special<X> {
    balance: Amount,
    purse: u32,
    /// Poison: index of the purse's mark, or `NONE` while it holds no taint.
    /// Book models: `NONE` while the purse has no book, 0 when `extra` is
    /// its book.
    book: u32,
    /// For a seed address: the first transfer from which it is a seed;
    /// `NONE` otherwise.
    seed_from: u32,
    /// Index of the purse's pair of gap slots in `gap_slots`, or `NONE`.
    gaps: u32,
    /// The model's book (see `book`).
    extra: X,
}

/// The state shared by every model's walk.
struct Walk<'a, X> {
    ledger: &'a Ledger,
    config: &'a TraceConfig,
    /// Assets per address of the dense purse table, 0 when purses are
    /// listed per address instead (`first`, `next`).
    dense: u32,
    /// One entry per purse, 16 bytes: the balance of an ordinary purse, or
    /// `SPECIAL | index` of a special one. An ordinary transfer touches
    /// nothing else.
    bal: Vec<u128>,
    specials: Vec<Special<X>>,
    /// Sparse layout only: first purse of each address, next purse of the
    /// same address, asset and address of each purse.
    first: Vec<u32>,
    next: Vec<u32>,
    purse_asset: Vec<u32>,
    purse_address: Vec<u32>,
    roles: Vec<Role>,
    /// Seed addresses: (first transfer, incident).
    seed_addresses: BTreeMap<u32, (u32, IncidentIndex)>,
    /// Transfers of theft transactions (fees excepted), in event order.
    seed_transfers: Vec<(u32, IncidentIndex)>,
    totals: Vec<AssetTotals>,
    touched_assets: Vec<bool>,
    exits: HashMap<(u32, u32), ExitFlow>,
    /// Gaps in order of first appearance; a special purse's `gaps` points
    /// to its pair (clean, stolen) of indices into this list.
    gaps: Vec<Gap>,
    gap_slots: Vec<[u32; 2]>,
    /// Taint stopped by the hop limit: (purse, incident) → amount.
    stuck: BTreeMap<(u32, u32), Amount>,
    flows: Vec<Flow>,
    warnings: Vec<String>,
    seeds: Vec<SeedStatus>,
    end: usize,
    /// Swaps, mixer links and bridge matches (empty unless configured).
    plan: Plan,
    /// The first asset a total or a balance of which passed `u128::MAX`.
    overflow: Option<u32>,
}

/// Adds `v` to `total`, a sum over many transfers (a per-asset total, an
/// exit, a gap, taint stopped by the hop limit, a balance). A sum past
/// `u128::MAX` cannot be represented: the total stops at the maximum and
/// `asset` is recorded in `overflow`, which [`TraceResult::overflow`] reports
/// so the trace ends in an error instead of a silently wrong number.
///
/// The other sums of the walk are bounded without a check: the parts of
/// one transfer (`rem`, `carried`, `newly`, `carried + handed`) add up to at
/// most its amount; an exit's amounts per incident to at most the exit's
/// total; hop counts to at most the number of transfers. Subtractions that
/// saturate (`bs - v`, `balance - v`) are the documented rule for an
/// overdrawn purse (value of unknown origin, clean), not an accident.
#[inline]
fn add_to(total: &mut Amount, v: Amount, overflow: &mut Option<u32>, asset: u32) {
    match total.checked_add(v) {
        Some(sum) => *total = sum,
        None => {
            *total = Amount::MAX;
            overflow.get_or_insert(asset);
        }
    }
}

impl<'a, X: Default> Walk<'a, X> {
    fn new(ledger: &'a Ledger, config: &'a TraceConfig) -> Self {
        let n_addr = ledger.address_count();
        let mut roles = vec![Role::Unknown; n_addr];
        for (address, role) in [
            (Address::Sink(Sink::Fees), Role::Fees),
            (Address::Sink(Sink::Creations), Role::Creations),
        ] {
            if let Some(id) = ledger.address_id(&address) {
                roles[id.index()] = role;
            }
        }
        let end = match config.until {
            Some(u) => match u.checked_add(1) {
                Some(after) => ledger.first_transfer_at(after).index(),
                None => ledger.transfer_count(),
            },
            None => ledger.transfer_count(),
        };
        let incident_of = |name: &str| -> IncidentIndex {
            let i = config
                .incidents
                .binary_search_by(|n| n.as_str().cmp(name))
                .unwrap_or(0);
            IncidentIndex::try_from(i).unwrap_or(IncidentIndex::MAX)
        };
        let mut seed_addresses = BTreeMap::new();
        let mut seed_transfers = Vec::new();
        let mut seeds = Vec::new();
        let mut warnings = Vec::new();
        let txs = ledger.transfer_txs();
        for seed in &config.seeds {
            let incident = incident_of(&seed.incident);
            let found = match &seed.target {
                SeedTarget::Address { address, start } => match ledger.address_id(address) {
                    Some(id) => {
                        let from = start.map_or(0, |t| ledger.first_transfer_at(t).index());
                        seed_addresses
                            .insert(id.0, (u32::try_from(from).unwrap_or(NONE), incident));
                        true
                    }
                    None => false,
                },
                SeedTarget::Transaction { hash } => match ledger.tx_by_hash(hash) {
                    Some(tx) => {
                        let lo = txs.partition_point(|&t| t < tx);
                        let hi = txs.partition_point(|&t| t <= tx);
                        for i in lo..hi {
                            if ledger.kinds()[i] != TransferKind::Fee {
                                seed_transfers.push((u32::try_from(i).unwrap_or(NONE), incident));
                            }
                        }
                        true
                    }
                    None => false,
                },
                // An outpoint names a UTXO output: no account ledger has it.
                SeedTarget::Output(_) => false,
            };
            if !found {
                warnings.push(format!(
                    "seed {} ({}) is not in the ledger",
                    seed.target, seed.incident
                ));
            }
            seeds.push(SeedStatus {
                seed: seed.clone(),
                found,
            });
        }
        seed_transfers.sort_unstable();
        seed_transfers.dedup_by_key(|s| s.0);
        let n_assets = ledger.assets().len();
        // Dense purse table (purse = address · assets + asset) when it is not
        // much larger than the ledger; a list of purses per address otherwise
        // (ledgers with many tokens).
        let cells = n_addr.saturating_mul(n_assets.max(1));
        let dense = cells
            <= ledger
                .transfer_count()
                .saturating_mul(4)
                .saturating_add(1 << 16)
            && cells < NONE as usize
            && !config.force_sparse;
        let bal = if dense {
            // Zeroed allocation: pages are only touched where purses are.
            vec![0u128; cells]
        } else {
            Vec::with_capacity(n_addr + n_addr / 4)
        };
        let mut w = Walk {
            ledger,
            config,
            dense: if dense { n_assets.max(1) as u32 } else { 0 },
            bal,
            specials: Vec::new(),
            first: if dense {
                Vec::new()
            } else {
                vec![NONE; n_addr]
            },
            next: Vec::new(),
            purse_asset: Vec::new(),
            purse_address: Vec::new(),
            roles,
            seed_addresses,
            seed_transfers,
            totals: vec![AssetTotals::default(); n_assets],
            touched_assets: vec![false; n_assets],
            exits: HashMap::new(),
            gaps: Vec::new(),
            gap_slots: Vec::new(),
            stuck: BTreeMap::new(),
            flows: Vec::new(),
            warnings,
            seeds,
            end,
            plan: Plan::new(ledger, config, end),
            overflow: None,
        };
        let plan_warnings = std::mem::take(&mut w.plan.warnings);
        w.warnings.extend(plan_warnings);
        if dense {
            let per = w.dense;
            let seed_list: Vec<(u32, u32)> = w
                .seed_addresses
                .iter()
                .map(|(&a, &(from, _))| (a, from))
                .collect();
            for (a, from) in seed_list {
                for asset in 0..per {
                    let i = w.promote(a * per + asset);
                    w.specials[i].seed_from = from;
                }
            }
        }
        w
    }

    /// Makes a purse special (if it is not yet) and returns its index.
    fn promote(&mut self, purse: u32) -> usize {
        let b = self.bal[purse as usize];
        if b & SPECIAL != 0 {
            return (b & !SPECIAL) as usize;
        }
        let i = self.specials.len();
        self.specials.push(Special {
            balance: b,
            purse,
            book: NONE,
            seed_from: NONE,
            gaps: NONE,
            extra: X::default(),
        });
        self.bal[purse as usize] = SPECIAL | i as u128;
        i
    }

    #[inline]
    fn special(&self, purse: u32) -> Option<&Special<X>> {
        let b = self.bal[purse as usize];
        if b & SPECIAL == 0 {
            None
        } else {
            self.specials.get((b & !SPECIAL) as usize)
        }
    }

    #[inline]
    fn balance(&self, purse: u32) -> Amount {
        match self.special(purse) {
            Some(sp) => sp.balance,
            None => self.bal[purse as usize],
        }
    }

    #[inline]
    fn set_balance(&mut self, purse: u32, balance: Amount) {
        let b = self.bal[purse as usize];
        if b & SPECIAL == 0 && balance & SPECIAL == 0 {
            self.bal[purse as usize] = balance;
        } else {
            let i = self.promote(purse);
            self.specials[i].balance = balance;
        }
    }

    #[inline]
    fn book(&self, purse: u32) -> u32 {
        self.special(purse).map_or(NONE, |sp| sp.book)
    }

    fn set_book(&mut self, purse: u32, book: u32) {
        let i = self.promote(purse);
        self.specials[i].book = book;
    }

    #[inline]
    fn seed_from(&self, purse: u32) -> u32 {
        self.special(purse).map_or(NONE, |sp| sp.seed_from)
    }

    /// The asset of a purse.
    #[inline]
    fn asset_of(&self, purse: u32) -> u32 {
        match purse.checked_rem(self.dense) {
            Some(asset) => asset,
            None => self.purse_asset[purse as usize],
        }
    }

    /// The addresses taint could ever reach, as a bitset: seeds, receivers
    /// of theft transactions, and, in event order, every receiver of a
    /// transfer from a reached address, exits and sinks excepted (they take
    /// taint in but never hold it). Every model's taint stays inside this
    /// set (dust, hop limits and exits only ever stop taint), so a transfer
    /// with neither end in it cannot change any result and the walk skips
    /// it without touching a balance: the skip DESIGN §6 allows, giving the
    /// same answer as a walk over every event. One pass over two columns
    /// with a bitset small enough to stay in cache.
    fn reach(&mut self, seed_transfers: &[(u32, IncidentIndex)]) -> Vec<u64> {
        let n = self.ledger.address_count();
        let mut bits = vec![0u64; n.div_ceil(64)];
        if self.config.force_full {
            bits.fill(u64::MAX);
            return bits;
        }
        let set = |bits: &mut Vec<u64>, a: u32| bits[a as usize / 64] |= 1 << (a % 64);
        let get = |bits: &[u64], a: u32| bits[a as usize / 64] & (1 << (a % 64)) != 0;
        for &a in self.seed_addresses.keys() {
            set(&mut bits, a);
        }
        let from = self.ledger.senders();
        let to = self.ledger.receivers();
        let amounts = self.ledger.amounts();
        let mut next_seed = 0usize;
        let has_carries = self.plan.has_targets();
        for i in 0..self.end {
            let tx_seed = match seed_transfers.get(next_seed) {
                Some(&(t, _)) if t as usize == i => {
                    next_seed += 1;
                    true
                }
                _ => false,
            };
            let (f, t) = (from[i].0, to[i].0);
            if amounts[i] == 0 || f == t || get(&bits, t) {
                continue;
            }
            // A mixer link or bridge match can carry taint to a receiver
            // no transfer from a reached address leads to: its targets'
            // receivers count as reached (a swap's receiver is its sender,
            // reached already when it has taint to swap).
            if tx_seed || (has_carries && self.plan.opens_reach(i)) {
                if !matches!(self.roles[t as usize], Role::Fees | Role::Creations) {
                    set(&mut bits, t);
                }
            } else if get(&bits, f) && self.role(t) == Role::Plain {
                set(&mut bits, t);
            }
        }
        bits
    }

    /// The address a purse belongs to.
    #[inline]
    fn address_of(&self, purse: u32) -> u32 {
        match purse.checked_div(self.dense) {
            Some(address) => address,
            None => self.purse_address[purse as usize],
        }
    }

    /// The role of an address, looked up on first use.
    #[inline]
    fn role(&mut self, address: u32) -> Role {
        let r = self.roles[address as usize];
        if r != Role::Unknown {
            return r;
        }
        let r = if self
            .config
            .exits
            .contains_key(self.ledger.address(AddressId(address)))
        {
            Role::Exit
        } else {
            Role::Plain
        };
        self.roles[address as usize] = r;
        r
    }

    /// The purse of (address, asset), created empty on first use.
    #[inline]
    fn purse(&mut self, address: u32, asset: u32) -> u32 {
        if self.dense != 0 {
            return address * self.dense + asset;
        }
        let mut p = self.first[address as usize];
        while p != NONE {
            if self.purse_asset[p as usize] == asset {
                return p;
            }
            p = self.next[p as usize];
        }
        self.new_purse(address, asset)
    }

    #[cold]
    fn new_purse(&mut self, address: u32, asset: u32) -> u32 {
        // Fits: at most two purses per transfer, and transfers fit in u32.
        let id = u32::try_from(self.bal.len()).unwrap_or(NONE - 1);
        self.bal.push(0);
        self.next.push(self.first[address as usize]);
        self.purse_asset.push(asset);
        self.purse_address.push(address);
        self.first[address as usize] = id;
        if let Some(&(from, _)) = self.seed_addresses.get(&address) {
            let i = self.promote(id);
            self.specials[i].seed_from = from;
        }
        id
    }

    fn seed_incident(&self, purse: u32) -> IncidentIndex {
        let address = self.address_of(purse);
        self.seed_addresses.get(&address).map_or(0, |&(_, i)| i)
    }

    fn record_gap(&mut self, purse: u32, i: usize, amount: Amount, stolen: bool) {
        let address = AddressId(self.address_of(purse));
        let asset = AssetId(self.asset_of(purse));
        // A gap's purse is special (a seed or a holder of taint): its
        // entry finds the gap without a map.
        let sp = self.promote(purse);
        let mut pair = self.specials[sp].gaps;
        if pair == NONE {
            pair = u32::try_from(self.gap_slots.len()).unwrap_or(NONE - 1);
            self.gap_slots.push([NONE; 2]);
            self.specials[sp].gaps = pair;
        }
        let slot = &mut self.gap_slots[pair as usize][usize::from(stolen)];
        if *slot == NONE {
            *slot = u32::try_from(self.gaps.len()).unwrap_or(NONE - 1);
            self.gaps.push(Gap {
                address,
                asset,
                amount: 0,
                first: TransferId::from_usize(i),
                stolen,
            });
        }
        let g = &mut self.gaps[*slot as usize];
        add_to(&mut g.amount, amount, &mut self.overflow, asset.0);
    }

    /// Hands the carried taint of transfer `i` to a sink, an exit, or dust
    /// as the rules say, turning it clean. `parts` are what the sender gave.
    /// Returns true if taint is still carried to the receiver.
    fn settle(&mut self, i: usize, sender: u32, to: u32, asset: u32, parts: &mut [Part]) -> bool {
        if let Some(max) = self.config.max_hops {
            for p in parts.iter_mut() {
                if !p.is_clean() && p.hops >= max {
                    let s = self.stuck.entry((sender, p.tag)).or_insert(0);
                    add_to(s, p.amount, &mut self.overflow, asset);
                    p.tag = CLEAN;
                }
            }
        }
        // Parts of one transfer: at most its amount (see `add_to`).
        let rem: Amount = parts
            .iter()
            .filter(|p| !p.is_clean())
            .fold(0, |a, p| a.saturating_add(p.amount));
        if rem == 0 {
            return false;
        }
        let role = self.role(to);
        let totals = &mut self.totals[asset as usize];
        let of = &mut self.overflow;
        match role {
            Role::Unknown => {}
            Role::Fees => add_to(&mut totals.fees, rem, of, asset),
            Role::Creations => add_to(&mut totals.creations, rem, of, asset),
            Role::Exit => {
                add_to(&mut totals.exited, rem, of, asset);
                let mut overflow = None;
                let e = self.exit_entry(i, to, asset);
                add_to(&mut e.amount, rem, &mut overflow, asset);
                for p in parts.iter().filter(|p| !p.is_clean()) {
                    add_incident(&mut e.by_incident, incident_of(p.tag), p.amount);
                    if is_probable(p.tag) {
                        // At most the exit's (checked) total.
                        e.probable = e.probable.saturating_add(p.amount);
                    }
                }
                if let Some(a) = overflow {
                    self.overflow.get_or_insert(a);
                }
            }
            Role::Plain if rem < self.config.dust => {
                add_to(&mut totals.dust, rem, of, asset);
            }
            Role::Plain => {
                // Hops are only counted when limited, so that without a limit
                // a haircut purse keeps one amount per incident and lots of
                // one incident merge.
                if self.config.max_hops.is_some() {
                    for p in parts.iter_mut().filter(|p| !p.is_clean()) {
                        p.hops = p.hops.saturating_add(1);
                    }
                }
                return true;
            }
        }
        for p in parts.iter_mut() {
            p.tag = CLEAN;
        }
        false
    }

    fn exit_entry(&mut self, i: usize, to: u32, asset: u32) -> &mut ExitFlow {
        let t = TransferId::from_usize(i);
        let config = self.config;
        let ledger = self.ledger;
        let e = self.exits.entry((to, asset)).or_insert_with(|| {
            let address = AddressId(to);
            let info = config
                .exits
                .get(ledger.address(address))
                .cloned()
                .unwrap_or_else(|| super::config::ExitInfo {
                    label: String::new(),
                    category: String::new(),
                });
            ExitFlow {
                address,
                asset: AssetId(asset),
                info,
                amount: 0,
                first: t,
                last: t,
                by_incident: Vec::new(),
                probable: 0,
            }
        });
        e.first = e.first.min(t);
        e.last = e.last.max(t);
        e
    }

    /// The incident that turns clean value received on transfer `i` by
    /// `receiver` into stolen value, if any.
    #[inline]
    fn converts(
        &self,
        i: usize,
        receiver: u32,
        to: u32,
        tx_seed: Option<IncidentIndex>,
    ) -> Option<IncidentIndex> {
        let seed = tx_seed.is_some() || self.seed_from(receiver) as usize <= i;
        // Sinks are known from the start; no lazy look-up needed.
        if !seed || matches!(self.roles[to as usize], Role::Fees | Role::Creations) {
            return None;
        }
        if let Some(inc) = tx_seed {
            return Some(inc);
        }
        Some(self.seed_incident(receiver))
    }

    fn touch(&mut self, asset: u32) {
        self.touched_assets[asset as usize] = true;
    }

    fn finish(mut self, holders: Vec<Holding>) -> TraceResult {
        let ledger = self.ledger;
        // What links captured but did not carry on stays in their pools.
        for (asset, left) in self.plan.pooled(ledger) {
            let t = &mut self.totals[asset.index()];
            t.linked_out = t.linked_out.saturating_sub(left);
            t.pooled = t.pooled.saturating_add(left);
        }
        let mut totals = Vec::new();
        for (a, t) in self.totals.iter_mut().enumerate() {
            t.held = 0;
            for h in holders.iter().filter(|h| h.asset.index() == a) {
                add_to(&mut t.held, h.amount, &mut self.overflow, a as u32);
            }
            if self.touched_assets[a] || *t != AssetTotals::default() {
                totals.push((AssetId::from_usize(a), *t));
            }
        }
        let mut holders = holders;
        holders.sort_by(|a, b| {
            b.amount
                .cmp(&a.amount)
                .then(a.address.cmp(&b.address))
                .then(a.asset.cmp(&b.asset))
        });
        let mut exits: Vec<ExitFlow> = self.exits.into_values().collect();
        for e in &mut exits {
            e.by_incident.sort_unstable();
        }
        exits.sort_by(|a, b| {
            b.amount
                .cmp(&a.amount)
                .then(a.address.cmp(&b.address))
                .then(a.asset.cmp(&b.asset))
        });
        let mut gaps: Vec<Gap> = self.gaps;
        gaps.sort_by_key(|g| (g.address, g.asset, g.stolen));
        if self.end < ledger.transfer_count() {
            self.warnings.push(format!(
                "{} transfer(s) after the time limit were ignored",
                ledger.transfer_count() - self.end
            ));
        }
        self.warnings.sort();
        let conversions = self.plan.flows(ledger);
        let probable = self.plan.spreads.flows();
        // Swaps may take a transaction's transfers out of event order.
        self.flows.sort_by_key(|f| f.transfer);
        TraceResult {
            model: self.config.model,
            incidents: self.config.incidents.clone(),
            seeds: self.seeds,
            totals,
            exits,
            holders,
            flows: self.flows,
            conversions,
            probable,
            gaps,
            warnings: self.warnings,
            end: TransferId::from_usize(self.end),
            overflow: self.overflow.map(AssetId),
        }
    }

    /// Taint stopped by the hop limit, as holdings.
    fn stuck_holdings(&self, out: &mut Vec<((u32, u32), Held)>) {
        for (&(purse, tag), &amount) in &self.stuck {
            if amount == 0 {
                continue;
            }
            let key = (self.address_of(purse), self.asset_of(purse));
            let mut h = Held::default();
            h.add(tag, amount);
            out.push((key, h));
        }
    }
}

fn add_incident(list: &mut Vec<(IncidentIndex, Amount)>, incident: IncidentIndex, amount: Amount) {
    match list.iter_mut().find(|(i, _)| *i == incident) {
        // At most the exit's (checked) total: see `add_to`.
        Some((_, a)) => *a = a.saturating_add(amount),
        None => list.push((incident, amount)),
    }
}

/// Taint held by one purse: per incident, and the probable part.
#[derive(Default)]
struct Held {
    by_incident: Vec<(IncidentIndex, Amount)>,
    probable: Amount,
}

impl Held {
    fn add(&mut self, tag: u32, amount: Amount) {
        add_incident(&mut self.by_incident, incident_of(tag), amount);
        if is_probable(tag) {
            // At most the purse's (checked) balance.
            self.probable = self.probable.saturating_add(amount);
        }
    }
}

/// Sorts holdings by (address, asset) and merges the entries of one purse.
fn merge_held(mut held: Vec<((u32, u32), Held)>) -> impl Iterator<Item = ((u32, u32), Held)> {
    held.sort_by_key(|(k, _)| *k);
    let mut merged: Vec<((u32, u32), Held)> = Vec::with_capacity(held.len());
    for (k, h) in held {
        match merged.last_mut() {
            Some((last, into)) if *last == k => {
                for (inc, a) in h.by_incident {
                    add_incident(&mut into.by_incident, inc, a);
                }
                // At most the purse's (checked) balance.
                into.probable = into.probable.saturating_add(h.probable);
            }
            _ => merged.push((k, h)),
        }
    }
    merged.into_iter()
}

fn holding(address: u32, asset: u32, held: Held) -> Holding {
    let Held {
        mut by_incident,
        probable,
    } = held;
    by_incident.sort_unstable();
    // A purse's taint: at most its balance, which is checked.
    let amount = by_incident
        .iter()
        .fold(0, |s: Amount, (_, a)| s.saturating_add(*a));
    Holding {
        address: AddressId(address),
        asset: AssetId(asset),
        amount,
        by_incident,
        probable,
    }
}

/// The theft-transaction incident of transfer `i`, if any. Transfers come
/// in event order (`next` walks `seeds`) unless swaps reordered them.
#[inline]
fn seed_at(
    seeds: &[(u32, IncidentIndex)],
    next: &mut usize,
    i: usize,
    reordered: bool,
) -> Option<IncidentIndex> {
    if reordered {
        let i = u32::try_from(i).ok()?;
        return seeds
            .binary_search_by_key(&i, |s| s.0)
            .ok()
            .map(|k| seeds[k].1);
    }
    match seeds.get(*next) {
        Some(&(t, inc)) if t as usize == i => {
            *next += 1;
            Some(inc)
        }
        _ => None,
    }
}

/// Runs a value-conserving model.
pub(crate) fn run_book<B: Book>(ledger: &Ledger, config: &TraceConfig) -> TraceResult {
    let w = Walk::new(ledger, config);
    // Without conversions the walk compiles without their hooks.
    if w.plan.is_empty() {
        walk_book::<B, false>(w)
    } else {
        walk_book::<B, true>(w)
    }
}

fn walk_book<B: Book, const CONV: bool>(mut w: Walk<'_, B>) -> TraceResult {
    let (ledger, config) = (w.ledger, w.config);
    let mut parts: Vec<Part> = Vec::with_capacity(16);
    let from = ledger.senders();
    let to = ledger.receivers();
    let amounts = ledger.amounts();
    let assets = ledger.transfer_assets();
    let seed_transfers = std::mem::take(&mut w.seed_transfers);
    let reach = w.reach(&seed_transfers);
    let reached = |a: u32| reach[a as usize / 64] & (1 << (a % 64)) != 0;
    let mut next_seed = 0usize;
    let order = std::mem::take(&mut w.plan.order);
    // Hoisted so that the common case (no conversions) costs two
    // predictable branches per event.
    let reordered = CONV && !order.is_empty();
    let has_targets = CONV && w.plan.has_targets();
    for k in 0..w.end {
        let i = if reordered {
            order.get(k).map_or(k, |&x| x as usize)
        } else {
            k
        };
        let tx_seed = seed_at(&seed_transfers, &mut next_seed, i, reordered);
        let v = amounts[i];
        let (f, t) = (from[i].0, to[i].0);
        if v == 0 || f == t || !(reached(f) || reached(t)) {
            continue;
        }
        let a = assets[i].0;
        let s = w.purse(f, a);
        let r = w.purse(t, a);
        let (bs, br) = (w.bal[s as usize], w.bal[r as usize]);
        if (bs | br) & SPECIAL == 0 && tx_seed.is_none() && !(has_targets && w.plan.is_target(i)) {
            if let Some(nr) = br.checked_add(v).filter(|x| x & SPECIAL == 0) {
                // Ordinary to ordinary: the common case.
                // An overdrawn ordinary purse: value of unknown origin,
                // clean by rule, and not listed.
                w.bal[s as usize] = bs.saturating_sub(v);
                w.bal[r as usize] = nr;
                continue;
            }
        }
        // Sender side: its entry, looked up once.
        let sp_s = (bs & SPECIAL != 0).then_some((bs & !SPECIAL) as usize);
        let (balance, book, seed_from) = match sp_s {
            Some(x) => {
                let e = &w.specials[x];
                (e.balance, e.book, e.seed_from)
            }
            None => (bs, NONE, NONE),
        };
        parts.clear();
        let avail = balance.min(v);
        match sp_s {
            Some(x) => {
                let e = &mut w.specials[x];
                if book != NONE {
                    e.extra.take(balance, avail, &mut parts);
                } else {
                    push_part(&mut parts, Part::clean(avail));
                }
                e.balance = balance - avail;
            }
            None => {
                push_part(&mut parts, Part::clean(avail));
                // Less than an ordinary balance: still ordinary.
                w.bal[s as usize] = balance - avail;
            }
        }
        if v > balance {
            let d = v - balance;
            if seed_from as usize <= i {
                let inc = w.seed_incident(s);
                push_part(
                    &mut parts,
                    Part {
                        amount: d,
                        tag: u32::from(inc),
                        hops: 0,
                    },
                );
                let tot = &mut w.totals[a as usize];
                add_to(&mut tot.stolen, d, &mut w.overflow, a);
                add_to(&mut tot.gaps, d, &mut w.overflow, a);
                w.record_gap(s, i, d, true);
            } else {
                push_part(&mut parts, Part::clean(d));
                if book != NONE || seed_from != NONE {
                    w.record_gap(s, i, d, false);
                }
            }
        }
        if let (Some(x), true) = (sp_s, book != NONE) {
            let special = &mut w.specials[x];
            if !special.extra.is_tainted() {
                special.extra.clear();
                special.book = NONE;
            }
        }
        // Conversions: a source hands the sender's taint over, then a
        // target receives what its conversion carries.
        let mut handed: Amount = 0;
        if let Some(c) = if CONV { w.plan.source_of(i) } else { None } {
            handed = w.plan.capture(c, &mut parts);
            if !w.totals[a as usize].add_conversion(w.plan.kind(c), false, handed) {
                w.overflow.get_or_insert(a);
            }
        } else if let Some(d) = if CONV {
            w.plan.spreads.source_of(i)
        } else {
            None
        } {
            // Probable mode: a pool deposit no certain link uses.
            handed = w.plan.spreads.capture(d, &mut parts);
            if !w.totals[a as usize].add_conversion(ConversionKind::MixerLink, false, handed) {
                w.overflow.get_or_insert(a);
            }
        }
        if let Some((kind, x)) = if CONV {
            w.plan.deliver(i, v, &mut parts)
        } else {
            None
        } {
            w.touch(a);
            if !w.totals[a as usize].add_conversion(kind, true, x) {
                w.overflow.get_or_insert(a);
            }
        } else if let Some(x) = if has_targets && w.plan.is_target(i) {
            w.plan.spreads.deliver(i, &mut parts)
        } else {
            None
        } {
            w.touch(a);
            let tot = &mut w.totals[a as usize];
            let ok = tot.add_conversion(ConversionKind::MixerLink, true, x);
            // A part of `linked_in`, which is checked.
            tot.probable = tot.probable.saturating_add(x);
            if !ok {
                w.overflow.get_or_insert(a);
            }
        }
        let carried: Amount = parts
            .iter()
            .filter(|p| !p.is_clean())
            .fold(0, |x, p| x.saturating_add(p.amount));
        if carried > 0 {
            w.touch(a);
            w.settle(i, s, t, a, &mut parts);
        }
        // Receiver side.
        let mut newly: Amount = 0;
        let mut converted = false;
        if let Some(inc) = w.converts(i, r, t, tx_seed) {
            converted = true;
            for p in parts.iter_mut().filter(|p| p.is_clean()) {
                p.tag = u32::from(inc);
                p.hops = 0;
                newly = newly.saturating_add(p.amount);
            }
            if newly > 0 {
                w.touch(a);
                let tot = &mut w.totals[a as usize];
                add_to(&mut tot.stolen, newly, &mut w.overflow, a);
            }
        }
        if config.record_flows && (carried > 0 || newly > 0 || handed > 0) {
            // Taint on the transfer: what the sender's taint contributed
            // (including what it handed to a conversion), and, where the
            // receiver turns clean value stolen, everything (counting once a
            // part both tainted and then re-stolen after the hop limit or
            // dust turned it clean).
            let tainted = if converted {
                v
            } else {
                carried.saturating_add(handed)
            };
            w.flows.push(Flow {
                transfer: TransferId::from_usize(i),
                tainted,
            });
        }
        let any_taint = parts.iter().any(|p| !p.is_clean());
        let er = w.bal[r as usize];
        let (balance_r, book_r) = if er & SPECIAL != 0 {
            let e = &w.specials[(er & !SPECIAL) as usize];
            (e.balance, e.book)
        } else {
            (er, NONE)
        };
        if book_r != NONE || any_taint {
            let sp = w.promote(r);
            let special = &mut w.specials[sp];
            if book_r == NONE {
                special.extra.reopen(balance_r);
                special.book = 0;
            }
            for p in &parts {
                special.extra.put(*p);
            }
        }
        let mut balance_r = balance_r;
        add_to(&mut balance_r, v, &mut w.overflow, a);
        w.set_balance(r, balance_r);
    }
    // Holdings: one entry per tainted purse and per purse with taint stuck
    // by the hop limit, sorted and merged: with a million holders, a map's
    // insertions were a tenth of the driver's own profile samples.
    let mut held: Vec<((u32, u32), Held)> = Vec::new();
    let mut tmp = Vec::new();
    for sp in &w.specials {
        if sp.book == NONE {
            continue;
        }
        tmp.clear();
        sp.extra.holdings(&mut tmp);
        let mut list = Held::default();
        for part in &tmp {
            list.add(part.tag, part.amount);
        }
        held.push(((w.address_of(sp.purse), w.asset_of(sp.purse)), list));
    }
    w.stuck_holdings(&mut held);
    let holders = merge_held(held)
        .filter(|(_, l)| l.by_incident.iter().any(|(_, a)| *a > 0))
        .map(|((addr, asset), l)| holding(addr, asset, l))
        .collect();
    w.finish(holders)
}

/// A poisoned purse: the incidents whose taint reached it and the fewest
/// transfers that taint crossed.
#[derive(Clone, Debug, Default)]
struct Poisoned {
    incidents: Vec<IncidentIndex>,
    hops: u32,
}

fn union_into(into: &mut Vec<IncidentIndex>, from: &[IncidentIndex]) {
    for &i in from {
        if let Err(pos) = into.binary_search(&i) {
            into.insert(pos, i);
        }
    }
}

/// Runs the poison model.
pub(crate) fn run_poison(ledger: &Ledger, config: &TraceConfig) -> TraceResult {
    let w = Walk::new(ledger, config);
    if w.plan.is_empty() {
        walk_poison::<false>(w)
    } else {
        walk_poison::<true>(w)
    }
}

fn walk_poison<const CONV: bool>(mut w: Walk<'_, ()>) -> TraceResult {
    let (ledger, config) = (w.ledger, w.config);
    let mut marks: Vec<Poisoned> = Vec::new();
    let from = ledger.senders();
    let to = ledger.receivers();
    let amounts = ledger.amounts();
    let assets = ledger.transfer_assets();
    let seed_transfers = std::mem::take(&mut w.seed_transfers);
    let reach = w.reach(&seed_transfers);
    let reached = |a: u32| reach[a as usize / 64] & (1 << (a % 64)) != 0;
    let mut next_seed = 0usize;
    let mut carried_set: Vec<IncidentIndex> = Vec::new();
    let order = std::mem::take(&mut w.plan.order);
    // Hoisted so that the common case (no conversions) costs two
    // predictable branches per event.
    let reordered = CONV && !order.is_empty();
    let has_targets = CONV && w.plan.has_targets();
    for k in 0..w.end {
        let i = if reordered {
            order.get(k).map_or(k, |&x| x as usize)
        } else {
            k
        };
        let tx_seed = seed_at(&seed_transfers, &mut next_seed, i, reordered);
        let v = amounts[i];
        let (f, t) = (from[i].0, to[i].0);
        if v == 0 || f == t || !(reached(f) || reached(t)) {
            continue;
        }
        let a = assets[i].0;
        let s = w.purse(f, a);
        let r = w.purse(t, a);
        let (bs, br) = (w.bal[s as usize], w.bal[r as usize]);
        if (bs | br) & SPECIAL == 0 && tx_seed.is_none() && !(has_targets && w.plan.is_target(i)) {
            if let Some(nr) = br.checked_add(v).filter(|x| x & SPECIAL == 0) {
                // An overdrawn ordinary purse: value of unknown origin,
                // clean by rule, and not listed.
                w.bal[s as usize] = bs.saturating_sub(v);
                w.bal[r as usize] = nr;
                continue;
            }
        }
        let (balance, book, seed_from) = (w.balance(s), w.book(s), w.seed_from(s));
        w.set_balance(s, balance.saturating_sub(v));
        let mut sender_mark = book;
        if v > balance {
            let d = v - balance;
            if seed_from as usize <= i {
                let inc = w.seed_incident(s);
                let tot = &mut w.totals[a as usize];
                add_to(&mut tot.stolen, d, &mut w.overflow, a);
                add_to(&mut tot.gaps, d, &mut w.overflow, a);
                w.touch(a);
                w.record_gap(s, i, d, true);
                // The purse now holds stolen value: it is poisoned.
                if sender_mark == NONE {
                    marks.push(Poisoned::default());
                    sender_mark = u32::try_from(marks.len() - 1).unwrap_or(NONE - 1);
                    w.set_book(s, sender_mark);
                }
                let m = &mut marks[sender_mark as usize];
                union_into(&mut m.incidents, &[inc]);
                m.hops = 0;
            } else if book != NONE || seed_from != NONE {
                w.record_gap(s, i, d, false);
            }
        }
        let mut delivered = false;
        let mut carried: Amount = 0;
        let mut hops = 0;
        carried_set.clear();
        if sender_mark != NONE {
            let m = &marks[sender_mark as usize];
            carried_set.extend_from_slice(&m.incidents);
            hops = m.hops;
            carried = v;
            w.touch(a);
            // A conversion source hands the sender's incidents over.
            if let Some(c) = if CONV { w.plan.source_of(i) } else { None } {
                w.plan.capture_incidents(c, &carried_set, v);
                if !w.totals[a as usize].add_conversion(w.plan.kind(c), false, v) {
                    w.overflow.get_or_insert(a);
                }
                carried_set.clear();
            }
        }
        if let Some((kind, incs)) = if CONV {
            w.plan.deliver_incidents(i, v)
        } else {
            None
        } {
            w.touch(a);
            if !w.totals[a as usize].add_conversion(kind, true, v) {
                w.overflow.get_or_insert(a);
            }
            union_into(&mut carried_set, &incs);
            carried = v;
        }
        if !carried_set.is_empty() {
            let stopped = config.max_hops.is_some_and(|max| hops >= max);
            if !stopped {
                let role = w.role(t);
                let tot = &mut w.totals[a as usize];
                let of = &mut w.overflow;
                match role {
                    Role::Unknown => {}
                    Role::Fees => add_to(&mut tot.fees, v, of, a),
                    Role::Creations => add_to(&mut tot.creations, v, of, a),
                    Role::Exit => {
                        add_to(&mut tot.exited, v, of, a);
                        let mut overflow = None;
                        let e = w.exit_entry(i, t, a);
                        add_to(&mut e.amount, v, &mut overflow, a);
                        for &inc in &carried_set {
                            add_incident(&mut e.by_incident, inc, v);
                        }
                        if let Some(x) = overflow {
                            w.overflow.get_or_insert(x);
                        }
                    }
                    Role::Plain if v < config.dust => add_to(&mut tot.dust, v, of, a),
                    Role::Plain => delivered = true,
                }
            }
        }
        let mut newly: Amount = 0;
        let mut receiver_incidents: Vec<IncidentIndex> = Vec::new();
        if delivered {
            receiver_incidents.extend_from_slice(&carried_set);
            hops = hops.saturating_add(1);
        } else if let Some(inc) = w.converts(i, r, t, tx_seed) {
            newly = v;
            w.touch(a);
            let tot = &mut w.totals[a as usize];
            add_to(&mut tot.stolen, v, &mut w.overflow, a);
            receiver_incidents.push(inc);
            hops = 0;
        }
        if config.record_flows && (carried > 0 || newly > 0) {
            w.flows.push(Flow {
                transfer: TransferId::from_usize(i),
                tainted: v,
            });
        }
        if !receiver_incidents.is_empty() {
            let mut mark = w.book(r);
            if mark == NONE {
                marks.push(Poisoned {
                    incidents: Vec::new(),
                    hops,
                });
                mark = u32::try_from(marks.len() - 1).unwrap_or(NONE - 1);
                w.set_book(r, mark);
            }
            let m = &mut marks[mark as usize];
            union_into(&mut m.incidents, &receiver_incidents);
            m.hops = m.hops.min(hops);
        }
        let mut balance_r = w.balance(r);
        add_to(&mut balance_r, v, &mut w.overflow, a);
        w.set_balance(r, balance_r);
    }
    let mut holders = Vec::new();
    for sp in &w.specials {
        if sp.book == NONE || sp.balance == 0 {
            continue;
        }
        let by = marks[sp.book as usize]
            .incidents
            .iter()
            .map(|&inc| (inc, sp.balance))
            .collect();
        holders.push(Holding {
            address: AddressId(w.address_of(sp.purse)),
            asset: AssetId(w.asset_of(sp.purse)),
            amount: sp.balance,
            by_incident: by,
            probable: 0,
        });
    }
    w.finish(holders)
}
