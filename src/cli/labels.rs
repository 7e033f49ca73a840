//! The label-input flags shared by commands that need address labels
//! (`trace`, `compare`, `paths`, `flow`).

use std::path::PathBuf;

use clap::Args;
use fundtrace::labels::{self, Category, LabelSet, LoadOptions};

use super::{read_text, CliError};

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
    #[arg(long = "list", value_name = "FILE:CATEGORY", value_parser = parse_list_arg)]
    pub lists: Vec<(PathBuf, Category)>,
    /// A GraphSense TagPack (YAML).
    #[arg(long = "tagpack", value_name = "FILE")]
    pub tagpacks: Vec<PathBuf>,
    /// Skip bad label records (counted, reported on stderr) instead of stopping.
    #[arg(long)]
    pub lenient_labels: bool,
}

fn parse_list_arg(s: &str) -> Result<(PathBuf, Category), String> {
    let (path, cat) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("expected FILE:CATEGORY, got {s:?}"))?;
    let category = Category::parse(cat).map_err(|e| e.to_string())?;
    Ok((PathBuf::from(path), category))
}

impl LabelInputs {
    /// Whether any label input was given.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.lists.is_empty() && self.tagpacks.is_empty()
    }

    /// Loads and merges every label input.
    pub fn load(&self) -> Result<LabelSet, CliError> {
        let opts = LoadOptions {
            lenient: self.lenient_labels,
            ..LoadOptions::default()
        };
        let err = |e: labels::LabelError| CliError::Input(e.to_string());
        let mut set = LabelSet::default();
        for p in &self.labels {
            set.merge(labels::load_path(p, None, &opts).map_err(err)?);
        }
        for (p, category) in &self.lists {
            let (name, text) = read_text(p)?;
            set.merge(labels::parse_list(&text, &name, *category, &opts).map_err(err)?);
        }
        for p in &self.tagpacks {
            let (name, text) = read_text(p)?;
            set.merge(labels::parse_tagpack(&text, &name, &opts).map_err(err)?);
        }
        for (reason, n) in set.skipped() {
            eprintln!("warning: labels: skipped {n} record(s): {reason}");
        }
        Ok(set)
    }
}
