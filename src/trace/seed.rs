//! Seeds: where stolen value enters the trace.
//!
//! A seed is an address (everything it receives at or after an optional
//! start time is stolen value), a theft transaction (the value it delivers
//! is stolen) or, on UTXO chains, one output (its whole value is stolen),
//! tagged with the name of the incident it belongs to. Account and UTXO
//! traces take the same seeds, written the same way.

/// The incident name of seeds given without one.
pub const DEFAULT_INCIDENT: &str = "theft";

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::ledger::utxo::OutPoint;
use crate::ledger::{parse_hash32, Address};

/// What a seed points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeedTarget {
    /// An address: every value it receives at or after `start` (unix
    /// seconds; the beginning of the ledger when `None`) is stolen, and so is
    /// any value of unknown origin it sends from then on (a history gap).
    Address {
        /// The address.
        address: Address,
        /// Start time, unix seconds.
        start: Option<u64>,
    },
    /// A theft transaction: the value each of its transfers delivers
    /// (its fee excepted) is stolen.
    Transaction {
        /// The transaction hash, in the order it is written (for Bitcoin,
        /// the usual reversed txid order).
        hash: [u8; 32],
    },
    /// One output of a UTXO chain (`TXID:VOUT`): its whole value is stolen.
    Output(OutPoint),
}

impl fmt::Display for SeedTarget {
    /// Writes the seed as it is parsed: `ADDR`, `ADDR@TIME`, `tx:0x…` or
    /// `TXID:VOUT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeedTarget::Address {
                address,
                start: None,
            } => write!(f, "{address}"),
            SeedTarget::Address {
                address,
                start: Some(t),
            } => write!(f, "{address}@{t}"),
            SeedTarget::Transaction { hash } => write!(f, "tx:0x{}", hex::encode(hash)),
            SeedTarget::Output(o) => write!(f, "{o}"),
        }
    }
}

/// Why a seed could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The address part is not an address.
    #[error("seed {seed:?}: {problem}")]
    BadAddress {
        /// The seed as given.
        seed: String,
        /// What is wrong with the address.
        problem: String,
    },
    /// The part after `@` is not a unix time.
    #[error("seed {seed:?}: start time is not a unix time in seconds")]
    BadTime {
        /// The seed as given.
        seed: String,
    },
    /// A `TXID:VOUT` outpoint that cannot be read.
    #[error("seed {seed:?}: {problem}")]
    BadOutput {
        /// The seed as given.
        seed: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The part after `tx:` is not a 32-byte hash.
    #[error("seed {seed:?}: {problem}")]
    BadTransaction {
        /// The seed as given.
        seed: String,
        /// What is wrong with the hash.
        problem: String,
    },
    /// An incident name is empty or holds a comma or control character.
    #[error("incident name {name:?} is empty or holds a comma or control character")]
    BadIncident {
        /// The name as given.
        name: String,
    },
    /// A line of a seeds file could not be read.
    #[error("line {line}: {source}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// The problem.
        #[source]
        source: Box<SeedError>,
    },
}

impl FromStr for SeedTarget {
    type Err = SeedError;

    /// Parses `ADDR`, `ADDR@UNIX_TIME`, `tx:0xHASH` or `TXID:VOUT` (a UTXO
    /// outpoint: 64 hex digits, a colon, the output index).
    ///
    /// ```
    /// use fundtrace::trace::SeedTarget;
    /// let s: SeedTarget = "0x098b716b8aaf21512996dc57eb0615e2383e2f96@1648020000".parse().unwrap();
    /// assert_eq!(s.to_string(), "0x098b716b8aaf21512996dc57eb0615e2383e2f96@1648020000");
    /// assert!("tx:0x12".parse::<SeedTarget>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(h) = s.strip_prefix("tx:") {
            let hash = parse_hash32(h).map_err(|problem| SeedError::BadTransaction {
                seed: s.to_string(),
                problem,
            })?;
            return Ok(SeedTarget::Transaction { hash });
        }
        if let Some((txid, _)) = s.split_once(':') {
            if txid.len() == 64 && txid.bytes().all(|b| b.is_ascii_hexdigit()) {
                return s
                    .parse()
                    .map(SeedTarget::Output)
                    .map_err(|e| SeedError::BadOutput {
                        seed: s.to_string(),
                        problem: e.to_string(),
                    });
            }
        }
        let (addr, start) = match s.rsplit_once('@') {
            Some((a, t)) => {
                let t: u64 = t.trim().parse().map_err(|_| SeedError::BadTime {
                    seed: s.to_string(),
                })?;
                (a, Some(t))
            }
            None => (s, None),
        };
        let address: Address = addr.parse().map_err(|e| SeedError::BadAddress {
            seed: s.to_string(),
            problem: format!("{e}"),
        })?;
        if address.is_sink() {
            return Err(SeedError::BadAddress {
                seed: s.to_string(),
                problem: "a sink cannot be a seed".into(),
            });
        }
        Ok(SeedTarget::Address { address, start })
    }
}

