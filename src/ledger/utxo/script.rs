//! Output scripts: their standard types and the address each one shows as.

use std::fmt;

use bech32::{hrp, segwit, Fe32, Hrp};
use ripemd::Ripemd160;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The network an address is rendered for (its base58 versions and bech32 prefix).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// Mainnet: `1…`, `3…`, `bc1…`.
    #[default]
    Mainnet,
    /// Testnet and signet: `m…`/`n…`, `2…`, `tb1…`.
    Testnet,
    /// Regtest: as testnet with `bcrt1…`.
    Regtest,
}

impl Network {
    fn p2pkh_version(self) -> u8 {
        match self {
            Network::Mainnet => 0x00,
            _ => 0x6f,
        }
    }

    fn p2sh_version(self) -> u8 {
        match self {
            Network::Mainnet => 0x05,
            _ => 0xc4,
        }
    }

    fn hrp(self) -> Hrp {
        match self {
            Network::Mainnet => hrp::BC,
            Network::Testnet => hrp::TB,
            Network::Regtest => hrp::BCRT,
        }
    }
}

/// The standard form of an output script.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptType {
    /// Pay to public key (`<pubkey> OP_CHECKSIG`).
    P2pk,
    /// Pay to public key hash.
    P2pkh,
    /// Pay to script hash.
    P2sh,
    /// Pay to witness public key hash (segwit v0, 20 bytes).
    P2wpkh,
    /// Pay to witness script hash (segwit v0, 32 bytes).
    P2wsh,
    /// Pay to taproot (segwit v1, 32 bytes).
    P2tr,
    /// Another witness program version or length (shown as its bech32m address).
    WitnessUnknown,
    /// Bare multisig (`m <keys…> n OP_CHECKMULTISIG`).
    Multisig,
    /// Provably unspendable data carrier (`OP_RETURN …`).
    OpReturn,
    /// Anything else.
    Nonstandard,
}

impl ScriptType {
    /// The lower-case name used in the sample ledgers (`p2pkh`, `op_return`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ScriptType::P2pk => "p2pk",
            ScriptType::P2pkh => "p2pkh",
            ScriptType::P2sh => "p2sh",
            ScriptType::P2wpkh => "p2wpkh",
            ScriptType::P2wsh => "p2wsh",
            ScriptType::P2tr => "p2tr",
            ScriptType::WitnessUnknown => "witness_unknown",
            ScriptType::Multisig => "multisig",
            ScriptType::OpReturn => "op_return",
            ScriptType::Nonstandard => "nonstandard",
        }
    }
}

impl fmt::Display for ScriptType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// RIPEMD-160 of SHA-256.
#[must_use]
pub fn hash160(data: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(data)).into()
}

fn is_pubkey(k: &[u8]) -> bool {
    match k.len() {
        33 => k[0] == 0x02 || k[0] == 0x03,
        65 => k[0] == 0x04 || k[0] == 0x06 || k[0] == 0x07,
        _ => false,
    }
}

/// Classifies an output script.
#[must_use]
pub fn script_type(s: &[u8]) -> ScriptType {
    match s {
        [0x76, 0xa9, 0x14, h @ .., 0x88, 0xac] if h.len() == 20 => ScriptType::P2pkh,
        [0xa9, 0x14, h @ .., 0x87] if h.len() == 20 => ScriptType::P2sh,
        [0x00, 0x14, h @ ..] if h.len() == 20 => ScriptType::P2wpkh,
        [0x00, 0x20, h @ ..] if h.len() == 32 => ScriptType::P2wsh,
        [0x51, 0x20, h @ ..] if h.len() == 32 => ScriptType::P2tr,
        [len, k @ .., 0xac] if usize::from(*len) == k.len() && is_pubkey(k) => ScriptType::P2pk,
        [0x6a, ..] => ScriptType::OpReturn,
        [v, len, p @ ..]
            if (0x51..=0x60).contains(v)
                && usize::from(*len) == p.len()
                && (2..=40).contains(&p.len()) =>
        {
            ScriptType::WitnessUnknown
        }
        _ if is_multisig(s) => ScriptType::Multisig,
        _ => ScriptType::Nonstandard,
    }
}

