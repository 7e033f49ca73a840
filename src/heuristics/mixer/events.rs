//! Pool events: the Deposit and Withdrawal logs of a Tornado-style pool.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Read;
use std::path::Path;

use std::borrow::Cow;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use thiserror::Error;

use crate::amount::{parse_base_units, Amount};
use crate::ledger::{parse_hash32, Address};

/// `keccak256("Deposit(bytes32,uint32,uint256)")`, topic 0 of a pool's
/// `Deposit(bytes32 indexed commitment, uint32 leafIndex, uint256 timestamp)` event.
pub const DEPOSIT_TOPIC: &str =
    "0xa945e51eec50ab98c161376f0db4cf2aeba3ec92755fe2fcd388bdbbb80ff196";

/// `keccak256("Withdrawal(address,bytes32,address,uint256)")`, topic 0 of a
/// pool's `Withdrawal(address to, bytes32 nullifierHash, address indexed relayer, uint256 fee)` event.
pub const WITHDRAWAL_TOPIC: &str =
    "0xe9e508bad6d4c3227e881ca19068f099da81b5164dd6d62b2eaf1e8bc6c34931";

/// Largest event file read (decompressed), against unbounded allocation.
const MAX_FILE_BYTES: u64 = 1 << 30;
/// How many times its own size a zipped event file may unpack to. Real
/// event caches (JSON of hex hashes) deflate about 3:1; deflate itself
/// reaches 1032:1 on repeated bytes, which only a bomb has.
const ZIP_RATIO: u64 = 100;
/// Unpacked bytes allowed on top of [`ZIP_RATIO`] × the archive's size.
const ZIP_ALLOWANCE: u64 = 16 << 20;

/// A 32-byte value (transaction hash, commitment, nullifier hash), printed
/// as `0x` and 64 lower-case hex digits.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash32(pub [u8; 32]);

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Hash32 {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hash32(s).map(Hash32)
    }
}

impl Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One deposit into a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// Transaction hash.
    pub tx: Hash32,
    /// Block number.
    pub block: u64,
    /// Log index in the block, where the source gives it (logs yes, caches no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_index: Option<u32>,
    /// Block time (unix seconds) as the event states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The note commitment.
    pub commitment: Hash32,
    /// Position of the commitment in the pool's Merkle tree (0, 1, 2, …).
    pub leaf_index: u32,
}

/// One withdrawal from a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// Transaction hash.
    pub tx: Hash32,
    /// Block number.
    pub block: u64,
    /// Log index in the block, where the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_index: Option<u32>,
    /// Block time, where the source gives it (the caches do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Recipient of the denomination less the fee.
    pub to: Address,
    /// The relayer that submitted the withdrawal, where the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relayer: Option<Address>,
    /// The nullifier hash (one per spent note).
    pub nullifier_hash: Hash32,
    /// Fee paid to the relayer, in base units of the pool's asset.
    pub fee: Amount,
}

/// Where an event sits in chain order, as far as the source tells.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub block: u64,
    pub log: Option<u32>,
}

impl Pos {
    /// Whether `self` is provably before `other`: an earlier block, or the
    /// same block with both log indices known and smaller.
    pub fn before(self, other: Pos) -> bool {
        self.block < other.block
            || (self.block == other.block
                && matches!((self.log, other.log), (Some(a), Some(b)) if a < b))
    }
}

impl Deposit {
    pub(crate) fn pos(&self) -> Pos {
        Pos {
            block: self.block,
            log: self.log_index,
        }
    }
}

impl Withdrawal {
    pub(crate) fn pos(&self) -> Pos {
        Pos {
            block: self.block,
            log: self.log_index,
        }
    }
}

/// Why pool events could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MixerError {
    /// The file could not be read (or unzipped).
    #[error("{file}: cannot read: {message}")]
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A field of an event holds a value that cannot be used.
    #[error("{file}:{line}: field `{field}`: invalid value `{value}`: {reason}")]
    Field {
        /// The file.
        file: String,
        /// Line (1-based) where the record starts.
        line: u64,
        /// Field name.
        field: String,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file is not well-formed (JSON, CSV).
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// Line (1-based; 0 when unknown).
        line: u64,
        /// The parser's message.
        message: String,
    },
}

