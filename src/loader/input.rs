//! Opening a content file (benchmark, tailoring, OVAL variables, answers, results read back):
//! regular files only, or standard input when the path is `-`. A FIFO would block the run, a
//! device (`/dev/zero`) never end, a directory is no document: each is refused at once, before
//! a byte is read. A file over the `content-file-bytes` limit is refused too.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The path that means standard input.
pub const STDIN: &str = "-";

/// What a non-regular file is, for the message.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn too_large(size: u64, limit: u64) -> io::Error {
    refused(format!(
        "{size} bytes is over the {limit}-byte limit for content files (limit `content-file-bytes`)"
    ))
}

/// Open `path` for reading if it is a regular file within the size limit; the file and its size.
/// The open does not block on a FIFO (it is opened non-blocking, then refused).
pub fn open_regular(path: &Path) -> io::Result<(File, u64)> {
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused(format!(
            "is {}; content is read from regular files (or `-` for standard input)",
            kind_of(&meta)
        )));
    }
    let limit = crate::limits::get().content_file_bytes;
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    Ok((file, meta.len()))
}

/// The bytes of a content file (or of standard input for `-`), bounded by `content-file-bytes`.
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let limit = crate::limits::get().content_file_bytes;
    let mut bytes = Vec::new();
    if path.as_os_str() == STDIN {
        io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)?;
    } else {
        let (file, size) = open_regular(path)?;
        bytes.reserve(usize::try_from(size).unwrap_or(0));
        file.take(limit + 1).read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// The text of a content file; invalid UTF-8 is an error naming the byte offset.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bytes(path)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not valid UTF-8 (byte {}); stigrun reads UTF-8 content only",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_devices_and_directories_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
        // No writer: a blocking open would hang here.
        let e = read_bytes(&fifo).unwrap_err().to_string();
        assert!(e.contains("is a FIFO"), "{e}");
        let e = read_bytes(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("is a character device"), "{e}");
        let e = read_bytes(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
        let file = dir.path().join("f.xml");
        std::fs::write(&file, "<a/>").unwrap();
        assert_eq!(read_to_string(&file).unwrap(), "<a/>");
        std::fs::write(&file, b"<a>\xff</a>").unwrap();
        let e = read_to_string(&file).unwrap_err().to_string();
        assert!(e.contains("byte 3"), "{e}");
    }
}
