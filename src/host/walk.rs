//! Directory walks inside a [`Root`]: deterministic (names sorted), bounded (depth, symlink
//! loops), never leaving the root, and cached so objects that walk the same tree share one walk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::root::{FileKind, FileMeta, Root};

/// Which file systems a walk may descend into (OVAL `recurse_file_system`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FsScope {
    #[default]
    All,
    /// Do not descend into network file systems.
    Local,
    /// Stay on the device of the start directory.
    Defined,
}

/// How a walk descends below its start directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WalkOptions {
    /// Descend into real subdirectories.
    pub into_dirs: bool,
    /// Descend into symlinks that point to directories.
    pub into_symlinks: bool,
    /// Deepest directory level that is listed (start = 0); `None` = unlimited.
    pub max_dir_depth: Option<u32>,
    pub scope: FsScope,
    /// List directories only (and symlinks to them): what matching a `path` pattern needs.
    /// Files are then not even `stat`ed, which makes a walk of `/` far cheaper.
    pub dirs_only: bool,
}

impl WalkOptions {
    /// A walk that follows everything (the OVAL "match" walk for pattern paths).
    pub fn everything() -> Self {
        WalkOptions {
            into_dirs: true,
            into_symlinks: true,
            max_dir_depth: None,
            scope: FsScope::All,
            dirs_only: false,
        }
    }
}

/// One entry found by a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// In-root path as reached from the start (through symlinked directories, not resolved).
    pub path: String,
    /// Directory level: 0 for the start itself, 1 for its children, …
    pub depth: u32,
    /// What the entry finally is (a symlink's target kind; `Symlink` if dangling or looping).
    pub kind: FileKind,
    /// The entry itself is a symbolic link.
    pub is_symlink: bool,
    /// A directory that is one of its own ancestors (reached through a symlink): listed, never
    /// entered, and not reported as a directory of the tree (oscap skips such entries too).
    pub is_cycle: bool,
    /// The entry's own `lstat`, read while listing its directory: probes that report file
    /// metadata use it instead of asking the kernel again (`None` if the start could not be read).
    pub lstat: Option<FileMeta>,
}

impl WalkEntry {
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Directory
    }

    /// The directory part and the name of the entry's path.
    pub fn split(&self) -> (&str, &str) {
        split_path(&self.path)
    }
}

/// A finished walk: its entries in walk order, and the problems met on the way (unreadable
/// directories, loops), each as a message.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    pub entries: Vec<WalkEntry>,
    pub problems: Vec<String>,
}

/// Directories skipped when a walk passes through `/`: kernel views, not configuration, and
/// huge or unbounded to walk.
const PSEUDO_FS_DIRS: [&str; 2] = ["/proc", "/sys"];

/// Walks shared by every probe of one run (held by the [`Root`], which lives for one run).
#[derive(Debug, Default)]
pub struct WalkCache {
    walks: Mutex<HashMap<(String, WalkOptions), Arc<Walk>>>,
}