impl MixerError {
    /// Where the problem is: file, and line, field and value when known.
    #[must_use]
    pub fn position(&self) -> crate::error::Position {
        use crate::error::Position;
        match self {
            MixerError::Io { file, .. } => Position::file(file.clone()),
            MixerError::Field {
                file,
                line,
                field,
                value,
                ..
            } => Position::line(file.clone(), *line).with_field(field.clone(), value.clone()),
            MixerError::Syntax { file, line, .. } => Position::line(file.clone(), *line),
        }
    }
}

/// One pool's events, deposits sorted by leaf index and withdrawals by
/// chain position (block, log index, then transaction hash).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolEvents {
    /// The pool contract, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<Address>,
    /// Deposits, by leaf index.
    pub deposits: Vec<Deposit>,
    /// Withdrawals, in chain order.
    pub withdrawals: Vec<Withdrawal>,
}

/// What [`PoolEvents::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCheck {
    /// Number of deposits.
    pub deposits: usize,
    /// Number of withdrawals.
    pub withdrawals: usize,
    /// Whether the leaf indices are exactly `0..deposits`.
    pub leaves_contiguous: bool,
    /// Leaf indices missing below the largest one (at most 100 listed).
    pub missing_leaves: Vec<u32>,
    /// Commitments that occur more than once.
    pub duplicate_commitments: usize,
    /// Nullifier hashes that occur more than once (a double spend, or a
    /// duplicated record).
    pub duplicate_nullifiers: usize,
    /// Withdrawals with no deposit provably before them.
    pub withdrawals_without_earlier_deposit: usize,
    /// Withdrawals at which more notes had been withdrawn than deposited.
    pub overdrawn_withdrawals: usize,
}

impl EventCheck {
    /// Whether nothing is wrong.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.leaves_contiguous
            && self.duplicate_commitments == 0
            && self.duplicate_nullifiers == 0
            && self.withdrawals_without_earlier_deposit == 0
            && self.overdrawn_withdrawals == 0
    }
}

/// Counts lines up to increasing byte offsets, each byte scanned once.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `part`, a slice of the text at or after every
    /// slice asked about before.
    fn line_of(&mut self, part: &str) -> u64 {
        let to = (part.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len());
        if to > self.offset {
            let skipped = &self.text.as_bytes()[self.offset..to];
            self.line += memchr::memchr_iter(b'\n', skipped).count() as u64;
            self.offset = to;
        }
        self.line
    }
}

/// The fields of an event record that are read; everything else is
/// skipped without being kept.
const KEYS: [&str; 10] = [
    "timestamp",
    "leafIndex",
    "transactionHash",
    "blockNumber",
    "logIndex",
    "commitment",
    "fee",
    "relayer",
    "to",
    "nullifierHash",
];

/// One record's known fields as text (numbers as their decimal text);
/// `None` where absent, null, or not a string or number. The last of
/// duplicate keys wins.
#[derive(Default)]
struct Fields<'a>([Option<Cow<'a, str>>; KEYS.len()]);

/// A key of a record: its index in [`KEYS`], if it is one.
struct Key(Option<usize>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(KEYS.iter().position(|k| *k == v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A field value kept as text: strings (borrowed when unescaped) and
/// numbers; anything else is skipped and counts as absent.
struct Scalar<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar(
                    serde_json::Number::from_f64(v).map(|n| Cow::Owned(n.to_string())),
                ))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Scalar(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Fields::default();
                while let Some(Key(k)) = map.next_key::<Key>()? {
                    match k {
                        Some(i) => fields.0[i] = map.next_value::<Scalar<'de>>()?.0,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(fields)
            }
        }
        d.deserialize_map(V)
    }
}

struct Rec<'a> {
    file: &'a str,
    line: u64,
    fields: Fields<'a>,
}

