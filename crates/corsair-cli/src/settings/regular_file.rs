//! Reading a file corsair is named (the configuration, a PEM file, a HAR file) only when it is
//! a regular file, without ever blocking on a FIFO or a device.

use std::path::Path;

/// Reads `path` if it is a regular file. Anything else (a FIFO, a device, a directory) is
/// refused without blocking: the type is checked before opening, the file is opened
/// non-blocking (a FIFO swapped in meanwhile cannot block the open), and the opened file is
/// checked again.
pub(super) fn read_regular_file(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_regular_bytes(path, u64::MAX)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not UTF-8 text", path.display()),
        )
    })
}

/// The bytes of the regular file `path` (see [`read_regular_file`]), refused when longer than
/// `limit`.
pub(crate) fn read_regular_bytes(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let not_regular = |kind: std::fs::FileType| {
        let what = if kind.is_dir() {
            "a directory"
        } else if std::os::unix::fs::FileTypeExt::is_fifo(&kind) {
            "a FIFO"
        } else {
            "not a regular file"
        };
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is {what}: corsair reads only regular files",
                path.display()
            ),
        )
    };
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(not_regular(kind));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(not_regular(kind));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is larger than {limit} bytes", path.display()),
        ));
    }
    Ok(bytes)
}
