//! Addresses read from spending scripts: the address an input spends from,
//! when its `scriptSig` and witness show it in a standard form, so that an
//! input whose spent output is not in the data can still be placed.
//!
//! Recognised forms (anything else gives `None`; nothing is guessed):
//! - **P2PKH**: `scriptSig` = push(signature), push(public key), no
//!   witness → the P2PKH address of `hash160(public key)`.
//! - **P2WPKH**: empty `scriptSig`, witness `[signature, public key]` → the
//!   bech32 P2WPKH address of `hash160(public key)`.
//! - **P2SH-wrapped segwit**: `scriptSig` = one push of a witness program
//!   (`0014<20 bytes>`, P2SH-P2WPKH, with a witness `[signature, public
//!   key]` whose key hashes to the program; or `0020<32 bytes>`, P2SH-P2WSH,
//!   with a non-empty witness) → the P2SH address of `hash160(program)`.
//! - **P2SH multisig**: `scriptSig` = `OP_0`, signatures, push(redeem
//!   script) where the redeem script is `m <keys…> n OP_CHECKMULTISIG`
//!   → the P2SH address of `hash160(redeem script)`.
//! - **P2WSH multisig**: empty `scriptSig`, witness `[<empty>, signatures…,
//!   witness script]` with a multisig witness script → the bech32 P2WSH
//!   address of `sha256(witness script)`.
//!
//! A P2SH output commits to `hash160` of its redeem script and a P2WSH
//! output to `sha256` of its witness script, so in a valid spend the
//! address read here is the spent output's address; a P2PKH or P2WPKH
//! output commits to `hash160` of the key, which the spend reveals.
//! Signatures must look like DER signatures with a sighash byte and keys
//! like SEC public keys, so that other scripts of the same shape are not
//! taken for these forms. P2PK and taproot spends reveal no address.

use sha2::{Digest, Sha256};

use super::script::{hash160, script_address, script_type, Network, ScriptType};

/// Where an input's address was read from.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AddressOrigin {
    /// The spent output (in the ledger, or stated by the input data).
    SpentOutput,
    /// Derived from the input's own `scriptSig`/witness ([`spending_address`]).
    InputScript,
}

/// The data pushes of a push-only script, or `None` when it holds any
/// other opcode or a push runs past its end.
fn pushes(script: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < script.len() {
        let op = script[i];
        i += 1;
        let len = match op {
            0x00 => 0,
            0x01..=0x4b => usize::from(op),
            0x4c => {
                let n = usize::from(*script.get(i)?);
                i += 1;
                n
            }
            0x4d => {
                let b = script.get(i..i + 2)?;
                i += 2;
                usize::from(u16::from_le_bytes([b[0], b[1]]))
            }
            0x4e => {
                let b = script.get(i..i + 4)?;
                i += 4;
                usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()?
            }
            _ => return None,
        };
        out.push(script.get(i..i.checked_add(len)?)?);
        i += len;
    }
    Some(out)
}

/// A DER-encoded ECDSA signature followed by a sighash byte:
/// `30 <len> 02 <r> 02 <s> <hashtype>`, `len` covering the rest but the
/// sighash byte.
fn is_der_signature(sig: &[u8]) -> bool {
    (9..=73).contains(&sig.len()) && sig[0] == 0x30 && usize::from(sig[1]) == sig.len() - 3
}

/// A SEC public key: 33 bytes with prefix 02/03, or 65 bytes with prefix 04.
fn is_public_key(k: &[u8]) -> bool {
    matches!(
        (k.len(), k.first()),
        (33, Some(0x02 | 0x03)) | (65, Some(0x04))
    )
}

fn p2pkh(network: Network, hash: &[u8; 20]) -> Option<String> {
    let script = [&[0x76, 0xa9, 0x14][..], hash, &[0x88, 0xac]].concat();
    script_address(&script, network)
}