impl Rec<'_> {
    fn err(&self, field: &str, value: &str, reason: impl Into<String>) -> MixerError {
        MixerError::Field {
            file: self.file.to_string(),
            line: self.line,
            field: field.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// The field as text (numbers as their decimal text); `None` if absent or null.
    fn text(&self, key: &str) -> Option<&str> {
        let i = KEYS.iter().position(|k| *k == key)?;
        self.fields.0[i].as_deref()
    }

    fn required(&self, key: &str) -> Result<&str, MixerError> {
        self.text(key).ok_or_else(|| self.err(key, "", "missing"))
    }

    fn u64(&self, key: &str) -> Result<u64, MixerError> {
        let t = self.required(key)?;
        parse_u64(t).ok_or_else(|| self.err(key, t, "not an unsigned integer"))
    }

    fn hash(&self, key: &str) -> Result<Hash32, MixerError> {
        let t = self.required(key)?;
        t.parse().map_err(|e: String| self.err(key, t, e))
    }

    fn address(&self, key: &str) -> Result<Address, MixerError> {
        let t = self.required(key)?;
        Address::parse_evm(t).map_err(|e| self.err(key, t, e.to_string()))
    }
}

fn parse_u64(t: &str) -> Option<u64> {
    let t = t.trim();
    match t.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Streams the records of a JSON array of event objects through `each`, one
/// at a time: nothing is built per record beyond its known fields, so what
/// the reader holds is bounded by the text, not by the number of records
/// it claims (a megabyte of `{},` costs nothing before the first record
/// is refused).
fn for_each_record<'a>(
    text: &'a str,
    file: &'a str,
    mut each: impl FnMut(Rec<'a>) -> Result<(), MixerError>,
) -> Result<(), MixerError> {
    struct Array<'a, 'c, F> {
        file: &'a str,
        lines: LineCounter<'a>,
        each: &'c mut F,
        failed: &'c mut Option<MixerError>,
    }
    impl<'a, F: FnMut(Rec<'a>) -> Result<(), MixerError>> Visitor<'a> for Array<'a, '_, F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of event objects")
        }
        fn visit_seq<A: SeqAccess<'a>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element::<&'a RawValue>()? {
                let line = self.lines.line_of(item.get());
                let parsed = if item.get().starts_with('{') {
                    serde_json::from_str::<Fields<'a>>(item.get()).map_err(|e| MixerError::Syntax {
                        file: self.file.to_string(),
                        line: line + e.line() as u64 - 1,
                        message: e.to_string(),
                    })
                } else {
                    Err(MixerError::Syntax {
                        file: self.file.to_string(),
                        line,
                        message: "expected an object".to_string(),
                    })
                };
                let done = parsed.and_then(|fields| {
                    (self.each)(Rec {
                        file: self.file,
                        line,
                        fields,
                    })
                });
                if let Err(e) = done {
                    *self.failed = Some(e);
                    return Err(de::Error::custom("record refused"));
                }
            }
            Ok(())
        }
    }
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let visitor = Array {
        file,
        lines: LineCounter::new(text),
        each: &mut each,
        failed: &mut failed,
    };
    let result = serde::Deserializer::deserialize_seq(&mut de, visitor).and_then(|()| de.end());
    match (failed, result) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(MixerError::Syntax {
            file: file.to_string(),
            line: e.line() as u64,
            message: e.to_string(),
        }),
        (None, Ok(())) => Ok(()),
    }
}