impl WalkCache {
    /// The walk from `start` with `options`, done once per run.
    pub fn get_or_walk(&self, root: &Root, start: &str, options: WalkOptions) -> Arc<Walk> {
        let key = (start.to_string(), options);
        if let Some(w) = self.walks.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return w;
        }
        // Walk without holding the lock: other probes may walk other trees meanwhile. Two
        // probes racing on the same tree both walk it once; the results are identical.
        let walk = Arc::new(walk(root, start, options));
        if let Ok(mut m) = self.walks.lock() {
            m.entry(key).or_insert_with(|| walk.clone());
        }
        walk
    }

    /// How many distinct walks were done (for tests and statistics).
    pub fn len(&self) -> usize {
        self.walks.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Walk the tree under `start` (which is itself entry 0 when it exists). Symlinked directories
/// are entered only when `options.into_symlinks`; a directory already on the current branch
/// (same device and inode) is not entered again, which ends symlink loops.
pub fn walk(root: &Root, start: &str, options: WalkOptions) -> Walk {
    let mut out = Walk::default();
    let start = normalize(start);
    let resolved = root.resolve(&start).and_then(|r| root.stat(&r).map(|m| (r, m)));
    let (resolved, start_meta) = match resolved {
        Ok(found) => found,
        Err(e) => {
            if !e.is_not_found() {
                out.problems.push(e.to_string());
            }
            return out;
        }
    };
    let start_lstat = root.lstat(&start).ok();
    out.entries.push(WalkEntry {
        path: start.clone(),
        depth: 0,
        kind: start_meta.kind,
        is_symlink: start_lstat.as_ref().is_some_and(|m| m.kind == FileKind::Symlink),
        is_cycle: false,
        lstat: start_lstat,
    });
    if start_meta.kind != FileKind::Directory {
        return out;
    }
    let mut branch = Branch { ancestors: vec![(start_meta.dev, start_meta.ino)], start_dev: start_meta.dev };
    descend(root, &start, &resolved, 0, options, &mut branch, &mut out);
    out
}

/// The directories (device, inode) on the way down, and the start's device.
struct Branch {
    ancestors: Vec<(u64, u64)>,
    start_dev: u64,
}

/// List `dir` (reached as `logical`, really at the symlink-free in-root path `resolved`).
fn descend(
    root: &Root,
    logical: &str,
    resolved: &str,
    depth: u32,
    options: WalkOptions,
    branch: &mut Branch,
    out: &mut Walk,
) {
    if options.max_dir_depth.is_some_and(|max| depth > max) {
        return;
    }
    let entries = match root.read_dir_resolved(resolved, options.dirs_only) {
        Ok(n) => n,
        Err(e) => {
            out.problems.push(e.to_string());
            return;
        }
    };
    for (name, lmeta) in entries {
        let max = crate::limits::get().walk_entries;
        if out.entries.len() >= max {
            out.problems
                .push(format!("`{logical}`: walk stopped after {max} entries (limit `walk-entries`)"));
            return;
        }
        let path = join(logical, &name);
        if PSEUDO_FS_DIRS.contains(&path.as_str()) {
            continue;
        }
        let child_resolved = join(resolved, &name);
        let is_symlink = lmeta.kind == FileKind::Symlink;
        // Only a symlink needs resolving (inside the root); anything else is what lstat saw.
        let (meta, target) = if is_symlink {
            match root.resolve_in(resolved, &name).and_then(|t| root.lstat(&t).map(|m| (m, t))) {
                Ok((m, t)) => (m, t),
                // Dangling or looping link: reported as the link itself.
                Err(_) => (lmeta.clone(), child_resolved),
            }
        } else {
            (lmeta.clone(), child_resolved)
        };
        if options.dirs_only && meta.kind != FileKind::Directory {
            continue;
        }
        let id = (meta.dev, meta.ino);
        let is_cycle = meta.kind == FileKind::Directory && branch.ancestors.contains(&id);
        out.entries.push(WalkEntry {
            path: path.clone(),
            depth: depth + 1,
            kind: meta.kind,
            is_symlink,
            is_cycle,
            lstat: Some(lmeta),
        });
        if meta.kind != FileKind::Directory {
            continue;
        }
        let allowed = if is_symlink { options.into_symlinks } else { options.into_dirs };
        if !allowed || !scope_allows(root, &target, meta.dev, branch.start_dev, options.scope) {
            continue;
        }
        // A link into /proc or /sys (`/dev/fd` → `/proc/self/fd`, whose entries point at
        // whatever the scanner itself has open, the root directory included) is listed, not
        // entered: as when walking from `/`, the pseudo file systems are not walked by accident.
        if is_symlink && is_pseudo_fs(&target) && !is_pseudo_fs(logical) {
            continue;
        }
        // Loops such as `/usr/bin/X11 -> .` are normal: marked, not entered, not a problem.
        if is_cycle {
            continue;
        }
        branch.ancestors.push(id);
        descend(root, &path, &target, depth + 1, options, branch, out);
        branch.ancestors.pop();
    }
}

fn is_pseudo_fs(path: &str) -> bool {
    PSEUDO_FS_DIRS
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

fn scope_allows(root: &Root, resolved: &str, dev: u64, start_dev: u64, scope: FsScope) -> bool {
    match scope {
        FsScope::All => true,
        FsScope::Defined => dev == start_dev,
        FsScope::Local => !root.is_remote_fs_resolved(resolved),
    }
}

/// `/a//b/` → `/a/b`; always absolute.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    if parts.is_empty() { "/".to_string() } else { format!("/{}", parts.join("/")) }
}

/// `dir` + `/` + `name`, without doubling the slash at the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') { format!("{dir}{name}") } else { format!("{dir}/{name}") }
}

