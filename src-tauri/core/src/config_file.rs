//! Files the app writes whole (the account list, the settings, an exported report): written
//! atomically, and named with a UTC time when a damaged one is kept aside.

use crate::error::{AppError, AppResult};
use std::path::Path;

/// `20261201T201000Z`, for names of files kept aside.
pub(crate) fn utc_stamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_else(|_| crate::random::random_hex(4))
}

/// Write to a temp file, fsync it, rename it over `path`, fsync the folder (so the rename
/// survives a crash). A failed write leaves no temp file behind.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    use std::io::Write;
    let fail =
        |e: std::io::Error| AppError::internal(format!("Cannot save {}", path.display())).with_details(e.to_string());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    sync_dir(dir);
    Ok(())
}

/// Make a rename durable. Best effort: Windows cannot open a folder for syncing, and the file
/// itself is already synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(error) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(%error, "cannot sync the folder after saving a file");
    }
    #[cfg(not(unix))]
    let _ = dir;
}