impl PoolEvents {
    /// Reads the event caches of tornado-cli (`cache/<net>/deposits_*.json`,
    /// `withdrawals_*.json`) and the classic UI (`static/events/*.json`):
    /// each a JSON array; deposits `{timestamp, commitment, blockNumber,
    /// transactionHash, leafIndex}`, withdrawals `{to, fee, blockNumber,
    /// nullifierHash, transactionHash}`. Numbers may be JSON numbers or
    /// decimal strings. The file names are only used in errors.
    ///
    /// # Errors
    ///
    /// [`MixerError`] naming the file, the line where the bad record
    /// starts, the field and the value.
    pub fn from_cache_json(
        deposits: &str,
        deposits_file: &str,
        withdrawals: &str,
        withdrawals_file: &str,
    ) -> Result<PoolEvents, MixerError> {
        let mut ev = PoolEvents::default();
        for_each_record(deposits, deposits_file, |r| {
            let timestamp = match r.text("timestamp") {
                Some(t) => Some(
                    parse_u64(t).ok_or_else(|| r.err("timestamp", t, "not an unsigned integer"))?,
                ),
                None => None,
            };
            let leaf = r.u64("leafIndex")?;
            ev.deposits.push(Deposit {
                tx: r.hash("transactionHash")?,
                block: r.u64("blockNumber")?,
                log_index: r
                    .text("logIndex")
                    .and_then(parse_u64)
                    .and_then(|v| u32::try_from(v).ok()),
                timestamp,
                commitment: r.hash("commitment")?,
                leaf_index: u32::try_from(leaf)
                    .map_err(|_| r.err("leafIndex", &leaf.to_string(), "larger than 32 bits"))?,
            });
            Ok(())
        })?;
        for_each_record(withdrawals, withdrawals_file, |r| {
            let fee_text = r.required("fee")?;
            let fee =
                parse_base_units(fee_text).map_err(|e| r.err("fee", fee_text, e.to_string()))?;
            let relayer = match r.text("relayer") {
                Some(t) => {
                    Some(Address::parse_evm(t).map_err(|e| r.err("relayer", t, e.to_string()))?)
                }
                None => None,
            };
            ev.withdrawals.push(Withdrawal {
                tx: r.hash("transactionHash")?,
                block: r.u64("blockNumber")?,
                log_index: r
                    .text("logIndex")
                    .and_then(parse_u64)
                    .and_then(|v| u32::try_from(v).ok()),
                timestamp: r.text("timestamp").and_then(parse_u64),
                to: r.address("to")?,
                relayer,
                nullifier_hash: r.hash("nullifierHash")?,
                fee,
            });
            Ok(())
        })?;
        ev.sort();
        Ok(ev)
    }

