//! The label-input flags shared by commands that need address labels
//! (`trace`, `compare`, `paths`, `flow`).

use std::path::PathBuf;

use clap::Args;
use fundtrace::labels::{parse_list_spec, Category, LabelSet, LabelSources};

use super::CliError;

/// Label inputs. Each flag is repeatable; all labels are merged, and
/// conflicting labels of one address are kept with their sources.
#[derive(Debug, Clone, Default, Args)]
pub struct LabelInputs {
    /// Address labels, format by extension: CSV `address,entity,category[,actor,source]`
    /// (or the shared `attributed_addresses.csv` shape), JSON, or a GraphSense
    /// TagPack (`.yaml`).
    #[arg(long = "labels", value_name = "FILE")]
    pub labels: Vec<PathBuf>,
    /// A plain list of addresses, one per line, all of CATEGORY (e.g. an OFAC
    /// list: `--list sanctioned_addresses_ETH.txt:sanctioned`).
    #[arg(long = "list", value_name = "FILE:CATEGORY", value_parser = parse_list_spec)]
    pub lists: Vec<(PathBuf, Category)>,
    /// A GraphSense TagPack (YAML).
    #[arg(long = "tagpack", value_name = "FILE")]
    pub tagpacks: Vec<PathBuf>,
    /// Skip bad label records (counted, reported on stderr) instead of stopping.
    #[arg(long)]
    pub lenient_labels: bool,
}

impl LabelInputs {
    /// Whether any label input was given.
    pub fn is_empty(&self) -> bool {
        self.sources().is_empty()
    }

    /// Every label file given.
    pub fn paths(&self) -> Vec<PathBuf> {
        let lists = self.lists.iter().map(|(p, _)| p);
        self.labels
            .iter()
            .chain(lists)
            .chain(&self.tagpacks)
            .cloned()
            .collect()
    }

    /// The inputs as the library takes them.
    fn sources(&self) -> LabelSources {
        LabelSources {
            files: self.labels.clone(),
            lists: self.lists.clone(),
            tagpacks: self.tagpacks.clone(),
            lenient: self.lenient_labels,
        }
    }

    /// Loads and merges every label input.
    pub fn load(&self) -> Result<LabelSet, CliError> {
        let set = self
            .sources()
            .load()
            .map_err(|e| CliError::Input(e.to_string()))?;
        for (reason, n) in set.skipped() {
            eprintln!("warning: labels: skipped {n} record(s): {reason}");
        }
        Ok(set)
    }
}
