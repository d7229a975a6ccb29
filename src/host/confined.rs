//! Opening files inside the scanned root with the kernel's help, so that no path, symlink, `..`
//! or directory swapped for a symlink mid-scan can reach a file outside it.
//!
//! Every open starts at a file descriptor of the root directory. Where the kernel has
//! `openat2(2)`, `RESOLVE_IN_ROOT` makes it resolve the whole path as if the root were `/`
//! (absolute links restart at the root, `..` stops there) atomically, and
//! `RESOLVE_NO_MAGICLINKS` refuses `/proc/*/root`-style links. Elsewhere (kernels before 5.6,
//! seccomp filters that refuse the call) the same rules are applied one component at a time with
//! `openat(…, O_NOFOLLOW)` relative to the directory opened just before, so a swapped component is
//! seen for what it is when it is opened, never followed by the kernel behind stigrun's back.
//!
//! The in-root path of an open descriptor is read back from `/proc/self/fd` (what was actually
//! opened), or tracked by the component walk when `/proc` is not there.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};

/// Whether the last component of a path is followed when it is a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Follow {
    Yes,
    No,
}

#[derive(Debug)]
pub(super) struct Confined {
    root: OwnedFd,
    base: PathBuf,
    openat2: bool,
    max_symlinks: u32,
}