    /// Decodes a pool's events from an ethereum-etl `logs.csv` export
    /// (`log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics`,
    /// topics comma-separated in one field; an optional `block_timestamp`
    /// column is used when present, as BigQuery exports have it).
    ///
    /// Only logs emitted by `pool` whose topic 0 is [`DEPOSIT_TOPIC`] or
    /// [`WITHDRAWAL_TOPIC`] are read. Deposit: topic 1 = commitment, data =
    /// leafIndex ‖ timestamp (2 words). Withdrawal: topic 1 = relayer, data
    /// = to ‖ nullifierHash ‖ fee (3 words).
    ///
    /// # Errors
    ///
    /// [`MixerError`] naming the file, line, field and value.
    pub fn from_logs_csv(text: &str, file: &str, pool: &Address) -> Result<PoolEvents, MixerError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .map_err(|e| MixerError::Syntax {
                file: file.to_string(),
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let need = |name: &'static str| {
            col(name).ok_or_else(|| MixerError::Syntax {
                file: file.to_string(),
                line: 1,
                message: format!("missing column `{name}`"),
            })
        };
        let (c_log, c_tx, c_block, c_addr, c_data, c_topics) = (
            need("log_index")?,
            need("transaction_hash")?,
            need("block_number")?,
            need("address")?,
            need("data")?,
            need("topics")?,
        );
        let c_time = col("block_timestamp");
        let mut ev = PoolEvents {
            pool: Some(pool.clone()),
            ..PoolEvents::default()
        };
        let mut record = csv::StringRecord::new();
        loop {
            let line = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    return Err(MixerError::Syntax {
                        file: file.to_string(),
                        line,
                        message: e.to_string(),
                    })
                }
            }
            let line = record.position().map_or(line, csv::Position::line);
            let get = |i: usize| record.get(i).unwrap_or("").trim();
            let err = |field: &str, value: &str, reason: &str| MixerError::Field {
                file: file.to_string(),
                line,
                field: field.to_string(),
                value: value.to_string(),
                reason: reason.to_string(),
            };
            let addr = get(c_addr);
            match Address::parse_evm(addr) {
                Ok(a) if &a == pool => {}
                Ok(_) => continue,
                Err(e) => return Err(err("address", addr, &e.to_string())),
            }
            let topics: Vec<&str> = get(c_topics)
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            let Some(topic0) = topics.first() else {
                continue;
            };
            let is_deposit = topic0.eq_ignore_ascii_case(DEPOSIT_TOPIC);
            if !is_deposit && !topic0.eq_ignore_ascii_case(WITHDRAWAL_TOPIC) {
                continue;
            }
            let tx: Hash32 = get(c_tx)
                .parse()
                .map_err(|e: String| err("transaction_hash", get(c_tx), &e))?;
            let block = parse_u64(get(c_block))
                .ok_or_else(|| err("block_number", get(c_block), "not an unsigned integer"))?;
            let log_index = parse_u64(get(c_log))
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| err("log_index", get(c_log), "not a 32-bit unsigned integer"))?;
            let timestamp = c_time.and_then(|c| parse_u64(get(c)));
            let data_text = get(c_data);
            let data = hex::decode(data_text.trim_start_matches("0x"))
                .map_err(|_| err("data", data_text, "invalid hex"))?;
            let topic1 = topics.get(1).copied().unwrap_or("");
            let t1: Hash32 = topic1
                .parse()
                .map_err(|e: String| err("topics", topic1, &e))?;
            if is_deposit {
                if data.len() != 64 {
                    return Err(err("data", data_text, "a Deposit log has 2 data words"));
                }
                let leaf = word_u128(&data[0..32])
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| err("data", data_text, "leafIndex out of range"))?;
                let ts = word_u128(&data[32..64])
                    .and_then(|v| u64::try_from(v).ok())
                    .ok_or_else(|| err("data", data_text, "timestamp out of range"))?;
                ev.deposits.push(Deposit {
                    tx,
                    block,
                    log_index: Some(log_index),
                    timestamp: Some(timestamp.unwrap_or(ts)),
                    commitment: t1,
                    leaf_index: leaf,
                });
            } else {
                if data.len() != 96 {
                    return Err(err("data", data_text, "a Withdrawal log has 3 data words"));
                }
                let to = word_address(&data[0..32])
                    .ok_or_else(|| err("data", data_text, "`to` is not an address word"))?;
                let mut nh = [0u8; 32];
                nh.copy_from_slice(&data[32..64]);
                let fee = word_u128(&data[64..96])
                    .ok_or_else(|| err("data", data_text, "fee overflows 128 bits"))?;
                let relayer = word_address(&t1.0)
                    .ok_or_else(|| err("topics", topic1, "relayer is not an address word"))?;
                ev.withdrawals.push(Withdrawal {
                    tx,
                    block,
                    log_index: Some(log_index),
                    timestamp,
                    to,
                    relayer: Some(relayer),
                    nullifier_hash: Hash32(nh),
                    fee,
                });
            }
        }
        ev.sort();
        Ok(ev)
    }

    /// Sorts deposits by leaf index and withdrawals by chain position.
    pub fn sort(&mut self) {
        self.deposits.sort_by_key(|d| (d.leaf_index, d.block, d.tx));
        self.withdrawals
            .sort_by_key(|w| (w.block, w.log_index, w.tx, w.nullifier_hash));
    }

    /// Checks the events: contiguous leaves, unique commitments and
    /// nullifiers, a deposit before every withdrawal, never more
    /// withdrawals than deposits so far.
    #[must_use]
    pub fn check(&self) -> EventCheck {
        let leaves: BTreeSet<u32> = self.deposits.iter().map(|d| d.leaf_index).collect();
        let max = leaves.iter().next_back().copied();
        let missing: Vec<u32> = match max {
            Some(m) => (0..=m).filter(|l| !leaves.contains(l)).take(100).collect(),
            None => Vec::new(),
        };
        let commitments: BTreeSet<Hash32> = self.deposits.iter().map(|d| d.commitment).collect();
        let nullifiers: BTreeSet<Hash32> =
            self.withdrawals.iter().map(|w| w.nullifier_hash).collect();
        let sets = super::anonymity_sets(self, &[]);
        EventCheck {
            deposits: self.deposits.len(),
            withdrawals: self.withdrawals.len(),
            leaves_contiguous: missing.is_empty() && leaves.len() == self.deposits.len(),
            missing_leaves: missing,
            duplicate_commitments: self.deposits.len() - commitments.len(),
            duplicate_nullifiers: self.withdrawals.len() - nullifiers.len(),
            withdrawals_without_earlier_deposit: sets
                .iter()
                .filter(|s| s.deposits_before == 0)
                .count(),
            overdrawn_withdrawals: sets
                .iter()
                .filter(|s| s.withdrawals_before >= s.deposits_before)
                .count(),
        }
    }
}

