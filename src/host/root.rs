//! [`Root`]: chroot-style path resolution and safe reads. Every access goes through a
//! descriptor of the root directory ([`Confined`]): paths are resolved by the kernel inside the
//! root, so a directory swapped for a symlink while a scan runs cannot lead outside it.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::OFlags;
use sha2::{Digest, Sha256};

use super::confined::{Confined, Follow, proc_fd_path};
use super::walk::{Walk, WalkCache, WalkOptions, join};

/// Limits that keep a scan bounded on hostile or huge targets.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files larger than this are reported, never read whole.
    pub max_file_size: u64,
    /// Symlinks followed while resolving one path (Linux uses 40).
    pub max_symlinks: u32,
}

impl Default for Limits {
    fn default() -> Self {
        let limits = crate::limits::get();
        Self { max_file_size: limits.target_file_bytes, max_symlinks: limits.symlinks }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("`{path}`: no such file or directory")]
    NotFound { path: String },
    #[error("`{path}`: too many levels of symbolic links")]
    SymlinkLoop { path: String },
    #[error("`{path}`: is a {kind}, not a regular file; not read")]
    NotRegular { path: String, kind: FileKind },
    #[error("`{path}`: {size} bytes is over the {limit}-byte read limit; not read")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("`{path}`: permission denied")]
    PermissionDenied { path: String },
    #[error("`{path}`: {source}")]
    Io { path: String, source: io::Error },
    #[error("root `{path}` is not a directory")]
    BadRoot { path: String },
}

impl HostError {
    fn from_io(path: &str, e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => HostError::NotFound { path: path.to_string() },
            io::ErrorKind::PermissionDenied => HostError::PermissionDenied { path: path.to_string() },
            _ if e.raw_os_error() == Some(libc::ELOOP) => HostError::SymlinkLoop { path: path.to_string() },
            _ => HostError::Io { path: path.to_string(), source: e },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, HostError::NotFound { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Unknown,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Regular => "regular file",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symbolic link",
            FileKind::Fifo => "named pipe",
            FileKind::CharDevice => "character device",
            FileKind::BlockDevice => "block device",
            FileKind::Socket => "socket",
            FileKind::Unknown => "file of unknown type",
        })
    }
}

impl FileKind {
    /// The kind a full `st_mode` says.
    fn from_mode(mode: u32) -> FileKind {
        match mode & libc::S_IFMT {
            libc::S_IFLNK => FileKind::Symlink,
            libc::S_IFREG => FileKind::Regular,
            libc::S_IFDIR => FileKind::Directory,
            libc::S_IFIFO => FileKind::Fifo,
            libc::S_IFCHR => FileKind::CharDevice,
            libc::S_IFBLK => FileKind::BlockDevice,
            libc::S_IFSOCK => FileKind::Socket,
            _ => FileKind::Unknown,
        }
    }

    fn of(ft: fs::FileType) -> FileKind {
        if ft.is_symlink() {
            FileKind::Symlink
        } else if ft.is_file() {
            FileKind::Regular
        } else if ft.is_dir() {
            FileKind::Directory
        } else if ft.is_fifo() {
            FileKind::Fifo
        } else if ft.is_char_device() {
            FileKind::CharDevice
        } else if ft.is_block_device() {
            FileKind::BlockDevice
        } else if ft.is_socket() {
            FileKind::Socket
        } else {
            FileKind::Unknown
        }
    }
}

/// What `stat`/`lstat` says about a file inside the root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileMeta {
    pub kind: FileKind,
    /// Full `st_mode` (type and permission bits).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub atime: i64,
    pub mtime: i64,
    pub ctime: i64,
    pub dev: u64,
    pub ino: u64,
    pub nlink: u64,
}

impl FileMeta {
    #[allow(clippy::unnecessary_cast)] // the field types of `struct stat` differ per architecture
    fn from_stat(s: &rustix::fs::Stat) -> Self {
        FileMeta {
            kind: FileKind::from_mode(s.st_mode as u32),
            mode: s.st_mode as u32,
            uid: s.st_uid as u32,
            gid: s.st_gid as u32,
            size: s.st_size as u64,
            atime: s.st_atime as i64,
            mtime: s.st_mtime as i64,
            ctime: s.st_ctime as i64,
            dev: s.st_dev as u64,
            ino: s.st_ino as u64,
            nlink: s.st_nlink as u64,
        }
    }
}

