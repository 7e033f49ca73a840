//! Small `u32` index newtypes, so that an address index cannot be used where
//! a transfer index is expected and no `as` casts spread through the code.

use serde::{Deserialize, Serialize};

macro_rules! index_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// Builds the index from a `usize` position.
            ///
            /// # Panics
            ///
            /// Panics if `index` does not fit in `u32`. Builders check their
            /// sizes against [`MAX_INDEX`] before creating ids, so input
            /// cannot reach this panic.
            #[inline]
            #[must_use]
            pub fn from_usize(index: usize) -> Self {
                match u32::try_from(index) {
                    Ok(i) => Self(i),
                    Err(_) => panic!("index {index} does not fit in u32"),
                }
            }

            /// The index as a `usize`, for slice access.
            #[inline]
            #[must_use]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

/// The largest number of items of one kind (addresses, transfers, …) a
/// ledger may hold; builders refuse more instead of overflowing an id.
pub const MAX_INDEX: usize = u32::MAX as usize - 1;

index_newtype!(
    /// An interned address (account or Bitcoin address) of a [`crate::Ledger`].
    AddressId
);
index_newtype!(
    /// An interned asset (a chain's native coin or a token contract).
    AssetId
);
index_newtype!(
    /// An interned transaction of a [`crate::Ledger`] (its 32-byte hash is in the ledger's transaction table).
    TxIndex
);
index_newtype!(
    /// A transfer of a [`crate::Ledger`]; transfers are numbered in the ledger's total event order,
    /// so comparing two ids compares their times.
    TransferId
);
index_newtype!(
    /// An interned chain name (`ethereum`, `bitcoin`, …).
    ChainId
);

index_newtype!(
    /// A transaction of a [`crate::ledger::utxo::UtxoLedger`], numbered in event order.
    /// Its own type, so a UTXO transaction cannot be used where an account
    /// ledger's [`TxIndex`] is expected.
    UtxoTxId
);
index_newtype!(
    /// An address of a [`crate::ledger::utxo::UtxoLedger`], numbered in first-appearance order.
    UtxoAddressId
);
index_newtype!(
    /// An output of a [`crate::ledger::utxo::UtxoLedger`], numbered in event order
    /// (transaction order, then output index).
    OutputId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_order() {
        let a = TransferId::from_usize(3);
        let b = TransferId::from_usize(7);
        assert!(a < b);
        assert_eq!(b.index(), 7);
        assert_eq!(a.to_string(), "3");
    }
}
