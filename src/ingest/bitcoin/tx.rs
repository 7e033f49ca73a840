//! Transactions: consensus decoding (legacy and segwit) and byte-exact
//! re-serialization.

use sha2::{Digest, Sha256};

use super::block::MAX_BLOCK_SIZE;
use super::decode::{write_compact_size, write_var_bytes, DecodeError, Reader};
use crate::ledger::utxo::{sha256d, OutPoint, Txid, Wtxid};

/// Smallest possible encoded input: outpoint (36), empty script (1), sequence (4).
const MIN_INPUT_SIZE: usize = 41;
/// Smallest possible encoded output: value (8), empty script (1).
const MIN_OUTPUT_SIZE: usize = 9;
/// Smallest possible encoded transaction: version, two counts, lock time.
pub(crate) const MIN_TX_SIZE: usize = 10;

/// A vector for `count` items read from `remaining` bytes, its capacity
/// never more than those bytes: a count is only a claim, and the vector
/// grows as items are actually decoded (each consumes at least one byte).
pub(crate) fn vec_for<T>(count: usize, remaining: usize) -> Vec<T> {
    Vec::with_capacity(count.min(remaining / std::mem::size_of::<T>().max(1)))
}

/// A transaction input.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TxIn {
    /// The output it spends.
    pub previous_output: OutPoint,
    /// The unlocking script (for a coinbase: arbitrary data).
    pub script_sig: Vec<u8>,
    /// The sequence number.
    pub sequence: u32,
    /// The witness stack (empty for legacy inputs).
    pub witness: Vec<Vec<u8>>,
}

/// A transaction output.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TxOut {
    /// Value in satoshi, as the 64-bit field on the wire (consensus reads it
    /// as signed; values above `i64::MAX` are kept as they are so that any
    /// transaction re-serializes exactly).
    pub value: u64,
    /// The locking script.
    pub script_pubkey: Vec<u8>,
}

/// A Bitcoin transaction.
///
/// ```
/// use fundtrace::ingest::bitcoin::Transaction;
/// // The first person-to-person transaction (block 170).
/// let hex = "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d0901ffffffff0200ca9a3b00000000434104ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac00000000";
/// let tx = Transaction::from_hex(hex).unwrap();
/// assert_eq!(tx.txid().to_string(), "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
/// assert_eq!(tx.outputs[0].value, 1_000_000_000);
/// assert_eq!(hex::encode(tx.serialize()), hex);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Transaction {
    /// Version field.
    pub version: i32,
    /// Inputs in order.
    pub inputs: Vec<TxIn>,
    /// Outputs in order.
    pub outputs: Vec<TxOut>,
    /// Lock time field.
    pub lock_time: u32,
}

