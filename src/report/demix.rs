//! The readable summary of `fundtrace demix`: per pool its deposits,
//! withdrawals and both anonymity measures, the candidate links counted
//! per heuristic and listed, pool candidates with their evidence, and
//! notes. The JSON form is the [`DemixReport`] itself.

use std::fmt;

use super::text::escape;
use crate::heuristics::mixer::DemixReport;

/// Shows a [`DemixReport`] as text (`{}`).
#[derive(Clone, Copy, Debug)]
pub struct DemixSummary<'a>(pub &'a DemixReport);

impl fmt::Display for DemixSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.0;
        for p in &report.pools {
            writeln!(
            f,
            "pool {} ({}{}): {} deposits, {} withdrawals; deposits before each withdrawal min {} median {} max {}; notes unspent at it min {} median {} max {}",
            p.address.as_ref().map_or_else(|| "?".into(), ToString::to_string),
            p.denomination.as_deref().unwrap_or("denomination unknown"),
            p.origin.map_or_else(String::new, |o| format!(", {}", o.name())),
            p.deposits,
            p.withdrawals,
            p.anonymity_set.min,
            p.anonymity_set.median,
            p.anonymity_set.max,
            p.unspent_notes.min,
            p.unspent_notes.median,
            p.unspent_notes.max,
        )?;
            if p.deposits_without_depositor > 0 || p.withdrawals_outside_ledger > 0 {
                writeln!(
                f,
                "  {} deposit(s) without a known depositor (not in the ledger); {} withdrawal(s) not in the ledger, linked from their events",
                p.deposits_without_depositor, p.withdrawals_outside_ledger
            )?;
            }
        }
        let counts: Vec<String> = report
            .by_heuristic
            .iter()
            .map(|(h, n)| format!("{h} {n}"))
            .collect();
        writeln!(
            f,
            "{} candidate link(s): {}",
            report.links.len(),
            counts.join(", ")
        )?;
        for l in &report.links {
            writeln!(
                f,
                "  {} -> {}  {} (confidence {}): {}",
                l.deposit_tx,
                l.withdrawal_tx,
                l.heuristic.name(),
                l.confidence.level(),
                l.reason
            )?;
        }
        for c in &report.detected {
            let dens: Vec<String> = c
                .denominations
                .iter()
                .map(|d| {
                    format!(
                        "{} ({} deposits, {} withdrawals, first deposit {})",
                        d.denomination_units
                            .clone()
                            .unwrap_or_else(|| d.denomination.to_string()),
                        d.deposits,
                        d.withdrawals,
                        d.first_deposit_tx
                    )
                })
                .collect();
            writeln!(
                f,
                "pool candidate {} {} ({} % of its incoming transfers): {}",
                c.address,
                c.asset,
                c.share,
                dens.join("; ")
            )?;
        }
        for n in &report.notes {
            writeln!(f, "note: {}", escape(n))?;
        }
        Ok(())
    }
}