/// A 32-byte big-endian word as `u128`, if its top 16 bytes are zero.
fn word_u128(w: &[u8]) -> Option<u128> {
    if w.len() != 32 || w[..16].iter().any(|&b| b != 0) {
        return None;
    }
    let mut b = [0u8; 16];
    b.copy_from_slice(&w[16..]);
    Some(u128::from_be_bytes(b))
}

/// A 32-byte word holding a left-padded 20-byte address.
fn word_address(w: &[u8]) -> Option<Address> {
    if w.len() != 32 || w[..12].iter().any(|&b| b != 0) {
        return None;
    }
    let mut a = [0u8; 20];
    a.copy_from_slice(&w[12..]);
    Some(Address::Evm(a))
}

/// The most text a `.zip` of `compressed` bytes may unpack to: [`ZIP_RATIO`]
/// times its size plus [`ZIP_ALLOWANCE`], never more than [`MAX_FILE_BYTES`].
fn zip_limit(compressed: u64) -> u64 {
    compressed
        .saturating_mul(ZIP_RATIO)
        .saturating_add(ZIP_ALLOWANCE)
        .min(MAX_FILE_BYTES)
}

fn read_file(path: &Path) -> Result<String, MixerError> {
    let file = path.display().to_string();
    let io = |message: String| MixerError::Io {
        file: file.clone(),
        message,
    };
    let f = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    let is_zip = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let mut text = String::new();
    if is_zip {
        let compressed = f.metadata().map_err(|e| io(e.to_string()))?.len();
        let limit = zip_limit(compressed);
        let mut archive = zip::ZipArchive::new(f).map_err(|e| io(e.to_string()))?;
        if archive.len() != 1 {
            return Err(io(format!(
                "expected one file in the archive, found {}",
                archive.len()
            )));
        }
        let entry = archive.by_index(0).map_err(|e| io(e.to_string()))?;
        let too_large = |size: u64| {
            io(format!(
                "the archive ({compressed} bytes) unpacks to {size} bytes, more than the {limit} allowed ({ZIP_RATIO} × its size + {ZIP_ALLOWANCE}, at most {MAX_FILE_BYTES}): refused as a zip bomb"
            ))
        };
        if entry.size() > limit {
            return Err(too_large(entry.size()));
        }
        // The stated size is only a hint: the reader stops one byte past
        // the limit whatever the archive claims.
        text.reserve(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .take(limit + 1)
            .read_to_string(&mut text)
            .map_err(|e| io(e.to_string()))?;
        if text.len() as u64 > limit {
            return Err(too_large(text.len() as u64));
        }
    } else {
        f.take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| io(e.to_string()))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(io(format!("larger than {MAX_FILE_BYTES} bytes: refused")));
        }
    }
    Ok(text)
}

/// Reads a pool's deposit and withdrawal caches from disk (see
/// [`PoolEvents::from_cache_json`]); a `.zip` file (as the classic UI ships
/// them: one deflated JSON file per archive) is unzipped.
///
/// # Errors
///
/// [`MixerError`] naming the file.
pub fn load_cache(
    deposits: impl AsRef<Path>,
    withdrawals: impl AsRef<Path>,
) -> Result<PoolEvents, MixerError> {
    let (d, w) = (deposits.as_ref(), withdrawals.as_ref());
    let dt = read_file(d)?;
    let wt = read_file(w)?;
    PoolEvents::from_cache_json(&dt, &d.display().to_string(), &wt, &w.display().to_string())
}