fn p2sh(network: Network, redeem: &[u8]) -> Option<String> {
    let script = [&[0xa9, 0x14][..], &hash160(redeem), &[0x87]].concat();
    script_address(&script, network)
}

fn p2wpkh(network: Network, hash: &[u8; 20]) -> Option<String> {
    let script = [&[0x00, 0x14][..], hash].concat();
    script_address(&script, network)
}

fn p2wsh(network: Network, witness_script: &[u8]) -> Option<String> {
    let digest: [u8; 32] = Sha256::digest(witness_script).into();
    let script = [&[0x00, 0x20][..], &digest].concat();
    script_address(&script, network)
}

/// A witness `[signature, public key]`.
fn key_witness(witness: &[Vec<u8>]) -> Option<&[u8]> {
    match witness {
        [sig, key] if is_der_signature(sig) && is_public_key(key) => Some(key),
        _ => None,
    }
}

/// A multisig spend's stack: the empty dummy element, at least one
/// signature, then a multisig script.
fn multisig_stack<'a>(items: &[&'a [u8]]) -> Option<&'a [u8]> {
    match items {
        [dummy, sigs @ .., script]
            if dummy.is_empty()
                && !sigs.is_empty()
                && sigs.iter().all(|s| s.is_empty() || is_der_signature(s))
                && script_type(script) == ScriptType::Multisig =>
        {
            Some(script)
        }
        _ => None,
    }
}