impl Transaction {
    /// Decodes one transaction that fills `bytes` exactly.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] naming the offset and field that failed,
    /// [`DecodeError::TrailingBytes`] if bytes remain, or
    /// [`DecodeError::TooLarge`] past [`MAX_BLOCK_SIZE`] bytes (no
    /// transaction can be larger than a block).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() as u64 > MAX_BLOCK_SIZE {
            return Err(DecodeError::TooLarge {
                offset: 0,
                what: "transaction",
                size: bytes.len() as u64,
                max: MAX_BLOCK_SIZE,
            });
        }
        let mut r = Reader::new(bytes, 0);
        let (tx, _) = decode_tx(&mut r)?;
        if r.remaining() != 0 {
            return Err(DecodeError::TrailingBytes {
                offset: r.offset(),
                what: "transaction",
                count: r.remaining() as u64,
            });
        }
        Ok(tx)
    }

    /// Decodes a transaction from hex (surrounding whitespace ignored).
    ///
    /// # Errors
    ///
    /// [`DecodeError::Hex`] for bad hex, otherwise as [`Transaction::decode`].
    pub fn from_hex(hex_str: &str) -> Result<Self, DecodeError> {
        let bytes = hex::decode(hex_str.trim()).map_err(|e| DecodeError::Hex {
            line: 1,
            message: e.to_string(),
        })?;
        Self::decode(&bytes)
    }

    /// Whether any input carries witness data (then the transaction is
    /// serialized in the segwit format).
    #[must_use]
    pub fn has_witness(&self) -> bool {
        self.inputs.iter().any(|i| !i.witness.is_empty())
    }

    /// Whether this is a coinbase: one input spending the null outpoint.
    #[must_use]
    pub fn is_coinbase(&self) -> bool {
        self.inputs.len() == 1 && self.inputs[0].previous_output.is_null()
    }

    /// The full serialization (segwit format when there is witness data).
    #[must_use]
    pub fn serialize(&self) -> Vec<u8> {
        self.encode(self.has_witness())
    }

    /// The serialization without witness data (what the txid hashes).
    #[must_use]
    pub fn serialize_no_witness(&self) -> Vec<u8> {
        self.encode(false)
    }

    fn encode(&self, witness: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(10 + self.inputs.len() * 150 + self.outputs.len() * 40);
        out.extend_from_slice(&self.version.to_le_bytes());
        if witness {
            out.extend_from_slice(&[0x00, 0x01]);
        }
        write_compact_size(&mut out, self.inputs.len() as u64);
        for i in &self.inputs {
            out.extend_from_slice(i.previous_output.txid.as_bytes());
            out.extend_from_slice(&i.previous_output.vout.to_le_bytes());
            write_var_bytes(&mut out, &i.script_sig);
            out.extend_from_slice(&i.sequence.to_le_bytes());
        }
        write_compact_size(&mut out, self.outputs.len() as u64);
        for o in &self.outputs {
            out.extend_from_slice(&o.value.to_le_bytes());
            write_var_bytes(&mut out, &o.script_pubkey);
        }
        if witness {
            for i in &self.inputs {
                write_compact_size(&mut out, i.witness.len() as u64);
                for item in &i.witness {
                    write_var_bytes(&mut out, item);
                }
            }
        }
        out.extend_from_slice(&self.lock_time.to_le_bytes());
        out
    }

    /// The transaction id (double SHA-256 of the non-witness serialization).
    #[must_use]
    pub fn txid(&self) -> Txid {
        Txid(sha256d(&self.serialize_no_witness()))
    }

    /// The witness transaction id (equals the txid without witness data).
    #[must_use]
    pub fn wtxid(&self) -> Wtxid {
        Wtxid(sha256d(&self.serialize()))
    }

    /// Sum of the output values, in a type that cannot overflow.
    #[must_use]
    pub fn output_value(&self) -> u128 {
        self.outputs.iter().map(|o| u128::from(o.value)).sum()
    }
}

