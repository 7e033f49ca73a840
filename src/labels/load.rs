//! Reading label files from disk (the only file access of this module).

use std::path::Path;

use crate::provenance::InputDigest;

use super::{
    parse_csv, parse_json, parse_list, parse_tagpack, Category, LabelError, LabelSet, LoadOptions,
};

/// A label file's name, text and the SHA-256 of its bytes (as `role`).
struct Read {
    file: String,
    text: String,
    digest: InputDigest,
}

fn read_as(path: &Path, role: &str) -> Result<Read, LabelError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LabelError::Io {
        file: file.clone(),
        source,
    })?;
    let digest = InputDigest::of_bytes(role, file.clone(), &bytes);
    let text = String::from_utf8(bytes).map_err(|e| LabelError::Syntax {
        file: file.clone(),
        line: 0,
        message: format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()),
    })?;
    Ok(Read { file, text, digest })
}

/// Parses what [`read_as`] read and records the file's digest in the set.
fn parsed(
    read: Read,
    parse: impl FnOnce(&str, &str) -> Result<LabelSet, LabelError>,
) -> Result<LabelSet, LabelError> {
    let mut set = parse(&read.text, &read.file)?;
    set.record_input(read.digest);
    Ok(set)
}

/// The role a list of `category` has in a report's inputs.
fn list_role(category: Category) -> String {
    format!("list:{}", category.name())
}

/// Reads a label CSV (see [`parse_csv`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_csv(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    parsed(read_as(path.as_ref(), "labels")?, |t, f| {
        parse_csv(t, f, &LoadOptions::default())
    })
}

/// Reads a label JSON file (see [`parse_json`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_json(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    parsed(read_as(path.as_ref(), "labels")?, |t, f| {
        parse_json(t, f, &LoadOptions::default())
    })
}

/// Reads a one-address-per-line list, every address given `category`
/// (see [`parse_list`]), in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line and address.
pub fn load_list(path: impl AsRef<Path>, category: Category) -> Result<LabelSet, LabelError> {
    parsed(read_as(path.as_ref(), &list_role(category))?, |t, f| {
        parse_list(t, f, category, &LoadOptions::default())
    })
}

/// Reads a GraphSense TagPack (see [`parse_tagpack`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_tagpack(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    parsed(read_as(path.as_ref(), "tagpack")?, |t, f| {
        parse_tagpack(t, f, &LoadOptions::default())
    })
}

/// Reads any label file, choosing the format by extension: `.csv`,
/// `.json`, `.yaml`/`.yml` (TagPack); anything else is a plain list, which
/// needs `list_category` (else [`LoadOptions::category`]).
///
/// # Errors
///
/// [`LabelError`]; a list without a category is a
/// [`LabelError::MissingColumn`] for `category`.
pub fn load_path(
    path: impl AsRef<Path>,
    list_category: Option<Category>,
    opts: &LoadOptions,
) -> Result<LabelSet, LabelError> {
    let path = path.as_ref();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => parsed(read_as(path, "labels")?, |t, f| parse_csv(t, f, opts)),
        "json" => parsed(read_as(path, "labels")?, |t, f| parse_json(t, f, opts)),
        "yaml" | "yml" => parsed(read_as(path, "tagpack")?, |t, f| parse_tagpack(t, f, opts)),
        _ => match list_category.or(opts.category) {
            Some(c) => parsed(read_as(path, &list_role(c))?, |t, f| {
                parse_list(t, f, c, opts)
            }),
            None => Err(LabelError::MissingColumn {
                file: path.display().to_string(),
                column: "category",
            }),
        },
    }
}

/// Every label input of an investigation: label files (format by
/// extension), plain lists each of one category, and TagPacks, read and
/// merged into one [`LabelSet`] (conflicting labels kept with their sources).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSources {
    /// Label files: CSV, JSON or TagPack, told by the extension.
    pub files: Vec<std::path::PathBuf>,
    /// Plain lists of addresses, each with the category of all of them.
    pub lists: Vec<(std::path::PathBuf, Category)>,
    /// GraphSense TagPacks (YAML), whatever their extension.
    pub tagpacks: Vec<std::path::PathBuf>,
    /// Skip bad records (counted in the set) instead of stopping.
    pub lenient: bool,
}

impl LabelSources {
    /// Whether no input is given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.lists.is_empty() && self.tagpacks.is_empty()
    }

    /// Reads and merges every input.
    ///
    /// # Errors
    ///
    /// The first [`LabelError`] (in lenient mode, only unreadable files).
    pub fn load(&self) -> Result<LabelSet, LabelError> {
        let opts = LoadOptions {
            lenient: self.lenient,
            ..LoadOptions::default()
        };
        let mut set = LabelSet::default();
        for p in &self.files {
            set.merge(load_path(p, None, &opts)?);
        }
        for (p, category) in &self.lists {
            let c = *category;
            set.merge(parsed(read_as(p, &list_role(c))?, |t, f| {
                parse_list(t, f, c, &opts)
            })?);
        }
        for p in &self.tagpacks {
            set.merge(parsed(read_as(p, "tagpack")?, |t, f| {
                parse_tagpack(t, f, &opts)
            })?);
        }
        Ok(set)
    }
}

/// Parses a list input as the command line gives it: `FILE:CATEGORY`
/// (split at the last colon).
///
/// ```
/// use fundtrace::labels::{parse_list_spec, Category};
/// let (path, c) = parse_list_spec("ofac.txt:sanctioned").unwrap();
/// assert_eq!((path.to_str(), c), (Some("ofac.txt"), Category::Sanctioned));
/// assert!(parse_list_spec("ofac.txt").is_err());
/// ```
///
/// # Errors
///
/// A message when there is no colon or the category is unknown.
pub fn parse_list_spec(s: &str) -> Result<(std::path::PathBuf, Category), String> {
    let (path, cat) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("expected FILE:CATEGORY, got {s:?}"))?;
    let category = Category::parse(cat).map_err(|e| e.to_string())?;
    Ok((std::path::PathBuf::from(path), category))
}
