//! Address labels: who an address belongs to, by whose word, and how sure.
//!
//! A [`Label`] ties an [`Address`] on a chain to an entity, a [`Category`],
//! an optional actor, the source of the attribution and a [`Confidence`].
//! A [`LabelSet`] keeps every label it is given, conflicting ones included,
//! each with its source; lookups are by address and iteration is sorted.
//! [`LabelSet::category_for_exits`] resolves conflicts with one documented
//! precedence.
//!
//! Loaders read CSV ([`parse_csv`], including the shape of
//! `attributed_addresses.csv`), JSON ([`parse_json`]), plain address lists
//! with a category given by the caller ([`parse_list`], e.g. the OFAC lists)
//! and GraphSense TagPacks ([`parse_tagpack`]). The `parse_*` functions
//! work on text; the `load_*` functions read a file and call them.
//! [`registry`] is the built-in registry of North Korea–linked incidents,
//! Tornado Cash pools and mixer services.
//!
//! ```
//! use fundtrace::labels::{parse_list, Category, LoadOptions};
//! let text = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n";
//! let set = parse_list(text, "ofac_eth.txt", Category::Sanctioned, &LoadOptions::default()).unwrap();
//! let a = "0x098b716b8aaf21512996dc57eb0615e2383e2f96".parse().unwrap();
//! assert_eq!(set.category_for_exits(&a), Some(Category::Sanctioned));
//! ```

mod addr;
mod category;
mod error;
mod load;
mod parse;
pub mod registry;
mod tagpack;

pub use addr::{normalize_chain, parse_label_address, well_formed};
pub use category::{Category, Confidence, UnknownCategory};
pub use error::LabelError;
pub use load::{
    load_csv, load_json, load_list, load_path, load_tagpack, parse_list_spec, LabelSources,
};
pub use parse::{parse_csv, parse_json, parse_list, LoadOptions};
pub use tagpack::parse_tagpack;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ledger::Address;

/// One attribution: an address, what it is, and who says so.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    /// The labelled address.
    pub address: Address,
    /// The chain, normalised by [`normalize_chain`] (`ethereum`, `bitcoin`, …).
    pub chain: String,
    /// The entity the address belongs to (`Lazarus Group`, `Binance 14`).
    pub entity: String,
    /// The category.
    pub category: Category,
    /// The actor behind the entity, when the source names one (`lazarusgroup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Who made the attribution (an authority's URL, a dataset).
    pub source: String,
    /// How far the attribution is to be trusted.
    pub confidence: Confidence,
    /// Where the label was read: `file:line`, or `registry:NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Label {
    /// The sort key inside one address: exit precedence, then higher
    /// confidence first, then source, entity, actor, origin.
    fn order_key(&self) -> impl Ord + '_ {
        (
            self.category.precedence(),
            std::cmp::Reverse(self.confidence),
            &self.source,
            &self.entity,
            &self.actor,
            &self.origin,
            &self.chain,
        )
    }
}

/// A conflict between two labels of one address whose categories are
/// incompatible (see [`Category::compatible_with`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The address.
    pub address: Address,
    /// The first label's category and source.
    pub first: (Category, String),
    /// The second label's category and source.
    pub second: (Category, String),
}

/// A set of labels: every label kept, looked up by address, iterated sorted.
///
/// Identical labels (all fields equal) are kept once. Labels of one address
/// are ordered by exit precedence, then confidence (higher first), then
/// source, so the first label of an address is the one that decides its
/// exit category. A lenient load counts the records it skipped, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSet {
    by_address: BTreeMap<Address, Vec<Label>>,
    skipped: BTreeMap<String, u64>,
    /// The files the labels were read from, with their digests.
    inputs: Vec<crate::provenance::InputDigest>,
}

#[derive(Serialize)]
struct LabelSetView<'a> {
    labels: Vec<&'a Label>,
    skipped: &'a BTreeMap<String, u64>,
}

impl Serialize for LabelSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LabelSetView {
            labels: self.iter().collect(),
            skipped: &self.skipped,
        }
        .serialize(s)
    }
}

