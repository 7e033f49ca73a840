//! Where an input problem is: the one position shape every input error
//! gives through its `position()` accessor (file, line or byte offset,
//! field, value), so a caller can point at the record without parsing the
//! message.

use std::fmt;

/// The place of an input problem. Fields the error does not know are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The file (or input name) as given.
    pub file: String,
    /// 1-based line of the record, for text formats.
    pub line: Option<u64>,
    /// Byte offset, for binary formats.
    pub offset: Option<u64>,
    /// The column, key or field.
    pub field: Option<String>,
    /// The offending value as read (possibly cut).
    pub value: Option<String>,
}

impl Position {
    /// A position naming only a file.
    #[must_use]
    pub fn file(file: impl Into<String>) -> Self {
        Position {
            file: file.into(),
            ..Position::default()
        }
    }

    /// A position naming a file and a line.
    #[must_use]
    pub fn line(file: impl Into<String>, line: u64) -> Self {
        Position {
            file: file.into(),
            line: Some(line),
            ..Position::default()
        }
    }

    /// The same position with a field and its value.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Position {
    /// `file:line` (or `file@offset`), then `field` when known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(o) = self.offset {
            write!(f, "@{o}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        Ok(())
    }
}

/// Writes an error and every source below it, each once: a source whose
/// text its parent already shows is not repeated.
///
/// ```
/// use fundtrace::error::error_chain;
/// let e = std::io::Error::other("disk full");
/// assert_eq!(error_chain(&e), "disk full");
/// ```
#[must_use]
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut shown = out.clone();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !shown.contains(&text) {
            out.push_str("\n  caused by: ");
            out.push_str(&text);
            shown.push_str(&text);
        }
        cur = s.source();
    }
    out
}
