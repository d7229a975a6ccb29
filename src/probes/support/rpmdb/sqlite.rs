//! The header blobs of rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: table
//! `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`).
//!
//! The target's file is never opened by SQLite: its bytes (and those of a `-wal` file beside it,
//! which may hold committed transactions not yet checkpointed) are copied through the [`Root`]
//! into a private temporary directory, and SQLite opens the copy. So reading never creates
//! `-wal`/`-shm` files in the root nor takes rpm's locks there.

use std::fs::File;
use std::io::{Read, Write};

use rusqlite::{Connection, OpenFlags};

use crate::host::{HostError, Root};

#[derive(Debug, thiserror::Error)]
pub enum SqliteError {
    #[error("{0}")]
    Host(#[from] HostError),
    #[error("private copy: {0}")]
    Copy(#[from] std::io::Error),
    #[error("not an SQLite database")]
    NotSqlite,
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Hand every `(hnum, blob)` row of the `Packages` table of the database at `path` in `root`
/// to `each`, one at a time (a RHEL database holds hundreds of megabytes of headers), until
/// `each` returns false.
pub fn for_each_header(
    root: &Root,
    path: &str,
    mut each: impl FnMut(i64, &[u8]) -> bool,
) -> Result<(), SqliteError> {
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("rpmdb.sqlite");
    copy_out(root, path, &copy)?;
    let mut magic = [0u8; 16];
    let looks_right = File::open(&copy)?.read_exact(&mut magic).is_ok() && &magic == b"SQLite format 3\0";
    if !looks_right {
        return Err(SqliteError::NotSqlite);
    }
    let wal = format!("{path}-wal");
    match root.stat(&wal) {
        Ok(_) => copy_out(root, &wal, &dir.path().join("rpmdb.sqlite-wal"))?,
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    // Read-write on the private copy only: SQLite needs it to replay a copied WAL.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&copy, flags)?;
    let mut stmt = conn.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let hnum: i64 = row.get(0)?;
        let blob = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        if !each(hnum, blob) {
            break;
        }
    }
    Ok(())
}

/// Stream a file of the root into a private file (databases can exceed the whole-read limit).
fn copy_out(root: &Root, path: &str, to: &std::path::Path) -> Result<(), SqliteError> {
    let mut out = File::create(to)?;
    let mut failed = None;
    root.read_chunks(path, |chunk| {
        if failed.is_none()
            && let Err(e) = out.write_all(chunk)
        {
            failed = Some(e);
        }
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
