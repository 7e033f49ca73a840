//! Addresses named on the command line or in a script: one address, or
//! every address of a label category (`category:exchange`), resolved
//! against a ledger and its labels.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::id::AddressId;
use crate::labels::{Category, LabelSet};
use crate::ledger::{Address, Ledger};

/// An address or a category of labelled addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressSpec {
    /// One address.
    Address(Address),
    /// Every address of the ledger whose deciding label has this category.
    Category(Category),
}

/// Why an [`AddressSpec`] cannot be read or resolved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Neither an address nor `category:NAME`.
    #[error("{spec:?}: {problem}")]
    Malformed {
        /// The text given.
        spec: String,
        /// What is wrong.
        problem: String,
    },
    /// The address does not appear in the ledger.
    #[error("{0}: the address does not appear in the ledger")]
    NotInLedger(String),
    /// No address of the ledger has a label of the category.
    #[error("category:{0}: no address of the ledger has a label of category {0} (give labels with --labels, --list or --tagpack)")]
    EmptyCategory(String),
}

impl FromStr for AddressSpec {
    type Err = TargetError;

    /// Parses `category:NAME` or an address.
    ///
    /// ```
    /// use fundtrace::investigation::AddressSpec;
    /// assert!(matches!("category:exchange".parse(), Ok(AddressSpec::Category(_))));
    /// assert!("0x12".parse::<AddressSpec>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = |problem: String| TargetError::Malformed {
            spec: s.to_string(),
            problem,
        };
        if let Some(name) = s.strip_prefix("category:") {
            return Category::parse(name)
                .map(AddressSpec::Category)
                .map_err(|e| malformed(e.to_string()));
        }
        s.parse::<Address>()
            .map(AddressSpec::Address)
            .map_err(|e| malformed(e.to_string()))
    }
}

impl fmt::Display for AddressSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressSpec::Address(a) => write!(f, "{a}"),
            AddressSpec::Category(c) => write!(f, "category:{}", c.name()),
        }
    }
}

impl AddressSpec {
    /// The ledger addresses this spec names.
    ///
    /// # Errors
    ///
    /// When the address is not in the ledger, or no ledger address has the
    /// category.
    pub fn resolve(
        &self,
        ledger: &Ledger,
        labels: &LabelSet,
    ) -> Result<Vec<AddressId>, TargetError> {
        match self {
            AddressSpec::Address(a) => ledger
                .address_id(a)
                .map(|id| vec![id])
                .ok_or_else(|| TargetError::NotInLedger(a.to_string())),
            AddressSpec::Category(c) => {
                let found = labels.addresses_of_category(ledger, *c);
                if found.is_empty() {
                    Err(TargetError::EmptyCategory(c.name().to_string()))
                } else {
                    Ok(found)
                }
            }
        }
    }

    /// Resolves every spec, in order.
    ///
    /// # Errors
    ///
    /// The first spec that does not resolve.
    pub fn resolve_all(
        specs: &[AddressSpec],
        ledger: &Ledger,
        labels: &LabelSet,
    ) -> Result<Vec<AddressId>, TargetError> {
        let mut out = Vec::new();
        for s in specs {
            out.extend(s.resolve(ledger, labels)?);
        }
        Ok(out)
    }
}