/// The bytes of a regular file and their SHA-256 (kept as evidence).
#[derive(Debug, Clone)]
pub struct FileContent {
    /// The resolved in-root path that was read.
    pub path: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// A regular file of the root held open for reads at any offset: databases are read page by
/// page, never whole (an rpm database can be hundreds of megabytes).
#[derive(Debug)]
pub struct OpenFile {
    path: String,
    file: File,
    size: u64,
}

impl OpenFile {
    /// The size when opened.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Fill `buf` from `offset`; a file that ends before is an error.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<(), HostError> {
        use std::os::unix::fs::FileExt;
        self.file.read_exact_at(buf, offset).map_err(|e| HostError::from_io(&self.path, e))
    }
}

/// The scanned file system: a host directory treated as `/`.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
    limits: Limits,
    /// The root directory's descriptor; every access starts from it.
    confined: Arc<Confined>,
    /// Walks done during this run, shared by every probe (and every clone of this root).
    walks: std::sync::Arc<WalkCache>,
}

impl Root {
    /// Open `base` as the scan root. It must be an existing directory.
    pub fn new(base: impl AsRef<Path>) -> Result<Root, HostError> {
        Self::with_limits(base, Limits::default())
    }

    pub fn with_limits(base: impl AsRef<Path>, limits: Limits) -> Result<Root, HostError> {
        Self::open_root(base, limits, true)
    }

    /// A root that resolves with the component walk even where `openat2` exists (for tests of
    /// the fallback).
    #[cfg(test)]
    pub(crate) fn with_component_walk(base: impl AsRef<Path>) -> Result<Root, HostError> {
        Self::open_root(base, Limits::default(), false)
    }

    fn open_root(base: impl AsRef<Path>, limits: Limits, allow_openat2: bool) -> Result<Root, HostError> {
        let shown = base.as_ref().display().to_string();
        let base = fs::canonicalize(base.as_ref()).map_err(|e| HostError::from_io(&shown, e))?;
        if !base.is_dir() {
            return Err(HostError::BadRoot { path: shown });
        }
        let confined = Confined::open_with(&base, limits.max_symlinks, allow_openat2)
            .map_err(|e| HostError::from_io(&shown, e))?;
        Ok(Root { base, limits, confined: Arc::new(confined), walks: Default::default() })
    }

