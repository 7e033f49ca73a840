//! Errors of the label loaders.

use thiserror::Error;

/// Why a label file could not be loaded.
///
/// Every variant names the file; record-level variants name the line
/// (1-based, the header is line 1 in CSV), the field and the offending value.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("{file}:1: missing column `{column}`")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: &'static str,
    },
    /// A field holds a value that cannot be used.
    #[error("{file}:{line}: field `{field}`: invalid value `{value}`: {reason}")]
    Field {
        /// The file.
        file: String,
        /// Line (1-based).
        line: u64,
        /// Field name.
        field: String,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file is not well-formed in its format (CSV, JSON, YAML).
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

impl LabelError {
    /// Where the problem is: file, and line, field and value when known.
    #[must_use]
    pub fn position(&self) -> crate::error::Position {
        use crate::error::Position;
        match self {
            LabelError::Io { file, .. } => Position::file(file.clone()),
            LabelError::MissingColumn { file, column } => {
                Position::line(file.clone(), 1).with_field(*column, "")
            }
            LabelError::Field {
                file,
                line,
                field,
                value,
                ..
            } => Position::line(file.clone(), *line).with_field(field.clone(), value.clone()),
            LabelError::Syntax { file, line, .. } => Position::line(file.clone(), *line),
        }
    }

    /// The reason key used when a lenient load counts a skipped record.
    #[must_use]
    pub fn skip_reason(&self) -> String {
        match self {
            LabelError::Field { field, .. } => format!("invalid {field}"),
            LabelError::Syntax { .. } => "malformed record".to_string(),
            LabelError::MissingColumn { column, .. } => format!("missing {column}"),
            LabelError::Io { .. } => "io".to_string(),
        }
    }
}
