//! Checking a recorded report: that it was made by this version, that
//! every input it names still has the recorded SHA-256, and that every
//! number in it equals the number the same command computes again.
//!
//! The recomputation itself is the caller's (the command-line tool parses
//! the recorded command line with its own argument parser and runs it);
//! this module reads the recorded report, checks the inputs and compares
//! the two reports value by value, naming the first difference.

use std::path::Path;

use serde_json::Value;
use thiserror::Error;

use crate::provenance::{sha256_hex, InputDigest};
use crate::report::text::cut;

/// Why a report does not verify.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The report is not a JSON report of `trace` or `compare`.
    #[error("{file}: not a fundtrace report: {message}")]
    NotAReport {
        /// The report file.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// Another version of the tool made the report; its numbers may
    /// legitimately differ.
    #[error("version differs: the report was made by {recorded}, this is {current}; verify it with {recorded}")]
    VersionDiffers {
        /// The recorded tool.
        recorded: String,
        /// This tool.
        current: String,
    },
    /// The report records no command line (it was made through the
    /// library), so it cannot be recomputed.
    #[error("the report records no command line, so it cannot be recomputed (its inputs match their recorded SHA-256)")]
    NoCommandLine,
    /// An input file cannot be read.
    #[error("input missing: {role} file {path}: {message}")]
    InputMissing {
        /// The input as recorded.
        path: String,
        /// Its role.
        role: String,
        /// The I/O error.
        message: String,
    },
    /// An input file's bytes changed since the report was made.
    #[error("input changed: {}", changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InputChanged {
        /// Every input whose digest differs.
        changes: Vec<InputChange>,
    },
    /// A value of the report differs from the recomputed one although
    /// the inputs and the version are the same: the report was edited.
    #[error(
        "{0} (the inputs and the tool version match, so the report was edited after it was made)"
    )]
    Edited(Difference),
}

/// An input whose bytes differ from the recorded digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputChange {
    /// The input as recorded.
    pub path: String,
    /// Its role (`ledger`, `labels`, …).
    pub role: String,
    /// The recorded SHA-256.
    pub recorded: String,
    /// The SHA-256 of the file now.
    pub actual: String,
}

impl std::fmt::Display for InputChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} file {}: SHA-256 recorded {}, now {}",
            self.role, self.path, self.recorded, self.actual
        )
    }
}

/// The first place where two reports differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where, as `totals.stolen.ETH` or `exits[2].amount`.
    pub path: String,
    /// The value in the recorded report (JSON text; `(absent)` when the
    /// key is missing).
    pub recorded: String,
    /// The recomputed value.
    pub recomputed: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if is_number_like(&self.recorded) && is_number_like(&self.recomputed) {
            "number differs"
        } else {
            "value differs"
        };
        write!(
            f,
            "{what} at {}: the report says {}, recomputed {}",
            cut(&self.path, 200),
            cut(&self.recorded, 200),
            cut(&self.recomputed, 200)
        )
    }
}