    /// The host directory this root stands for.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// True when scanning the running system itself (`--root /`).
    pub fn is_host_root(&self) -> bool {
        self.base == Path::new("/")
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The host path for an in-root path, for messages. Never opened: a path can change between
    /// being resolved and being opened; descriptors from the root cannot.
    pub fn host_path(&self, resolved: &str) -> PathBuf {
        let rel = resolved.trim_start_matches('/');
        if rel.is_empty() { self.base.clone() } else { self.base.join(rel) }
    }

    /// Resolve `path` inside the root, following every symlink (like `realpath` after chroot).
    /// A missing component ends resolution: the rest is appended lexically, and a later
    /// `stat` reports not found.
    pub fn resolve(&self, path: &str) -> Result<String, HostError> {
        self.confined.resolve(path, Follow::Yes).map_err(|e| HostError::from_io(path, e))
    }

    /// Resolve the parent directories of `path` but not its last component (for `lstat`).
    pub fn resolve_parent(&self, path: &str) -> Result<String, HostError> {
        let trimmed = path.trim_end_matches('/');
        match trimmed.rsplit_once('/') {
            Some((parent, last)) if !last.is_empty() && last != "." && last != ".." => {
                let parent = self.resolve(if parent.is_empty() { "/" } else { parent })?;
                Ok(join(&parent, last))
            }
            _ => self.resolve(path),
        }
    }

    /// Resolve `name` (one component or a relative path) inside a directory whose in-root path
    /// is already resolved.
    pub fn resolve_in(&self, resolved_dir: &str, name: &str) -> Result<String, HostError> {
        self.resolve(&join(resolved_dir, name))
    }

    fn open(&self, path: &str, flags: OFlags, follow: Follow) -> Result<std::os::fd::OwnedFd, HostError> {
        self.confined.open_at(path, flags, follow).map_err(|e| HostError::from_io(path, e))
    }

    /// `stat`: metadata of what `path` finally points to.
    pub fn stat(&self, path: &str) -> Result<FileMeta, HostError> {
        let fd = self.open(path, OFlags::PATH, Follow::Yes)?;
        rustix::fs::fstat(&fd)
            .map(|s| FileMeta::from_stat(&s))
            .map_err(|e| HostError::from_io(path, e.into()))
    }

    /// `lstat`: metadata of `path` itself (a symlink is reported as a symlink).
    pub fn lstat(&self, path: &str) -> Result<FileMeta, HostError> {
        let fd = self.open(path, OFlags::PATH, Follow::No)?;
        rustix::fs::fstat(&fd)
            .map(|s| FileMeta::from_stat(&s))
            .map_err(|e| HostError::from_io(path, e.into()))
    }

    /// The target text of the symlink at `path` (its parents resolved inside the root).
    pub fn read_link(&self, path: &str) -> Result<String, HostError> {
        let fd = self.open(path, OFlags::PATH, Follow::No)?;
        rustix::fs::readlinkat(&fd, "", Vec::new())
            .map(|t| String::from_utf8_lossy(t.as_bytes()).into_owned())
            .map_err(|e| HostError::from_io(path, e.into()))
    }

    /// Names in the directory at `path`, sorted (so every walk is deterministic).
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, HostError> {
        let fd = self.open(path, OFlags::RDONLY | OFlags::DIRECTORY, Follow::Yes)?;
        let dir = rustix::fs::Dir::new(fd).map_err(|e| HostError::from_io(path, e.into()))?;
        let mut names = Vec::new();
        for entry in dir {
            let entry = entry.map_err(|e| HostError::from_io(path, e.into()))?;
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                names.push(String::from_utf8_lossy(name).into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// An extended attribute of the file at `path` (`Ok(None)` when it has none, or the file
    /// system keeps none), read through a descriptor of exactly that file.
    pub fn xattr(&self, path: &str, name: &str, follow_last: bool) -> Result<Option<Vec<u8>>, HostError> {
        let follow = if follow_last { Follow::Yes } else { Follow::No };
        let fd = self.open(path, OFlags::PATH, follow)?;
        let mut buf = vec![0u8; 4096];
        match rustix::fs::getxattr(proc_fd_path(fd.as_fd()), name, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                Ok(Some(buf))
            }
            Err(e) if e == rustix::io::Errno::NODATA || e == rustix::io::Errno::NOTSUP => Ok(None),
            Err(e) => Err(HostError::from_io(path, e.into())),
        }
    }

    /// The names of the extended attributes of the file at `path` (not following a final
    /// symlink), sorted; empty when the file system keeps none.
    pub fn xattr_names(&self, path: &str) -> Result<Vec<String>, HostError> {
        let fd = self.open(path, OFlags::PATH, Follow::No)?;
        let mut buf = vec![0u8; 65536];
        match rustix::fs::listxattr(proc_fd_path(fd.as_fd()), &mut buf[..]) {
            Ok(n) => {
                let mut names: Vec<String> = buf[..n]
                    .split(|b| *b == 0)
                    .filter(|n| !n.is_empty())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect();
                names.sort();
                Ok(names)
            }
            Err(e) if e == rustix::io::Errno::NOTSUP => Ok(Vec::new()),
            Err(e) => Err(HostError::from_io(path, e.into())),
        }
    }

    /// The walk from `start` with `options`, done at most once per run (see [`WalkCache`]).
    pub fn walk(&self, start: &str, options: WalkOptions) -> std::sync::Arc<Walk> {
        self.walks.get_or_walk(self, start, options)
    }

    /// The cache of walks done so far.
    pub fn walk_cache(&self) -> &WalkCache {
        &self.walks
    }

    /// Is the directory at `path` on a network file system (NFS, CIFS/SMB, AFS, …)? Walks with
    /// `recurse_file_system="local"` do not descend into those. Unknown counts as local.
    pub fn is_remote_fs(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|resolved| self.is_remote_fs_resolved(&resolved))
    }

    /// [`Root::is_remote_fs`] for a path that is already resolved (walks know it).
    pub(super) fn is_remote_fs_resolved(&self, resolved: &str) -> bool {
        let Ok(fd) = self.open(resolved, OFlags::PATH, Follow::Yes) else { return false };
        rustix::fs::fstatfs(&fd).is_ok_and(|s| {
            #[allow(clippy::unnecessary_cast)] // f_type's width differs per architecture
            let kind = s.f_type as i64;
            REMOTE_FS_MAGIC.contains(&kind)
        })
    }

    /// `lstat` of `name` (a single component) inside a directory whose in-root path is already
    /// resolved: no path resolution at all, for probes that report many files of one directory.
    pub fn lstat_in(&self, resolved_dir: &str, name: &str) -> Result<FileMeta, HostError> {
        let shown = format!("{}/{name}", resolved_dir.trim_end_matches('/'));
        if name.is_empty() || name.contains('/') || name == ".." || name == "." {
            return self.lstat(&shown);
        }
        let dir = self.open(resolved_dir, OFlags::PATH | OFlags::DIRECTORY, Follow::Yes)?;
        Confined::stat_in(dir.as_fd(), name)
            .map(|s| FileMeta::from_stat(&s))
            .map_err(|e| HostError::from_io(&shown, e))
    }

    /// Does the file at `path` carry a POSIX ACL beyond the three entries that mirror its mode
    /// bits? A default ACL on a directory counts too. Like `acl_extended_file` (what oscap
    /// uses), a symlink is followed, inside the root.
    pub fn has_extended_acl(&self, path: &str) -> Result<bool, HostError> {
        let resolved = self.resolve(path)?;
        self.has_extended_acl_resolved(&resolved)
    }

    /// [`Root::has_extended_acl`] for `name` inside an already-resolved directory.
    pub fn has_extended_acl_in(&self, resolved_dir: &str, name: &str) -> Result<bool, HostError> {
        let resolved = self.resolve_in(resolved_dir, name)?;
        self.has_extended_acl_resolved(&resolved)
    }

    /// [`Root::has_extended_acl_in`] when the entry's `lstat` is known: only a symlink needs
    /// resolving, and only a directory can have a default ACL.
    pub fn has_extended_acl_of(
        &self,
        resolved_dir: &str,
        name: &str,
        lstat: &FileMeta,
    ) -> Result<bool, HostError> {
        let plain_name = !(name.is_empty() || name.contains('/') || name == "." || name == "..");
        match lstat.kind {
            FileKind::Symlink => self.has_extended_acl_in(resolved_dir, name),
            _ if !plain_name => self.has_extended_acl_in(resolved_dir, name),
            kind => self.acl_xattrs(&join(resolved_dir, name), kind == FileKind::Directory),
        }
    }

    fn has_extended_acl_resolved(&self, resolved: &str) -> Result<bool, HostError> {
        self.acl_xattrs(resolved, true)
    }

    fn acl_xattrs(&self, resolved: &str, may_have_default: bool) -> Result<bool, HostError> {
        // An access ACL xattr is a 4-byte header plus 8 bytes per entry; the minimal ACL has
        // exactly 3 entries (user, group, other), so anything longer is extended. Asked of the
        // object the descriptor holds (`/proc/self/fd/N`), never of a path that could change.
        const MINIMAL_ACL_LEN: usize = 4 + 3 * 8;
        let fd = self.open(resolved, OFlags::PATH, Follow::Yes)?;
        let on = proc_fd_path(fd.as_fd());
        let size_of = |name: &str| rustix::fs::getxattr_query(&on, name).unwrap_or(0);
        if size_of("system.posix_acl_access") > MINIMAL_ACL_LEN {
            return Ok(true);
        }
        Ok(may_have_default && size_of("system.posix_acl_default") > 0)
    }

    /// Entries of a directory given by its already *resolved* in-root path (as returned by
    /// [`Root::resolve`]), each with its `lstat` metadata, sorted by name. Walks use this so a
    /// tree costs one `read_dir` per directory and no per-entry path resolution.
    /// `skip_files`: leave out entries the directory listing already shows to be neither a
    /// directory nor a symlink (no `lstat` for them).
    pub fn read_dir_resolved(
        &self,
        resolved: &str,
        skip_files: bool,
    ) -> Result<Vec<(String, FileMeta)>, HostError> {
        let fd = self.open(resolved, OFlags::RDONLY | OFlags::DIRECTORY, Follow::Yes)?;
        let mut dir = rustix::fs::Dir::new(fd).map_err(|e| HostError::from_io(resolved, e.into()))?;
        let mut entries = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|e| HostError::from_io(resolved, e.into()))?;
            let raw = entry.file_name().to_bytes();
            if raw == b"." || raw == b".." {
                continue;
            }
            let kind = entry.file_type();
            if skip_files
                && kind != rustix::fs::FileType::Directory
                && kind != rustix::fs::FileType::Symlink
                && kind != rustix::fs::FileType::Unknown
            {
                continue;
            }
            let name = String::from_utf8_lossy(raw).into_owned();
            // fstatat relative to the directory just listed, not following a symlink.
            let listed = dir.fd().map_err(|e| HostError::from_io(resolved, e.into()))?;
            match Confined::stat_in(listed, &name) {
                Ok(s) => entries.push((name, FileMeta::from_stat(&s))),
                // Removed since listed: not an entry any more.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(HostError::from_io(&format!("{resolved}/{name}"), e)),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    /// Open a regular file for reading without following a final symlink again and without
    /// blocking on FIFOs; anything that is not a regular file is refused before reading.
    fn open_regular(&self, path: &str) -> Result<(String, File, u64), HostError> {
        let (fd, resolved) = self
            .confined
            .open_with_path(path, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY, Follow::Yes)
            .map_err(|e| HostError::from_io(path, e))?;
        let file = File::from(fd);
        let meta = file.metadata().map_err(|e| HostError::from_io(path, e))?;
        let kind = FileKind::of(meta.file_type());
        if kind != FileKind::Regular {
            return Err(HostError::NotRegular { path: path.to_string(), kind });
        }
        Ok((resolved, file, meta.len()))
    }

    /// Read a whole regular file (up to the size limit) and hash it.
    pub fn read(&self, path: &str) -> Result<FileContent, HostError> {
        let (resolved, file, size) = self.open_regular(path)?;
        let limit = self.limits.max_file_size;
        if size > limit {
            return Err(HostError::TooLarge { path: path.to_string(), size, limit });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // `take` guards against a file that grows while it is read.
        file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| HostError::from_io(path, e))?;
        if bytes.len() as u64 > limit {
            return Err(HostError::TooLarge { path: path.to_string(), size: bytes.len() as u64, limit });
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(FileContent { path: resolved, bytes, sha256 })
    }

    /// Read a regular file as text (invalid UTF-8 is replaced, as line-based probes expect).
    pub fn read_to_string(&self, path: &str) -> Result<(String, FileContent), HostError> {
        let content = self.read(path)?;
        let text = String::from_utf8_lossy(&content.bytes).into_owned();
        Ok((text, content))
    }

    /// Open a regular file for reads at any offset ([`OpenFile::read_exact_at`]).
    pub fn open_file(&self, path: &str) -> Result<OpenFile, HostError> {
        let (_, file, size) = self.open_regular(path)?;
        Ok(OpenFile { path: path.to_string(), file, size })
    }

    /// Stream a regular file through `sink` in chunks (for hashing files of any size).
    pub fn read_chunks(&self, path: &str, mut sink: impl FnMut(&[u8])) -> Result<u64, HostError> {
        let (_, mut file, _) = self.open_regular(path)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(|e| HostError::from_io(path, e))?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
            sink(&buf[..n]);
        }
    }
}

/// `statfs` magic numbers of network file systems (linux/magic.h and fs sources): NFS, SMB,
/// CIFS, SMB2, AFS, Coda, NCP, 9P, Ceph, FUSE (sshfs and similar are FUSE), GlusterFS via FUSE.
const REMOTE_FS_MAGIC: [i64; 10] = [
    0x6969,
    0x517B,
    0xFF53_4D42,
    0xFE53_4D42,
    0x5346_414F,
    0x7375_7245,
    0x564C,
    0x0102_1997,
    0x00C3_6400,
    0x6573_5546,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// The same checks, with the kernel resolving (`openat2`) and with the component walk.
    fn both_modes(check: impl Fn(&Path, &Root)) {
        for walk in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let b = dir.path();
            fs::create_dir_all(b.join("etc/docker")).unwrap();
            fs::write(b.join("etc/shadow"), "root:*:1::::::\n").unwrap();
            fs::write(b.join("etc/docker/daemon.json"), "{}").unwrap();
            let root = if walk { Root::with_component_walk(b) } else { Root::new(b) }.unwrap();
            assert_eq!(root.confined.uses_openat2(), !walk && root.confined.uses_openat2());
            check(b, &root);
        }
    }

    #[test]
    fn both_resolvers_keep_every_path_inside_the_root() {
        both_modes(|b, root| {
            symlink("/etc/shadow", b.join("etc/abs")).unwrap();
            symlink("../../../../../../etc", b.join("etc/docker/up")).unwrap();
            symlink("/loop2", b.join("loop1")).unwrap();
            symlink("/loop1", b.join("loop2")).unwrap();
            symlink("/nowhere/x", b.join("etc/dangling")).unwrap();
            symlink("/proc/self/root/etc/passwd", b.join("etc/magic")).unwrap();
            assert_eq!(root.read("/etc/abs").unwrap().bytes, b"root:*:1::::::\n");
            assert_eq!(root.read("/etc/abs").unwrap().path, "/etc/shadow");
            assert_eq!(root.resolve("/etc/docker/up/shadow").unwrap(), "/etc/shadow");
            assert_eq!(root.read("/etc/docker/up/shadow").unwrap().path, "/etc/shadow");
            assert_eq!(root.resolve("/../../etc/docker/../shadow").unwrap(), "/etc/shadow");
            assert_eq!(root.resolve("/etc/dangling").unwrap(), "/nowhere/x");
            assert_eq!(root.resolve("/etc/shadow/below").unwrap(), "/etc/shadow/below");
            assert!(matches!(root.read("/loop1"), Err(HostError::SymlinkLoop { .. })));
            assert_eq!(root.lstat("/etc/abs").unwrap().kind, FileKind::Symlink);
            assert_eq!(root.stat("/etc/abs").unwrap().kind, FileKind::Regular);
            assert_eq!(root.read_link("/etc/abs").unwrap(), "/etc/shadow");
            assert_eq!(
                root.read_dir("/etc/docker/up").unwrap(),
                ["abs", "dangling", "docker", "magic", "shadow"]
            );
            // /proc/self/root inside the root is the root's own (absent) /proc, never the host's.
            assert!(root.read("/etc/magic").is_err());
            assert!(root.read("/etc/missing").unwrap_err().is_not_found());
            let listed = root.read_dir_resolved("/etc", false).unwrap();
            assert!(listed.iter().any(|(n, m)| n == "abs" && m.kind == FileKind::Symlink));
            assert_eq!(root.lstat_in("/etc", "shadow").unwrap().kind, FileKind::Regular);
        });
    }

    /// A directory of the root is swapped for a link out of it, again and again, while another
    /// thread reads through it: nothing outside the root is ever read.
    #[test]
    fn swapping_a_directory_for_a_link_out_of_the_root_never_escapes() {
        for walk in [false, true] {
            let top = tempfile::tempdir().unwrap();
            let outside = top.path().join("outside");
            fs::create_dir_all(outside.join("docker")).unwrap();
            fs::write(outside.join("docker/daemon.json"), "CANARY").unwrap();
            let base = top.path().join("root");
            fs::create_dir_all(base.join("etc/docker")).unwrap();
            fs::write(base.join("etc/docker/daemon.json"), "inside").unwrap();
            let root = if walk { Root::with_component_walk(&base) } else { Root::new(&base) }.unwrap();
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let swapper = {
                let (base, stop) = (base.clone(), stop.clone());
                let escape = format!("{}", outside.join("docker").display());
                std::thread::spawn(move || {
                    let (real, link) = (base.join("etc/docker.real"), base.join("etc/docker"));
                    let pause = std::time::Duration::from_micros(200);
                    let mut n = 0u32;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let _ = fs::rename(&link, &real);
                        // Alternately an absolute host path and a `..` chain, both out of the root.
                        let target = if n.is_multiple_of(2) {
                            escape.clone()
                        } else {
                            "../../outside/docker".to_string()
                        };
                        let _ = symlink(&target, &link);
                        std::thread::yield_now();
                        let _ = fs::remove_file(&link);
                        let _ = fs::rename(&real, &link);
                        // Leave the real directory in place for a moment too.
                        std::thread::sleep(pause);
                        n += 1;
                    }
                })
            };
            let mut inside = 0;
            for _ in 0..3_000 {
                if let Ok(c) = root.read("/etc/docker/daemon.json") {
                    assert_ne!(c.bytes, b"CANARY", "read outside the root (walk: {walk})");
                    inside += 1;
                }
                if let Ok(entries) = root.read_dir_resolved("/etc/docker", false) {
                    assert!(entries.iter().all(|(n, _)| n == "daemon.json"));
                }
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            swapper.join().unwrap();
            assert!(inside > 0, "the file was read at least sometimes");
        }
    }

    /// openat2 answers EAGAIN to a `..` lookup that raced any rename on the system: the read must
    /// still succeed (retried, then walked), never surface as an I/O error of the target.
    #[test]
    fn dotdot_lookups_survive_concurrent_renames() {
        let (dir, root) = fixture();
        let churn = tempfile::tempdir().unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let renamer = {
            let stop = stop.clone();
            let (a, b) = (churn.path().join("a"), churn.path().join("b"));
            fs::write(&a, "x").unwrap();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = fs::rename(&a, &b);
                    let _ = fs::rename(&b, &a);
                }
            })
        };
        let mut failures = Vec::new();
        for _ in 0..3000 {
            if let Err(e) = root.read("/etc/docker/../shadow") {
                failures.push(e.to_string());
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        renamer.join().unwrap();
        drop(dir);
        assert!(failures.is_empty(), "{} of 3000 reads failed, e.g. {}", failures.len(), failures[0]);
    }

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        fs::create_dir_all(b.join("etc/docker")).unwrap();
        fs::write(b.join("etc/shadow"), "root:*:1::::::\n").unwrap();
        fs::write(b.join("etc/docker/daemon.json"), "{}").unwrap();
        let root = Root::new(b).unwrap();
        (dir, root)
    }