/// Decodes one transaction at the reader's position and returns it with its
/// txid, hashed from the input bytes without re-serializing.
pub(crate) fn decode_tx(r: &mut Reader<'_>) -> Result<(Transaction, Txid), DecodeError> {
    let tx_offset = r.offset();
    let start = r.pos();
    let version = i32::from_le_bytes(r.array("version")?);
    let mut segwit = false;
    let mut empty_marker = false;
    if r.peek(0) == Some(0) {
        let flag_offset = r.offset() + 1;
        r.take(1, "segwit marker")?;
        let flag = r.u8("segwit flag")?;
        match flag {
            1 => segwit = true,
            // No inputs, flag 0: consensus reads no outputs either.
            0 => empty_marker = true,
            flag => {
                return Err(DecodeError::BadSegwitFlag {
                    offset: flag_offset,
                    flag,
                })
            }
        }
    }
    let body_start = r.pos();
    let (inputs, outputs) = if empty_marker {
        (Vec::new(), Vec::new())
    } else {
        let n_in = r.count("input", MIN_INPUT_SIZE)?;
        let mut inputs = vec_for(n_in, r.remaining());
        for _ in 0..n_in {
            let txid = Txid(r.array("previous txid")?);
            let vout = r.u32("previous output index")?;
            let script_sig = r.var_bytes("script_sig")?.to_vec();
            let sequence = r.u32("sequence")?;
            inputs.push(TxIn {
                previous_output: OutPoint { txid, vout },
                script_sig,
                sequence,
                witness: Vec::new(),
            });
        }
        let n_out = r.count("output", MIN_OUTPUT_SIZE)?;
        let mut outputs = vec_for(n_out, r.remaining());
        for _ in 0..n_out {
            let value = r.u64("value")?;
            let script_pubkey = r.var_bytes("script_pubkey")?.to_vec();
            outputs.push(TxOut {
                value,
                script_pubkey,
            });
        }
        (inputs, outputs)
    };
    let body_end = r.pos();
    let mut inputs = inputs;
    if segwit {
        for input in &mut inputs {
            let n = r.count("witness item", 1)?;
            let mut stack = vec_for(n, r.remaining());
            for _ in 0..n {
                stack.push(r.var_bytes("witness item")?.to_vec());
            }
            input.witness = stack;
        }
        if inputs.iter().all(|i| i.witness.is_empty()) {
            return Err(DecodeError::SuperfluousWitness { offset: tx_offset });
        }
    }
    let lock_time = r.u32("lock time")?;
    let txid = if segwit {
        let mut h = Sha256::new();
        h.update(r.slice(start, start + 4));
        h.update(r.slice(body_start, body_end));
        h.update(lock_time.to_le_bytes());
        Txid(Sha256::digest(h.finalize()).into())
    } else {
        Txid(sha256d(r.slice(start, r.pos())))
    };
    Ok((
        Transaction {
            version,
            inputs,
            outputs,
            lock_time,
        },
        txid,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK170_TX: &str = "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d0901ffffffff0200ca9a3b00000000434104ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac00000000";

    #[test]
    fn legacy_tx_round_trips() {
        let tx = Transaction::from_hex(BLOCK170_TX).unwrap();
        assert!(!tx.is_coinbase());
        assert_eq!(
            tx.inputs[0].previous_output.to_string(),
            "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0"
        );
        assert_eq!(hex::encode(tx.serialize()), BLOCK170_TX);
    }

    #[test]
    fn segwit_txid_excludes_witness() {
        // BIP143 native P2WPKH example (signed).
        let hex_tx = "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";
        let tx = Transaction::from_hex(hex_tx).unwrap();
        assert!(tx.has_witness());
        assert_eq!(hex::encode(tx.serialize()), hex_tx);
        let bytes = hex::decode(hex_tx).unwrap();
        let mut r = Reader::new(&bytes, 0);
        let (_, fast) = decode_tx(&mut r).unwrap();
        assert_eq!(fast, tx.txid());
        assert_ne!(tx.txid().0, tx.wtxid().0);
        assert_eq!(Txid(sha256d(&tx.serialize_no_witness())), tx.txid());
    }

    #[test]
    fn hostile_counts_error_without_allocating() {
        // version, input count 0xffffffff (as 0xfe + 4 bytes)
        let bytes = [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0, 0];
        assert!(matches!(
            Transaction::decode(&bytes),
            Err(DecodeError::CountTooLarge {
                field: "input",
                offset: 4,
                ..
            })
        ));
        assert!(Transaction::decode(&[]).is_err());
        assert!(matches!(
            Transaction::decode(&[1, 0, 0, 0, 0, 2]),
            Err(DecodeError::BadSegwitFlag { flag: 2, offset: 5 })
        ));
    }

    /// A segwit transaction (one input, one output) whose input claims
    /// `items` empty witness items, `present` of which follow.
    fn witness_claim(items: u32, present: usize) -> Vec<u8> {
        let mut b = vec![2, 0, 0, 0, 0, 1, 1];
        b.extend_from_slice(&[0u8; 36]); // outpoint
        b.extend_from_slice(&[0, 0xff, 0xff, 0xff, 0xff]); // script, sequence
        b.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // one output
        b.push(0xfe);
        b.extend_from_slice(&items.to_le_bytes());
        b.resize(b.len() + present, 0);
        b.extend_from_slice(&[0, 0, 0, 0]); // lock time
        b
    }

    #[test]
    fn witness_counts_are_bounded_by_the_bytes_present() {
        // 300 million items claimed, 100 present: refused by the count check.
        let e = Transaction::decode(&witness_claim(300_000_000, 100)).unwrap_err();
        assert!(
            matches!(
                e,
                DecodeError::CountTooLarge {
                    field: "witness item",
                    count: 300_000_000,
                    ..
                }
            ),
            "{e}"
        );
        // A claim the bytes can hold decodes, each item one byte.
        let tx = Transaction::decode(&witness_claim(100_000, 100_000)).unwrap();
        assert_eq!(tx.inputs[0].witness.len(), 100_000);
        // No vector is ever allocated for more items than bytes remain.
        let v: Vec<Vec<u8>> = vec_for(300_000_000, 1000);
        assert!(v.capacity() <= 1000 / std::mem::size_of::<Vec<u8>>());
        // No transaction is larger than a block.
        let e = Transaction::decode(&witness_claim(4_000_000, 4_000_000)).unwrap_err();
        assert!(
            matches!(
                e,
                DecodeError::TooLarge {
                    what: "transaction",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn outpoints_parse() {
        let o: OutPoint = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0"
            .parse()
            .unwrap();
        assert_eq!(o.vout, 0);
        assert!("abc".parse::<OutPoint>().is_err());
        assert!(
            "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:x"
                .parse::<OutPoint>()
                .is_err()
        );
    }
}
