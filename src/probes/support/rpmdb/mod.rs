//! The installed RPM packages of a root, read offline from rpm's database.
//!
//! rpm has kept its database in three formats, all read here, each giving the same header blobs
//! to [`RpmPackage::from_header`]: SQLite (`rpmdb.sqlite`, RHEL 9, Fedora ≥ 33, Debian's rpm ≥
//! 4.16; [`sqlite`]), Berkeley DB (`Packages`, RHEL 7 and 8, SLES 12; [`bdb`], without Berkeley
//! DB) and NDB (`Packages.db`, SUSE; [`ndb`]). Only the packages are read, never rpm's indexes.

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod pgp;
pub mod sqlite;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::host::{FileKind, HostError, OpenFile, Root};

use header::{Header, HeaderError, tag};

/// Where rpm keeps its database (the sysimage location first: Fedora ≥ 36 links
/// `/var/lib/rpm` to it), SQLite before the older formats a converted system may leave behind.
const DATABASES: &[(&str, Format)] = &[
    ("/usr/lib/sysimage/rpm/rpmdb.sqlite", Format::Sqlite),
    ("/var/lib/rpm/rpmdb.sqlite", Format::Sqlite),
    ("/usr/lib/sysimage/rpm/Packages.db", Format::Ndb),
    ("/var/lib/rpm/Packages.db", Format::Ndb),
    ("/usr/lib/sysimage/rpm/Packages", Format::BerkeleyDb),
    ("/var/lib/rpm/Packages", Format::BerkeleyDb),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

#[derive(Debug, thiserror::Error)]
pub enum RpmDbError {
    #[error("`{path}` (SQLite): {source}")]
    Sqlite { path: &'static str, source: sqlite::SqliteError },
    #[error("`{path}` (Berkeley DB): {source}")]
    BerkeleyDb { path: &'static str, source: bdb::BdbError },
    #[error("`{path}` (NDB): {source}")]
    Ndb { path: &'static str, source: ndb::NdbError },
    #[error("`{path}`: package header {hnum}: {source}")]
    Header { path: &'static str, hnum: i64, source: HeaderError },
    #[error("{0}")]
    Host(#[from] HostError),
}

/// Positional reads of a database file: a file of the root, or bytes in memory (fuzzing).
pub trait ReadAt {
    fn size(&self) -> u64;
    /// Fill `buf` from `offset`; a file that ends before is an error.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<(), HostError>;
}

impl ReadAt for OpenFile {
    fn size(&self) -> u64 {
        OpenFile::size(self)
    }

    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<(), HostError> {
        OpenFile::read_exact_at(self, buf, offset)
    }
}

impl ReadAt for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<(), HostError> {
        let range = usize::try_from(offset).ok().and_then(|start| Some(start..start.checked_add(buf.len())?));
        match range.and_then(|range| self.get(range)) {
            Some(bytes) => {
                buf.copy_from_slice(bytes);
                Ok(())
            }
            None => Err(HostError::Io {
                path: "(in memory)".to_string(),
                source: std::io::ErrorKind::UnexpectedEof.into(),
            }),
        }
    }
}

/// rpmfileAttrs bits (rpmfiles.h).
pub mod file_flag {
    pub const CONFIG: u32 = 1;
    pub const DOC: u32 = 2;
    pub const GHOST: u32 = 64;
    pub const LICENSE: u32 = 128;
    pub const README: u32 = 256;
}

/// One file of a package, as its header records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmFile {
    pub path: String,
    pub size: Option<u64>,
    pub mode: Option<u32>,
    pub mtime: Option<u64>,
    /// Hex digest; empty for directories, links and ghosts.
    pub digest: Option<String>,
    /// A symlink's target; empty for other files.
    pub linkto: Option<String>,
    /// File capabilities as text (`cap_net_raw=ep`); empty when none.
    pub caps: String,
    pub user: Option<String>,
    pub group: Option<String>,
    /// rpmfileAttrs: `%config` (1), `%doc` (2), `%ghost` (64), …
    pub flags: Option<u32>,
}

/// One installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub version: String,
    pub release: String,
    /// `None` when the package has no EPOCH tag (rpm's `(none)`).
    pub epoch: Option<u64>,
    /// `None` when the header has no ARCH tag (the `gpg-pubkey` pseudo-packages).
    pub arch: Option<String>,
    /// The key id of the header's OpenPGP signature, lowercase hex; `None` when unsigned.
    pub signature_keyid: Option<String>,
    /// rpm's FILEDIGESTALGO (OpenPGP hash algorithm number; MD5 when absent).
    pub digest_algo: u32,
    pub files: Vec<RpmFile>,
}

impl RpmPackage {
    /// `EPOCH:VERSION-RELEASE`, a missing epoch written `0` (OVAL `evr`).
    pub fn evr(&self) -> String {
        format!("{}:{}-{}", self.epoch.unwrap_or(0), self.version, self.release)
    }

    /// `NAME-EPOCH:VERSION-RELEASE.ARCH`, a missing arch written `(none)` (OVAL `extended_name`).
    pub fn extended_name(&self) -> String {
        format!("{}-{}.{}", self.name, self.evr(), self.arch.as_deref().unwrap_or("(none)"))
    }

    /// Decode the fields the probes use from a header blob.
    pub fn from_header(blob: &[u8]) -> Result<RpmPackage, HeaderError> {
        let h = Header::parse(blob)?;
        let text = |t| h.string(t).map(|s| s.unwrap_or_default().to_string());
        let mut signature_keyid = None;
        for t in [tag::RSAHEADER, tag::DSAHEADER, tag::SIGGPG, tag::SIGPGP] {
            if let Some(sig) = h.binary(t)?
                && let Some(id) = pgp::signer_key_id(sig)
            {
                signature_keyid = Some(id);
                break;
            }
        }
        Ok(RpmPackage {
            name: text(tag::NAME)?,
            version: text(tag::VERSION)?,
            release: text(tag::RELEASE)?,
            epoch: h.integer(tag::EPOCH)?,
            arch: h.string(tag::ARCH)?.map(str::to_string),
            signature_keyid,
            digest_algo: h.integer(tag::FILEDIGESTALGO)?.map_or(1, |a| a as u32),
            files: files(&h)?,
        })
    }
}

/// The file list: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (or OLDFILENAMES of rpm < 4.0
/// packages), with the per-file attributes where their arrays are as long as the list.
fn files(h: &Header<'_>) -> Result<Vec<RpmFile>, HeaderError> {
    let paths: Vec<String> = if h.has(tag::BASENAMES) {
        let base = h.string_array(tag::BASENAMES)?;
        let dirs = h.string_array(tag::DIRNAMES)?;
        let index = h.integers(tag::DIRINDEXES)?;
        base.iter()
            .enumerate()
            .map(|(i, b)| {
                let dir =
                    index.get(i).and_then(|&d| dirs.get(usize::try_from(d).ok()?)).copied().unwrap_or("");
                format!("{dir}{b}")
            })
            .collect()
    } else {
        h.string_array(tag::OLDFILENAMES)?.into_iter().map(str::to_string).collect()
    };
    let n = paths.len();
    let ints = |t| h.integers(t).map(|v| if v.len() == n { Some(v) } else { None });
    let strs = |t| h.string_array(t).map(|v| if v.len() == n { Some(v) } else { None });
    let sizes = match ints(tag::LONGFILESIZES)? {
        Some(v) => Some(v),
        None => ints(tag::FILESIZES)?,
    };
    let (modes, mtimes, flags) = (ints(tag::FILEMODES)?, ints(tag::FILEMTIMES)?, ints(tag::FILEFLAGS)?);
    let (digests, users, groups) =
        (strs(tag::FILEDIGESTS)?, strs(tag::FILEUSERNAME)?, strs(tag::FILEGROUPNAME)?);
    let linktos = strs(tag::FILELINKTOS)?;
    let caps = strs(tag::FILECAPS)?;
    Ok(paths
        .into_iter()
        .enumerate()
        .map(|(i, path)| RpmFile {
            path,
            size: sizes.as_ref().map(|v| v[i]),
            mode: modes.as_ref().map(|v| v[i] as u32),
            mtime: mtimes.as_ref().map(|v| v[i]),
            digest: digests.as_ref().map(|v| v[i].to_string()),
            linkto: linktos.as_ref().map(|v| v[i].to_string()),
            caps: caps.as_ref().map(|v| v[i].to_string()).unwrap_or_default(),
            user: users.as_ref().map(|v| v[i].to_string()),
            group: groups.as_ref().map(|v| v[i].to_string()),
            flags: flags.as_ref().map(|v| v[i] as u32),
        })
        .collect())
}

/// The first RPM database present in the root, with its format.
pub fn locate(root: &Root) -> Option<(&'static str, Format)> {
    DATABASES.iter().copied().find(|(p, _)| root.stat(p).is_ok_and(|m| m.kind == FileKind::Regular))
}

/// Identity of one version of a database: (root, path, inode, size, mtime, ctime, WAL size and
/// mtime).
type DbKey = (PathBuf, &'static str, u64, u64, i64, i64, u64, i64);
type Parsed = (DbKey, Arc<Vec<RpmPackage>>);

/// The installed packages of `root`: empty when the root has no RPM database. A database is
/// parsed once while its file (and WAL) stay the same: SSG profiles hold hundreds of rpminfo
/// objects.
pub fn packages(root: &Root) -> Result<Arc<Vec<RpmPackage>>, RpmDbError> {
    static LAST: OnceLock<Mutex<Option<Parsed>>> = OnceLock::new();
    let Some((path, format)) = locate(root) else { return Ok(Arc::new(Vec::new())) };
    let meta = root.stat(path)?;
    let wal = root.stat(&format!("{path}-wal")).ok();
    let key: DbKey = (
        root.base().to_path_buf(),
        path,
        meta.ino,
        meta.size,
        meta.mtime,
        meta.ctime,
        wal.as_ref().map_or(0, |w| w.size),
        wal.as_ref().map_or(0, |w| w.mtime),
    );
    let cache = LAST.get_or_init(Default::default);
    if let Some((cached, parsed)) = cache.lock().ok().and_then(|c| c.clone())
        && cached == key
    {
        return Ok(parsed);
    }
    let mut parsed = Vec::new();
    let mut bad = None;
    let mut take = |hnum: i64, blob: &[u8]| match RpmPackage::from_header(blob) {
        Ok(package) => {
            parsed.push((hnum, package));
            true
        }
        Err(source) => {
            bad = Some(RpmDbError::Header { path, hnum, source });
            false
        }
    };
    match format {
        Format::Sqlite => {
            sqlite::for_each_header(root, path, take).map_err(|source| RpmDbError::Sqlite { path, source })
        }
        Format::BerkeleyDb => bdb::for_each_header(root, path, |n, blob| take(n.into(), blob))
            .map_err(|source| RpmDbError::BerkeleyDb { path, source }),
        Format::Ndb => ndb::for_each_header(root, path, |n, blob| take(n.into(), blob))
            .map_err(|source| RpmDbError::Ndb { path, source }),
    }?;
    if let Some(e) = bad {
        return Err(e);
    }
    // By instance number whatever the format (Berkeley DB gives them in hash order).
    parsed.sort_by_key(|(hnum, _)| *hnum);
    let parsed: Arc<Vec<RpmPackage>> = Arc::new(parsed.into_iter().map(|(_, package)| package).collect());
    if let Ok(mut c) = cache.lock() {
        *c = Some((key, parsed.clone()));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::header::test_support::{Value, blob};
    use super::*;

    #[test]
    fn a_header_becomes_a_package_with_its_file_list() {
        let b = blob(&[
            (tag::NAME, Value::Str("bash")),
            (tag::VERSION, Value::Str("5.1.8")),
            (tag::RELEASE, Value::Str("9.el9")),
            (tag::ARCH, Value::Str("x86_64")),
            (tag::DIRINDEXES, Value::I32(&[0, 1, 1])),
            (tag::BASENAMES, Value::Strs(&["bash", "README", "COPYING"])),
            (tag::DIRNAMES, Value::Strs(&["/usr/bin/", "/usr/share/doc/bash/"])),
            (tag::FILEMODES, Value::I16(&[0o100755, 0o100644, 0o100644])),
            (tag::FILEUSERNAME, Value::Strs(&["root", "root"])),
        ]);
        let p = RpmPackage::from_header(&b).unwrap();
        assert_eq!(p.extended_name(), "bash-0:5.1.8-9.el9.x86_64");
        assert_eq!(p.epoch, None);
        assert_eq!(p.signature_keyid, None);
        let paths: Vec<_> = p.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/usr/bin/bash", "/usr/share/doc/bash/README", "/usr/share/doc/bash/COPYING"]);
        assert_eq!(p.files[0].mode, Some(0o100755));
        // An attribute array of the wrong length is not attributed to files one by one.
        assert_eq!(p.files[0].user, None);
    }

    #[test]
    fn a_dir_index_out_of_range_gives_the_bare_basename() {
        let b = blob(&[
            (tag::NAME, Value::Str("x")),
            (tag::DIRINDEXES, Value::I32(&[7])),
            (tag::BASENAMES, Value::Strs(&["f"])),
            (tag::DIRNAMES, Value::Strs(&["/d/"])),
        ]);
        assert_eq!(RpmPackage::from_header(&b).unwrap().files[0].path, "f");
    }

    #[test]
    fn gpg_pubkey_has_no_arch() {
        let b = blob(&[
            (tag::NAME, Value::Str("gpg-pubkey")),
            (tag::VERSION, Value::Str("fd431d51")),
            (tag::RELEASE, Value::Str("4ae0493b")),
        ]);
        assert_eq!(
            RpmPackage::from_header(&b).unwrap().extended_name(),
            "gpg-pubkey-0:fd431d51-4ae0493b.(none)"
        );
    }

    fn fixture_root() -> Root {
        Root::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oval/cases/probe-rpminfo/root")).unwrap()
    }

    #[test]
    fn reads_the_fixture_database_without_touching_the_root() {
        let root = fixture_root();
        let dir = root.base().join("var/lib/rpm");
        let before: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        let packages = packages(&root).unwrap();
        let mut names: Vec<_> = packages.iter().map(|p| p.extended_name()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "stigrun-alpha-2:1.2.3-4.el9.x86_64",
                "stigrun-beta-0:0.9-1.noarch",
                "stigrun-multi-0:1.0-1.noarch",
                "stigrun-multi-0:2.0-1.noarch"
            ]
        );
        let beta = packages.iter().find(|p| p.name == "stigrun-beta").unwrap();
        assert_eq!(beta.signature_keyid.as_deref(), Some("6608dd4c288cc692"));
        assert_eq!(beta.files[0].path, "/usr/bin/stigrun-beta");
        assert_eq!(beta.files[0].mode, Some(0o100755));
        assert_eq!(beta.files[0].user.as_deref(), Some("root"));
        assert_eq!(beta.digest_algo, 8);
        let after: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(before, after, "no -wal, -shm or lock file appears in the root");
    }

    /// The fuzz target's property on every one-byte change and every truncation of the fixture's
    /// real headers (fuzz/seeds/rpm_header): decoded or a typed error, never a panic.
    #[test]
    fn mangled_real_headers_never_panic() {
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/rpm_header");
        let mut decoded = 0;
        for entry in std::fs::read_dir(seeds).unwrap() {
            let blob = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(RpmPackage::from_header(&blob).is_ok());
            for len in 0..blob.len() {
                let _ = RpmPackage::from_header(&blob[..len]);
            }
            for at in 0..blob.len() {
                for byte in [0x00, 0x7f, 0xff] {
                    let mut mangled = blob.clone();
                    mangled[at] = byte;
                    decoded += usize::from(RpmPackage::from_header(&mangled).is_ok());
                }
            }
        }
        assert!(decoded > 0, "some one-byte changes (in file data) still decode");
    }

    #[test]
    fn the_sysimage_database_is_found_through_the_var_lib_rpm_link() {
        // Fedora ≥ 36: the database lives in /usr/lib/sysimage/rpm, /var/lib/rpm links to it.
        let dir = tempfile::tempdir().unwrap();
        let sysimage = dir.path().join("usr/lib/sysimage/rpm");
        std::fs::create_dir_all(&sysimage).unwrap();
        std::fs::copy(fixture_root().base().join("var/lib/rpm/rpmdb.sqlite"), sysimage.join("rpmdb.sqlite"))
            .unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib")).unwrap();
        std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", dir.path().join("var/lib/rpm")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert_eq!(locate(&root), Some(("/usr/lib/sysimage/rpm/rpmdb.sqlite", Format::Sqlite)));
        assert_eq!(packages(&root).unwrap().len(), 4);
    }

    #[test]
    fn a_garbage_file_in_each_format_is_an_error_naming_the_format() {
        for (file, format) in
            [("Packages", "Berkeley DB"), ("Packages.db", "NDB"), ("rpmdb.sqlite", "SQLite")]
        {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
            std::fs::write(dir.path().join("var/lib/rpm").join(file), [0x5au8; 8192]).unwrap();
            let e = packages(&Root::new(dir.path()).unwrap()).unwrap_err();
            let named = match (&e, format) {
                (RpmDbError::BerkeleyDb { path, source: bdb::BdbError::NotHash }, _)
                | (RpmDbError::Ndb { path, source: ndb::NdbError::NotNdb }, _)
                | (RpmDbError::Sqlite { path, source: sqlite::SqliteError::NotSqlite }, _) => {
                    path.ends_with(file)
                }
                _ => false,
            };
            assert!(named, "{e:?}");
            assert!(e.to_string().contains(&format!("/var/lib/rpm/{file}` ({format})")), "{e}");
        }
    }

    #[test]
    fn bytes_in_memory_read_like_a_file_never_past_their_end() {
        let bytes: &[u8] = b"0123456789";
        let mut buf = [0u8; 3];
        bytes.read_exact_at(&mut buf, 7).unwrap();
        assert_eq!(&buf, b"789");
        assert!(bytes.read_exact_at(&mut buf, 8).is_err());
        assert!(bytes.read_exact_at(&mut buf, u64::MAX).is_err());
        assert_eq!(ReadAt::size(bytes), 10);
    }

    /// The package lists of the SQLite fixture and of a root with the same headers in another
    /// format are equal field by field (names, files, signature key ids).
    fn same_packages_as_sqlite(other: &str) {
        let sqlite = packages(&fixture_root()).unwrap();
        let other = packages(&Root::new(format!("{}/{other}", env!("CARGO_MANIFEST_DIR"))).unwrap()).unwrap();
        assert_eq!(sqlite.len(), 4);
        assert_eq!(*sqlite, *other);
        let keyids: Vec<_> = other.iter().filter_map(|p| p.signature_keyid.as_deref()).collect();
        assert_eq!(keyids, ["6608dd4c288cc692"]);
        assert_eq!(other.iter().map(|p| p.files.len()).sum::<usize>(), 5);
    }

    #[test]
    fn berkeley_db_roots_give_the_sqlite_roots_packages() {
        for root in [
            "tests/oval/cases/probe-rpminfo-bdb/root",
            "tests/fixtures/rpmdb/bdb-4321-512",
            "tests/fixtures/rpmdb/bdb-1234-16384",
        ] {
            same_packages_as_sqlite(root);
        }
    }

    #[test]
    fn the_ndb_root_gives_the_sqlite_roots_packages() {
        same_packages_as_sqlite("tests/fixtures/rpmdb/ndb");
    }

    /// An rpmdb.sqlite in `dir` holding `blobs`, the last one only in the WAL (not checkpointed).
    fn sqlite_root(blobs: &[Vec<u8>]) -> (tempfile::TempDir, Root) {
        let work = tempfile::tempdir().unwrap();
        let db = work.path().join("rpmdb.sqlite");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);").unwrap();
        for b in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b]).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let rpm = dir.path().join("var/lib/rpm");
        std::fs::create_dir_all(&rpm).unwrap();
        // Copied while the connection is open: the rows are in the -wal file only.
        std::fs::copy(&db, rpm.join("rpmdb.sqlite")).unwrap();
        std::fs::copy(work.path().join("rpmdb.sqlite-wal"), rpm.join("rpmdb.sqlite-wal")).unwrap();
        drop(conn);
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn committed_rows_still_in_the_wal_are_read() {
        let (dir, root) = sqlite_root(&[blob(&[(tag::NAME, Value::Str("in-wal"))])]);
        let names: Vec<_> = packages(&root).unwrap().iter().map(|p| p.name.clone()).collect();
        assert_eq!(names, ["in-wal"]);
        assert!(!dir.path().join("var/lib/rpm/rpmdb.sqlite-shm").exists());
    }

    #[test]
    fn a_bad_header_names_its_row() {
        let (_dir, root) = sqlite_root(&[blob(&[(tag::NAME, Value::Str("ok"))]), vec![0, 0, 0, 9]]);
        let e = packages(&root).unwrap_err();
        assert!(matches!(e, RpmDbError::Header { hnum: 2, .. }), "{e}");
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        std::fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite"), "SQLite format 3\0").unwrap();
        assert!(matches!(packages(&Root::new(dir.path()).unwrap()), Err(RpmDbError::Sqlite { .. })));
        std::fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite"), "not a database at all").unwrap();
        let e = packages(&Root::new(dir.path()).unwrap()).unwrap_err();
        assert!(e.to_string().contains("not an SQLite database"), "{e}");
    }
}
