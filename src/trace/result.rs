//! What a trace returns: totals, exits, holders, flows and gaps, in ledger
//! ids. [`crate::report::trace`] turns it into the printed report.

use super::config::{ExitInfo, Model};
use super::seed::Seed;
use crate::amount::Amount;
use crate::id::{AddressId, AssetId, TransferId};

/// An incident's number: its position in [`super::TraceConfig::incidents`].
pub type IncidentIndex = u16;

/// Per-asset totals of a trace, base units.
///
/// For every model but poison, `stolen + swapped_in + linked_in +
/// bridged_in = held + exited + fees + dust + creations + pooled +
/// swapped_out + linked_out + bridged_out` exactly ([`entered`](Self::entered) =
/// [`accounted`](Self::accounted)); without conversions, `stolen =
/// accounted()`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetTotals {
    /// Value that became stolen: what seed addresses received from their
    /// start on while it was clean, what theft transactions delivered while
    /// clean, and history gaps at seed addresses.
    pub stolen: Amount,
    /// Taint still held at the end (including taint stopped by the hop limit).
    pub held: Amount,
    /// Taint handed to exit addresses.
    pub exited: Amount,
    /// Taint paid as fees (transfers to the fee sink).
    pub fees: Amount,
    /// Taint handed over as clean because the tainted part of its transfer
    /// was below the dust threshold.
    pub dust: Amount,
    /// The part of `stolen` that came from history gaps at seed addresses
    /// (value of unknown origin).
    pub gaps: Amount,
    /// Taint sent to contract creations with no known created address.
    pub creations: Amount,
    /// Taint that swaps carried into this asset.
    pub swapped_in: Amount,
    /// Taint this asset handed to swaps.
    pub swapped_out: Amount,
    /// Taint that linked mixer withdrawals carried on.
    pub linked_in: Amount,
    /// Taint mixer deposits handed to their links that the links carried
    /// on (so with mixer links alone, `linked_out = linked_in`).
    pub linked_out: Amount,
    /// Taint mixer deposits handed to their links that the links could not
    /// carry on: it stays in the pool. A link carries at most what its
    /// deposit handed over, and only out of the clean value the pool pays
    /// (see [`super::convert`]); what is left, and the taint of a link
    /// whose withdrawal lies beyond the trace's end, is counted here, in
    /// the deposit's asset.
    pub pooled: Amount,
    /// Taint that matched bridge releases carried into this asset.
    pub bridged_in: Amount,
    /// Taint this asset handed to matched bridge deposits.
    pub bridged_out: Amount,
    /// The part of `linked_in` that probable flows carried (probable mode,
    /// see [`super::probable`]): not an extra term of the identity.
    pub probable: Amount,
}

impl AssetTotals {
    /// `held + exited + fees + dust + creations + pooled + swapped_out +
    /// linked_out + bridged_out`, saturating.
    #[must_use]
    pub fn accounted(&self) -> Amount {
        self.held
            .saturating_add(self.exited)
            .saturating_add(self.fees)
            .saturating_add(self.dust)
            .saturating_add(self.creations)
            .saturating_add(self.pooled)
            .saturating_add(self.swapped_out)
            .saturating_add(self.linked_out)
            .saturating_add(self.bridged_out)
    }

    /// `stolen + swapped_in + linked_in + bridged_in`, saturating: taint
    /// that entered this asset.
    #[must_use]
    pub fn entered(&self) -> Amount {
        self.stolen
            .saturating_add(self.swapped_in)
            .saturating_add(self.linked_in)
            .saturating_add(self.bridged_in)
    }

    pub(crate) fn add_conversion(
        &mut self,
        kind: super::ConversionKind,
        incoming: bool,
        v: Amount,
    ) -> bool {
        use super::ConversionKind as K;
        let field = match (kind, incoming) {
            (K::Swap, true) => &mut self.swapped_in,
            (K::Swap, false) => &mut self.swapped_out,
            (K::MixerLink, true) => &mut self.linked_in,
            (K::MixerLink, false) => &mut self.linked_out,
            (K::Bridge, true) => &mut self.bridged_in,
            (K::Bridge, false) => &mut self.bridged_out,
        };
        // A sum over many transfers: `false` if it cannot be represented
        // (the driver then reports the overflow).
        match field.checked_add(v) {
            Some(sum) => {
                *field = sum;
                true
            }
            None => {
                *field = Amount::MAX;
                false
            }
        }
    }
}