impl LabelSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> LabelSet {
        LabelSet::default()
    }

    /// Adds a label; an identical label already present is not added twice.
    pub fn insert(&mut self, label: Label) {
        let list = self.by_address.entry(label.address.clone()).or_default();
        if list.contains(&label) {
            return;
        }
        let pos = list
            .binary_search_by(|l| l.order_key().cmp(&label.order_key()))
            .unwrap_or_else(|p| p);
        list.insert(pos, label);
    }

    /// Adds every label (and every skip count) of `other`.
    pub fn merge(&mut self, other: LabelSet) {
        for (_, labels) in other.by_address {
            for l in labels {
                self.insert(l);
            }
        }
        for (reason, n) in other.skipped {
            *self.skipped.entry(reason).or_insert(0) += n;
        }
        for input in other.inputs {
            self.record_input(input);
        }
    }

    /// Records a file the labels were read from (kept once, sorted).
    pub fn record_input(&mut self, input: crate::provenance::InputDigest) {
        if let Err(pos) = self.inputs.binary_search(&input) {
            self.inputs.insert(pos, input);
        }
    }

    /// The files the labels were read from, with their SHA-256, sorted by
    /// path (empty for labels built in memory or from the registry).
    #[must_use]
    pub fn inputs(&self) -> &[crate::provenance::InputDigest] {
        &self.inputs
    }

    /// Counts one skipped record under `reason`.
    pub fn record_skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_insert(0) += 1;
    }

    /// Records skipped by a lenient load, by reason (sorted).
    #[must_use]
    pub fn skipped(&self) -> &BTreeMap<String, u64> {
        &self.skipped
    }

    /// Total records skipped.
    #[must_use]
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// The labels of `address`, in precedence order (empty if none).
    #[must_use]
    pub fn get(&self, address: &Address) -> &[Label] {
        self.by_address.get(address).map_or(&[], Vec::as_slice)
    }

    /// Whether `address` has any label.
    #[must_use]
    pub fn contains(&self, address: &Address) -> bool {
        self.by_address.contains_key(address)
    }

    /// Number of labels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_address.values().map(Vec::len).sum()
    }

    /// Whether the set holds no label.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    /// Number of distinct labelled addresses.
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.by_address.len()
    }

    /// The labelled addresses, sorted.
    pub fn addresses(&self) -> impl Iterator<Item = &Address> + '_ {
        self.by_address.keys()
    }

    /// Every label: addresses sorted, each address's labels in precedence order.
    pub fn iter(&self) -> impl Iterator<Item = &Label> + '_ {
        self.by_address.values().flatten()
    }

    /// The label that decides the exit category of `address`.
    ///
    /// # Precedence
    ///
    /// When labels of one address disagree, the category ranks first
    /// (lower [`Category::precedence`] wins), then the confidence (higher
    /// wins), then the source (alphabetical, for determinism). The ranks are
    /// exploiter, laundering, mixer, bridge, exchange, dex, service,
    /// sanctioned, other, because:
    /// - the thieves' own wallets (exploiter, laundering) must never stop a
    ///   trace, even when an authority also lists them as sanctioned (the
    ///   Ronin exploiter and the Lazarus consolidation wallets are on the
    ///   OFAC list);
    /// - a named service says more than a bare sanctions listing (a Tornado
    ///   Cash pool is both; as a mixer it can be demixed);
    /// - mixers and bridges rank above exchanges because value goes on
    ///   through them (demixing, bridge matching), where an exchange is an end.
    #[must_use]
    pub fn decisive_label(&self, address: &Address) -> Option<&Label> {
        self.get(address).first()
    }

    /// The category of `address` for the exit test of a trace (the
    /// category of [`decisive_label`](Self::decisive_label)).
    #[must_use]
    pub fn category_for_exits(&self, address: &Address) -> Option<Category> {
        self.decisive_label(address).map(|l| l.category)
    }

    /// Every pair of labels of one address with incompatible categories,
    /// sorted by address.
    #[must_use]
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        for (a, labels) in &self.by_address {
            for (i, x) in labels.iter().enumerate() {
                for y in &labels[i + 1..] {
                    if !x.category.compatible_with(y.category) {
                        out.push(Conflict {
                            address: a.clone(),
                            first: (x.category, x.source.clone()),
                            second: (y.category, y.source.clone()),
                        });
                    }
                }
            }
        }
        out
    }

    /// The exit category of every address of `ledger`, indexed by
    /// [`AddressId`](crate::AddressId) (see
    /// [`category_for_exits`](Self::category_for_exits)): what a trace
    /// needs to test exits without looking labels up per transfer.
    #[must_use]
    pub fn exit_categories(&self, ledger: &crate::Ledger) -> Vec<Option<Category>> {
        ledger
            .addresses()
            .iter()
            .map(|a| self.category_for_exits(a))
            .collect()
    }

    /// Every address of `ledger` whose deciding label (see
    /// [`category_for_exits`](Self::category_for_exits)) has `category`,
    /// in id order.
    #[must_use]
    pub fn addresses_of_category(
        &self,
        ledger: &crate::Ledger,
        category: Category,
    ) -> Vec<crate::AddressId> {
        ledger
            .addresses()
            .iter()
            .enumerate()
            .filter(|(_, a)| self.category_for_exits(a) == Some(category))
            .map(|(i, _)| crate::AddressId::from_usize(i))
            .collect()
    }

    /// The labels of one category, sorted by address.
    pub fn with_category(&self, category: Category) -> impl Iterator<Item = &Label> + '_ {
        self.iter().filter(move |l| l.category == category)
    }
}