    #[test]
    fn absolute_symlink_stays_inside_root() {
        let (dir, root) = fixture();
        symlink("/etc/shadow", dir.path().join("etc/link")).unwrap();
        let c = root.read("/etc/link").unwrap();
        assert_eq!(c.path, "/etc/shadow");
        assert_eq!(c.bytes, b"root:*:1::::::\n");
    }

    #[test]
    fn dotdot_symlink_cannot_escape() {
        let (dir, root) = fixture();
        symlink("../../../../../../etc", dir.path().join("etc/docker/up")).unwrap();
        assert_eq!(root.resolve("/etc/docker/up/shadow").unwrap(), "/etc/shadow");
        assert_eq!(root.resolve("/../../etc/docker/../shadow").unwrap(), "/etc/shadow");
    }

    #[test]
    fn symlink_loop_ends() {
        let (dir, root) = fixture();
        symlink("/b", dir.path().join("a")).unwrap();
        symlink("/a", dir.path().join("b")).unwrap();
        assert!(matches!(root.read("/a"), Err(HostError::SymlinkLoop { .. })));
    }

    #[test]
    fn lstat_sees_the_link_itself() {
        let (dir, root) = fixture();
        symlink("/etc/shadow", dir.path().join("etc/link")).unwrap();
        assert_eq!(root.lstat("/etc/link").unwrap().kind, FileKind::Symlink);
        assert_eq!(root.stat("/etc/link").unwrap().kind, FileKind::Regular);
        assert_eq!(root.read_link("/etc/link").unwrap(), "/etc/shadow");
    }