/// (`/etc/ssh`, `sshd_config`) for `/etc/ssh/sshd_config`; (`/`, `etc`) for `/etc`.
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn tree() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        fs::create_dir_all(b.join("etc/a/b/c")).unwrap();
        fs::write(b.join("etc/a/f1"), "1").unwrap();
        fs::write(b.join("etc/a/b/f2"), "2").unwrap();
        fs::write(b.join("etc/a/b/c/f3"), "3").unwrap();
        fs::create_dir_all(b.join("proc/1")).unwrap();
        fs::write(b.join("proc/1/status"), "x").unwrap();
        let root = Root::new(b).unwrap();
        (dir, root)
    }

    fn paths(w: &Walk) -> Vec<(String, u32)> {
        w.entries.iter().map(|e| (e.path.clone(), e.depth)).collect()
    }

    #[test]
    fn dirs_only_walk_is_the_full_walk_without_files() {
        let (d, root) = tree();
        symlink("/etc/a/b", d.path().join("etc/link-to-b")).unwrap();
        symlink("/etc/a/f1", d.path().join("etc/link-to-f1")).unwrap();
        let full = walk(&root, "/", WalkOptions::everything());
        let dirs = walk(&root, "/", WalkOptions { dirs_only: true, ..WalkOptions::everything() });
        let full_dirs: Vec<WalkEntry> = full.entries.into_iter().filter(|e| e.is_dir()).collect();
        assert_eq!(dirs.entries, full_dirs);
        assert!(dirs.entries.iter().any(|e| e.path == "/etc/link-to-b/c" && e.depth == 3));
    }

    #[test]
    fn walk_is_sorted_and_depth_labelled() {
        let (_d, root) = tree();
        let w = walk(&root, "/etc/a", WalkOptions::everything());
        assert_eq!(
            paths(&w),
            vec![
                ("/etc/a".into(), 0),
                ("/etc/a/b".into(), 1),
                ("/etc/a/b/c".into(), 2),
                ("/etc/a/b/c/f3".into(), 3),
                ("/etc/a/b/f2".into(), 2),
                ("/etc/a/f1".into(), 1),
            ]
        );
    }

    #[test]
    fn max_dir_depth_limits_listing() {
        let (_d, root) = tree();
        let opts = WalkOptions { max_dir_depth: Some(0), ..WalkOptions::everything() };
        let w = walk(&root, "/etc/a", opts);
        assert_eq!(paths(&w), vec![("/etc/a".into(), 0), ("/etc/a/b".into(), 1), ("/etc/a/f1".into(), 1)]);
    }

    #[test]
    fn proc_is_skipped_from_slash_but_not_when_named() {
        let (_d, root) = tree();
        let from_root = walk(&root, "/", WalkOptions::everything());
        assert!(from_root.entries.iter().all(|e| !e.path.starts_with("/proc")));
        let named = walk(&root, "/proc", WalkOptions::everything());
        assert!(named.entries.iter().any(|e| e.path == "/proc/1/status"));
    }

    #[test]
    fn symlinked_dirs_followed_only_when_asked_and_stay_inside_root() {
        let (d, root) = tree();
        symlink("/etc/a/b", d.path().join("etc/abs")).unwrap();
        symlink("../../../../etc/a/b/c", d.path().join("etc/rel")).unwrap();
        let follow = walk(&root, "/etc", WalkOptions::everything());
        let p = paths(&follow);
        assert!(p.contains(&("/etc/abs/f2".into(), 2)));
        assert!(p.contains(&("/etc/rel/f3".into(), 2)));
        let no = walk(&root, "/etc", WalkOptions { into_symlinks: false, ..WalkOptions::everything() });
        let link = no.entries.iter().find(|e| e.path == "/etc/abs").unwrap();
        assert!(link.is_symlink && link.is_dir());
        assert!(!paths(&no).iter().any(|(p, _)| p.starts_with("/etc/abs/")));
    }

    #[test]
    fn symlink_loop_ends() {
        let (d, root) = tree();
        symlink("/etc/a", d.path().join("etc/a/b/c/up")).unwrap();
        symlink("self", d.path().join("etc/self")).unwrap();
        let w = walk(&root, "/etc", WalkOptions::everything());
        assert!(w.entries.len() < 50, "{:?}", paths(&w));
        assert!(w.entries.iter().any(|e| e.path == "/etc/a/b/c/up" && e.is_cycle));
        assert!(w.problems.is_empty(), "{:?}", w.problems);
        let looping = w.entries.iter().find(|e| e.path == "/etc/self").unwrap();
        assert_eq!(looping.kind, FileKind::Symlink);
    }

    #[test]
    fn fifo_is_listed_not_opened() {
        let (d, root) = tree();
        let p = std::ffi::CString::new(d.path().join("etc/a/pipe").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        let w = walk(&root, "/etc/a", WalkOptions::everything());
        let e = w.entries.iter().find(|e| e.path == "/etc/a/pipe").unwrap();
        assert_eq!(e.kind, FileKind::Fifo);
    }

    #[test]
    fn defined_scope_stays_on_the_start_device() {
        // Needs a tree with another mount below it: the host's /dev usually has /dev/shm.
        let root = Root::new("/").unwrap();
        let (Ok(dev), Ok(shm)) = (root.stat("/dev"), root.stat("/dev/shm")) else { return };
        if dev.dev == shm.dev {
            eprintln!("/dev/shm is not a separate mount: check skipped");
            return;
        }
        let opts = |scope| WalkOptions { scope, ..WalkOptions::everything() };
        let defined = walk(&root, "/dev", opts(FsScope::Defined));
        assert!(defined.entries.iter().any(|e| e.path == "/dev/shm"), "the mount point itself is listed");
        assert!(!defined.entries.iter().any(|e| e.path.starts_with("/dev/shm/")));
        std::fs::write("/dev/shm/stigrun-walk-test", "x").unwrap();
        let all = walk(&root, "/dev", opts(FsScope::All));
        let _ = std::fs::remove_file("/dev/shm/stigrun-walk-test");
        assert!(all.entries.iter().any(|e| e.path == "/dev/shm/stigrun-walk-test"));
    }

    #[test]
    fn cache_shares_walks() {
        let (_d, root) = tree();
        let cache = WalkCache::default();
        let a = cache.get_or_walk(&root, "/etc", WalkOptions::everything());
        let b = cache.get_or_walk(&root, "/etc", WalkOptions::everything());
        assert!(Arc::ptr_eq(&a, &b));
        cache.get_or_walk(&root, "/etc", WalkOptions { max_dir_depth: Some(1), ..WalkOptions::everything() });
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn missing_start_is_empty_without_problem() {
        let (_d, root) = tree();
        let w = walk(&root, "/nope", WalkOptions::everything());
        assert!(w.entries.is_empty() && w.problems.is_empty());
    }

    #[test]
    fn split_and_join() {
        assert_eq!(split_path("/etc/ssh/sshd_config"), ("/etc/ssh", "sshd_config"));
        assert_eq!(split_path("/etc"), ("/", "etc"));
        assert_eq!(join("/", "etc"), "/etc");
        assert_eq!(normalize("//etc/./ssh/"), "/etc/ssh");
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test --release --lib host::walk::timing -- --ignored --nocapture` to measure a
    /// real tree (`STIGRUN_WALK_ROOT`, default `/usr`).
    #[test]
    #[ignore]
    fn walk_a_real_tree() {
        let start = std::env::var("STIGRUN_WALK_ROOT").unwrap_or_else(|_| "/usr".into());
        let root = Root::new("/").unwrap();
        let t = std::time::Instant::now();
        let w = walk(&root, &start, WalkOptions::everything());
        let dirs = w.entries.iter().filter(|e| e.is_dir()).count();
        eprintln!(
            "walked {start}: {} entries ({dirs} dirs), {} problems, {:?}",
            w.entries.len(),
            w.problems.len(),
            t.elapsed()
        );
        assert!(!w.entries.is_empty());
    }
}
