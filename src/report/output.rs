//! Writing output files so that they cannot destroy anything.
//!
//! - [`write_atomic`] writes into a new temporary file beside the target,
//!   syncs it and renames it over the target: a reader sees the old file
//!   or the whole new one, and a failed write (a full disk, an error of the
//!   writing code) leaves the old file as it was. The rename replaces the
//!   target's directory entry: when the target is a symbolic link, the
//!   link is replaced by the new file and whatever it pointed to is left
//!   alone (output is never written through a link). A device or pipe
//!   (`/dev/stdout`, `/dev/full`) cannot be replaced and is written
//!   directly, with every write and flush error reported.
//! - [`refuse_output_over_inputs`] refuses an output path that is also an
//!   input (the same path once canonicalized, or the same file by device
//!   and inode, as with a hard link or a link to it), to be called before
//!   anything is read or written.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

/// Why an output could not be written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Creating, writing, syncing or renaming failed; the target is as it was.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The output would overwrite an input.
    #[error("output {output} is the input {input}: refusing to overwrite it")]
    OutputIsInput {
        /// The output path as given.
        output: String,
        /// The input path as given.
        input: String,
    },
    /// The path names no file (it ends in `..` or is empty).
    #[error("{path}: not a file path")]
    NotAFile {
        /// The path as given.
        path: String,
    },
}

fn io_error(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Distinguishes temporary files of one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `path` through `write`, atomically: the content goes to a
/// temporary file in the same directory (created new, never through an
/// existing file or link), which is flushed, synced and renamed over
/// `path`. If `write` fails, or anything after it, the temporary file is
/// removed and `path` is left as it was.
///
/// Returns what `write` returned.
///
/// # Errors
///
/// [`OutputError::Io`] naming the file that failed; an error of `write`
/// as [`OutputError::Io`] naming `path`.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// let dir = std::env::temp_dir().join(format!("fundtrace-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let out = dir.join("report.json");
/// fundtrace::report::output::write_atomic(&out, |w| w.write_all(b"{}\n")).unwrap();
/// assert_eq!(std::fs::read(&out).unwrap(), b"{}\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_atomic<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> Result<T, OutputError> {
    let name = path.file_name().ok_or_else(|| OutputError::NotAFile {
        path: path.display().to_string(),
    })?;
    // A device or pipe (`/dev/stdout`, `/dev/full`, a FIFO) cannot be
    // replaced: it is written directly, every error reported.
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if !kind.is_file() && !kind.is_symlink() && !kind.is_dir() {
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| io_error(path, e))?;
            let mut w = BufWriter::new(file);
            let value = write(&mut w).map_err(|e| io_error(path, e))?;
            w.flush().map_err(|e| io_error(path, e))?;
            return Ok(value);
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (temp, file) = create_temp(&dir, &name.to_string_lossy())?;
    let result = write_and_sync(file, write, path, &temp);
    match result {
        Ok(value) => match std::fs::rename(&temp, path) {
            Ok(()) => {
                sync_dir(&dir);
                Ok(value)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(io_error(path, e))
            }
        },
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A new file `.NAME.PID.N.tmp` in `dir`, created exclusively (so a file or
/// link planted at that name is never written through).
fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, File), OutputError> {
    let pid = std::process::id();
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error(&temp, e)),
        }
    }
}

fn write_and_sync<T>(
    file: File,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
    path: &Path,
    temp: &Path,
) -> Result<T, OutputError> {
    let mut w = BufWriter::new(file);
    let value = write(&mut w).map_err(|e| io_error(path, e))?;
    let file = w.into_inner().map_err(|e| io_error(temp, e.into_error()))?;
    file.sync_all().map_err(|e| io_error(temp, e))?;
    Ok(value)
}

/// Syncs a directory so a rename in it is durable (best effort: not every
/// system can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The path an output would be written at, resolved as far as it exists:
/// the canonical parent directory joined with the file name (the file
/// itself may not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// Refuses any output that is also an input: the same path once both are
/// canonicalized (symbolic links, `..` and relative paths resolved), or,
/// where both exist, the same file (device and inode). Call it before
/// reading anything, so an input is never truncated by its own run.
///
/// # Errors
///
/// [`OutputError::OutputIsInput`] for the first output that is an input.
pub fn refuse_output_over_inputs<O, I>(outputs: &[O], inputs: &[I]) -> Result<(), OutputError>
where
    O: AsRef<Path>,
    I: AsRef<Path>,
{
    for out in outputs {
        let out = out.as_ref();
        let out_resolved = resolved(out);
        for input in inputs {
            let input = input.as_ref();
            let same_path = match (&out_resolved, input.canonicalize()) {
                (Some(o), Ok(i)) => *o == i,
                _ => out == input,
            };
            if same_path || same_file(out, input) {
                return Err(OutputError::OutputIsInput {
                    output: out.display().to_string(),
                    input: input.display().to_string(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "fundtrace-output-{tag}-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failing_writer_leaves_the_old_file_intact() {
        let dir = temp_dir("fail");
        let out = dir.join("report.json");
        std::fs::write(&out, b"old report\n").unwrap();
        let err = write_atomic(&out, |w| {
            w.write_all(b"half of a new rep")?;
            Err::<(), _>(std::io::Error::other("disk gone"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk gone"), "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"old report\n");
        assert_eq!(leftovers(&dir), vec!["report.json"]);
        // And a good write replaces it whole.
        write_atomic(&out, |w| w.write_all(b"new report\n")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new report\n");
        assert_eq!(leftovers(&dir), vec!["report.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_replaced_not_written_through() {
        let dir = temp_dir("link");
        let target = dir.join("precious.csv");
        std::fs::write(&target, b"evidence\n").unwrap();
        let link = dir.join("out.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"{}\n")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"evidence\n");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"{}\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_that_is_an_input_is_refused() {
        let dir = temp_dir("same");
        let input = dir.join("tx.csv");
        std::fs::write(&input, b"hash\n").unwrap();
        // The same path, spelled differently.
        let spelled = dir.join(".").join("tx.csv");
        let err = refuse_output_over_inputs(&[&spelled], &[&input]).unwrap_err();
        assert!(matches!(err, OutputError::OutputIsInput { .. }), "{err}");
        // Another file beside it, existing or not, is fine.
        refuse_output_over_inputs(&[dir.join("rejects.jsonl")], &[&input]).unwrap();
        #[cfg(unix)]
        {
            let hard = dir.join("hard.csv");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(refuse_output_over_inputs(&[&hard], &[&input]).is_err());
            let soft = dir.join("soft.csv");
            std::os::unix::fs::symlink(&input, &soft).unwrap();
            assert!(refuse_output_over_inputs(&[&soft], &[&input]).is_err());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_is_written_directly_and_its_errors_reported() {
        // Never replaced (that would need a rename in /dev): written, and
        // the full device's error comes back.
        let err = write_atomic(Path::new("/dev/full"), |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("/dev/full"), "{err}");
        assert!(std::fs::symlink_metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
