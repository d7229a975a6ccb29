//! The only door to the scan target: its file system ([`Root`]) and its Docker Engine
//! ([`EngineSource`]), bundled as a [`ScanTarget`].
//!
//! Every path a probe names is a path *inside* the scanned root (`--root DIR`, default `/`).
//! [`Root`] resolves it component by component the way the kernel does after `chroot(DIR)`:
//! an absolute symlink target restarts at the root, `..` at the root stays at the root, so no
//! path, link or `..` chain can reach a file outside `DIR`. Reads never block or change the
//! target: FIFOs, sockets and devices are never opened for reading, files are opened
//! `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` before a byte is read.

mod confined;
pub mod engine;
mod root;
mod target;
pub mod trust;
mod walk;

pub use engine::{EngineDocument, EngineError, EngineSource};
pub use root::{FileContent, FileKind, FileMeta, HostError, Limits, OpenFile, Root};
pub use target::ScanTarget;
pub use trust::{ChainUsage, TrustError, TrustedCas};
pub use walk::{FsScope, Walk, WalkCache, WalkEntry, WalkOptions, join, normalize, split_path, walk};
