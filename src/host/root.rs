//! [`Root`]: chroot-style path resolution and safe reads.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

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
        Self { max_file_size: 64 * 1024 * 1024, max_symlinks: 40 }
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
    fn from_metadata(m: &fs::Metadata) -> Self {
        FileMeta {
            kind: FileKind::of(m.file_type()),
            mode: m.mode(),
            uid: m.uid(),
            gid: m.gid(),
            size: m.size(),
            atime: m.atime(),
            mtime: m.mtime(),
            ctime: m.ctime(),
            dev: m.dev(),
            ino: m.ino(),
            nlink: m.nlink(),
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

/// The scanned file system: a host directory treated as `/`.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
    limits: Limits,
    /// Walks done during this run, shared by every probe (and every clone of this root).
    walks: std::sync::Arc<WalkCache>,
}

impl Root {
    /// Open `base` as the scan root. It must be an existing directory.
    pub fn new(base: impl AsRef<Path>) -> Result<Root, HostError> {
        Self::with_limits(base, Limits::default())
    }

    pub fn with_limits(base: impl AsRef<Path>, limits: Limits) -> Result<Root, HostError> {
        let shown = base.as_ref().display().to_string();
        let base = fs::canonicalize(base.as_ref()).map_err(|e| HostError::from_io(&shown, e))?;
        if !base.is_dir() {
            return Err(HostError::BadRoot { path: shown });
        }
        Ok(Root { base, limits, walks: Default::default() })
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

    /// The host path for an in-root path that is already resolved (absolute, no links).
    pub fn host_path(&self, resolved: &str) -> PathBuf {
        let rel = resolved.trim_start_matches('/');
        if rel.is_empty() { self.base.clone() } else { self.base.join(rel) }
    }

    /// Resolve `path` inside the root, following every symlink (like `realpath` after chroot).
    /// A missing component ends resolution: the rest is appended lexically, and a later
    /// `stat` reports not found.
    pub fn resolve(&self, path: &str) -> Result<String, HostError> {
        self.resolve_inner(path, true)
    }

    /// Resolve the parent directories of `path` but not its last component (for `lstat`).
    pub fn resolve_parent(&self, path: &str) -> Result<String, HostError> {
        self.resolve_inner(path, false)
    }

    /// Resolve `name` (one component or a relative path) inside a directory whose in-root path
    /// is already resolved, without checking that directory's components again.
    pub fn resolve_in(&self, resolved_dir: &str, name: &str) -> Result<String, HostError> {
        let mut known = components_reversed(resolved_dir);
        known.reverse();
        let shown = format!("{}/{name}", resolved_dir.trim_end_matches('/'));
        self.resolve_components(known, components_reversed(name), true, &shown)
    }

    fn resolve_inner(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        self.resolve_components(Vec::new(), components_reversed(path), follow_last, path)
    }

    /// `done`: resolved components so far (no symlinks among them); `pending`: the rest, reversed.
    fn resolve_components(
        &self,
        mut done: Vec<String>,
        mut pending: Vec<String>,
        follow_last: bool,
        path: &str,
    ) -> Result<String, HostError> {
        let mut links = 0u32;
        let mut missing = false;
        while let Some(component) = pending.pop() {
            if component == ".." {
                done.pop();
                continue;
            }
            done.push(component);
            if missing || (pending.is_empty() && !follow_last) {
                continue;
            }
            let host = self.host_path(&join_components(&done));
            match fs::symlink_metadata(&host) {
                Ok(m) if m.file_type().is_symlink() => {
                    links += 1;
                    if links > self.limits.max_symlinks {
                        return Err(HostError::SymlinkLoop { path: path.to_string() });
                    }
                    let target = fs::read_link(&host).map_err(|e| HostError::from_io(path, e))?;
                    let target = target.to_string_lossy();
                    done.pop();
                    if target.starts_with('/') {
                        done.clear();
                    }
                    pending.extend(components_reversed(&target));
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => missing = true,
                Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => missing = true,
                Err(e) => return Err(HostError::from_io(path, e)),
            }
        }
        Ok(join_components(&done))
    }

    /// `stat`: metadata of what `path` finally points to.
    pub fn stat(&self, path: &str) -> Result<FileMeta, HostError> {
        let resolved = self.resolve(path)?;
        fs::symlink_metadata(self.host_path(&resolved))
            .map(|m| FileMeta::from_metadata(&m))
            .map_err(|e| HostError::from_io(path, e))
    }

    /// `lstat`: metadata of `path` itself (a symlink is reported as a symlink).
    pub fn lstat(&self, path: &str) -> Result<FileMeta, HostError> {
        let resolved = self.resolve_parent(path)?;
        fs::symlink_metadata(self.host_path(&resolved))
            .map(|m| FileMeta::from_metadata(&m))
            .map_err(|e| HostError::from_io(path, e))
    }

    /// The target text of the symlink at `path` (its parents resolved inside the root).
    pub fn read_link(&self, path: &str) -> Result<String, HostError> {
        let resolved = self.resolve_parent(path)?;
        fs::read_link(self.host_path(&resolved))
            .map(|t| t.to_string_lossy().into_owned())
            .map_err(|e| HostError::from_io(path, e))
    }

    /// Names in the directory at `path`, sorted (so every walk is deterministic).
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, HostError> {
        let resolved = self.resolve(path)?;
        let mut names = Vec::new();
        for entry in fs::read_dir(self.host_path(&resolved)).map_err(|e| HostError::from_io(path, e))? {
            let entry = entry.map_err(|e| HostError::from_io(path, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
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
        let Ok(c_path) = std::ffi::CString::new(self.host_path(resolved).as_os_str().as_encoded_bytes())
        else {
            return false;
        };
        // SAFETY: statfs writes into a zeroed, properly sized struct; the path is NUL-terminated.
        let mut buf: libc::statfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statfs(c_path.as_ptr(), &mut buf) } != 0 {
            return false;
        }
        REMOTE_FS_MAGIC.contains(&(buf.f_type as i64))
    }

    /// `lstat` of `name` (a single component) inside a directory whose in-root path is already
    /// resolved: no path resolution at all, for probes that report many files of one directory.
    pub fn lstat_in(&self, resolved_dir: &str, name: &str) -> Result<FileMeta, HostError> {
        let shown = format!("{}/{name}", resolved_dir.trim_end_matches('/'));
        if name.is_empty() || name.contains('/') || name == ".." || name == "." {
            return self.lstat(&shown);
        }
        fs::symlink_metadata(self.host_path(resolved_dir).join(name))
            .map(|m| FileMeta::from_metadata(&m))
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
        let c_path = std::ffi::CString::new(self.host_path(resolved).as_os_str().as_encoded_bytes())
            .map_err(|_| HostError::NotFound { path: resolved.to_string() })?;
        // An access ACL xattr is a 4-byte header plus 8 bytes per entry; the minimal ACL has
        // exactly 3 entries (user, group, other), so anything longer is extended.
        const MINIMAL_ACL_LEN: isize = 4 + 3 * 8;
        let size_of = |name: &std::ffi::CStr| {
            // SAFETY: a NULL buffer with size 0 asks only for the attribute's length.
            unsafe { libc::lgetxattr(c_path.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) }
        };
        if size_of(c"system.posix_acl_access") > MINIMAL_ACL_LEN {
            return Ok(true);
        }
        Ok(may_have_default && size_of(c"system.posix_acl_default") > 0)
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
        let mut entries = Vec::new();
        let dir = fs::read_dir(self.host_path(resolved)).map_err(|e| HostError::from_io(resolved, e))?;
        for entry in dir {
            let entry = entry.map_err(|e| HostError::from_io(resolved, e))?;
            if skip_files && entry.file_type().is_ok_and(|t| !t.is_dir() && !t.is_symlink()) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            // `DirEntry::metadata` does not follow a symlink (fstatat with AT_SYMLINK_NOFOLLOW).
            match entry.metadata() {
                Ok(m) => entries.push((name, FileMeta::from_metadata(&m))),
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
        let resolved = self.resolve(path)?;
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(self.host_path(&resolved))
            .map_err(|e| HostError::from_io(path, e))?;
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

/// Path components in reverse order (so `pop` yields them front to back), dropping `.` and empty ones.
fn components_reversed(path: &str) -> Vec<String> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".").rev().map(str::to_string).collect()
}

fn join_components(parts: &[String]) -> String {
    if parts.is_empty() { "/".to_string() } else { format!("/{}", parts.join("/")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

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
        let (_dir, root) = fixture();
        assert!(!root.is_remote_fs("/etc"));
        assert!(!root.is_remote_fs("/does/not/exist"));
        assert!(REMOTE_FS_MAGIC.contains(&0x6969), "NFS is remote");
    }
}
