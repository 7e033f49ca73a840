//! How each value-conserving model keeps a tainted purse and takes value
//! out of it. The driver keeps every purse's balance; a purse only gets a
//! "book" here once it holds taint, and loses it when the taint is gone.
//!
//! The additions here saturate without harm: a book's lots add up to at
//! most its purse's balance, and a transfer's parts to at most its amount,
//! both of which the driver keeps exactly (a balance past `u128::MAX` is
//! reported there as an overflow). The saturating subtractions are clamps
//! of the rounding rules, commented where they occur.

use std::collections::VecDeque;

use crate::amount::{mul_div_floor, Amount};

/// Tag of a clean part or lot.
pub(crate) const CLEAN: u32 = u32::MAX;

/// Bit of a tag whose taint crossed a mixer pool along a probable flow
/// (see [`super::probable`]); the low 16 bits are the incident. Such taint
/// is kept apart from certain taint of the same incident in every book.
pub(crate) const PROBABLE: u32 = 1 << 16;

/// The incident of a tainted tag.
#[inline]
pub(crate) fn incident_of(tag: u32) -> crate::trace::IncidentIndex {
    // The low 16 bits: an incident number (see `PROBABLE`).
    (tag & 0xffff) as crate::trace::IncidentIndex
}

/// Whether a tainted tag came along a probable flow.
#[inline]
pub(crate) fn is_probable(tag: u32) -> bool {
    tag != CLEAN && tag & PROBABLE != 0
}

/// A lot of a purse, or a part of a transfer: an amount, its taint source
/// (an incident number, or [`CLEAN`]) and the transfers its taint crossed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) amount: Amount,
    pub(crate) tag: u32,
    pub(crate) hops: u32,
}

impl Part {
    pub(crate) fn clean(amount: Amount) -> Part {
        Part {
            amount,
            tag: CLEAN,
            hops: 0,
        }
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.tag == CLEAN
    }

    fn same_source(&self, other: &Part) -> bool {
        self.tag == other.tag && (self.tag == CLEAN || self.hops == other.hops)
    }
}

/// Appends a part, merging it into the last one when both have the same
/// source (adjacent lots of one source are indistinguishable to every model).
pub(crate) fn push_part(out: &mut Vec<Part>, p: Part) {
    if p.amount == 0 {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.same_source(&p) {
            last.amount = last.amount.saturating_add(p.amount);
            return;
        }
    }
    out.push(p);
}

fn push_lot(lots: &mut VecDeque<Part>, p: Part) {
    if p.amount == 0 {
        return;
    }
    if let Some(last) = lots.back_mut() {
        if last.same_source(&p) {
            last.amount = last.amount.saturating_add(p.amount);
            return;
        }
    }
    lots.push_back(p);
}

/// A model's tainted purse.
pub(crate) trait Book: Default {
    /// A book for a purse that holds `balance`, all clean.
    fn open(balance: Amount) -> Self;
    /// Takes `v <= balance` out of a purse whose balance is `balance`,
    /// appending the parts taken to `out` in the order the model takes them
    /// (clean parts included; the parts sum to `v`).
    fn take(&mut self, balance: Amount, v: Amount, out: &mut Vec<Part>);
    /// Adds a received part (parts arrive in the order the sender took them).
    fn put(&mut self, p: Part);
    /// Whether any taint is left.
    fn is_tainted(&self) -> bool;
    /// Drops an untainted book (a purse whose taint is gone); it may keep
    /// its allocation for [`Book::reopen`].
    fn clear(&mut self) {
        *self = Self::default();
    }
    /// Makes a cleared book [`Book::open`] again.
    fn reopen(&mut self, balance: Amount) {
        *self = Self::open(balance);
    }
    /// The tainted amounts held, as parts.
    fn holdings(&self, out: &mut Vec<Part>);
}

/// Haircut: one clean amount (implicit: balance minus taint) and one tainted
/// amount per (incident, hops), sorted by (incident, hops).
#[derive(Default, Debug)]
pub(crate) struct Haircut {
    tainted: Tainted,
}

