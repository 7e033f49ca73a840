//! The readable summaries of `fundtrace cluster`: the clusters with their
//! sizes, CoinJoins and inputs placed, and the merges that put two
//! addresses in one cluster. The JSON forms are the library's values.

use std::fmt;

use crate::heuristics::cluster::{ClusterReport, Explanation};
use crate::ledger::utxo::AddressOrigin;

/// Shows a [`ClusterReport`] as text, `min_size` being the size it was
/// cut at.
#[derive(Clone, Copy, Debug)]
pub struct ClusterSummary<'a> {
    /// The report.
    pub report: &'a ClusterReport,
    /// The smallest cluster it lists.
    pub min_size: usize,
}

impl fmt::Display for ClusterSummary<'_> {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.report;
        writeln!(
            w,
            "{} addresses in {} clusters; {} cluster(s) of at least {} addresses; {} CoinJoin(s) skipped",
            report.address_count,
            report.cluster_count,
            report.clusters.len(),
            self.min_size,
            report.skipped_coinjoins.len()
        )?;
        writeln!(
            w,
            "inputs: {} placed from spent outputs, {} from their scripts, {} unresolved",
            report.inputs_from_spent_outputs, report.inputs_from_scripts, report.unresolved_inputs
        )?;
        for cj in &report.coinjoins {
            writeln!(w, "coinjoin {} {}", cj.tx, cj.kind)?;
        }
        for c in &report.clusters {
            writeln!(
                w,
                "cluster {:?}: {} addresses, {} merges",
                c.id,
                c.addresses.len(),
                c.merges.len()
            )?;
            for a in c.addresses.iter().take(10) {
                writeln!(w, "  {a}")?;
            }
            if c.addresses.len() > 10 {
                writeln!(w, "  … and {} more", c.addresses.len() - 10)?;
            }
        }
        Ok(())
    }
}

/// Shows an [`Explanation`] of why addresses `a` and `b` share a cluster.
#[derive(Clone, Copy, Debug)]
pub struct ExplanationSummary<'a> {
    /// The explanation.
    pub explanation: &'a Explanation,
    /// The first address, as given.
    pub a: &'a str,
    /// The second address, as given.
    pub b: &'a str,
}

impl fmt::Display for ExplanationSummary<'_> {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (super::text::escape(self.a), super::text::escape(self.b));
        if !self.explanation.same_cluster {
            return writeln!(w, "{a} and {b} are in different clusters");
        }
        writeln!(
            w,
            "{a} and {b} share a cluster through {} merge(s):",
            self.explanation.merges.len()
        )?;
        for m in &self.explanation.merges {
            let from = |o: AddressOrigin| match o {
                AddressOrigin::SpentOutput => "",
                AddressOrigin::InputScript => " (read from its input script)",
            };
            writeln!(
                w,
                "  {} {:?}: {}{} + {}{}",
                m.txid,
                m.heuristic,
                m.a,
                from(m.a_origin),
                m.b,
                from(m.b_origin)
            )?;
        }
        Ok(())
    }
}