/// Reads an ethereum-etl `logs.csv` from disk and decodes `pool`'s events
/// (see [`PoolEvents::from_logs_csv`]).
///
/// # Errors
///
/// [`MixerError`] naming the file.
pub fn load_logs_csv(path: impl AsRef<Path>, pool: &Address) -> Result<PoolEvents, MixerError> {
    let p = path.as_ref();
    let text = read_file(p)?;
    PoolEvents::from_logs_csv(&text, &p.display().to_string(), pool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TX: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
    const C: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

    fn deposits(text: &str) -> Result<PoolEvents, MixerError> {
        PoolEvents::from_cache_json(text, "d.json", "[]", "w.json")
    }

    #[test]
    fn records_stream_with_their_lines() {
        let text = format!(
            "[\n  {{\"transactionHash\": \"{TX}\", \"blockNumber\": 5, \"leafIndex\": \"0\",\n   \"commitment\": \"{C}\", \"extra\": [1, {{\"x\": [2]}}], \"timestamp\": 15}},\n\n  {{\"transactionHash\": \"{TX}\", \"blockNumber\": \"0x6\", \"leafIndex\": 1, \"leafIndex\": 2,\n   \"commitment\": \"{C}\", \"logIndex\": null}}\n]\n"
        );
        let ev = deposits(&text).unwrap();
        assert_eq!(ev.deposits.len(), 2);
        assert_eq!(ev.deposits[0].timestamp, Some(15));
        assert_eq!(ev.deposits[1].block, 6);
        assert_eq!(ev.deposits[1].leaf_index, 2, "the last duplicate key wins");
        assert_eq!(ev.deposits[1].log_index, None);
        // The third record (line 6) lacks its commitment.
        let bad = text.replacen(
            "\n]",
            &format!(
                ",\n\n {{\"transactionHash\": \"{TX}\", \"blockNumber\": 7, \"leafIndex\": 3}}\n]"
            ),
            1,
        );
        let e = deposits(&bad).unwrap_err();
        assert!(
            e.to_string().starts_with("d.json:8: field `commitment`"),
            "{e}"
        );
        let e = deposits("[\n{}, 5]").unwrap_err();
        assert!(
            e.to_string().starts_with("d.json:2: field `leafIndex`"),
            "{e}"
        );
        let e = deposits(&format!("[{}]\n x", &text[1..text.len() - 2])).unwrap_err();
        assert!(matches!(e, MixerError::Syntax { .. }), "{e}");
        let e = deposits("[\n\n 7]").unwrap_err();
        assert!(
            e.to_string().starts_with("d.json:3: expected an object"),
            "{e}"
        );
        let e = deposits("{\"a\": 1}").unwrap_err();
        assert!(e.to_string().contains("an array of event objects"), "{e}");
    }

    #[test]
    fn a_million_empty_records_stop_at_the_first() {
        let mut text = String::from("[");
        text.push_str(&"{},".repeat(1 << 20));
        text.push_str("{}]");
        let t = std::time::Instant::now();
        let e = deposits(&text).unwrap_err();
        assert!(e.to_string().starts_with("d.json:1: field"), "{e}");
        assert!(t.elapsed().as_secs() < 2);
    }

    /// Writes a one-entry zip holding `copies` times `unit` to a temporary file.
    fn zip_of(name: &str, unit: &[u8], copies: usize) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        let mut z = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        z.start_file("events.json", opts).unwrap();
        let chunk = unit.repeat(1 << 16);
        for _ in 0..copies >> 16 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
        path
    }

    #[test]
    fn zipped_text_is_bounded_by_the_archive_size() {
        // 32 MiB of `{},` deflates to about 32 kB: far past 100 × + 16 MiB.
        let path = zip_of("bomb.json.zip", b"{},", 11 << 20);
        let compressed = std::fs::metadata(&path).unwrap().len();
        let e = read_file(&path).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(compressed < 200_000, "{compressed}");
        let msg = e.to_string();
        assert!(
            msg.contains("bomb.json.zip") && msg.contains("zip bomb"),
            "{msg}"
        );
        // A zip within the ratio unpacks.
        let path = zip_of("fine.json.zip", b"{},", 1 << 20);
        let text = read_file(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(text.unwrap().len(), 3 << 20);
        assert_eq!(zip_limit(1000), 100_000 + (16 << 20));
        assert_eq!(zip_limit(u64::MAX), MAX_FILE_BYTES);
    }
}