/// The tainted amounts of a haircut book. Most purses hold the taint of one
/// incident: that one is kept inline, without an allocation (32 bytes in
/// all, so that the book fits in a purse's entry next to its balance).
#[derive(Default, Debug)]
enum Tainted {
    #[default]
    Empty,
    One {
        amount: Amount,
        tag: u32,
        hops: u32,
    },
    Many(Vec<Part>),
}

impl Tainted {
    fn len(&self) -> usize {
        match self {
            Tainted::Empty => 0,
            Tainted::One { .. } => 1,
            Tainted::Many(v) => v.len(),
        }
    }

    /// The `k`-th entry (`k < len`).
    #[inline]
    fn get(&self, k: usize) -> Part {
        match self {
            Tainted::Empty => Part::clean(0),
            &Tainted::One { amount, tag, hops } => Part { amount, tag, hops },
            Tainted::Many(v) => v.get(k).copied().unwrap_or(Part::clean(0)),
        }
    }

    /// Sets the amount of the `k`-th entry (`k < len`).
    #[inline]
    fn set_amount(&mut self, k: usize, x: Amount) {
        match self {
            Tainted::Empty => {}
            Tainted::One { amount, .. } => *amount = x,
            Tainted::Many(v) => {
                if let Some(t) = v.get_mut(k) {
                    t.amount = x;
                }
            }
        }
    }

    /// Drops the entries whose amount is 0.
    fn retain_nonzero(&mut self) {
        match self {
            Tainted::Empty => {}
            Tainted::One { amount, .. } => {
                if *amount == 0 {
                    *self = Tainted::Empty;
                }
            }
            // An empty list keeps its allocation for the purse's next taint.
            Tainted::Many(v) => v.retain(|t| t.amount > 0),
        }
    }

    /// Inserts `p` (whose key is not present) in (incident, hops) order.
    fn insert(&mut self, p: Part) {
        let v = match self {
            Tainted::Empty => {
                *self = Tainted::One {
                    amount: p.amount,
                    tag: p.tag,
                    hops: p.hops,
                };
                return;
            }
            &mut Tainted::One { amount, tag, hops } => {
                let mut v = Vec::with_capacity(4);
                v.push(Part { amount, tag, hops });
                *self = Tainted::Many(v);
                match self {
                    Tainted::Many(v) => v,
                    _ => return,
                }
            }
            Tainted::Many(v) => v,
        };
        // A handful of entries: an insertion that swaps the new entry into
        // place beats a binary search and a block move.
        let key = (p.tag, p.hops);
        v.push(p);
        let mut i = v.len() - 1;
        while i > 0 && (v[i - 1].tag, v[i - 1].hops) > key {
            v.swap(i - 1, i);
            i -= 1;
        }
    }
}

impl Book for Haircut {
    fn open(_balance: Amount) -> Self {
        Haircut::default()
    }

    fn take(&mut self, balance: Amount, v: Amount, out: &mut Vec<Part>) {
        let start = out.len();
        let mut carried: Amount = 0;
        let mut held: Amount = 0;
        for k in 0..self.tainted.len() {
            let t = self.tainted.get(k);
            held = held.saturating_add(t.amount);
            let x = if v >= balance {
                t.amount
            } else {
                share(v, t.amount, balance)
            };
            self.tainted.set_amount(k, t.amount - x);
            carried = carried.saturating_add(x);
            out.push(Part {
                amount: x,
                tag: t.tag,
                hops: t.hops,
            });
        }
        let clean_held = balance.saturating_sub(held);
        let mut clean = v.saturating_sub(carried);
        if clean > clean_held {
            // The floors left more clean value in the transfer than the purse
            // holds (only possible when nearly all of it is tainted): the
            // shortfall comes from the tainted amounts, in (incident, hops)
            // order, so that value and taint stay exact.
            let mut short = clean - clean_held;
            for (k, p) in out[start..].iter_mut().enumerate() {
                let t = self.tainted.get(k);
                let y = short.min(t.amount);
                self.tainted.set_amount(k, t.amount - y);
                p.amount += y;
                short -= y;
                if short == 0 {
                    break;
                }
            }
            clean = clean_held;
        }
        out.retain(|p| p.amount > 0);
        // `retain` keeps parts before `start` (non-zero by construction).
        self.tainted.retain_nonzero();
        push_part(out, Part::clean(clean));
    }