/// Whether a JSON text is a number or a string of digits (amounts are
/// decimal strings).
fn is_number_like(json: &str) -> bool {
    let t = json.trim_matches('"');
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// A report as recorded: its JSON and what verifying it needs.
#[derive(Clone, Debug)]
pub struct RecordedReport {
    /// The whole report.
    pub value: Value,
    /// The tool and version that made it.
    pub tool: String,
    /// The command line that made it, when recorded.
    pub command_line: Option<Vec<String>>,
    /// Every input with its SHA-256.
    pub inputs: Vec<InputDigest>,
}

impl RecordedReport {
    /// Reads a report's JSON text (`file` names it in errors).
    ///
    /// # Errors
    ///
    /// [`VerifyError::NotAReport`] when the text is not JSON or lacks
    /// `tool` or `inputs`.
    pub fn parse(text: &str, file: &str) -> Result<Self, VerifyError> {
        let not = |message: String| VerifyError::NotAReport {
            file: file.to_string(),
            message,
        };
        let value: Value = serde_json::from_str(text).map_err(|e| not(e.to_string()))?;
        let tool = value
            .get("tool")
            .and_then(Value::as_str)
            .ok_or_else(|| not("no \"tool\"".into()))?
            .to_string();
        let inputs: Vec<InputDigest> = value
            .get("inputs")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| not(format!("\"inputs\": {e}")))?
            .ok_or_else(|| not("no \"inputs\"".into()))?;
        let command_line: Option<Vec<String>> = value
            .get("command_line")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| not(format!("\"command_line\": {e}")))?;
        Ok(RecordedReport {
            value,
            tool,
            command_line,
            inputs,
        })
    }

    /// Checks that `current` (as reports name the tool, `fundtrace X.Y.Z`)
    /// made the report.
    ///
    /// # Errors
    ///
    /// [`VerifyError::VersionDiffers`].
    pub fn check_tool(&self, current: &str) -> Result<(), VerifyError> {
        if self.tool == current {
            Ok(())
        } else {
            Err(VerifyError::VersionDiffers {
                recorded: self.tool.clone(),
                current: current.to_string(),
            })
        }
    }

    /// Checks every input's SHA-256, with relative paths taken from
    /// `base` (except the inputs a snapshot was built from, role
    /// [`ROLE_SNAPSHOT_LEDGER`](crate::provenance::ROLE_SNAPSHOT_LEDGER):
    /// the snapshot's digest covers them).
    ///
    /// # Errors
    ///
    /// [`VerifyError::InputMissing`] for the first input that cannot be
    /// read, else [`VerifyError::InputChanged`] listing every input whose
    /// bytes changed.
    pub fn check_inputs(&self, base: &Path) -> Result<(), VerifyError> {
        let mut changes = Vec::new();
        for input in &self.inputs {
            // An input a snapshot was built from is covered by the
            // snapshot's own digest (checked as an input of its own).
            if input.role == crate::provenance::ROLE_SNAPSHOT_LEDGER {
                continue;
            }
            let bytes =
                std::fs::read(base.join(&input.path)).map_err(|e| VerifyError::InputMissing {
                    path: input.path.clone(),
                    role: input.role.clone(),
                    message: e.to_string(),
                })?;
            let actual = sha256_hex(&bytes);
            if actual != input.sha256 {
                changes.push(InputChange {
                    path: input.path.clone(),
                    role: input.role.clone(),
                    recorded: input.sha256.clone(),
                    actual,
                });
            }
        }
        if changes.is_empty() {
            Ok(())
        } else {
            Err(VerifyError::InputChanged { changes })
        }
    }

    /// Compares the recorded report with a recomputed one.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Edited`] naming the first difference, in document
    /// order.
    pub fn check_against(&self, recomputed: &Value) -> Result<Checked, VerifyError> {
        let mut checked = Checked::default();
        match first_difference(&self.value, recomputed, &mut String::new(), &mut checked) {
            Some(d) => Err(VerifyError::Edited(d)),
            None => Ok(checked),
        }
    }
}

/// What a successful comparison covered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Values compared (numbers, strings, booleans, nulls).
    pub values: usize,
    /// Of them, numbers and decimal-string amounts.
    pub numbers: usize,
}