/// The address an input spends from, read from its `scriptSig` and witness
/// when they are in one of the standard forms listed in the module
/// documentation; `None` otherwise (P2PK, taproot, non-standard scripts).
///
/// ```
/// use fundtrace::ledger::utxo::{spending_address, Network};
/// // BIP143's P2SH-P2WPKH example input: the scriptSig pushes the
/// // witness program 0014<hash160 of the key>; the spent output is
/// // a9144733f37cf4db86fbc2efed2500b4f4e49f31202387
/// let script_sig = hex::decode("16001479091972186c449eb1ded22b78e40d009bdf0089").unwrap();
/// let key = hex::decode("03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873").unwrap();
/// let sig = hex::decode("3044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d482f0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb01").unwrap();
/// assert_eq!(
///     spending_address(&script_sig, &[sig, key], Network::Mainnet).as_deref(),
///     Some("38BW8nqpHSWpkf5sXrQd2xYwvnPJwP59ic")
/// );
/// ```
#[must_use]
pub fn spending_address(
    script_sig: &[u8],
    witness: &[Vec<u8>],
    network: Network,
) -> Option<String> {
    let items = pushes(script_sig)?;
    if witness.is_empty() {
        return match items.as_slice() {
            [sig, key] if is_der_signature(sig) && is_public_key(key) => {
                p2pkh(network, &hash160(key))
            }
            _ => multisig_stack(&items).and_then(|redeem| p2sh(network, redeem)),
        };
    }
    match items.as_slice() {
        // native segwit v0
        [] => {
            if let Some(key) = key_witness(witness) {
                return p2wpkh(network, &hash160(key));
            }
            let stack: Vec<&[u8]> = witness.iter().map(Vec::as_slice).collect();
            multisig_stack(&stack).and_then(|script| p2wsh(network, script))
        }
        // P2SH-wrapped segwit v0: the scriptSig is the witness program
        [program] => match program {
            [0x00, 0x14, hash @ ..] if hash.len() == 20 => {
                let key = key_witness(witness)?;
                (hash160(key) == hash)
                    .then(|| p2sh(network, program))
                    .flatten()
            }
            [0x00, 0x20, hash @ ..] if hash.len() == 32 => {
                let script = witness.last()?;
                let digest: [u8; 32] = Sha256::digest(script).into();
                (digest == hash).then(|| p2sh(network, program)).flatten()
            }
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn spent(script: &str) -> Option<String> {
        script_address(&h(script), Network::Mainnet)
    }

    // BIP143 example signatures and keys (the "native P2WPKH" and
    // "P2SH-P2WPKH" examples): the derived address must be the address of
    // the scriptPubKey the BIP gives for the spent output.
    const WPKH_SIG: &str = "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee01";
    const WPKH_KEY: &str = "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357";
    const SH_WPKH_SIG: &str = "3044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d482f0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb01";
    const SH_WPKH_KEY: &str = "03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873";

    #[test]
    fn p2wpkh_witness_gives_the_spent_address() {
        let w = vec![h(WPKH_SIG), h(WPKH_KEY)];
        assert_eq!(
            spending_address(&[], &w, Network::Mainnet),
            spent("00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1")
        );
        // a witness with a non-signature first item is not read
        let w = vec![h("01"), h(WPKH_KEY)];
        assert_eq!(spending_address(&[], &w, Network::Mainnet), None);
    }

    #[test]
    fn p2sh_p2wpkh_gives_the_spent_address() {
        let sig = h("16001479091972186c449eb1ded22b78e40d009bdf0089");
        let w = vec![h(SH_WPKH_SIG), h(SH_WPKH_KEY)];
        assert_eq!(
            spending_address(&sig, &w, Network::Mainnet),
            spent("a9144733f37cf4db86fbc2efed2500b4f4e49f31202387")
        );
        // a key that does not hash to the program: not this form
        let w = vec![h(SH_WPKH_SIG), h(WPKH_KEY)];
        assert_eq!(spending_address(&sig, &w, Network::Mainnet), None);
    }

    #[test]
    fn p2pkh_script_sig_gives_the_key_hash_address() {
        // push(sig), push(key) with the BIP143 P2WPKH key
        let sig = h(WPKH_SIG);
        let key = h(WPKH_KEY);
        let script = [&[sig.len() as u8][..], &sig, &[key.len() as u8], &key].concat();
        assert_eq!(
            spending_address(&script, &[], Network::Mainnet),
            spent("76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac")
        );
        // P2PK spend: only a signature, no address
        let p2pk = [&[sig.len() as u8][..], &sig].concat();
        assert_eq!(spending_address(&p2pk, &[], Network::Mainnet), None);
        // a non-push opcode
        let bad = [&script[..], &[0xac]].concat();
        assert_eq!(spending_address(&bad, &[], Network::Mainnet), None);
        // a push running past the end
        assert_eq!(
            spending_address(&[0x4c, 0x05, 1], &[], Network::Mainnet),
            None
        );
    }

    #[test]
    fn multisig_redeem_and_witness_scripts() {
        let k = "21".to_string() + WPKH_KEY;
        let redeem = h(&format!("51{k}{k}52ae"));
        let sig = h(WPKH_SIG);
        let script = [
            &[0x00, sig.len() as u8][..],
            &sig,
            &[0x4c, redeem.len() as u8],
            &redeem,
        ]
        .concat();
        let hash = hash160(&redeem);
        let want = spent(&format!("a914{}87", hex::encode(hash)));
        assert_eq!(spending_address(&script, &[], Network::Mainnet), want);
        // P2WSH: [empty, sig, witness script]
        let w = vec![Vec::new(), sig.clone(), redeem.clone()];
        let digest: [u8; 32] = Sha256::digest(&redeem).into();
        let want = spent(&format!("0020{}", hex::encode(digest)));
        assert_eq!(spending_address(&[], &w, Network::Mainnet), want);
        // P2SH-P2WSH: scriptSig pushes 0020<sha256(witness script)>
        let program = [&[0x00, 0x20][..], &digest].concat();
        let ss = [&[program.len() as u8][..], &program].concat();
        let want = spent(&format!("a914{}87", hex::encode(hash160(&program))));
        assert_eq!(spending_address(&ss, &w, Network::Mainnet), want);
        // taproot key path: one 64-byte signature, no address
        assert_eq!(
            spending_address(&[], &[vec![1; 64]], Network::Mainnet),
            None
        );
    }
}
