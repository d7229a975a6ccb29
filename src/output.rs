//! Writing output files, the one way every writer does it.
//!
//! A regular file (or a path that does not exist yet) is written to a temporary file in the same
//! directory, synced and renamed into place, so a reader never sees half a file and a failed run
//! leaves the previous file as it was. The new file gets the mode a plain `create` would give
//! (0666 less the umask), or keeps the mode of the file it replaces.
//!
//! Anything else at the path is never replaced: a FIFO or character device (`/dev/stdout`, a
//! pipe) is written in place; a symbolic link, a directory, a block device or a socket is refused
//! with an error that says so. (Replacing them would turn `--results /dev/null` run as root into a
//! regular file, or let a planted link redirect the write.)
//!
//! Temporary files are registered while they exist, and [`remove_temporaries_on_signal`] makes
//! SIGINT/SIGTERM delete them before the process ends.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "`{path}` is {what}; stigrun writes regular files, FIFOs and character devices only, and never replaces {what}"
    )]
    Refused { path: PathBuf, what: &'static str },
    /// The renderer failed; the previous file (if any) is untouched.
    #[error("{0}")]
    Render(String),
}

/// Write `path` with whatever `render` writes. See the module documentation for what happens to
/// each kind of file at `path`.
pub fn write_file<E: std::fmt::Display>(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), OutputError> {
    let io_error = |source| OutputError::Io { path: path.to_path_buf(), source };
    match fs::symlink_metadata(path) {
        Ok(meta) => {
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(OutputError::Refused { path: path.to_path_buf(), what: "a symbolic link" });
            }
            if kind.is_fifo() || kind.is_char_device() {
                return write_in_place(path, render);
            }
            if kind.is_dir() {
                return Err(OutputError::Refused { path: path.to_path_buf(), what: "a directory" });
            }
            if kind.is_block_device() {
                return Err(OutputError::Refused { path: path.to_path_buf(), what: "a block device" });
            }
            if kind.is_socket() {
                return Err(OutputError::Refused { path: path.to_path_buf(), what: "a socket" });
            }
            replace_atomically(path, Some(meta.permissions().mode() & 0o7777), render)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace_atomically(path, None, render),
        Err(e) => Err(io_error(e)),
    }
}

/// [`write_file`] with bytes already in memory.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_file(path, |out| out.write_all(bytes).map_err(|e| e.to_string()))
}

fn write_in_place<E: std::fmt::Display>(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), OutputError> {
    let io_error = |source| OutputError::Io { path: path.to_path_buf(), source };
    // O_NOFOLLOW: the path was a FIFO or device when looked at; if it is a link now, refuse.
    let file = OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW).open(path).map_err(io_error)?;
    let mut out = BufWriter::new(file);
    render(&mut out).map_err(|e| OutputError::Render(e.to_string()))?;
    out.flush().map_err(io_error)
}

fn replace_atomically<E: std::fmt::Display>(
    path: &Path,
    existing_mode: Option<u32>,
    render: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), OutputError> {
    let io_error = |source| OutputError::Io { path: path.to_path_buf(), source };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = tempfile::Builder::new()
        .prefix(&format!(".{}.", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()))
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(io_error)?;
    let guard = Registered::new(temporary.path());
    let mut out = BufWriter::new(temporary);
    render(&mut out).map_err(|e| OutputError::Render(e.to_string()))?;
    let temporary = out.into_inner().map_err(|e| io_error(e.into_error()))?;
    let mode = existing_mode.unwrap_or(0o666 & !umask());
    temporary.as_file().set_permissions(fs::Permissions::from_mode(mode)).map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary.persist(path).map_err(|e| io_error(e.error))?;
    drop(guard);
    // The rename is durable once the directory entry is on disk too.
    if let Ok(dir) = File::open(directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The process umask, read once (reading it means setting it, so it is done before threads
/// write files).
fn umask() -> u32 {
    static UMASK: OnceLock<u32> = OnceLock::new();
    *UMASK.get_or_init(|| {
        // SAFETY: umask has no preconditions; the old mask is restored at once.
        let old = unsafe { libc::umask(0o022) };
        unsafe { libc::umask(old) };
        old
    })
}

fn temporaries() -> &'static Mutex<Vec<PathBuf>> {
    static LIVE: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    LIVE.get_or_init(Mutex::default)
}

/// A temporary file listed for removal on a signal while it exists.
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Registered {
        let _ = umask();
        if let Ok(mut live) = temporaries().lock() {
            live.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut live) = temporaries().lock() {
            live.retain(|p| p != &self.0);
        }
    }
}

/// On SIGINT or SIGTERM, delete the temporary files being written and end the process with the
/// shell's code for the signal (130, 143). Outputs already renamed into place stay; the one being
/// written leaves the previous file as it was.
pub fn remove_temporaries_on_signal() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        let paths = temporaries().lock().map(|live| live.clone()).unwrap_or_default();
                        for path in paths {
                            let _ = fs::remove_file(path);
                        }
                        std::process::exit(128 + signal);
                    }
                });
            }
            Err(e) => {
                eprintln!("stigrun: cannot install the signal handler that removes temporary files: {e}")
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn write_text(path: &Path, text: &str) -> Result<(), OutputError> {
        write_file(path, |out| out.write_all(text.as_bytes()))
    }

    #[test]
    fn a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_text(&path, "one").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_text(&path, "two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_failed_render_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xml");
        write_text(&path, "previous").unwrap();
        let e = write_file(&path, |out| {
            out.write_all(b"half").map_err(|e| e.to_string())?;
            Err::<(), String>("template failed".into())
        })
        .unwrap_err();
        assert!(e.to_string().contains("template failed"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "previous");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(temporaries().lock().unwrap().iter().all(|p| !p.starts_with(dir.path())));
    }

    #[test]
    fn links_and_directories_are_refused_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("out.json");
        symlink(&target, &link).unwrap();
        let e = write_text(&link, "x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        let e = write_text(dir.path(), "x").unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
    }

    #[test]
    fn a_character_device_is_written_in_place() {
        write_text(Path::new("/dev/null"), "discarded").unwrap();
        let meta = fs::symlink_metadata("/dev/null").unwrap();
        assert!(meta.file_type().is_char_device(), "/dev/null is still a device");
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        write_text(&fifo, "through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