    #[test]
    fn fifo_is_never_opened() {
        let (dir, root) = fixture();
        let p = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        assert!(matches!(root.read("/fifo"), Err(HostError::NotRegular { kind: FileKind::Fifo, .. })));
    }

    #[test]
    fn oversized_file_is_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big"), vec![b'x'; 100]).unwrap();
        let root = Root::with_limits(dir.path(), Limits { max_file_size: 10, max_symlinks: 40 }).unwrap();
        assert!(matches!(root.read("/big"), Err(HostError::TooLarge { size: 100, .. })));
    }

    #[test]
    fn an_open_file_reads_at_any_offset_past_the_size_limit_and_never_past_its_end() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("db"), b"0123456789").unwrap();
        let root = Root::with_limits(dir.path(), Limits { max_file_size: 4, max_symlinks: 40 }).unwrap();
        let file = root.open_file("/db").unwrap();
        assert_eq!(file.size(), 10);
        let mut buf = [0u8; 3];
        file.read_exact_at(&mut buf, 6).unwrap();
        assert_eq!(&buf, b"678");
        assert!(matches!(file.read_exact_at(&mut buf, 8), Err(HostError::Io { .. })));
        let p = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        assert!(matches!(root.open_file("/fifo"), Err(HostError::NotRegular { kind: FileKind::Fifo, .. })));
    }

    #[test]
    fn missing_path_is_not_found() {
        let (_dir, root) = fixture();
        assert!(root.stat("/etc/nope/x").unwrap_err().is_not_found());
    }

    #[test]
    fn sha256_of_read_content() {
        let (_dir, root) = fixture();
        let c = root.read("/etc/docker/daemon.json").unwrap();
        assert_eq!(c.sha256, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    }

    #[test]
    fn resolve_in_matches_resolve() {
        let (dir, root) = fixture();
        symlink("../shadow", dir.path().join("etc/docker/up")).unwrap();
        symlink("/etc/docker", dir.path().join("etc/abs")).unwrap();
        for (parent, name) in
            [("/etc/docker", "up"), ("/etc", "abs"), ("/etc", "shadow"), ("/etc", "missing")]
        {
            assert_eq!(
                root.resolve_in(parent, name).unwrap(),
                root.resolve(&format!("{parent}/{name}")).unwrap()
            );
        }
    }

    #[test]
    fn read_dir_resolved_lists_with_lstat() {
        let (dir, root) = fixture();
        symlink("/etc/shadow", dir.path().join("etc/link")).unwrap();
        let entries = root.read_dir_resolved("/etc", false).unwrap();
        let kinds: Vec<(&str, FileKind)> = entries.iter().map(|(n, m)| (n.as_str(), m.kind)).collect();
        assert_eq!(
            kinds,
            [("docker", FileKind::Directory), ("link", FileKind::Symlink), ("shadow", FileKind::Regular)]
        );
    }

    #[test]
    fn extended_acl_is_detected() {
        let (dir, root) = fixture();
        assert!(!root.has_extended_acl("/etc/shadow").unwrap());
        // A POSIX ACL xattr (version 2) with a named-user entry: user::rw- user:65534:r--
        // group::r-- mask::r-- other::r--.
        let mut acl = 2u32.to_le_bytes().to_vec();
        for (tag, perm, id) in [
            (0x01u16, 6u16, u32::MAX),
            (0x02, 4, 65534),
            (0x04, 4, u32::MAX),
            (0x10, 4, u32::MAX),
            (0x20, 4, u32::MAX),
        ] {
            acl.extend(tag.to_le_bytes());
            acl.extend(perm.to_le_bytes());
            acl.extend(id.to_le_bytes());
        }
        let path = std::ffi::CString::new(dir.path().join("etc/shadow").to_str().unwrap()).unwrap();
        // SAFETY: valid NUL-terminated path and attribute name; the buffer outlives the call.
        let set = unsafe {
            libc::setxattr(
                path.as_ptr(),
                c"system.posix_acl_access".as_ptr(),
                acl.as_ptr().cast(),
                acl.len(),
                0,
            )
        };
        if set != 0 {
            eprintln!("file system without POSIX ACLs: check skipped");
            return;
        }
        assert!(root.has_extended_acl("/etc/shadow").unwrap());
    }

    #[test]
    fn local_disk_is_not_remote() {
        // A tmpfs is local wherever the tests run (a temporary directory may sit on a container's
        // FUSE overlay, which counts as remote as sshfs does).
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert!(!root.is_remote_fs("/etc"));
        assert!(!root.is_remote_fs("/does/not/exist"));
        assert!(REMOTE_FS_MAGIC.contains(&0x6969), "NFS is remote");
    }
}
