//! Exit sets from labels: which labelled addresses absorb taint.

use std::collections::BTreeMap;

use super::config::ExitInfo;
use crate::labels::{Category, LabelSet};
use crate::ledger::Address;

/// The categories that stop a trace by default: exchange, bridge,
/// sanctioned and mixer (DESIGN §6; mixer leaves the set when demixing).
pub const DEFAULT_STOP_AT: [Category; 4] = [
    Category::Exchange,
    Category::Bridge,
    Category::Sanctioned,
    Category::Mixer,
];

/// The exit set of a trace: every address of `labels` whose decisive
/// category ([`LabelSet::category_for_exits`]) is in `stop_at`, with the
/// decisive label's entity as the exit's label.
///
/// An address labelled exploiter or laundering by any source never stops a
/// trace (those categories rank first), even when a sanctions list also
/// names it.
///
/// ```
/// use fundtrace::labels::{parse_list, Category, LoadOptions};
/// use fundtrace::trace::exits_from_labels;
/// let set = parse_list("0x098b716b8aaf21512996dc57eb0615e2383e2f96\n", "ofac.txt",
///                      Category::Sanctioned, &LoadOptions::default()).unwrap();
/// assert_eq!(exits_from_labels(&set, &[Category::Sanctioned]).len(), 1);
/// assert!(exits_from_labels(&set, &[Category::Exchange]).is_empty());
/// ```
#[must_use]
pub fn exits_from_labels(labels: &LabelSet, stop_at: &[Category]) -> BTreeMap<Address, ExitInfo> {
    let mut out = BTreeMap::new();
    for address in labels.addresses() {
        let Some(label) = labels.decisive_label(address) else {
            continue;
        };
        if stop_at.contains(&label.category) {
            out.insert(
                address.clone(),
                ExitInfo {
                    label: label.entity.clone(),
                    category: label.category.name().to_string(),
                },
            );
        }
    }
    out
}
