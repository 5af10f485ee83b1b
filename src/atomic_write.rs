//! Safe rewriting of input files (native builds only).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Replaces the contents of `path` with `text` atomically. The text goes to
/// a temporary file in the same directory, which takes the original's
/// permissions and is then renamed over it. Readers and concurrent runs
/// therefore see either the old or the new file, never a partial one. A symbolic link
/// is followed and its target replaced. Read-only files are rejected.
pub fn replace_file(path: &Path, text: &str) -> Result<(), String> {
    let target: PathBuf = fs::canonicalize(path)
        .map_err(|error| format!("{}: cannot resolve the path (broken symbolic link?): {error}", path.display()))?;
    let metadata = fs::metadata(&target).map_err(|error| format!("{}: {error}", target.display()))?;
    if is_read_only(&metadata) {
        return Err(format!("{}: the file is read-only; make it writable to append XSECTION blocks", path.display()));
    }
    let directory = target.parent().ok_or_else(|| format!("{}: has no parent directory", target.display()))?;
    let file_name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = directory.join(format!(
        ".{file_name}.deepxs-{}-{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::set_permissions(&temporary, metadata.permissions())?;
        fs::rename(&temporary, &target)
    })();
    if let Err(error) = result {
        let _ = fs::remove_file(&temporary);
        return Err(format!("{}: cannot write: {error}", path.display()));
    }
    Ok(())
}

#[cfg(unix)]
fn is_read_only(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    // Checked on the mode bits because root may write anything.
    metadata.permissions().mode() & 0o222 == 0
}

#[cfg(not(unix))]
fn is_read_only(metadata: &fs::Metadata) -> bool {
    metadata.permissions().readonly()
}
