//! What one address received and sent, per asset.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use thiserror::Error;

use super::text::{
    asset_label, cut, put, units, warning_lines, width_of_formatter, Align, Column, Give, Table,
};
use super::{amount_string, InputDigest};
use crate::amount::Amount;
use crate::assets::AssetMeta;
use crate::id::AssetId;
use crate::ledger::{Address, Ledger, Sink};

/// Totals for one asset of an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssetActivity {
    /// Asset name (`ETH` or the token contract).
    pub asset: String,
    /// Total received, base units.
    #[serde(serialize_with = "amount_string")]
    pub received: Amount,
    /// Total sent (fees included), base units.
    #[serde(serialize_with = "amount_string")]
    pub sent: Amount,
    /// Number of incoming transfers.
    pub n_in: u64,
    /// Number of outgoing transfers (fees excluded).
    pub n_out: u64,
    /// Fees paid, base units (native asset only).
    #[serde(serialize_with = "amount_string")]
    pub fees: Amount,
}

/// The activity of one address, per asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The address, as printed.
    pub address: String,
    /// One entry per asset it touched, sorted by asset name.
    pub assets: Vec<AssetActivity>,
    /// Symbol and decimals of those assets, by asset name.
    pub asset_info: BTreeMap<String, AssetMeta>,
    /// The ledger's warnings, sorted.
    pub warnings: Vec<String>,
    /// The files read.
    pub inputs: Vec<InputDigest>,
}

/// A total of an [`Inspection`] passed the largest amount a `u128` holds:
/// the data claims more of an asset than can exist.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("the totals of {asset} at {address} pass the largest representable amount ({max} base units): the data claims more of it than can exist")]
pub struct TotalOverflow {
    /// The address inspected.
    pub address: String,
    /// The asset, as reported.
    pub asset: String,
    /// `u128::MAX`.
    pub max: u128,
}

impl Inspection {
    /// Sums the transfers of `address` in `ledger`. An address the ledger
    /// does not have gives an empty asset list.
    ///
    /// # Errors
    ///
    /// [`TotalOverflow`] when an amount received, sent or paid in fees
    /// cannot be represented.
    pub fn of(ledger: &Ledger, address: &Address) -> Result<Inspection, TotalOverflow> {
        let mut per_asset: BTreeMap<AssetId, AssetActivity> = BTreeMap::new();
        if let Some(id) = ledger.address_id(address) {
            for t in ledger.transfers() {
                if t.from != id && t.to != id {
                    continue;
                }
                let e = per_asset.entry(t.asset).or_insert_with(|| AssetActivity {
                    asset: ledger.asset_name(t.asset),
                    received: 0,
                    sent: 0,
                    n_in: 0,
                    n_out: 0,
                    fees: 0,
                });
                let is_fee = *ledger.address(t.to) == Address::Sink(Sink::Fees);
                let overflow = || TotalOverflow {
                    address: address.to_string(),
                    asset: ledger.asset_name(t.asset),
                    max: u128::MAX,
                };
                if t.from == id {
                    e.sent = e.sent.checked_add(t.amount).ok_or_else(overflow)?;
                    if is_fee {
                        // At most `sent`, which did not overflow.
                        e.fees = e.fees.saturating_add(t.amount);
                    } else {
                        e.n_out += 1;
                    }
                }
                if t.to == id {
                    e.received = e.received.checked_add(t.amount).ok_or_else(overflow)?;
                    e.n_in += 1;
                }
            }
        }
        let asset_info = per_asset
            .iter()
            .map(|(id, a)| (a.asset.clone(), AssetMeta::of(ledger, *id)))
            .collect();
        let mut assets: Vec<AssetActivity> = per_asset.into_values().collect();
        assets.sort_by(|a, b| a.asset.cmp(&b.asset));
        Ok(Inspection {
            address: address.to_string(),
            assets,
            asset_info,
            warnings: super::sorted_warnings(ledger),
            inputs: InputDigest::of_ledger(ledger),
        })
    }
}

/// A readable table of an [`Inspection`]: per asset, transfers in and out
/// and amounts in coin units with the asset's symbol (base units for a
/// token of unknown decimals), fitted to the formatter's width (`{:80}`;
/// 100 columns when none is given).
#[derive(Debug)]
pub struct InspectionTable<'a> {
    /// The inspection.
    pub inspection: &'a Inspection,
    /// The ledger it was made on (the inspection carries the decimals it
    /// needs; the field is kept so callers need not change).
    pub ledger: &'a Ledger,
}

impl fmt::Display for InspectionTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = width_of_formatter(f);
        let i = self.inspection;
        put(f, &format!("address {}", cut(&i.address, width - 8)), width)?;
        if i.assets.is_empty() {
            put(f, "  no transfers in the ledger", width)?;
        }
        let with_fees = i.assets.iter().any(|a| a.fees > 0);
        let mut columns = vec![
            Column::new("asset", Align::Left, Give::Cut(10)),
            Column::new("in", Align::Right, Give::Never),
            Column::new("received", Align::Decimal, Give::Never),
            Column::new("out", Align::Right, Give::Never),
            Column::new("sent", Align::Decimal, Give::Never),
        ];
        if with_fees {
            columns.push(Column::new("of it fees", Align::Decimal, Give::Never));
        }
        let mut table = Table::new(columns);
        for a in &i.assets {
            let meta = i.asset_info.get(&a.asset);
            let d = meta.and_then(|m| m.decimals);
            let mut row = vec![
                asset_label(&a.asset, meta),
                units(u128::from(a.n_in), None),
                units(a.received, d),
                units(u128::from(a.n_out), None),
                units(a.sent, d),
            ];
            if with_fees {
                row.push(units(a.fees, d));
            }
            table.row(row);
        }
        if !i.assets.is_empty() {
            for line in table.lines(2, width) {
                put(f, &line, width)?;
            }
        }
        for line in warning_lines(&i.warnings, usize::MAX, width) {
            put(f, &line, width)?;
        }
        for input in &i.inputs {
            put(f, &format!("input {}", cut(&input.path, width - 6)), width)?;
            put(
                f,
                &format!("  sha256 {}", cut(&input.sha256, width - 9)),
                width,
            )?;
        }
        Ok(())
    }
}