    fn put(&mut self, p: Part) {
        if p.is_clean() || p.amount == 0 {
            return;
        }
        // A handful of entries: a linear scan.
        match &mut self.tainted {
            Tainted::One { amount, tag, hops } if (*tag, *hops) == (p.tag, p.hops) => {
                *amount = amount.saturating_add(p.amount);
                return;
            }
            Tainted::Many(v) => {
                if let Some(t) = v.iter_mut().find(|t| (t.tag, t.hops) == (p.tag, p.hops)) {
                    t.amount = t.amount.saturating_add(p.amount);
                    return;
                }
            }
            _ => {}
        }
        self.tainted.insert(p);
    }

    fn is_tainted(&self) -> bool {
        self.tainted.len() > 0
    }

    fn clear(&mut self) {
        match &mut self.tainted {
            Tainted::Many(v) => v.clear(),
            t => *t = Tainted::Empty,
        }
    }

    fn reopen(&mut self, _balance: Amount) {
        self.clear();
    }

    fn holdings(&self, out: &mut Vec<Part>) {
        for k in 0..self.tainted.len() {
            out.push(self.tainted.get(k));
        }
    }
}

/// `floor(v·t/b)` (for `b > 0`), exactly: in 128 bits when the product
/// fits; otherwise from a floating-point estimate corrected with exact
/// 256-bit arithmetic and one 128-bit division, falling back to the full
/// 256-bit division when the correction does not fit in 128 bits.
#[inline]
fn share(v: Amount, t: Amount, b: Amount) -> Amount {
    if let Some(p) = v.checked_mul(t) {
        return p / b;
    }
    share_wide(v, t, b)
}

#[cold]
fn share_wide(v: Amount, t: Amount, b: Amount) -> Amount {
    use ethnum::U256;
    if b == 0 {
        return 0;
    }
    // The estimate's relative error is below 2^-50; stepping down by
    // 2^-48 of it (and 2) gives a lower bound of the true quotient.
    let est = (v as f64) * (t as f64) / (b as f64);
    let est = est as u128; // saturating
    let low = est.saturating_sub(est >> 48).saturating_sub(2);
    let product = U256::from(v) * U256::from(t);
    let Some(lb) = U256::from(low).checked_mul(U256::from(b)) else {
        return mul_div_floor(v, t, b);
    };
    if lb > product {
        return mul_div_floor(v, t, b);
    }
    match u128::try_from(product - lb) {
        Ok(rest) => low.saturating_add(rest / b),
        Err(_) => mul_div_floor(v, t, b),
    }
}

/// FIFO and LIFO: a queue of lots, oldest first; adjacent lots of one source
/// are merged.
#[derive(Default, Debug)]
pub(crate) struct Lots<const NEWEST_FIRST: bool> {
    lots: VecDeque<Part>,
    tainted: Amount,
}

impl<const NEWEST_FIRST: bool> Book for Lots<NEWEST_FIRST> {
    fn open(balance: Amount) -> Self {
        let mut lots = VecDeque::new();
        push_lot(&mut lots, Part::clean(balance));
        Lots { lots, tainted: 0 }
    }

    fn take(&mut self, _balance: Amount, v: Amount, out: &mut Vec<Part>) {
        let mut need = v;
        while need > 0 {
            let lot = if NEWEST_FIRST {
                self.lots.back_mut()
            } else {
                self.lots.front_mut()
            };
            let Some(lot) = lot else { break };
            let x = need.min(lot.amount);
            lot.amount -= x;
            need -= x;
            let part = Part { amount: x, ..*lot };
            if !part.is_clean() {
                self.tainted = self.tainted.saturating_sub(x);
            }
            if lot.amount == 0 {
                if NEWEST_FIRST {
                    self.lots.pop_back();
                } else {
                    self.lots.pop_front();
                }
            }
            push_part(out, part);
        }
        // Only reachable if balances saturated: the rest is clean.
        push_part(out, Part::clean(need));
    }