/// Taint that reached one exit address in one asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitFlow {
    /// The exit address.
    pub address: AddressId,
    /// The asset.
    pub asset: AssetId,
    /// What the labels say about it.
    pub info: ExitInfo,
    /// Total taint exited there.
    pub amount: Amount,
    /// The first transfer that brought taint.
    pub first: TransferId,
    /// The last transfer that brought taint.
    pub last: TransferId,
    /// Per incident (sorted by incident). Under poison each incident's
    /// amount is the full exposure, so they can sum to more than `amount`.
    pub by_incident: Vec<(IncidentIndex, Amount)>,
    /// The part of `amount` that came through a mixer pool along a probable
    /// flow (probable mode; 0 otherwise).
    pub probable: Amount,
}

/// Taint held at the end by one purse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    /// The address.
    pub address: AddressId,
    /// The asset.
    pub asset: AssetId,
    /// Tainted amount held (under poison: the whole balance).
    pub amount: Amount,
    /// Per incident, sorted by incident.
    pub by_incident: Vec<(IncidentIndex, Amount)>,
    /// The part of `amount` that came through a mixer pool along a probable
    /// flow (probable mode; 0 otherwise).
    pub probable: Amount,
}

/// One transfer that carried taint.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The transfer.
    pub transfer: TransferId,
    /// Its tainted part: taint taken from the sender plus value that became
    /// stolen on it (under poison, the whole amount).
    pub tainted: Amount,
}

/// A history gap: a purse sent more than the ledger shows it received.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The address.
    pub address: AddressId,
    /// The asset.
    pub asset: AssetId,
    /// Total deficit, base units.
    pub amount: Amount,
    /// The first transfer that overdrew the purse.
    pub first: TransferId,
    /// Whether the value counts as stolen (a seed address from its start)
    /// or clean (anywhere else).
    pub stolen: bool,
}

/// A seed and how much of it the ledger has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedStatus {
    /// The seed.
    pub seed: Seed,
    /// Whether the ledger has the address or transaction.
    pub found: bool,
}

/// The result of [`super::trace`]. Every list is sorted: totals by asset,
/// exits by amount (largest first) then address and asset, holders likewise,
/// flows in event order, gaps by address and asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceResult {
    /// The model used.
    pub model: Model,
    /// Incident names; [`IncidentIndex`] numbers index this list.
    pub incidents: Vec<String>,
    /// Seeds, with whether the ledger has them.
    pub seeds: Vec<SeedStatus>,
    /// Totals for every asset that carried taint.
    pub totals: Vec<(AssetId, AssetTotals)>,
    /// Exits that received taint.
    pub exits: Vec<ExitFlow>,
    /// Purses holding taint at the end.
    pub holders: Vec<Holding>,
    /// Transfers that carried taint, in event order (empty when flows are
    /// not recorded).
    pub flows: Vec<Flow>,
    /// History gaps at seed addresses and at purses that held taint.
    pub gaps: Vec<Gap>,
    /// Conversions (swaps, mixer links, bridge matches) that carried taint,
    /// by first source transfer.
    pub conversions: Vec<super::ConversionFlow>,
    /// Probable-mode flows that were offered taint, by deposit and
    /// withdrawal transfer (empty unless probable mode is on).
    pub probable: Vec<super::ProbableFlow>,
    /// Things the reader should know (seeds not in the ledger, gaps not
    /// listed, …), sorted.
    pub warnings: Vec<String>,
    /// The last transfer considered (exclusive): events at or after it were
    /// after `until`.
    pub end: TransferId,
    /// The first asset for which a total, an exit, a gap or an address's
    /// balance passed `u128::MAX` (possible only with hostile or corrupt
    /// data: no chain has that much of an asset). Its numbers are not valid;
    /// [`crate::investigation::Investigation::trace`] turns this into an
    /// error.
    pub overflow: Option<AssetId>,
}

impl TraceResult {
    /// The totals of one asset (all zero if it carried no taint).
    #[must_use]
    pub fn totals_of(&self, asset: AssetId) -> AssetTotals {
        self.totals
            .iter()
            .find(|(a, _)| *a == asset)
            .map(|(_, t)| *t)
            .unwrap_or_default()
    }

    /// The taint held by one purse at the end (0 if none).
    #[must_use]
    pub fn held_by(&self, address: AddressId, asset: AssetId) -> Amount {
        self.holders
            .iter()
            .find(|h| h.address == address && h.asset == asset)
            .map_or(0, |h| h.amount)
    }

    /// The taint that reached one exit in one asset (0 if none).
    #[must_use]
    pub fn exited_to(&self, address: AddressId, asset: AssetId) -> Amount {
        self.exits
            .iter()
            .find(|e| e.address == address && e.asset == asset)
            .map_or(0, |e| e.amount)
    }

    /// The tainted part of one transfer (0 if it carried none).
    #[must_use]
    pub fn tainted_part(&self, transfer: TransferId) -> Amount {
        self.flows
            .binary_search_by_key(&transfer, |f| f.transfer)
            .map_or(0, |i| self.flows[i].tainted)
    }
}