impl FromIterator<Label> for LabelSet {
    fn from_iter<T: IntoIterator<Item = Label>>(iter: T) -> Self {
        let mut s = LabelSet::new();
        for l in iter {
            s.insert(l);
        }
        s
    }
}

impl Extend<Label> for LabelSet {
    fn extend<T: IntoIterator<Item = Label>>(&mut self, iter: T) {
        for l in iter {
            self.insert(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(addr: &str, category: Category, source: &str, conf: u8) -> Label {
        Label {
            address: addr.parse().unwrap(),
            chain: "ethereum".into(),
            entity: "e".into(),
            category,
            actor: None,
            source: source.into(),
            confidence: Confidence::new(conf),
            origin: None,
        }
    }

    const A: &str = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

    #[test]
    fn conflicting_labels_are_kept_and_resolved_by_precedence() {
        let mut s = LabelSet::new();
        s.insert(label(A, Category::Sanctioned, "ofac", 60));
        s.insert(label(A, Category::Exploiter, "graphsense", 50));
        s.insert(label(A, Category::Sanctioned, "ofac", 60));
        assert_eq!(s.len(), 2);
        let a: Address = A.parse().unwrap();
        assert_eq!(s.category_for_exits(&a), Some(Category::Exploiter));
        assert!(s.conflicts().is_empty());
        s.insert(label(A, Category::Exchange, "web", 20));
        assert_eq!(s.conflicts().len(), 1);
        assert_eq!(s.category_for_exits(&a), Some(Category::Exploiter));
    }

    #[test]
    fn confidence_breaks_ties_within_a_category() {
        let s: LabelSet = [
            label(A, Category::Exchange, "b", 20),
            label(A, Category::Exchange, "a", 60),
        ]
        .into_iter()
        .collect();
        let a: Address = A.parse().unwrap();
        assert_eq!(s.decisive_label(&a).map(|l| l.source.as_str()), Some("a"));
    }

    #[test]
    fn exit_categories_follow_ledger_ids() {
        use crate::ledger::{Asset, LedgerBuilder, TransferKind, TransferRecord};
        let mut b = LedgerBuilder::new();
        let chain = b.chain("ethereum", "ETH");
        let pool: Address = "0xa160cdab225685da1d56aa342ad8841c3b53f291"
            .parse()
            .unwrap();
        b.push(TransferRecord {
            chain,
            tx_hash: [1; 32],
            block: 1,
            time: 1,
            tx_position: 0,
            kind: TransferKind::Native,
            sub_index: 0,
            from: A.parse().unwrap(),
            to: pool.clone(),
            asset: Asset::Native,
            amount: 5,
        })
        .unwrap();
        let ledger = b.build().unwrap();
        let s: LabelSet = [label(pool.to_string().as_str(), Category::Mixer, "x", 50)]
            .into_iter()
            .collect();
        let cats = s.exit_categories(&ledger);
        let id = ledger.address_id(&pool).unwrap();
        assert_eq!(cats[id.index()], Some(Category::Mixer));
        assert_eq!(cats.iter().flatten().count(), 1);
    }

    #[test]
    fn merge_is_order_independent() {
        let x = label(A, Category::Mixer, "x", 50);
        let y = label(
            "0xa160cdab225685da1d56aa342ad8841c3b53f291",
            Category::Mixer,
            "y",
            50,
        );
        let mut s1: LabelSet = [x.clone()].into_iter().collect();
        s1.merge([y.clone()].into_iter().collect());
        let mut s2: LabelSet = [y].into_iter().collect();
        s2.merge([x].into_iter().collect());
        assert_eq!(s1, s2);
        assert_eq!(
            serde_json::to_string(&s1).unwrap(),
            serde_json::to_string(&s2).unwrap()
        );
    }
}