    fn put(&mut self, p: Part) {
        if !p.is_clean() {
            self.tainted = self.tainted.saturating_add(p.amount);
        }
        push_lot(&mut self.lots, p);
    }

    fn is_tainted(&self) -> bool {
        self.tainted > 0
    }

    fn holdings(&self, out: &mut Vec<Part>) {
        out.extend(self.lots.iter().filter(|p| !p.is_clean()).copied());
    }
}

/// Taint-first and clean-first: the clean lots as one amount (their order
/// never matters to these models) and the tainted lots oldest first.
#[derive(Default, Debug)]
pub(crate) struct Split<const CLEAN_FIRST: bool> {
    tainted: VecDeque<Part>,
    tainted_sum: Amount,
}

impl<const CLEAN_FIRST: bool> Split<CLEAN_FIRST> {
    fn take_tainted(&mut self, mut need: Amount, out: &mut Vec<Part>) -> Amount {
        while need > 0 {
            let Some(lot) = self.tainted.front_mut() else {
                break;
            };
            let x = need.min(lot.amount);
            lot.amount -= x;
            need -= x;
            self.tainted_sum = self.tainted_sum.saturating_sub(x);
            let part = Part { amount: x, ..*lot };
            if lot.amount == 0 {
                self.tainted.pop_front();
            }
            push_part(out, part);
        }
        need
    }
}

impl<const CLEAN_FIRST: bool> Book for Split<CLEAN_FIRST> {
    fn open(_balance: Amount) -> Self {
        Self::default()
    }

    fn take(&mut self, balance: Amount, v: Amount, out: &mut Vec<Part>) {
        let clean_held = balance.saturating_sub(self.tainted_sum);
        if CLEAN_FIRST {
            let c = v.min(clean_held);
            push_part(out, Part::clean(c));
            let rest = self.take_tainted(v - c, out);
            push_part(out, Part::clean(rest));
        } else {
            let rest = self.take_tainted(v, out);
            push_part(out, Part::clean(rest));
        }
    }

    fn put(&mut self, p: Part) {
        if p.is_clean() {
            return;
        }
        self.tainted_sum = self.tainted_sum.saturating_add(p.amount);
        push_lot(&mut self.tainted, p);
    }

    fn is_tainted(&self) -> bool {
        self.tainted_sum > 0
    }