fn is_multisig(s: &[u8]) -> bool {
    let (Some(&m), Some(&last), Some(&n)) = (
        s.first(),
        s.last(),
        s.len().checked_sub(2).and_then(|i| s.get(i)),
    ) else {
        return false;
    };
    if last != 0xae || !(0x51..=0x60).contains(&m) || !(0x51..=0x60).contains(&n) || m > n {
        return false;
    }
    let mut i = 1;
    let mut keys = 0usize;
    while i < s.len() - 2 {
        let len = usize::from(s[i]);
        if len != 33 && len != 65 {
            return false;
        }
        i += 1 + len;
        keys += 1;
    }
    i == s.len() - 2 && keys == usize::from(n - 0x50)
}

fn base58check(version: u8, payload: &[u8]) -> String {
    bs58::encode(payload)
        .with_check_version(version)
        .into_string()
}

fn segwit_address(network: Network, version: u8, program: &[u8]) -> Option<String> {
    let v = Fe32::try_from(version).ok()?;
    segwit::encode(network.hrp(), v, program).ok()
}

/// The address an output script pays to, or `None` for `OP_RETURN` outputs.
/// P2PK outputs show as the P2PKH address of their key (as explorers and the
/// sample ledgers do); scripts with no address form show as `script:<hex>`.
///
/// ```
/// use fundtrace::ledger::utxo::{script_address, Network};
/// let p2wpkh = hex::decode("0014751e76e8199196d454941c45d1b3a323f1433bd6").unwrap();
/// assert_eq!(
///     script_address(&p2wpkh, Network::Mainnet).as_deref(),
///     Some("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
/// );
/// assert_eq!(script_address(&[0x6a, 0x01, 0x00], Network::Mainnet), None);
/// assert_eq!(script_address(&[0x51], Network::Mainnet).as_deref(), Some("script:51"));
/// ```
#[must_use]
pub fn script_address(s: &[u8], network: Network) -> Option<String> {
    let kind = script_type(s);
    let addr = match kind {
        ScriptType::P2pkh => Some(base58check(network.p2pkh_version(), &s[3..23])),
        ScriptType::P2sh => Some(base58check(network.p2sh_version(), &s[2..22])),
        ScriptType::P2pk => Some(base58check(
            network.p2pkh_version(),
            &hash160(&s[1..s.len() - 1]),
        )),
        ScriptType::P2wpkh | ScriptType::P2wsh => segwit_address(network, 0, &s[2..]),
        ScriptType::P2tr => segwit_address(network, 1, &s[2..]),
        ScriptType::WitnessUnknown => segwit_address(network, s[0] - 0x50, &s[2..]),
        ScriptType::OpReturn => return None,
        ScriptType::Multisig | ScriptType::Nonstandard => None,
    };
    Some(addr.unwrap_or_else(|| format!("script:{}", hex::encode(s))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(h: &str) -> String {
        script_address(&hex::decode(h).unwrap(), Network::Mainnet).unwrap()
    }

    #[test]
    fn standard_scripts() {
        // genesis P2PK
        assert_eq!(
            addr("4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac"),
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
        );
        assert_eq!(
            addr("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"),
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
        );
        // BIP173 vectors
        assert_eq!(
            addr("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"
        );
        // BIP350 taproot vector
        assert_eq!(
            addr("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
        );
        assert_eq!(
            addr("a914748284390f9e263a4b766a75d0633c50426eb87587"),
            "3CK4fEwbMP7heJarmU4eqA3sMbVJyEnU3V"
        );
        assert_eq!(
            script_type(&hex::decode("6a0b68656c6c6f").unwrap()),
            ScriptType::OpReturn
        );
        assert_eq!(addr("ac"), "script:ac");
        assert_eq!(addr(""), "script:");
    }

    #[test]
    fn multisig_is_recognised() {
        let k = "21".to_string() + &"02".repeat(33);
        let s = format!("51{k}{k}52ae");
        assert_eq!(script_type(&hex::decode(&s).unwrap()), ScriptType::Multisig);
        assert!(addr(&s).starts_with("script:"));
        assert_eq!(
            script_type(&hex::decode("51ae").unwrap()),
            ScriptType::Nonstandard
        );
    }
}