impl Confined {
    /// `base` must be a canonical directory path; `openat2` is used when the kernel has it and
    /// `allow_openat2` (tests run the fallback too).
    pub(super) fn open_with(base: &Path, max_symlinks: u32, allow_openat2: bool) -> io::Result<Confined> {
        let root = rustix::fs::open(base, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        // Probe once: an old kernel says ENOSYS, a seccomp filter EPERM (Docker's default
        // profile before 20.10) or ENOSYS.
        let openat2 = match rustix::fs::openat2(
            &root,
            ".",
            OFlags::PATH | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
        ) {
            Ok(_) => allow_openat2,
            Err(_) => false,
        };
        Ok(Confined { root, base: base.to_path_buf(), openat2, max_symlinks })
    }

    /// Is the kernel resolving paths (`openat2`), or the component walk?
    #[cfg(test)]
    pub(super) fn uses_openat2(&self) -> bool {
        self.openat2
    }

    /// Open the in-root `path` with `flags` (`O_CLOEXEC` is added; `O_NOFOLLOW` when `follow`
    /// is `No`). Relative paths are taken from the root.
    pub(super) fn open_at(&self, path: &str, flags: OFlags, follow: Follow) -> io::Result<OwnedFd> {
        if self.openat2 {
            let mut flags = flags | OFlags::CLOEXEC;
            if follow == Follow::No {
                flags |= OFlags::NOFOLLOW;
            }
            let relative = relative(path);
            // With `..` in the path the kernel answers EAGAIN when any rename or mount on the
            // system raced the lookup (it cannot then prove the walk stayed inside): openat2(2)
            // says to retry. A busy machine (a build renaming files) makes that common, so retry
            // a few times, then take the component walk, which needs no such proof.
            for _ in 0..OPENAT2_RETRIES {
                match rustix::fs::openat2(
                    &self.root,
                    relative,
                    flags,
                    Mode::empty(),
                    ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
                ) {
                    Err(rustix::io::Errno::AGAIN) => continue,
                    other => return other.map_err(io::Error::from),
                }
            }
        }
        self.walk(path, flags, follow).map(|(fd, _)| fd)
    }

    /// Open `path` and say which in-root path was opened (symlinks resolved).
    ///
    /// (See [`OPENAT2_RETRIES`] for why an `openat2` answer may fall through to the walk.)
    pub(super) fn open_with_path(
        &self,
        path: &str,
        flags: OFlags,
        follow: Follow,
    ) -> io::Result<(OwnedFd, String)> {
        if self.openat2 {
            let fd = self.open_at(path, flags, follow)?;
            if let Some(p) = self.in_root_path(fd.as_fd()) {
                return Ok((fd, p));
            }
        }
        self.walk(path, flags, follow)
    }

    /// The in-root path the descriptor refers to, from `/proc/self/fd`; `None` when `/proc` is
    /// not mounted or the answer is not under the root (an unlinked file, say).
    pub(super) fn in_root_path(&self, fd: BorrowedFd<'_>) -> Option<String> {
        let link = std::fs::read_link(proc_fd_path(fd)).ok()?;
        let bytes = link.as_os_str().as_bytes();
        if bytes.ends_with(b" (deleted)") {
            return None;
        }
        let relative = link.strip_prefix(&self.base).ok()?;
        let text = relative.to_str()?;
        Some(if text.is_empty() { "/".to_string() } else { format!("/{text}") })
    }

    /// The component walk: chroot's rules applied one `openat` at a time, each relative to the
    /// directory opened before, never a host path. Returns the descriptor and its in-root path.
    fn walk(&self, path: &str, flags: OFlags, follow: Follow) -> io::Result<(OwnedFd, String)> {
        // Open directories from the root down, with their names (the root has none).
        let mut stack: Vec<(OwnedFd, String)> = Vec::new();
        let mut pending: Vec<Vec<u8>> = components_reversed(path.as_bytes());
        let mut links = 0u32;
        loop {
            let Some(component) = pending.pop() else {
                // The path named a directory we are in (the root, or after `..`): reopen it with
                // the caller's flags.
                let here = dir_of(&self.root, &stack);
                let fd = rustix::fs::openat(here, ".", flags | OFlags::CLOEXEC, Mode::empty())?;
                return Ok((fd, joined(&stack)));
            };
            if component == b".." {
                stack.pop();
                continue;
            }
            let name = OsStr::from_bytes(&component);
            let last = pending.is_empty();
            let here = dir_of(&self.root, &stack);
            let probe = rustix::fs::openat(
                here,
                name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            let kind = FileType::from_raw_mode(rustix::fs::fstat(&probe)?.st_mode);
            if kind == FileType::Symlink && (!last || follow == Follow::Yes) {
                links += 1;
                if links > self.max_symlinks {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = rustix::fs::readlinkat(&probe, "", Vec::new())?;
                let target = target.as_bytes();
                if target.starts_with(b"/") {
                    stack.clear();
                }
                pending.extend(components_reversed(target));
                continue;
            }
            if last {
                // Open the very object just looked at, not the name again: a swap between the
                // two opens must not be followed.
                let fd = if flags.contains(OFlags::PATH) && !flags.contains(OFlags::DIRECTORY) {
                    probe
                } else {
                    rustix::fs::openat(here, name, flags | OFlags::NOFOLLOW | OFlags::CLOEXEC, Mode::empty())?
                };
                let mut shown = joined(&stack);
                if !shown.ends_with('/') {
                    shown.push('/');
                }
                shown.push_str(&String::from_utf8_lossy(&component));
                return Ok((fd, shown));
            }
            if kind != FileType::Directory {
                return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
            }
            stack.push((probe, String::from_utf8_lossy(&component).into_owned()));
        }
    }

    /// The in-root path `path` resolves to, as `realpath` would say after `chroot`: every symlink
    /// followed (the last one only when `follow` is `Yes`); where a component is missing, the
    /// rest is appended as written (`..` still dropping a component), so a dangling link resolves
    /// to where it points. Walked with descriptors, like [`Confined::open_at`]'s fallback.
    pub(super) fn resolve(&self, path: &str, follow: Follow) -> io::Result<String> {
        // The common case, a path that exists, in two system calls; the walk below only for
        // missing components, whose rest is taken as written.
        if self.openat2 {
            match self.open_at(path, OFlags::PATH, follow) {
                Ok(fd) => {
                    if let Some(resolved) = self.in_root_path(fd.as_fd()) {
                        return Ok(resolved);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) => {}
                Err(e) => return Err(e),
            }
        }
        let mut stack: Vec<(OwnedFd, String)> = Vec::new();
        let mut pending: Vec<Vec<u8>> = components_reversed(path.as_bytes());
        let mut links = 0u32;
        while let Some(component) = pending.pop() {
            if component == b".." {
                stack.pop();
                continue;
            }
            let last = pending.is_empty();
            let here = dir_of(&self.root, &stack);
            let name = OsStr::from_bytes(&component);
            let probe = match rustix::fs::openat(
                here,
                name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(e) if e == rustix::io::Errno::NOENT || e == rustix::io::Errno::NOTDIR => {
                    // Missing: the rest is taken as written.
                    let mut parts: Vec<String> = stack.iter().map(|(_, n)| n.clone()).collect();
                    pending.push(component);
                    while let Some(rest) = pending.pop() {
                        match rest.as_slice() {
                            b".." => {
                                parts.pop();
                            }
                            other => parts.push(String::from_utf8_lossy(other).into_owned()),
                        }
                    }
                    return Ok(if parts.is_empty() {
                        "/".to_string()
                    } else {
                        format!("/{}", parts.join("/"))
                    });
                }
                Err(e) => return Err(e.into()),
            };
            let kind = FileType::from_raw_mode(rustix::fs::fstat(&probe)?.st_mode);
            if kind == FileType::Symlink && (!last || follow == Follow::Yes) {
                links += 1;
                if links > self.max_symlinks {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = rustix::fs::readlinkat(&probe, "", Vec::new())?;
                let target = target.as_bytes();
                if target.starts_with(b"/") {
                    stack.clear();
                }
                pending.extend(components_reversed(target));
                continue;
            }
            if !last && kind != FileType::Directory {
                // `/etc/passwd/x`: nothing below a file; the rest is taken as written, as for a
                // missing component.
                let mut parts: Vec<String> = stack.iter().map(|(_, n)| n.clone()).collect();
                parts.push(String::from_utf8_lossy(&component).into_owned());
                while let Some(rest) = pending.pop() {
                    match rest.as_slice() {
                        b".." => {
                            parts.pop();
                        }
                        other => parts.push(String::from_utf8_lossy(other).into_owned()),
                    }
                }
                return Ok(format!("/{}", parts.join("/")));
            }
            stack.push((probe, String::from_utf8_lossy(&component).into_owned()));
        }
        Ok(joined(&stack))
    }

    /// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
    pub(super) fn stat_in(dir: BorrowedFd<'_>, name: &str) -> io::Result<rustix::fs::Stat> {
        rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map_err(io::Error::from)
    }
}

/// The directory the walk is in: the last one opened, else the root.
fn dir_of<'a>(root: &'a OwnedFd, stack: &'a [(OwnedFd, String)]) -> BorrowedFd<'a> {
    stack.last().map_or(root.as_fd(), |(fd, _)| fd.as_fd())
}

/// `/proc/self/fd/<n>`: a name for exactly the object the descriptor holds.
pub(super) fn proc_fd_path(fd: BorrowedFd<'_>) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// How often an `openat2` that raced a rename or mount (EAGAIN) is tried again before the
/// component walk takes over.
const OPENAT2_RETRIES: usize = 8;

/// An in-root path as openat2 wants it: relative to the root descriptor.
fn relative(path: &str) -> &str {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() { "." } else { trimmed }
}

/// Path components in reverse order (so `pop` yields them front to back), dropping `.` and empty ones.
fn components_reversed(path: &[u8]) -> Vec<Vec<u8>> {
    path.split(|b| *b == b'/').filter(|c| !c.is_empty() && *c != b".").rev().map(<[u8]>::to_vec).collect()
}

fn joined(stack: &[(OwnedFd, String)]) -> String {
    if stack.is_empty() {
        "/".to_string()
    } else {
        stack.iter().map(|(_, name)| format!("/{name}")).collect()
    }
}
