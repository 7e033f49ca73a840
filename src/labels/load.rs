//! Reading label files from disk (the only file access of this module).

use std::path::Path;

use super::{
    parse_csv, parse_json, parse_list, parse_tagpack, Category, LabelError, LabelSet, LoadOptions,
};

fn read(path: &Path) -> Result<(String, String), LabelError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LabelError::Io {
        file: file.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LabelError::Syntax {
        file: file.clone(),
        line: 0,
        message: format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()),
    })?;
    Ok((file, text))
}

/// Reads a label CSV (see [`parse_csv`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_csv(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    let (file, text) = read(path.as_ref())?;
    parse_csv(&text, &file, &LoadOptions::default())
}

/// Reads a label JSON file (see [`parse_json`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_json(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    let (file, text) = read(path.as_ref())?;
    parse_json(&text, &file, &LoadOptions::default())
}

/// Reads a one-address-per-line list, every address given `category`
/// (see [`parse_list`]), in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line and address.
pub fn load_list(path: impl AsRef<Path>, category: Category) -> Result<LabelSet, LabelError> {
    let (file, text) = read(path.as_ref())?;
    parse_list(&text, &file, category, &LoadOptions::default())
}

/// Reads a GraphSense TagPack (see [`parse_tagpack`]) in strict mode.
///
/// # Errors
///
/// [`LabelError`] naming the file, line, field and value.
pub fn load_tagpack(path: impl AsRef<Path>) -> Result<LabelSet, LabelError> {
    let (file, text) = read(path.as_ref())?;
    parse_tagpack(&text, &file, &LoadOptions::default())
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
    let (file, text) = read(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => parse_csv(&text, &file, opts),
        "json" => parse_json(&text, &file, opts),
        "yaml" | "yml" => parse_tagpack(&text, &file, opts),
        _ => match list_category.or(opts.category) {
            Some(c) => parse_list(&text, &file, c, opts),
            None => Err(LabelError::MissingColumn {
                file,
                column: "category",
            }),
        },
    }
}
