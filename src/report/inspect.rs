//! What one address received and sent, per asset.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{amount_string, InputDigest};
use crate::amount::{format_units, Amount};
use crate::ledger::{Address, Asset, Ledger, Sink};

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
    /// The files read.
    pub inputs: Vec<InputDigest>,
}

impl Inspection {
    /// Sums the transfers of `address` in `ledger`. An address the ledger
    /// does not have gives an empty asset list.
    #[must_use]
    pub fn of(ledger: &Ledger, address: &Address) -> Inspection {
        let mut per_asset: BTreeMap<String, AssetActivity> = BTreeMap::new();
        if let Some(id) = ledger.address_id(address) {
            for t in ledger.transfers() {
                if t.from != id && t.to != id {
                    continue;
                }
                let name = ledger.asset_name(t.asset);
                let e = per_asset.entry(name.clone()).or_insert(AssetActivity {
                    asset: name,
                    received: 0,
                    sent: 0,
                    n_in: 0,
                    n_out: 0,
                    fees: 0,
                });
                let is_fee = *ledger.address(t.to) == Address::Sink(Sink::Fees);
                if t.from == id {
                    e.sent = e.sent.saturating_add(t.amount);
                    if is_fee {
                        e.fees = e.fees.saturating_add(t.amount);
                    } else {
                        e.n_out += 1;
                    }
                }
                if t.to == id {
                    e.received = e.received.saturating_add(t.amount);
                    e.n_in += 1;
                }
            }
        }
        Inspection {
            address: address.to_string(),
            assets: per_asset.into_values().collect(),
            inputs: InputDigest::of(ledger),
        }
    }
}

/// A readable table of an [`Inspection`]; native amounts also in coin units.
#[derive(Debug)]
pub struct InspectionTable<'a> {
    /// The inspection.
    pub inspection: &'a Inspection,
    /// The ledger, for asset decimals.
    pub ledger: &'a Ledger,
}

impl fmt::Display for InspectionTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.inspection;
        writeln!(f, "address {}", i.address)?;
        if i.assets.is_empty() {
            writeln!(f, "  no transfers in the ledger")?;
        }
        writeln!(
            f,
            "  {:<44} {:>6} {:>32} {:>6} {:>32}",
            "asset", "in", "received", "out", "sent"
        )?;
        for a in &i.assets {
            let native_decimals = self.ledger.asset_by_name(&a.asset).and_then(|id| {
                let info = self.ledger.asset(id);
                (info.asset == Asset::Native)
                    .then(|| self.ledger.chains()[info.chain.index()].native_decimals())
            });
            let show = |v: Amount| match native_decimals {
                Some(d) => format_units(v, d),
                None => v.to_string(),
            };
            writeln!(
                f,
                "  {:<44} {:>6} {:>32} {:>6} {:>32}",
                a.asset,
                a.n_in,
                show(a.received),
                a.n_out,
                show(a.sent)
            )?;
        }
        writeln!(
            f,
            "  (native amounts in coin units; token amounts in base units)"
        )?;
        for input in &i.inputs {
            writeln!(f, "input {} sha256 {}", input.path, input.sha256)?;
        }
        Ok(())
    }
}