impl serde::Serialize for SeedTarget {
    /// As its text form (`ADDR`, `ADDR@TIME`, `tx:0x…`, `TXID:VOUT`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SeedTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A seed and the incident it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seed {
    /// Incident name (`ronin-2022`); taint remembers it.
    pub incident: String,
    /// What the seed points at.
    pub target: SeedTarget,
}

impl Seed {
    /// Parses a seed (`ADDR`, `ADDR@TIME`, `tx:0x…`, `TXID:VOUT`) for an incident.
    ///
    /// # Errors
    ///
    /// [`SeedError`] for a malformed seed or incident name.
    ///
    /// # Examples
    ///
    /// ```
    /// use fundtrace::trace::Seed;
    /// let s = Seed::parse("ronin", "0x098b716b8aaf21512996dc57eb0615e2383e2f96").unwrap();
    /// assert_eq!(s.incident, "ronin");
    /// ```
    pub fn parse(incident: &str, seed: &str) -> Result<Seed, SeedError> {
        check_incident_name(incident)?;
        Ok(Seed {
            incident: incident.to_string(),
            target: seed.parse()?,
        })
    }
}

pub(crate) fn check_incident_name(name: &str) -> Result<(), SeedError> {
    if name.is_empty() || name.contains(',') || name.chars().any(char::is_control) {
        return Err(SeedError::BadIncident {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Parses the text of a seeds file.
///
/// Format: one seed per line, either `SEED` (tagged with
/// `default_incident`) or `INCIDENT,SEED`, where `SEED` is `ADDR`,
/// `ADDR@UNIX_TIME`, `tx:0xHASH` or `TXID:VOUT`. Surrounding whitespace is ignored;
/// blank lines and lines starting with `#` are skipped.
///
/// ```text
/// # Ronin bridge, March 2022
/// ronin,0x098b716b8aaf21512996dc57eb0615e2383e2f96@1648000000
/// ronin,tx:0xc28fad5e8d5e0ce6a2eaf67b6687be5d58113e16be590824d6cfa1a94467d0b7
/// ```
///
/// The function takes text, not a path: reading files is the caller's job.
///
/// # Errors
///
/// [`SeedError::Line`] naming the first bad line.
///
/// # Examples
///
/// ```
/// use fundtrace::trace::parse_seeds;
/// let seeds = parse_seeds("# comment\nbybit,0x47666fab8bd0ac7003bce3f5c3585383f09486e2\n", "x").unwrap();
/// assert_eq!(seeds[0].incident, "bybit");
/// assert!(parse_seeds("bybit,0x12", "x").is_err());
/// ```
pub fn parse_seeds(text: &str, default_incident: &str) -> Result<Vec<Seed>, SeedError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let wrap = |e: SeedError| SeedError::Line {
            line: i + 1,
            source: Box::new(e),
        };
        let seed = match line.split_once(',') {
            Some((incident, seed)) => Seed::parse(incident.trim(), seed),
            None => Seed::parse(default_incident, line),
        };
        out.push(seed.map_err(wrap)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_and_print() {
        let a = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
        let s: SeedTarget = a.parse().unwrap();
        assert_eq!(s.to_string(), a);
        let t: SeedTarget = format!("{a}@17").parse().unwrap();
        assert!(matches!(
            t,
            SeedTarget::Address {
                start: Some(17),
                ..
            }
        ));
        let h = format!("tx:0x{}", "ab".repeat(32));
        let tx: SeedTarget = h.parse().unwrap();
        assert_eq!(tx.to_string(), h);
        assert!(matches!(
            format!("{a}@x").parse::<SeedTarget>(),
            Err(SeedError::BadTime { .. })
        ));
        assert!("sink:fees".parse::<SeedTarget>().is_err());
        let op = format!("{}:3", "cd".repeat(32));
        let o: SeedTarget = op.parse().unwrap();
        assert!(matches!(o, SeedTarget::Output(p) if p.vout == 3));
        assert_eq!(o.to_string(), op);
        assert!(matches!(
            format!("{}:x", "cd".repeat(32)).parse::<SeedTarget>(),
            Err(SeedError::BadOutput { .. })
        ));
        assert!(Seed::parse("", a).is_err());
        assert!(Seed::parse("a,b", a).is_err());
    }

    #[test]
    fn seeds_file_names_the_bad_line() {
        let text = "# c\n\n i1 , 0x098b716b8aaf21512996dc57eb0615e2383e2f96\n0x12\n";
        match parse_seeds(text, "d") {
            Err(SeedError::Line { line, .. }) => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
        let ok = parse_seeds("0x098b716b8aaf21512996dc57eb0615e2383e2f96", "d").unwrap();
        assert_eq!(ok[0].incident, "d");
    }
}