    fn holdings(&self, out: &mut Vec<Part>) {
        out.extend(self.tainted.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tainted(amount: Amount) -> Part {
        Part {
            amount,
            tag: 0,
            hops: 0,
        }
    }

    fn taken<B: Book>(book: &mut B, balance: Amount, v: Amount) -> Vec<(Amount, bool)> {
        let mut out = Vec::new();
        book.take(balance, v, &mut out);
        out.iter().map(|p| (p.amount, p.is_clean())).collect()
    }

    proptest::proptest! {
        #[test]
        fn wide_share_is_exact(
            v in proptest::prelude::any::<u128>(),
            t in proptest::prelude::any::<u128>(),
            b in 1u128..,
            shift in 0u32..128,
        ) {
            // Both full-range values and the wei-sized ones haircut meets.
            for (v, t, b) in [(v, t, b), (v >> shift, t >> shift, (b >> shift).max(1))] {
                proptest::prop_assert_eq!(share_wide(v, t, b), mul_div_floor(v, t, b));
                proptest::prop_assert_eq!(share(v, t, b), mul_div_floor(v, t, b));
            }
        }
    }

    /// The haircut book as it was kept before the inline one: a plain list.
    #[derive(Default)]
    struct ListHaircut {
        tainted: Vec<Part>,
    }

    impl ListHaircut {
        fn take(&mut self, balance: Amount, v: Amount, out: &mut Vec<Part>) {
            let start = out.len();
            let (mut carried, mut held): (Amount, Amount) = (0, 0);
            for t in &mut self.tainted {
                held = held.saturating_add(t.amount);
                let x = if v >= balance {
                    t.amount
                } else {
                    mul_div_floor(v, t.amount, balance)
                };
                t.amount -= x;
                carried = carried.saturating_add(x);
                out.push(Part { amount: x, ..*t });
            }
            let clean_held = balance.saturating_sub(held);
            let mut clean = v.saturating_sub(carried);
            if clean > clean_held {
                let mut short = clean - clean_held;
                for (t, p) in self.tainted.iter_mut().zip(out[start..].iter_mut()) {
                    let y = short.min(t.amount);
                    t.amount -= y;
                    p.amount += y;
                    short -= y;
                }
                clean = clean_held;
            }
            out.retain(|p| p.amount > 0);
            self.tainted.retain(|t| t.amount > 0);
            push_part(out, Part::clean(clean));
        }

        fn put(&mut self, p: Part) {
            if p.is_clean() || p.amount == 0 {
                return;
            }
            match self
                .tainted
                .iter_mut()
                .find(|t| (t.tag, t.hops) == (p.tag, p.hops))
            {
                Some(t) => t.amount += p.amount,
                None => {
                    self.tainted.push(p);
                    self.tainted.sort_by_key(|t| (t.tag, t.hops));
                }
            }
        }
    }

    proptest::proptest! {
        /// The inline haircut book (one entry inline, a list kept across
        /// `clear`) takes and holds exactly what a plain list does.
        #[test]
        fn inline_haircut_matches_list(
            ops in proptest::collection::vec(
                (0u8..4, 0u32..5, 0u32..3, 1u128..1_000_000, 0u128..1_000_000),
                1..60,
            ),
        ) {
            let (mut book, mut list) = (Haircut::default(), ListHaircut::default());
            let mut balance: Amount = 0;
            for (op, tag, hops, x, y) in ops {
                match op {
                    0 | 1 => {
                        let p = Part { amount: x, tag, hops };
                        book.put(p);
                        list.put(p);
                        balance += x + y % 3;
                    }
                    2 => {
                        let v = if balance == 0 { 0 } else { y % (balance + 1) };
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        book.take(balance, v, &mut a);
                        list.take(balance, v, &mut b);
                        proptest::prop_assert_eq!(a, b);
                        balance -= v;
                    }
                    _ => {
                        if !book.is_tainted() {
                            book.clear();
                            book.reopen(balance);
                        }
                    }
                }
                let mut held = Vec::new();
                book.holdings(&mut held);
                proptest::prop_assert_eq!(&held, &list.tainted);
                proptest::prop_assert_eq!(book.is_tainted(), !list.tainted.is_empty());
            }
        }
    }

    #[test]
    fn haircut_book_is_32_bytes() {
        // What lets a purse's entry hold its balance and book in one line.
        assert_eq!(std::mem::size_of::<Haircut>(), 32);
    }

    #[test]
    fn wide_share_edges() {
        for (v, t, b) in [
            (u128::MAX, u128::MAX, 1),
            (u128::MAX, u128::MAX, u128::MAX),
            (u128::MAX - 1, u128::MAX, u128::MAX),
            (1 << 100, 1 << 100, (1 << 100) + 1),
            (10u128.pow(21), 3 * 10u128.pow(22), 7 * 10u128.pow(22) + 13),
        ] {
            assert_eq!(share_wide(v, t, b), mul_div_floor(v, t, b), "{v} {t} {b}");
        }
    }

    #[test]
    fn haircut_shortfall_keeps_value_exact() {
        // Balance 3, all tainted by two incidents: floors give 0 + 0.
        let mut h = Haircut::default();
        h.put(tainted(1));
        h.put(Part {
            amount: 2,
            tag: 1,
            hops: 0,
        });
        let parts = taken(&mut h, 3, 1);
        assert_eq!(parts, vec![(1, false)]);
        let mut rest = Vec::new();
        h.holdings(&mut rest);
        assert_eq!(rest.iter().map(|p| p.amount).sum::<Amount>(), 2);
    }

    #[test]
    fn lots_merge_and_split() {
        let mut f = Lots::<false>::open(5);
        f.put(tainted(5));
        f.put(Part::clean(2));
        assert_eq!(taken(&mut f, 12, 7), vec![(5, true), (2, false)]);
        assert!(f.is_tainted());
        assert_eq!(taken(&mut f, 5, 5), vec![(3, false), (2, true)]);
        assert!(!f.is_tainted());
    }
}