/// The first difference between `a` (recorded) and `b` (recomputed), in
/// `a`'s document order; `path` is where they are.
fn first_difference(
    a: &Value,
    b: &Value,
    path: &mut String,
    checked: &mut Checked,
) -> Option<Difference> {
    let differ = |path: &str, a: Option<&Value>, b: Option<&Value>| Difference {
        path: if path.is_empty() {
            "(top)".into()
        } else {
            path.to_string()
        },
        recorded: a.map_or_else(|| "(absent)".into(), Value::to_string),
        recomputed: b.map_or_else(|| "(absent)".into(), Value::to_string),
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let d = match y.get(k) {
                    Some(vb) => first_difference(va, vb, path, checked),
                    None => Some(differ(path, Some(va), None)),
                };
                if d.is_some() {
                    return d;
                }
                path.truncate(len);
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| differ(&format!("{path}.{k}"), None, y.get(k)))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, va) in x.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let d = match y.get(i) {
                    Some(vb) => first_difference(va, vb, path, checked),
                    None => Some(differ(path, Some(va), None)),
                };
                if d.is_some() {
                    return d;
                }
                path.truncate(len);
            }
            (y.len() > x.len())
                .then(|| differ(&format!("{path}[{}]", x.len()), None, y.get(x.len())))
        }
        _ => {
            if a == b {
                checked.values += 1;
                if is_number_like(&a.to_string()) {
                    checked.numbers += 1;
                }
                None
            } else {
                Some(differ(path, Some(a), Some(b)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(json: &str) -> RecordedReport {
        RecordedReport::parse(json, "r.json").unwrap()
    }

    #[test]
    fn names_the_first_edited_number() {
        let r = report(
            r#"{"tool":"fundtrace 0","inputs":[],"totals":{"stolen":{"ETH":"5"}},"exits":[{"amount":"3"},{"amount":"2"}]}"#,
        );
        let same: Value = r.value.clone();
        let c = r.check_against(&same).unwrap();
        assert_eq!(c.numbers, 3);
        let edited: Value = serde_json::from_str(
            r#"{"tool":"fundtrace 0","inputs":[],"totals":{"stolen":{"ETH":"5"}},"exits":[{"amount":"3"},{"amount":"7"}]}"#,
        )
        .unwrap();
        let Err(VerifyError::Edited(d)) = r.check_against(&edited) else {
            panic!("an edit must be found");
        };
        assert_eq!(d.path, "exits[1].amount");
        assert_eq!(
            (d.recorded.as_str(), d.recomputed.as_str()),
            ("\"2\"", "\"7\"")
        );
        assert!(d
            .to_string()
            .starts_with("number differs at exits[1].amount"));
    }

    #[test]
    fn missing_and_extra_entries_differ() {
        let r = report(r#"{"tool":"t","inputs":[],"exits":[1]}"#);
        let more: Value =
            serde_json::from_str(r#"{"tool":"t","inputs":[],"exits":[1,2]}"#).unwrap();
        let Err(VerifyError::Edited(d)) = r.check_against(&more) else {
            panic!("a removed entry must be found");
        };
        assert_eq!(
            (d.path.as_str(), d.recorded.as_str()),
            ("exits[1]", "(absent)")
        );
        let extra_key: Value =
            serde_json::from_str(r#"{"tool":"t","inputs":[],"exits":[1],"x":0}"#).unwrap();
        assert!(r.check_against(&extra_key).is_err());
    }

    #[test]
    fn version_and_inputs_are_checked() {
        let dir = std::env::temp_dir().join(format!("fundtrace-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.csv"), b"abc").unwrap();
        let r = report(
            r#"{"tool":"fundtrace 1","inputs":[{"path":"a.csv","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","role":"labels"}]}"#,
        );
        assert!(r.check_tool("fundtrace 1").is_ok());
        assert!(matches!(
            r.check_tool("fundtrace 2"),
            Err(VerifyError::VersionDiffers { .. })
        ));
        r.check_inputs(&dir).unwrap();
        std::fs::write(dir.join("a.csv"), b"abd").unwrap();
        let Err(VerifyError::InputChanged { changes }) = r.check_inputs(&dir) else {
            panic!("a changed byte must be found");
        };
        assert_eq!(changes[0].path, "a.csv");
        std::fs::remove_file(dir.join("a.csv")).unwrap();
        assert!(matches!(
            r.check_inputs(&dir),
            Err(VerifyError::InputMissing { .. })
        ));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn not_a_report() {
        assert!(RecordedReport::parse("[]", "x").is_err());
        assert!(RecordedReport::parse("{", "x").is_err());
        assert!(RecordedReport::parse(r#"{"tool":"t"}"#, "x").is_err());
    }
}
